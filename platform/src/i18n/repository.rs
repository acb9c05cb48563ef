//! The guardian's saved language: a column of `guardians`, copied into the session at
//! sign-in so that no page needs a query to know it.

use super::{Locale, SESSION_KEY};
use crate::audit::{self, Event};
use crate::auth::session::SignedIn;
use crate::sessions::SessionError;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};

#[derive(Debug, thiserror::Error)]
pub enum PreferenceError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Saves `locale` as the guardian's language (audited) and applies it to this session.
pub async fn save_preference(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    locale: Locale,
    origin: &str,
) -> Result<(), PreferenceError> {
    let tx = TenantTx::begin(&state.db, tenant.schema()).await?;
    tx.execute_raw(sql(
        "UPDATE guardians SET locale = $1 WHERE id = $2",
        [locale.code().into(), signed.guardian_id.into()],
    ))
    .await?;
    audit::record(
        &tx,
        Event {
            actor: audit::guardian(signed.guardian_id),
            action: "update",
            entity: "guardian",
            entity_id: signed.guardian_id.to_string(),
            fields: vec!["locale".into()],
            household_id: Some(signed.household_id),
            origin,
        },
    )
    .await?;
    tx.commit().await?;
    if let Some(mut session) = state
        .sessions
        .load(tenant.slug(), &signed.session_id)
        .await?
    {
        session
            .data
            .insert(SESSION_KEY.into(), locale.code().into());
        state
            .sessions
            .save(tenant.slug(), &signed.session_id, &session)
            .await?;
    }
    Ok(())
}
