//! The Origin check of the JSON API: every mutation (any method but GET, HEAD and OPTIONS)
//! whose browser `Origin` is not the portal's is refused with 403 `forbidden_origin` before
//! any operation runs. Forms are protected by their CSRF token instead (`auth::csrf`).

use super::errors::{Failure, respond};
use poem::http::Method;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

/// A browser's `Origin`, when sent, must be the portal's own (`public_url`) or the host the
/// request was sent to.
pub fn origin_allowed(public_url: &str, req: &Request) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let public = public_url.trim_end_matches('/');
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin == public || origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// `api`, with its mutations refused when they come from another origin.
pub fn origin_checked<E: Endpoint + 'static>(
    api: E,
    public_url: String,
) -> impl Endpoint<Output = Response> {
    api.around(move |api, req| {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let allowed = safe || origin_allowed(&public_url, &req);
        async move {
            if !allowed {
                return Ok(respond(&Failure::ForbiddenOrigin, true, None));
            }
            api.call(req).await.map(IntoResponse::into_response)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::endpoint::make_sync;

    async fn answer(method: Method, origin: Option<&str>) -> (u16, String) {
        let api = origin_checked(make_sync(|_| "done"), "https://portail.example".into());
        let mut req = Request::builder()
            .method(method)
            .uri(poem::http::Uri::from_static("/demo/api/v1/household"))
            .header("host", "portail.example");
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        let response = api.call(req.finish()).await.unwrap();
        let status = response.status().as_u16();
        (status, response.into_body().into_string().await.unwrap())
    }

    #[tokio::test]
    async fn a_mutation_from_another_origin_is_refused_before_the_operation() {
        let (status, body) = answer(Method::POST, Some("https://evil.example")).await;
        assert_eq!(status, 403);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["code"], "forbidden_origin");
        assert_eq!(
            body["message"],
            "Cette requête ne vient pas du portail famille."
        );
        for method in [Method::PATCH, Method::PUT, Method::DELETE] {
            assert_eq!(answer(method, Some("https://evil.example")).await.0, 403);
        }
    }

    #[tokio::test]
    async fn reads_the_portal_itself_and_programs_without_origin_go_through() {
        assert_eq!(
            answer(Method::GET, Some("https://evil.example")).await,
            (200, "done".into())
        );
        assert_eq!(
            answer(Method::POST, Some("https://portail.example")).await,
            (200, "done".into())
        );
        assert_eq!(answer(Method::POST, None).await, (200, "done".into()));
    }
}
