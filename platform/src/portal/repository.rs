//! Reads of the municipality's portal texts, inside its schema.

use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub fax: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PortalTexts {
    pub name: String,
    pub holiday_zone: String,
    pub welcome_title: String,
    /// Already rendered from Markdown and safe to embed.
    pub welcome_html: String,
    pub reservation_notice: String,
    pub contact: Contact,
}

#[derive(FromQueryResult)]
struct Row {
    name: String,
    holiday_zone: String,
    welcome_title: String,
    welcome_html: String,
    reservation_notice: String,
    contact: serde_json::Value,
}

/// The one settings row, read by key.
pub async fn portal_texts(tx: &TenantTx) -> Result<PortalTexts, DbErr> {
    let row = tx
        .query_one_raw(sql(
            "SELECT name, holiday_zone, welcome_title, welcome_html, reservation_notice, contact FROM settings WHERE id = 1",
            [],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("settings".into()))?;
    let row = Row::from_query_result(&row, "")?;
    let field = |key: &str| {
        row.contact
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let contact = Contact {
        address: field("address").unwrap_or_default(),
        postal_code: field("postal_code").unwrap_or_default(),
        city: field("city").unwrap_or_default(),
        phone: field("phone").unwrap_or_default(),
        email: field("email").unwrap_or_default(),
        fax: field("fax"),
        website: field("website"),
    };
    Ok(PortalTexts {
        name: row.name,
        holiday_zone: row.holiday_zone,
        welcome_title: row.welcome_title,
        welcome_html: row.welcome_html,
        reservation_notice: row.reservation_notice,
        contact,
    })
}

/// The municipality's whole configuration, as validated when it was provisioned.
pub async fn tenant_config(tx: &TenantTx) -> Result<portail_tenants::TenantConfig, DbErr> {
    let row = tx
        .query_one_raw(sql("SELECT config FROM settings WHERE id = 1", []))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("settings".into()))?;
    let value: serde_json::Value = row.try_get("", "config")?;
    serde_json::from_value(value).map_err(|e| DbErr::Custom(format!("stored configuration: {e}")))
}
