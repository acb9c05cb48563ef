//! The audit log of the tenant: who changed what and when (every write to the family file),
//! and every read of medical fields or documents by anyone other than the household. Field
//! names only: the values of medical fields never reach the audit or the logs.

use crate::auth::session::SignedIn;
use chrono::{DateTime, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

/// Who acted: a guardian of the household, municipal staff, or vendor support.
pub fn guardian(id: Uuid) -> String {
    format!("guardian:{id}")
}

/// One audited event.
pub struct Event<'a> {
    pub actor: String,
    /// `create`, `update`, `delete`, `validate`, `read`, `download`.
    pub action: &'a str,
    /// `household`, `guardian`, `child`, `contact`, `document`, `consent`…
    pub entity: &'a str,
    pub entity_id: String,
    pub fields: Vec<String>,
    pub household_id: Option<Uuid>,
    /// Where it came from: `page`, `api`, `cli`.
    pub origin: &'a str,
}

pub async fn record(tx: &TenantTx, event: Event<'_>) -> Result<(), DbErr> {
    tx.run("INSERT INTO audit_log (actor, action, entity, entity_id, fields, household_id, origin) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            event.actor.into(),
            event.action.into(),
            event.entity.into(),
            event.entity_id.into(),
            event.fields.into(),
            event.household_id.into(),
            event.origin.into(),
        ])
    .await?;
    Ok(())
}

/// What a signed-in guardian did to their household's file, from `origin` (`page`, `api`).
pub async fn by_guardian(
    tx: &TenantTx,
    signed: &SignedIn,
    origin: &str,
    action: &str,
    entity: &str,
    entity_id: String,
    fields: Vec<String>,
) -> Result<(), DbErr> {
    let event = Event {
        actor: guardian(signed.guardian_id),
        action,
        entity,
        entity_id,
        fields,
        household_id: Some(signed.household_id),
        origin,
    };
    record(tx, event).await
}

/// A signed-in guardian's download of one of the household's files (`entity` `id`).
pub async fn download_by_guardian(
    tx: &TenantTx,
    signed: &SignedIn,
    origin: &str,
    entity: &str,
    id: Uuid,
) -> Result<(), DbErr> {
    by_guardian(
        tx,
        signed,
        origin,
        "download",
        entity,
        id.to_string(),
        vec![],
    )
    .await
}

#[derive(Debug, Serialize, FromQueryResult)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub fields: Vec<String>,
    pub household_id: Option<Uuid>,
    pub origin: String,
}

/// Entries since `since`, oldest first.
pub async fn since(tx: &TenantTx, since: DateTime<Utc>, limit: i64) -> Result<Vec<Entry>, DbErr> {
    tx.all("SELECT id, at, actor, action, entity, entity_id, fields, household_id, origin FROM audit_log WHERE at >= $1 ORDER BY id LIMIT $2",
        [since.into(), limit.into()]).await
}
