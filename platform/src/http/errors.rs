//! One place that turns failures into responses: a French page for people, the JSON shape
//! `{"code": "...", "message": "..."}` for API clients. Internal causes are logged, never sent.

use crate::templates;
use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use sea_orm::DbErr;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    TenantNotFound,
    TenantSuspended,
    NotFound,
    /// A dependency (PostgreSQL, Redis) is unreachable.
    Unavailable,
    /// A form without its CSRF token, or with another one.
    FormExpired,
    Internal,
}

impl Failure {
    pub fn status(self) -> StatusCode {
        match self {
            Failure::TenantNotFound | Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::TenantSuspended | Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Failure::FormExpired => StatusCode::FORBIDDEN,
        }
    }

    /// Stable code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            Failure::TenantNotFound => "tenant_not_found",
            Failure::TenantSuspended => "tenant_suspended",
            Failure::NotFound => "not_found",
            Failure::Unavailable => "service_unavailable",
            Failure::Internal => "internal_error",
            Failure::FormExpired => "csrf_token_invalid",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Failure::TenantNotFound => "Portail introuvable",
            Failure::TenantSuspended => "Portail en maintenance",
            Failure::NotFound => "Page introuvable",
            Failure::Unavailable => "Service momentanément indisponible",
            Failure::Internal => "Une erreur est survenue",
            Failure::FormExpired => "Formulaire expiré",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Failure::TenantNotFound => {
                "Aucun portail famille ne correspond à cette adresse. Vérifiez l'adresse reçue de votre mairie."
            }
            Failure::TenantSuspended => {
                "Le portail famille est en maintenance. Vos réservations et vos données sont conservées. Merci de réessayer un peu plus tard."
            }
            Failure::NotFound => "La page demandée n'existe pas ou n'est plus disponible.",
            Failure::Unavailable => {
                "Le service est momentanément indisponible. Aucune donnée n'a été perdue. Merci de réessayer dans quelques minutes."
            }
            Failure::Internal => {
                "Une erreur inattendue est survenue. Aucune donnée n'a été perdue. Merci de réessayer."
            }
            Failure::FormExpired => {
                "Ce formulaire a expiré ou ne vient pas du portail. Revenez à la page précédente, rechargez-la, puis envoyez à nouveau le formulaire."
            }
        }
    }
}

pub fn failure_response(failure: Failure, json: bool, tenant_name: Option<&str>) -> Response {
    let mut response = if json {
        poem::web::Json(json!({ "code": failure.code(), "message": failure.message() }))
            .into_response()
    } else {
        let t = templates::global();
        let html = t.render(
            "error",
            &json!({
                "title": failure.title(),
                "message": failure.message(),
                "tenant_name": tenant_name,
                "tenant": null,
                "account": null,
                "css": t.css_url(),
                "js": t.js_url(),
            }),
        );
        poem::web::Html(html).into_response()
    };
    response.set_status(failure.status());
    if failure.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert("retry-after", poem::http::HeaderValue::from_static("120"));
    }
    response
}

/// A failed page: rendered as the French error page.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.title())]
pub struct PageError(pub Failure);

impl ResponseError for PageError {
    fn status(&self) -> StatusCode {
        self.0.status()
    }
    fn as_response(&self) -> Response {
        failure_response(self.0, false, None)
    }
}

impl From<DbErr> for PageError {
    fn from(e: DbErr) -> Self {
        PageError(classify(&e))
    }
}

/// Logs a database failure once, with its cause, and says what the person should be told.
pub fn classify(e: &DbErr) -> Failure {
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => {
            tracing::warn!(error = %e, "database unreachable");
            Failure::Unavailable
        }
        _ => {
            tracing::error!(error = ?e, "database error");
            Failure::Internal
        }
    }
}

/// An error poem or poem-openapi raised before a handler answered (no such operation, wrong
/// method, unreadable parameters or body), in the API's JSON shape.
pub fn api_error(e: poem::Error) -> Response {
    // An error that already carries its answer (the session check's JSON) goes out as it is.
    if e.is_from_response() {
        return e.into_response();
    }
    let status = e.status();
    let (code, message) = match status {
        // No session cookie at all: the security scheme refuses before any handler.
        StatusCode::UNAUTHORIZED => ("not_authenticated", "Vous devez être connecté.".to_string()),
        StatusCode::NOT_FOUND => (
            Failure::NotFound.code(),
            Failure::NotFound.message().to_string(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Cette opération n'accepte pas cette méthode HTTP.".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Le corps de la requête doit être du JSON (Content-Type: application/json)."
                .to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "La requête est trop volumineuse.".to_string(),
        ),
        s if s.is_client_error() => ("bad_request", format!("Requête invalide : {e}")),
        _ => {
            tracing::error!(error = %e, "request failed");
            (
                Failure::Internal.code(),
                Failure::Internal.message().to_string(),
            )
        }
    };
    let mut response = poem::web::Json(json!({ "code": code, "message": message })).into_response();
    response.set_status(status);
    response
}
