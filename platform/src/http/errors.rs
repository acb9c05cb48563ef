//! # The error policy
//!
//! Every failure a person or a program can meet is a [`Problem`]: a status, a stable code for
//! programs (`"tenant_not_found"`, `"invalid_fields"`…, never renamed: clients match on
//! them) and a message for people, from the catalogue (`crate::i18n`) in the request's
//! language, French by default. Each feature has ONE error enum implementing
//! `Problem`, and that `impl` is the only home of the enum's words: its `message` method
//! is the one place a sentence is produced, and it asks the catalogue for it.
//!
//! A handler never builds a response from an error by hand. It returns
//! `Result<_, ApiError<FeatureError>>` (JSON API) or `Result<_, PageError>` (HTML page) and
//! uses `?`: both are built from any `Problem`, and from a [`DbErr`] for enums that hold one.
//! `ApiError<E>` also tells the OpenAPI spec which statuses the operation answers
//! ([`Problem::statuses`]) with the one body shape [`ErrorBody`] `{"code", "message"}`.
//!
//! The failures that are not a feature's own (unknown municipality, a dependency down, a
//! bug…) are the [`Failure`]s: features delegate to them instead of declaring their own
//! 503 and 500, so those words exist once.
//!
//! Whether a request gets the JSON shape or the French page is decided in one place,
//! [`is_api_path`]; everything that answers outside a handler goes through [`respond`].
//!
//! A 5xx is logged once, with its cause chain, where the `ApiError` or `PageError` is made
//! ([`report`]); the answer itself never says anything of the cause.

use crate::templates;
use crate::validation::FieldErrors;
use poem::error::ResponseError;
use poem::http::{HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{Object, payload::Json, payload::Payload};
use sea_orm::DbErr;
use serde_json::json;
use std::collections::BTreeMap;
use std::error::Error;
use std::marker::PhantomData;

/// A failure as people and programs see it.
pub trait Problem: Error + Send + Sync + 'static {
    fn status(&self) -> StatusCode;
    /// Stable machine-readable code.
    fn code(&self) -> &'static str;
    /// The French sentence for people: the enum's only home for its words.
    fn message(&self) -> String;
    /// What the body carries besides `code` and `message`.
    fn details(&self) -> Details {
        Details::None
    }
    /// Every status an operation answering this error may give (guards included), with its
    /// description, for the OpenAPI spec.
    fn statuses() -> &'static [(u16, &'static str)]
    where
        Self: Sized;
}

/// The extras of an error body.
#[derive(Debug, Default)]
pub enum Details {
    #[default]
    None,
    /// 422: field name → French message.
    Fields(BTreeMap<String, String>),
    /// Why a password is refused: (code, French message).
    Reasons(Vec<(&'static str, String)>),
    /// 429: seconds to wait, sent as `Retry-After`.
    RetryAfter(i64),
}

/// The failures every feature shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("tenant not found")]
    TenantNotFound,
    #[error("tenant suspended")]
    TenantSuspended,
    #[error("not found")]
    NotFound,
    /// A dependency (PostgreSQL, Redis) is unreachable.
    #[error("a dependency is unavailable")]
    Unavailable,
    /// A form without its CSRF token, or with another one.
    #[error("form token invalid")]
    FormExpired,
    /// An API mutation whose `Origin` is not the portal's.
    #[error("forbidden origin")]
    ForbiddenOrigin,
    /// An API operation that needs a session, without one.
    #[error("not signed in")]
    NotSignedIn,
    #[error("internal error")]
    Internal,
}

impl Failure {
    /// What a database error amounts to (its cause is logged where it is answered).
    pub fn of(e: &DbErr) -> Failure {
        if portail_tenants::database::is_unavailable(e) {
            Failure::Unavailable
        } else {
            Failure::Internal
        }
    }

    /// The title of the French error page.
    pub fn title(self) -> &'static str {
        match self {
            Failure::TenantNotFound => "Portail introuvable",
            Failure::TenantSuspended => "Portail en maintenance",
            Failure::NotFound => "Page introuvable",
            Failure::Unavailable => "Service momentanément indisponible",
            Failure::Internal => "Une erreur est survenue",
            Failure::FormExpired | Failure::ForbiddenOrigin => "Formulaire expiré",
            Failure::NotSignedIn => "Connexion requise",
        }
    }
}

impl Problem for Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::TenantNotFound | Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::TenantSuspended | Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Failure::FormExpired | Failure::ForbiddenOrigin => StatusCode::FORBIDDEN,
            Failure::NotSignedIn => StatusCode::UNAUTHORIZED,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Failure::TenantNotFound => "tenant_not_found",
            Failure::TenantSuspended => "tenant_suspended",
            Failure::NotFound => "not_found",
            Failure::Unavailable => "service_unavailable",
            Failure::Internal => "internal_error",
            Failure::FormExpired => "csrf_token_invalid",
            Failure::ForbiddenOrigin => "forbidden_origin",
            Failure::NotSignedIn => "not_authenticated",
        }
    }

    fn message(&self) -> String {
        crate::i18n::t(match self {
            Failure::TenantNotFound => "error-tenant-not-found",
            Failure::TenantSuspended => "error-tenant-suspended",
            Failure::NotFound => "error-not-found",
            Failure::Unavailable => "error-unavailable",
            Failure::Internal => "error-internal",
            Failure::FormExpired => "error-form-expired",
            Failure::ForbiddenOrigin => "error-forbidden-origin",
            Failure::NotSignedIn => "error-not-authenticated",
        })
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[UNAVAILABLE, INTERNAL]
    }
}

/// The spec lines most operations share.
pub const UNAUTHORIZED: (u16, &str) = (
    401,
    "Not signed in (`not_authenticated`); answered by the session check.",
);
pub const FORBIDDEN: (u16, &str) = (
    403,
    "The request's `Origin` is not the portal's (`forbidden_origin`).",
);
pub const NOT_FOUND: (u16, &str) = (404, "Nothing of the household has this id (`not_found`).");
pub const INVALID: (u16, &str) = (
    422,
    "Invalid fields (`invalid_fields`), each with its French message in `fields`.",
);
pub const UNAVAILABLE: (u16, &str) = (
    503,
    "A dependency is down (`service_unavailable`) or the portal is suspended (`tenant_suspended`).",
);
pub const INTERNAL: (u16, &str) = (500, "An unexpected failure (`internal_error`).");

/// Logs a 5xx once, with its cause chain; other problems are the person's and not logged.
pub fn report(problem: &dyn Problem) {
    let status = problem.status();
    if !status.is_server_error() {
        return;
    }
    let mut chain = problem.to_string();
    let mut source = problem.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::warn!(error = %chain, code = problem.code(), "dependency unavailable");
    } else {
        tracing::error!(error = %chain, code = problem.code(), "request failed");
    }
}

/// Whether a path is the JSON API's (`/{slug}/api/…`): the one place that decides between
/// the JSON shape and the French page.
pub fn is_api_path(path: &str) -> bool {
    path.trim_start_matches('/')
        .split_once('/')
        .is_some_and(|(_, rest)| rest.starts_with("api/"))
}

/// The JSON error shape of the API.
#[derive(Object, Debug)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `tenant_not_found`.
    pub code: String,
    /// Explanation for people, in the request's language (`Accept-Language`, French by default).
    pub message: String,
    /// With `invalid_fields`: field name → French message.
    #[oai(skip_serializing_if_is_none)]
    pub fields: Option<BTreeMap<String, String>>,
    /// With `password_refused`: each reason, with its code.
    #[oai(skip_serializing_if_is_none)]
    pub reasons: Option<Vec<Reason>>,
}

#[derive(Object, Debug)]
pub struct Reason {
    /// `too_long`, `too_weak`, `contains_email`, `contains_name`, `contains_city`, `common`.
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    fn of(problem: &dyn Problem) -> (Self, Option<i64>) {
        let mut body = ErrorBody {
            code: problem.code().into(),
            message: problem.message(),
            fields: None,
            reasons: None,
        };
        let mut retry_after = None;
        match problem.details() {
            Details::None => {}
            Details::Fields(fields) => body.fields = Some(fields),
            Details::Reasons(reasons) => {
                body.reasons = Some(
                    reasons
                        .into_iter()
                        .map(|(code, message)| Reason {
                            code: code.into(),
                            message,
                        })
                        .collect(),
                )
            }
            Details::RetryAfter(seconds) => retry_after = Some(seconds),
        }
        (body, retry_after)
    }
}

/// The answer of an API operation that failed with `E`. The spec lists `E::statuses()`.
pub struct ApiError<E = Failure> {
    response: Response,
    kind: PhantomData<fn() -> E>,
}

impl<E: Problem> From<E> for ApiError<E> {
    fn from(problem: E) -> Self {
        report(&problem);
        ApiError {
            response: respond(&problem, true, None),
            kind: PhantomData,
        }
    }
}

impl<E: Problem + From<DbErr>> From<DbErr> for ApiError<E> {
    fn from(e: DbErr) -> Self {
        E::from(e).into()
    }
}

impl<E> IntoResponse for ApiError<E> {
    fn into_response(self) -> Response {
        self.response
    }
}

impl<E> From<ApiError<E>> for poem::Error {
    fn from(e: ApiError<E>) -> Self {
        poem::Error::from_response(e.response)
    }
}

/// How the OpenAPI document lists an error status: its description and the JSON
/// `{"code", "message"}` body.
pub(crate) fn error_meta(status: u16, description: &'static str) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: vec![MetaMediaType {
            content_type: Json::<ErrorBody>::CONTENT_TYPE,
            schema: <ErrorBody as Type>::schema_ref(),
        }],
        headers: vec![],
    }
}

impl<E: Problem> ApiResponse for ApiError<E> {
    fn meta() -> MetaResponses {
        let retry_after = || MetaHeader {
            name: "Retry-After".into(),
            description: Some("Seconds to wait before trying again.".into()),
            required: false,
            deprecated: false,
            schema: <i64 as Type>::schema_ref(),
        };
        MetaResponses {
            responses: E::statuses()
                .iter()
                .map(|&(status, description)| {
                    let mut meta = error_meta(status, description);
                    if status == 429 || status == 503 {
                        meta.headers.push(retry_after());
                    }
                    meta
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        <ErrorBody as Type>::register(registry);
    }
}

/// A failed page: rendered as the French error page.
#[derive(Debug, thiserror::Error)]
#[error("{title}")]
pub struct PageError {
    status: StatusCode,
    title: &'static str,
    message: String,
    /// Seconds to wait, when the problem says (`Retry-After`).
    retry_after: Option<i64>,
}

impl<E: Problem> From<E> for PageError {
    fn from(problem: E) -> Self {
        report(&problem);
        PageError {
            status: problem.status(),
            title: page_title(&problem),
            message: problem.message(),
            retry_after: match problem.details() {
                Details::RetryAfter(seconds) => Some(seconds),
                _ => None,
            },
        }
    }
}

impl From<DbErr> for PageError {
    fn from(e: DbErr) -> Self {
        Fault::from(e).into()
    }
}

impl From<crate::sessions::SessionError> for PageError {
    fn from(e: crate::sessions::SessionError) -> Self {
        Fault::from(e).into()
    }
}

impl PageError {
    /// What the page says (the tenant middleware draws it inside the layout).
    pub fn error_page(&self) -> ErrorPage {
        ErrorPage {
            title: self.title,
            message: self.message.clone(),
        }
    }
}

impl ResponseError for PageError {
    fn status(&self) -> StatusCode {
        self.status
    }
    fn as_response(&self) -> Response {
        let mut response = page(self.status, self.title, &self.message, None);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}

/// A dependency's or the code's failure, with its cause: what a feature enum holds for the
/// failures that are not its own.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    #[error("database")]
    Database(#[from] DbErr),
    #[error("session store")]
    Sessions(#[from] crate::sessions::SessionError),
    #[error("throttle store")]
    Throttle(#[from] crate::auth::throttle::Unavailable),
}

/// `faults_of!(MyError: DbErr, SessionError)`: `?` turns each of these dependencies' errors
/// into `MyError::Fault`, so a feature enum lists the failures it does not own in one line.
macro_rules! faults_of {
    ($error:ident: $($cause:ty),+ $(,)?) => {
        $(
            impl From<$cause> for $error {
                fn from(e: $cause) -> Self {
                    $error::Fault(e.into())
                }
            }
        )+
    };
}
pub(crate) use faults_of;

impl Fault {
    fn failure(&self) -> Failure {
        match self {
            Fault::Database(e) => Failure::of(e),
            Fault::Sessions(_) | Fault::Throttle(_) => Failure::Unavailable,
        }
    }
}

impl Problem for Fault {
    fn status(&self) -> StatusCode {
        self.failure().status()
    }
    fn code(&self) -> &'static str {
        self.failure().code()
    }
    fn message(&self) -> String {
        self.failure().message()
    }
    fn statuses() -> &'static [(u16, &'static str)] {
        Failure::statuses()
    }
}

/// The answer to a problem met outside a handler (tenant resolution, routing): JSON for
/// the API, the French page otherwise. A 503 says when to come back.
pub fn respond(problem: &dyn Problem, api: bool, tenant_name: Option<&str>) -> Response {
    let status = problem.status();
    let mut response = if api {
        let (body, retry_after) = ErrorBody::of(problem);
        let mut response = Json(body).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    } else {
        page(status, page_title(problem), &problem.message(), tenant_name)
    };
    response.set_status(status);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .entry("retry-after")
            .or_insert(HeaderValue::from_static("120"));
    }
    response
}

fn page_title(problem: &dyn Problem) -> &'static str {
    match problem.code() {
        "tenant_not_found" => Failure::TenantNotFound.title(),
        "tenant_suspended" => Failure::TenantSuspended.title(),
        _ => match problem.status() {
            StatusCode::NOT_FOUND => Failure::NotFound.title(),
            StatusCode::SERVICE_UNAVAILABLE => Failure::Unavailable.title(),
            StatusCode::FORBIDDEN => Failure::FormExpired.title(),
            _ => Failure::Internal.title(),
        },
    }
}

/// What an error page says, kept on its response so that the tenant middleware can draw it
/// again inside the municipality's layout (banner, menu, ways back).
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

fn page(
    status: StatusCode,
    title: &'static str,
    message: &str,
    tenant_name: Option<&str>,
) -> Response {
    let t = templates::global();
    let html = t.render(
        "error",
        &json!({
            "title": title,
            "message": message,
            "tenant_name": tenant_name,
            "tenant": null,
            "account": null,
            "css": t.css_url(),
            "js": t.js_url(),
        }),
    );
    let mut response = poem::web::Html(html).into_response();
    response.set_status(status);
    response.extensions_mut().insert(ErrorPage {
        title,
        message: message.to_string(),
    });
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from_static("120"));
    }
    response
}

/// What poem or poem-openapi refused before a handler answered (no such operation, wrong
/// method, unreadable parameters or body).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub poem::Error);

impl Problem for Refused {
    fn status(&self) -> StatusCode {
        self.0.status()
    }
    fn code(&self) -> &'static str {
        match self.0.status() {
            StatusCode::UNAUTHORIZED => Failure::NotSignedIn.code(),
            StatusCode::NOT_FOUND => Failure::NotFound.code(),
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ if self.unreadable_body() => "invalid_body",
            _ if self.unreadable_parameter() => "invalid_parameter",
            s if s.is_client_error() => "bad_request",
            _ => Failure::Internal.code(),
        }
    }
    fn message(&self) -> String {
        match self.0.status() {
            StatusCode::UNAUTHORIZED => Failure::NotSignedIn.message(),
            StatusCode::NOT_FOUND => Failure::NotFound.message(),
            StatusCode::METHOD_NOT_ALLOWED => crate::i18n::t("error-method-not-allowed"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => crate::i18n::t("error-unsupported-media-type"),
            StatusCode::PAYLOAD_TOO_LARGE => crate::i18n::t("error-payload-too-large"),
            _ if self.unreadable_body() => crate::i18n::t_args(
                "error-invalid-body",
                &[("detail", self.0.to_string().into())],
            ),
            _ if self.unreadable_parameter() => crate::i18n::t_args(
                "error-invalid-parameter",
                &[("detail", self.0.to_string().into())],
            ),
            s if s.is_client_error() => crate::i18n::t_args(
                "error-bad-request",
                &[("detail", self.0.to_string().into())],
            ),
            _ => Failure::Internal.message(),
        }
    }
    fn statuses() -> &'static [(u16, &'static str)] {
        &[]
    }
}

impl Refused {
    /// A body that is not JSON, or JSON that does not follow the operation's schema.
    fn unreadable_body(&self) -> bool {
        self.0.is::<poem_openapi::error::ParseRequestPayloadError>()
            || self.0.is::<poem_openapi::error::ParseMultipartError>()
    }

    /// A path, query or header parameter that does not follow its schema.
    fn unreadable_parameter(&self) -> bool {
        self.0.is::<poem_openapi::error::ParseParamError>()
            || self.0.is::<poem_openapi::error::ParsePathError>()
    }
}

/// An error poem or poem-openapi raised before a handler answered, in the API's JSON shape.
pub fn api_error(e: poem::Error) -> Response {
    // An error that already carries its answer (a guard's JSON) goes out as it is.
    if e.is_from_response() {
        return e.into_response();
    }
    ApiError::<Refused>::from(Refused(e)).into_response()
}

/// The sentence of every 422 `invalid_fields`: the fields say what is wrong.
pub fn invalid_fields_message() -> String {
    crate::i18n::t("error-invalid-fields")
}

/// The validation errors of a form, as the `fields` of a 422.
pub fn fields(errors: &FieldErrors) -> Details {
    Details::Fields(errors.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::service::AuthError;
    use crate::family::WriteError;

    async fn json_of(response: Response) -> (u16, Option<String>, serde_json::Value) {
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let body = response.into_body().into_string().await.unwrap();
        (status, retry, serde_json::from_str(&body).unwrap())
    }

    #[test]
    fn only_the_segment_after_the_slug_makes_an_api_path() {
        assert!(is_api_path("/demo/api/v1/portal"));
        assert!(is_api_path("/demo/api/"));
        assert!(!is_api_path("/demo/api"));
        assert!(!is_api_path("/demo/foyer"));
        assert!(!is_api_path("/api/openapi.json"));
        assert!(!is_api_path("/demo/documents/api/x"));
        assert!(!is_api_path("/"));
    }

    #[tokio::test]
    async fn a_problem_answers_its_status_stable_code_and_french_message() {
        let (status, retry, body) =
            json_of(ApiError::from(WriteError::NotFound).into_response()).await;
        assert_eq!((status, retry), (404, None));
        assert_eq!(body["code"], "not_found");
        assert_eq!(
            body["message"],
            "La page demandée n'existe pas ou n'est plus disponible."
        );
        assert!(body.get("fields").is_none(), "{body}");
    }

    #[tokio::test]
    async fn invalid_fields_travel_in_the_body() {
        let mut errors = FieldErrors::default();
        errors.add("city", "La commune est obligatoire.");
        let (status, _, body) =
            json_of(ApiError::from(WriteError::Invalid(errors)).into_response()).await;
        assert_eq!(status, 422);
        assert_eq!(body["code"], "invalid_fields");
        assert_eq!(body["fields"]["city"], "La commune est obligatoire.");
    }

    #[tokio::test]
    async fn a_throttled_sign_in_says_how_long_to_wait() {
        let (status, retry, body) =
            json_of(ApiError::from(AuthError::Throttled(30)).into_response()).await;
        assert_eq!((status, retry.as_deref()), (429, Some("30")));
        assert_eq!(body["code"], "too_many_attempts");
    }

    #[tokio::test]
    async fn a_dependency_down_is_503_with_the_shared_words_and_no_internals() {
        let down = DbErr::Conn(sea_orm::RuntimeErr::Internal("secret host 10.0.0.7".into()));
        let (status, retry, body) =
            json_of(ApiError::<WriteError>::from(down).into_response()).await;
        assert_eq!((status, retry.as_deref()), (503, Some("120")));
        assert_eq!(body["code"], "service_unavailable");
        assert!(!body.to_string().contains("10.0.0.7"), "{body}");
        let broken = DbErr::Custom("column \"x\" does not exist".into());
        let (status, _, body) =
            json_of(ApiError::from(AuthError::from(broken)).into_response()).await;
        assert_eq!(status, 500);
        assert_eq!(body["code"], "internal_error");
        assert_eq!(body["message"], Failure::Internal.message());
    }

    #[test]
    fn the_spec_lists_the_statuses_of_the_operation_s_error() {
        let statuses: Vec<_> = ApiError::<WriteError>::meta()
            .responses
            .iter()
            .map(|r| r.status.unwrap())
            .collect();
        assert_eq!(statuses, [401, 403, 404, 422, 503, 500]);
        let throttled = ApiError::<AuthError>::meta()
            .responses
            .into_iter()
            .find(|r| r.status == Some(429))
            .unwrap();
        assert_eq!(throttled.headers[0].name, "Retry-After");
    }
}
