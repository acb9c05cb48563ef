//! `/{slug}/`: the home page; `/{slug}/accessibilite`: the accessibility statement.

use super::repository::{PortalTexts, portal_texts};
use crate::http::errors::PageError;
use crate::state::AppState;
use crate::templates::{self, navigation};
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Html, Redirect};
use poem::{IntoResponse, Response, handler};
use portail_tenants::TenantTx;
use serde_json::json;
use std::sync::Arc;

async fn load(state: &AppState, tenant: &CurrentTenant) -> Result<PortalTexts, PageError> {
    let tx = TenantTx::begin(&state.db, tenant.schema()).await?;
    let texts = portal_texts(&tx).await?;
    tx.commit().await?;
    Ok(texts)
}

fn page(
    template: &str,
    title: &str,
    current: &str,
    tenant: &CurrentTenant,
    texts: &PortalTexts,
) -> Response {
    let t = templates::global();
    let phone_digits: String = texts
        .contact
        .phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let mut contact = serde_json::to_value(&texts.contact).expect("plain data");
    contact["phone_digits"] = json!(phone_digits);
    Html(t.render(
        template,
        &json!({
            "title": title,
            "css": t.css_url(),
            "tenant": { "slug": tenant.slug(), "name": texts.name },
            "nav": navigation(tenant.slug(), current),
            "welcome_title": texts.welcome_title,
            "welcome_html": texts.welcome_html,
            "contact": contact,
        }),
    ))
    .into_response()
}

#[handler]
pub async fn home(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
) -> Result<Response, PageError> {
    let texts = load(state, tenant).await?;
    Ok(page("home", "Accueil", "accueil", tenant, &texts))
}

#[handler]
pub async fn accessibility(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
) -> Result<Response, PageError> {
    let texts = load(state, tenant).await?;
    Ok(page(
        "accessibility",
        "Déclaration d'accessibilité",
        "",
        tenant,
        &texts,
    ))
}

/// `/{slug}` → `/{slug}/`, so relative links and cookies scoped to the tenant path work.
#[handler]
pub fn add_trailing_slash(Data(tenant): Data<&CurrentTenant>) -> Redirect {
    Redirect::permanent(format!("/{}/", tenant.slug()))
}
