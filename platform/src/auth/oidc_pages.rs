//! The pages of OpenID Connect sign-in: start, the provider's return, and "Mon compte" where a
//! signed-in guardian links their identity.

use super::oidc::{self, OidcError, Purpose};
use super::oidc_binding;
use super::pages::{info_message, see_other, with_cookie};
use super::repository;
use super::service;
use super::session::{SESSION_COOKIE, read_cookie, session_cookie};
use crate::http::errors::{Failure, PageError};
use crate::http::page::Frame;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use portail_tenants::TenantTx;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

fn failed(frame: &Frame, e: &OidcError) -> Response {
    tracing::info!(error = %e, "OpenID Connect sign-in refused");
    let status = match e {
        OidcError::Unavailable(_) => 503,
        OidcError::NotConfigured => 404,
        _ => 403,
    };
    frame.render_with_status(
        "oidc_erreur",
        "Connexion impossible",
        "connexion",
        json!({ "error": e.message() }),
        status,
    )
}

#[handler]
pub async fn start_sign_in(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let (cookie, browser) = oidc_binding::new_binding(state, tenant.slug());
    match oidc::start(state, tenant, Purpose::SignIn, browser).await {
        Ok(url) => Ok(with_cookie(see_other(url), cookie)),
        Err(e) => Ok(failed(&frame, &e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

#[handler]
pub async fn start_link(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<CsrfOnly>,
    req: &Request,
) -> Result<Response, PageError> {
    let (frame, account) = match Frame::for_form(state, tenant, req, form.csrf.as_deref()).await? {
        Ok(signed_in) => signed_in,
        Err(sign_in_again) => return Ok(sign_in_again),
    };
    let account = &account;
    let (cookie, browser) = oidc_binding::new_binding(state, tenant.slug());
    match oidc::start(
        state,
        tenant,
        Purpose::Link {
            guardian_id: account.guardian_id,
        },
        browser,
    )
    .await
    {
        Ok(url) => Ok(with_cookie(see_other(url), cookie)),
        Err(e) => Ok(failed(&frame, &e)),
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[handler]
pub async fn callback(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<Callback>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        let e = OidcError::Provider(query.error.unwrap_or_else(|| "no code".into()));
        return Ok(failed(&frame, &e));
    };
    let (issuer, claims, purpose) = match oidc::finish(state, tenant, &code, &returned, req).await {
        Ok(found) => found,
        Err(e) => return Ok(failed(&frame, &e)),
    };
    let tx = TenantTx::begin(&state.db, tenant.schema()).await?;
    match purpose {
        Purpose::Link { guardian_id } => {
            // The guardian who started the link must still be the one signed in.
            if frame.account.as_ref().map(|a| a.guardian_id) != Some(guardian_id) {
                return Ok(failed(&frame, &OidcError::UnknownState));
            }
            if let Err(e) =
                oidc::link(&tx, &issuer, &claims.sub, guardian_id, state.clock.now()).await?
            {
                return Ok(failed(&frame, &e));
            }
            tx.commit().await?;
            tracing::info!(tenant.slug = tenant.slug(), guardian.id = %guardian_id, "identity linked");
            Ok(see_other(format!(
                "/{}/mon-compte?info=identite-liee",
                tenant.slug()
            )))
        }
        Purpose::SignIn => {
            let Some(guardian_id) = oidc::linked_guardian(&tx, &issuer, &claims.sub).await? else {
                return Ok(failed(&frame, &OidcError::NotLinked));
            };
            let account = repository::account_by_id(&tx, guardian_id).await?;
            tx.commit().await?;
            let Some(account) = account else {
                return Ok(failed(&frame, &OidcError::NotLinked));
            };
            let previous = read_cookie(req, SESSION_COOKIE);
            let session_id = service::open_session(state, tenant, &account, previous.as_deref())
                .await
                .map_err(|_| PageError(Failure::Unavailable))?;
            tracing::info!(tenant.slug = tenant.slug(), guardian.id = %guardian_id, "signed in with OpenID Connect");
            Ok(with_cookie(
                see_other(format!("/{}/", tenant.slug())),
                session_cookie(state, tenant.slug(), &session_id),
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
}

/// "Mon compte": who is signed in, the password, the linked identity.
#[handler]
pub async fn account_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<InfoQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let Some(signed) = &frame.account else {
        return Ok(see_other(format!("/{}/connexion", tenant.slug())));
    };
    let tx = TenantTx::begin(&state.db, tenant.schema()).await?;
    let account = repository::account_by_id(&tx, signed.guardian_id)
        .await?
        .ok_or(PageError(Failure::NotFound))?;
    let config = crate::tenancy::current_config(state, tenant, &tx).await?;
    let oidc = match &config.oidc {
        Some(o) => Some(
            json!({ "label": o.label, "linked": oidc::has_link(&tx, o.issuer.trim_end_matches('/'), signed.guardian_id).await? }),
        ),
        None => None,
    };
    tx.commit().await?;
    let info = query.info.as_deref().and_then(info_message);
    Ok(frame.render(
        "mon_compte",
        "Mon compte",
        "",
        json!({ "info": info, "email": account.email, "name": format!("{} {}", account.first_name, account.last_name), "oidc": oidc }),
    ))
}
