//! `/{slug}/foyer`: "Mon foyer" with the guide's collapsible categories. Each field has a
//! pencil: without JavaScript it reloads the page with that field open as a small form; with
//! JavaScript the form opens in place. ✓ saves the one field.

use super::repository::Guardian;
use super::service::{self, AddressChange, GuardianChange, HouseholdView};
use crate::auth::pages::see_other;
use crate::children::pages::{CriterionView, InsuranceView};
use crate::family::{CONSENTS, WriteError};
use crate::http::errors::{Failure, PageError};
use crate::http::form_errors::{ErrorLink, ErrorSummary};
use crate::http::page::{Frame, SignedInForm, SignedInPage, parse_id};
use crate::i18n::{t, t_args};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
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
            .map(crate::i18n::calendar::long_date)
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

/// The page model of `foyer.hbs`.
#[derive(Serialize)]
struct HouseholdPage {
    guardians: Vec<GuardianCard>,
    address: Vec<FieldRow>,
    address_open: bool,
    insurances: Vec<InsuranceView>,
    criteria: Vec<CriterionView>,
    criteria_count: usize,
    quotient_familial: Option<i32>,
    info: Option<String>,
}

#[derive(Serialize)]
struct GuardianCard {
    id: String,
    name: String,
    categories: Vec<Category>,
    consents: Vec<ConsentChoice>,
    own: bool,
}

/// A collapsible category of a guardian's fields.
#[derive(Serialize)]
struct Category {
    id: String,
    title: String,
    fields: Vec<FieldRow>,
    open: bool,
}

#[derive(Serialize)]
struct ConsentChoice {
    code: &'static str,
    label: String,
    yes: bool,
    no: bool,
    decided: Option<String>,
}

/// One editable line of `field_row.hbs`: its label, value, and its small form.
#[derive(Serialize)]
struct FieldRow {
    id: String,
    target: String,
    key: String,
    label: String,
    value: String,
    display: String,
    input_type: String,
    is_select: bool,
    options: Vec<SelectOption>,
    editable: bool,
    note: Option<String>,
    editing: bool,
    error: Option<String>,
    /// The refusal of this field's form, in the one error pattern.
    summary: Option<ErrorSummary>,
    /// The confirmation of this field's change, said next to it.
    saved: Option<String>,
}

#[derive(Serialize)]
struct SelectOption {
    value: String,
    label: String,
    selected: bool,
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
) -> FieldRow {
    let is_editing = editing.is_some_and(|(t, k)| t == target && k == key);
    let options = kind
        .strip_prefix("select:")
        .map(|opts| {
            opts.split('|')
                .map(|o| SelectOption {
                    value: o.to_string(),
                    label: if o.is_empty() {
                        "—".to_string()
                    } else {
                        display(key, o)
                    },
                    selected: o == value,
                })
                .collect()
        })
        .unwrap_or_default();
    let is_select = kind.starts_with("select:");
    let id = format!("champ-{target}-{key}");
    let error = if is_editing {
        errors.0.values().next().cloned()
    } else {
        None
    };
    let summary = error.as_ref().map(|message| ErrorSummary {
        id: format!("{id}-erreurs"),
        intro: t("form-refused"),
        items: vec![ErrorLink {
            href: format!("#{id}-input"),
            text: t_args(
                "form-error-item",
                &[
                    ("label", label.into()),
                    ("message", message.as_str().into()),
                ],
            ),
        }],
    });
    FieldRow {
        saved: None,
        summary,
        id,
        target: target.to_string(),
        key: key.to_string(),
        label: label.to_string(),
        value: if is_editing {
            submitted.unwrap_or(value).to_string()
        } else {
            value.to_string()
        },
        display: display(key, value),
        input_type: if is_select { "select" } else { kind }.to_string(),
        is_select,
        options,
        editable,
        note: note.map(str::to_string),
        editing: is_editing,
        error,
    }
}

fn guardian_card(
    v: &HouseholdView,
    g: &Guardian,
    me: Uuid,
    editing: Option<&(String, String)>,
    errors: &FieldErrors,
    submitted: Option<&str>,
) -> GuardianCard {
    let target = g.id.to_string();
    let categories = CATEGORIES
        .iter()
        .map(|(cat, _french)| {
            let fields = GUARDIAN_FIELDS
                .iter()
                .filter(|(c, ..)| c == cat)
                .map(|(_, key, _french, kind)| {
                    // The sign-in e-mail changes from "Mon compte" only (password, link).
                    let editable = *key != "email";
                    let note = match (editable, g.id == me) {
                        (true, _) => None,
                        (false, true) => Some(t("household-email-note-own")),
                        (false, false) => Some(t("household-email-note")),
                    };
                    let label = t(&format!("household-field-{key}"));
                    let value = guardian_value(g, key);
                    field(
                        &target,
                        key,
                        &label,
                        kind,
                        &value,
                        editable,
                        note.as_deref(),
                        editing,
                        errors,
                        submitted,
                    )
                })
                .collect();
            Category {
                id: format!("{cat}-{target}"),
                title: t(&format!("household-category-{cat}")),
                fields,
                open: editing.is_some_and(|(t, _)| t == &target),
            }
        })
        .collect();
    let consents = CONSENTS
        .iter()
        .map(|(code, _french)| {
            let given = v
                .consents
                .iter()
                .find(|c| c.guardian_id == g.id && c.code == *code);
            ConsentChoice {
                code,
                label: t(&format!("consent-{code}")),
                yes: given.is_some_and(|c| c.granted),
                no: given.is_some_and(|c| !c.granted),
                decided: given.map(|c| {
                    crate::i18n::calendar::day_with_year(crate::family::paris_date(c.decided_at))
                }),
            }
        })
        .collect();
    GuardianCard {
        id: target,
        name: crate::family::person_name(&g.first_name, &g.last_name),
        categories,
        consents,
        own: g.id == me,
    }
}

fn view_model(
    v: &HouseholdView,
    me: Uuid,
    editing: Option<&(String, String)>,
    errors: &FieldErrors,
    submitted: Option<&str>,
) -> HouseholdPage {
    let guardians = v
        .guardians
        .iter()
        .map(|g| guardian_card(v, g, me, editing, errors, submitted))
        .collect();
    let h = &v.household;
    let address = [
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
    HouseholdPage {
        guardians,
        address,
        address_open: editing.is_some_and(|(t, _)| t == "foyer"),
        insurances: v.insurances.iter().map(InsuranceView::of).collect(),
        criteria: v.criteria.iter().map(CriterionView::of).collect(),
        criteria_count: v.criteria.len(),
        quotient_familial: h.quotient_familial,
        info: None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    modifier: Option<String>,
    info: Option<String>,
    /// The field just saved (`target.field`): its confirmation is said next to it.
    champ: Option<String>,
}

impl HouseholdPage {
    /// Says `message` next to the field `id` (the one just saved) instead of at the page's
    /// top, where the parent is not looking; at the top when there is no such field.
    fn say(&mut self, message: Option<String>, field: Option<&str>) {
        let rows = self
            .guardians
            .iter_mut()
            .flat_map(|g| g.categories.iter_mut())
            .flat_map(|c| c.fields.iter_mut())
            .chain(self.address.iter_mut());
        let mut row = None;
        for r in rows {
            if Some(r.id.as_str()) == field {
                row = Some(r);
            }
        }
        match row {
            Some(r) => r.saved = message,
            None => self.info = message,
        }
    }
}

#[allow(clippy::too_many_arguments)] // the page, and what a refused or saved field brings
async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    editing: Option<(String, String)>,
    errors: FieldErrors,
    submitted: Option<&str>,
    info: Option<String>,
    saved_field: Option<&str>,
) -> Result<Response, PageError> {
    let signed = frame.account.as_ref().expect("checked by the caller");
    let v = service::view(state, tenant, signed).await?;
    let mut model = view_model(&v, signed.guardian_id, editing.as_ref(), &errors, submitted);
    model.say(info, saved_field);
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
    let saved = q
        .champ
        .map(|c| format!("champ-{}", c.replacen('.', "-", 1)));
    render(
        state,
        tenant,
        &frame,
        editing,
        FieldErrors::default(),
        None,
        info,
        saved.as_deref(),
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
            "/{}/foyer?info=maj&champ={}.{}#champ-{}-{}",
            tenant.slug(),
            form.target,
            form.field,
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
            render(state, tenant, &frame, None, errors, None, None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::repository::{Criterion, Household, Insurance};
    use crate::http::page::render_sample;
    use chrono::NaiveDate;

    fn view() -> HouseholdView {
        HouseholdView {
            household: Household {
                id: Uuid::nil(),
                reference: "F-1".into(),
                address: "1 rue <des> Lilas".into(),
                postal_code: "22300".into(),
                city: "Lannion".into(),
                quotient_familial: Some(650),
            },
            guardians: vec![Guardian {
                id: Uuid::from_u128(1),
                position: 1,
                civility: "Madame".into(),
                first_name: "Lucie".into(),
                last_name: "ALAIN".into(),
                birth_date: NaiveDate::from_ymd_opt(1985, 5, 2),
                email: Some("lucie@example.org".into()),
                phone: "06 00 00 00 00".into(),
                work_phone: String::new(),
                profession: String::new(),
                employer: String::new(),
                relation: "Mère".into(),
                parental_authority: true,
            }],
            insurances: vec![Insurance {
                id: Uuid::nil(),
                child_id: None,
                company: "MAIF".into(),
                number: "123".into(),
                valid_from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
                valid_to: NaiveDate::from_ymd_opt(2027, 8, 31).unwrap(),
            }],
            criteria: vec![Criterion {
                id: Uuid::nil(),
                child_id: None,
                label: "Parent isolé".into(),
                decided_at: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            }],
            consents: vec![],
        }
    }

    #[tokio::test]
    async fn the_household_page_renders_from_its_model() {
        let me = Uuid::from_u128(1);
        let model = view_model(&view(), me, None, &FieldErrors::default(), None);
        let html = render_sample("foyer", &model).await;
        assert!(html.contains("1 rue &lt;des&gt; Lilas"), "{html}");
        assert!(html.contains("2 mai 1985") && html.contains("MAIF"));

        // A refused field: its form open, the typed value and the message next to it.
        let editing = ("foyer".to_string(), "postal_code".to_string());
        let mut errors = FieldErrors::default();
        errors.add("postal_code", "Code <postal> incomplet");
        let model = view_model(&view(), me, Some(&editing), &errors, Some("223"));
        let html = render_sample("foyer", &model).await;
        assert!(html.contains("Code &lt;postal&gt; incomplet"));
        assert!(html.contains("value=\"223\""));
        // The one error pattern: a summary linking to the input, taking the focus.
        assert!(html.contains("href=\"#champ-foyer-postal_code-input\""));
        assert!(html.contains("data-error-summary"));

        // A saved field: its confirmation next to it, not at the page's top.
        let mut model = view_model(&view(), me, None, &FieldErrors::default(), None);
        model.say(Some("Enregistré <ici>".into()), Some("champ-foyer-city"));
        assert!(model.info.is_none());
        let html = render_sample("foyer", &model).await;
        let row = html.find("id=\"champ-foyer-city\"").unwrap();
        let said = html.find("Enregistré &lt;ici&gt;").unwrap();
        assert!(
            said > row && said < row + 600,
            "said inside the field's row"
        );
    }
}
