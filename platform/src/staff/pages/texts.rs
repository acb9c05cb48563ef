//! The portal's texts (admin): the welcome title and text, the reservation notice and the
//! services' e-mail addresses, saved as a new configuration version.

use super::InfoQuery;
use crate::http::errors::PageError;
use crate::i18n::t;
use crate::staff::guard::{StaffForm, StaffPage, StaffView};
use crate::staff::texts::{self, MAX_NOTICE, MAX_WELCOME_TEXT, Texts, TextsChange};
use crate::staff::{Admin, StaffError};
use crate::validation::SHORT_TEXT;
use poem::web::Query;
use poem::{Response, handler};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One service's address field; its form name is `service_<code>`.
#[derive(Serialize)]
pub struct ServiceField {
    pub field: String,
    pub name: String,
    pub email: String,
    pub error: Option<String>,
}

/// One entry of the error summary, linking to its field.
#[derive(Serialize)]
pub struct ErrorItem {
    pub field: String,
    pub message: String,
}

#[derive(Serialize)]
pub struct TextsPage {
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub error_list: Vec<ErrorItem>,
    pub welcome_title: String,
    pub welcome_text: String,
    pub reservation_notice: String,
    pub services: Vec<ServiceField>,
    pub config_version: i32,
    pub max_title: usize,
    pub max_text: usize,
    pub max_notice: usize,
}

const TEXTS: StaffView = StaffView {
    template: "staff_textes",
    title: "title-staff-texts",
    nav: "textes",
};

pub(super) fn texts_model(texts: Texts) -> TextsPage {
    TextsPage {
        info: None,
        error: None,
        errors: BTreeMap::new(),
        error_list: vec![],
        welcome_title: texts.welcome_title,
        welcome_text: texts.welcome_text,
        reservation_notice: texts.reservation_notice,
        services: texts
            .services
            .into_iter()
            .map(|s| ServiceField {
                field: format!("service_{}", s.code),
                name: s.name,
                email: s.email,
                error: None,
            })
            .collect(),
        config_version: texts.config_version,
        max_title: SHORT_TEXT,
        max_text: MAX_WELCOME_TEXT,
        max_notice: MAX_NOTICE,
    }
}

#[handler]
pub async fn texts_form(
    Query(query): Query<InfoQuery>,
    page: StaffPage<Admin>,
) -> Result<Response, PageError> {
    let mut model = texts_model(texts::current(&page.state, &page.tenant).await?);
    model.info = match query.info.as_deref() {
        Some("textes") => Some(t("staff-info-texts")),
        _ => None,
    };
    Ok(page.frame.show(&TEXTS, &model, 200))
}

/// The form's fields: the three texts and one `service_<code>` per service.
fn change_of(form: &HashMap<String, String>) -> TextsChange {
    let get = |k: &str| Some(form.get(k).cloned().unwrap_or_default());
    TextsChange {
        welcome_title: get("welcome_title"),
        welcome_text: get("welcome_text"),
        reservation_notice: get("reservation_notice"),
        service_emails: form
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("service_")
                    .map(|code| (code.to_string(), v.clone()))
            })
            .collect(),
    }
}

#[handler]
pub async fn save_texts(
    page: StaffForm<Admin, HashMap<String, String>>,
) -> Result<Response, PageError> {
    let change = change_of(&page.form);
    match texts::update(&page.state, &page.tenant, &page.member, change, "page").await {
        Ok(_) => Ok(page.frame.redirect("textes?info=textes")),
        Err(StaffError::Invalid(errors)) => {
            // The page shows what was typed, with each refused field's message.
            let mut model = texts_model(texts::current(&page.state, &page.tenant).await?);
            let typed = |k: &str| page.form.get(k).cloned().unwrap_or_default();
            model.welcome_title = typed("welcome_title");
            model.welcome_text = typed("welcome_text");
            model.reservation_notice = typed("reservation_notice");
            for s in &mut model.services {
                s.email = typed(&s.field);
                s.error = errors.0.get(&s.field).cloned();
            }
            model.error = Some(t("error-invalid-fields"));
            model.error_list = errors
                .0
                .iter()
                .map(|(field, message)| ErrorItem {
                    field: field.clone(),
                    message: message.clone(),
                })
                .collect();
            model.errors = errors.0;
            Ok(page.frame.show(&TEXTS, &model, 422))
        }
        Err(e) => Err(e.into()),
    }
}
