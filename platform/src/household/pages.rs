//! `/{slug}/foyer`: "Mon foyer" with the guide's collapsible categories. Each field has a
//! pencil: without JavaScript it reloads the page with that field open as a small form; with
//! JavaScript the form opens in place. ✓ saves the one field.

use super::repository::Guardian;
use super::service::{self, AddressChange, GuardianChange, HouseholdView};
use crate::auth::pages::see_other;
use crate::family::{CONSENTS, WriteError};
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, SignedInForm, SignedInPage, parse_id};
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// (key, label, kind): kind is the input type, or `select:` with its options.
const GUARDIAN_FIELDS: [(&str, &str, &str, &str); 11] = [
    (
        "etat-civil",
        "civility",
        "Civilité",
        "select:|Madame|Monsieur",
    ),
    ("etat-civil", "last_name", "Nom", "text"),
    ("etat-civil", "first_name", "Prénom", "text"),
    ("etat-civil", "birth_date", "Date de naissance", "date"),
    (
        "coordonnees",
        "email",
        "Adresse e-mail (identifiant)",
        "email",
    ),
    ("coordonnees", "phone", "Téléphone", "tel"),
    (
        "coordonnees",
        "work_phone",
        "Téléphone professionnel",
        "tel",
    ),
    ("informations", "profession", "Profession", "text"),
    ("informations", "employer", "Employeur", "text"),
    (
        "responsabilites",
        "relation",
        "Lien avec les enfants",
        "select:|Mère|Père|Tuteur ou tutrice|Autre",
    ),
    (
        "responsabilites",
        "parental_authority",
        "Autorité parentale",
        "select:oui|non",
    ),
];

const CATEGORIES: [(&str, &str); 4] = [
    ("etat-civil", "État civil"),
    ("coordonnees", "Coordonnées"),
    ("informations", "Informations personnelles"),
    ("responsabilites", "Responsabilités"),
];

fn guardian_value(g: &Guardian, field: &str) -> String {
    match field {
        "civility" => g.civility.clone(),
        "last_name" => g.last_name.clone(),
        "first_name" => g.first_name.clone(),
        "birth_date" => g
            .birth_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        "email" => g.email.clone().unwrap_or_default(),
        "phone" => g.phone.clone(),
        "work_phone" => g.work_phone.clone(),
        "profession" => g.profession.clone(),
        "employer" => g.employer.clone(),
        "relation" => g.relation.clone(),
        "parental_authority" => {
            if g.parental_authority {
                "oui".into()
            } else {
                "non".into()
            }
        }
        _ => String::new(),
    }
}

fn display(field: &str, value: &str) -> String {
    match (field, value) {
        (_, "") => t("household-not-given"),
        ("birth_date", v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| v.into()),
        ("parental_authority", "oui") => t("common-yes"),
        ("parental_authority", "non") => t("common-no"),
        // Stored values are French words; only their display follows the language.
        ("civility", "Madame") => t("option-madame"),
        ("civility", "Monsieur") => t("option-monsieur"),
        ("relation", "Mère") => t("option-mother"),
        ("relation", "Père") => t("option-father"),
        ("relation", "Tuteur ou tutrice") => t("option-guardian"),
        ("relation", "Autre") => t("option-other"),
        (_, v) => v.into(),
    }
}

/// One editable line: its label, value, and its small form.
#[allow(clippy::too_many_arguments)]
fn field(
    target: &str,
    key: &str,
    label: &str,
    kind: &str,
    value: &str,
    editable: bool,
    note: Option<&str>,
    editing: Option<&(String, String)>,
    errors: &FieldErrors,
    submitted: Option<&str>,
) -> Value {
    let id = format!("champ-{target}-{key}");
    let is_editing = editing.is_some_and(|(t, k)| t == target && k == key);
    let options: Vec<Value> = kind
        .strip_prefix("select:")
        .map(|opts| {
            opts.split('|')
                .map(|o| json!({ "value": o, "label": if o.is_empty() { "—".to_string() } else { display(key, o) }, "selected": o == value }))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": id,
        "target": target,
        "key": key,
        "label": label,
        "value": if is_editing { submitted.unwrap_or(value).to_string() } else { value.to_string() },
        "display": display(key, value),
        "input_type": if kind.starts_with("select:") { "select" } else { kind },
        "is_select": kind.starts_with("select:"),
        "options": options,
        "editable": editable,
        "note": note,
        "editing": is_editing,
        "error": if is_editing { errors.0.values().next().cloned() } else { None },
    })
}

fn view_model(
    v: &HouseholdView,
    me: Uuid,
    editing: Option<&(String, String)>,
    errors: &FieldErrors,
    submitted: Option<&str>,
) -> Value {
    let guardians: Vec<Value> = v
        .guardians
        .iter()
        .map(|g| {
            let target = g.id.to_string();
            let categories: Vec<Value> = CATEGORIES
                .iter()
                .map(|(cat, _french)| {
                    let fields: Vec<Value> = GUARDIAN_FIELDS
                        .iter()
                        .filter(|(c, ..)| c == cat)
                        .map(|(_, key, _french, kind)| {
                            let own_email = *key != "email" || g.id == me;
                            let (note, label) = (t("household-email-note"), t(&format!("household-field-{key}")));
                            let note = (!own_email).then_some(note.as_str());
                            field(&target, key, &label, kind, &guardian_value(g, key), own_email, note, editing, errors, submitted)
                        })
                        .collect();
                    json!({ "id": format!("{cat}-{target}"), "title": t(&format!("household-category-{cat}")), "fields": fields, "open": editing.is_some_and(|(t, _)| t == &target) })
                })
                .collect();
            let consents: Vec<Value> = CONSENTS
                .iter()
                .map(|(code, _french)| {
                    let given = v.consents.iter().find(|c| c.guardian_id == g.id && c.code == *code);
                    json!({
                        "code": code,
                        "label": t(&format!("consent-{code}")),
                        "yes": given.is_some_and(|c| c.granted),
                        "no": given.is_some_and(|c| !c.granted),
                        "decided": given.map(|c| c.decided_at.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y").to_string()),
                    })
                })
                .collect();
            json!({ "id": target, "name": format!("{} {}", g.last_name, g.first_name), "categories": categories, "consents": consents })
        })
        .collect();
    let h = &v.household;
    let address: Vec<Value> = [
        ("address", "Adresse"),
        ("postal_code", "Code postal"),
        ("city", "Ville"),
    ]
    .iter()
    .map(|(key, _french)| {
        let value = match *key {
            "address" => &h.address,
            "postal_code" => &h.postal_code,
            _ => &h.city,
        };
        let label = t(&format!("household-field-{key}"));
        field(
            "foyer", key, &label, "text", value, true, None, editing, errors, submitted,
        )
    })
    .collect();
    json!({
        "guardians": guardians,
        "address": address,
        "address_open": editing.is_some_and(|(t, _)| t == "foyer"),
        "insurances": v.insurances.iter().map(|i| json!({ "company": i.company, "number": i.number, "from": i.valid_from.format("%d/%m/%Y").to_string(), "to": i.valid_to.format("%d/%m/%Y").to_string() })).collect::<Vec<_>>(),
        "criteria": v.criteria.iter().map(|c| json!({ "label": c.label, "decided": c.decided_at.format("%d/%m/%Y").to_string() })).collect::<Vec<_>>(),
        "criteria_count": v.criteria.len(),
        "quotient_familial": h.quotient_familial,
    })
}

#[derive(Deserialize)]
pub struct PageQuery {
    modifier: Option<String>,
    info: Option<String>,
}

async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    editing: Option<(String, String)>,
    errors: FieldErrors,
    submitted: Option<&str>,
    info: Option<&str>,
) -> Result<Response, PageError> {
    let signed = frame.account.as_ref().expect("checked by the caller");
    let v = service::view(state, tenant, signed).await?;
    let mut model = view_model(&v, signed.guardian_id, editing.as_ref(), &errors, submitted);
    model["info"] = json!(info);
    let status = if errors.is_empty() { 200 } else { 422 };
    Ok(frame.render_with_status("foyer", "Mon foyer", "foyer", model, status))
}

#[handler]
pub async fn page(
    Query(q): Query<PageQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, _) = ctx.parts();
    let editing = q.modifier.and_then(|m| {
        m.split_once('.')
            .map(|(t, k)| (t.to_string(), k.to_string()))
    });
    let info = q
        .info
        .as_deref()
        .filter(|i| *i == "maj")
        .map(|_| t("household-saved"));
    render(
        state,
        tenant,
        &frame,
        editing,
        FieldErrors::default(),
        None,
        info.as_deref(),
    )
    .await
}

#[derive(Deserialize)]
pub struct FieldForm {
    target: String,
    field: String,
    value: Option<String>,
}

/// Saves one field (the ✓ of a line).
#[handler]
pub async fn save_field(ctx: SignedInForm<'_, FieldForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
    let signed = &signed;
    let value = form.value.clone().unwrap_or_default();
    let result = if form.target == "foyer" {
        let mut change = AddressChange::default();
        match form.field.as_str() {
            "address" => change.address = Some(value.clone()),
            "postal_code" => change.postal_code = Some(value.clone()),
            "city" => change.city = Some(value.clone()),
            _ => return Err(PageError::from(Failure::NotFound)),
        }
        service::change_address(state, tenant, signed, change, "page")
            .await
            .map(|_| ())
    } else {
        let guardian_id = parse_id(&form.target)?;
        let mut change = GuardianChange::default();
        let v = Some(value.clone());
        match form.field.as_str() {
            "civility" => change.civility = v,
            "last_name" => change.last_name = v,
            "first_name" => change.first_name = v,
            "birth_date" => change.birth_date = v,
            "email" => change.email = v,
            "phone" => change.phone = v,
            "work_phone" => change.work_phone = v,
            "profession" => change.profession = v,
            "employer" => change.employer = v,
            "relation" => change.relation = v,
            "parental_authority" => change.parental_authority = Some(value == "oui"),
            _ => return Err(PageError::from(Failure::NotFound)),
        }
        service::change_guardian(state, tenant, signed, guardian_id, change, "page")
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => Ok(see_other(format!(
            "/{}/foyer?info=maj#champ-{}-{}",
            tenant.slug(),
            form.target,
            form.field
        ))),
        Err(WriteError::Invalid(errors)) => {
            render(
                state,
                tenant,
                &frame,
                Some((form.target, form.field)),
                errors,
                Some(&value),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves a guardian's consents: an explicit yes or no for each.
#[handler]
pub async fn save_consents(
    ctx: SignedInForm<'_, HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
    let signed = &signed;
    let guardian_id = parse_id(form.get("guardian").map_or("", String::as_str))?;
    let choices: Vec<(String, bool)> = CONSENTS
        .iter()
        .filter_map(|(code, _)| form.get(*code).map(|v| (code.to_string(), v == "oui")))
        .collect();
    match service::set_consents(state, tenant, signed, guardian_id, &choices, "page").await {
        Ok(()) => Ok(see_other(format!(
            "/{}/foyer?info=maj#consentements-{guardian_id}",
            tenant.slug()
        ))),
        Err(WriteError::Invalid(errors)) => {
            render(state, tenant, &frame, None, errors, None, None).await
        }
        Err(e) => Err(e.into()),
    }
}
