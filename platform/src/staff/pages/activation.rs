//! The activation of an invited member: a password, then the authenticator, then the
//! recovery codes. No session yet.

use crate::auth::session::client_address;
use crate::http::errors::{PageError, Problem};
use crate::i18n::t;
use crate::staff::auth;
use crate::staff::guard::{StaffFrame, StaffPublicForm, StaffPublicPage, StaffView};
use crate::staff::{StaffError, totp};
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Default)]
pub struct ActivationPage {
    /// `password`, `enrol`, `codes` or `invalid`: the step shown.
    pub step: &'static str,
    pub token: String,
    pub error: Option<String>,
    pub reasons: Vec<String>,
    pub secret: String,
    pub uri: String,
    /// The QR code, an SVG made here from the URI.
    pub qr_svg: String,
    pub recovery_codes: Vec<String>,
}

const ACTIVATION: StaffView = StaffView {
    template: "staff_activation",
    title: "title-staff-activation",
    nav: "",
};

impl ActivationPage {
    pub(super) fn password(token: &str) -> Self {
        ActivationPage {
            step: "password",
            token: token.into(),
            ..Default::default()
        }
    }

    pub(super) fn enrol(token: &str, enrolment: auth::Enrolment) -> Self {
        ActivationPage {
            step: "enrol",
            token: token.into(),
            qr_svg: totp::qr_svg(&enrolment.uri),
            secret: enrolment.secret,
            uri: enrolment.uri,
            ..Default::default()
        }
    }
}

/// The page of an unknown, used or expired invitation.
fn invalid_token(frame: &StaffFrame) -> Response {
    let page = ActivationPage {
        step: "invalid",
        error: Some(StaffError::InvalidToken.message()),
        ..Default::default()
    };
    frame.show(&ACTIVATION, &page, 400)
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[handler]
pub async fn activation_form(
    Query(query): Query<TokenQuery>,
    ctx: StaffPublicPage,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let token = query.token.unwrap_or_default();
    if !auth::token_is_live(&state, &tenant, &token).await? {
        return Ok(invalid_token(&frame));
    }
    // A password already chosen: go on with the enrolment.
    let page = match auth::pending_enrolment(&state, &tenant, &token).await? {
        Some(enrolment) => ActivationPage::enrol(&token, enrolment),
        None => ActivationPage::password(&token),
    };
    Ok(frame.show(&ACTIVATION, &page, 200))
}

#[derive(Deserialize)]
pub struct ActivateForm {
    token: Option<String>,
    password: Option<String>,
}

#[handler]
pub async fn activate(
    StaffPublicForm { page: ctx, form }: StaffPublicForm<ActivateForm>,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let token = form.token.unwrap_or_default();
    match auth::activate(&state, &tenant, &token, &form.password.unwrap_or_default()).await {
        Ok(enrolment) => {
            let page = ActivationPage::enrol(&token, enrolment);
            Ok(frame.show(&ACTIVATION, &page, 200))
        }
        Err(StaffError::PasswordRefused(refusals)) => {
            let mut page = ActivationPage::password(&token);
            page.error = Some(t("staff-password-refused"));
            page.reasons = refusals.iter().map(|r| r.message()).collect();
            Ok(frame.show(&ACTIVATION, &page, 422))
        }
        Err(StaffError::InvalidToken) => Ok(invalid_token(&frame)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    token: Option<String>,
    code: Option<String>,
}

#[handler]
pub async fn confirm(
    StaffPublicForm { page: ctx, form }: StaffPublicForm<ConfirmForm>,
    req: &Request,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let token = form.token.unwrap_or_default();
    let code = form.code.unwrap_or_default();
    match auth::confirm(&state, &tenant, &token, &code, &client_address(req)).await {
        Ok(codes) => {
            let page = ActivationPage {
                step: "codes",
                recovery_codes: codes,
                ..Default::default()
            };
            Ok(frame.show(&ACTIVATION, &page, 200))
        }
        Err(e @ (StaffError::InvalidCode | StaffError::Throttled(_))) => {
            let Some(enrolment) = auth::pending_enrolment(&state, &tenant, &token).await? else {
                return Err(StaffError::InvalidToken.into());
            };
            let mut page = ActivationPage::enrol(&token, enrolment);
            page.error = Some(e.message());
            Ok(frame.show(&ACTIVATION, &page, e.status().as_u16()))
        }
        Err(StaffError::InvalidToken) => Ok(invalid_token(&frame)),
        Err(e) => Err(e.into()),
    }
}
