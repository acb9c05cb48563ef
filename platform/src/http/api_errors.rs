//! The JSON error shape of the API: `{"code": "...", "message": "..."}`, with a stable code
//! for programs and a French message for people.

use super::errors::{Failure, classify};
use poem_openapi::Object;

#[derive(Object, Debug)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `tenant_not_found`.
    pub code: String,
    /// Explanation in French, for people.
    pub message: String,
}

impl ErrorBody {
    pub fn new(failure: Failure) -> Self {
        Self {
            code: failure.code().into(),
            message: failure.message().into(),
        }
    }
}

/// Status and body for a database failure.
pub fn api_failure(e: &sea_orm::DbErr) -> (u16, ErrorBody) {
    let failure = classify(e);
    (failure.status().as_u16(), ErrorBody::new(failure))
}

/// 422: what is wrong with each field, in French.
#[derive(Object, Debug)]
pub struct InvalidFieldsBody {
    /// `invalid_fields`.
    pub code: String,
    pub message: String,
    /// Field name → French message.
    pub fields: std::collections::BTreeMap<String, String>,
}

impl InvalidFieldsBody {
    pub fn new(errors: crate::validation::FieldErrors) -> Self {
        Self {
            code: "invalid_fields".into(),
            message: "Certaines informations ne sont pas valides : corrigez les champs indiqués."
                .into(),
            fields: errors.0,
        }
    }
}

pub fn not_found_body() -> ErrorBody {
    ErrorBody::new(Failure::NotFound)
}
