//! The portal's texts, edited by `admin`: the welcome title and Markdown text, the
//! reservation notice and the services' e-mail addresses. Each change is a new version of the
//! municipality's configuration, written by [`portail_tenants::configuration::update_texts`]
//! (the only registry write the service makes) and audited in the same transaction; every
//! replica's configuration cache and booking rules cache follow the new version at once.

use super::StaffError;
use super::accounts::actor;
use super::auth::StaffSigned;
use crate::audit::{self, Event};
use crate::i18n::{t, t_args};
use crate::state::AppState;
use crate::tenancy::{self, CurrentTenant};
use crate::validation::{self, FieldErrors, SHORT_TEXT};
use portail_tenants::TenantConfig;
use portail_tenants::configuration::{self, PortalTexts, TextsError};
use serde::Serialize;

/// Longest welcome text accepted (a home page, not a newsletter).
pub const MAX_WELCOME_TEXT: usize = 10_000;
/// Longest reservation notice accepted.
pub const MAX_NOTICE: usize = 2_000;

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffServiceAddress")]
pub struct ServiceAddress {
    pub code: String,
    pub name: String,
    pub email: String,
}

/// The texts as they are now.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffPortalTexts")]
pub struct Texts {
    pub welcome_title: String,
    /// Markdown; raw HTML is shown as text.
    pub welcome_text: String,
    pub reservation_notice: String,
    pub services: Vec<ServiceAddress>,
    /// The configuration version these texts belong to.
    pub config_version: i32,
}

fn texts_of(config: &TenantConfig, version: i32) -> Texts {
    Texts {
        welcome_title: config.portal.welcome_title.clone(),
        welcome_text: config.portal.welcome_text.clone(),
        reservation_notice: config.portal.reservation_notice.clone(),
        services: config
            .services
            .iter()
            .map(|s| ServiceAddress {
                code: s.code.clone(),
                name: s.name.clone(),
                email: s.email.clone(),
            })
            .collect(),
        config_version: version,
    }
}

pub async fn current(state: &AppState, tenant: &CurrentTenant) -> Result<Texts, StaffError> {
    let config = tenancy::config(state, tenant).await?;
    Ok(texts_of(&config, tenant.0.config_version))
}

/// A change as sent (form or JSON): `None` keeps a text.
#[derive(Debug, Clone, Default)]
pub struct TextsChange {
    pub welcome_title: Option<String>,
    pub welcome_text: Option<String>,
    pub reservation_notice: Option<String>,
    /// (service code, e-mail address).
    pub service_emails: Vec<(String, String)>,
}

/// French checks of every field, all errors at once; what differs from `now` is kept.
fn checked(change: &TextsChange, now: &Texts) -> Result<(PortalTexts, Vec<String>), StaffError> {
    let mut errors = FieldErrors::default();
    let mut texts = PortalTexts::default();
    let mut fields = vec![];
    let mut field = |name: &str, value: &Option<String>, max: usize, current: &str| {
        let v = value
            .as_deref()
            .map(|v| validation::text(&mut errors, name, v, max, true));
        match v {
            Some(v) if v != current => {
                fields.push(name.to_string());
                Some(v)
            }
            _ => None,
        }
    };
    texts.welcome_title = field(
        "welcome_title",
        &change.welcome_title,
        SHORT_TEXT,
        &now.welcome_title,
    );
    texts.welcome_text = field(
        "welcome_text",
        &change.welcome_text,
        MAX_WELCOME_TEXT,
        &now.welcome_text,
    );
    texts.reservation_notice = field(
        "reservation_notice",
        &change.reservation_notice,
        MAX_NOTICE,
        &now.reservation_notice,
    );
    for (code, email) in &change.service_emails {
        let name = format!("service_{code}");
        let Some(service) = now.services.iter().find(|s| &s.code == code) else {
            errors.add(&name, t("staff-texts-unknown-service"));
            continue;
        };
        let email = validation::email(&mut errors, &name, email);
        if email != service.email {
            fields.push(format!("services.{code}.email"));
            texts.service_emails.push((code.clone(), email));
        }
    }
    Ok(errors.into_result((texts, fields))?)
}

/// Writes the changed texts as a new configuration version (audited); nothing changed
/// writes nothing.
pub async fn update(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    change: TextsChange,
    origin: &str,
) -> Result<Texts, StaffError> {
    let now = current(state, tenant).await?;
    let (texts, fields) = checked(&change, &now)?;
    if fields.is_empty() {
        return Ok(now);
    }
    let written = configuration::update_texts(state.pool(), tenant.slug(), &texts)
        .await
        .map_err(refused)?;
    audit::record(
        &written.tx,
        Event {
            actor: actor(by.id),
            action: "update",
            entity: "settings",
            entity_id: "portal".into(),
            fields,
            household_id: None,
            origin,
        },
    )
    .await?;
    written.tx.commit().await?;
    // This replica hears its own announcement too; forgetting now spares the next request
    // (often this admin's, right after the redirect) the race with the notification.
    state.tenants.forget(tenant.slug());
    Ok(texts_of(&written.config, written.tenant.config_version))
}

fn refused(e: TextsError) -> StaffError {
    match e {
        TextsError::NotFound(_) => StaffError::NotFound,
        TextsError::UnknownService(code) => {
            let mut errors = FieldErrors::default();
            errors.add(&format!("service_{code}"), t("staff-texts-unknown-service"));
            errors.into()
        }
        // The French checks ran first: what the strict parser still refuses is named as it is.
        TextsError::Invalid(config) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "configuration",
                t_args(
                    "staff-texts-refused",
                    &[("reasons", config.errors.join(" ; ").into())],
                ),
            );
            errors.into()
        }
        TextsError::Database(e) => e.into(),
    }
}
