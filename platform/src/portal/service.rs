//! What the portal's front door reads.

use super::repository::{PortalTexts, portal_texts};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use sea_orm::DbErr;

/// The municipality's name, welcome text, notice and contact.
pub async fn texts(state: &AppState, tenant: &CurrentTenant) -> Result<PortalTexts, DbErr> {
    let tx = tenant.begin(state).await?;
    let texts = portal_texts(&tx).await?;
    tx.commit().await?;
    Ok(texts)
}
