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
