//! The rules of "Mon foyer": what a signed-in guardian may read and change.

use super::repository::{self, Consent, Criterion, Guardian, Household, Insurance};
use crate::audit;
use crate::auth::session::SignedIn;
use crate::family::{CONSENTS, WriteError, paris_date};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::{self as check, FieldErrors, SHORT_TEXT};
use portail_tenants::TenantTx;
use sea_orm::DbErr;
use uuid::Uuid;

pub struct HouseholdView {
    pub household: Household,
    pub guardians: Vec<Guardian>,
    pub insurances: Vec<Insurance>,
    pub criteria: Vec<Criterion>,
    pub consents: Vec<Consent>,
}

pub async fn view(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
) -> Result<HouseholdView, DbErr> {
    let tx = tenant.begin(state).await?;
    let household = repository::household(&tx, signed.household_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("household".into()))?;
    let view = HouseholdView {
        guardians: repository::guardians(&tx, household.id).await?,
        insurances: repository::insurances(&tx, household.id).await?,
        criteria: repository::criteria(&tx, household.id).await?,
        consents: repository::consents(&tx, household.id).await?,
        household,
    };
    tx.commit().await?;
    Ok(view)
}

/// A partial change of the household's address: absent fields are kept.
#[derive(Debug, Default)]
pub struct AddressChange {
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
}

pub async fn change_address(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    change: AddressChange,
    origin: &str,
) -> Result<Household, WriteError> {
    let tx = tenant.begin(state).await?;
    let current = repository::household(&tx, signed.household_id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let mut errors = FieldErrors::default();
    let address = change
        .address
        .as_deref()
        .map(|v| check::text(&mut errors, "address", v, SHORT_TEXT, true));
    let postal_code = change
        .postal_code
        .as_deref()
        .map(|v| check::postal_code(&mut errors, "postal_code", v));
    let city = change
        .city
        .as_deref()
        .map(|v| check::text(&mut errors, "city", v, SHORT_TEXT, true));
    errors.into_result(())?;
    let mut fields = Vec::new();
    let mut pick = |name: &str, new: Option<String>, old: &str| match new {
        Some(v) if v != old => {
            fields.push(name.to_string());
            v
        }
        _ => old.to_string(),
    };
    let updated = Household {
        address: pick("address", address, &current.address),
        postal_code: pick("postal_code", postal_code, &current.postal_code),
        city: pick("city", city, &current.city),
        ..current
    };
    if !fields.is_empty() {
        repository::update_address(
            &tx,
            updated.id,
            &updated.address,
            &updated.postal_code,
            &updated.city,
        )
        .await?;
        audit::by_guardian(
            &tx,
            signed,
            origin,
            "update",
            "household",
            updated.id.to_string(),
            fields,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// A partial change of a guardian: absent fields are kept.
#[derive(Debug, Default)]
pub struct GuardianChange {
    pub civility: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub work_phone: Option<String>,
    pub profession: Option<String>,
    pub employer: Option<String>,
    pub relation: Option<String>,
    pub parental_authority: Option<bool>,
    /// Problems found before (the e-mail change's checks): reported with the others, and
    /// nothing is written while there is any.
    pub prior_errors: FieldErrors,
}

const CIVILITIES: [&str; 3] = ["", "Madame", "Monsieur"];
const RELATIONS: [&str; 5] = ["", "Mère", "Père", "Tuteur ou tutrice", "Autre"];

/// Changes a guardian and, when given, their consents, in one transaction: both are
/// written or neither.
#[allow(clippy::too_many_arguments)] // the change, its consents, who asks and from where
pub async fn update_guardian(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    guardian_id: Uuid,
    change: GuardianChange,
    consents: Option<&[(String, bool)]>,
    origin: &str,
) -> Result<Guardian, WriteError> {
    // A refused consent rolls the guardian change back with it: the transaction is dropped.
    let tx = tenant.begin(state).await?;
    let guardian = change_guardian_in(state, &tx, signed, guardian_id, change, origin).await?;
    if let Some(choices) = consents {
        set_consents_in(state, &tx, signed, guardian_id, choices, origin).await?;
    }
    tx.commit().await?;
    Ok(guardian)
}

pub async fn change_guardian(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    guardian_id: Uuid,
    change: GuardianChange,
    origin: &str,
) -> Result<Guardian, WriteError> {
    update_guardian(state, tenant, signed, guardian_id, change, None, origin).await
}

async fn change_guardian_in(
    state: &AppState,
    tx: &TenantTx,
    signed: &SignedIn,
    guardian_id: Uuid,
    change: GuardianChange,
    origin: &str,
) -> Result<Guardian, WriteError> {
    let current = repository::guardian_for_update(tx, signed.household_id, guardian_id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let mut errors = change.prior_errors;
    let today = paris_date(state.clock.now());
    let mut g = current.clone();
    if let Some(v) = change.civility {
        if !CIVILITIES.contains(&v.as_str()) {
            errors.add("civility", crate::i18n::t("household-civility-error"));
        }
        g.civility = v;
    }
    if let Some(v) = change.first_name {
        g.first_name = check::text(&mut errors, "first_name", &v, SHORT_TEXT, true);
    }
    if let Some(v) = change.last_name {
        g.last_name = check::text(&mut errors, "last_name", &v, SHORT_TEXT, true);
    }
    if let Some(v) = change.birth_date {
        g.birth_date = if v.trim().is_empty() {
            None
        } else {
            check::birth_date(&mut errors, "birth_date", &v, today)
        };
    }
    if change.email.is_some() {
        // The e-mail is the sign-in: never changed with a session alone. Its owner changes it
        // with the current password and a link to the new address (`auth::email_change`).
        if guardian_id != signed.guardian_id {
            errors.add("email", crate::i18n::t("household-email-own"));
        } else {
            errors.add("email", crate::i18n::t("household-email-elsewhere"));
        }
    }
    if let Some(v) = change.phone {
        g.phone = check::phone(&mut errors, "phone", &v, false);
    }
    if let Some(v) = change.work_phone {
        g.work_phone = check::phone(&mut errors, "work_phone", &v, false);
    }
    if let Some(v) = change.profession {
        g.profession = check::text(&mut errors, "profession", &v, SHORT_TEXT, false);
    }
    if let Some(v) = change.employer {
        g.employer = check::text(&mut errors, "employer", &v, SHORT_TEXT, false);
    }
    if let Some(v) = change.relation {
        if !RELATIONS.contains(&v.as_str()) {
            errors.add("relation", crate::i18n::t("household-relation-error"));
        }
        g.relation = v;
    }
    if let Some(v) = change.parental_authority {
        g.parental_authority = v;
    }
    errors.into_result(())?;
    let fields = changed_fields(&current, &g);
    if !fields.is_empty() {
        repository::update_guardian(tx, &g).await?;
        audit::by_guardian(
            tx,
            signed,
            origin,
            "update",
            "guardian",
            g.id.to_string(),
            fields,
        )
        .await?;
    }
    Ok(g)
}

fn changed_fields(a: &Guardian, b: &Guardian) -> Vec<String> {
    let pairs: [(&str, bool); 11] = [
        ("civility", a.civility != b.civility),
        ("first_name", a.first_name != b.first_name),
        ("last_name", a.last_name != b.last_name),
        ("birth_date", a.birth_date != b.birth_date),
        ("email", a.email != b.email),
        ("phone", a.phone != b.phone),
        ("work_phone", a.work_phone != b.work_phone),
        ("profession", a.profession != b.profession),
        ("employer", a.employer != b.employer),
        ("relation", a.relation != b.relation),
        (
            "parental_authority",
            a.parental_authority != b.parental_authority,
        ),
    ];
    crate::family::changed_names(&pairs)
}

/// Gives or withdraws consents of a guardian of the household; the date records the choice.
pub async fn set_consents(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    guardian_id: Uuid,
    choices: &[(String, bool)],
    origin: &str,
) -> Result<(), WriteError> {
    let tx = tenant.begin(state).await?;
    set_consents_in(state, &tx, signed, guardian_id, choices, origin).await?;
    tx.commit().await?;
    Ok(())
}

async fn set_consents_in(
    state: &AppState,
    tx: &TenantTx,
    signed: &SignedIn,
    guardian_id: Uuid,
    choices: &[(String, bool)],
    origin: &str,
) -> Result<(), WriteError> {
    // Another household's guardian is unknown (404) before the consent is refused as not
    // one's own (422): the answer never tells whether the id exists elsewhere.
    repository::guardian_for_update(tx, signed.household_id, guardian_id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_consent_change(signed, guardian_id, choices)?;
    let now = state.clock.now();
    for (code, granted) in choices {
        repository::set_consent(tx, guardian_id, code, *granted, now).await?;
    }
    let fields = choices
        .iter()
        .map(|(c, _)| format!("consent.{c}"))
        .collect();
    audit::by_guardian(
        tx,
        signed,
        origin,
        "update",
        "consent",
        guardian_id.to_string(),
        fields,
    )
    .await?;
    Ok(())
}

/// Refuses a consent change for another guardian, and unknown codes, before anything is written.
/// A consent is the person's own decision: only the guardian themself gives or withdraws it,
/// never the other parent of the household.
pub fn check_consent_change(
    signed: &SignedIn,
    guardian_id: Uuid,
    choices: &[(String, bool)],
) -> Result<(), FieldErrors> {
    if guardian_id != signed.guardian_id {
        let mut errors = FieldErrors::default();
        errors.add("consents", crate::i18n::t("household-consent-own-only"));
        return Err(errors);
    }
    check_consents(choices)
}

/// Refuses unknown consent codes before anything is written.
pub fn check_consents(choices: &[(String, bool)]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (code, _) in choices {
        if !CONSENTS.iter().any(|(c, _)| c == code) {
            errors.add(
                "consents",
                crate::i18n::t_args(
                    "household-consent-unknown",
                    &[("code", code.as_str().into())],
                ),
            );
        }
    }
    errors.into_result(())
}
