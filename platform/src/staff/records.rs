//! Children's records for staff: the whole record, medical fields included, is an audited
//! read (parents see it under "Qui a consulté mes données"); `gestionnaire` and above
//! validate or un-validate a record, written to the audit too.

use super::StaffError;
use super::auth::StaffSigned;
use super::{audited, audited_read};
use crate::children::repository;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffContact")]
pub struct ContactLine {
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub pickup: bool,
    pub emergency: bool,
}

/// A child's whole record.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffChildRecord")]
pub struct ChildRecord {
    pub id: Uuid,
    pub household_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub birth_city: String,
    pub school: String,
    pub class: String,
    pub diets: Vec<String>,
    pub doctor_name: String,
    pub doctor_phone: String,
    pub allergies: String,
    pub pai: bool,
    pub medical_notes: String,
    pub validated_at: Option<DateTime<Utc>>,
    // Read by a query of their own (a plain comment: a doc comment would describe the field
    // in the API's specification).
    #[sea_orm(skip)]
    pub contacts: Vec<ContactLine>,
}

/// Child `id`'s record, whichever household it belongs to (staff open any).
async fn record_in(tx: &TenantTx, id: Uuid) -> Result<Option<ChildRecord>, DbErr> {
    let query = "SELECT id, household_id, first_name, last_name, birth_date, birth_city, school, class, diets, doctor_name, doctor_phone, allergies, pai, medical_notes, validated_at FROM children WHERE id = $1";
    let Some(mut record) = tx.one::<ChildRecord>(query, [id.into()]).await? else {
        return Ok(None);
    };
    record.contacts = repository::contacts(tx, id)
        .await?
        .into_iter()
        .map(|k| ContactLine {
            name: k.name,
            relation: k.relation,
            phone: k.phone,
            pickup: k.pickup,
            emergency: k.emergency,
        })
        .collect();
    Ok(Some(record))
}

/// The whole record; the read of its medical fields is recorded (who, when, what section).
pub async fn read(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    origin: &str,
) -> Result<ChildRecord, StaffError> {
    let find = async |tx: &TenantTx| Ok(record_in(tx, id).await?.map(|r| (r.household_id, r)));
    audited_read(state, tenant, by, ("child", id, &["medical"]), origin, find).await
}

/// Validates (for the school year) or un-validates a child's record.
pub async fn set_validated(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    validated: bool,
    origin: &str,
) -> Result<ChildRecord, StaffError> {
    let tx = tenant.begin(state).await?;
    let record = record_in(&tx, id).await?.ok_or(StaffError::NotFound)?;
    let at = validated.then(|| state.clock.now());
    tx.run(
        "UPDATE children SET validated_at = $2, updated_at = now() WHERE id = $1",
        [id.into(), at.into()],
    )
    .await?;
    let action = if validated { "validate" } else { "unvalidate" };
    let household_id = record.household_id;
    audited(
        &tx,
        by,
        (action, "child"),
        id,
        household_id,
        &["validated_at"],
        origin,
    )
    .await?;
    let record = record_in(&tx, id).await?.ok_or(StaffError::NotFound)?;
    tx.commit().await?;
    Ok(record)
}

/// One staff read of a household's data, as its parents see it.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffRead")]
pub struct StaffRead {
    pub at: DateTime<Utc>,
    /// The staff member's name.
    pub staff: String,
    /// Their role code.
    pub role: String,
    /// `child` (medical fields), `document`, `conversation` (a messaging thread) or
    /// `message_attachment` (a file of a message).
    pub entity: String,
    pub entity_id: String,
}

/// Every staff read of `household_id`'s data, newest first.
pub async fn reads_of(tx: &TenantTx, household_id: Uuid) -> Result<Vec<StaffRead>, DbErr> {
    tx.all(
        "SELECT a.at, s.name AS staff, s.role, a.entity, a.entity_id FROM audit_log a
         JOIN staff s ON a.actor = 'staff:' || s.id::text
         WHERE a.household_id = $1 AND a.action = 'read' ORDER BY a.id DESC LIMIT 500",
        [household_id.into()],
    )
    .await
}

/// The staff reads of a household, for its parents' "Mon compte".
pub async fn reads(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
) -> Result<Vec<StaffRead>, DbErr> {
    let tx = tenant.begin(state).await?;
    let found = reads_of(&tx, household_id).await?;
    tx.commit().await?;
    Ok(found)
}

/// What a parent reads about one staff read: when, who (name and role), which section.
#[derive(Debug, Clone, Serialize)]
pub struct ReadLine {
    pub when: String,
    pub staff: String,
    pub role: String,
    pub section: String,
}

impl From<&StaffRead> for ReadLine {
    fn from(r: &StaffRead) -> Self {
        ReadLine {
            when: r
                .at
                .with_timezone(&chrono_tz::Europe::Paris)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            staff: r.staff.clone(),
            role: super::Role::parse(&r.role)
                .map(super::Role::label)
                .unwrap_or_default(),
            section: crate::i18n::t(match r.entity.as_str() {
                "document" => "staff-read-section-document",
                "conversation" => "staff-read-section-conversation",
                "message_attachment" => "staff-read-section-message-attachment",
                _ => "staff-read-section-medical",
            }),
        }
    }
}

/// One entry of a household's audit, as admins see it.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffAuditEntry")]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// `guardian:<id>`, `staff:<id>`, `ops:cli`…
    pub actor: String,
    /// The staff member's or guardian's name, when the actor is one.
    pub actor_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub fields: Vec<String>,
    pub origin: String,
}

/// Everything recorded about a household (writes and reads), newest first (admin only).
pub async fn household_audit(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
) -> Result<Vec<AuditEntry>, StaffError> {
    let tx = tenant.begin(state).await?;
    let entries = tx
        .all(
            "SELECT a.at, a.actor, coalesce(s.name, g.first_name || ' ' || g.last_name) AS actor_name,
                    a.action, a.entity, a.entity_id, a.fields, a.origin
             FROM audit_log a
             LEFT JOIN staff s ON a.actor = 'staff:' || s.id::text
             LEFT JOIN guardians g ON a.actor = 'guardian:' || g.id::text
             WHERE a.household_id = $1 ORDER BY a.id DESC LIMIT 1000",
            [household_id.into()],
        )
        .await?;
    tx.commit().await?;
    Ok(entries)
}
