//! The middleware that resolves the slug before routing.
//!
//! A municipality deleted or suspended while a request is in flight may make that request fail
//! halfway (its schema is gone). A 500 is therefore checked against the registry itself, past
//! the cache: a municipality that no longer exists answers the 404 of an unknown one, a
//! suspended one its maintenance page, never a 500.

use super::{CurrentTenant, Lookup};
use crate::http::errors::{Failure, is_api_path, respond};
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
        let slug = segment.to_string();
        req.extensions_mut().insert(CurrentTenant(tenant));
        let answer = self.inner.call(req).await.map(IntoResponse::into_response);
        let failed = match &answer {
            Ok(response) => response.status().is_server_error(),
            Err(e) => e.status().is_server_error(),
        };
        if failed && let Some(gone) = self.vanished(&slug, wants_json).await {
            return Ok(gone);
        }
        answer
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
