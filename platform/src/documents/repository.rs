//! Queries of documents, inside the tenant's schema. Every read names the household: a
//! document id alone never finds anything.

use chrono::{DateTime, Utc};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

/// A document as lists show it, without its bytes.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct DocumentSummary {
    pub id: Uuid,
    /// The child it concerns; `None` for the household as a whole.
    pub child_id: Option<Uuid>,
    /// "Théo ALAIN" when it concerns a child.
    pub person_name: Option<String>,
    pub name: String,
    pub description: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as detected from the file.
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

const SUMMARY: &str = "SELECT d.id, d.child_id,
        CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || upper(c.last_name) END AS person_name,
        d.name, d.description, d.content_type, d.size::bigint AS size, d.created_at
     FROM documents d LEFT JOIN children c ON c.id = d.child_id";

/// The household's documents (its own and its children's), newest first.
pub async fn for_household(
    tx: &TenantTx,
    household_id: Uuid,
) -> Result<Vec<DocumentSummary>, DbErr> {
    tx.all(
        &format!("{SUMMARY} WHERE d.household_id = $1 ORDER BY d.created_at DESC, d.id"),
        [household_id.into()],
    )
    .await
}

/// The documents of one child of the household, newest first (none if the child is another
/// household's).
pub async fn for_child(
    tx: &TenantTx,
    household_id: Uuid,
    child_id: Uuid,
) -> Result<Vec<DocumentSummary>, DbErr> {
    tx.all(&format!(
            "{SUMMARY} WHERE d.household_id = $1 AND d.child_id = $2 ORDER BY d.created_at DESC, d.id"
        ),
        [household_id.into(), child_id.into()]).await
}

/// Someone a document can concern: a child of the household.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Child {
    pub id: Uuid,
    pub name: String,
}

pub async fn children(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Child>, DbErr> {
    tx.all(
        "SELECT id, first_name || ' ' || upper(last_name) AS name FROM children
         WHERE household_id = $1 ORDER BY birth_date, first_name",
        [household_id.into()],
    )
    .await
}

pub async fn child_in_household(
    tx: &TenantTx,
    household_id: Uuid,
    child_id: Uuid,
) -> Result<bool, DbErr> {
    tx.exists(
        "SELECT 1 AS found FROM children WHERE id = $1 AND household_id = $2",
        [child_id.into(), household_id.into()],
    )
    .await
}

pub async fn child_name(tx: &TenantTx, child_id: Uuid) -> Result<Option<String>, DbErr> {
    Ok(tx
        .query_one_raw(sql(
            "SELECT first_name || ' ' || upper(last_name) AS name FROM children WHERE id = $1",
            [child_id.into()],
        ))
        .await?
        .and_then(|r| r.try_get::<String>("", "name").ok()))
}

/// The size of each part a file is sent to PostgreSQL in.
const PART_BYTES: usize = 256 * 1024;

/// The file staged by [`stage`], as an SQL expression for an `INSERT` of the same
/// transaction.
pub const STAGED_FILE: &str = "(SELECT COALESCE(string_agg(data, ''::bytea ORDER BY seq), ''::bytea) FROM pg_temp.upload_parts)";

/// Sends a file to the transaction's session in parts of [`PART_BYTES`], into a temporary
/// table dropped at commit, so that no statement carries the whole file: a connection keeps
/// the buffers of its largest statement as long as it lives, and ten connections that each
/// once wrote a 10 MB file held well over 100 MB. [`STAGED_FILE`] then gives it back whole,
/// on the server's side.
pub async fn stage(tx: &TenantTx, bytes: &[u8]) -> Result<(), DbErr> {
    tx.run(
        "CREATE TEMP TABLE IF NOT EXISTS upload_parts (seq integer PRIMARY KEY, data bytea NOT NULL) ON COMMIT DROP",
        [],
    )
    .await?;
    tx.run("DELETE FROM pg_temp.upload_parts", []).await?;
    for (seq, part) in bytes.chunks(PART_BYTES).enumerate() {
        tx.run(
            "INSERT INTO pg_temp.upload_parts (seq, data) VALUES ($1, $2)",
            [(seq as i32).into(), part.to_vec().into()],
        )
        .await?;
    }
    Ok(())
}

pub struct NewDocument<'a> {
    pub id: Uuid,
    pub household_id: Uuid,
    pub child_id: Option<Uuid>,
    pub name: &'a str,
    pub description: &'a str,
    pub content_type: &'static str,
    pub size: i64,
    pub storage_name: &'a str,
    pub data: Vec<u8>,
    pub uploaded_by: Uuid,
}

/// Stores the document (its file sent in parts, see [`stage`]); answers its creation time.
pub async fn insert(tx: &TenantTx, d: NewDocument<'_>) -> Result<DateTime<Utc>, DbErr> {
    stage(tx, &d.data).await?;
    drop(d.data);
    let row = tx
        .query_one_raw(sql(
            &format!("INSERT INTO documents (id, household_id, child_id, name, description, content_type, size, storage_name, data, uploaded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {STAGED_FILE}, $9) RETURNING created_at"),
            [
                d.id.into(),
                d.household_id.into(),
                d.child_id.into(),
                d.name.into(),
                d.description.into(),
                d.content_type.into(),
                (d.size as i32).into(),
                d.storage_name.into(),
                d.uploaded_by.into(),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get("", "created_at")
}

/// A document's file, to send back.
#[derive(Debug, FromQueryResult)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The file of document `id`, if it is the household's.
pub async fn file(
    tx: &TenantTx,
    household_id: Uuid,
    id: Uuid,
) -> Result<Option<StoredFile>, DbErr> {
    tx.query_one_raw(sql(
        "SELECT name, content_type, data FROM documents WHERE id = $1 AND household_id = $2",
        [id.into(), household_id.into()],
    ))
    .await?
    .map(|r| StoredFile::from_query_result(&r, ""))
    .transpose()
}
