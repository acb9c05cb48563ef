//! One shape for a service's work in the municipality's schema: begin the tenant transaction,
//! do the work, commit. An error (or a panic) drops the transaction, which rolls it back.

use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use portail_tenants::TenantTx;
use sea_orm::DbErr;

/// Runs `work` in one transaction of `tenant` and commits what it did when it succeeds:
/// `in_tx(state, tenant, async |tx| repo::latest(tx, 200).await).await`.
pub async fn in_tx<T, E: From<DbErr>>(
    state: &AppState,
    tenant: &CurrentTenant,
    work: impl AsyncFnOnce(&TenantTx) -> Result<T, E>,
) -> Result<T, E> {
    in_tx_or_dry(state, tenant, false, work).await
}

/// Runs `work` in one read-only transaction of `tenant` ([`CurrentTenant::begin_read`]): a
/// page's reads, ended without a round trip of their own.
pub async fn in_read<T, E: From<DbErr>>(
    state: &AppState,
    tenant: &CurrentTenant,
    work: impl AsyncFnOnce(&TenantTx) -> Result<T, E>,
) -> Result<T, E> {
    let tx = tenant.begin_read(state).await?;
    let value = work(&tx).await?;
    tx.end_read();
    Ok(value)
}

/// As [`in_tx`], but with `dry` what `work` did is rolled back even when it succeeds: a dry
/// run says what it would do, and does nothing (its numbers and locks are given back).
pub async fn in_tx_or_dry<T, E: From<DbErr>>(
    state: &AppState,
    tenant: &CurrentTenant,
    dry: bool,
    work: impl AsyncFnOnce(&TenantTx) -> Result<T, E>,
) -> Result<T, E> {
    let tx = tenant.begin(state).await?;
    let value = work(&tx).await?;
    if dry {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(value)
}
