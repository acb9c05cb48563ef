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
    let tx = tenant.begin(state).await?;
    let value = work(&tx).await?;
    tx.commit().await?;
    Ok(value)
}
