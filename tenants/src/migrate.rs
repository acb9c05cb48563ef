//! `portail migrate`: the shared schema first, then every tenant schema, in parallel with a
//! bound. Each tenant migrates in its own transaction holding an advisory lock on its schema,
//! so two runs at once wait for each other instead of colliding, and a failed tenant is left
//! exactly as it was.

use crate::database::{TenantTx, sql};
use crate::registry::{self, Tenant};
use crate::slug::SchemaName;
use futures::StreamExt;
use portail_migrations::{MigratorTrait, shared, tenant};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What happened to one schema.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SchemaOutcome {
    /// `public` for the shared schema, else the tenant's slug.
    pub target: String,
    /// Names of the migrations pending before the run (applied unless checking).
    pub pending: Vec<String>,
    pub error: Option<String>,
}

/// Lock key of the shared schema's migrations (an arbitrary constant).
const SHARED_LOCK: i64 = 0x0070_6f72_7461_696c;

/// Applies (or, with `check_only`, lists) the pending migrations of `public`.
pub async fn shared(db: &DatabaseConnection, check_only: bool) -> Result<Vec<String>, DbErr> {
    let tx = db.begin().await?;
    tx.execute_raw(sql(
        "SELECT pg_advisory_xact_lock($1)",
        [SHARED_LOCK.into()],
    ))
    .await?;
    let pending: Vec<String> = shared::Migrator::get_pending_migrations_read_only(&tx)
        .await?
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if !check_only && !pending.is_empty() {
        shared::Migrator::up(&tx, None).await?;
    }
    tx.commit().await?;
    Ok(pending)
}

/// Applies (or lists) the pending migrations of one tenant schema. `None` when the tenant was
/// deleted meanwhile (deletion takes the same lock).
pub async fn one_tenant(
    db: &DatabaseConnection,
    schema: &SchemaName,
    check_only: bool,
) -> Result<Option<Vec<String>>, DbErr> {
    // The migrator runs on a sea-orm transaction: scope one to the schema.
    let tx = TenantTx::within(db.begin().await?, schema).await?;
    tx.execute_raw(sql(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [schema.as_str().into()],
    ))
    .await?;
    let still_there = tx
        .query_one_raw(sql(
            "SELECT 1 AS one FROM public.tenants WHERE schema_name = $1",
            [schema.as_str().into()],
        ))
        .await?
        .is_some();
    if !still_there {
        return Ok(None);
    }
    let pending: Vec<String> =
        tenant::Migrator::get_pending_migrations_read_only(tx.provisioning())
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
    if !check_only && !pending.is_empty() {
        tenant::Migrator::up(tx.provisioning(), None).await?;
    }
    tx.commit().await?;
    Ok(Some(pending))
}

/// Every tenant, at most `parallel` at a time. After the first failure no new tenant is
/// started; those already running finish. `progress` sees each outcome as it lands, with its
/// rank and the total.
pub async fn all_tenants(
    db: &DatabaseConnection,
    parallel: usize,
    check_only: bool,
    progress: impl Fn(usize, usize, &SchemaOutcome),
) -> Result<Vec<SchemaOutcome>, DbErr> {
    let tenants = registry::list(db).await?;
    let total = tenants.len();
    let failed = Arc::new(AtomicBool::new(false));
    let done = AtomicUsize::new(0);
    let mut outcomes = Vec::with_capacity(total);
    let mut runs = futures::stream::iter(tenants.into_iter().map(|t: Tenant| {
        let failed = failed.clone();
        async move {
            if failed.load(Ordering::SeqCst) {
                return None;
            }
            let result = one_tenant(db, &t.schema_name, check_only).await;
            if result.is_err() {
                failed.store(true, Ordering::SeqCst);
            }
            match result {
                Ok(Some(pending)) => Some(SchemaOutcome {
                    target: t.slug,
                    pending,
                    error: None,
                }),
                Ok(None) => None,
                Err(e) => Some(SchemaOutcome {
                    target: t.slug,
                    pending: vec![],
                    error: Some(e.to_string()),
                }),
            }
        }
    }))
    .buffer_unordered(parallel.max(1));
    while let Some(outcome) = runs.next().await {
        if let Some(outcome) = outcome {
            let rank = done.fetch_add(1, Ordering::SeqCst) + 1;
            progress(rank, total, &outcome);
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}
