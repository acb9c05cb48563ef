//! What the portal's front door reads.

use super::repository::{PortalTexts, portal_texts};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use sea_orm::DbErr;

/// The municipality's name, welcome text, notice and contact.
/// Read once per configuration version and process: the front door of every municipality
/// then costs no round trip to PostgreSQL.
pub async fn texts(state: &AppState, tenant: &CurrentTenant) -> Result<PortalTexts, DbErr> {
    let version = tenant.0.config_version;
    if let Some(found) = state.texts.get(tenant.slug(), version) {
        return Ok((*found).clone());
    }
    let tx = tenant.begin(state).await?;
    let texts = portal_texts(&tx).await?;
    tx.commit().await?;
    state
        .texts
        .put(tenant.slug(), version, std::sync::Arc::new(texts.clone()));
    Ok(texts)
}
