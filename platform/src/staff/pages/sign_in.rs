//! The staff sign-in and sign-out.

use super::InfoQuery;
use super::info_message;
use crate::auth::pages::{see_other, with_cookie};
use crate::auth::session::{client_address, read_cookie};
use crate::http::errors::{PageError, Problem};
use crate::http::page::NoFields;
use crate::i18n::t;
use crate::staff::auth::{self, STAFF_COOKIE, clear_staff_cookie, staff_cookie};
use crate::staff::guard::{StaffForm, StaffFrame, StaffPublicForm};
use crate::staff::{Accueil, StaffError};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize, Default)]
pub struct SignInPage {
    pub email: String,
    pub info: Option<String>,
    pub error: Option<String>,
}

fn sign_in_page(frame: &StaffFrame, page: &SignInPage, status: u16) -> Response {
    frame.render(
        "staff_connexion",
        &t("title-staff-sign-in"),
        "connexion",
        page,
        status,
    )
}

#[handler]
pub async fn login_form(
    Query(query): Query<InfoQuery>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = StaffFrame::load(req).await?;
    if frame.member.is_some() {
        return Ok(see_other(format!("/{}/gestion/", frame.slug)));
    }
    let page = SignInPage {
        info: query.info.as_deref().and_then(info_message),
        ..Default::default()
    };
    Ok(sign_in_page(&frame, &page, 200))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: Option<String>,
    password: Option<String>,
    code: Option<String>,
}

#[handler]
pub async fn login(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    StaffPublicForm { frame, form }: StaffPublicForm<LoginForm>,
    req: &Request,
) -> Result<Response, PageError> {
    let email = form.email.unwrap_or_default();
    let previous = read_cookie(req, STAFF_COOKIE);
    match auth::sign_in(
        state,
        tenant,
        &email,
        &form.password.unwrap_or_default(),
        &form.code.unwrap_or_default(),
        &client_address(req),
        previous.as_deref(),
    )
    .await
    {
        Ok(signed) => Ok(with_cookie(
            see_other(format!("/{}/gestion/", tenant.slug())),
            staff_cookie(state, tenant.slug(), &signed.session_id),
        )),
        Err(e @ (StaffError::InvalidCredentials | StaffError::Throttled(_))) => {
            let page = SignInPage {
                email,
                info: None,
                error: Some(e.message()),
            };
            let mut response = sign_in_page(&frame, &page, e.status().as_u16());
            if let StaffError::Throttled(wait) = e {
                response.headers_mut().insert("retry-after", wait.into());
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn logout(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Accueil, NoFields>,
) -> Result<Response, PageError> {
    auth::sign_out(state, tenant, &page.member.session_id).await?;
    Ok(with_cookie(
        see_other(format!(
            "/{}/gestion/connexion?info=deconnecte",
            tenant.slug()
        )),
        clear_staff_cookie(state, tenant.slug()),
    ))
}
