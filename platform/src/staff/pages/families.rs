//! The families: the search, a household and its quotient familial.

use super::InfoQuery;
use crate::auth::pages::see_other;
use crate::http::errors::PageError;
use crate::http::page::PathId;
use crate::i18n::t;
use crate::staff::auth::StaffSigned;
use crate::staff::families::{self, HouseholdDetail, HouseholdSummary, QuotientChange};
use crate::staff::guard::{StaffForm, StaffFrame, StaffPage};
use crate::staff::{Accueil, Gestionnaire, Role, StaffError};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

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

#[handler]
pub async fn families_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
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
    let households = families::search(state, tenant, &q).await?;
    let model = SearchPage {
        info: info.message(),
        can_invite: page.member.role.allows(Role::Gestionnaire),
        searched: !q.trim().is_empty(),
        q,
        households,
    };
    Ok(page.frame.render(
        "staff_familles",
        &t("title-staff-families"),
        "familles",
        &model,
        200,
    ))
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

#[derive(Serialize)]
pub struct HouseholdPage {
    pub household: HouseholdDetail,
    pub documents: Vec<DocumentRow>,
    pub can_edit: bool,
    /// Admins open the household's audit.
    pub can_audit: bool,
    pub info: Option<String>,
    pub error: Option<String>,
    pub errors: BTreeMap<String, String>,
    pub quotient_value: String,
    pub valid_from_value: String,
}

pub(super) fn household_model(household: HouseholdDetail, member: &StaffSigned) -> HouseholdPage {
    HouseholdPage {
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

/// A household's page, titled with its name.
fn household_page_of(frame: &StaffFrame, model: &HouseholdPage, status: u16) -> Response {
    let title = &model.household.name;
    frame.render("staff_foyer", title, "familles", model, status)
}

#[handler]
pub async fn household_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let household = families::detail(state, tenant, id).await?;
    let mut model = household_model(household, &page.member);
    model.info = query.message();
    Ok(household_page_of(&page.frame, &model, 200))
}

#[derive(Deserialize)]
pub struct QuotientForm {
    quotient_familial: Option<String>,
    quotient_valid_from: Option<String>,
}

#[handler]
pub async fn set_quotient(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    page: StaffForm<Gestionnaire, QuotientForm>,
) -> Result<Response, PageError> {
    let raw = page.form.quotient_familial.clone().unwrap_or_default();
    let quotient = match raw.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let result = match quotient {
        Ok(quotient_familial) => {
            families::set_quotient(
                state,
                tenant,
                &page.member,
                id,
                QuotientChange {
                    quotient_familial,
                    quotient_valid_from: page.form.quotient_valid_from.clone(),
                },
                "page",
            )
            .await
        }
        Err(()) => {
            let mut errors = crate::validation::FieldErrors::default();
            errors.add("quotient_familial", t("staff-quotient-number"));
            Err(StaffError::Invalid(errors))
        }
    };
    match result {
        Ok(_) => Ok(see_other(format!(
            "/{}/gestion/familles/{id}?info=quotient",
            tenant.slug()
        ))),
        Err(StaffError::Invalid(errors)) => {
            let household = families::detail(state, tenant, id).await?;
            let mut model = household_model(household, &page.member);
            model.error = Some(t("error-invalid-fields"));
            model.errors = errors.0;
            model.quotient_value = raw;
            model.valid_from_value = page.form.quotient_valid_from.clone().unwrap_or_default();
            Ok(household_page_of(&page.frame, &model, 422))
        }
        Err(e) => Err(e.into()),
    }
}

/// A family document's file: an audited read, which the family sees.
#[handler]
pub async fn document(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let file = crate::staff::documents::read(state, tenant, &page.member, id, "page").await?;
    let mut builder = Response::builder();
    for (name, value) in crate::documents::service::download_headers(&file) {
        builder = builder.header(name, value);
    }
    Ok(builder.body(file.data))
}
