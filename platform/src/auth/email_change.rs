//! Changing the sign-in e-mail. A session alone never changes it (a stolen session would become
//! a permanent takeover): the current password is asked, a link goes to the new address and
//! the change happens only when it is opened and confirmed, the old address is told, and every
//! session of the account ends.
//!
//! The pending change lives in Redis under the hash of its token (24 h, single use).

use super::{hashing, repository, tokens};
use crate::audit::{self, Event};
use crate::auth::session::SignedIn;
use crate::mail::{self, Mail};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::{self as check, FieldErrors};
use portail_tenants::database::sql;
use redis::AsyncCommands;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

const LIFETIME_SECONDS: u64 = 24 * 60 * 60;
/// What the API and the page say once the link is sent.
pub fn sent() -> String {
    crate::i18n::t("email-change-sent")
}

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error("the link is unknown, used or expired")]
    InvalidToken,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl From<redis::RedisError> for EmailChangeError {
    fn from(e: redis::RedisError) -> Self {
        EmailChangeError::Unavailable(e.to_string())
    }
}

impl From<crate::sessions::SessionError> for EmailChangeError {
    fn from(e: crate::sessions::SessionError) -> Self {
        EmailChangeError::Unavailable(e.to_string())
    }
}

#[derive(Serialize, Deserialize)]
struct Pending {
    guardian_id: Uuid,
    email: String,
}

fn key(slug: &str, token: &str) -> String {
    format!("t:{slug}:email-change:{}", tokens::token_hash(token))
}

fn one_error(field: &str, message: &str) -> EmailChangeError {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    EmailChangeError::Invalid(errors)
}

/// Checks the new address (format, not another account's) and the current password, without
/// changing anything; every problem is reported. Returns the address as it will be stored.
pub async fn check(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    current_password: Option<&str>,
    new_email: &str,
) -> Result<Result<String, FieldErrors>, EmailChangeError> {
    let mut errors = FieldErrors::default();
    let email = check::email(&mut errors, "email", new_email);
    let tx = tenant.begin(state).await?;
    let account = repository::account_by_id(&tx, signed.guardian_id)
        .await?
        .ok_or(EmailChangeError::InvalidToken)?;
    if errors.is_empty() {
        if account.email.eq_ignore_ascii_case(&email) {
            errors.add("email", crate::i18n::t("email-change-same"));
        } else if crate::household::repository::email_taken(&tx, &email, signed.guardian_id).await?
        {
            errors.add("email", crate::i18n::t("household-email-taken"));
        }
    }
    tx.rollback().await?;
    match current_password.filter(|p| !p.is_empty()) {
        None => errors.add(
            "current_password",
            crate::i18n::t("email-change-need-password"),
        ),
        Some(password) => {
            let checked = if password.len() <= 1024 { password } else { "" };
            if !hashing::verify(checked.to_string(), account.password_hash.clone()).await {
                tracing::info!(tenant.slug = tenant.slug(), guardian.id = %signed.guardian_id, "e-mail change refused: wrong password");
                errors.add(
                    "current_password",
                    crate::i18n::t("email-change-wrong-password"),
                );
            }
        }
    }
    Ok(errors.into_result(email))
}

/// Keeps the change of a checked address pending, and mails the link to the new address and a
/// notice to the old one. Nothing is changed yet.
pub async fn request(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    email: &str,
) -> Result<(), EmailChangeError> {
    let email = email.to_string();
    let tx = tenant.begin(state).await?;
    let account = repository::account_by_id(&tx, signed.guardian_id)
        .await?
        .ok_or(EmailChangeError::InvalidToken)?;
    let token = tokens::new_token();
    let mut conn = state.redis.connection();
    let pending = serde_json::to_string(&Pending {
        guardian_id: signed.guardian_id,
        email: email.clone(),
    })
    .expect("plain data");
    let _: () = conn
        .set_ex(key(tenant.slug(), &token), pending, LIFETIME_SECONDS)
        .await?;
    let texts = crate::portal::repository::portal_texts(&tx).await?;
    let link = format!(
        "{}/{}/mon-compte/adresse-email/confirmer?token={token}",
        state.settings.public_url,
        tenant.slug()
    );
    let data = json!({
        "first_name": account.first_name,
        "tenant_name": texts.name,
        "contact_email": texts.contact.email,
        "link": link,
        "new_email": email,
    });
    // Both mails in the guardian's saved language, as the password mails.
    let locale = crate::i18n::for_recipient(account.locale.as_deref());
    let (confirm, notice) = crate::i18n::sync_scope(locale, || {
        (
            Mail::render(
                "email_change_confirm",
                &email,
                &crate::i18n::t("mail-email-confirm-subject"),
                &data,
            ),
            Mail::render(
                "email_change_notice",
                &account.email,
                &crate::i18n::t("mail-email-notice-subject"),
                &data,
            ),
        )
    });
    mail::enqueue(&tx, &confirm).await?;
    mail::enqueue(&tx, &notice).await?;
    tx.commit().await?;
    state.outboxes.notify(tenant.schema());
    tracing::info!(tenant.slug = tenant.slug(), guardian.id = %signed.guardian_id, "e-mail change requested");
    Ok(())
}

/// Whether a confirmation link still works (the page checks before showing its button).
pub async fn is_live(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<bool, EmailChangeError> {
    if !tokens::well_formed(token) {
        return Ok(false);
    }
    let mut conn = state.redis.connection();
    Ok(conn.exists(key(tenant.slug(), token)).await?)
}

/// Applies the pending change of `token` (once), and ends every session of the account.
pub async fn confirm(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<(), EmailChangeError> {
    if !tokens::well_formed(token) {
        return Err(EmailChangeError::InvalidToken);
    }
    let mut conn = state.redis.connection();
    let raw: Option<String> = redis::cmd("GETDEL")
        .arg(key(tenant.slug(), token))
        .query_async(&mut conn)
        .await?;
    let pending: Pending = raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .ok_or(EmailChangeError::InvalidToken)?;
    let tx = tenant.begin(state).await?;
    if crate::household::repository::email_taken(&tx, &pending.email, pending.guardian_id).await? {
        return Err(one_error("email", &crate::i18n::t("household-email-taken")));
    }
    let updated = tx
        .execute_raw(sql(
            "UPDATE guardians SET email = $2 WHERE id = $1",
            [pending.guardian_id.into(), pending.email.clone().into()],
        ))
        .await?;
    if updated.rows_affected() != 1 {
        return Err(EmailChangeError::InvalidToken);
    }
    let household_id = repository::account_by_id(&tx, pending.guardian_id)
        .await?
        .map(|a| a.household_id);
    audit::record(
        &tx,
        Event {
            actor: audit::guardian(pending.guardian_id),
            action: "update",
            entity: "guardian",
            entity_id: pending.guardian_id.to_string(),
            fields: vec!["email".into()],
            household_id,
            origin: "page",
        },
    )
    .await?;
    tx.commit().await?;
    state
        .sessions
        .destroy_account(tenant.slug(), &pending.guardian_id.to_string())
        .await?;
    tracing::info!(tenant.slug = tenant.slug(), guardian.id = %pending.guardian_id, "e-mail changed");
    Ok(())
}
