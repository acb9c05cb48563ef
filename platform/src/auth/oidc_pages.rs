//! The pages of OpenID Connect sign-in: start, the provider's return, and "Mon compte" where a
//! signed-in guardian links their identity.

use super::oidc::{self, OidcError, Purpose};
use super::oidc_binding;
use super::pages::{info_message, see_other, with_cookie};
use super::service;
use super::session::{GUARDIAN_SESSION, SESSION_COOKIE, read_cookie};
use crate::http::errors::{Failure, PageError, Problem};
use crate::http::page::{Frame, NoFields, Page, SignedInForm, SignedInPage};
use crate::staff::records::ReadLine;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

/// Why a sign-in with the municipality's provider did not happen.
#[derive(Serialize)]
pub struct OidcErrorPage {
    pub error: String,
}

/// "Mon compte".
#[derive(Serialize)]
pub struct AccountPage {
    pub info: Option<String>,
    pub email: String,
    pub name: String,
    /// The municipality's provider, when it has one.
    pub oidc: Option<LinkedProvider>,
    /// "Qui a consulté mes données".
    pub reads: Vec<ReadLine>,
    /// "Recevoir un e-mail quand un service répond".
    pub message_mail: bool,
}

#[derive(Serialize)]
pub struct LinkedProvider {
    pub label: String,
    pub linked: bool,
}

fn failed(frame: &Frame, e: &OidcError) -> Response {
    tracing::info!(error = %e, "OpenID Connect sign-in refused");
    let model = OidcErrorPage { error: e.message() };
    let status = e.status().as_u16();
    frame.render_with_status(
        "oidc_erreur",
        "Connexion impossible",
        "connexion",
        model,
        status,
    )
}

#[handler]
pub async fn start_sign_in(ctx: Page<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let (cookie, browser) = oidc_binding::new_binding(state, tenant.slug());
    match oidc::start(state, tenant, Purpose::SignIn, browser).await {
        Ok(url) => Ok(with_cookie(see_other(url), cookie)),
        Err(e) => Ok(failed(&frame, &e)),
    }
}

#[handler]
pub async fn start_link(ctx: SignedInForm<'_, NoFields>) -> Response {
    let (state, tenant, frame, signed, _) = ctx.parts();
    let purpose = Purpose::Link {
        guardian_id: signed.guardian_id,
    };
    let (cookie, browser) = oidc_binding::new_binding(state, tenant.slug());
    match oidc::start(state, tenant, purpose, browser).await {
        Ok(url) => with_cookie(see_other(url), cookie),
        Err(e) => failed(&frame, &e),
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
    Query(query): Query<Callback>,
    ctx: Page<'_>,
    req: &Request,
) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        let e = OidcError::Provider(query.error.unwrap_or_else(|| "no code".into()));
        return Ok(failed(&frame, &e));
    };
    let (issuer, claims, purpose) = match oidc::finish(state, tenant, &code, &returned, req).await {
        Ok(found) => found,
        Err(e) => return Ok(failed(&frame, &e)),
    };
    match purpose {
        Purpose::Link { guardian_id } => {
            // The guardian who started the link must still be the one signed in.
            if frame.account.as_ref().map(|a| a.guardian_id) != Some(guardian_id) {
                return Ok(failed(&frame, &OidcError::UnknownState));
            }
            if let Err(e) =
                oidc::link_identity(state, tenant, &issuer, &claims.sub, guardian_id).await?
            {
                return Ok(failed(&frame, &e));
            }
            tracing::info!(tenant.slug = tenant.slug(), guardian.id = %guardian_id, "identity linked");
            Ok(with_cookie(
                see_other(format!("/{}/mon-compte?info=identite-liee", tenant.slug())),
                oidc_binding::clear(tenant.slug()),
            ))
        }
        Purpose::SignIn => {
            let Some(account) = oidc::linked_account(state, tenant, &issuer, &claims.sub).await?
            else {
                return Ok(failed(&frame, &OidcError::NotLinked));
            };
            let previous = read_cookie(req, SESSION_COOKIE);
            let session_id = service::open_session(state, tenant, &account, previous.as_deref())
                .await
                .map_err(|_| PageError::from(Failure::Unavailable))?;
            tracing::info!(tenant.slug = tenant.slug(), guardian.id = %account.guardian_id, "signed in with OpenID Connect");
            Ok(with_cookie(
                with_cookie(
                    see_other(format!("/{}/", tenant.slug())),
                    GUARDIAN_SESSION.set(state, tenant.slug(), &session_id),
                ),
                oidc_binding::clear(tenant.slug()),
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
    Query(query): Query<InfoQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let (account, oidc) = oidc::account_view(state, tenant, signed.guardian_id)
        .await?
        .ok_or(PageError::from(Failure::NotFound))?;
    // "Qui a consulté mes données": every staff read of the household's records.
    let reads = crate::staff::records::reads(state, tenant, signed.household_id).await?;
    let message_mail = crate::messaging::service::mail_on_answer(state, tenant, &signed).await?;
    let model = AccountPage {
        message_mail,
        info: query.info.as_deref().and_then(info_message),
        name: crate::family::person_name(&account.first_name, &account.last_name),
        email: account.email,
        oidc: oidc.map(|(label, linked)| LinkedProvider { label, linked }),
        reads: reads.iter().map(ReadLine::from).collect(),
    };
    Ok(frame.render("mon_compte", "Mon compte", "", model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;

    #[tokio::test]
    async fn the_account_page_and_the_refusal_render_from_their_models() {
        let model = AccountPage {
            info: Some("Fait".into()),
            email: "paul<@demo.example".into(),
            name: "Paul ALAIN".into(),
            oidc: Some(LinkedProvider {
                label: "Connexion <ville>".into(),
                linked: false,
            }),
            reads: vec![ReadLine {
                when: "26/11/2026 10:15".into(),
                staff: "Anne LEROUX".into(),
                role: "Gestionnaire".into(),
                section: "Santé".into(),
            }],
            message_mail: true,
        };
        let html = render_sample("mon_compte", &model).await;
        assert!(html.contains("paul&lt;@demo.example") && html.contains("Paul ALAIN"));
        assert!(html.contains("Connexion &lt;ville&gt;"));
        assert!(html.contains("Anne LEROUX") && html.contains("26/11/2026 10:15"));
        let refusal = OidcErrorPage {
            error: "Refusé <ici>".into(),
        };
        let html = render_sample("oidc_erreur", &refusal).await;
        assert!(html.contains("Refusé &lt;ici&gt;"));
    }
}
