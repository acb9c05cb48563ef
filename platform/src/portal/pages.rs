//! `/{slug}/`: the home page; `/{slug}/accessibilite`: the accessibility statement.

use super::repository::PortalTexts;
use super::service::texts;
use crate::http::errors::PageError;
use crate::http::page::{Page, UncountedPage};
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Redirect};
use poem::{Response, handler};
use serde::Serialize;

/// The municipality's contact card, its phone number also as digits for a `tel:` link.
#[derive(Serialize)]
pub struct ContactCard {
    #[serde(flatten)]
    pub contact: super::repository::Contact,
    pub phone_digits: String,
}

/// The home page of a visitor not signed in.
#[derive(Serialize)]
pub struct HomePage {
    pub welcome_title: String,
    /// The municipality's Markdown, rendered and sanitised.
    pub welcome_html: String,
    pub contact: ContactCard,
}

/// The accessibility statement.
#[derive(Serialize)]
pub struct AccessibilityPage {
    pub contact: ContactCard,
}

pub fn contact(texts: &PortalTexts) -> ContactCard {
    let phone = texts.contact.phone.chars();
    ContactCard {
        contact: texts.contact.clone(),
        phone_digits: phone.filter(|c| c.is_ascii_digit() || *c == '+').collect(),
    }
}

/// The visitor's home, or the signed-in guardian's dashboard (whose transaction also reads
/// the banner's count).
#[handler]
pub async fn home(ctx: UncountedPage<'_>) -> Result<Response, PageError> {
    let UncountedPage {
        state,
        tenant,
        frame,
    } = ctx;
    let texts = texts(state, tenant).await?;
    let frame = match frame.anonymous() {
        Ok(frame) => frame,
        Err(signed_in) => {
            let (title, html) = (texts.welcome_title.clone(), texts.welcome_html.clone());
            let contact = contact(&texts);
            return crate::dashboard::pages::render(
                state, tenant, *signed_in, title, html, contact,
            )
            .await;
        }
    };
    let page = HomePage {
        contact: contact(&texts),
        welcome_title: texts.welcome_title,
        welcome_html: texts.welcome_html,
    };
    Ok(frame.render("home", "Accueil", "accueil", page))
}

#[handler]
pub async fn accessibility(ctx: Page<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame) = ctx.parts();
    let texts = texts(state, tenant).await?;
    let page = AccessibilityPage {
        contact: contact(&texts),
    };
    let title = "Déclaration d'accessibilité";
    Ok(frame.render("accessibility", title, "", page))
}

/// `/{slug}` → `/{slug}/`, so relative links and cookies scoped to the tenant path work.
#[handler]
pub fn add_trailing_slash(Data(tenant): Data<&CurrentTenant>) -> Redirect {
    Redirect::permanent(format!("/{}/", tenant.slug()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;

    fn card() -> ContactCard {
        ContactCard {
            contact: super::super::repository::Contact {
                address: "1 place <de> la Mairie".into(),
                postal_code: "22300".into(),
                city: "Lannion".into(),
                phone: "02 96 00 00 00".into(),
                email: "mairie@demo.example".into(),
                fax: None,
                website: Some("https://demo.example".into()),
            },
            phone_digits: "0296000000".into(),
        }
    }

    #[tokio::test]
    async fn the_home_and_the_accessibility_statement_render_from_their_models() {
        let visitor = HomePage {
            welcome_title: "Bienvenue <ici>".into(),
            welcome_html: "<p>Texte</p>".into(),
            contact: card(),
        };
        let html = render_sample("home", &visitor).await;
        assert!(html.contains("Bienvenue &lt;ici&gt;") && html.contains("<p>Texte</p>"));
        assert!(html.contains("tel:0296000000"));
        assert!(html.contains("1 place &lt;de&gt; la Mairie"));
        let statement = AccessibilityPage { contact: card() };
        let html = render_sample("accessibility", &statement).await;
        assert!(html.contains("mairie@demo.example"));
    }
}
