//! The stylesheet, served from the binary. Its URL carries a digest, so it can be cached for a
//! year; nothing is loaded from third parties.

use crate::templates::{CSS, JS};
use poem::{IntoResponse, Response, handler};

#[handler]
pub fn stylesheet() -> Response {
    CSS.with_content_type("text/css; charset=utf-8")
        .with_header("cache-control", "public, max-age=31536000, immutable")
        .into_response()
}

#[handler]
pub fn script() -> Response {
    JS.with_content_type("text/javascript; charset=utf-8")
        .with_header("cache-control", "public, max-age=31536000, immutable")
        .into_response()
}
