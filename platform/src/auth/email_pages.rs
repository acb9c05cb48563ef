//! The pages of the sign-in e-mail change: "Mon compte › Changer mon adresse e-mail" (new
//! address and current password), and the link mailed to the new address (a page with a
//! button: nothing changes on a GET).

use super::email_change::{self, EmailChangeError};
use super::pages::{see_other, with_cookie};
use super::session::clear_session_cookie;
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, csrf_refused};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

const TITLE: &str = "Changer mon adresse e-mail";

fn unavailable(e: EmailChangeError) -> PageError {
    match e {
        EmailChangeError::Database(e) => e.into(),
        other => {
            tracing::warn!(error = %other, "e-mail change unavailable");
            PageError(Failure::Unavailable)
        }
    }
}

#[handler]
pub async fn request_form(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    if frame.account.is_none() {
        return Ok(see_other(format!("/{}/connexion", tenant.slug())));
    }
    Ok(frame.render(
        "changer_adresse_email",
        TITLE,
        "",
        json!({ "error": null, "email": "", "fields": {}, "confirm": null }),
    ))
}

#[derive(Deserialize)]
pub struct RequestForm {
    csrf: Option<String>,
    email: Option<String>,
    current_password: Option<String>,
}

#[handler]
pub async fn request(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<RequestForm>,
    req: &Request,
) -> Result<Response, PageError> {
    let (frame, signed) = match Frame::for_form(state, tenant, req, form.csrf.as_deref()).await? {
        Ok(signed_in) => signed_in,
        Err(sign_in_again) => return Ok(sign_in_again),
    };
    let typed = form.email.unwrap_or_default();
    let checked = email_change::check(
        state,
        tenant,
        &signed,
        form.current_password.as_deref(),
        &typed,
    )
    .await
    .map_err(unavailable)?;
    match checked {
        Ok(email) => {
            email_change::request(state, tenant, &signed, &email)
                .await
                .map_err(unavailable)?;
            Ok(see_other(format!(
                "/{}/mon-compte?info=lien-adresse-envoye",
                tenant.slug()
            )))
        }
        Err(fields) => Ok(frame.render_with_status(
            "changer_adresse_email",
            TITLE,
            "",
            json!({ "error": "Corrigez les champs indiqués.", "email": typed, "fields": fields.0, "confirm": null }),
            422,
        )),
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[handler]
pub async fn confirm_form(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<TokenQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let token = query.token.unwrap_or_default();
    let live = email_change::is_live(state, tenant, &token)
        .await
        .map_err(unavailable)?;
    let mut response = frame.render(
        "changer_adresse_email",
        "Confirmer ma nouvelle adresse e-mail",
        "",
        json!({ "error": null, "email": "", "fields": {}, "confirm": { "live": live, "token": if live { token } else { String::new() } } }),
    );
    // The token is in the address: never sent on to another site.
    response.headers_mut().insert(
        "referrer-policy",
        poem::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: Option<String>,
    token: Option<String>,
}

#[handler]
pub async fn confirm(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Form(form): Form<ConfirmForm>,
    req: &Request,
) -> Result<Response, PageError> {
    // The link may be opened in a browser that is not signed in: the token is the proof.
    if !super::csrf::valid(req, form.csrf.as_deref()) {
        return Err(csrf_refused());
    }
    let frame = Frame::load(state, tenant, req).await?;
    match email_change::confirm(state, tenant, &form.token.unwrap_or_default()).await {
        Ok(()) => Ok(with_cookie(
            see_other(format!(
                "/{}/connexion?info=adresse-modifiee",
                tenant.slug()
            )),
            clear_session_cookie(state, tenant.slug()),
        )),
        Err(EmailChangeError::InvalidToken) => Ok(frame.render_with_status(
            "changer_adresse_email",
            "Confirmer ma nouvelle adresse e-mail",
            "",
            json!({ "error": null, "email": "", "fields": {}, "confirm": { "live": false, "token": "" } }),
            400,
        )),
        Err(EmailChangeError::Invalid(fields)) => Ok(frame.render_with_status(
            "changer_adresse_email",
            "Confirmer ma nouvelle adresse e-mail",
            "",
            json!({ "error": fields.0.values().next(), "email": "", "fields": {}, "confirm": { "live": false, "token": "" } }),
            409,
        )),
        Err(e) => Err(unavailable(e)),
    }
}
