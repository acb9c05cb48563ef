//! The rules of a child's record: what parents may change, contacts, validation.

use super::repository::{self, Authorization, Child, Contact, Enrolment};
use crate::audit;
use crate::auth::session::SignedIn;
use crate::family::{WriteError, paris_date};
use crate::household::repository as household_repository;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::{self as check, FieldErrors, LONG_TEXT, SHORT_TEXT};
use portail_tenants::TenantTx;
use portail_tenants::config::AuthorizationKind;
use portail_tenants::import::DIETS;
use sea_orm::DbErr;
use uuid::Uuid;

/// Everything the child page shows.
pub struct ChildDetail {
    pub child: Child,
    pub contacts: Vec<Contact>,
    pub authorizations: Vec<(AuthorizationKind, Option<Authorization>)>,
    pub enrolments: Vec<Enrolment>,
    pub insurances: Vec<household_repository::Insurance>,
    pub criteria: Vec<household_repository::Criterion>,
    pub documents: Vec<crate::documents::DocumentSummary>,
    /// The municipality's structures (code, name), for the per-structure sections.
    pub structures: Vec<(String, String)>,
}

pub async fn list(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
) -> Result<Vec<Child>, DbErr> {
    let tx = tenant.begin(state).await?;
    let children = repository::children(&tx, signed.household_id).await?;
    tx.commit().await?;
    Ok(children)
}

pub async fn detail(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    id: Uuid,
) -> Result<Option<ChildDetail>, DbErr> {
    let tx = tenant.begin(state).await?;
    let Some(child) = repository::child(&tx, signed.household_id, id, false).await? else {
        return Ok(None);
    };
    let config = crate::tenancy::current_config(state, tenant, &tx).await?;
    let given = repository::authorizations(&tx, id).await?;
    let authorizations = config
        .authorizations
        .clone()
        .into_iter()
        .map(|kind| {
            let found = given.iter().find(|a| a.code == kind.code).cloned();
            (kind, found)
        })
        .collect();
    let detail = ChildDetail {
        structures: config
            .structures
            .iter()
            .map(|s| (s.code.clone(), s.name.clone()))
            .collect(),
        contacts: repository::contacts(&tx, id).await?,
        enrolments: repository::enrolments(&tx, id).await?,
        insurances: household_repository::insurances(&tx, signed.household_id)
            .await?
            .into_iter()
            .filter(|i| i.child_id == Some(id))
            .collect(),
        criteria: household_repository::criteria(&tx, signed.household_id)
            .await?
            .into_iter()
            .filter(|c| c.child_id == Some(id))
            .collect(),
        documents: crate::documents::for_child(&tx, signed.household_id, id).await?,
        authorizations,
        child,
    };
    tx.commit().await?;
    Ok(Some(detail))
}

/// A partial change of a child's record: absent fields are kept.
#[derive(Debug, Default)]
pub struct ChildChange {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub birth_city: Option<String>,
    pub school: Option<String>,
    pub class: Option<String>,
    pub diets: Option<Vec<String>>,
    pub doctor_name: Option<String>,
    pub doctor_phone: Option<String>,
    pub allergies: Option<String>,
    pub pai: Option<bool>,
    pub medical_notes: Option<String>,
    pub authorizations: Option<Vec<(String, bool)>>,
}

pub async fn change(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    id: Uuid,
    change: ChildChange,
    origin: &str,
) -> Result<Child, WriteError> {
    let tx = tenant.begin(state).await?;
    let current = repository::child(&tx, signed.household_id, id, true)
        .await?
        .ok_or(WriteError::NotFound)?;
    let mut errors = FieldErrors::default();
    let mut c = current.clone();
    let today = paris_date(state.clock.now());
    if let Some(v) = change.first_name {
        c.first_name = check::text(&mut errors, "first_name", &v, SHORT_TEXT, true);
    }
    if let Some(v) = change.last_name {
        c.last_name = check::text(&mut errors, "last_name", &v, SHORT_TEXT, true);
    }
    if let Some(v) = change.birth_date
        && let Some(d) = check::birth_date(&mut errors, "birth_date", &v, today)
    {
        c.birth_date = d;
    }
    if let Some(v) = change.birth_city {
        c.birth_city = check::text(&mut errors, "birth_city", &v, SHORT_TEXT, false);
    }
    if let Some(v) = change.school {
        c.school = check::text(&mut errors, "school", &v, SHORT_TEXT, false);
    }
    if let Some(v) = change.class {
        c.class = check::text(&mut errors, "class", &v, SHORT_TEXT, false);
    }
    if let Some(diets) = change.diets {
        let mut kept = Vec::new();
        for d in diets {
            match DIETS
                .iter()
                .find(|allowed| allowed.eq_ignore_ascii_case(d.trim()))
            {
                Some(allowed) if !kept.contains(&allowed.to_string()) => {
                    kept.push(allowed.to_string())
                }
                Some(_) => {}
                None => errors.add(
                    "diets",
                    crate::i18n::t_args(
                        "child-diet-unknown",
                        &[
                            ("diet", d.trim().into()),
                            ("diets", DIETS.join(", ").into()),
                        ],
                    ),
                ),
            }
        }
        c.diets = kept;
    }
    if let Some(v) = change.doctor_name {
        c.doctor_name = check::text(&mut errors, "doctor_name", &v, SHORT_TEXT, false);
    }
    if let Some(v) = change.doctor_phone {
        c.doctor_phone = check::phone(&mut errors, "doctor_phone", &v, false);
    }
    if let Some(v) = change.allergies {
        c.allergies = check::text(&mut errors, "allergies", &v, LONG_TEXT, false);
    }
    if let Some(v) = change.pai {
        c.pai = v;
    }
    if let Some(v) = change.medical_notes {
        c.medical_notes = check::text(&mut errors, "medical_notes", &v, LONG_TEXT, false);
    }
    let config = crate::tenancy::current_config(state, tenant, &tx).await?;
    if let Some(choices) = &change.authorizations {
        for (code, _) in choices {
            if !config.authorizations.iter().any(|a| &a.code == code) {
                errors.add(
                    "authorizations",
                    crate::i18n::t_args(
                        "child-authorization-unknown",
                        &[("code", code.as_str().into())],
                    ),
                );
            }
        }
    }
    errors.into_result(())?;
    let mut fields = changed_fields(&current, &c);
    if !fields.is_empty() {
        repository::update_child(&tx, &c).await?;
    }
    if let Some(choices) = change.authorizations {
        let now = state.clock.now();
        for (code, granted) in choices {
            repository::set_authorization(&tx, id, &code, granted, now).await?;
            fields.push(format!("authorization.{code}"));
        }
    }
    if !fields.is_empty() {
        audit::by_guardian(
            &tx,
            signed,
            origin,
            "update",
            "child",
            id.to_string(),
            fields,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(c)
}

fn changed_fields(a: &Child, b: &Child) -> Vec<String> {
    let pairs: [(&str, bool); 12] = [
        ("first_name", a.first_name != b.first_name),
        ("last_name", a.last_name != b.last_name),
        ("birth_date", a.birth_date != b.birth_date),
        ("birth_city", a.birth_city != b.birth_city),
        ("school", a.school != b.school),
        ("class", a.class != b.class),
        ("diets", a.diets != b.diets),
        ("doctor_name", a.doctor_name != b.doctor_name),
        ("doctor_phone", a.doctor_phone != b.doctor_phone),
        ("allergies", a.allergies != b.allergies),
        ("pai", a.pai != b.pai),
        ("medical_notes", a.medical_notes != b.medical_notes),
    ];
    crate::family::changed_names(&pairs)
}

/// The parent certifies the record is up to date, for the current school year.
pub async fn validate(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    id: Uuid,
    origin: &str,
) -> Result<Child, WriteError> {
    let tx = tenant.begin(state).await?;
    let mut child = repository::child(&tx, signed.household_id, id, true)
        .await?
        .ok_or(WriteError::NotFound)?;
    let now = state.clock.now();
    repository::validate(&tx, id, now).await?;
    audit::by_guardian(
        &tx,
        signed,
        origin,
        "validate",
        "child",
        id.to_string(),
        vec!["validated_at".into()],
    )
    .await?;
    tx.commit().await?;
    child.validated_at = Some(now);
    Ok(child)
}

/// A contact as written in a form or a request: absent fields are kept on change.
#[derive(Debug, Default)]
pub struct ContactInput {
    pub name: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub pickup: Option<bool>,
    pub emergency: Option<bool>,
}

fn apply(mut c: Contact, input: ContactInput) -> Result<Contact, FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Some(v) = input.name {
        c.name = check::text(&mut errors, "name", &v, SHORT_TEXT, true);
    }
    if let Some(v) = input.relation {
        c.relation = check::text(&mut errors, "relation", &v, SHORT_TEXT, false);
    }
    if let Some(v) = input.phone {
        c.phone = check::phone(&mut errors, "phone", &v, true);
    }
    if let Some(v) = input.phone2 {
        c.phone2 = check::phone(&mut errors, "phone2", &v, false);
    }
    if let Some(v) = input.pickup {
        c.pickup = v;
    }
    if let Some(v) = input.emergency {
        c.emergency = v;
    }
    if c.name.is_empty() && !errors.0.contains_key("name") {
        errors.add("name", crate::i18n::t("field-required"));
    }
    if c.phone.is_empty() && !errors.0.contains_key("phone") {
        errors.add("phone", crate::i18n::t("field-phone-required"));
    }
    if !c.pickup && !c.emergency {
        errors.add("pickup", crate::i18n::t("contact-pickup-or-emergency"));
    }
    errors.into_result(c)
}

pub async fn contacts(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child_id: Uuid,
) -> Result<Option<Vec<Contact>>, DbErr> {
    let tx = tenant.begin(state).await?;
    if repository::child(&tx, signed.household_id, child_id, false)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let contacts = repository::contacts(&tx, child_id).await?;
    tx.commit().await?;
    Ok(Some(contacts))
}

pub async fn add_contact(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child_id: Uuid,
    input: ContactInput,
    origin: &str,
) -> Result<Contact, WriteError> {
    let tx = tenant.begin(state).await?;
    repository::child(&tx, signed.household_id, child_id, true)
        .await?
        .ok_or(WriteError::NotFound)?;
    let blank = Contact {
        id: Uuid::new_v4(),
        name: String::new(),
        relation: String::new(),
        phone: String::new(),
        phone2: String::new(),
        pickup: false,
        emergency: false,
    };
    let contact = apply(blank, input)?;
    repository::insert_contact(&tx, child_id, &contact).await?;
    audit::by_guardian(
        &tx,
        signed,
        origin,
        "create",
        "contact",
        contact.id.to_string(),
        vec![],
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

pub async fn change_contact(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child_id: Uuid,
    id: Uuid,
    input: ContactInput,
    origin: &str,
) -> Result<Contact, WriteError> {
    let tx = tenant.begin(state).await?;
    let current = household_contact(&tx, signed, child_id, id).await?;
    let contact = apply(current, input)?;
    repository::update_contact(&tx, &contact).await?;
    audit::by_guardian(
        &tx,
        signed,
        origin,
        "update",
        "contact",
        id.to_string(),
        vec![],
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

/// A contact of a child of the household, the child locked; anything else is not found.
async fn household_contact(
    tx: &TenantTx,
    signed: &SignedIn,
    child_id: Uuid,
    id: Uuid,
) -> Result<Contact, WriteError> {
    repository::child(tx, signed.household_id, child_id, true)
        .await?
        .ok_or(WriteError::NotFound)?;
    repository::contact(tx, child_id, id)
        .await?
        .ok_or(WriteError::NotFound)
}

pub async fn remove_contact(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child_id: Uuid,
    id: Uuid,
    origin: &str,
) -> Result<(), WriteError> {
    let tx = tenant.begin(state).await?;
    household_contact(&tx, signed, child_id, id).await?;
    repository::delete_contact(&tx, id).await?;
    audit::by_guardian(
        &tx,
        signed,
        origin,
        "delete",
        "contact",
        id.to_string(),
        vec![],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
