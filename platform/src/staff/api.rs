//! The back-office operations of the JSON API, under `/{slug}/api/v1/staff/`. Each operation's
//! guard names the role it needs (`StaffApi<Gestionnaire>`…): 401 without a staff session,
//! 403 `forbidden_role` below the role.

use super::accounts::Member;
use super::auth::{self, STAFF_COOKIE, STAFF_SESSION};
use super::counts::{self, Attendance, PrestationCount};
use super::families::{self, HouseholdDetail, HouseholdSummary, QuotientChange};
use super::guard::StaffApi;
use super::household_records::{self, Listed, NewCriterion, NewInsurance};
use super::invitations::{self, Outcome, Selection};
use super::records::{self, AuditEntry, ChildRecord};
use super::texts::{self, Texts, TextsChange};
use super::{Accueil, Admin, Gestionnaire, StaffError};
use crate::auth::api::NoContentResponse;
use crate::auth::session::{client_address, read_cookie};
use crate::documents::api::DownloadResponse;
use crate::http::errors::ApiError;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use poem::Request;
use poem_openapi::param::Header;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Municipal staff: activation, sign-in with TOTP, the team.
    StaffAuth,
    /// Municipal staff: families and records.
    StaffFamilies,
    /// Municipal staff: the portal's texts (admin).
    PortalTexts,
}

type Answer<T> = Result<T, ApiError<StaffError>>;

#[derive(Object)]
#[oai(rename = "StaffActivateRequest")]
struct ActivateRequest {
    token: String,
    password: String,
}

#[derive(Object)]
#[oai(rename = "StaffActivateDto")]
struct ActivateDto {
    /// Base32 secret, to type into an authenticator app.
    totp_secret: String,
    /// `otpauth://totp/…`, the content of the QR code.
    otpauth_uri: String,
}

#[derive(Object)]
#[oai(rename = "StaffConfirmRequest")]
struct ConfirmRequest {
    token: String,
    /// The 6-digit code the app shows.
    code: String,
}

#[derive(Object)]
#[oai(rename = "StaffRecoveryDto")]
struct RecoveryDto {
    /// 10 single-use codes, shown once: each replaces a TOTP code once.
    recovery_codes: Vec<String>,
}

#[derive(Object)]
#[oai(rename = "StaffLoginRequest")]
struct LoginRequest {
    email: String,
    password: String,
    /// A TOTP code (6 digits) or a recovery code.
    code: String,
}

#[derive(Object)]
#[oai(rename = "StaffSignedIn")]
struct StaffDto {
    staff: Member,
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// Signed in; the staff session cookie is set.
    #[oai(status = 200)]
    Ok(Json<StaffDto>, #[oai(header = "Set-Cookie")] String),
}

#[derive(Object)]
#[oai(rename = "StaffMembersDto")]
struct MembersDto {
    staff: Vec<Member>,
}

#[derive(Object)]
#[oai(rename = "StaffInviteRequest")]
struct InviteRequest {
    email: String,
    name: String,
    /// `accueil`, `gestionnaire`, `regisseur` or `admin`.
    role: String,
}

#[derive(ApiResponse)]
enum Invited {
    /// The account is created and the activation mail queued.
    #[oai(status = 201)]
    Created(Json<Member>),
}

#[derive(Object)]
#[oai(rename = "StaffDisableRequest")]
struct DisableRequest {
    email: String,
}

#[derive(Object)]
#[oai(rename = "StaffHouseholdsDto")]
struct HouseholdsDto {
    households: Vec<HouseholdSummary>,
}

#[derive(Object)]
#[oai(rename = "StaffHouseholdPatch")]
struct HouseholdPatch {
    quotient_familial: Option<i64>,
    /// `YYYY-MM-DD`; required with a quotient.
    quotient_valid_from: Option<String>,
    /// A document of the household kept as the quotient's proof; absent or `null`: none.
    /// The three fields are set together.
    quotient_document_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(rename = "StaffValidation")]
struct ValidationRequest {
    /// `true` validates the record for the school year, `false` withdraws the validation.
    validated: bool,
}

#[derive(Object)]
#[oai(rename = "StaffCounts")]
struct CountsDto {
    date: chrono::NaiveDate,
    prestations: Vec<PrestationCount>,
}

#[derive(ApiResponse)]
enum AttendanceResponse {
    /// The list as JSON.
    #[oai(status = 200)]
    Json(Json<Attendance>),
    /// The list as CSV (with `Accept: text/csv`), each cell safe from formula injection.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// A `YYYY-MM-DD` date of a query, or 422 `invalid_fields`.
fn query_date(raw: &str) -> Result<chrono::NaiveDate, StaffError> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        let mut errors = crate::validation::FieldErrors::default();
        errors.add("date", crate::i18n::t("field-date-invalid"));
        StaffError::Invalid(errors)
    })
}

#[derive(Object)]
#[oai(rename = "StaffInvitations")]
struct InvitationsRequest {
    /// The guardians to invite…
    #[oai(default)]
    guardian_ids: Vec<Uuid>,
    /// …or, with `true`, every guardian with an e-mail who has never signed in.
    #[oai(default)]
    all: bool,
}

#[derive(Object)]
#[oai(rename = "StaffAudit")]
struct AuditDto {
    entries: Vec<AuditEntry>,
}

#[derive(Object)]
#[oai(rename = "StaffServiceEmail")]
struct ServiceEmail {
    /// A service's code, as in the configuration.
    code: String,
    email: String,
}

/// The texts to change; an absent key keeps its text.
#[derive(Object)]
#[oai(rename = "StaffTextsPatch")]
struct TextsPatch {
    /// At most 200 characters.
    welcome_title: Option<String>,
    /// Markdown, at most 10,000 characters; raw HTML is shown as text.
    welcome_text: Option<String>,
    /// At most 2,000 characters.
    reservation_notice: Option<String>,
    /// New e-mail addresses of services (messaging recipients).
    #[oai(default)]
    services: Vec<ServiceEmail>,
}

#[derive(Object)]
#[oai(rename = "StaffCriterionRequest")]
struct CriterionRequest {
    /// One of the municipality's criteria (`criteria` in its configuration).
    label: String,
    /// A child of the household; absent for the household as a whole.
    child_id: Option<Uuid>,
    /// `YYYY-MM-DD`; today when absent.
    decided_at: Option<String>,
}

#[derive(Object)]
#[oai(rename = "StaffInsuranceRequest")]
struct InsuranceRequest {
    company: String,
    number: String,
    /// `YYYY-MM-DD`.
    valid_from: String,
    /// `YYYY-MM-DD`, not before `valid_from`.
    valid_to: String,
    /// A child of the household; absent for the household as a whole.
    child_id: Option<Uuid>,
}

pub struct StaffApiService {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi]
    impl StaffApiService {
        /// Step 1 of activation: the invitation's token and the chosen password (CNIL policy);
        /// answers the TOTP secret to enrol.
        #[op("post", "/:slug/api/v1/staff/auth/activate", "staffActivate", tag = "ApiTags::StaffAuth")]
        async fn activate(&self, tenant, body: Json<ActivateRequest>) -> Answer<Json<ActivateDto>> {
            let e = auth::activate(&self.state, &tenant, &body.token, &body.password).await?;
            Ok(Json(ActivateDto {
                totp_secret: e.secret,
                otpauth_uri: e.uri,
            }))
        }

        /// Step 2 of activation: a code of the app; the account is active and the token used.
        #[op("post", "/:slug/api/v1/staff/auth/activate/confirm", "staffActivateConfirm", tag = "ApiTags::StaffAuth")]
        async fn confirm(
            &self,
            tenant,
            req: &Request,
            body: Json<ConfirmRequest>,
        ) -> Answer<Json<RecoveryDto>> {
            let codes = auth::confirm(
                &self.state,
                &tenant,
                &body.token,
                &body.code,
                &client_address(req),
            )
            .await?;
            Ok(Json(RecoveryDto {
                recovery_codes: codes,
            }))
        }

        /// Staff sign-in: e-mail, password and a TOTP or recovery code; sets the staff cookie.
        #[op("post", "/:slug/api/v1/staff/auth/login", "staffLogin", tag = "ApiTags::StaffAuth")]
        async fn login(
            &self,
            tenant,
            req: &Request,
            body: Json<LoginRequest>,
        ) -> Answer<LoginResponse> {
            let previous = read_cookie(req, STAFF_COOKIE);
            let s = auth::sign_in(
                &self.state,
                &tenant,
                &body.email,
                &body.password,
                &body.code,
                &client_address(req),
                previous.as_deref(),
            )
            .await?;
            Ok(LoginResponse::Ok(
                Json(StaffDto { staff: s.member }),
                STAFF_SESSION.set(&self.state, tenant.slug(), &s.session_id),
            ))
        }

        /// Staff sign-out: the session ends server-side.
        #[op("post", "/:slug/api/v1/staff/auth/logout", "staffLogout", tag = "ApiTags::StaffAuth")]
        async fn logout(&self, tenant, staff: StaffApi<Accueil>) -> Answer<NoContentResponse> {
            auth::sign_out(&self.state, &tenant, &staff.member.session_id).await?;
            Ok(NoContentResponse::Done(Some(STAFF_SESSION.clear(
                &self.state,
                tenant.slug(),
            ))))
        }

        /// The signed-in staff member.
        #[op("get", "/:slug/api/v1/staff/me", "staffMe", tag = "ApiTags::StaffAuth")]
        async fn me(&self, _tenant, staff: StaffApi<Accueil>) -> Answer<Json<StaffDto>> {
            let m = staff.member;
            Ok(Json(StaffDto {
                staff: Member {
                    id: m.id,
                    email: m.email,
                    name: m.name,
                    role: m.role.code().into(),
                    status: "active".into(),
                },
            }))
        }

        /// The municipality's staff (admin).
        #[op("get", "/:slug/api/v1/staff/members", "staffMembers", tag = "ApiTags::StaffAuth")]
        async fn members(&self, tenant, _staff: StaffApi<Admin>) -> Answer<Json<MembersDto>> {
            Ok(Json(MembersDto {
                staff: auth::members(&self.state, &tenant).await?,
            }))
        }

        /// Invite a colleague (admin): the activation link is mailed.
        #[op("post", "/:slug/api/v1/staff/members", "staffInvite", tag = "ApiTags::StaffAuth")]
        async fn invite(
            &self,
            tenant,
            staff: StaffApi<Admin>,
            body: Json<InviteRequest>,
        ) -> Answer<Invited> {
            let m = auth::invite(
                &self.state,
                &tenant,
                &staff.member,
                &body.email,
                &body.name,
                &body.role,
            )
            .await?;
            Ok(Invited::Created(Json(m)))
        }

        /// Disable a colleague (admin): their open sessions end at once.
        #[op("post", "/:slug/api/v1/staff/members/disable", "staffDisable", tag = "ApiTags::StaffAuth")]
        async fn disable(
            &self,
            tenant,
            staff: StaffApi<Admin>,
            body: Json<DisableRequest>,
        ) -> Answer<Json<Member>> {
            Ok(Json(
                auth::disable(&self.state, &tenant, &staff.member, &body.email).await?,
            ))
        }

        /// Search households by name, child, e-mail or phone (accent- and case-insensitive).
        #[op("get", "/:slug/api/v1/staff/households", "staffSearchHouseholds", tag = "ApiTags::StaffFamilies")]
        async fn households(
            &self,
            tenant,
            _staff: StaffApi<Accueil>,
            q: Query<Option<String>>,
        ) -> Answer<Json<HouseholdsDto>> {
            let households =
                families::search(&self.state, &tenant, q.0.as_deref().unwrap_or("")).await?;
            Ok(Json(HouseholdsDto { households }))
        }

        /// One household: guardians and children (without their medical fields).
        #[op("get", "/:slug/api/v1/staff/households/:id", "staffHousehold", tag = "ApiTags::StaffFamilies")]
        async fn household(
            &self,
            tenant,
            _staff: StaffApi<Accueil>,
            id: Path<Uuid>,
        ) -> Answer<Json<HouseholdDetail>> {
            Ok(Json(families::detail(&self.state, &tenant, id.0).await?))
        }

        /// Set the quotient familial and the date it applies from (`gestionnaire` and above).
        #[op("patch", "/:slug/api/v1/staff/households/:id", "staffPatchHousehold", tag = "ApiTags::StaffFamilies")]
        async fn patch_household(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            body: Json<HouseholdPatch>,
        ) -> Answer<Json<HouseholdDetail>> {
            let body = body.0;
            Ok(Json(
                families::set_quotient(
                    &self.state,
                    &tenant,
                    &staff.member,
                    id.0,
                    QuotientChange {
                        quotient_familial: body.quotient_familial,
                        quotient_valid_from: body.quotient_valid_from,
                        quotient_document_id: body.quotient_document_id,
                    },
                    "api",
                )
                .await?,
            ))
        }

        /// A child's whole record, medical fields included: the read is recorded, and the
        /// child's parents see it under "Qui a consulté mes données".
        #[op("get", "/:slug/api/v1/staff/children/:id", "staffChildRecord", tag = "ApiTags::StaffFamilies")]
        async fn child(
            &self,
            tenant,
            staff: StaffApi<Accueil>,
            id: Path<Uuid>,
        ) -> Answer<Json<ChildRecord>> {
            Ok(Json(
                records::read(&self.state, &tenant, &staff.member, id.0, "api").await?,
            ))
        }

        /// Validate or un-validate a child's record (`gestionnaire` and above).
        #[op("post", "/:slug/api/v1/staff/children/:id/validation", "staffValidateChild", tag = "ApiTags::StaffFamilies")]
        async fn validate_child(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            body: Json<ValidationRequest>,
        ) -> Answer<Json<ChildRecord>> {
            Ok(Json(
                records::set_validated(
                    &self.state,
                    &tenant,
                    &staff.member,
                    id.0,
                    body.validated,
                    "api",
                )
                .await?,
            ))
        }

        /// The day's counts per prestation: booked, capacity, diets and PAI, per school and class
        /// (`gestionnaire` and above).
        #[op("get", "/:slug/api/v1/staff/counts", "staffCounts", tag = "ApiTags::StaffFamilies")]
        async fn counts(
            &self,
            tenant,
            _staff: StaffApi<Gestionnaire>,
            date: Query<String>,
        ) -> Answer<Json<CountsDto>> {
            let day = query_date(&date.0)?;
            Ok(Json(CountsDto {
                date: day,
                prestations: counts::counts(&self.state, &tenant, day).await?,
            }))
        }

        /// The attendance list of a prestation on a day, with emergency contacts: JSON, or CSV
        /// with `Accept: text/csv` (`gestionnaire` and above).
        #[op("get", "/:slug/api/v1/staff/attendance", "staffAttendance", tag = "ApiTags::StaffFamilies")]
        async fn attendance(
            &self,
            tenant,
            _staff: StaffApi<Gestionnaire>,
            date: Query<String>,
            prestation: Query<String>,
            accept: Header<Option<String>>,
        ) -> Answer<AttendanceResponse> {
            let day = query_date(&date.0)?;
            let list = counts::attendance(&self.state, &tenant, day, &prestation.0).await?;
            if accept.0.as_deref().is_some_and(|a| a.contains("text/csv")) {
                let file = format!(
                    "attachment; filename=\"presences-{}-{day}.csv\"",
                    list.prestation
                );
                return Ok(AttendanceResponse::Csv(
                    PlainText(counts::to_csv(&list)),
                    file,
                ));
            }
            Ok(AttendanceResponse::Json(Json(list)))
        }

        /// Mail the first-connection link to guardians (`gestionnaire` and above); a guardian is
        /// invited at most once a day.
        #[op("post", "/:slug/api/v1/staff/invitations", "staffInviteFamilies", tag = "ApiTags::StaffFamilies")]
        async fn invite_families(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            body: Json<InvitationsRequest>,
        ) -> Answer<Json<Outcome>> {
            let body = body.0;
            let selection = if body.all {
                Selection::NeverSignedIn
            } else {
                Selection::Guardians(body.guardian_ids)
            };
            Ok(Json(
                invitations::invite(&self.state, &tenant, &staff.member, selection, "api").await?,
            ))
        }

        /// The audit of a household: who changed or read what, when (admin only).
        #[op("get", "/:slug/api/v1/staff/households/:id/audit", "staffHouseholdAudit", tag = "ApiTags::StaffFamilies")]
        async fn household_audit(
            &self,
            tenant,
            _staff: StaffApi<Admin>,
            id: Path<Uuid>,
        ) -> Answer<Json<AuditDto>> {
            Ok(Json(AuditDto {
                entries: records::household_audit(&self.state, &tenant, id.0).await?,
            }))
        }

        /// A family document's file (`accueil` and above): the read is recorded, and the
        /// family sees it under "Qui a consulté mes données".
        #[op("get", "/:slug/api/v1/staff/documents/:id", "staffDocument", tag = "ApiTags::StaffFamilies")]
        async fn document(
            &self,
            tenant,
            staff: StaffApi<Accueil>,
            id: Path<Uuid>,
        ) -> Answer<DownloadResponse> {
            let file =
                super::documents::read(&self.state, &tenant, &staff.member, id.0, "api").await?;
            Ok(file.into())
        }

        /// The portal's texts: welcome title and Markdown text, reservation notice, services'
        /// e-mail addresses (admin).
        #[op("get", "/:slug/api/v1/staff/texts", "staffTexts", tag = "ApiTags::PortalTexts")]
        async fn texts(&self, tenant, _staff: StaffApi<Admin>) -> Answer<Json<Texts>> {
            Ok(Json(texts::current(&self.state, &tenant).await?))
        }

        /// Change the portal's texts (admin): a new version of the municipality's configuration,
        /// checked like a file ops send, audited, shown to parents from the next request on.
        #[op("patch", "/:slug/api/v1/staff/texts", "staffPatchTexts", tag = "ApiTags::PortalTexts")]
        async fn patch_texts(
            &self,
            tenant,
            staff: StaffApi<Admin>,
            body: Json<TextsPatch>,
        ) -> Answer<Json<Texts>> {
            let body = body.0;
            let change = TextsChange {
                welcome_title: body.welcome_title,
                welcome_text: body.welcome_text,
                reservation_notice: body.reservation_notice,
                service_emails: body
                    .services
                    .into_iter()
                    .map(|s| (s.code, s.email))
                    .collect(),
            };
            Ok(Json(
                texts::update(&self.state, &tenant, &staff.member, change, "api").await?,
            ))
        }

        /// Record a criterion for the household or one of its children (`gestionnaire` and
        /// above, audited); the parents see it at once.
        #[op("post", "/:slug/api/v1/staff/households/:id/criteria", "staffAddCriterion", tag = "ApiTags::StaffFamilies")]
        async fn add_criterion(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            body: Json<CriterionRequest>,
        ) -> Answer<Json<HouseholdDetail>> {
            let body = body.0;
            let new = NewCriterion {
                label: body.label,
                child_id: body.child_id,
                decided_at: body.decided_at,
            };
            let added = household_records::add_criterion(
                &self.state,
                &tenant,
                &staff.member,
                id.0,
                new,
                "api",
            );
            Ok(Json(added.await?))
        }

        /// Remove a criterion of the household (`gestionnaire` and above, audited).
        #[op("delete", "/:slug/api/v1/staff/households/:id/criteria/:criterion_id", "staffRemoveCriterion", tag = "ApiTags::StaffFamilies")]
        async fn remove_criterion(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            criterion_id: Path<Uuid>,
        ) -> Answer<Json<HouseholdDetail>> {
            Ok(Json(
                household_records::remove(
                    &self.state,
                    &tenant,
                    &staff.member,
                    Listed::Criterion,
                    id.0,
                    criterion_id.0,
                    "api",
                )
                .await?,
            ))
        }

        /// Record an insurance of the household or of one of its children (`gestionnaire` and
        /// above, audited); the parents see it at once.
        #[op("post", "/:slug/api/v1/staff/households/:id/insurances", "staffAddInsurance", tag = "ApiTags::StaffFamilies")]
        async fn add_insurance(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            body: Json<InsuranceRequest>,
        ) -> Answer<Json<HouseholdDetail>> {
            let body = body.0;
            let new = NewInsurance {
                company: body.company,
                number: body.number,
                valid_from: body.valid_from,
                valid_to: body.valid_to,
                child_id: body.child_id,
            };
            let added = household_records::add_insurance(
                &self.state,
                &tenant,
                &staff.member,
                id.0,
                new,
                "api",
            );
            Ok(Json(added.await?))
        }

        /// Remove an insurance of the household (`gestionnaire` and above, audited).
        #[op("delete", "/:slug/api/v1/staff/households/:id/insurances/:insurance_id", "staffRemoveInsurance", tag = "ApiTags::StaffFamilies")]
        async fn remove_insurance(
            &self,
            tenant,
            staff: StaffApi<Gestionnaire>,
            id: Path<Uuid>,
            insurance_id: Path<Uuid>,
        ) -> Answer<Json<HouseholdDetail>> {
            Ok(Json(
                household_records::remove(
                    &self.state,
                    &tenant,
                    &staff.member,
                    Listed::Insurance,
                    id.0,
                    insurance_id.0,
                    "api",
                )
                .await?,
            ))
        }
    }
}
