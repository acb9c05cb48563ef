//! `/{slug}/enfants` and `/{slug}/enfants/{id}`: the children's records. Each section of the
//! child page is a small form with its "Mettre à jour" button; contacts are added, changed and
//! removed one by one; "Valider cette fiche" certifies the record for the school year.

use super::repository::Contact;
use super::service::{self, ChildChange, ChildDetail, ContactInput};
use crate::auth::pages::see_other;
use crate::family::{WriteError, is_validated, paris_date, school_year_label};
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, NoFields, PathId, SignedInForm, SignedInPage, parse_id};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};
use poem::web::Query;
use poem::{Response, handler};
use portail_tenants::import::DIETS;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

fn french_date(d: NaiveDate) -> String {
    crate::i18n::calendar::short_date(d)
}

fn age(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[handler]
pub async fn list(ctx: SignedInPage<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let signed = &signed;
    let now = state.clock.now();
    let today = paris_date(now);
    let children = service::list(state, tenant, signed)
        .await?
        .into_iter()
        .map(|c| ChildLine {
            id: c.id,
            name: format!("{} {}", c.last_name, c.first_name),
            age: age(c.birth_date, today),
            validated: is_validated(c.validated_at, now),
        })
        .collect();
    Ok(frame.render(
        "enfants",
        "Mes enfants",
        "enfants",
        ChildrenPage { children },
    ))
}

#[derive(Deserialize)]
pub struct PageQuery {
    info: Option<String>,
    /// The section just saved: shown open so the parent sees the change.
    section: Option<String>,
}

const SECTIONS: [&str; 5] = [
    "identite",
    "regimes",
    "medical",
    "contacts",
    "autorisations",
];

/// The page model of `enfants.hbs`.
#[derive(Serialize)]
struct ChildrenPage {
    children: Vec<ChildLine>,
}

#[derive(Serialize)]
struct ChildLine {
    id: Uuid,
    name: String,
    age: u32,
    validated: bool,
}

/// The page model of `enfant.hbs`: the record, its sections, and what a refused form brings
/// back.
#[derive(Serialize)]
struct ChildPage {
    child: ChildView,
    school_year: String,
    structures: Vec<StructureView>,
    diets: Vec<DietChoice>,
    authorizations: Vec<AuthorizationView>,
    authorizations_given: usize,
    contacts: Vec<Contact>,
    pickup_count: usize,
    emergency_count: usize,
    insurances: Vec<InsuranceView>,
    criteria: Vec<CriterionView>,
    criteria_count: usize,
    documents: Vec<DocumentView>,
    documents_count: usize,
    error_summary: Option<String>,
    section: Option<String>,
    details_open: bool,
    /// Field → French message, for each input of the page.
    e: FieldMessages,
    new_contact: NewContact,
    info: Option<String>,
}

#[derive(Serialize)]
struct ChildView {
    id: Uuid,
    name: String,
    first_name: String,
    last_name: String,
    birth_date: String,
    birth_city: String,
    school: String,
    class: String,
    born: String,
    age: u32,
    doctor_name: String,
    doctor_phone: String,
    allergies: String,
    pai: bool,
    medical_notes: String,
    validated: bool,
    validated_on: Option<String>,
    diets_text: String,
}

#[derive(Serialize)]
struct StructureView {
    name: String,
    enrolments: Vec<String>,
    has_enrolments: bool,
}

#[derive(Serialize)]
struct DietChoice {
    value: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct AuthorizationView {
    code: String,
    label: String,
    yes: bool,
    no: bool,
    decided: Option<String>,
}

/// An insurance as the family pages list it.
#[derive(Serialize)]
pub(crate) struct InsuranceView {
    company: String,
    number: String,
    from: String,
    to: String,
}

impl InsuranceView {
    pub(crate) fn of(i: &crate::household::repository::Insurance) -> Self {
        InsuranceView {
            company: i.company.clone(),
            number: i.number.clone(),
            from: i.valid_from.format("%d/%m/%Y").to_string(),
            to: i.valid_to.format("%d/%m/%Y").to_string(),
        }
    }
}

#[derive(Serialize)]
struct CriterionView {
    label: String,
}

#[derive(Serialize)]
struct DocumentView {
    id: Uuid,
    name: String,
    date: String,
}

/// The message of each input of the child page, when the last form refused it.
#[derive(Serialize, Default)]
struct FieldMessages {
    first_name: Option<String>,
    last_name: Option<String>,
    birth_date: Option<String>,
    birth_city: Option<String>,
    school: Option<String>,
    class: Option<String>,
    diets: Option<String>,
    doctor_name: Option<String>,
    doctor_phone: Option<String>,
    allergies: Option<String>,
    medical_notes: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    phone2: Option<String>,
    pickup: Option<String>,
    relation: Option<String>,
}

impl FieldMessages {
    fn of(errors: &FieldErrors) -> Self {
        let err = |key: &str| errors.0.get(key).cloned();
        FieldMessages {
            first_name: err("first_name"),
            last_name: err("last_name"),
            birth_date: err("birth_date"),
            birth_city: err("birth_city"),
            school: err("school"),
            class: err("class"),
            diets: err("diets"),
            doctor_name: err("doctor_name"),
            doctor_phone: err("doctor_phone"),
            allergies: err("allergies"),
            medical_notes: err("medical_notes"),
            name: err("name"),
            phone: err("phone"),
            phone2: err("phone2"),
            pickup: err("pickup"),
            relation: err("relation"),
        }
    }
}

/// The add-contact form as the parent typed it (after a refusal).
#[derive(Serialize, Default)]
struct NewContact {
    name: String,
    relation: String,
    phone: String,
}

fn view_model(
    d: &ChildDetail,
    structures: &[(String, String)],
    now: chrono::DateTime<chrono::Utc>,
    errors: &FieldErrors,
    section: Option<&str>,
    submitted: &HashMap<String, String>,
) -> ChildPage {
    let today = paris_date(now);
    let c = &d.child;
    // After a refused form, show what the parent typed, not the stored value.
    let value = |key: &str, stored: &str| -> String {
        submitted
            .get(key)
            .cloned()
            .unwrap_or_else(|| stored.to_string())
    };
    let paris_day = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Europe::Paris)
            .format("%d/%m/%Y")
            .to_string()
    };
    let structures = structures
        .iter()
        .map(|(code, name)| {
            let enrolments: Vec<String> = d
                .enrolments
                .iter()
                .filter(|e| &e.structure == code)
                .map(|e| e.name.clone())
                .collect();
            StructureView {
                name: name.clone(),
                has_enrolments: !enrolments.is_empty(),
                enrolments,
            }
        })
        .collect();
    let diets = DIETS
        .iter()
        .map(|diet| DietChoice {
            value: diet,
            checked: c.diets.iter().any(|x| x == diet),
        })
        .collect();
    let authorizations = d
        .authorizations
        .iter()
        .map(|(kind, given)| AuthorizationView {
            code: kind.code.clone(),
            label: kind.label.clone(),
            yes: given.as_ref().is_some_and(|g| g.granted),
            no: given.as_ref().is_some_and(|g| !g.granted),
            decided: given.as_ref().map(|g| paris_day(g.decided_at)),
        })
        .collect();
    let born_in = if c.birth_city.is_empty() {
        String::new()
    } else {
        format!(
            " {}",
            crate::i18n::t_args("child-born-in", &[("city", c.birth_city.as_str().into())])
        )
    };
    // The add-contact form keeps what was typed only when that form was refused.
    let typed = |key: &str| {
        (section == Some("contacts"))
            .then(|| submitted.get(key).cloned())
            .flatten()
            .unwrap_or_default()
    };
    ChildPage {
        child: ChildView {
            id: c.id,
            name: format!("{} {}", c.last_name, c.first_name),
            first_name: value("first_name", &c.first_name),
            last_name: value("last_name", &c.last_name),
            birth_date: value("birth_date", &c.birth_date.format("%Y-%m-%d").to_string()),
            birth_city: value("birth_city", &c.birth_city),
            school: value("school", &c.school),
            class: value("class", &c.class),
            born: format!("{}{born_in}", french_date(c.birth_date)),
            age: age(c.birth_date, today),
            doctor_name: value("doctor_name", &c.doctor_name),
            doctor_phone: value("doctor_phone", &c.doctor_phone),
            allergies: value("allergies", &c.allergies),
            pai: c.pai,
            medical_notes: value("medical_notes", &c.medical_notes),
            validated: is_validated(c.validated_at, now),
            validated_on: c.validated_at.map(|v| french_date(paris_date(v))),
            diets_text: if c.diets.is_empty() {
                crate::i18n::t("child-no-diet")
            } else {
                c.diets.join(", ")
            },
        },
        school_year: school_year_label(today),
        structures,
        diets,
        authorizations,
        authorizations_given: d
            .authorizations
            .iter()
            .filter(|(_, g)| g.as_ref().is_some_and(|g| g.granted))
            .count(),
        contacts: d.contacts.clone(),
        pickup_count: d.contacts.iter().filter(|k| k.pickup).count(),
        emergency_count: d.contacts.iter().filter(|k| k.emergency).count(),
        insurances: d.insurances.iter().map(InsuranceView::of).collect(),
        criteria: d
            .criteria
            .iter()
            .map(|k| CriterionView {
                label: k.label.clone(),
            })
            .collect(),
        criteria_count: d.criteria.len(),
        documents: d
            .documents
            .iter()
            .map(|doc| DocumentView {
                id: doc.id,
                name: doc.name.clone(),
                date: paris_day(doc.created_at),
            })
            .collect(),
        documents_count: d.documents.len(),
        error_summary: (!errors.is_empty()).then(|| crate::i18n::t("error-invalid-fields")),
        section: section.map(str::to_string),
        details_open: section.is_some(),
        e: FieldMessages::of(errors),
        new_contact: NewContact {
            name: typed("name"),
            relation: typed("relation"),
            phone: typed("phone"),
        },
        info: None,
    }
}

#[allow(clippy::too_many_arguments)] // the page, and what a refused form brings back
async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    id: Uuid,
    errors: FieldErrors,
    section: Option<&str>,
    submitted: HashMap<String, String>,
    info: Option<&str>,
) -> Result<Response, PageError> {
    let signed = frame.account.as_ref().expect("checked by the caller");
    let Some(detail) = service::detail(state, tenant, signed, id).await? else {
        return Err(PageError::from(Failure::NotFound));
    };
    let mut model = view_model(
        &detail,
        &detail.structures,
        state.clock.now(),
        &errors,
        section,
        &submitted,
    );
    model.info = info.map(str::to_string);
    let title = format!("{} {}", detail.child.first_name, detail.child.last_name);
    Ok(frame.render_with_status(
        "enfant",
        &title,
        "enfants",
        model,
        if errors.is_empty() { 200 } else { 422 },
    ))
}

#[handler]
pub async fn child_page(
    Query(q): Query<PageQuery>,
    ctx: SignedInPage<'_>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, frame, _) = ctx.parts();
    let info = match q.info.as_deref() {
        Some("maj") => Some(crate::i18n::t("household-saved")),
        Some("validee") => Some(crate::i18n::t("child-validated-info")),
        _ => None,
    };
    let section = q.section.as_deref().filter(|s| SECTIONS.contains(s));
    render(
        state,
        tenant,
        &frame,
        id,
        FieldErrors::default(),
        section,
        HashMap::new(),
        info.as_deref(),
    )
    .await
}

fn yes(form: &HashMap<String, String>, key: &str) -> bool {
    matches!(
        form.get(key).map(String::as_str),
        Some("oui" | "on" | "true")
    )
}

/// Saves one section of the child page.
#[handler]
pub async fn save(
    ctx: SignedInForm<'_, Vec<(String, String)>>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
    let map: HashMap<String, String> = form.iter().cloned().collect();
    let section = map.get("section").cloned().unwrap_or_default();
    let get = |k: &str| map.get(k).cloned();
    let change = match section.as_str() {
        "identite" => ChildChange {
            first_name: get("first_name"),
            last_name: get("last_name"),
            birth_date: get("birth_date"),
            birth_city: get("birth_city"),
            school: get("school"),
            class: get("class"),
            ..Default::default()
        },
        "regimes" => ChildChange {
            diets: Some(
                form.iter()
                    .filter(|(k, _)| k == "diets")
                    .map(|(_, v)| v.clone())
                    .collect(),
            ),
            ..Default::default()
        },
        "medical" => ChildChange {
            doctor_name: get("doctor_name"),
            doctor_phone: get("doctor_phone"),
            allergies: get("allergies"),
            pai: Some(yes(&map, "pai")),
            medical_notes: get("medical_notes"),
            ..Default::default()
        },
        "autorisations" => {
            let choices = map
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("auth_")
                        .map(|code| (code.to_string(), v == "oui"))
                })
                .collect();
            ChildChange {
                authorizations: Some(choices),
                ..Default::default()
            }
        }
        _ => return Err(PageError::from(Failure::NotFound)),
    };
    match service::change(state, tenant, &signed, id, change, "page").await {
        Ok(_) => Ok(see_other(format!(
            "/{}/enfants/{id}?info=maj&section={section}#{section}",
            tenant.slug()
        ))),
        Err(WriteError::Invalid(errors)) => {
            render(state, tenant, &frame, id, errors, Some(&section), map, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn validate(
    ctx: SignedInForm<'_, NoFields>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, _, signed, _) = ctx.parts();
    let signed = &signed;
    match service::validate(state, tenant, signed, id, "page").await {
        Ok(_) => Ok(see_other(format!(
            "/{}/enfants/{id}?info=validee",
            tenant.slug()
        ))),
        Err(WriteError::NotFound) => Err(PageError::from(Failure::NotFound)),
        Err(WriteError::Invalid(_)) => Err(PageError::from(Failure::Internal)),
        Err(WriteError::Database(e)) => Err(e.into()),
        Err(e @ WriteError::Unavailable) => Err(e.into()),
    }
}

fn contact_input(map: &HashMap<String, String>) -> ContactInput {
    ContactInput {
        name: map.get("name").cloned(),
        relation: map.get("relation").cloned(),
        phone: map.get("phone").cloned(),
        phone2: map.get("phone2").cloned(),
        pickup: Some(yes(map, "pickup")),
        emergency: Some(yes(map, "emergency")),
    }
}

/// Adds (no contact id), changes, or removes (`action=supprimer`) a contact.
#[handler]
pub async fn save_contact(
    ctx: SignedInForm<'_, HashMap<String, String>>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, map) = ctx.parts();
    let contact = map
        .get("contact")
        .filter(|c| !c.is_empty())
        .map(|c| parse_id(c))
        .transpose()?;
    let result = match (contact, map.get("action").map(String::as_str)) {
        (Some(contact), Some("supprimer")) => {
            service::remove_contact(state, tenant, &signed, id, contact, "page").await
        }
        (Some(contact), _) => service::change_contact(
            state,
            tenant,
            &signed,
            id,
            contact,
            contact_input(&map),
            "page",
        )
        .await
        .map(|_| ()),
        (None, _) => service::add_contact(state, tenant, &signed, id, contact_input(&map), "page")
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(see_other(format!(
            "/{}/enfants/{id}?info=maj&section=contacts#contacts",
            tenant.slug()
        ))),
        Err(WriteError::Invalid(errors)) => {
            render(
                state,
                tenant,
                &frame,
                id,
                errors,
                Some("contacts"),
                map,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::page::render_sample;
    use chrono::{TimeZone, Utc};

    fn detail() -> ChildDetail {
        let child = super::super::repository::Child {
            id: Uuid::nil(),
            first_name: "Théo".into(),
            last_name: "ALAIN <b>".into(),
            birth_date: NaiveDate::from_ymd_opt(2018, 3, 14).unwrap(),
            birth_city: "Lannion".into(),
            school: "École Jules Ferry".into(),
            class: "CE2".into(),
            diets: vec![DIETS[0].to_string()],
            doctor_name: "Dr Martin".into(),
            doctor_phone: "02 96 00 00 01".into(),
            allergies: "Arachide".into(),
            pai: true,
            medical_notes: String::new(),
            validated_at: None,
        };
        ChildDetail {
            child,
            contacts: vec![Contact {
                id: Uuid::from_u128(7),
                name: "Mamie Jeanne".into(),
                relation: "Grand-mère".into(),
                phone: "06 00 00 00 00".into(),
                phone2: String::new(),
                pickup: true,
                emergency: true,
            }],
            authorizations: vec![(
                portail_tenants::config::AuthorizationKind {
                    code: "photo".into(),
                    label: "Droit à l'image".into(),
                },
                None,
            )],
            enrolments: vec![],
            insurances: vec![],
            criteria: vec![],
            documents: vec![],
            structures: vec![("ecole".into(), "École".into())],
        }
    }

    #[tokio::test]
    async fn the_children_list_and_the_child_page_render_from_their_models() {
        let listing = ChildrenPage {
            children: vec![ChildLine {
                id: Uuid::nil(),
                name: "ALAIN <Théo>".into(),
                age: 8,
                validated: false,
            }],
        };
        let html = render_sample("enfants", &listing).await;
        assert!(html.contains("ALAIN &lt;Théo&gt;"), "{html}");

        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let model = view_model(
            &detail(),
            &detail().structures,
            now,
            &FieldErrors::default(),
            None,
            &HashMap::new(),
        );
        let html = render_sample("enfant", &model).await;
        assert!(html.contains("ALAIN &lt;b&gt; Théo"), "{html}");
        assert!(html.contains("Mamie Jeanne") && html.contains("Droit à l&#x27;image"));

        // A refused contact form: the message next to its field, what was typed kept.
        let mut errors = FieldErrors::default();
        errors.add("phone", "Numéro <incomplet>");
        let typed = HashMap::from([("phone".to_string(), "06 12".to_string())]);
        let model = view_model(
            &detail(),
            &detail().structures,
            now,
            &errors,
            Some("contacts"),
            &typed,
        );
        let html = render_sample("enfant", &model).await;
        assert!(html.contains("Numéro &lt;incomplet&gt;") && html.contains("value=\"06 12\""));
    }
}
