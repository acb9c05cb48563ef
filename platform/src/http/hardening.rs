//! Checks every request passes before routing, in one middleware:
//!
//! - odd paths (`OPTIONS *`, `//x/..`, `/api/` or `/static/` outside the service's own routes)
//!   answer 404 before anything tries to read a municipality from them;
//! - the `Host` must be the host of `PUBLIC_URL` or one of `EXTRA_HOSTS`, else 421 (a page
//!   served under any name invites DNS rebinding and poisoned links); the probes are exempt,
//!   the kubelet calls them by the pod's address;
//! - the client address is decided once (see [`client_ip`]);
//! - bodies are bounded: 64 KiB for JSON and forms, announced (`Content-Length`) or counted
//!   while read (chunked); only document uploads get `MAX_UPLOAD_BYTES`, counted by their own
//!   reader;
//! - a state-changing form must come from the portal's own pages (`Origin`, `Sec-Fetch-Site`);
//! - every answer under a municipality is `Cache-Control: no-store` unless it says otherwise:
//!   it may carry personal data.

use super::around::Around;
use super::client_ip::{self, ClientIp};
use crate::state::AppState;
use crate::templates;
use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Request, Response, Result};
use serde_json::json;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// The largest JSON or form body, in bytes.
pub const MAX_BODY_BYTES: u64 = 64 * 1024;

/// The service's own routes outside any municipality.
fn service_route(path: &str) -> bool {
    matches!(
        path,
        "/" | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/static/portail.css"
            | "/static/portail.js"
            | "/api/openapi.json"
            | "/api/docs"
    ) || path.starts_with("/api/docs/")
}

fn probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// What follows the first segment, when the path has one that may be a municipality's slug.
fn tenant_rest(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let segment = rest.split('/').next().unwrap_or("");
    if segment.is_empty() || portail_tenants::slug::RESERVED.contains(&segment) {
        return None;
    }
    Some(&rest[segment.len()..])
}

/// Whether this request is an upload, whose handler reads its body as a stream and counts
/// it (`MAX_UPLOAD_BYTES` and a margin at most): a family document, a library publication,
/// the files of a message (the attachments operations, and the pages' message forms when
/// multipart; sent url-encoded, those are read whole and stay under the message limit).
fn upload(method: &Method, rest: &str, multipart: bool) -> bool {
    if method != Method::POST {
        return false;
    }
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    match segments.as_slice() {
        ["documents"]
        | ["api", "v1", "documents"]
        | ["gestion", "bibliotheque"]
        | ["api", "v1", "staff", "library"]
        | [
            "api",
            "v1",
            "conversations",
            _,
            "messages",
            _,
            "attachments",
        ]
        | [
            "api",
            "v1",
            "staff",
            "conversations",
            _,
            "messages",
            _,
            "attachments",
        ] => true,
        ["messagerie", _] | ["gestion", "messagerie", _, "repondre"] => multipart,
        _ => false,
    }
}

/// A message body may be up to 256 KiB on the wire, so that the messaging itself refuses a
/// too long message (422, with its words) rather than the generic 413.
const MAX_MESSAGE_BODY_BYTES: u64 = 256 * 1024;

/// The largest body this request may carry (`None`: the upload reads and counts its own).
fn body_limit(method: &Method, rest: &str, multipart: bool) -> Option<u64> {
    if upload(method, rest, multipart) {
        return None;
    }
    let messaging = rest.starts_with("/messagerie/")
        || rest.starts_with("/gestion/messagerie/")
        || rest.starts_with("/api/v1/conversations")
        || rest.starts_with("/api/v1/staff/conversations/");
    Some(if method == Method::POST && messaging {
        MAX_MESSAGE_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    })
}

#[derive(Clone)]
pub struct Hardening {
    pub state: Arc<AppState>,
}

impl Around for Hardening {
    async fn around<E: Endpoint>(&self, next: &E, mut req: Request) -> Result<Response> {
        let settings = &self.state.settings;
        let path = req.uri().path().to_string();
        let rest = tenant_rest(&path);
        let json = path.contains("/api/");
        if rest.is_none() && !service_route(&path) {
            return Ok(refusal(Refusal::NotFound, json));
        }
        if !probe(&path) && !host_allowed(&self.state, &req) {
            tracing::info!(host = ?req.headers().get("host"), "request for a host not served");
            return Ok(refusal(Refusal::MisdirectedHost, json));
        }
        let ip = client_ip::resolve(&settings.trusted_proxies, &req);
        req.extensions_mut().insert(ClientIp(ip));

        let limit = match rest {
            Some(r) => body_limit(
                req.method(),
                r,
                crate::documents::intake::is_multipart(&req),
            ),
            None => Some(MAX_BODY_BYTES),
        };
        if let Some(limit) = limit {
            let announced = req
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            match announced {
                Some(n) if n > limit => return Ok(refusal(Refusal::TooLarge, json)),
                Some(_) => {}
                // Chunked or unannounced (HTTP/2 has no Transfer-Encoding): read at most one
                // byte past the limit; an absent body reads as empty at once.
                None => {
                    let mut bytes = Vec::new();
                    let read = req
                        .take_body()
                        .into_async_read()
                        .take(limit + 1)
                        .read_to_end(&mut bytes)
                        .await;
                    if read.is_err() {
                        return Ok(refusal(Refusal::Malformed, json));
                    }
                    if bytes.len() as u64 > limit {
                        return Ok(refusal(Refusal::TooLarge, json));
                    }
                    req.set_body(Body::from(bytes));
                }
            }
        }

        let state_changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if state_changing
            && let Some(r) = rest
            && !r.starts_with("/api/")
            && !form_from_portal(&self.state, &req)
        {
            tracing::info!(path = %path, "form sent from another site refused");
            return Ok(refusal(Refusal::ForeignForm, false));
        }

        let mut response = next.call(req).await?.into_response();
        if rest.is_some() {
            response
                .headers_mut()
                .entry("cache-control")
                .or_insert(HeaderValue::from_static("no-store"));
        }
        Ok(response)
    }
}

/// The request's host name, lowercase, without the port.
fn request_host(req: &Request) -> Option<String> {
    let authority = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))?;
    Some(host_name(&authority))
}

/// `Example.fr:8443` → `example.fr`; `[::1]:80` → `[::1]`.
pub(crate) fn host_name(authority: &str) -> String {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

/// The host of `PUBLIC_URL` and `EXTRA_HOSTS`: the names the portal answers to.
fn allowed_host(state: &AppState, host: &str) -> bool {
    let public = state.settings.public_url.split("://").nth(1).unwrap_or("");
    let public = public.split('/').next().unwrap_or("");
    host == host_name(public) || state.settings.extra_hosts.iter().any(|h| h == host)
}

fn host_allowed(state: &AppState, req: &Request) -> bool {
    request_host(req).is_some_and(|h| allowed_host(state, &h))
}

/// Whether an `Origin` header names the portal (see `http::origin`).
pub fn origin_is_portal(state: &AppState, origin: &str) -> bool {
    super::origin::origin_is_portal(
        &state.settings.public_url,
        &state.settings.extra_hosts,
        origin,
    )
}

/// A browser says where a form comes from: `Sec-Fetch-Site` (same-origin, or none when typed
/// by the person) and `Origin`. Either, when sent, must name the portal; clients that send
/// neither (not a browser) still need the session-bound CSRF token.
fn form_from_portal(state: &AppState, req: &Request) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let site = header("sec-fetch-site");
    if let Some(site) = site
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match header("origin") {
        // A page sent with `Referrer-Policy: no-referrer` (the links with a token) makes the
        // browser send `Origin: null`; its `Sec-Fetch-Site` then says where the form is from.
        Some("null") => site.is_some(),
        Some(origin) => origin_is_portal(state, origin),
        None => true,
    }
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    NotFound,
    MisdirectedHost,
    TooLarge,
    Malformed,
    ForeignForm,
}

impl Refusal {
    /// The status, the stable code, and the catalogue keys of the page title and of the message.
    fn parts(self) -> (StatusCode, &'static str, &'static str, &'static str) {
        match self {
            Refusal::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "title-error-not-found",
                "error-not-found",
            ),
            Refusal::MisdirectedHost => (
                StatusCode::MISDIRECTED_REQUEST,
                "misdirected_request",
                "title-error-misdirected",
                "error-misdirected",
            ),
            Refusal::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "title-error-too-large",
                "error-too-large",
            ),
            Refusal::Malformed => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "title-error-malformed",
                "error-malformed",
            ),
            Refusal::ForeignForm => (
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                "title-error-foreign-form",
                "error-foreign-form",
            ),
        }
    }
}

/// The JSON error for API clients, the French page for people.
fn refusal(refusal: Refusal, json: bool) -> Response {
    let (status, code, title, message) = refusal.parts();
    let (title, message) = (crate::i18n::t(title), crate::i18n::t(message));
    error_response(status, code, &title, &message, json)
}

pub fn error_response(
    status: StatusCode,
    code: &str,
    title: &str,
    message: &str,
    json: bool,
) -> Response {
    let mut response = if json {
        poem::web::Json(json!({ "code": code, "message": message })).into_response()
    } else {
        let t = templates::global();
        poem::web::Html(t.render(
            "error",
            &json!({
                "title": title,
                "message": message,
                "tenant_name": null,
                "tenant": null,
                "account": null,
                "css": t.css_url(),
                "js": t.js_url(),
            }),
        ))
        .into_response()
    };
    response.set_status(status);
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body is not read: the connection cannot carry another request.
        response
            .headers_mut()
            .insert("connection", HeaderValue::from_static("close"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_with_a_possible_slug_reach_the_municipalities() {
        assert_eq!(tenant_rest("/lannion/connexion"), Some("/connexion"));
        assert_eq!(tenant_rest("/lannion"), Some(""));
        assert_eq!(tenant_rest("*"), None);
        assert_eq!(tenant_rest("//x/.."), None);
        assert_eq!(tenant_rest("/api/"), None);
        assert!(!service_route("/api/"));
        assert!(!service_route("/metrics/"));
        assert!(service_route("/api/docs/index.js"));
    }

    #[test]
    fn only_messages_and_uploads_may_pass_64_kib() {
        let post = Method::POST;
        assert_eq!(body_limit(&post, "/documents", true), None);
        // Uploads read and count their own bodies: library publications, message files.
        for upload in [
            "/gestion/bibliotheque",
            "/api/v1/staff/library",
            "/api/v1/conversations/x/messages/y/attachments",
            "/api/v1/staff/conversations/x/messages/y/attachments",
        ] {
            assert_eq!(body_limit(&post, upload, true), None, "{upload}");
        }
        // The pages' message forms, multipart with files; url-encoded, the message limit.
        for form in [
            "/messagerie/nouveau",
            "/messagerie/x",
            "/gestion/messagerie/x/repondre",
        ] {
            assert_eq!(body_limit(&post, form, true), None, "{form}");
            assert_eq!(body_limit(&post, form, false), Some(256 * 1024), "{form}");
        }
        assert_eq!(
            body_limit(&post, "/api/v1/conversations", true),
            Some(256 * 1024)
        );
        for messaging in [
            "/messagerie/nouveau",
            "/gestion/messagerie/x/repondre",
            "/api/v1/conversations",
            "/api/v1/conversations/x/messages",
            "/api/v1/staff/conversations/x/messages",
        ] {
            assert_eq!(
                body_limit(&post, messaging, false),
                Some(256 * 1024),
                "{messaging}"
            );
        }
        assert_eq!(body_limit(&post, "/connexion", true), Some(MAX_BODY_BYTES));
        assert_eq!(
            body_limit(&post, "/mon-compte/messagerie", true),
            Some(MAX_BODY_BYTES)
        );
        assert_eq!(
            body_limit(&Method::PUT, "/api/v1/conversations", false),
            Some(MAX_BODY_BYTES)
        );
    }

    #[test]
    fn host_names_lose_their_port_and_case() {
        assert_eq!(host_name("Portail.Example.fr:8443"), "portail.example.fr");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("evil@x.fr"), "x.fr");
    }
}
