//! Daily counts for the kitchen and attendance lists for the staff on the day: per
//! prestation, how many children are booked, with their diets and PAI flags, per school and
//! class; the list of the booked children with their emergency contacts, printable and as
//! CSV whose cells cannot be read as spreadsheet formulas.

use super::StaffError;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::NaiveDate;
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffClassCount")]
pub struct ClassCount {
    pub school: String,
    pub class: String,
    pub booked: i64,
}

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffPrestationCount")]
pub struct PrestationCount {
    pub code: String,
    pub name: String,
    pub booked: i64,
    pub capacity: Option<i32>,
    /// Diet → number of booked children with it (`"sans porc": 3`).
    pub diets: BTreeMap<String, i64>,
    /// Booked children with a PAI.
    pub pai: i64,
    pub classes: Vec<ClassCount>,
}

#[derive(FromQueryResult)]
struct CountRow {
    code: String,
    name: String,
    capacity: Option<i32>,
    booked: i64,
    pai: i64,
}

#[derive(FromQueryResult)]
struct DietRow {
    code: String,
    diet: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct ClassRow {
    code: String,
    school: String,
    class: String,
    n: i64,
}

pub async fn counts_in(tx: &TenantTx, day: NaiveDate) -> Result<Vec<PrestationCount>, DbErr> {
    let rows: Vec<CountRow> = tx
        .all(
            "SELECT p.code, p.name, p.capacity, count(r.child_id) AS booked,
                    count(r.child_id) FILTER (WHERE c.pai) AS pai
             FROM prestations p
             LEFT JOIN reservations r ON r.prestation_code = p.code AND r.day = $1
             LEFT JOIN children c ON c.id = r.child_id
             WHERE p.active
             GROUP BY p.code, p.name, p.capacity, p.position ORDER BY p.position, p.code",
            [day.into()],
        )
        .await?;
    let diets: Vec<DietRow> = tx
        .all(
            "SELECT r.prestation_code AS code, d AS diet, count(*) AS n
             FROM reservations r JOIN children c ON c.id = r.child_id, unnest(c.diets) AS d
             WHERE r.day = $1 GROUP BY 1, 2",
            [day.into()],
        )
        .await?;
    let classes: Vec<ClassRow> = tx
        .all(
            "SELECT r.prestation_code AS code, c.school, c.class, count(*) AS n
             FROM reservations r JOIN children c ON c.id = r.child_id
             WHERE r.day = $1 GROUP BY 1, 2, 3 ORDER BY 2, 3",
            [day.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| PrestationCount {
            diets: diets
                .iter()
                .filter(|d| d.code == r.code)
                .map(|d| (d.diet.clone(), d.n))
                .collect(),
            classes: classes
                .iter()
                .filter(|c| c.code == r.code)
                .map(|c| ClassCount {
                    school: c.school.clone(),
                    class: c.class.clone(),
                    booked: c.n,
                })
                .collect(),
            code: r.code,
            name: r.name,
            capacity: r.capacity,
            booked: r.booked,
            pai: r.pai,
        })
        .collect())
}

pub async fn counts(
    state: &AppState,
    tenant: &CurrentTenant,
    day: NaiveDate,
) -> Result<Vec<PrestationCount>, StaffError> {
    let tx = tenant.begin(state).await?;
    let found = counts_in(&tx, day).await?;
    tx.commit().await?;
    Ok(found)
}

/// One booked child on the attendance sheet.
#[derive(Debug, Clone, Serialize, FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffAttendanceLine")]
pub struct AttendanceLine {
    pub last_name: String,
    pub first_name: String,
    pub school: String,
    pub class: String,
    pub diets: Vec<String>,
    pub pai: bool,
    /// Emergency contacts, then the guardians: "Name (relation) phone", one per entry.
    pub contacts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffAttendance")]
pub struct Attendance {
    pub date: NaiveDate,
    pub prestation: String,
    pub name: String,
    pub children: Vec<AttendanceLine>,
}

#[derive(FromQueryResult)]
struct PrestationName {
    name: String,
}

pub async fn attendance(
    state: &AppState,
    tenant: &CurrentTenant,
    day: NaiveDate,
    prestation: &str,
) -> Result<Attendance, StaffError> {
    let tx = tenant.begin(state).await?;
    let name = tx
        .one::<PrestationName>(
            "SELECT name FROM prestations WHERE code = $1",
            [prestation.into()],
        )
        .await?
        .ok_or(StaffError::NotFound)?
        .name;
    let children: Vec<AttendanceLine> = tx
        .all(
            "SELECT c.last_name, c.first_name, c.school, c.class, c.diets, c.pai,
                    array(SELECT k.name || CASE WHEN k.relation <> '' THEN ' (' || k.relation || ')' ELSE '' END || ' ' || k.phone
                          FROM contacts k WHERE k.child_id = c.id AND k.emergency ORDER BY k.created_at)
                    || array(SELECT g.first_name || ' ' || g.last_name || ' ' || g.phone
                             FROM guardians g WHERE g.household_id = c.household_id AND g.phone <> '' ORDER BY g.position) AS contacts
             FROM reservations r JOIN children c ON c.id = r.child_id
             WHERE r.day = $1 AND r.prestation_code = $2
             ORDER BY c.school, c.class, c.last_name, c.first_name",
            [day.into(), prestation.into()],
        )
        .await?;
    tx.commit().await?;
    Ok(Attendance {
        date: day,
        prestation: prestation.to_string(),
        name,
        children,
    })
}

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@` (or a tab or
/// carriage return, which some spreadsheets skip before those) gets a leading `'`.
pub fn safe_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The attendance list as CSV (`;`-separated, as French spreadsheets expect, with a BOM so
/// accents open right).
pub fn to_csv(list: &Attendance) -> String {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let header = [
        crate::i18n::t("staff-csv-last-name"),
        crate::i18n::t("staff-csv-first-name"),
        crate::i18n::t("staff-csv-school"),
        crate::i18n::t("staff-csv-class"),
        crate::i18n::t("staff-diets"),
        crate::i18n::t("staff-pai"),
        crate::i18n::t("staff-contacts"),
    ];
    let _ = writer.write_record(&header);
    for c in &list.children {
        let pai = if c.pai {
            crate::i18n::t("common-yes")
        } else {
            crate::i18n::t("common-no")
        };
        let record = [
            &c.last_name,
            &c.first_name,
            &c.school,
            &c.class,
            &c.diets.join(", "),
            &pai,
            &c.contacts.join(" / "),
        ]
        .map(|cell| safe_cell(cell));
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(safe_cell("=1+1"), "'=1+1");
        assert_eq!(safe_cell("+33 6"), "'+33 6");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("ALAIN"), "ALAIN");
        let list = Attendance {
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            prestation: "repas".into(),
            name: "Repas".into(),
            children: vec![AttendanceLine {
                last_name: "=HYPERLINK(\"http://x\")".into(),
                first_name: "Théo".into(),
                school: "École".into(),
                class: "CM1".into(),
                diets: vec!["sans porc".into()],
                pai: true,
                contacts: vec!["Mamie 06 12".into()],
            }],
        };
        let csv = to_csv(&list);
        assert!(csv.starts_with('\u{feff}'));
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\";Théo"),
            "{csv}"
        );
    }
}
