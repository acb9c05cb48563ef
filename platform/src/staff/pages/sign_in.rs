//! The staff sign-in and sign-out.

use super::InfoQuery;
use super::info_message;
use crate::auth::pages::with_cookie;
use crate::auth::session::{client_address, read_cookie};
use crate::http::errors::{PageError, Problem};
use crate::http::page::NoFields;
use crate::staff::auth::{self, STAFF_COOKIE, STAFF_SESSION};
use crate::staff::guard::{StaffForm, StaffPublicForm, StaffPublicPage, StaffView};
use crate::staff::{Accueil, StaffError};
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Default)]
pub struct SignInPage {
    pub email: String,
    pub info: Option<String>,
    pub error: Option<String>,
}

const SIGN_IN: StaffView = StaffView {
    template: "staff_connexion",
    title: "title-staff-sign-in",
    nav: "connexion",
};

#[handler]
pub async fn login_form(
    Query(query): Query<InfoQuery>,
    StaffPublicPage { frame, .. }: StaffPublicPage,
) -> Result<Response, PageError> {
    if frame.member.is_some() {
        return Ok(frame.redirect(""));
    }
    let page = SignInPage {
        info: query.info.as_deref().and_then(info_message),
        ..Default::default()
    };
    Ok(frame.show(&SIGN_IN, &page, 200))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: Option<String>,
    password: Option<String>,
    code: Option<String>,
}

#[handler]
pub async fn login(
    StaffPublicForm { page: ctx, form }: StaffPublicForm<LoginForm>,
    req: &Request,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let email = form.email.unwrap_or_default();
    let previous = read_cookie(req, STAFF_COOKIE);
    match auth::sign_in(
        &state,
        &tenant,
        &email,
        &form.password.unwrap_or_default(),
        &form.code.unwrap_or_default(),
        &client_address(req),
        previous.as_deref(),
    )
    .await
    {
        Ok(signed) => Ok(with_cookie(
            frame.redirect(""),
            STAFF_SESSION.set(&state, tenant.slug(), &signed.session_id),
        )),
        Err(e @ (StaffError::InvalidCredentials | StaffError::Throttled(_))) => {
            let page = SignInPage {
                email,
                info: None,
                error: Some(e.message()),
            };
            let mut response = frame.show(&SIGN_IN, &page, e.status().as_u16());
            if let StaffError::Throttled(wait) = e {
                response.headers_mut().insert("retry-after", wait.into());
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn logout(page: StaffForm<Accueil, NoFields>) -> Result<Response, PageError> {
    auth::sign_out(&page.state, &page.tenant, &page.member.session_id).await?;
    Ok(with_cookie(
        page.frame.redirect("connexion?info=deconnecte"),
        STAFF_SESSION.clear(&page.state, page.tenant.slug()),
    ))
}
