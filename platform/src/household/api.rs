//! `/{slug}/api/v1/household`: the household and its guardians.

use super::repository::{Consent, Guardian, Household};
use super::service::{self, AddressChange, GuardianChange, HouseholdView};
use crate::auth::api::SignedInApi;
use crate::auth::email_change::{self, EmailChangeError};
use crate::auth::session::SignedIn;
use crate::family::{CONSENTS, WriteError};
use crate::http::errors::{ApiError, Fault};
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The household ("Mon foyer") and its guardians.
    Household,
}

#[derive(Object)]
pub struct ConsentDto {
    code: String,
    label: String,
    granted: Option<bool>,
    decided_at: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(rename = "HouseholdGuardian")]
pub struct GuardianDto {
    id: Uuid,
    civility: String,
    first_name: String,
    last_name: String,
    birth_date: Option<NaiveDate>,
    email: Option<String>,
    phone: String,
    work_phone: String,
    profession: String,
    employer: String,
    relation: String,
    parental_authority: bool,
    consents: Vec<ConsentDto>,
}

#[derive(Object)]
pub struct InsuranceDto {
    id: Uuid,
    child_id: Option<Uuid>,
    company: String,
    number: String,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
}

#[derive(Object)]
pub struct CriterionDto {
    id: Uuid,
    child_id: Option<Uuid>,
    label: String,
    decided_at: NaiveDate,
}

#[derive(Object)]
pub struct HouseholdDto {
    id: Uuid,
    address: String,
    postal_code: String,
    city: String,
    /// Set by the municipality from the CAF attestation; read-only here.
    quotient_familial: Option<i32>,
    guardians: Vec<GuardianDto>,
    insurances: Vec<InsuranceDto>,
    /// Decided by the municipality; read-only here.
    criteria: Vec<CriterionDto>,
}

pub fn consents_of(guardian: Uuid, consents: &[Consent]) -> Vec<ConsentDto> {
    CONSENTS
        .iter()
        .map(|(code, _french)| {
            let found = consents
                .iter()
                .find(|c| c.guardian_id == guardian && c.code == *code);
            ConsentDto {
                code: code.to_string(),
                label: crate::i18n::t(&format!("consent-{code}")),
                granted: found.map(|c| c.granted),
                decided_at: found.map(|c| c.decided_at),
            }
        })
        .collect()
}

fn guardian_dto(g: Guardian, consents: &[Consent]) -> GuardianDto {
    GuardianDto {
        consents: consents_of(g.id, consents),
        id: g.id,
        civility: g.civility,
        first_name: g.first_name,
        last_name: g.last_name,
        birth_date: g.birth_date,
        email: g.email,
        phone: g.phone,
        work_phone: g.work_phone,
        profession: g.profession,
        employer: g.employer,
        relation: g.relation,
        parental_authority: g.parental_authority,
    }
}

fn household_dto(v: HouseholdView) -> HouseholdDto {
    let Household {
        id,
        address,
        postal_code,
        city,
        quotient_familial,
        ..
    } = v.household;
    HouseholdDto {
        id,
        address,
        postal_code,
        city,
        quotient_familial,
        guardians: v
            .guardians
            .into_iter()
            .map(|g| guardian_dto(g, &v.consents))
            .collect(),
        insurances: v
            .insurances
            .into_iter()
            .map(|i| InsuranceDto {
                id: i.id,
                child_id: i.child_id,
                company: i.company,
                number: i.number,
                valid_from: i.valid_from,
                valid_to: i.valid_to,
            })
            .collect(),
        criteria: v
            .criteria
            .into_iter()
            .map(|c| CriterionDto {
                id: c.id,
                child_id: c.child_id,
                label: c.label,
                decided_at: c.decided_at,
            })
            .collect(),
    }
}

/// The editable fields of the household. Anything else (its id, the quotient familial…) is
/// refused with 400.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct HouseholdPatch {
    address: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
}

#[derive(Object)]
struct ConsentChoice {
    code: String,
    granted: bool,
}

/// The editable fields of a guardian; `email` only for oneself, with `current_password`: the
/// change is then confirmed by a link sent to the new address (answer 202).
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct GuardianPatch {
    /// Required with `email`.
    current_password: Option<String>,
    civility: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// AAAA-MM-JJ or JJ/MM/AAAA.
    birth_date: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    work_phone: Option<String>,
    profession: Option<String>,
    employer: Option<String>,
    relation: Option<String>,
    parental_authority: Option<bool>,
    consents: Option<Vec<ConsentChoice>>,
}

type Answer = Result<Json<HouseholdDto>, ApiError<WriteError>>;

/// What a guardian's change answers: the household, or, for one's own sign-in e-mail, that the
/// confirmation link is on its way (202).
#[derive(ApiResponse)]
enum GuardianAnswer {
    #[oai(status = 200)]
    Ok(Json<HouseholdDto>),
    /// The new e-mail waits for its confirmation link (`email_confirmation_sent`); nothing
    /// else of the request is left unsaved.
    #[oai(status = 202)]
    EmailPending(Json<PendingDto>),
}

/// `{"code": "email_confirmation_sent", "message": …}`.
#[derive(Object)]
struct PendingDto {
    code: String,
    message: String,
}

/// An e-mail change that cannot go on, in the terms of the household's errors.
fn email_failure(e: EmailChangeError) -> ApiError<WriteError> {
    match e {
        EmailChangeError::Invalid(fields) => WriteError::Invalid(fields).into(),
        EmailChangeError::Database(e) => WriteError::Database(e).into(),
        other => {
            tracing::warn!(error = %other, "e-mail change unavailable");
            WriteError::Unavailable.into()
        }
    }
}

pub struct HouseholdApi {
    pub state: Arc<AppState>,
}

impl HouseholdApi {
    async fn current(&self, tenant: &CurrentTenant, signed: &SignedIn) -> Answer {
        let view = service::view(&self.state, tenant, signed).await?;
        Ok(Json(household_dto(view)))
    }
}

#[derive(ApiResponse)]
enum ExportResponse {
    /// Every piece of the household's file: household, guardians, consents, children,
    /// contacts, authorisations, enrolments, insurances, criteria, documents, history.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Household")]
    impl HouseholdApi {
        /// All of the household's data as one JSON document.
        #[op("get", "/:slug/api/v1/export", "exportHousehold")]
        async fn export(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Result<ExportResponse, ApiError<Fault>> {
            let v = super::export::export(&self.state, &tenant, &signed, "api").await?;
            Ok(ExportResponse::Ok(
                Json(v),
                "attachment; filename=\"mon-foyer.json\"".into(),
            ))
        }

        /// The signed-in guardian's household, its guardians, insurances and criteria.
        #[op("get", "/:slug/api/v1/household", "getHousehold")]
        async fn get(&self, tenant, SignedInApi(signed): SignedInApi) -> Answer {
            self.current(&tenant, &signed).await
        }

        /// Change the household's address (any subset of the fields).
        #[op("patch", "/:slug/api/v1/household", "patchHousehold")]
        async fn patch(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<HouseholdPatch>,
        ) -> Answer {
            let change = AddressChange {
                address: body.0.address,
                postal_code: body.0.postal_code,
                city: body.0.city,
            };
            service::change_address(&self.state, &tenant, &signed, change, "api").await?;
            self.current(&tenant, &signed).await
        }

        /// Change a guardian of the household (any subset of the fields), consents included:
        /// both are saved together or not at all.
        #[op("patch", "/:slug/api/v1/household/guardians/:id", "patchGuardian")]
        async fn patch_guardian(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            body: Json<GuardianPatch>,
        ) -> Result<GuardianAnswer, ApiError<WriteError>> {
            let b = body.0;
            let consents: Option<Vec<(String, bool)>> = b
                .consents
                .map(|c| c.into_iter().map(|c| (c.code, c.granted)).collect());
            // One's own sign-in e-mail: the current password, then a link to the new address
            // (see `auth::email_change`); never changed with the session alone.
            let own_email = if id.0 == signed.guardian_id {
                b.email.clone()
            } else {
                None
            };
            let mut prior_errors = crate::validation::FieldErrors::default();
            let mut checked_email = None;
            if let Some(new_email) = &own_email {
                match email_change::check(
                    &self.state,
                    &tenant,
                    &signed,
                    b.current_password.as_deref(),
                    new_email,
                )
                .await
                {
                    Ok(Ok(email)) => checked_email = Some(email),
                    Ok(Err(fields)) => prior_errors = fields,
                    Err(e) => return Err(email_failure(e)),
                }
            }
            let change = GuardianChange {
                civility: b.civility,
                first_name: b.first_name,
                last_name: b.last_name,
                birth_date: b.birth_date,
                email: if own_email.is_some() { None } else { b.email },
                prior_errors,
                phone: b.phone,
                work_phone: b.work_phone,
                profession: b.profession,
                employer: b.employer,
                relation: b.relation,
                parental_authority: b.parental_authority,
            };
            service::update_guardian(
                &self.state,
                &tenant,
                &signed,
                id.0,
                change,
                consents.as_deref(),
                "api",
            )
            .await?;
            if let Some(email) = checked_email {
                email_change::request(&self.state, &tenant, &signed, &email)
                    .await
                    .map_err(email_failure)?;
                return Ok(GuardianAnswer::EmailPending(Json(PendingDto {
                    code: "email_confirmation_sent".into(),
                    message: email_change::sent(),
                })));
            }
            let Json(household) = self.current(&tenant, &signed).await?;
            Ok(GuardianAnswer::Ok(Json(household)))
        }
    }
}
