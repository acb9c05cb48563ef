//! The session cookie and who is signed in.
//!
//! The cookie `portail_session` is scoped to the municipality's path (`/<slug>/`), HttpOnly,
//! SameSite=Lax, and Secure when the portal is served over HTTPS. It carries only the session
//! id; the session itself lives in Redis (see `crate::sessions`).

use crate::sessions::{ReadForRequest, SessionError};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::Request;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "portail_session";

/// The signed-in guardian of the current request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: String,
    pub guardian_id: Uuid,
    pub household_id: Uuid,
    /// The name shown in the banner, kept in the session at sign-in.
    pub name: Option<String>,
}

/// A cookie's value from the request's `Cookie` headers.
pub fn read_cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `; Secure` when the portal is served over HTTPS: the attribute every cookie of ours ends with.
pub fn secure(state: &AppState) -> &'static str {
    if state.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// A kind of session's cookie: scoped to the municipality's path (`/<slug>/`), HttpOnly, Secure
/// over HTTPS, with its own name, `SameSite` and lifetime.
pub struct SessionCookie {
    pub name: &'static str,
    pub same_site: &'static str,
    pub max_age_seconds: u64,
}

/// The guardians' session cookie, as long as their session lives at most.
pub const GUARDIAN_SESSION: SessionCookie = SessionCookie {
    name: SESSION_COOKIE,
    same_site: "Lax",
    max_age_seconds: crate::sessions::PARENT.absolute.as_secs(),
};

impl SessionCookie {
    /// The cookie carrying session `id`.
    pub fn set(&self, state: &AppState, slug: &str, id: &str) -> String {
        self.text(secure(state), slug, id, self.max_age_seconds)
    }

    /// The cookie that clears it.
    pub fn clear(&self, state: &AppState, slug: &str) -> String {
        self.text(secure(state), slug, "", 0)
    }

    fn text(&self, secure: &str, slug: &str, value: &str, max_age: u64) -> String {
        let SessionCookie {
            name, same_site, ..
        } = self;
        format!(
            "{name}={value}; Path=/{slug}/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
        )
    }
}

/// The signed-in guardian, if the request carries a live session of this municipality.
/// Redis unreachable is an error, never an anonymous request.
pub async fn signed_in(
    state: &AppState,
    tenant: &CurrentTenant,
    req: &Request,
) -> Result<Option<SignedIn>, SessionError> {
    let Some(id) = read_cookie(req, SESSION_COOKIE) else {
        return Ok(None);
    };
    let read_before = req
        .extensions()
        .get::<ReadForRequest>()
        .filter(|read| read.id == id)
        .map(|read| read.session.clone());
    let session = match read_before {
        Some(session) => session,
        None => state.sessions.load(tenant.slug(), &id).await?,
    };
    let Some(session) = session else {
        return Ok(None);
    };
    let field = |name: &str| {
        session
            .data
            .get(name)
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse::<Uuid>().ok())
    };
    Ok(match (field("guardian_id"), field("household_id")) {
        (Some(guardian_id), Some(household_id)) => Some(SignedIn {
            session_id: id,
            guardian_id,
            household_id,
            name: session
                .data
                .get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        }),
        _ => None,
    })
}

/// The client's address for throttling and logs, as a hash (of the /64 for IPv6): decided by
/// the hardening middleware from the peer, and from `X-Forwarded-For` only behind a trusted
/// proxy (see `crate::http::client_ip`).
pub fn client_address(req: &Request) -> String {
    let ip = req
        .extensions()
        .get::<crate::http::client_ip::ClientIp>()
        .and_then(|c| c.0)
        .or_else(|| req.remote_addr().as_socket_addr().map(|a| a.ip()));
    crate::http::client_ip::limit_key(ip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::auth::STAFF_SESSION;

    #[test]
    fn session_cookies_are_scoped_http_only_and_secure_over_https() {
        assert_eq!(
            GUARDIAN_SESSION.text("; Secure", "lannion", "abc", 43200),
            "portail_session=abc; Path=/lannion/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure"
        );
        assert_eq!(
            STAFF_SESSION.text("; Secure", "lannion", "", 0),
            "portail_staff=; Path=/lannion/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
        assert_eq!(GUARDIAN_SESSION.max_age_seconds, 12 * 3600);
        assert_eq!(STAFF_SESSION.max_age_seconds, 10 * 3600);
        assert_eq!(
            GUARDIAN_SESSION.text("", "lannion", "", 0),
            "portail_session=; Path=/lannion/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
    }
}
