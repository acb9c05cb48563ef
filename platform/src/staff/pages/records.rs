//! The criteria and insurances of a household, from its page (`gestionnaire` and above).

use super::families::refused_form;
use crate::http::errors::PageError;
use crate::http::page::PathId;
use crate::staff::guard::StaffForm;
use crate::staff::household_records::{self, Listed, NewCriterion, NewInsurance};
use crate::staff::{Gestionnaire, StaffError};
use poem::{Response, handler};
use serde::Deserialize;
use uuid::Uuid;

/// A person select's value: empty for the family, else a child's id.
fn child_of(value: &Option<String>) -> Option<Uuid> {
    value
        .as_deref()
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
}

/// Back to the household's page, saying what was done.
fn back_to<F>(page: &StaffForm<Gestionnaire, F>, id: Uuid, info: &str) -> Response {
    page.frame.redirect(&format!("familles/{id}?info={info}"))
}

#[derive(Deserialize)]
pub struct CriterionForm {
    label: Option<String>,
    child_id: Option<String>,
}

#[handler]
pub async fn add_criterion(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, CriterionForm>,
) -> Result<Response, PageError> {
    let new = NewCriterion {
        label: page.form.label.clone().unwrap_or_default(),
        child_id: child_of(&page.form.child_id),
        decided_at: None,
    };
    let (state, tenant) = (&page.state, &page.tenant);
    match household_records::add_criterion(state, tenant, &page.member, id, new, "page").await {
        Ok(_) => Ok(back_to(&page, id, "critere")),
        Err(StaffError::Invalid(errors)) => {
            refused_form(&page, id, errors, |model| model.failed.criterion = true).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct InsuranceForm {
    company: Option<String>,
    number: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    child_id: Option<String>,
}

#[handler]
pub async fn add_insurance(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, InsuranceForm>,
) -> Result<Response, PageError> {
    let f = &page.form;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let new = NewInsurance {
        company: value(&f.company),
        number: value(&f.number),
        valid_from: value(&f.valid_from),
        valid_to: value(&f.valid_to),
        child_id: child_of(&f.child_id),
    };
    let typed = super::families::InsuranceValues {
        company: new.company.clone(),
        number: new.number.clone(),
        valid_from: new.valid_from.clone(),
        valid_to: new.valid_to.clone(),
    };
    let (state, tenant) = (&page.state, &page.tenant);
    match household_records::add_insurance(state, tenant, &page.member, id, new, "page").await {
        Ok(_) => Ok(back_to(&page, id, "assurance")),
        Err(StaffError::Invalid(errors)) => {
            refused_form(&page, id, errors, |model| {
                model.failed.insurance = true;
                model.insurance = typed;
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    record_id: Option<String>,
}

/// The form's record removed from household `id`, then back to its page saying so.
async fn remove(
    page: StaffForm<Gestionnaire, RemoveForm>,
    id: Uuid,
    listed: Listed,
    info: &str,
) -> Result<Response, PageError> {
    let record = page
        .form
        .record_id
        .as_deref()
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .ok_or(StaffError::NotFound)?;
    let (state, tenant) = (&page.state, &page.tenant);
    household_records::remove(state, tenant, &page.member, listed, id, record, "page").await?;
    Ok(back_to(&page, id, info))
}

#[handler]
pub async fn remove_criterion(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, RemoveForm>,
) -> Result<Response, PageError> {
    remove(page, id, Listed::Criterion, "critere-retire").await
}

#[handler]
pub async fn remove_insurance(
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, RemoveForm>,
) -> Result<Response, PageError> {
    remove(page, id, Listed::Insurance, "assurance-retiree").await
}
