//! The pages of the sign-in e-mail change: "Mon compte › Changer mon adresse e-mail" (new
//! address and current password), and the link mailed to the new address (a page with a
//! button: nothing changes on a GET).

use super::email_change::{self, EmailChangeError};
use super::pages::{see_other, with_cookie};
use super::session::GUARDIAN_SESSION;
use crate::http::errors::{Failure, PageError};
use crate::http::form_errors::{ErrorSummary, FormField};
use crate::http::page::{Page, PublicForm, SignedInForm, SignedInPage};
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const TITLE: &str = "Changer mon adresse e-mail";
const CONFIRM_TITLE: &str = "Confirmer ma nouvelle adresse e-mail";

fn unavailable(e: EmailChangeError) -> PageError {
    match e {
        EmailChangeError::Database(e) => e.into(),
        other => {
            tracing::warn!(error = %other, "e-mail change unavailable");
            PageError::from(Failure::Unavailable)
        }
    }
}

/// The one template of both steps: the request form, or (with `confirm`) the mailed link's
/// button.
#[derive(Serialize, Default)]
pub struct EmailChangePage {
    /// The shared error summary of a refused request, each field a link.
    pub summary: Option<ErrorSummary>,
    /// The new address as typed, shown again after a refusal.
    pub email: String,
    /// Field → French message.
    pub fields: BTreeMap<String, String>,
    pub confirm: Option<ConfirmStep>,
}

#[derive(Serialize)]
pub struct ConfirmStep {
    /// The link is still valid: the button is shown.
    pub live: bool,
    pub token: String,
}

#[handler]
pub async fn request_form(ctx: SignedInPage<'_>) -> Response {
    let model = EmailChangePage::default();
    ctx.frame.render("changer_adresse_email", TITLE, "", model)
}

#[derive(Deserialize)]
pub struct RequestForm {
    email: Option<String>,
    current_password: Option<String>,
}

#[handler]
pub async fn request(ctx: SignedInForm<'_, RequestForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
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
            EmailChangePage {
                summary: ErrorSummary::of(
                    "adresse-erreur",
                    crate::i18n::t("form-refused"),
                    &fields,
                    &[
                        FormField {
                            key: "email",
                            input: "email".into(),
                            label: crate::i18n::t("email-change-new"),
                        },
                        FormField {
                            key: "current_password",
                            input: "current".into(),
                            label: crate::i18n::t("password-current"),
                        },
                    ],
                ),
                email: typed,
                fields: fields.0,
                confirm: None,
            },
            422,
        )),
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The page of the mailed link: a button, since a GET changes nothing.
#[handler]
pub async fn confirm_form(
    Query(query): Query<TokenQuery>,
    ctx: Page<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let token = query.token.unwrap_or_default();
    let live = email_change::is_live(state, tenant, &token)
        .await
        .map_err(unavailable)?;
    let mut response = frame.render(
        "changer_adresse_email",
        CONFIRM_TITLE,
        "",
        EmailChangePage {
            confirm: Some(ConfirmStep {
                live,
                token: if live { token } else { String::new() },
            }),
            ..EmailChangePage::default()
        },
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
    token: Option<String>,
}

/// The link may be opened in a browser that is not signed in: the token is the proof.
#[handler]
pub async fn confirm(ctx: PublicForm<'_, ConfirmForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, form) = ctx.parts();
    let refused = |error: Option<String>, status| {
        frame.render_with_status(
            "changer_adresse_email",
            CONFIRM_TITLE,
            "",
            EmailChangePage {
                summary: error.map(|e| ErrorSummary::sentence("adresse-erreur", e)),
                confirm: Some(ConfirmStep {
                    live: false,
                    token: String::new(),
                }),
                ..EmailChangePage::default()
            },
            status,
        )
    };
    match email_change::confirm(state, tenant, &form.token.unwrap_or_default()).await {
        Ok(()) => Ok(with_cookie(
            see_other(format!(
                "/{}/connexion?info=adresse-modifiee",
                tenant.slug()
            )),
            GUARDIAN_SESSION.clear(state, tenant.slug()),
        )),
        Err(EmailChangeError::InvalidToken) => Ok(refused(None, 400)),
        Err(EmailChangeError::Invalid(fields)) => {
            Ok(refused(fields.0.values().next().cloned(), 409))
        }
        Err(e) => Err(unavailable(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;

    #[tokio::test]
    async fn both_steps_render_from_their_models() {
        let mut fields = BTreeMap::new();
        fields.insert("email".to_string(), "Adresse <invalide>".to_string());
        let refused = EmailChangePage {
            summary: Some(ErrorSummary::sentence("adresse-erreur", "Corrigez".into())),
            email: "x<@y".into(),
            fields,
            confirm: None,
        };
        let html = render_sample("changer_adresse_email", &refused).await;
        assert!(html.contains("Adresse &lt;invalide&gt;") && html.contains("x&lt;@y"));
        assert!(html.contains("name=\"current_password\""));
        let live = EmailChangePage {
            confirm: Some(ConfirmStep {
                live: true,
                token: "jeton".into(),
            }),
            ..EmailChangePage::default()
        };
        let html = render_sample("changer_adresse_email", &live).await;
        assert!(html.contains("value=\"jeton\""));
        assert!(!html.contains("name=\"current_password\""));
    }
}
