//! Queries of children, their contacts, authorisations and enrolments. Every query names the
//! household, so another household's child is not found.

use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Child {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub birth_city: String,
    pub school: String,
    pub class: String,
    pub diets: Vec<String>,
    pub doctor_name: String,
    pub doctor_phone: String,
    pub allergies: String,
    pub pai: bool,
    pub medical_notes: String,
    pub validated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Contact {
    pub id: Uuid,
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub phone2: String,
    pub pickup: bool,
    pub emergency: bool,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Authorization {
    pub code: String,
    pub granted: bool,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Enrolment {
    pub prestation: String,
    pub name: String,
    pub structure: String,
    pub structure_name: String,
}

const CHILD: &str = "SELECT id, first_name, last_name, birth_date, birth_city, school, class, diets, doctor_name, doctor_phone, allergies, pai, medical_notes, validated_at FROM children";

pub async fn children(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Child>, DbErr> {
    tx.all(
        &format!("{CHILD} WHERE household_id = $1 ORDER BY birth_date, first_name"),
        [household_id.into()],
    )
    .await
}

pub async fn child(
    tx: &TenantTx,
    household_id: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<Child>, DbErr> {
    let suffix = if lock { " FOR UPDATE" } else { "" };
    tx.one(
        &format!("{CHILD} WHERE household_id = $1 AND id = $2{suffix}"),
        [household_id.into(), id.into()],
    )
    .await
}

pub async fn update_child(tx: &TenantTx, c: &Child) -> Result<(), DbErr> {
    tx.run("UPDATE children SET first_name = $2, last_name = $3, birth_date = $4, birth_city = $5, school = $6, class = $7,
           diets = $8, doctor_name = $9, doctor_phone = $10, allergies = $11, pai = $12, medical_notes = $13, updated_at = now()
         WHERE id = $1",
        [
            c.id.into(),
            c.first_name.clone().into(),
            c.last_name.clone().into(),
            c.birth_date.into(),
            c.birth_city.clone().into(),
            c.school.clone().into(),
            c.class.clone().into(),
            c.diets.clone().into(),
            c.doctor_name.clone().into(),
            c.doctor_phone.clone().into(),
            c.allergies.clone().into(),
            c.pai.into(),
            c.medical_notes.clone().into(),
        ])
    .await?;
    Ok(())
}

pub async fn validate(tx: &TenantTx, id: Uuid, at: DateTime<Utc>) -> Result<(), DbErr> {
    tx.run(
        "UPDATE children SET validated_at = $2 WHERE id = $1",
        [id.into(), at.into()],
    )
    .await?;
    Ok(())
}

pub async fn contacts(tx: &TenantTx, child_id: Uuid) -> Result<Vec<Contact>, DbErr> {
    tx.all("SELECT id, name, relation, phone, phone2, pickup, emergency FROM contacts WHERE child_id = $1 ORDER BY created_at, name",
        [child_id.into()]).await
}

pub async fn contact(tx: &TenantTx, child_id: Uuid, id: Uuid) -> Result<Option<Contact>, DbErr> {
    tx.one("SELECT id, name, relation, phone, phone2, pickup, emergency FROM contacts WHERE child_id = $1 AND id = $2 FOR UPDATE",
            [child_id.into(), id.into()]).await
}

pub async fn insert_contact(tx: &TenantTx, child_id: Uuid, c: &Contact) -> Result<(), DbErr> {
    tx.run("INSERT INTO contacts (id, child_id, name, relation, phone, phone2, pickup, emergency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [c.id.into(), child_id.into(), c.name.clone().into(), c.relation.clone().into(), c.phone.clone().into(), c.phone2.clone().into(), c.pickup.into(), c.emergency.into()])
    .await?;
    Ok(())
}

pub async fn update_contact(tx: &TenantTx, c: &Contact) -> Result<(), DbErr> {
    tx.run("UPDATE contacts SET name = $2, relation = $3, phone = $4, phone2 = $5, pickup = $6, emergency = $7 WHERE id = $1",
        [c.id.into(), c.name.clone().into(), c.relation.clone().into(), c.phone.clone().into(), c.phone2.clone().into(), c.pickup.into(), c.emergency.into()])
    .await?;
    Ok(())
}

pub async fn delete_contact(tx: &TenantTx, id: Uuid) -> Result<(), DbErr> {
    tx.run("DELETE FROM contacts WHERE id = $1", [id.into()])
        .await?;
    Ok(())
}

pub async fn authorizations(tx: &TenantTx, child_id: Uuid) -> Result<Vec<Authorization>, DbErr> {
    tx.all(
        "SELECT code, granted, decided_at FROM authorizations WHERE child_id = $1",
        [child_id.into()],
    )
    .await
}

pub async fn set_authorization(
    tx: &TenantTx,
    child_id: Uuid,
    code: &str,
    granted: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO authorizations (child_id, code, granted, decided_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (child_id, code) DO UPDATE SET granted = EXCLUDED.granted, decided_at = EXCLUDED.decided_at
         WHERE authorizations.granted IS DISTINCT FROM EXCLUDED.granted",
        [child_id.into(), code.into(), granted.into(), now.into()])
    .await?;
    Ok(())
}

pub async fn enrolments(tx: &TenantTx, child_id: Uuid) -> Result<Vec<Enrolment>, DbErr> {
    tx.all("SELECT p.code AS prestation, p.name, s.code AS structure, s.name AS structure_name
         FROM enrolments e JOIN prestations p ON p.code = e.prestation_code JOIN structures s ON s.code = p.structure_code
         WHERE e.child_id = $1 AND p.active ORDER BY s.name, p.position",
        [child_id.into()]).await
}
