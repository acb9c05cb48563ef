//! Queries of the library, inside the tenant's schema. A guardian's reads always go through
//! [`VISIBLE`]: the audience rule and the publication dates are in one place.

use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use portail_tenants::batch::Query;
use sea_orm::{DbErr, FromQueryResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The documents a household may see on `$2` (today): `$1` is the household.
const VISIBLE: &str = "d.withdrawn_at IS NULL AND d.published_on <= $2
      AND (d.until IS NULL OR d.until >= $2)
      AND (d.audience_kind = 'all'
        OR (d.audience_kind = 'structure' AND EXISTS (
              SELECT 1 FROM children c
              JOIN enrolments e ON e.child_id = c.id
              JOIN prestations p ON p.code = e.prestation_code
              WHERE c.household_id = $1 AND p.structure_code = d.audience_value))
        OR (d.audience_kind = 'school' AND EXISTS (
              SELECT 1 FROM children c
              WHERE c.household_id = $1 AND lower(c.school) = lower(d.audience_value))))";

/// A published document as a guardian sees it.
#[derive(Debug, Clone, Serialize, Deserialize, FromQueryResult)]
pub struct Published {
    pub id: Uuid,
    pub rubrique: String,
    pub name: String,
    pub published_on: NaiveDate,
    pub content_type: String,
    pub size: i64,
    /// Not opened yet by this guardian.
    pub new: bool,
}

/// Every document the guardian's household may see today, newest first.
pub async fn visible(
    tx: &TenantTx,
    household_id: Uuid,
    guardian_id: Uuid,
    today: NaiveDate,
) -> Result<Vec<Published>, DbErr> {
    visible_query(household_id, guardian_id, today)
        .all(tx)
        .await
}

/// [`visible`]'s query, to send with others (the signed-in home's batch).
pub fn visible_query(household_id: Uuid, guardian_id: Uuid, today: NaiveDate) -> Query<Published> {
    Query::new(
        format!(
            "SELECT d.id, d.rubrique, d.name, d.published_on, d.content_type, d.size::bigint AS size,
                NOT EXISTS (SELECT 1 FROM library_reads r WHERE r.document_id = d.id AND r.guardian_id = $3) AS new
             FROM library_documents d WHERE {VISIBLE}
             ORDER BY d.published_on DESC, d.created_at DESC, d.id"
        ),
        [household_id.into(), today.into(), guardian_id.into()],
    )
}

/// A published file, to send back.
#[derive(Debug, FromQueryResult)]
pub struct PublishedFile {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The file of document `id`, if the household may see it today.
pub async fn visible_file(
    tx: &TenantTx,
    household_id: Uuid,
    today: NaiveDate,
    id: Uuid,
) -> Result<Option<PublishedFile>, DbErr> {
    tx.one(
        &format!(
            "SELECT d.name, d.content_type, d.data FROM library_documents d
             WHERE d.id = $3 AND {VISIBLE}"
        ),
        [household_id.into(), today.into(), id.into()],
    )
    .await
}

/// The guardian has opened the document: it is no longer new to them.
pub async fn mark_read(
    tx: &TenantTx,
    guardian_id: Uuid,
    document_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO library_reads (guardian_id, document_id, read_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        [guardian_id.into(), document_id.into(), at.into()],
    )
    .await?;
    Ok(())
}

pub struct NewPublication<'a> {
    pub id: Uuid,
    pub rubrique: &'a str,
    pub name: &'a str,
    pub audience_kind: &'a str,
    pub audience_value: &'a str,
    pub published_on: NaiveDate,
    pub until: Option<NaiveDate>,
    pub content_type: &'static str,
    pub data: Vec<u8>,
    pub published_by: Uuid,
    pub replaces: Option<Uuid>,
    pub at: DateTime<Utc>,
}

pub async fn insert(tx: &TenantTx, p: NewPublication<'_>) -> Result<(), DbErr> {
    let size = p.data.len() as i32;
    // The file goes in parts (see `documents::repository::stage`), never in one statement.
    crate::documents::repository::stage(tx, &p.data).await?;
    drop(p.data);
    tx.run(
        &format!(
            "INSERT INTO library_documents (id, rubrique, name, audience_kind, audience_value,
            published_on, until, content_type, size, data, published_by, replaces, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {}, $10, $11, $12)",
            crate::documents::repository::STAGED_FILE
        ),
        [
            p.id.into(),
            p.rubrique.into(),
            p.name.into(),
            p.audience_kind.into(),
            p.audience_value.into(),
            p.published_on.into(),
            p.until.into(),
            p.content_type.into(),
            size.into(),
            p.published_by.into(),
            p.replaces.into(),
            p.at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Withdraws a live document; whether there was one.
pub async fn withdraw(tx: &TenantTx, id: Uuid, at: DateTime<Utc>) -> Result<bool, DbErr> {
    Ok(tx
        .run(
            "UPDATE library_documents SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL",
            [id.into(), at.into()],
        )
        .await?
        == 1)
}

/// A document as the back-office lists it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct StaffDocument {
    pub id: Uuid,
    pub rubrique: String,
    pub name: String,
    pub audience_kind: String,
    pub audience_value: String,
    pub published_on: NaiveDate,
    pub until: Option<NaiveDate>,
    pub size: i64,
    pub readers: i64,
}

/// Every live document (withdrawn ones aside), newest first, with how many guardians
/// opened each.
pub async fn live(tx: &TenantTx) -> Result<Vec<StaffDocument>, DbErr> {
    tx.all(
        "SELECT d.id, d.rubrique, d.name, d.audience_kind, d.audience_value, d.published_on,
            d.until, d.size::bigint AS size,
            (SELECT count(*) FROM library_reads r WHERE r.document_id = d.id) AS readers
         FROM library_documents d WHERE d.withdrawn_at IS NULL
         ORDER BY d.published_on DESC, d.created_at DESC, d.id",
        [],
    )
    .await
}

/// The schools the children attend, for the audience choices.
pub async fn schools(tx: &TenantTx) -> Result<Vec<String>, DbErr> {
    #[derive(FromQueryResult)]
    struct School {
        school: String,
    }
    Ok(tx
        .all::<School>(
            "SELECT DISTINCT school FROM children WHERE school <> '' ORDER BY school",
            [],
        )
        .await?
        .into_iter()
        .map(|s| s.school)
        .collect())
}

/// Whether `id` is a live document (one a new publication may replace).
pub async fn is_live(tx: &TenantTx, id: Uuid) -> Result<bool, DbErr> {
    tx.exists(
        "SELECT 1 AS found FROM library_documents WHERE id = $1 AND withdrawn_at IS NULL",
        [id.into()],
    )
    .await
}
