//! The Origin check of the JSON API: every mutation (any method but GET, HEAD and OPTIONS)
//! whose browser `Origin` is not the portal's is refused with 403 `forbidden_origin` before
//! any operation runs. Forms are protected by their CSRF token instead (`auth::csrf`).

use super::errors::{Failure, respond};
use poem::http::Method;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

/// A browser's `Origin`, when sent, must be the portal's own: the origin of `PUBLIC_URL`, or a
/// page served under one of `EXTRA_HOSTS`. Never compared with the request's own `Host`, which
/// the client writes.
pub fn origin_allowed(public_url: &str, extra_hosts: &[String], req: &Request) -> bool {
    match req.headers().get("origin").and_then(|v| v.to_str().ok()) {
        Some(origin) => origin_is_portal(public_url, extra_hosts, origin),
        None => true,
    }
}

/// Whether `origin` names the portal (see [`origin_allowed`]).
pub fn origin_is_portal(public_url: &str, extra_hosts: &[String], origin: &str) -> bool {
    if origin == public_url.trim_end_matches('/') {
        return true;
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !authority.contains('/')
        && extra_hosts
            .iter()
            .any(|h| *h == super::hardening::host_name(authority))
}

/// `api`, with its mutations refused when they come from another origin.
pub fn origin_checked<E: Endpoint + 'static>(
    api: E,
    public_url: String,
    extra_hosts: Vec<String>,
) -> impl Endpoint<Output = Response> {
    api.around(move |api, req| {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let allowed = safe || origin_allowed(&public_url, &extra_hosts, &req);
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
        let api = origin_checked(
            make_sync(|_| "done"),
            "https://portail.example".into(),
            vec!["famille.example".into()],
        );
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

    #[test]
    fn an_origin_is_the_portal_s_by_public_url_or_extra_hosts_never_by_the_request_host() {
        let extra = vec!["famille.example".to_string()];
        let is = |origin| origin_is_portal("https://portail.example", &extra, origin);
        assert!(is("https://portail.example"));
        assert!(is("https://famille.example"));
        assert!(is("http://famille.example:8080"));
        assert!(!is("https://evil.example"));
        assert!(!is("null"));
        assert!(!is("https://famille.example/path"));
        // A request whose Host names the attacker's site does not make its Origin the portal's.
        let req = Request::builder()
            .method(Method::POST)
            .header("host", "evil.example")
            .header("origin", "http://evil.example")
            .finish();
        assert!(!origin_allowed("https://portail.example", &extra, &req));
    }
}
