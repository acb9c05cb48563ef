//! CSRF protection of HTML forms: a random secret in a cookie (`portail_csrf`, HttpOnly,
//! SameSite=Strict, scoped to the municipality), and in every form a token derived from it
//! and from the session with an HMAC. A cross-site page can neither read the cookie nor make
//! the browser send it with a POST; a planted cookie does not give the session's token; and
//! `Origin` / `Sec-Fetch-Site` are checked on every state-changing form (`http::hardening`).
//! The JSON API is protected otherwise: it only takes `application/json` bodies and checks
//! `Origin` when the browser sends one (`http::origin`).

use super::session::{SESSION_COOKIE, read_cookie, secure};
use super::tokens::new_token;
use crate::state::AppState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use poem::Request;
use sha2::Sha256;

pub const CSRF_COOKIE: &str = "portail_csrf";

/// The token for the forms of this page, and the `Set-Cookie` to send when the cookie is new.
/// `session_id` is the live session of the page, if any: the token of a signed-in page is an
/// HMAC of that session under the cookie, so a pair of cookie and field planted by someone
/// else (a neighbouring subdomain can set cookies) is worthless for a signed-in form.
pub fn form_token(
    state: &AppState,
    slug: &str,
    req: &Request,
    session_id: Option<&str>,
) -> (String, Option<String>) {
    let (secret, set_cookie) = match read_cookie(req, CSRF_COOKIE)
        .filter(|t| super::tokens::well_formed(t))
    {
        Some(secret) => (secret, None),
        None => {
            let secret = new_token();
            let secure = secure(state);
            let cookie =
                format!("{CSRF_COOKIE}={secret}; Path=/{slug}/; HttpOnly; SameSite=Strict{secure}");
            (secret, Some(cookie))
        }
    };
    (derive(&secret, session_id), set_cookie)
}

/// HMAC-SHA256 of the session (or of "anonymous" for a signed-out page) keyed by the cookie.
fn derive(secret: &str, session_id: Option<&str>) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    match session_id {
        Some(id) => mac.update(format!("session:{id}").as_bytes()),
        None => mac.update(b"anonymous"),
    }
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// For forms that do not need a session (sign-in, forgotten password, new password, sign-out):
/// the token of the page, signed-in or not, for this browser's cookie.
pub fn valid(req: &Request, submitted: Option<&str>) -> bool {
    let (Some(secret), Some(submitted)) = (read_cookie(req, CSRF_COOKIE), submitted) else {
        return false;
    };
    let session = read_cookie(req, SESSION_COOKIE);
    same(&derive(&secret, None), submitted)
        || session.is_some_and(|id| same(&derive(&secret, Some(&id)), submitted))
}

/// For the forms of signed-in pages: only the token bound to the session the request carries.
pub fn valid_for_session(req: &Request, submitted: Option<&str>) -> bool {
    valid_for_session_cookie(req, submitted, SESSION_COOKIE)
}

/// The same check for a session kept under another cookie (the staff's back-office session).
pub fn valid_for_session_cookie(req: &Request, submitted: Option<&str>, cookie: &str) -> bool {
    let (Some(secret), Some(session), Some(submitted)) = (
        read_cookie(req, CSRF_COOKIE),
        read_cookie(req, cookie),
        submitted,
    ) else {
        return false;
    };
    same(&derive(&secret, Some(&session)), submitted)
}
