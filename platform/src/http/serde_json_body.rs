//! A JSON answer written straight from serde.
//!
//! poem-openapi's `Json<T>` first builds the whole answer as a `serde_json::Value` tree (a
//! map and a key string per field) and then writes that tree: for a large answer such as
//! the booking grid, a fifth of the request's time. [`SerdeJson<T>`] writes `T` directly. Its
//! OpenAPI description is `Json<T>`'s, so the spec does not change; the type must serialize
//! with serde exactly as poem-openapi would (same field names, `null` for `None`), which a
//! test checks for each type that uses it.

use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use serde::Serialize;

pub struct SerdeJson<T>(pub T);

impl<T: Type> Payload for SerdeJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <Json<T> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }
}

impl<T: Type + Serialize + Send> IntoResponse for SerdeJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .content_type(<Self as Payload>::CONTENT_TYPE)
                .body(body),
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be written as JSON");
                poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

impl<T: ToJSON + Serialize + Send> ApiResponse for SerdeJson<T> {
    fn meta() -> MetaResponses {
        <Json<T> as ApiResponse>::meta()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as ApiResponse>::register(registry);
    }
}

/// Whether `value` serializes with serde exactly as poem-openapi writes it (for tests).
pub fn same_as_openapi<T: ToJSON + Serialize>(value: &T) -> Result<(), String> {
    let ours = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let theirs = value.to_json().unwrap_or(serde_json::Value::Null);
    if ours == theirs {
        Ok(())
    } else {
        Err(format!("serde: {ours}\npoem-openapi: {theirs}"))
    }
}
