//! The registry of municipalities, in `public.tenants`: slug, schema, name, status.

use crate::database::sql;
use crate::slug::SchemaName;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    /// The portal answers with a maintenance page; data is kept.
    Suspended,
}

impl TenantStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
}

/// One municipality as the registry knows it.
#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub schema_name: SchemaName,
    pub config_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct TenantRow {
    slug: String,
    name: String,
    status: String,
    schema_name: String,
    config_version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TenantRow> for Tenant {
    fn from(r: TenantRow) -> Self {
        Tenant {
            slug: r.slug,
            name: r.name,
            status: if r.status == "suspended" {
                TenantStatus::Suspended
            } else {
                TenantStatus::Active
            },
            schema_name: SchemaName::from_registry(r.schema_name),
            config_version: r.config_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str = "slug, name, status, schema_name, config_version, created_at, updated_at";

/// Every municipality, by slug.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Tenant>, DbErr> {
    let rows = db
        .query_all_raw(sql(
            &format!("SELECT {COLUMNS} FROM public.tenants ORDER BY slug"),
            [],
        ))
        .await?;
    rows.iter()
        .map(|r| TenantRow::from_query_result(r, "").map(Tenant::from))
        .collect()
}

pub async fn find(db: &impl ConnectionTrait, slug: &str) -> Result<Option<Tenant>, DbErr> {
    let row = db
        .query_one_raw(sql(
            &format!("SELECT {COLUMNS} FROM public.tenants WHERE slug = $1"),
            [slug.into()],
        ))
        .await?;
    row.map(|r| TenantRow::from_query_result(&r, "").map(Tenant::from))
        .transpose()
}

/// The PostgreSQL channel on which a change of a municipality's registry row (status,
/// configuration version) is announced; every replica listens and forgets its cached copy.
pub const CHANGES_CHANNEL: &str = "portail_tenant_changed";

/// Announces a change of `slug`: delivered to the listeners when the transaction commits.
pub async fn announce_change(db: &impl ConnectionTrait, slug: &str) -> Result<(), DbErr> {
    db.execute_raw(sql(
        "SELECT pg_notify($1, $2)",
        [CHANGES_CHANNEL.into(), slug.into()],
    ))
    .await?;
    Ok(())
}

/// Sets the status; returns false when no such municipality exists.
pub async fn set_status(
    db: &impl ConnectionTrait,
    slug: &str,
    status: TenantStatus,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(sql(
            "UPDATE public.tenants SET status = $2, updated_at = now() WHERE slug = $1",
            [slug.into(), status.as_str().into()],
        ))
        .await?;
    announce_change(db, slug).await?;
    Ok(result.rows_affected() == 1)
}
