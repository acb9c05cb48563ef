//! CSRF protection of HTML forms: a random token in a cookie (`portail_csrf`, HttpOnly,
//! SameSite=Strict, scoped to the municipality) that every form repeats in a hidden field.
//! A cross-site page can neither read the cookie nor make the browser send it with a POST.
//! The JSON API is protected otherwise: it only takes `application/json` bodies and checks
//! `Origin` when the browser sends one (`http::origin`).

use super::session::read_cookie;
use super::tokens::new_token;
use crate::state::AppState;
use poem::Request;

pub const CSRF_COOKIE: &str = "portail_csrf";

/// The token for the forms of this page, and the `Set-Cookie` to send when it is new.
pub fn form_token(state: &AppState, slug: &str, req: &Request) -> (String, Option<String>) {
    match read_cookie(req, CSRF_COOKIE).filter(|t| super::tokens::well_formed(t)) {
        Some(token) => (token, None),
        None => {
            let token = new_token();
            let secure = if state.settings.public_url.starts_with("https://") {
                "; Secure"
            } else {
                ""
            };
            let cookie =
                format!("{CSRF_COOKIE}={token}; Path=/{slug}/; HttpOnly; SameSite=Strict{secure}");
            (token, Some(cookie))
        }
    }
}

/// Whether the submitted token matches the cookie, compared in constant time.
pub fn valid(req: &Request, submitted: Option<&str>) -> bool {
    let (Some(cookie), Some(submitted)) = (read_cookie(req, CSRF_COOKIE), submitted) else {
        return false;
    };
    cookie.len() == submitted.len()
        && !cookie.is_empty()
        && cookie
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
