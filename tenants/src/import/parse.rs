//! Reading and checking the CSV file, without the database.

use super::ImportError;
use crate::values::{is_email, is_postal_code, normalize_french_phone, parse_date};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The columns, in the order of the previous software's export.
pub const HEADERS: [&str; 21] = [
    "famille",
    "responsable_nom",
    "responsable_prenom",
    "responsable_email",
    "responsable_telephone",
    "responsable2_nom",
    "responsable2_prenom",
    "responsable2_email",
    "responsable2_telephone",
    "adresse",
    "code_postal",
    "ville",
    "quotient_familial",
    "enfant_nom",
    "enfant_prenom",
    "enfant_date_naissance",
    "enfant_lieu_naissance",
    "ecole",
    "classe",
    "regime",
    "prestations",
];

/// Diets a record may hold (CNIL NS-058: what the child's care needs, no religious labels).
pub const DIETS: [&str; 5] = [
    "sans porc",
    "sans viande",
    "sans gluten",
    "sans lactose",
    "PAI",
];

const MAX_FIELD: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub last_name: String,
    pub first_name: String,
    pub email: Option<String>,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub reference: String,
    pub guardians: Vec<Person>,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub quotient_familial: Option<i32>,
}

/// One child row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub household: Household,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    pub birth_city: String,
    pub school: String,
    pub class: String,
    pub diets: Vec<String>,
    pub prestations: Vec<String>,
}

impl Row {
    /// Identifies the child within its household across imports.
    pub fn import_key(&self) -> String {
        format!(
            "{}|{}",
            self.last_name.to_lowercase(),
            self.first_name.to_lowercase()
        )
    }
}

/// A checked file: its rows, in order.
#[derive(Debug)]
pub struct ImportFile {
    pub rows: Vec<Row>,
}

/// Reads and checks the file. `prestations` are the codes the municipality offers; `today`
/// bounds birth dates.
pub fn parse(
    bytes: &[u8],
    prestations: &[String],
    today: NaiveDate,
) -> Result<ImportFile, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::Invalid(vec![format!(
            "the file is not UTF-8 (byte {}): export it again as UTF-8",
            e.valid_up_to()
        )])
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.matches(';').count() >= header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());

    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Invalid(vec![format!("line 1: {e}")]))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut errors = Vec::new();
    for h in &headers {
        if !HEADERS.contains(&h.as_str()) {
            errors.push(format!(
                "line 1: unknown column \"{h}\" (expected: {})",
                HEADERS.join(";")
            ));
        }
    }
    for h in HEADERS {
        if !headers.iter().any(|x| x == h) {
            errors.push(format!("line 1: missing column \"{h}\""));
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let index: HashMap<&str, usize> = HEADERS
        .iter()
        .map(|h| {
            (
                *h,
                headers.iter().position(|x| x == h).expect("checked above"),
            )
        })
        .collect();

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!(
                    "line {}: {e}",
                    e.position().map_or(0, |p| p.line())
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            errors.push(format!(
                "line {line}: {} fields, expected {}",
                record.len(),
                headers.len()
            ));
            continue;
        }
        let get = |name: &str| record.get(index[name]).unwrap_or("").trim().to_string();
        let mut row_errors = Vec::new();
        let row = check_row(line, &get, prestations, today, &mut row_errors);
        errors.extend(row_errors.into_iter().map(|e| format!("line {line}: {e}")));
        if let Some(row) = row {
            rows.push(row);
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push("the file has no family rows".to_string());
    }
    check_across_rows(&rows, &mut errors);
    if errors.is_empty() {
        Ok(ImportFile { rows })
    } else {
        Err(ImportError::Invalid(errors))
    }
}

fn check_row(
    line: u64,
    get: &dyn Fn(&str) -> String,
    prestations: &[String],
    today: NaiveDate,
    errors: &mut Vec<String>,
) -> Option<Row> {
    for h in HEADERS {
        if get(h).chars().count() > MAX_FIELD {
            errors.push(format!("{h}: longer than {MAX_FIELD} characters"));
        }
        if get(h).chars().any(|c| c.is_control()) {
            errors.push(format!("{h}: contains a control character"));
        }
    }
    let mut required = |name: &str| {
        let v = get(name);
        if v.is_empty() {
            errors.push(format!("{name}: required"));
        }
        v
    };
    let reference = required("famille");
    let g1_last = required("responsable_nom");
    let g1_first = required("responsable_prenom");
    let child_last = required("enfant_nom");
    let child_first = required("enfant_prenom");
    let birth_raw = required("enfant_date_naissance");

    let mut guardians = Vec::new();
    if let Some(p) = person(get, "responsable", g1_last, g1_first, errors) {
        guardians.push(p);
    }
    let (g2_last, g2_first) = (get("responsable2_nom"), get("responsable2_prenom"));
    let g2_any = [
        "responsable2_nom",
        "responsable2_prenom",
        "responsable2_email",
        "responsable2_telephone",
    ]
    .iter()
    .any(|h| !get(h).is_empty());
    if g2_any {
        if g2_last.is_empty() || g2_first.is_empty() {
            errors.push("responsable2_nom and responsable2_prenom: required when a second guardian is given".into());
        } else if let Some(p) = person(get, "responsable2", g2_last, g2_first, errors) {
            guardians.push(p);
        }
    }

    let postal_code = get("code_postal");
    if !postal_code.is_empty() && !is_postal_code(&postal_code) {
        errors.push(format!(
            "code_postal: \"{postal_code}\" is not a postal code (5 digits)"
        ));
    }
    let qf_raw = get("quotient_familial");
    let quotient_familial = if qf_raw.is_empty() {
        None
    } else {
        match qf_raw.parse::<i32>() {
            Ok(q) if q >= 0 => Some(q),
            _ => {
                errors.push(format!(
                    "quotient_familial: \"{qf_raw}\" is not a whole number"
                ));
                None
            }
        }
    };

    let birth_date = match parse_date(&birth_raw) {
        Some(d) if d > today => {
            errors.push(format!(
                "enfant_date_naissance: {birth_raw} is in the future"
            ));
            None
        }
        Some(d) => Some(d),
        None if birth_raw.is_empty() => None,
        None => {
            errors.push(format!(
                "enfant_date_naissance: \"{birth_raw}\" is not a date (JJ/MM/AAAA or AAAA-MM-JJ)"
            ));
            None
        }
    };

    let mut diets = Vec::new();
    for diet in split_list(&get("regime")) {
        match DIETS.iter().find(|d| d.eq_ignore_ascii_case(&diet)) {
            Some(d) => diets.push(d.to_string()),
            None => errors.push(format!(
                "regime: \"{diet}\" is not an allowed diet ({}; religious labels may not be recorded)",
                DIETS.join(", ")
            )),
        }
    }
    let mut codes = Vec::new();
    for code in split_list(&get("prestations")) {
        if prestations.contains(&code) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        } else {
            errors.push(format!("prestations: unknown prestation code \"{code}\""));
        }
    }

    if !errors.is_empty() {
        return None;
    }
    Some(Row {
        line,
        household: Household {
            reference,
            guardians,
            address: get("adresse"),
            postal_code,
            city: get("ville"),
            quotient_familial,
        },
        last_name: child_last,
        first_name: child_first,
        birth_date: birth_date?,
        birth_city: get("enfant_lieu_naissance"),
        school: get("ecole"),
        class: get("classe"),
        diets,
        prestations: codes,
    })
}

fn person(
    get: &dyn Fn(&str) -> String,
    prefix: &str,
    last_name: String,
    first_name: String,
    errors: &mut Vec<String>,
) -> Option<Person> {
    let email = get(&format!("{prefix}_email"));
    let phone = get(&format!("{prefix}_telephone"));
    let mut ok = true;
    if !email.is_empty() && !is_email(&email) {
        errors.push(format!(
            "{prefix}_email: \"{email}\" is not an e-mail address"
        ));
        ok = false;
    }
    let phone = if phone.is_empty() {
        String::new()
    } else {
        match normalize_french_phone(&phone) {
            Some(p) => crate::values::format_french_phone(&p),
            None => {
                errors.push(format!(
                    "{prefix}_telephone: \"{phone}\" is not a phone number"
                ));
                ok = false;
                String::new()
            }
        }
    };
    ok.then(|| Person {
        last_name,
        first_name,
        email: (!email.is_empty()).then(|| email.to_lowercase()),
        phone,
    })
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A household spans several rows (one per child): they must agree. A child appears once and
/// an e-mail belongs to one guardian.
fn check_across_rows(rows: &[Row], errors: &mut Vec<String>) {
    let mut households: BTreeMap<&str, &Row> = BTreeMap::new();
    let mut children: HashMap<(String, String), u64> = HashMap::new();
    let mut emails: HashMap<String, (String, usize, u64)> = HashMap::new();
    for row in rows {
        let reference = row.household.reference.as_str();
        match households.get(reference) {
            Some(first) if first.household != row.household => errors.push(format!(
                "line {}: household \"{reference}\" differs from line {} (guardians, address or quotient familial): the rows of one household must agree",
                row.line, first.line
            )),
            Some(_) => {}
            None => {
                households.insert(reference, row);
                for (position, g) in row.household.guardians.iter().enumerate() {
                    let Some(email) = &g.email else { continue };
                    match emails.get(email) {
                        Some((other, _, line)) => errors.push(format!(
                            "line {}: e-mail {email} is already used by a guardian of household \"{other}\" (line {line})",
                            row.line
                        )),
                        None => {
                            emails.insert(email.clone(), (reference.to_string(), position, row.line));
                        }
                    }
                }
            }
        }
        let key = (reference.to_string(), row.import_key());
        if let Some(line) = children.insert(key, row.line) {
            errors.push(format!(
                "line {}: child {} {} of household \"{reference}\" already appears on line {line}",
                row.line, row.last_name, row.first_name
            ));
        }
    }
}
