//! A bug must not become a log flood nor a bare error: a panic in a request is answered with
//! the generic French 500 page (the security headers are added around it) and logged once, one
//! line with its place and message, never a backtrace per request.

use super::errors::{Failure, respond};
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, Response};
use std::any::Any;

/// `inner`, with any panic turned into the French 500 page (JSON under `/api/`).
pub fn catch_panics<E: Endpoint>(inner: E) -> impl Endpoint {
    inner.with(
        CatchPanic::new().with_handler(|_: Box<dyn Any + Send + 'static>| -> Response {
            respond(&Failure::Internal, false, None)
        }),
    )
}

/// Replaces the default panic output (a backtrace when `RUST_BACKTRACE` is set) by one log line.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(panic.message = %one_line(&message), panic.location = %location, "panic");
    }));
}

/// A panic message on one line, bounded: a request could put anything into it.
fn one_line(message: &str) -> String {
    message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{Request, handler};

    #[handler]
    fn boom() -> &'static str {
        panic!("deliberate")
    }

    #[tokio::test]
    async fn a_panic_answers_the_french_500_page_with_security_headers() {
        let app = super::super::around::Layer(super::super::security_headers::SecurityHeaders);
        let ep = catch_panics(boom).with(app);
        let response = ep.call(Request::default()).await.unwrap();
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key("content-security-policy"));
        assert!(response.headers().contains_key("x-content-type-options"));
        let body = response.into_body().into_string().await.unwrap();
        assert!(
            body.contains("Une erreur inattendue est survenue"),
            "{body}"
        );
    }

    #[test]
    fn panic_messages_are_logged_on_one_bounded_line() {
        let line = one_line(&format!("a\nb\r{}", "x".repeat(1000)));
        assert!(!line.contains('\n'));
        assert_eq!(line.chars().count(), 300);
    }
}
