//! `/{slug}/`: the home page; `/{slug}/accessibilite`: the accessibility statement.

use super::repository::PortalTexts;
use super::service::texts;
use crate::http::errors::PageError;
use crate::http::page::Frame;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Redirect};
use poem::{Request, Response, handler};
use serde_json::json;
use std::sync::Arc;

fn contact(texts: &PortalTexts) -> serde_json::Value {
    let phone_digits: String = texts
        .contact
        .phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let mut contact = serde_json::to_value(&texts.contact).expect("plain data");
    contact["phone_digits"] = json!(phone_digits);
    contact
}

#[handler]
pub async fn home(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let texts = texts(state, tenant).await?;
    Ok(frame.render(
        "home",
        "Accueil",
        "accueil",
        json!({ "welcome_title": texts.welcome_title, "welcome_html": texts.welcome_html, "contact": contact(&texts) }),
    ))
}

#[handler]
pub async fn accessibility(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    req: &Request,
) -> Result<Response, PageError> {
    let frame = Frame::load(state, tenant, req).await?;
    let texts = texts(state, tenant).await?;
    Ok(frame.render(
        "accessibility",
        "Déclaration d'accessibilité",
        "",
        json!({ "contact": contact(&texts) }),
    ))
}

/// `/{slug}` → `/{slug}/`, so relative links and cookies scoped to the tenant path work.
#[handler]
pub fn add_trailing_slash(Data(tenant): Data<&CurrentTenant>) -> Redirect {
    Redirect::permanent(format!("/{}/", tenant.slug()))
}
