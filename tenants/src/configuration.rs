//! Changes of a municipality's configuration made from the back-office, as narrow as they
//! can be: the service's pool opens nothing but tenant transactions, so the one write of the
//! registry it needs (a new configuration version, announced to every replica) lives here,
//! next to `provisioning::update`, which ops use for the whole file.
//!
//! [`update_texts`] changes only the portal's texts (welcome title and Markdown text,
//! reservation notice, services' e-mail addresses) inside the file ops wrote, keeping its
//! comments and every other key; the result goes through the same strict parser as a file
//! given to `portail tenant update`, so staff can never store a configuration ops could not.

use crate::config::{ConfigError, TenantConfig};
use crate::database::{TenantPool, TenantTx, sql};
use crate::provisioning::write_config;
use crate::registry::{self, Tenant};
use crate::slug::SchemaName;
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use toml_edit::{DocumentMut, Item, Value, value};

/// The texts of the portal staff may change; `None` keeps the current one.
#[derive(Debug, Clone, Default)]
pub struct PortalTexts {
    pub welcome_title: Option<String>,
    /// Markdown; raw HTML in it is shown as text.
    pub welcome_text: Option<String>,
    pub reservation_notice: Option<String>,
    /// (service code, new e-mail address) for services of the file; others are unchanged.
    pub service_emails: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("no municipality has slug \"{0}\"")]
    NotFound(String),
    #[error("no service has code \"{0}\"")]
    UnknownService(String),
    /// The configuration with the new texts is refused by the parser (key path and reason).
    #[error("{0}")]
    Invalid(ConfigError),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// A new configuration version written, still inside its transaction: the caller records
/// its audit entry in `tx` and commits; nothing is visible (nor announced) before.
pub struct TextsUpdate {
    pub tx: TenantTx,
    /// The registry row with its new `config_version`.
    pub tenant: Tenant,
    pub config: TenantConfig,
}

/// The configuration file's text with `texts` written in; errors name what is wrong.
pub fn apply_texts(source: &str, texts: &PortalTexts) -> Result<String, TextsError> {
    let mut doc: DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| {
        TextsError::Invalid(ConfigError {
            errors: vec![e.message().to_string()],
        })
    })?;
    let portal = &mut doc["portal"];
    for (key, new) in [
        ("welcome_title", &texts.welcome_title),
        ("welcome_text", &texts.welcome_text),
        ("reservation_notice", &texts.reservation_notice),
    ] {
        if let Some(new) = new {
            portal[key] = value(new.as_str());
        }
    }
    for (code, email) in &texts.service_emails {
        if !set_service_email(&mut doc, code, email) {
            return Err(TextsError::UnknownService(code.clone()));
        }
    }
    Ok(doc.to_string())
}

/// Sets the e-mail of service `code`, written as `[[services]]` tables or as an inline
/// array; false when no service has this code.
fn set_service_email(doc: &mut DocumentMut, code: &str, email: &str) -> bool {
    let is_it = |c: Option<&str>| c == Some(code);
    match doc.get_mut("services") {
        Some(Item::ArrayOfTables(list)) => {
            match list
                .iter_mut()
                .find(|t| is_it(t.get("code").and_then(|c| c.as_str())))
            {
                Some(service) => {
                    service["email"] = value(email);
                    true
                }
                None => false,
            }
        }
        Some(Item::Value(Value::Array(list))) => {
            match list
                .iter_mut()
                .filter_map(|v| v.as_inline_table_mut())
                .find(|t| is_it(t.get("code").and_then(|c| c.as_str())))
            {
                Some(service) => {
                    service.insert("email", email.into());
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

/// Writes the portal texts as a new configuration version of `slug`: the file ops wrote
/// with the texts replaced, validated by [`TenantConfig::from_toml`], the `settings` row
/// rewritten, the registry's version bumped and the change announced on
/// [`registry::CHANGES_CHANNEL`] (delivered when the returned transaction commits), so the
/// configuration cache and the booking grid's rules cache of every replica follow at once.
pub async fn update_texts(
    pool: &TenantPool,
    slug: &str,
    texts: &PortalTexts,
) -> Result<TextsUpdate, TextsError> {
    let tx = pool.registry().begin().await?;
    let locked = tx
        .query_one_raw(sql(
            "SELECT schema_name FROM public.tenants WHERE slug = $1 FOR UPDATE",
            [slug.into()],
        ))
        .await?;
    let Some(row) = locked else {
        return Err(TextsError::NotFound(slug.to_string()));
    };
    let schema = SchemaName::from_registry(row.try_get("", "schema_name")?);
    tx.execute_raw(sql(
        "UPDATE public.tenants SET config_version = config_version + 1, updated_at = now() WHERE slug = $1",
        [slug.into()],
    ))
    .await?;
    registry::announce_change(&tx, slug).await?;
    let tx = TenantTx::within(tx, &schema).await?;
    let source = tx
        .query_one_raw(sql("SELECT source FROM settings WHERE id = 1", []))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("settings".into()))?
        .try_get::<String>("", "source")?;
    let source = apply_texts(&source, texts)?;
    let config = TenantConfig::from_toml(&source).map_err(TextsError::Invalid)?;
    write_config(&tx, &config, &source).await?;
    let tenant = registry::find(tx.provisioning(), slug)
        .await?
        .expect("the row locked above");
    Ok(TextsUpdate { tx, tenant, config })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../examples/demo.toml");

    #[test]
    fn texts_are_written_into_the_file_keeping_its_comments_and_other_keys() {
        let texts = PortalTexts {
            welcome_title: Some("Bonjour \"à tous\"".into()),
            welcome_text: Some("Ligne 1\n\n- **gras**\n".into()),
            reservation_notice: None,
            service_emails: vec![("jeunesse".into(), "jeunes@demo.example".into())],
        };
        let source = apply_texts(DEMO, &texts).unwrap();
        assert!(source.contains("# Configuration of one municipality on Portail Famille."));
        let config = TenantConfig::from_toml(&source).unwrap();
        let before = TenantConfig::from_toml(DEMO).unwrap();
        assert_eq!(config.portal.welcome_title, "Bonjour \"à tous\"");
        assert_eq!(config.portal.welcome_text, "Ligne 1\n\n- **gras**\n");
        assert_eq!(
            config.portal.reservation_notice,
            before.portal.reservation_notice
        );
        assert_eq!(config.services[1].email, "jeunes@demo.example");
        assert_eq!(config.services[0], before.services[0]);
        assert_eq!(config.prestations, before.prestations);
    }

    #[test]
    fn services_written_as_an_inline_array_are_changed_too() {
        let start = DEMO.find("[[services]]").unwrap();
        let end = DEMO.find("# Service units").unwrap();
        let inline = format!(
            "{}{}",
            &DEMO[..start],
            &DEMO[end..]
        )
        .replacen(
            "holiday_zone = \"B\"",
            "holiday_zone = \"B\"\nservices = [{ code = \"enfance\", name = \"Enfance\", email = \"a@demo.example\" }]",
            1,
        );
        let texts = PortalTexts {
            service_emails: vec![("enfance".into(), "b@demo.example".into())],
            ..Default::default()
        };
        let source = apply_texts(&inline, &texts).unwrap();
        let config = TenantConfig::from_toml(&source).unwrap();
        assert_eq!(config.services[0].email, "b@demo.example");
    }

    #[test]
    fn an_unknown_service_or_a_refused_value_is_an_error() {
        let unknown = PortalTexts {
            service_emails: vec![("cantine".into(), "a@b.example".into())],
            ..Default::default()
        };
        assert!(matches!(
            apply_texts(DEMO, &unknown),
            Err(TextsError::UnknownService(code)) if code == "cantine"
        ));
        let empty = PortalTexts {
            welcome_title: Some(String::new()),
            ..Default::default()
        };
        let source = apply_texts(DEMO, &empty).unwrap();
        let refused = TenantConfig::from_toml(&source).unwrap_err();
        assert!(refused.errors[0].starts_with("portal.welcome_title"));
    }
}
