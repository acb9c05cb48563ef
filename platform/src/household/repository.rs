//! Queries of the household, its guardians, insurances, criteria and consents. Every query
//! names the household: a guardian of another household is simply not found.

use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Household {
    pub id: Uuid,
    pub reference: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub quotient_familial: Option<i32>,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Guardian {
    pub id: Uuid,
    pub position: i16,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: String,
    pub work_phone: String,
    pub profession: String,
    pub employer: String,
    pub relation: String,
    pub parental_authority: bool,
}

/// An insurance of the household or of one of its children.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffInsurance")]
pub struct Insurance {
    pub id: Uuid,
    /// The child it covers; `null` for the household.
    pub child_id: Option<Uuid>,
    pub company: String,
    pub number: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// A criterion of the household or of one of its children.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffCriterion")]
pub struct Criterion {
    pub id: Uuid,
    /// The child it concerns; `null` for the household.
    pub child_id: Option<Uuid>,
    pub label: String,
    pub decided_at: NaiveDate,
}

/// A guardian's consent.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffConsent")]
pub struct Consent {
    pub guardian_id: Uuid,
    pub code: String,
    pub granted: bool,
    pub decided_at: DateTime<Utc>,
}

pub async fn household(tx: &TenantTx, id: Uuid) -> Result<Option<Household>, DbErr> {
    tx.one("SELECT id, reference, address, postal_code, city, quotient_familial FROM households WHERE id = $1", [id.into()]).await
}

const GUARDIAN: &str = "SELECT id, position, civility, first_name, last_name, birth_date, email, phone, work_phone, profession, employer, relation, parental_authority FROM guardians";

pub async fn guardians(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Guardian>, DbErr> {
    tx.all(
        &format!("{GUARDIAN} WHERE household_id = $1 ORDER BY position"),
        [household_id.into()],
    )
    .await
}

/// A guardian of this household, locked for update.
pub async fn guardian_for_update(
    tx: &TenantTx,
    household_id: Uuid,
    id: Uuid,
) -> Result<Option<Guardian>, DbErr> {
    tx.one(
        &format!("{GUARDIAN} WHERE household_id = $1 AND id = $2 FOR UPDATE"),
        [household_id.into(), id.into()],
    )
    .await
}

pub async fn insurances(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Insurance>, DbErr> {
    tx.all("SELECT id, child_id, company, number, valid_from, valid_to FROM insurances WHERE household_id = $1 ORDER BY valid_to DESC, company",
        [household_id.into()]).await
}

pub async fn criteria(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Criterion>, DbErr> {
    tx.all("SELECT id, child_id, label, decided_at FROM criteria WHERE household_id = $1 ORDER BY decided_at, label",
        [household_id.into()]).await
}

pub async fn consents(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Consent>, DbErr> {
    tx.all("SELECT c.guardian_id, c.code, c.granted, c.decided_at FROM consents c
         JOIN guardians g ON g.id = c.guardian_id WHERE g.household_id = $1 ORDER BY g.position, c.code",
        [household_id.into()]).await
}

pub async fn update_address(
    tx: &TenantTx,
    id: Uuid,
    address: &str,
    postal_code: &str,
    city: &str,
) -> Result<(), DbErr> {
    tx.run("UPDATE households SET address = $2, postal_code = $3, city = $4, updated_at = now() WHERE id = $1",
        [id.into(), address.into(), postal_code.into(), city.into()])
    .await?;
    Ok(())
}

pub async fn update_guardian(tx: &TenantTx, g: &Guardian) -> Result<(), DbErr> {
    tx.run("UPDATE guardians SET civility = $2, first_name = $3, last_name = $4, birth_date = $5, email = $6, phone = $7,
           work_phone = $8, profession = $9, employer = $10, relation = $11, parental_authority = $12, updated_at = now()
         WHERE id = $1",
        [
            g.id.into(),
            g.civility.clone().into(),
            g.first_name.clone().into(),
            g.last_name.clone().into(),
            g.birth_date.into(),
            g.email.clone().into(),
            g.phone.clone().into(),
            g.work_phone.clone().into(),
            g.profession.clone().into(),
            g.employer.clone().into(),
            g.relation.clone().into(),
            g.parental_authority.into(),
        ])
    .await?;
    Ok(())
}

/// Whether another guardian of the municipality already signs in with `email`.
pub async fn email_taken(tx: &TenantTx, email: &str, except: Uuid) -> Result<bool, DbErr> {
    tx.exists(
        "SELECT 1 AS one FROM guardians WHERE lower(email) = lower($1) AND id <> $2",
        [email.into(), except.into()],
    )
    .await
}

pub async fn set_consent(
    tx: &TenantTx,
    guardian_id: Uuid,
    code: &str,
    granted: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO consents (guardian_id, code, granted, decided_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (guardian_id, code) DO UPDATE SET granted = EXCLUDED.granted, decided_at = EXCLUDED.decided_at
         WHERE consents.granted IS DISTINCT FROM EXCLUDED.granted",
        [guardian_id.into(), code.into(), granted.into(), now.into()])
    .await?;
    Ok(())
}
