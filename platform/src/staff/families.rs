//! Families for staff: the search (name, child, e-mail or phone; accent- and
//! case-insensitive), a household without medical fields, and the quotient familial that
//! `gestionnaire` and above set (audited; the parent sees it on "Mon foyer" at once).

use super::StaffError;
use super::audited;
use super::auth::StaffSigned;
use crate::household::repository::{self as household_repository, Consent, Criterion, Insurance};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use chrono::NaiveDate;
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longer searches are cut: no name, address or phone is longer.
pub const MAX_QUERY_CHARS: usize = 100;
/// At most this many households per search.
const MAX_RESULTS: i64 = 50;

#[derive(Debug, Clone, Serialize, Deserialize, poem_openapi::Object)]
#[oai(rename = "StaffGuardianSummary")]
pub struct GuardianSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
    /// Whether the guardian has ever chosen a password.
    pub signed_up: bool,
}

/// A child without its medical fields.
#[derive(Debug, Clone, Serialize, Deserialize, poem_openapi::Object)]
#[oai(rename = "StaffChildSummary")]
pub struct ChildSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub school: String,
    pub class: String,
    pub validated: bool,
}

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffHouseholdSummary")]
pub struct HouseholdSummary {
    pub id: Uuid,
    /// The family's name: its first guardian's last name.
    pub name: String,
    pub guardians: Vec<GuardianSummary>,
    pub children: Vec<ChildSummary>,
}

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffHouseholdDetail")]
pub struct HouseholdDetail {
    pub id: Uuid,
    pub name: String,
    pub reference: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub quotient_familial: Option<i32>,
    pub quotient_valid_from: Option<NaiveDate>,
    /// The family document kept as the quotient's proof, if any.
    pub quotient_document_id: Option<Uuid>,
    pub guardians: Vec<GuardianSummary>,
    pub children: Vec<ChildSummary>,
    /// Criteria decided by staff, from the municipality's list.
    pub criteria: Vec<Criterion>,
    pub insurances: Vec<Insurance>,
    /// The documents the family sent, without their files (reading one is audited).
    pub documents: Vec<DocumentLine>,
    /// Each guardian's consents, as they gave or refused them.
    pub consents: Vec<Consent>,
    /// The children's bookings from today on (at most 100, soonest first).
    pub bookings: Vec<BookingLine>,
}

/// A child's booking of a prestation on a day.
#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, poem_openapi::Object)]
#[oai(rename = "StaffBooking")]
pub struct BookingLine {
    pub child_id: Uuid,
    pub first_name: String,
    pub prestation_code: String,
    pub prestation: String,
    pub day: NaiveDate,
}

/// Bookings listed on a household's page, at most.
const MAX_BOOKINGS: i64 = 100;

/// A family document as a household's page lists it.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffDocumentSummary")]
pub struct DocumentLine {
    pub id: Uuid,
    /// The child it concerns, if any ("Théo ALAIN").
    pub person_name: Option<String>,
    pub name: String,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Lower case without French accents, the same on both sides of the comparison.
const FOLD_FROM: &str = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ";
const FOLD_TO: &str = "aaaaaaceeeeiiiinooooouuuuyyoa";

fn fold_sql(expr: &str) -> String {
    format!("translate(lower({expr}), '{FOLD_FROM}', '{FOLD_TO}')")
}

pub fn fold(text: &str) -> String {
    let from: Vec<char> = FOLD_FROM.chars().collect();
    let to: Vec<char> = FOLD_TO.chars().collect();
    text.to_lowercase()
        .chars()
        .map(|c| {
            from.iter()
                .position(|f| *f == c)
                .map(|i| to[i])
                .unwrap_or(c)
        })
        .collect()
}

/// A `LIKE` pattern matching `text` anywhere, its `%`, `_` and `\` taken literally.
pub fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

const GUARDIANS_JSON: &str = "(SELECT coalesce(json_agg(json_build_object('id', g.id, 'first_name', g.first_name, 'last_name', g.last_name, 'email', g.email, 'phone', g.phone, 'signed_up', EXISTS (SELECT 1 FROM credentials cr WHERE cr.guardian_id = g.id)) ORDER BY g.position), '[]') FROM guardians g WHERE g.household_id = h.id)::text";
const CHILDREN_JSON: &str = "(SELECT coalesce(json_agg(json_build_object('id', c.id, 'first_name', c.first_name, 'last_name', c.last_name, 'birth_date', c.birth_date, 'school', c.school, 'class', c.class, 'validated', c.validated_at IS NOT NULL) ORDER BY c.birth_date), '[]') FROM children c WHERE c.household_id = h.id)::text";

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

fn family_name(guardians: &[GuardianSummary], children: &[ChildSummary]) -> String {
    guardians
        .first()
        .map(|g| g.last_name.to_uppercase())
        .or_else(|| children.first().map(|c| c.last_name.to_uppercase()))
        .unwrap_or_default()
}

/// Households matching `query` (an empty query matches none).
pub async fn search_in(tx: &TenantTx, query: &str) -> Result<Vec<HouseholdSummary>, DbErr> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    if query.is_empty() {
        return Ok(vec![]);
    }
    let pattern = like_pattern(&fold(&query));
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone = if digits.len() >= 4 {
        like_pattern(&digits)
    } else {
        String::new()
    };
    let text = format!(
        "SELECT h.id, {GUARDIANS_JSON} AS guardians, {CHILDREN_JSON} AS children
         FROM households h
         WHERE EXISTS (SELECT 1 FROM guardians g WHERE g.household_id = h.id AND (
                 {gf} LIKE $1 ESCAPE '\\' OR {gl} LIKE $1 ESCAPE '\\'
                 OR lower(coalesce(g.email, '')) LIKE $1 ESCAPE '\\'
                 OR ($2 <> '' AND regexp_replace(g.phone, '\\D', '', 'g') LIKE $2 ESCAPE '\\')))
            OR EXISTS (SELECT 1 FROM children c WHERE c.household_id = h.id AND (
                 {cf} LIKE $1 ESCAPE '\\' OR {cl} LIKE $1 ESCAPE '\\'))
         ORDER BY h.reference LIMIT $3",
        gf = fold_sql("g.first_name || ' ' || g.last_name"),
        gl = fold_sql("g.last_name || ' ' || g.first_name"),
        cf = fold_sql("c.first_name || ' ' || c.last_name"),
        cl = fold_sql("c.last_name || ' ' || c.first_name"),
    );
    let rows = tx
        .query_all_raw(sql(
            &text,
            [pattern.into(), phone.into(), MAX_RESULTS.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let guardians: Vec<GuardianSummary> = parse(&r.try_get::<String>("", "guardians")?);
            let children: Vec<ChildSummary> = parse(&r.try_get::<String>("", "children")?);
            Ok(HouseholdSummary {
                id: r.try_get("", "id")?,
                name: family_name(&guardians, &children),
                guardians,
                children,
            })
        })
        .collect()
}

pub async fn search(
    state: &AppState,
    tenant: &CurrentTenant,
    query: &str,
) -> Result<Vec<HouseholdSummary>, StaffError> {
    let tx = tenant.begin(state).await?;
    let found = search_in(&tx, query).await?;
    tx.commit().await?;
    Ok(found)
}

/// Household `id` as staff read it; bookings from `today` on.
pub async fn detail_in(
    tx: &TenantTx,
    id: Uuid,
    today: NaiveDate,
) -> Result<Option<HouseholdDetail>, DbErr> {
    let text = format!(
        "SELECT h.id, h.reference, h.address, h.postal_code, h.city, h.quotient_familial, h.quotient_valid_from, h.quotient_document_id,
                {GUARDIANS_JSON} AS guardians, {CHILDREN_JSON} AS children
         FROM households h WHERE h.id = $1"
    );
    let Some(r) = tx.query_one_raw(sql(&text, [id.into()])).await? else {
        return Ok(None);
    };
    let guardians: Vec<GuardianSummary> = parse(&r.try_get::<String>("", "guardians")?);
    let children: Vec<ChildSummary> = parse(&r.try_get::<String>("", "children")?);
    let documents = crate::documents::repository::for_household(tx, id)
        .await?
        .into_iter()
        .map(|d| DocumentLine {
            id: d.id,
            person_name: d.person_name,
            name: d.name,
            content_type: d.content_type,
            size: d.size,
            created_at: d.created_at,
        })
        .collect();
    let criteria = household_repository::criteria(tx, id).await?;
    let insurances = household_repository::insurances(tx, id).await?;
    let consents = household_repository::consents(tx, id).await?;
    let bookings = tx
        .all(
            "SELECT r.child_id, c.first_name, r.prestation_code, p.name AS prestation, r.day
             FROM reservations r JOIN children c ON c.id = r.child_id
             JOIN prestations p ON p.code = r.prestation_code
             WHERE c.household_id = $1 AND r.day >= $2
             ORDER BY r.day, c.birth_date, p.position LIMIT $3",
            [id.into(), today.into(), MAX_BOOKINGS.into()],
        )
        .await?;
    Ok(Some(HouseholdDetail {
        id: r.try_get("", "id")?,
        name: family_name(&guardians, &children),
        reference: r.try_get("", "reference")?,
        address: r.try_get("", "address")?,
        postal_code: r.try_get("", "postal_code")?,
        city: r.try_get("", "city")?,
        quotient_familial: r.try_get("", "quotient_familial")?,
        quotient_valid_from: r.try_get("", "quotient_valid_from")?,
        quotient_document_id: r.try_get("", "quotient_document_id")?,
        guardians,
        children,
        criteria,
        insurances,
        consents,
        bookings,
        documents,
    }))
}

pub async fn detail(
    state: &AppState,
    tenant: &CurrentTenant,
    id: Uuid,
) -> Result<HouseholdDetail, StaffError> {
    let tx = tenant.begin(state).await?;
    let found = detail_in(&tx, id, paris_today(state)).await?;
    tx.commit().await?;
    found.ok_or(StaffError::NotFound)
}

/// The quotient familial and the date it applies from, as sent (form or JSON).
#[derive(Debug, Clone)]
pub struct QuotientChange {
    pub quotient_familial: Option<i64>,
    pub quotient_valid_from: Option<String>,
    /// A document of the household kept as the proof; `None` keeps none.
    pub quotient_document_id: Option<Uuid>,
}

/// Largest quotient familial accepted (CAF quotients are a few thousand at most).
const MAX_QUOTIENT: i64 = 100_000;

/// Sets the household's quotient familial (audited).
pub async fn set_quotient(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    change: QuotientChange,
    origin: &str,
) -> Result<HouseholdDetail, StaffError> {
    let mut errors = FieldErrors::default();
    let quotient = match change.quotient_familial {
        Some(q) if (0..=MAX_QUOTIENT).contains(&q) => Some(q as i32),
        Some(_) => {
            errors.add(
                "quotient_familial",
                crate::i18n::t_args("staff-quotient-range", &[("max", MAX_QUOTIENT.into())]),
            );
            None
        }
        None => None,
    };
    let valid_from = match change.quotient_valid_from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("quotient_valid_from", crate::i18n::t("field-date-invalid"));
                None
            }
        },
    };
    // A quotient always comes with the date it applies from.
    if change.quotient_familial.is_some() && valid_from.is_none() {
        errors.add("quotient_valid_from", crate::i18n::t("field-required"));
    }
    errors.into_result(())?;
    let tx = tenant.begin(state).await?;
    if let Some(proof) = change.quotient_document_id
        && !tx
            .exists(
                "SELECT 1 FROM documents WHERE id = $1 AND household_id = $2",
                [proof.into(), id.into()],
            )
            .await?
    {
        let mut errors = FieldErrors::default();
        errors.add(
            "quotient_document_id",
            crate::i18n::t("staff-quotient-proof-unknown"),
        );
        return Err(errors.into());
    }
    let done = tx
        .execute_raw(sql(
            "UPDATE households SET quotient_familial = $2, quotient_valid_from = $3, quotient_document_id = $4, updated_at = now() WHERE id = $1",
            [
                id.into(),
                quotient.into(),
                valid_from.into(),
                change.quotient_document_id.into(),
            ],
        ))
        .await?;
    if done.rows_affected() == 0 {
        return Err(StaffError::NotFound);
    }
    let fields = [
        "quotient_familial",
        "quotient_valid_from",
        "quotient_document_id",
    ];
    audited(&tx, by, ("update", "household"), id, id, &fields, origin).await?;
    let detail = detail_in(&tx, id, paris_today(state))
        .await?
        .ok_or(StaffError::NotFound)?;
    tx.commit().await?;
    Ok(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("Éloïse CÔTÉ"), "eloise cote");
        assert_eq!(FOLD_FROM.chars().count(), FOLD_TO.chars().count());
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}

/// What the staff home shows of the families.
#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult)]
pub struct Summary {
    /// Children whose record is not validated.
    pub awaiting_validation: i64,
    /// Guardians with an e-mail who never chose a password.
    pub never_signed_in: i64,
}

pub async fn summary(state: &AppState, tenant: &CurrentTenant) -> Result<Summary, StaffError> {
    let tx = tenant.begin(state).await?;
    let found = tx
        .one::<Summary>(
            "SELECT (SELECT count(*) FROM children WHERE validated_at IS NULL) AS awaiting_validation,
                    (SELECT count(*) FROM guardians g WHERE g.email IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.guardian_id = g.id)) AS never_signed_in",
            [],
        )
        .await?
        .unwrap_or(Summary {
            awaiting_validation: 0,
            never_signed_in: 0,
        });
    tx.commit().await?;
    Ok(found)
}

/// Today in Europe/Paris, by the portal's clock.
pub fn paris_today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}
