//! `/{slug}/`: the home page; `/{slug}/accessibilite`: the accessibility statement.

use super::repository::PortalTexts;
use super::service::texts;
use crate::http::errors::PageError;
use crate::http::page::Page;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Redirect};
use poem::{Response, handler};
use serde_json::json;

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
pub async fn home(ctx: Page<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let texts = texts(state, tenant).await?;
    if let Some(signed) = frame.account.clone() {
        let (title, html) = (texts.welcome_title.clone(), texts.welcome_html.clone());
        let contact = contact(&texts);
        return crate::dashboard::pages::render(
            state, tenant, frame, &signed, title, html, contact,
        )
        .await;
    }
    Ok(frame.render(
        "home",
        "Accueil",
        "accueil",
        json!({ "welcome_title": texts.welcome_title, "welcome_html": texts.welcome_html, "contact": contact(&texts) }),
    ))
}

#[handler]
pub async fn accessibility(ctx: Page<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
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
