//! Queries of accounts, credentials and tokens, inside the tenant's schema.

use chrono::{DateTime, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use uuid::Uuid;

/// A guardian who can sign in (has an e-mail).
#[derive(Debug, Clone, FromQueryResult)]
pub struct Account {
    pub guardian_id: Uuid,
    pub household_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    /// The saved language (`fr`, `en`), if the guardian chose one.
    pub locale: Option<String>,
}

const ACCOUNT: &str = "SELECT g.id AS guardian_id, g.household_id, g.email, g.first_name, g.last_name, c.password_hash, g.locale
     FROM guardians g LEFT JOIN credentials c ON c.guardian_id = g.id";

pub async fn account_by_email(tx: &TenantTx, email: &str) -> Result<Option<Account>, DbErr> {
    tx.one(
        &format!("{ACCOUNT} WHERE lower(g.email) = lower($1)"),
        [email.into()],
    )
    .await
}

pub async fn account_by_id(tx: &TenantTx, guardian_id: Uuid) -> Result<Option<Account>, DbErr> {
    tx.one(
        &format!("{ACCOUNT} WHERE g.id = $1 AND g.email IS NOT NULL"),
        [guardian_id.into()],
    )
    .await
}

#[derive(FromQueryResult)]
struct Word {
    word: String,
}

#[derive(FromQueryResult)]
struct City {
    city: String,
}

/// First and last names of the household's guardians and children, and its city: what a
/// password must not contain.
pub async fn household_words(
    tx: &TenantTx,
    household_id: Uuid,
) -> Result<(Vec<String>, String), DbErr> {
    let names = tx
        .all::<Word>(
            "SELECT first_name AS word FROM guardians WHERE household_id = $1
             UNION SELECT last_name FROM guardians WHERE household_id = $1
             UNION SELECT first_name FROM children WHERE household_id = $1
             UNION SELECT last_name FROM children WHERE household_id = $1",
            [household_id.into()],
        )
        .await?;
    let city = tx
        .one::<City>(
            "SELECT city FROM households WHERE id = $1",
            [household_id.into()],
        )
        .await?;
    Ok((
        names.into_iter().map(|w| w.word).collect(),
        city.map(|c| c.city).unwrap_or_default(),
    ))
}

/// Marks the account's unused tokens used: their links stop working.
async fn end_tokens(tx: &TenantTx, guardian_id: Uuid, now: DateTime<Utc>) -> Result<u64, DbErr> {
    tx.run(
        "UPDATE password_tokens SET used_at = $2 WHERE guardian_id = $1 AND used_at IS NULL",
        [guardian_id.into(), now.into()],
    )
    .await
}

/// Stores a new reset token; any older unused token of the account stops working.
pub async fn store_token(
    tx: &TenantTx,
    guardian_id: Uuid,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    end_tokens(tx, guardian_id, now).await?;
    tx.run("INSERT INTO password_tokens (token_hash, guardian_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        [token_hash.into(), guardian_id.into(), now.into(), expires_at.into()])
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct TokenOwner {
    guardian_id: Uuid,
}

/// The account a live token opens, the token locked for this transaction.
pub async fn live_token(
    tx: &TenantTx,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let owner = tx
        .one::<TokenOwner>(
            "SELECT guardian_id FROM password_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE",
            [token_hash.into(), now.into()],
        )
        .await?;
    Ok(owner.map(|o| o.guardian_id))
}

/// Sets the password and ends every token of the account.
pub async fn set_password(
    tx: &TenantTx,
    guardian_id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO credentials (guardian_id, password_hash, password_changed_at) VALUES ($1, $2, $3)
         ON CONFLICT (guardian_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, password_changed_at = EXCLUDED.password_changed_at",
        [guardian_id.into(), hash.into(), now.into()])
    .await?;
    end_tokens(tx, guardian_id, now).await?;
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct GuardianRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
    /// The language the guardian chose (`PATCH /me`), if any.
    pub locale: Option<String>,
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct ChildRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct HouseholdRow {
    pub id: Uuid,
    pub address: String,
    pub postal_code: String,
    pub city: String,
}

pub async fn household(
    tx: &TenantTx,
    household_id: Uuid,
) -> Result<(HouseholdRow, Vec<GuardianRow>, Vec<ChildRow>), DbErr> {
    let household = tx
        .one(
            "SELECT id, address, postal_code, city FROM households WHERE id = $1",
            [household_id.into()],
        )
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("household".into()))?;
    let guardians = tx
        .all(
            "SELECT id, first_name, last_name, email, phone, locale FROM guardians WHERE household_id = $1 ORDER BY position",
            [household_id.into()],
        )
        .await?;
    let children = tx
        .all(
            "SELECT id, first_name, last_name FROM children WHERE household_id = $1 ORDER BY birth_date, first_name",
            [household_id.into()],
        )
        .await?;
    Ok((household, guardians, children))
}
