//! The guardian's saved language: a column of `guardians`, copied into the session at
//! sign-in so that no page needs a query to know it.

use super::{Locale, SESSION_KEY, t_args};
use crate::audit::{self, Event};
use crate::auth::session::SignedIn;
use crate::http::errors::{
    FORBIDDEN, Fault, INTERNAL, Problem, UNAUTHORIZED, UNAVAILABLE, faults_of,
};
use crate::sessions::SessionError;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::http::StatusCode;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};

/// Why a language could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum PreferenceError {
    /// Not a language of this municipality: the message lists the ones it offers.
    #[error("unsupported locale")]
    Unsupported(Vec<Locale>),
    #[error(transparent)]
    Fault(#[from] Fault),
}

faults_of!(PreferenceError: DbErr, SessionError);

impl Problem for PreferenceError {
    fn status(&self) -> StatusCode {
        match self {
            PreferenceError::Unsupported(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PreferenceError::Fault(f) => f.status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            PreferenceError::Unsupported(_) => "unsupported_locale",
            PreferenceError::Fault(f) => f.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            PreferenceError::Unsupported(offered) => {
                let list = offered
                    .iter()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(", ");
                t_args("error-unsupported-locale", &[("locales", list.into())])
            }
            PreferenceError::Fault(f) => f.message(),
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            UNAUTHORIZED,
            FORBIDDEN,
            (
                422,
                "Not a language of this municipality (`unsupported_locale`).",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

/// Saves `locale` as the guardian's language (audited) and applies it to this session.
pub async fn save_preference(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    locale: Locale,
    origin: &str,
) -> Result<(), PreferenceError> {
    let tx = tenant.begin(state).await?;
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
