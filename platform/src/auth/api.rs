//! The sign-in operations of the JSON API, under `/{slug}/api/v1`.

use super::csrf::origin_allowed;
use super::password_generator::{from_sentence, random_password};
use super::password_policy::{Context, MAX_CHARS, MIN_BITS, Refusal, assess};
use super::repository;
use super::service::{self, AuthError};
use super::session::{
    SESSION_COOKIE, SignedIn, clear_session_cookie, client_address, read_cookie, session_cookie,
    signed_in,
};
use crate::http::api_errors::ErrorBody;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::Request;
use poem::web::Data;
use poem_openapi::auth::ApiKey;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, SecurityScheme, Tags};
use portail_tenants::TenantTx;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Sign-in, sign-out, passwords.
    Auth,
    /// The signed-in guardian.
    Account,
}

/// The session cookie set by `POST /auth/login`.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "portail_session",
    key_in = "cookie",
    checker = "check_session"
)]
pub struct SessionCookie(pub SignedIn);

async fn check_session(req: &Request, _key: ApiKey) -> poem::Result<SignedIn> {
    let state = req
        .data::<Arc<AppState>>()
        .expect("state is added to every request");
    let tenant = req
        .data::<CurrentTenant>()
        .expect("tenant resolved before the API");
    match signed_in(state, tenant, req).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(error(AuthError::NotSignedIn)),
        Err(e) => Err(error(AuthError::from(e))),
    }
}

/// An API error as a poem error carrying our JSON shape.
fn error(e: AuthError) -> poem::Error {
    let body = serde_json::json!({ "code": e.code(), "message": e.message() });
    let mut response = poem::web::Json(body).into_response_with_status(e.status());
    if let AuthError::Throttled(wait) = e {
        response.headers_mut().insert("retry-after", wait.into());
    }
    poem::Error::from_response(response)
}

trait WithStatus {
    fn into_response_with_status(self, status: u16) -> poem::Response;
}

impl<T: poem::IntoResponse> WithStatus for T {
    fn into_response_with_status(self, status: u16) -> poem::Response {
        let mut r = self.into_response();
        r.set_status(poem::http::StatusCode::from_u16(status).expect("valid status"));
        r
    }
}

#[derive(Object)]
struct Reason {
    /// `too_long`, `too_weak`, `contains_email`, `contains_name`, `contains_city`, `common`.
    code: String,
    message: String,
}

#[derive(Object)]
struct RefusedBody {
    code: String,
    message: String,
    reasons: Vec<Reason>,
}

fn refused(refusals: &[Refusal]) -> RefusedBody {
    RefusedBody {
        code: "password_refused".into(),
        message: refusals
            .iter()
            .map(|r| r.message())
            .collect::<Vec<_>>()
            .join(" "),
        reasons: refusals
            .iter()
            .map(|r| Reason {
                code: r.code().into(),
                message: r.message().into(),
            })
            .collect(),
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
    /// One generic answer for every wrong e-mail or password (`invalid_credentials`).
    #[oai(status = 401)]
    Invalid(Json<ErrorBody>),
    /// Too many failures (`too_many_attempts`); `Retry-After` gives the wait in seconds.
    #[oai(status = 429)]
    Throttled(Json<ErrorBody>, #[oai(header = "Retry-After")] i64),
    /// The request's `Origin` is not the portal's (`forbidden_origin`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

#[derive(ApiResponse)]
enum NoContentResponse {
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] Option<String>),
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// The password is refused: `reasons` says why, each with a code.
    #[oai(status = 422)]
    Refused(Json<RefusedBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

impl From<AuthError> for NoContentResponse {
    fn from(e: AuthError) -> Self {
        let body = || {
            Json(ErrorBody {
                code: e.code().into(),
                message: e.message(),
            })
        };
        match &e {
            AuthError::PasswordRefused(r) => NoContentResponse::Refused(Json(refused(r))),
            AuthError::WrongCurrentPassword => NoContentResponse::Refused(Json(RefusedBody {
                code: e.code().into(),
                message: e.message(),
                reasons: vec![],
            })),
            AuthError::InvalidToken => NoContentResponse::BadRequest(body()),
            AuthError::InvalidCredentials | AuthError::NotSignedIn | AuthError::Throttled(_) => {
                NoContentResponse::Unauthorized(body())
            }
            AuthError::Unavailable => NoContentResponse::Unavailable(body()),
            AuthError::Internal => NoContentResponse::Internal(body()),
        }
    }
}

fn forbidden_origin() -> Json<ErrorBody> {
    Json(ErrorBody {
        code: "forbidden_origin".into(),
        message: "Cette requête ne vient pas du portail famille.".into(),
    })
}

#[derive(Object)]
struct ResetRequest {
    email: String,
}

#[derive(ApiResponse)]
enum AcceptedResponse {
    /// Always, whether the address is an account's or not.
    #[oai(status = 202)]
    Accepted(Json<ErrorBody>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
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

#[derive(ApiResponse)]
enum GenerateResponse {
    #[oai(status = 200)]
    Ok(Json<GeneratedDto>),
    /// The sentence gives a password the policy refuses: `reasons` says why.
    #[oai(status = 422)]
    Refused(Json<RefusedBody>),
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
}

#[derive(ApiResponse)]
enum MeResponse {
    #[oai(status = 200)]
    Ok(Json<MeDto>),
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

pub struct AuthApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign in with e-mail and password; sets the session cookie.
    #[oai(
        path = "/:slug/api/v1/auth/login",
        method = "post",
        operation_id = "login"
    )]
    async fn login(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> LoginResponse {
        if !origin_allowed(&self.state, req) {
            return LoginResponse::Forbidden(forbidden_origin());
        }
        let previous = read_cookie(req, SESSION_COOKIE);
        let address = client_address(req);
        match service::sign_in(
            &self.state,
            &tenant,
            &body.email,
            &body.password,
            &address,
            previous.as_deref(),
        )
        .await
        {
            Ok(s) => LoginResponse::Ok(
                Json(LoginDto {
                    guardian: GuardianDto {
                        id: s.account.guardian_id,
                        first_name: s.account.first_name,
                        last_name: s.account.last_name,
                        email: Some(s.account.email),
                        phone: String::new(),
                    },
                }),
                session_cookie(&self.state, tenant.slug(), &s.session_id),
            ),
            Err(e) => {
                let body = Json(ErrorBody {
                    code: e.code().into(),
                    message: e.message(),
                });
                match e {
                    AuthError::Throttled(wait) => LoginResponse::Throttled(body, wait),
                    AuthError::InvalidCredentials => LoginResponse::Invalid(body),
                    AuthError::Unavailable => LoginResponse::Unavailable(body),
                    _ => LoginResponse::Internal(body),
                }
            }
        }
    }

    /// Sign out: the session ends server-side and the cookie is cleared.
    #[oai(
        path = "/:slug/api/v1/auth/logout",
        method = "post",
        operation_id = "logout"
    )]
    async fn logout(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
    ) -> NoContentResponse {
        if !origin_allowed(&self.state, req) {
            return NoContentResponse::Forbidden(forbidden_origin());
        }
        if let Some(id) = read_cookie(req, SESSION_COOKIE)
            && let Err(e) = self.state.sessions.destroy(tenant.slug(), &id).await
        {
            return AuthError::from(e).into();
        }
        NoContentResponse::Done(Some(clear_session_cookie(&self.state, tenant.slug())))
    }

    /// Ask for a first-connection or reset link by mail. Same answer whether the address is
    /// known or not.
    #[oai(
        path = "/:slug/api/v1/auth/password-reset",
        method = "post",
        operation_id = "requestPasswordReset"
    )]
    async fn password_reset(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        body: Json<ResetRequest>,
    ) -> AcceptedResponse {
        if !origin_allowed(&self.state, req) {
            return AcceptedResponse::Forbidden(forbidden_origin());
        }
        service::request_reset(self.state.clone(), tenant.clone(), body.0.email);
        AcceptedResponse::Accepted(Json(ErrorBody {
            code: "accepted".into(),
            message: RESET_ANSWER.into(),
        }))
    }

    /// Set the password with the token of the mailed link.
    #[oai(
        path = "/:slug/api/v1/auth/password-reset/confirm",
        method = "post",
        operation_id = "confirmPasswordReset"
    )]
    async fn password_reset_confirm(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        body: Json<ResetConfirm>,
    ) -> NoContentResponse {
        if !origin_allowed(&self.state, req) {
            return NoContentResponse::Forbidden(forbidden_origin());
        }
        match service::confirm_reset(&self.state, &tenant, &body.token, &body.password).await {
            Ok(()) => NoContentResponse::Done(None),
            Err(e) => e.into(),
        }
    }

    /// Change the password of the signed-in guardian; every session of the account ends.
    #[oai(
        path = "/:slug/api/v1/auth/password",
        method = "post",
        operation_id = "changePassword"
    )]
    async fn change_password(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        req: &Request,
        session: SessionCookie,
        body: Json<PasswordChange>,
    ) -> NoContentResponse {
        if !origin_allowed(&self.state, req) {
            return NoContentResponse::Forbidden(forbidden_origin());
        }
        match service::change_password(
            &self.state,
            &tenant,
            session.0.guardian_id,
            &body.current_password,
            &body.new_password,
        )
        .await
        {
            Ok(()) => {
                NoContentResponse::Done(Some(clear_session_cookie(&self.state, tenant.slug())))
            }
            Err(e) => e.into(),
        }
    }

    /// The password rules.
    #[oai(
        path = "/:slug/api/v1/auth/password-policy",
        method = "get",
        operation_id = "passwordPolicy"
    )]
    async fn password_policy(&self, #[oai(name = "slug")] _slug: Path<String>) -> Json<PolicyDto> {
        Json(PolicyDto {
            max_length: MAX_CHARS as u32,
            min_entropy_bits: MIN_BITS,
            accepted_when: POLICY_RULES.iter().map(|s| s.to_string()).collect(),
            refused_when: POLICY_REFUSALS.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// Generate a compliant password: at random, or from a sentence.
    #[oai(
        path = "/:slug/api/v1/auth/password/generate",
        method = "post",
        operation_id = "generatePassword"
    )]
    async fn generate(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        body: Json<GenerateRequest>,
    ) -> GenerateResponse {
        match body.0.method {
            GenerateMethod::Random => {
                let (password, a) = random_password(&Context::default());
                GenerateResponse::Ok(Json(GeneratedDto {
                    password,
                    entropy_bits: a.entropy_bits,
                }))
            }
            GenerateMethod::Sentence => {
                let password = from_sentence(body.0.sentence.as_deref().unwrap_or(""));
                let a = assess(&password, &Context::default());
                if a.accepted() {
                    GenerateResponse::Ok(Json(GeneratedDto {
                        password,
                        entropy_bits: a.entropy_bits,
                    }))
                } else {
                    GenerateResponse::Refused(Json(refused(&a.refusals)))
                }
            }
        }
    }
}

pub const RESET_ANSWER: &str = "Si un compte correspond à cette adresse, un lien de génération de mot de passe vient de lui être envoyé. Il est valable 24 heures. Pensez à consulter vos courriers indésirables.";

pub const POLICY_RULES: [&str; 4] = [
    "au moins 12 caractères avec une majuscule, une minuscule, un chiffre et un caractère spécial",
    "ou au moins 14 caractères avec une majuscule, une minuscule et un chiffre",
    "ou une phrase d'au moins 7 mots",
    "ou toute combinaison estimée à 80 bits de robustesse ou plus",
];

pub const POLICY_REFUSALS: [&str; 4] = [
    "plus de 128 caractères",
    "votre adresse e-mail",
    "le nom ou le prénom d'un membre du foyer, ou votre commune",
    "un des mots de passe les plus courants",
];

pub struct AccountApi {
    pub state: Arc<AppState>,
}

#[OpenApi(tag = "ApiTags::Account")]
impl AccountApi {
    /// The signed-in guardian and their household.
    #[oai(path = "/:slug/api/v1/me", method = "get", operation_id = "me")]
    async fn me(
        &self,
        #[oai(name = "slug")] _slug: Path<String>,
        tenant: Data<&CurrentTenant>,
        session: SessionCookie,
    ) -> MeResponse {
        let read = async {
            let tx = TenantTx::begin(&self.state.db, tenant.schema()).await?;
            let found = repository::household(&tx, session.0.household_id).await?;
            tx.commit().await?;
            Ok::<_, sea_orm::DbErr>(found)
        };
        let (household, guardians, children) = match read.await {
            Ok(found) => found,
            Err(e) => {
                let e = AuthError::from(e);
                let body = Json(ErrorBody {
                    code: e.code().into(),
                    message: e.message(),
                });
                return if e.status() == 503 {
                    MeResponse::Unavailable(body)
                } else {
                    MeResponse::Internal(body)
                };
            }
        };
        let dto = |g: &repository::GuardianRow| GuardianDto {
            id: g.id,
            first_name: g.first_name.clone(),
            last_name: g.last_name.clone(),
            email: g.email.clone(),
            phone: g.phone.clone(),
        };
        let Some(me) = guardians.iter().find(|g| g.id == session.0.guardian_id) else {
            let e = AuthError::NotSignedIn;
            return MeResponse::Unauthorized(Json(ErrorBody {
                code: e.code().into(),
                message: e.message(),
            }));
        };
        MeResponse::Ok(Json(MeDto {
            guardian: dto(me),
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
