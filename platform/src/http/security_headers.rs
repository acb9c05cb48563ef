//! Security headers on every response. Pages load nothing from elsewhere and run no inline
//! script; only the API explorer (Swagger UI, which ships inline code) gets a looser policy.

use super::around::Around;
use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response, Result};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
const CSP_API_DOCS: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The policy of a page whose forms may also lead to `origin` (the PayFiP payment page, to
/// which PAYER's answer redirects: `form-action` governs that redirect too).
pub fn csp_with_form_action(origin: &str) -> String {
    CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    )
}

#[derive(Clone)]
pub struct SecurityHeaders;

impl Around for SecurityHeaders {
    async fn around<E: Endpoint>(&self, next: &E, req: Request) -> Result<Response> {
        let https = req.uri().scheme_str() == Some("https")
            || req
                .headers()
                .get("x-forwarded-proto")
                .is_some_and(|v| v == "https");
        let docs = req.uri().path().starts_with("/api/docs");
        let mut response = match next.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        let headers = response.headers_mut();
        let set = |headers: &mut poem::http::HeaderMap, name: &'static str, value: &'static str| {
            headers
                .entry(name)
                .or_insert(HeaderValue::from_static(value));
        };
        set(
            headers,
            "content-security-policy",
            if docs { CSP_API_DOCS } else { CSP },
        );
        set(headers, "x-content-type-options", "nosniff");
        set(headers, "x-frame-options", "DENY");
        set(
            headers,
            "referrer-policy",
            "strict-origin-when-cross-origin",
        );
        set(
            headers,
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        );
        set(headers, "cross-origin-opener-policy", "same-origin");
        if https {
            set(
                headers,
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            );
        }
        Ok(response)
    }
}
