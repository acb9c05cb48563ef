//! Ties a pending OpenID Connect sign-in to the browser that started it (login CSRF, RFC 9700
//! §4.7): the start sets a random cookie (HttpOnly, SameSite=Lax so it comes back with the
//! provider's top-level redirect, scoped to `/<slug>/oidc/`) and stores only its hash with the
//! `state`. The return is accepted only from a browser presenting that cookie; an attacker who
//! lures a victim to their own return URL lacks it.

use super::session::{read_cookie, secure};
use super::tokens::{new_token, token_hash};
use crate::state::AppState;
use poem::Request;

pub const BROWSER_COOKIE: &str = "portail_oidc";
/// As long as a pending sign-in lives.
const MAX_AGE_SECONDS: u64 = 600;

/// A new binding: the cookie to send and the hash to keep with the state.
pub fn new_binding(state: &AppState, slug: &str) -> (String, String) {
    let token = new_token();
    let secure = secure(state);
    let cookie = format!(
        "{BROWSER_COOKIE}={token}; Path=/{slug}/oidc/; HttpOnly; SameSite=Lax; Max-Age={MAX_AGE_SECONDS}{secure}"
    );
    (cookie, token_hash(&token))
}

/// The cookie that ends the binding once the return is handled.
pub fn clear(slug: &str) -> String {
    format!("{BROWSER_COOKIE}=; Path=/{slug}/oidc/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether this browser carries the cookie whose hash was stored, compared in constant time.
pub fn presented_by(req: &Request, stored_hash: &str) -> bool {
    let Some(token) = read_cookie(req, BROWSER_COOKIE) else {
        return false;
    };
    let presented = token_hash(&token);
    presented.len() == stored_hash.len()
        && !stored_hash.is_empty()
        && presented
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
