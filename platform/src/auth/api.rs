//! The sign-in operations of the JSON API, under `/{slug}/api/v1`.

use super::password_generator::{from_sentence, random_password};
use super::password_policy::{Context, MAX_CHARS, MIN_BITS, assess};
use super::service::{self, AuthError};
use super::session::{
    GUARDIAN_SESSION, SESSION_COOKIE, SignedIn, client_address, read_cookie, signed_in,
};
use crate::http::errors::{ApiError, ErrorBody};
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::Request;
use poem_openapi::auth::ApiKey;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, SecurityScheme, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Sign-in, sign-out, passwords.
    Auth,
    /// The signed-in guardian.
    Account,
}

/// The signed-in guardian of an API operation: the session cookie set by
/// `POST /auth/login`, checked before the handler runs (no session: 401
/// `not_authenticated`; Redis down: 503).
#[derive(SecurityScheme)]
#[oai(
    rename = "SessionCookie",
    ty = "api_key",
    key_name = "portail_session",
    key_in = "cookie",
    checker = "check_session"
)]
pub struct SignedInApi(pub SignedIn);

async fn check_session(req: &Request, _key: ApiKey) -> poem::Result<SignedIn> {
    let state = req
        .data::<Arc<AppState>>()
        .expect("state is added to every request");
    let tenant = req
        .data::<CurrentTenant>()
        .expect("tenant resolved before the API");
    match signed_in(state, tenant, req).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(ApiError::from(AuthError::NotSignedIn).into()),
        Err(e) => Err(ApiError::from(AuthError::from(e)).into()),
    }
}

#[derive(Object)]
struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Object)]
pub struct GuardianDto {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
}

#[derive(Object)]
struct LoginDto {
    guardian: GuardianDto,
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// Signed in; the session cookie is set.
    #[oai(status = 200)]
    Ok(Json<LoginDto>, #[oai(header = "Set-Cookie")] String),
}

/// No content; the cookie header set or cleared, if any (a sign-out clears the session's).
#[derive(ApiResponse)]
pub(crate) enum NoContentResponse {
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] Option<String>),
}

#[derive(ApiResponse)]
enum AcceptedResponse {
    /// Always, whether the address is an account's or not.
    #[oai(status = 202)]
    Accepted(Json<ErrorBody>),
}

type Answer<T> = Result<T, ApiError<AuthError>>;

#[derive(Object)]
struct ResetRequest {
    email: String,
}

#[derive(Object)]
struct ResetConfirm {
    token: String,
    password: String,
}

#[derive(Object)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

#[derive(Object)]
struct PolicyDto {
    max_length: u32,
    min_entropy_bits: f64,
    /// Each way to an accepted password, in French.
    accepted_when: Vec<String>,
    /// What is refused whatever the strength, in French.
    refused_when: Vec<String>,
}

#[derive(Enum)]
#[oai(rename_all = "lowercase")]
enum GenerateMethod {
    Random,
    Sentence,
}

#[derive(Object)]
struct GenerateRequest {
    method: GenerateMethod,
    sentence: Option<String>,
}

#[derive(Object)]
struct GeneratedDto {
    password: String,
    entropy_bits: f64,
}

#[derive(Object)]
struct ChildSummary {
    id: Uuid,
    first_name: String,
    last_name: String,
}

#[derive(Object)]
struct HouseholdSummary {
    id: Uuid,
    address: String,
    postal_code: String,
    city: String,
    guardians: Vec<GuardianDto>,
    children: Vec<ChildSummary>,
}

#[derive(Object)]
struct MeDto {
    guardian: GuardianDto,
    household: HouseholdSummary,
    /// The language the guardian saved (`PATCH /me`); `null` until they choose one, when the
    /// portal follows the browser.
    locale: Option<String>,
}

pub struct AuthApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Auth")]
    impl AuthApi {
        /// Sign in with e-mail and password; sets the session cookie.
        #[op("post", "/:slug/api/v1/auth/login", "login")]
        async fn login(
            &self,
            tenant,
            req: &Request,
            body: Json<LoginRequest>,
        ) -> Answer<LoginResponse> {
            let previous = read_cookie(req, SESSION_COOKIE);
            let address = client_address(req);
            let s = service::sign_in(
                &self.state,
                &tenant,
                &body.email,
                &body.password,
                &address,
                previous.as_deref(),
            )
            .await?;
            Ok(LoginResponse::Ok(
                Json(LoginDto {
                    guardian: GuardianDto {
                        id: s.account.guardian_id,
                        first_name: s.account.first_name,
                        last_name: s.account.last_name,
                        email: Some(s.account.email),
                        phone: String::new(),
                    },
                }),
                GUARDIAN_SESSION.set(&self.state, tenant.slug(), &s.session_id),
            ))
        }

        /// Sign out: the session ends server-side and the cookie is cleared.
        #[op("post", "/:slug/api/v1/auth/logout", "logout")]
        async fn logout(&self, tenant, req: &Request) -> Answer<NoContentResponse> {
            if let Some(id) = read_cookie(req, SESSION_COOKIE) {
                self.state
                    .sessions
                    .destroy(tenant.slug(), &id)
                    .await
                    .map_err(AuthError::from)?;
            }
            Ok(NoContentResponse::Done(Some(GUARDIAN_SESSION.clear(
                &self.state,
                tenant.slug(),
            ))))
        }

        /// Ask for a first-connection or reset link by mail. Same answer whether the address is
        /// known or not.
        #[op("post", "/:slug/api/v1/auth/password-reset", "requestPasswordReset")]
        async fn password_reset(
            &self,
            tenant,
            body: Json<ResetRequest>,
        ) -> Answer<AcceptedResponse> {
            service::request_reset(self.state.clone(), tenant.clone(), body.0.email);
            Ok(AcceptedResponse::Accepted(Json(ErrorBody {
                code: "accepted".into(),
                message: reset_answer(),
                fields: None,
                reasons: None,
            })))
        }

        /// Set the password with the token of the mailed link.
        #[op("post", "/:slug/api/v1/auth/password-reset/confirm", "confirmPasswordReset")]
        async fn password_reset_confirm(
            &self,
            tenant,
            body: Json<ResetConfirm>,
        ) -> Answer<NoContentResponse> {
            service::confirm_reset(&self.state, &tenant, &body.token, &body.password).await?;
            Ok(NoContentResponse::Done(None))
        }

        /// Change the password of the signed-in guardian; every session of the account ends.
        #[op("post", "/:slug/api/v1/auth/password", "changePassword")]
        async fn change_password(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<PasswordChange>,
        ) -> Answer<NoContentResponse> {
            service::change_password(
                &self.state,
                &tenant,
                signed.guardian_id,
                &body.current_password,
                &body.new_password,
            )
            .await?;
            Ok(NoContentResponse::Done(Some(GUARDIAN_SESSION.clear(
                &self.state,
                tenant.slug(),
            ))))
        }

        /// The password rules.
        #[op("get", "/:slug/api/v1/auth/password-policy", "passwordPolicy")]
        async fn password_policy(&self, _tenant) -> Json<PolicyDto> {
            Json(PolicyDto {
                max_length: MAX_CHARS as u32,
                min_entropy_bits: MIN_BITS,
                accepted_when: POLICY_RULES.iter().map(|k| crate::i18n::t(k)).collect(),
                refused_when: POLICY_REFUSALS.iter().map(|k| crate::i18n::t(k)).collect(),
            })
        }

        /// Generate a compliant password: at random, or from a sentence (a sentence the policy
        /// refuses answers 422 with `reasons`).
        #[op("post", "/:slug/api/v1/auth/password/generate", "generatePassword")]
        async fn generate(
            &self,
            _tenant,
            body: Json<GenerateRequest>,
        ) -> Answer<Json<GeneratedDto>> {
            let (password, a) = match body.0.method {
                GenerateMethod::Random => random_password(&Context::default()),
                GenerateMethod::Sentence => {
                    let password = from_sentence(body.0.sentence.as_deref().unwrap_or(""));
                    let a = assess(&password, &Context::default());
                    (password, a)
                }
            };
            if !a.accepted() {
                return Err(AuthError::PasswordRefused(a.refusals).into());
            }
            Ok(Json(GeneratedDto {
                password,
                entropy_bits: a.entropy_bits,
            }))
        }
    }
}

/// The same answer whether the address is an account's or not.
pub fn reset_answer() -> String {
    crate::i18n::t("reset-answer")
}

/// The catalogue keys of the password rules, as `GET /auth/password-policy` states them.
pub const POLICY_RULES: [&str; 4] = [
    "policy-rule-12",
    "policy-rule-14",
    "policy-rule-words",
    "policy-rule-bits",
];

pub const POLICY_REFUSALS: [&str; 4] = [
    "policy-refused-long",
    "policy-refused-email",
    "policy-refused-names",
    "policy-refused-common",
];

pub struct AccountApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Account")]
    impl AccountApi {
        /// The signed-in guardian and their household.
        #[op("get", "/:slug/api/v1/me", "me")]
        async fn me(&self, tenant, SignedInApi(signed): SignedInApi) -> Answer<Json<MeDto>> {
            let (household, guardians, children) =
                service::household(&self.state, &tenant, signed.household_id).await?;
            let dto = |g: &super::repository::GuardianRow| GuardianDto {
                id: g.id,
                first_name: g.first_name.clone(),
                last_name: g.last_name.clone(),
                email: g.email.clone(),
                phone: g.phone.clone(),
            };
            let me = guardians
                .iter()
                .find(|g| g.id == signed.guardian_id)
                .ok_or(AuthError::NotSignedIn)?;
            Ok(Json(MeDto {
                guardian: dto(me),
                locale: me.locale.clone(),
                household: HouseholdSummary {
                    id: household.id,
                    address: household.address,
                    postal_code: household.postal_code,
                    city: household.city,
                    guardians: guardians.iter().map(dto).collect(),
                    children: children
                        .into_iter()
                        .map(|c| ChildSummary {
                            id: c.id,
                            first_name: c.first_name,
                            last_name: c.last_name,
                        })
                        .collect(),
                },
            }))
        }
    }
}
