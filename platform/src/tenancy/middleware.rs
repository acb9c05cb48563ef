//! The middleware that resolves the slug before routing.

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
        req.extensions_mut().insert(CurrentTenant(tenant));
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
