//! The criteria and insurances of a household's file, recorded by `gestionnaire` and above:
//! criteria come from the municipality's list (`criteria` in its configuration), each change
//! is audited, and parents read them on "Mon foyer" and their children's records at once.

use super::StaffError;
use super::audited;
use super::auth::StaffSigned;
use super::families::{HouseholdDetail, detail_in, paris_today};
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::{self, CurrentTenant};
use crate::validation::{self, FieldErrors, SHORT_TEXT};
use chrono::NaiveDate;
use portail_tenants::TenantTx;
use uuid::Uuid;

/// A criterion as sent (form or JSON).
#[derive(Debug, Clone, Default)]
pub struct NewCriterion {
    pub label: String,
    /// A child of the household, or the household as a whole.
    pub child_id: Option<Uuid>,
    /// `YYYY-MM-DD`; today when absent.
    pub decided_at: Option<String>,
}

/// An insurance as sent (form or JSON).
#[derive(Debug, Clone, Default)]
pub struct NewInsurance {
    pub company: String,
    pub number: String,
    pub valid_from: String,
    pub valid_to: String,
    pub child_id: Option<Uuid>,
}

fn date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, t("field-date-invalid"));
            None
        }
    }
}

/// Whether `child_id`, when given, is a child of the household.
async fn child_of(
    tx: &TenantTx,
    household_id: Uuid,
    child_id: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<(), StaffError> {
    if let Some(child) = child_id
        && !tx
            .exists(
                "SELECT 1 FROM children WHERE id = $1 AND household_id = $2",
                [child.into(), household_id.into()],
            )
            .await?
    {
        errors.add("child_id", t("staff-records-child-unknown"));
    }
    Ok(())
}

async fn household_exists(tx: &TenantTx, id: Uuid) -> Result<(), StaffError> {
    if tx
        .exists("SELECT 1 FROM households WHERE id = $1", [id.into()])
        .await?
    {
        Ok(())
    } else {
        Err(StaffError::NotFound)
    }
}

/// A change of a household's records, as the audit log names it.
struct Change<'a> {
    action: (&'a str, &'a str),
    id: Uuid,
    household_id: Uuid,
    fields: &'a [&'a str],
}

/// Every change ends the same way, in its own transaction: the audit entry, then the household
/// as it now stands, then the commit.
async fn audited_detail(
    tx: TenantTx,
    state: &AppState,
    by: &StaffSigned,
    change: Change<'_>,
    origin: &str,
) -> Result<HouseholdDetail, StaffError> {
    let Change {
        action,
        id,
        household_id,
        fields,
    } = change;
    audited(&tx, by, action, id, household_id, fields, origin).await?;
    let detail = detail_in(&tx, household_id, paris_today(state))
        .await?
        .ok_or(StaffError::NotFound)?;
    tx.commit().await?;
    Ok(detail)
}

/// Records a criterion of the municipality's list for the household or one of its children.
pub async fn add_criterion(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    household_id: Uuid,
    new: NewCriterion,
    origin: &str,
) -> Result<HouseholdDetail, StaffError> {
    let config = tenancy::config(state, tenant).await?;
    let mut errors = FieldErrors::default();
    let label = config
        .criteria
        .iter()
        .find(|c| c.as_str() == new.label.trim())
        .cloned();
    if label.is_none() {
        errors.add("label", t("staff-criterion-unknown"));
    }
    let decided_at = match new.decided_at.as_deref().map(str::trim) {
        None | Some("") => Some(paris_today(state)),
        Some(text) => date(&mut errors, "decided_at", text),
    };
    let tx = tenant.begin(state).await?;
    household_exists(&tx, household_id).await?;
    child_of(&tx, household_id, new.child_id, &mut errors).await?;
    let (Some(label), Some(decided_at), true) = (label, decided_at, errors.is_empty()) else {
        return Err(errors.into());
    };
    let id = Uuid::new_v4();
    tx.run(
        "INSERT INTO criteria (id, household_id, child_id, label, decided_at) VALUES ($1, $2, $3, $4, $5)",
        [
            id.into(),
            household_id.into(),
            new.child_id.into(),
            label.into(),
            decided_at.into(),
        ],
    )
    .await?;
    let fields = ["label", "child_id", "decided_at"];
    let change = Change {
        action: ("create", "criterion"),
        id,
        household_id,
        fields: &fields,
    };
    audited_detail(tx, state, by, change, origin).await
}

/// Records an insurance of the household or of one of its children.
pub async fn add_insurance(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    household_id: Uuid,
    new: NewInsurance,
    origin: &str,
) -> Result<HouseholdDetail, StaffError> {
    let mut errors = FieldErrors::default();
    let company = validation::text(&mut errors, "company", &new.company, SHORT_TEXT, true);
    let number = validation::text(&mut errors, "number", &new.number, SHORT_TEXT, true);
    let from = date(&mut errors, "valid_from", &new.valid_from);
    let to = date(&mut errors, "valid_to", &new.valid_to);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.add("valid_to", t("staff-insurance-dates"));
    }
    let tx = tenant.begin(state).await?;
    household_exists(&tx, household_id).await?;
    child_of(&tx, household_id, new.child_id, &mut errors).await?;
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return Err(errors.into());
    };
    let id = Uuid::new_v4();
    tx.run(
        "INSERT INTO insurances (id, household_id, child_id, company, number, valid_from, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            id.into(),
            household_id.into(),
            new.child_id.into(),
            company.into(),
            number.into(),
            from.into(),
            to.into(),
        ],
    )
    .await?;
    let fields = ["company", "number", "valid_from", "valid_to", "child_id"];
    let change = Change {
        action: ("create", "insurance"),
        id,
        household_id,
        fields: &fields,
    };
    audited_detail(tx, state, by, change, origin).await
}

/// What a household has several of, each removed by its id.
#[derive(Clone, Copy)]
pub enum Listed {
    Criterion,
    Insurance,
}

/// Removes a criterion or an insurance (`listed`) of the household.
pub async fn remove(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    listed: Listed,
    household_id: Uuid,
    id: Uuid,
    origin: &str,
) -> Result<HouseholdDetail, StaffError> {
    let (sql, entity) = match listed {
        Listed::Criterion => (
            "DELETE FROM criteria WHERE id = $1 AND household_id = $2",
            "criterion",
        ),
        Listed::Insurance => (
            "DELETE FROM insurances WHERE id = $1 AND household_id = $2",
            "insurance",
        ),
    };
    let tx = tenant.begin(state).await?;
    if tx.run(sql, [id.into(), household_id.into()]).await? == 0 {
        return Err(StaffError::NotFound);
    }
    let change = Change {
        action: ("delete", entity),
        id,
        household_id,
        fields: &[],
    };
    audited_detail(tx, state, by, change, origin).await
}
