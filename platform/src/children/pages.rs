//! `/{slug}/enfants` and `/{slug}/enfants/{id}`: the children's records. Each section of the
//! child page is a small form with its "Mettre à jour" button; contacts are added, changed and
//! removed one by one; "Valider cette fiche" certifies the record for the school year.

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
use serde::Deserialize;
use serde_json::{Value, json};
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
    let children: Vec<Value> = service::list(state, tenant, signed)
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": format!("{} {}", c.last_name, c.first_name),
                "age": age(c.birth_date, today),
                "validated": is_validated(c.validated_at, now),
            })
        })
        .collect();
    Ok(frame.render(
        "enfants",
        "Mes enfants",
        "enfants",
        json!({ "children": children }),
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

fn view_model(
    d: &ChildDetail,
    structures: &[(String, String)],
    state: &AppState,
    errors: &FieldErrors,
    section: Option<&str>,
    submitted: &HashMap<String, String>,
) -> Value {
    let now = state.clock.now();
    let today = paris_date(now);
    let c = &d.child;
    // After a refused form, show what the parent typed, not the stored value.
    let value = |key: &str, stored: &str| -> String {
        submitted
            .get(key)
            .cloned()
            .unwrap_or_else(|| stored.to_string())
    };
    let err = |key: &str| errors.0.get(key).cloned();
    let validated = is_validated(c.validated_at, now);
    let per_structure: Vec<Value> = structures
        .iter()
        .map(|(code, name)| {
            let enrolments: Vec<&str> = d.enrolments.iter().filter(|e| &e.structure == code).map(|e| e.name.as_str()).collect();
            json!({ "name": name, "enrolments": enrolments, "has_enrolments": !enrolments.is_empty() })
        })
        .collect();
    let diets: Vec<Value> = DIETS
        .iter()
        .map(|d| json!({ "value": d, "checked": c.diets.iter().any(|x| x == d) }))
        .collect();
    let authorizations: Vec<Value> = d
        .authorizations
        .iter()
        .map(|(kind, given)| {
            json!({
                "code": kind.code,
                "label": kind.label,
                "yes": given.as_ref().is_some_and(|g| g.granted),
                "no": given.as_ref().is_some_and(|g| !g.granted),
                "decided": given.as_ref().map(|g| g.decided_at.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y").to_string()),
            })
        })
        .collect();
    let contacts: Vec<Value> = d
        .contacts
        .iter()
        .map(|k| json!({ "id": k.id, "name": k.name, "relation": k.relation, "phone": k.phone, "phone2": k.phone2, "pickup": k.pickup, "emergency": k.emergency }))
        .collect();
    json!({
        "child": {
            "id": c.id,
            "name": format!("{} {}", c.last_name, c.first_name),
            "first_name": value("first_name", &c.first_name),
            "last_name": value("last_name", &c.last_name),
            "birth_date": value("birth_date", &c.birth_date.format("%Y-%m-%d").to_string()),
            "birth_city": value("birth_city", &c.birth_city),
            "school": value("school", &c.school),
            "class": value("class", &c.class),
            "born": format!("{}{}", french_date(c.birth_date), if c.birth_city.is_empty() { String::new() } else { format!(" {}", crate::i18n::t_args("child-born-in", &[("city", c.birth_city.as_str().into())])) }),
            "age": age(c.birth_date, today),
            "doctor_name": value("doctor_name", &c.doctor_name),
            "doctor_phone": value("doctor_phone", &c.doctor_phone),
            "allergies": value("allergies", &c.allergies),
            "pai": c.pai,
            "medical_notes": value("medical_notes", &c.medical_notes),
            "validated": validated,
            "validated_on": c.validated_at.map(|v| french_date(paris_date(v))),
            "diets_text": if c.diets.is_empty() { crate::i18n::t("child-no-diet") } else { c.diets.join(", ") },
        },
        "school_year": school_year_label(today),
        "structures": per_structure,
        "diets": diets,
        "authorizations": authorizations,
        "authorizations_given": d.authorizations.iter().filter(|(_, g)| g.as_ref().is_some_and(|g| g.granted)).count(),
        "contacts": contacts,
        "pickup_count": d.contacts.iter().filter(|k| k.pickup).count(),
        "emergency_count": d.contacts.iter().filter(|k| k.emergency).count(),
        "insurances": d.insurances.iter().map(|i| json!({ "company": i.company, "number": i.number, "from": i.valid_from.format("%d/%m/%Y").to_string(), "to": i.valid_to.format("%d/%m/%Y").to_string() })).collect::<Vec<_>>(),
        "criteria": d.criteria.iter().map(|k| json!({ "label": k.label })).collect::<Vec<_>>(),
        "criteria_count": d.criteria.len(),
        "documents": d.documents.iter().map(|doc| json!({ "id": doc.id, "name": doc.name, "date": doc.created_at.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y").to_string() })).collect::<Vec<_>>(),
        "documents_count": d.documents.len(),
        "errors": errors.0,
        "error_summary": (!errors.is_empty()).then(|| crate::i18n::t("error-invalid-fields")),
        "section": section,
        "details_open": section.is_some(),
        "e": {
            "first_name": err("first_name"), "last_name": err("last_name"), "birth_date": err("birth_date"),
            "birth_city": err("birth_city"), "school": err("school"), "class": err("class"), "diets": err("diets"),
            "doctor_name": err("doctor_name"), "doctor_phone": err("doctor_phone"), "allergies": err("allergies"),
            "medical_notes": err("medical_notes"), "name": err("name"), "phone": err("phone"), "phone2": err("phone2"),
            "pickup": err("pickup"), "relation": err("relation"),
        },
        "new_contact": {
            "name": if section == Some("contacts") { submitted.get("name").cloned().unwrap_or_default() } else { String::new() },
            "relation": if section == Some("contacts") { submitted.get("relation").cloned().unwrap_or_default() } else { String::new() },
            "phone": if section == Some("contacts") { submitted.get("phone").cloned().unwrap_or_default() } else { String::new() },
        },
    })
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
        state,
        &errors,
        section,
        &submitted,
    );
    model["info"] = json!(info);
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
