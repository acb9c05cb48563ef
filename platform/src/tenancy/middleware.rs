//! The middleware that resolves the slug before routing.
//!
//! A municipality deleted or suspended while a request is in flight may make that request fail
//! halfway (its schema is gone). A 500 is therefore checked against the registry itself, past
//! the cache: a municipality that no longer exists answers the 404 of an unknown one, a
//! suspended one its maintenance page, never a 500.

use super::{CurrentTenant, Lookup};
use crate::http::errors::{ErrorPage, Failure, PageError, is_api_path, respond};
use crate::http::page::Frame;
use crate::state::AppState;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use portail_tenants::TenantStatus;
use portail_tenants::slug::{RESERVED, Slug};
use std::sync::Arc;

pub struct TenantResolution {
    pub state: Arc<AppState>,
}

impl<E: Endpoint> Middleware<E> for TenantResolution {
    type Output = TenantResolutionEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        TenantResolutionEndpoint {
            inner,
            state: self.state.clone(),
        }
    }
}

pub struct TenantResolutionEndpoint<E> {
    inner: E,
    state: Arc<AppState>,
}

impl<E: Endpoint> Endpoint for TenantResolutionEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let path = req.uri().path();
        let segment = path.trim_start_matches('/').split('/').next().unwrap_or("");
        if segment.is_empty() || RESERVED.contains(&segment) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let wants_json = is_api_path(path);
        // The parents' error pages (404, 403, 500…) are drawn again inside the municipality's
        // layout, so a lost parent keeps the menu and a way back. Staff pages and the API keep
        // their own answers.
        let framed = !wants_json && path.split('/').nth(2) != Some("gestion");
        let fail = |failure: Failure| respond(&failure, wants_json, None);
        if Slug::parse(segment).is_err() {
            return Ok(fail(Failure::TenantNotFound));
        }
        let tenant = match self.state.tenants.lookup(segment).await {
            Ok(Lookup::Found(tenant)) => tenant,
            Ok(Lookup::Unknown) => return Ok(fail(Failure::TenantNotFound)),
            Err(e) => {
                tracing::error!(error = %e, "tenant registry unreachable");
                return Ok(fail(Failure::Unavailable));
            }
        };
        if tenant.status == TenantStatus::Suspended {
            return Ok(respond(
                &Failure::TenantSuspended,
                wants_json,
                Some(&tenant.name),
            ));
        }
        let slug = tenant.slug.to_string();
        let tenant = CurrentTenant(tenant);
        req.extensions_mut().insert(tenant.clone());
        let (uri, headers) = (req.uri().clone(), req.headers().clone());
        let (error, response) = match self.inner.call(req).await {
            Ok(response) => {
                let response = response.into_response();
                (response.extensions().get::<ErrorPage>().cloned(), response)
            }
            // A handler's page error (its response loses the extension on the way).
            Err(e) if framed && e.is::<PageError>() => {
                let error = e.downcast_ref::<PageError>().map(PageError::error_page);
                (error, e.into_response())
            }
            Err(e) => (None, e.into_response()),
        };
        if response.status().is_server_error()
            && let Some(gone) = self.vanished(&slug, wants_json).await
        {
            return Ok(gone);
        }
        match error {
            Some(error) if framed => {
                Ok(framed_error(&self.state, tenant, uri, headers, error, response).await)
            }
            _ => Ok(response),
        }
    }
}

impl<E> TenantResolutionEndpoint<E> {
    /// After a failed request: the answer a municipality deleted or suspended meanwhile gets,
    /// or `None` when it is still there and open (the failure was another one).
    async fn vanished(&self, slug: &str, wants_json: bool) -> Option<Response> {
        self.state.tenants.forget(slug);
        match self.state.tenants.lookup(slug).await {
            Ok(Lookup::Unknown) => {
                tracing::info!(
                    tenant.slug = slug,
                    "municipality deleted during the request"
                );
                Some(respond(&Failure::TenantNotFound, wants_json, None))
            }
            Ok(Lookup::Found(t)) if t.status == TenantStatus::Suspended => Some(respond(
                &Failure::TenantSuspended,
                wants_json,
                Some(&t.name),
            )),
            _ => None,
        }
    }
}

/// The error page inside the layout, with the visitor's session (the banner says who is signed
/// in); when the session store is down, the plain error page already made.
async fn framed_error(
    state: &AppState,
    tenant: CurrentTenant,
    uri: poem::http::Uri,
    headers: poem::http::HeaderMap,
    error: ErrorPage,
    plain: Response,
) -> Response {
    let mut req = Request::builder().uri(uri).finish();
    *req.headers_mut() = headers;
    let Ok(frame) = Frame::load(state, &tenant, &req).await else {
        return plain;
    };
    let model = ErrorModel {
        message: error.message,
        tenant_name: None,
    };
    let mut response =
        frame.render_with_status("error", error.title, "", model, plain.status().as_u16());
    if let Some(retry) = plain.headers().get("retry-after") {
        response.headers_mut().insert("retry-after", retry.clone());
    }
    response
}

/// The error template's own data (the layout adds the frame).
#[derive(serde::Serialize)]
struct ErrorModel {
    message: String,
    tenant_name: Option<String>,
}
