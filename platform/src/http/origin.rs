//! The Origin check of the JSON API: every mutation (any method but GET, HEAD and OPTIONS)
//! whose browser `Origin` is not the portal's is refused with 403 `forbidden_origin` before
//! any operation runs. Forms are protected by their CSRF token instead (`auth::csrf`).

use super::errors::{Failure, respond};
use crate::state::AppState;
use poem::http::Method;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::sync::Arc;

/// A browser's `Origin`, when sent, must be the portal's own.
pub fn origin_allowed(state: &AppState, req: &Request) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let public = state.settings.public_url.trim_end_matches('/');
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin == public || origin == format!("http://{host}") || origin == format!("https://{host}")
}

pub struct OriginCheck;

impl<E: Endpoint> Middleware<E> for OriginCheck {
    type Output = OriginCheckEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        OriginCheckEndpoint { inner }
    }
}

pub struct OriginCheckEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for OriginCheckEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let state = req
                .data::<Arc<AppState>>()
                .expect("state is added to every request");
            if !origin_allowed(state, &req) {
                return Ok(respond(&Failure::ForbiddenOrigin, true, None));
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
