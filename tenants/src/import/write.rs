//! Writing a checked file into the tenant schema, in one transaction.

use super::{ImportError, Row, parse};
use crate::database::{TenantTx, sql};
use crate::registry::Tenant;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: u32,
    pub households: Counts,
    pub guardians: Counts,
    pub children: Counts,
    pub enrolments_added: u32,
    pub enrolments_removed: u32,
}

impl ImportReport {
    /// True when the import changed (or, dry, would change) nothing.
    pub fn is_noop(&self) -> bool {
        let untouched = |c: &Counts| c.created == 0 && c.updated == 0;
        untouched(&self.households)
            && untouched(&self.guardians)
            && untouched(&self.children)
            && self.enrolments_added == 0
            && self.enrolments_removed == 0
    }
}

#[derive(FromQueryResult, PartialEq)]
struct HouseholdRow {
    id: Uuid,
    reference: String,
    address: String,
    postal_code: String,
    city: String,
    quotient_familial: Option<i32>,
}

#[derive(FromQueryResult)]
struct GuardianRow {
    id: Uuid,
    household_id: Uuid,
    position: i16,
    last_name: String,
    first_name: String,
    email: Option<String>,
    phone: String,
}

#[derive(FromQueryResult)]
struct EmailOwner {
    email: String,
    reference: String,
    position: i16,
}

#[derive(FromQueryResult)]
struct ChildRow {
    id: Uuid,
    household_id: Uuid,
    import_key: Option<String>,
    last_name: String,
    first_name: String,
    birth_date: NaiveDate,
    birth_city: String,
    school: String,
    class: String,
    diets: Vec<String>,
}

#[derive(FromQueryResult)]
struct EnrolmentRow {
    child_id: Uuid,
    prestation_code: String,
}

/// Checks the file against the municipality's prestations and its existing guardians, then
/// writes it; with `dry_run`, rolls back and only reports what would change.
pub async fn import(
    db: &DatabaseConnection,
    tenant: &Tenant,
    bytes: &[u8],
    today: NaiveDate,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let tx = TenantTx::begin(db, &tenant.schema_name).await?;
    // One import at a time per municipality: two would race on the same natural keys.
    tx.execute_raw(sql(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [format!("import:{}", tenant.schema_name).into()],
    ))
    .await?;
    let prestations: Vec<String> = tx
        .query_all_raw(sql(
            "SELECT code FROM prestations WHERE active ORDER BY position",
            [],
        ))
        .await?
        .iter()
        .map(|r| r.try_get("", "code"))
        .collect::<Result<_, _>>()?;
    let file = parse(bytes, &prestations, today)?;
    check_emails_against_portal(&tx, &file.rows).await?;

    let mut report = ImportReport {
        dry_run,
        rows: file.rows.len() as u32,
        ..Default::default()
    };
    let households = write_households(&tx, &file.rows, &mut report).await?;
    write_guardians(&tx, &file.rows, &households, &mut report).await?;
    write_children(&tx, &file.rows, &households, &mut report).await?;

    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

/// A guardian's e-mail is their sign-in: it may not already belong to someone else.
async fn check_emails_against_portal(tx: &TenantTx, rows: &[Row]) -> Result<(), ImportError> {
    let mut in_file: HashMap<String, (&str, i16, u64)> = HashMap::new();
    for row in rows {
        for (i, g) in row.household.guardians.iter().enumerate() {
            if let Some(email) = &g.email {
                in_file.entry(email.clone()).or_insert((
                    &row.household.reference,
                    i as i16 + 1,
                    row.line,
                ));
            }
        }
    }
    let emails: Vec<String> = in_file.keys().cloned().collect();
    let owners = tx
        .query_all_raw(sql(
            "SELECT lower(g.email) AS email, h.reference, g.position FROM guardians g
             JOIN households h ON h.id = g.household_id WHERE lower(g.email) = ANY($1)",
            [emails.into()],
        ))
        .await?;
    let mut errors = Vec::new();
    for owner in owners {
        let owner = EmailOwner::from_query_result(&owner, "")?;
        let (reference, position, line) = in_file[&owner.email];
        if owner.reference != reference || owner.position != position {
            errors.push(format!(
                "line {line}: e-mail {} already belongs to guardian {} of household \"{}\" in the portal",
                owner.email, owner.position, owner.reference
            ));
        }
    }
    errors.sort();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Invalid(errors))
    }
}

/// Returns the id of each household by reference.
async fn write_households(
    tx: &TenantTx,
    rows: &[Row],
    report: &mut ImportReport,
) -> Result<HashMap<String, Uuid>, ImportError> {
    let mut first_rows: BTreeMap<&str, &Row> = BTreeMap::new();
    for row in rows {
        first_rows.entry(&row.household.reference).or_insert(row);
    }
    let references: Vec<String> = first_rows.keys().map(|r| r.to_string()).collect();
    let existing: HashMap<String, HouseholdRow> = tx
        .query_all_raw(sql(
            "SELECT id, reference, address, postal_code, city, quotient_familial FROM households WHERE reference = ANY($1)",
            [references.into()],
        ))
        .await?
        .iter()
        .map(|r| HouseholdRow::from_query_result(r, "").map(|h| (h.reference.clone(), h)))
        .collect::<Result<_, _>>()?;

    let mut ids = HashMap::new();
    for (reference, row) in first_rows {
        let h = &row.household;
        let wanted = HouseholdRow {
            id: existing.get(reference).map_or_else(Uuid::new_v4, |e| e.id),
            reference: reference.to_string(),
            address: h.address.clone(),
            postal_code: h.postal_code.clone(),
            city: h.city.clone(),
            quotient_familial: h.quotient_familial,
        };
        match existing.get(reference) {
            Some(current) if *current == wanted => report.households.unchanged += 1,
            Some(_) => {
                tx.execute_raw(sql(
                    "UPDATE households SET address = $2, postal_code = $3, city = $4, quotient_familial = $5, updated_at = now() WHERE id = $1",
                    [wanted.id.into(), wanted.address.clone().into(), wanted.postal_code.clone().into(), wanted.city.clone().into(), wanted.quotient_familial.into()],
                ))
                .await?;
                report.households.updated += 1;
            }
            None => {
                tx.execute_raw(sql(
                    "INSERT INTO households (id, reference, address, postal_code, city, quotient_familial) VALUES ($1, $2, $3, $4, $5, $6)",
                    [wanted.id.into(), wanted.reference.clone().into(), wanted.address.clone().into(), wanted.postal_code.clone().into(), wanted.city.clone().into(), wanted.quotient_familial.into()],
                ))
                .await?;
                report.households.created += 1;
            }
        }
        ids.insert(reference.to_string(), wanted.id);
    }
    Ok(ids)
}

async fn write_guardians(
    tx: &TenantTx,
    rows: &[Row],
    households: &HashMap<String, Uuid>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let ids: Vec<Uuid> = households.values().copied().collect();
    let existing: HashMap<(Uuid, i16), GuardianRow> = tx
        .query_all_raw(sql(
            "SELECT id, household_id, position, last_name, first_name, email, phone FROM guardians WHERE household_id = ANY($1)",
            [ids.into()],
        ))
        .await?
        .iter()
        .map(|r| GuardianRow::from_query_result(r, "").map(|g| ((g.household_id, g.position), g)))
        .collect::<Result<_, _>>()?;

    let mut done = HashSet::new();
    for row in rows {
        let household_id = households[&row.household.reference];
        if !done.insert(household_id) {
            continue;
        }
        for (i, g) in row.household.guardians.iter().enumerate() {
            let position = i as i16 + 1;
            match existing.get(&(household_id, position)) {
                Some(e)
                    if e.last_name == g.last_name
                        && e.first_name == g.first_name
                        && e.email.as_deref().map(str::to_lowercase) == g.email
                        && e.phone == g.phone =>
                {
                    report.guardians.unchanged += 1
                }
                Some(e) => {
                    tx.execute_raw(sql(
                        "UPDATE guardians SET last_name = $2, first_name = $3, email = $4, phone = $5, updated_at = now() WHERE id = $1",
                        [e.id.into(), g.last_name.clone().into(), g.first_name.clone().into(), g.email.clone().into(), g.phone.clone().into()],
                    ))
                    .await?;
                    report.guardians.updated += 1;
                }
                None => {
                    tx.execute_raw(sql(
                        "INSERT INTO guardians (id, household_id, position, last_name, first_name, email, phone) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        [Uuid::new_v4().into(), household_id.into(), position.into(), g.last_name.clone().into(), g.first_name.clone().into(), g.email.clone().into(), g.phone.clone().into()],
                    ))
                    .await?;
                    report.guardians.created += 1;
                }
            }
        }
    }
    Ok(())
}

async fn write_children(
    tx: &TenantTx,
    rows: &[Row],
    households: &HashMap<String, Uuid>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let ids: Vec<Uuid> = households.values().copied().collect();
    let existing: HashMap<(Uuid, String), ChildRow> = tx
        .query_all_raw(sql(
            "SELECT id, household_id, import_key, last_name, first_name, birth_date, birth_city, school, class, diets
             FROM children WHERE household_id = ANY($1) AND import_key IS NOT NULL",
            [ids.into()],
        ))
        .await?
        .iter()
        .map(|r| {
            ChildRow::from_query_result(r, "")
                .map(|c| ((c.household_id, c.import_key.clone().unwrap_or_default()), c))
        })
        .collect::<Result<_, _>>()?;
    let child_ids: Vec<Uuid> = existing.values().map(|c| c.id).collect();
    let mut enrolled: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for r in tx
        .query_all_raw(sql(
            "SELECT child_id, prestation_code FROM enrolments WHERE child_id = ANY($1)",
            [child_ids.into()],
        ))
        .await?
    {
        let e = EnrolmentRow::from_query_result(&r, "")?;
        enrolled
            .entry(e.child_id)
            .or_default()
            .insert(e.prestation_code);
    }

    for row in rows {
        let household_id = households[&row.household.reference];
        let child_id = match existing.get(&(household_id, row.import_key())) {
            Some(c)
                if c.last_name == row.last_name
                    && c.first_name == row.first_name
                    && c.birth_date == row.birth_date
                    && c.birth_city == row.birth_city
                    && c.school == row.school
                    && c.class == row.class
                    && c.diets == row.diets =>
            {
                report.children.unchanged += 1;
                c.id
            }
            Some(c) => {
                tx.execute_raw(sql(
                    "UPDATE children SET last_name = $2, first_name = $3, birth_date = $4, birth_city = $5, school = $6, class = $7, diets = $8, updated_at = now() WHERE id = $1",
                    [c.id.into(), row.last_name.clone().into(), row.first_name.clone().into(), row.birth_date.into(), row.birth_city.clone().into(), row.school.clone().into(), row.class.clone().into(), row.diets.clone().into()],
                ))
                .await?;
                report.children.updated += 1;
                c.id
            }
            None => {
                let id = Uuid::new_v4();
                tx.execute_raw(sql(
                    "INSERT INTO children (id, household_id, import_key, last_name, first_name, birth_date, birth_city, school, class, diets) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    [id.into(), household_id.into(), row.import_key().into(), row.last_name.clone().into(), row.first_name.clone().into(), row.birth_date.into(), row.birth_city.clone().into(), row.school.clone().into(), row.class.clone().into(), row.diets.clone().into()],
                ))
                .await?;
                report.children.created += 1;
                id
            }
        };
        let current = enrolled.remove(&child_id).unwrap_or_default();
        let wanted: HashSet<String> = row.prestations.iter().cloned().collect();
        for code in wanted.difference(&current) {
            tx.execute_raw(sql(
                "INSERT INTO enrolments (child_id, prestation_code) VALUES ($1, $2)",
                [child_id.into(), code.clone().into()],
            ))
            .await?;
            report.enrolments_added += 1;
        }
        for code in current.difference(&wanted) {
            tx.execute_raw(sql(
                "DELETE FROM enrolments WHERE child_id = $1 AND prestation_code = $2",
                [child_id.into(), code.clone().into()],
            ))
            .await?;
            report.enrolments_removed += 1;
        }
    }
    Ok(())
}
