//! `/{slug}/enfants` and `/{slug}/enfants/{id}`: the children's records. The child page is a
//! read-only summary; "Modifier" (`?modifier=section`, a plain link) shows one section as its
//! form; each answer lands on its section or contact with its own message. Contacts are added,
//! changed and removed one by one, a removal confirmed first (`?supprimer=id`, then
//! `confirme=oui`); "Valider cette fiche", at the end, certifies the record for the school year.

use super::repository::Contact;
use super::service::{self, ChildChange, ChildDetail, ContactInput};
use crate::auth::pages::see_other;
use crate::family::{WriteError, is_validated, paris_date, school_year_label};
use crate::http::errors::{Failure, PageError};
use crate::http::form_errors::{ErrorSummary, FormField};
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

/// "7 juillet 2016": a birth date, a contract's bounds.
fn french_date(d: NaiveDate) -> String {
    crate::i18n::calendar::long_date(d)
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
            name: crate::family::person_name(&c.first_name, &c.last_name),
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

/// The page model of `enfant.hbs`: a read-only summary of each section, the one being
/// edited as its form, and what a refused form brings back.
#[derive(Serialize)]
struct ChildPage {
    child: ChildView,
    school_year: String,
    structures: Vec<StructureView>,
    diets: Vec<DietChoice>,
    /// The child has the "PAI" diet, asked in the medical section only: kept by the diets form.
    keep_pai: bool,
    authorizations: Vec<AuthorizationView>,
    authorizations_given: usize,
    contacts: Vec<ContactView>,
    pickup_count: usize,
    emergency_count: usize,
    insurances: Vec<InsuranceView>,
    criteria: Vec<CriterionView>,
    criteria_count: usize,
    documents: Vec<DocumentView>,
    documents_count: usize,
    /// The section shown as its form ("identite", "regimes", "medical", "autorisations").
    edit: Option<String>,
    /// The section where `info` is said (the one just saved).
    section: Option<String>,
    info: Option<String>,
    /// The error summary of the section being edited.
    summary: Option<ErrorSummary>,
    /// Field → French message, for each input of the sections.
    e: FieldMessages,
    new_contact: NewContact,
}

/// A contact: its summary, or its form (being edited), or the confirmation of its removal.
#[derive(Serialize)]
struct ContactView {
    /// As stored.
    #[serde(flatten)]
    contact: Contact,
    editing: bool,
    confirming: bool,
    /// The confirmation of its change, next to it.
    notice: Option<String>,
    summary: Option<ErrorSummary>,
    e: ContactMessages,
    /// The form's values: what was typed after a refusal, else the stored ones.
    values: Contact,
}

#[derive(Serialize, Default)]
struct ContactMessages {
    name: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    phone2: Option<String>,
    pickup: Option<String>,
}

impl ContactMessages {
    fn of(errors: &FieldErrors) -> Self {
        let err = |key: &str| errors.0.get(key).cloned();
        ContactMessages {
            name: err("name"),
            relation: err("relation"),
            phone: err("phone"),
            phone2: err("phone2"),
            pickup: err("pickup"),
        }
    }
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
    /// "7 juil. 2016", for the identity summary.
    born_on: String,
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
            from: french_date(i.valid_from),
            to: french_date(i.valid_to),
        }
    }
}

/// A criterion of the household as the family pages list it, with when it was decided.
#[derive(Serialize)]
pub(crate) struct CriterionView {
    label: String,
    decided: String,
}

impl CriterionView {
    pub(crate) fn of(c: &crate::household::repository::Criterion) -> Self {
        CriterionView {
            label: c.label.clone(),
            decided: crate::i18n::calendar::long_date(c.decided_at),
        }
    }
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
    /// The add-contact form's, on the same page.
    #[serde(flatten)]
    contact: ContactMessages,
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
            contact: ContactMessages::of(errors),
        }
    }
}

/// The add-contact form as the parent typed it (after a refusal).
#[derive(Serialize, Default)]
struct NewContact {
    name: String,
    relation: String,
    phone: String,
    pickup: bool,
    emergency: bool,
    summary: Option<ErrorSummary>,
    e: ContactMessages,
}

/// What the page shows besides the record: the form open, where a message goes, the
/// contact whose removal waits for a confirmation.
#[derive(Default)]
struct View<'a> {
    /// A section, or `contact-{id}`, or `contact-nouveau`.
    edit: Option<&'a str>,
    section: Option<&'a str>,
    info: Option<String>,
    /// The contact the message is about.
    contact: Option<Uuid>,
    confirm_delete: Option<Uuid>,
}

/// The fields of each form of the page, for its error summary: (error key, input id, label
/// key).
fn form_fields(edit: &str) -> Vec<FormField<'static>> {
    let field = |key: &'static str, input: String, label: &str| FormField {
        key,
        input,
        label: crate::i18n::t(label),
    };
    match edit {
        "identite" => [
            ("last_name", "child-last-name"),
            ("first_name", "child-first-name"),
            ("birth_date", "child-birth-date"),
            ("birth_city", "child-birth-city"),
            ("school", "child-school"),
            ("class", "child-class"),
        ]
        .iter()
        .map(|(k, l)| field(k, format!("f-{k}"), l))
        .collect(),
        "regimes" => vec![field("diets", "f-diets".into(), "child-diets-title")],
        "medical" => vec![
            field("doctor_name", "f-doctor_name".into(), "child-doctor"),
            field(
                "doctor_phone",
                "f-doctor_phone".into(),
                "child-doctor-phone",
            ),
            field("allergies", "allergies".into(), "child-allergies"),
            field("pai", "f-pai".into(), "child-pai"),
            field(
                "medical_notes",
                "medical_notes".into(),
                "child-medical-notes",
            ),
        ],
        "contact-nouveau" => vec![
            field("name", "f-name".into(), "contact-name"),
            field("relation", "f-relation".into(), "contact-relation"),
            field("phone", "f-phone".into(), "contact-phone"),
            field("pickup", "f-pickup".into(), "contact-can"),
        ],
        _ => match edit.strip_prefix("contact-") {
            Some(id) => vec![
                field("name", format!("nom-{id}"), "contact-name"),
                field("relation", format!("lien-{id}"), "contact-relation"),
                field("phone", format!("tel-{id}"), "contact-phone"),
                field("phone2", format!("tel2-{id}"), "contact-phone2"),
                field("pickup", format!("pickup-{id}"), "contact-can"),
            ],
            None => Vec::new(),
        },
    }
}

fn summary_of(edit: &str, errors: &FieldErrors) -> Option<ErrorSummary> {
    let intro = crate::i18n::t("form-refused");
    ErrorSummary::of(
        &format!("{edit}-erreurs"),
        intro,
        errors,
        &form_fields(edit),
    )
}

fn contact_view(
    k: &Contact,
    view: &View<'_>,
    errors: &FieldErrors,
    submitted: &HashMap<String, String>,
) -> ContactView {
    let key = format!("contact-{}", k.id);
    let editing = view.edit == Some(key.as_str());
    let refused = editing && !errors.is_empty();
    let typed = |field: &str, stored: &str| match refused {
        true => submitted.get(field).cloned().unwrap_or_default(),
        false => stored.to_string(),
    };
    let ticked = |field: &str, stored: bool| match refused {
        true => yes(submitted, field),
        false => stored,
    };
    ContactView {
        contact: k.clone(),
        editing,
        confirming: view.confirm_delete == Some(k.id),
        notice: (view.contact == Some(k.id))
            .then(|| view.info.clone())
            .flatten(),
        summary: refused.then(|| summary_of(&key, errors)).flatten(),
        e: if refused {
            ContactMessages::of(errors)
        } else {
            ContactMessages::default()
        },
        values: Contact {
            id: k.id,
            name: typed("name", &k.name),
            relation: typed("relation", &k.relation),
            phone: typed("phone", &k.phone),
            phone2: typed("phone2", &k.phone2),
            pickup: ticked("pickup", k.pickup),
            emergency: ticked("emergency", k.emergency),
        },
    }
}

fn view_model(
    d: &ChildDetail,
    now: chrono::DateTime<chrono::Utc>,
    errors: &FieldErrors,
    view: View<'_>,
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
    // "lundi 7 décembre 2026": when something happened, in words.
    let paris_day =
        |t: chrono::DateTime<chrono::Utc>| crate::i18n::calendar::day_with_year(paris_date(t));
    let structures = d
        .structures
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
    // The PAI is one question, in the medical section; not a diet to tick too.
    let diets = DIETS
        .iter()
        .filter(|diet| **diet != PAI)
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
    let adding = view.edit == Some("contact-nouveau") && !errors.is_empty();
    let typed = |key: &str| match adding {
        true => submitted.get(key).cloned().unwrap_or_default(),
        false => String::new(),
    };
    let section_edit = view.edit.filter(|e| SECTIONS.contains(e));
    ChildPage {
        child: ChildView {
            id: c.id,
            name: crate::family::person_name(&c.first_name, &c.last_name),
            first_name: value("first_name", &c.first_name),
            last_name: value("last_name", &c.last_name),
            birth_date: value("birth_date", &c.birth_date.format("%Y-%m-%d").to_string()),
            birth_city: value("birth_city", &c.birth_city),
            school: value("school", &c.school),
            class: value("class", &c.class),
            born: format!("{}{born_in}", french_date(c.birth_date)),
            born_on: french_date(c.birth_date),
            age: age(c.birth_date, today),
            doctor_name: value("doctor_name", &c.doctor_name),
            doctor_phone: value("doctor_phone", &c.doctor_phone),
            allergies: value("allergies", &c.allergies),
            pai: c.pai,
            medical_notes: value("medical_notes", &c.medical_notes),
            validated: is_validated(c.validated_at, now),
            validated_on: c
                .validated_at
                .map(|v| crate::i18n::calendar::day_with_year(paris_date(v))),
            diets_text: if c.diets.is_empty() {
                crate::i18n::t("child-no-diet")
            } else {
                c.diets.join(", ")
            },
        },
        school_year: school_year_label(today),
        structures,
        diets,
        keep_pai: c.diets.iter().any(|x| x == PAI),
        authorizations,
        authorizations_given: d
            .authorizations
            .iter()
            .filter(|(_, g)| g.as_ref().is_some_and(|g| g.granted))
            .count(),
        contacts: d
            .contacts
            .iter()
            .map(|k| contact_view(k, &view, errors, submitted))
            .collect(),
        pickup_count: d.contacts.iter().filter(|k| k.pickup).count(),
        emergency_count: d.contacts.iter().filter(|k| k.emergency).count(),
        insurances: d.insurances.iter().map(InsuranceView::of).collect(),
        criteria: d.criteria.iter().map(CriterionView::of).collect(),
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
        edit: section_edit.map(str::to_string),
        section: view.section.map(str::to_string),
        // A contact's confirmation is said next to it, not again at the section's top.
        info: view
            .contact
            .is_none()
            .then_some(view.info.clone())
            .flatten(),
        summary: section_edit.and_then(|e| summary_of(e, errors)),
        e: FieldMessages::of(errors),
        new_contact: NewContact {
            name: typed("name"),
            relation: typed("relation"),
            phone: typed("phone"),
            pickup: adding && yes(submitted, "pickup"),
            emergency: adding && yes(submitted, "emergency"),
            summary: adding
                .then(|| summary_of("contact-nouveau", errors))
                .flatten(),
            e: if adding {
                ContactMessages::of(errors)
            } else {
                ContactMessages::default()
            },
        },
    }
}

/// The "PAI" of the diets list: the medical section's question instead.
const PAI: &str = "PAI";

async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    id: Uuid,
    errors: FieldErrors,
    view: View<'_>,
    submitted: HashMap<String, String>,
) -> Result<Response, PageError> {
    let signed = frame.account.as_ref().expect("checked by the caller");
    let Some(detail) = service::detail(state, tenant, signed, id).await? else {
        return Err(PageError::from(Failure::NotFound));
    };
    let model = view_model(&detail, state.clock.now(), &errors, view, &submitted);
    let title = crate::family::person_name(&detail.child.first_name, &detail.child.last_name);
    Ok(frame.render_with_status(
        "enfant",
        &title,
        "enfants",
        model,
        if errors.is_empty() { 200 } else { 422 },
    ))
}

#[derive(Deserialize)]
pub struct PageQuery {
    info: Option<String>,
    /// The section just saved: its message is said there.
    section: Option<String>,
    /// The section (or `contact-{id}`) to show as its form.
    modifier: Option<String>,
    /// The contact whose removal is asked: its confirmation step.
    supprimer: Option<String>,
    /// The contact just changed: its message is said next to it.
    contact: Option<String>,
}

/// Messages a redirect may ask the page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    let key = match key {
        "maj" => "household-saved",
        "validee" => "child-validated-info",
        "contact-ajoute" => "contact-added",
        "contact-modifie" => "contact-saved",
        "contact-supprime" => "contact-deleted",
        _ => return None,
    };
    Some(crate::i18n::t(key))
}

#[handler]
pub async fn child_page(
    Query(q): Query<PageQuery>,
    ctx: SignedInPage<'_>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, frame, _) = ctx.parts();
    let known = |s: &&str| SECTIONS.contains(s) || *s == "valider" || *s == "contacts";
    let edit = q.modifier.as_deref().filter(|m| {
        SECTIONS.contains(m)
            || m.strip_prefix("contact-")
                .is_some_and(|c| c.parse::<Uuid>().is_ok())
    });
    let view = View {
        edit,
        section: q.section.as_deref().filter(known),
        info: q.info.as_deref().and_then(info_message),
        contact: q.contact.as_deref().and_then(|c| c.parse().ok()),
        confirm_delete: q.supprimer.as_deref().and_then(|c| c.parse().ok()),
    };
    render(
        state,
        tenant,
        &frame,
        id,
        FieldErrors::default(),
        view,
        HashMap::new(),
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
            let view = View {
                edit: Some(&section),
                ..View::default()
            };
            render(state, tenant, &frame, id, errors, view, map).await
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
            "/{}/enfants/{id}?info=validee&section=valider#valider",
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

/// Adds (no contact id), changes, or removes (`action=supprimer`, once confirmed with
/// `confirme=oui`) a contact. Each answer lands where the parent was, with its own message.
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
    let slug = tenant.slug();
    let page = format!("/{slug}/enfants/{id}");
    let (result, done) = match (contact, map.get("action").map(String::as_str)) {
        (Some(contact), Some("supprimer")) if yes(&map, "confirme") => (
            service::remove_contact(state, tenant, &signed, id, contact, "page").await,
            format!("{page}?info=contact-supprime&section=contacts#contacts"),
        ),
        // A removal not yet confirmed (an older page's button): the confirmation step.
        (Some(contact), Some("supprimer")) => {
            return Ok(see_other(format!(
                "{page}?supprimer={contact}#contact-{contact}"
            )));
        }
        (Some(contact), _) => (
            service::change_contact(
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
            format!("{page}?info=contact-modifie&contact={contact}#contact-{contact}"),
        ),
        (None, _) => (
            service::add_contact(state, tenant, &signed, id, contact_input(&map), "page")
                .await
                .map(|_| ()),
            format!("{page}?info=contact-ajoute&section=contacts#contacts"),
        ),
    };
    match result {
        Ok(()) => Ok(see_other(done)),
        Err(WriteError::Invalid(errors)) => {
            let edit = match contact {
                Some(c) => format!("contact-{c}"),
                None => "contact-nouveau".to_string(),
            };
            let view = View {
                edit: Some(&edit),
                ..View::default()
            };
            render(state, tenant, &frame, id, errors, view, map).await
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
            now,
            &FieldErrors::default(),
            View::default(),
            &HashMap::new(),
        );
        let html = render_sample("enfant", &model).await;
        assert!(html.contains("Théo ALAIN &lt;B&gt;"), "{html}");
        assert!(html.contains("Mamie Jeanne") && html.contains("Droit à l&#x27;image"));
        // A read-only summary: no section's form, one "Modifier" per section.
        assert!(!html.contains("name=\"section\""));
        assert!(
            html.contains("?modifier=identite#identite")
                && html.contains("?modifier=medical#medical")
        );
        // The PAI is asked once, in the medical section, not among the diets.
        assert!(!html.contains("value=\"PAI\""));
        // "Valider cette fiche" comes after the sections.
        assert!(html.find("/valider").unwrap() > html.find("id=\"criteres\"").unwrap());

        // A section asked for edition shows its form; a removal asked shows its confirmation.
        let asked = View {
            edit: Some("medical"),
            confirm_delete: Some(Uuid::from_u128(7)),
            ..View::default()
        };
        let model = view_model(
            &detail(),
            now,
            &FieldErrors::default(),
            asked,
            &HashMap::new(),
        );
        let html = render_sample("enfant", &model).await;
        assert!(html.contains("name=\"section\" value=\"medical\""));
        assert_eq!(
            html.matches("name=\"pai\"").count(),
            2,
            "one question, two answers"
        );
        assert!(html.contains("name=\"confirme\" value=\"oui\""));
        assert!(html.contains("Supprimer Mamie Jeanne des contacts de l'enfant ?"));

        // A refused contact form: the message next to its field, what was typed kept.
        let mut errors = FieldErrors::default();
        errors.add("phone", "Numéro <incomplet>");
        let typed = HashMap::from([("phone".to_string(), "06 12".to_string())]);
        let refused = View {
            edit: Some("contact-nouveau"),
            ..View::default()
        };
        let model = view_model(&detail(), now, &errors, refused, &typed);
        let html = render_sample("enfant", &model).await;
        assert!(html.contains("Numéro &lt;incomplet&gt;") && html.contains("value=\"06 12\""));
        // The one error pattern: a summary linking to the field, which takes the focus.
        assert!(html.contains("id=\"contact-nouveau-erreurs\""));
        assert!(html.contains("href=\"#f-phone\"") && html.contains("data-error-summary"));
    }
}
