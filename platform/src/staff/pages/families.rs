//! The families: the search, a household and its quotient familial.

use super::InfoQuery;
use crate::http::errors::PageError;
use crate::http::page::PathId;
use crate::i18n::{t, t_args};
use crate::staff::auth::StaffSigned;
use crate::staff::families::{self, HouseholdDetail, HouseholdSummary, QuotientChange};
use crate::staff::guard::{StaffForm, StaffFrame, StaffPage, StaffView};
use crate::staff::{Accueil, Gestionnaire, Role, StaffError};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct SearchPage {
    pub info: Option<String>,
    pub can_invite: bool,
    pub q: String,
    pub searched: bool,
    pub households: Vec<HouseholdSummary>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

const FAMILIES: StaffView = StaffView {
    template: "staff_familles",
    title: "title-staff-families",
    nav: "familles",
};

#[handler]
pub async fn families_page(
    Query(query): Query<SearchQuery>,
    Query(info): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let q: String = query
        .q
        .unwrap_or_default()
        .chars()
        .take(families::MAX_QUERY_CHARS)
        .collect();
    let households = families::search(&page.state, &page.tenant, &q).await?;
    let model = SearchPage {
        info: info.message(),
        can_invite: page.member.role.allows(Role::Gestionnaire),
        searched: !q.trim().is_empty(),
        q,
        households,
    };
    Ok(page.frame.show(&FAMILIES, &model, 200))
}

/// A family document as the household's page lists it.
#[derive(Serialize)]
pub struct DocumentRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub person: Option<String>,
    pub sent_on: String,
    pub size: String,
}

/// A criterion or an insurance as the household's page lists it.
#[derive(Serialize)]
pub struct RecordRow {
    pub id: uuid::Uuid,
    /// "Parent isolé", "MAIF n° 123 (01/09/2026 – 31/08/2027)".
    pub text: String,
    /// The child it concerns, or the whole family.
    pub person: String,
}

/// A choice of a select: its value, its label, whether it is chosen.
#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The form of the page a refusal belongs to (its message is shown there).
#[derive(Serialize, Default)]
pub struct Failed {
    pub quotient: bool,
    pub criterion: bool,
    pub insurance: bool,
}

/// What an insurance form held when it was refused.
#[derive(Serialize, Default)]
pub struct InsuranceValues {
    pub company: String,
    pub number: String,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Serialize)]
pub struct HouseholdPage {
    pub household: HouseholdDetail,
    pub documents: Vec<DocumentRow>,
    pub criteria: Vec<RecordRow>,
    pub insurances: Vec<RecordRow>,
    /// "Paul ALAIN : Recevoir par e-mail… : accepté le 01/09/2026".
    pub consents: Vec<String>,
    /// "lundi 18 janvier 2027 : Théo, Repas enfant".
    pub bookings: Vec<String>,
    /// The municipality's criteria, to choose from.
    pub criteria_choices: Vec<Choice>,
    /// The family or one of its children.
    pub person_choices: Vec<Choice>,
    /// The household's documents, to keep one as the quotient's proof.
    pub proof_choices: Vec<Choice>,
    /// Which form a refusal belongs to.
    pub failed: Failed,
    pub insurance: InsuranceValues,
    pub can_edit: bool,
    /// Admins open the household's audit.
    pub can_audit: bool,
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub quotient_value: String,
    pub valid_from_value: String,
}

fn french_date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub(super) fn household_model(
    household: HouseholdDetail,
    member: &StaffSigned,
    criteria: &[String],
) -> HouseholdPage {
    let person = |child: Option<uuid::Uuid>| {
        child
            .and_then(|id| household.children.iter().find(|c| c.id == id))
            .map(|c| format!("{} {}", c.first_name, c.last_name))
            .unwrap_or_else(|| t("staff-records-family"))
    };
    let guardian = |id: uuid::Uuid| {
        household
            .guardians
            .iter()
            .find(|g| g.id == id)
            .map(|g| format!("{} {}", g.first_name, g.last_name))
            .unwrap_or_default()
    };
    HouseholdPage {
        consents: household
            .consents
            .iter()
            .map(|c| {
                let key = if c.granted {
                    "staff-consent-granted"
                } else {
                    "staff-consent-refused"
                };
                t_args(
                    key,
                    &[
                        ("guardian", guardian(c.guardian_id).into()),
                        ("label", t(&format!("consent-{}", c.code)).into()),
                        (
                            "date",
                            c.decided_at
                                .with_timezone(&chrono_tz::Europe::Paris)
                                .format("%d/%m/%Y")
                                .to_string()
                                .into(),
                        ),
                    ],
                )
            })
            .collect(),
        bookings: household
            .bookings
            .iter()
            .map(|b| {
                t_args(
                    "staff-booking-line",
                    &[
                        ("day", crate::i18n::calendar::day_with_year(b.day).into()),
                        ("child", b.first_name.clone().into()),
                        ("prestation", b.prestation.clone().into()),
                    ],
                )
            })
            .collect(),
        criteria: household
            .criteria
            .iter()
            .map(|c| RecordRow {
                id: c.id,
                text: t_args(
                    "staff-criterion-line",
                    &[
                        ("label", c.label.clone().into()),
                        ("date", french_date(c.decided_at).into()),
                    ],
                ),
                person: person(c.child_id),
            })
            .collect(),
        insurances: household
            .insurances
            .iter()
            .map(|i| RecordRow {
                id: i.id,
                text: t_args(
                    "insurance-line",
                    &[
                        ("company", i.company.clone().into()),
                        ("number", i.number.clone().into()),
                        ("from", french_date(i.valid_from).into()),
                        ("to", french_date(i.valid_to).into()),
                    ],
                ),
                person: person(i.child_id),
            })
            .collect(),
        criteria_choices: criteria
            .iter()
            .map(|c| Choice {
                value: c.clone(),
                label: c.clone(),
                selected: false,
            })
            .collect(),
        person_choices: std::iter::once(Choice {
            value: String::new(),
            label: t("staff-records-family"),
            selected: true,
        })
        .chain(household.children.iter().map(|c| Choice {
            value: c.id.to_string(),
            label: format!("{} {}", c.first_name, c.last_name),
            selected: false,
        }))
        .collect(),
        proof_choices: std::iter::once(Choice {
            value: String::new(),
            label: t("staff-quotient-proof-none"),
            selected: household.quotient_document_id.is_none(),
        })
        .chain(household.documents.iter().map(|d| Choice {
            value: d.id.to_string(),
            label: d.name.clone(),
            selected: household.quotient_document_id == Some(d.id),
        }))
        .collect(),
        failed: Failed::default(),
        insurance: InsuranceValues::default(),
        documents: household
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: d.id,
                name: d.name.clone(),
                person: d.person_name.clone(),
                sent_on: d
                    .created_at
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .format("%d/%m/%Y")
                    .to_string(),
                size: crate::documents::service::french_size(d.size.max(0) as u64),
            })
            .collect(),
        can_edit: member.role.allows(Role::Gestionnaire),
        can_audit: member.role.allows(Role::Admin),
        quotient_value: household
            .quotient_familial
            .map(|q| q.to_string())
            .unwrap_or_default(),
        valid_from_value: household
            .quotient_valid_from
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        household,
        info: None,
        error: None,
        errors: BTreeMap::new(),
    }
}

/// The model of household `id`'s page, with the municipality's criteria.
pub(super) async fn household_model_of(
    state: &AppState,
    tenant: &CurrentTenant,
    id: uuid::Uuid,
    member: &StaffSigned,
) -> Result<HouseholdPage, StaffError> {
    let household = families::detail(state, tenant, id).await?;
    let config = crate::tenancy::config(state, tenant).await?;
    Ok(household_model(household, member, &config.criteria))
}

/// A household's page, titled with its name.
pub(super) fn household_page_of(
    frame: &StaffFrame,
    model: &HouseholdPage,
    status: u16,
) -> Response {
    let title = &model.household.name;
    frame.render("staff_foyer", title, "familles", model, status)
}

/// The household's page again after one of its forms was refused (422): `fill` marks the
/// form and puts back what was typed.
pub(super) async fn refused_form<F>(
    page: &StaffForm<Gestionnaire, F>,
    id: uuid::Uuid,
    errors: FieldErrors,
    fill: impl FnOnce(&mut HouseholdPage),
) -> Result<Response, PageError> {
    let mut model = household_model_of(&page.state, &page.tenant, id, &page.member).await?;
    model.error = Some(t("error-invalid-fields"));
    model.errors = errors.0;
    fill(&mut model);
    Ok(household_page_of(&page.frame, &model, 422))
}

#[handler]
pub async fn household_page(
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let mut model = household_model_of(&page.state, &page.tenant, id, &page.member).await?;
    model.info = query.message();
    Ok(household_page_of(&page.frame, &model, 200))
}

#[derive(Deserialize)]
pub struct QuotientForm {
    quotient_familial: Option<String>,
    quotient_valid_from: Option<String>,
    /// A document id, or empty for no proof.
    quotient_document_id: Option<String>,
}

#[handler]
pub async fn set_quotient(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, QuotientForm>,
) -> Result<Response, PageError> {
    let raw = page.form.quotient_familial.clone().unwrap_or_default();
    // An id that is no document of the household is refused by the service.
    let proof = page
        .form
        .quotient_document_id
        .as_deref()
        .and_then(|p| uuid::Uuid::parse_str(p.trim()).ok());
    let quotient = match raw.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let result = match quotient {
        Ok(quotient_familial) => {
            families::set_quotient(
                &page.state,
                &page.tenant,
                &page.member,
                id,
                QuotientChange {
                    quotient_familial,
                    quotient_valid_from: page.form.quotient_valid_from.clone(),
                    quotient_document_id: proof,
                },
                "page",
            )
            .await
        }
        Err(()) => {
            let mut errors = FieldErrors::default();
            errors.add("quotient_familial", t("staff-quotient-number"));
            Err(StaffError::Invalid(errors))
        }
    };
    match result {
        Ok(_) => Ok(page.frame.redirect(&format!("familles/{id}?info=quotient"))),
        Err(StaffError::Invalid(errors)) => {
            let valid_from = page.form.quotient_valid_from.clone().unwrap_or_default();
            refused_form(&page, id, errors, |model| {
                model.failed.quotient = true;
                model.quotient_value = raw;
                model.valid_from_value = valid_from;
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A family document's file: an audited read, which the family sees.
#[handler]
pub async fn document(PathId(id): PathId, page: StaffPage<Accueil>) -> Result<Response, PageError> {
    let file =
        crate::staff::documents::read(&page.state, &page.tenant, &page.member, id, "page").await?;
    Ok(crate::messaging::pages::file_response(file))
}
