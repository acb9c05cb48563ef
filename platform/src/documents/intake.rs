//! The steps every upload goes through, whether a parent sends a document or staff publish
//! one, in the API or in a page: the body left unread until the operation knows who sends it
//! ([`MultipartBody`]), the gate's permit, the body read whole under it, and, for a page, a
//! failure placed in the form shown again.

use super::gate::UploadPermit;
use super::service::DocumentError;
use super::upload::{self, CsrfCheck, ReadError, Received};
use crate::http::errors::PageError;
use crate::http::errors::Problem;
use crate::http::page::csrf_refused;
use crate::state::AppState;
use crate::validation::FieldErrors;
use poem::{Body, Request, RequestBody};
use poem_openapi::impl_apirequest_for_payload;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use std::marker::PhantomData;

/// Whether the request's body is `multipart/form-data`.
pub fn is_multipart(request: &Request) -> bool {
    request
        .content_type()
        .and_then(|t| t.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// A multipart body left unread until the operation has checked who sends it; then read as
/// a stream. `Spec` (a `#[derive(Multipart)]` type) only describes its fields in the
/// specification. Any content type gets to the operation, so that a wrong one is explained
/// for this operation (not as "send JSON").
pub struct MultipartBody<Spec> {
    body: Body,
    multipart: bool,
    spec: PhantomData<fn() -> Spec>,
}

impl<Spec> MultipartBody<Spec> {
    /// The body, if it is `multipart/form-data`.
    pub fn into_multipart(self) -> Result<Body, DocumentError> {
        if self.multipart {
            Ok(self.body)
        } else {
            Err(DocumentError::NotMultipart)
        }
    }
}

impl<Spec: Payload> Payload for MultipartBody<Spec> {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        Spec::schema_ref()
    }

    fn register(registry: &mut Registry) {
        Spec::register(registry);
    }
}

impl<Spec: Payload> ParsePayload for MultipartBody<Spec> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(MultipartBody {
            body: body.take()?,
            multipart: is_multipart(request),
            spec: PhantomData,
        })
    }
}

impl_apirequest_for_payload!(MultipartBody<Spec>, Spec: Payload);

/// An API upload read whole under the gate's permit (past the bound, nothing of the body is
/// read), or why not.
pub async fn read_api<Spec>(
    state: &AppState,
    req: &Request,
    body: MultipartBody<Spec>,
) -> Result<(Received, UploadPermit), DocumentError> {
    let body = body.into_multipart()?;
    let permit = state.uploads.enter()?;
    let limit = state.settings.max_upload_bytes;
    let (received, read) = upload::read(req, body, limit, None, &permit).await;
    read.map_err(|e| DocumentError::from_read(e, limit))?;
    Ok((received, permit))
}

/// A page's upload form read under the gate's permit (past the bound, a French 503 page says
/// to come back): the fields read, the permit, and whether the read went well. A bad CSRF
/// token is refused at once.
pub async fn read_page(
    state: &AppState,
    req: &Request,
    body: Body,
    csrf: CsrfCheck<'_>,
) -> Result<(Received, UploadPermit, Result<(), DocumentError>), PageError> {
    let permit = state.uploads.enter().map_err(DocumentError::from)?;
    let limit = state.settings.max_upload_bytes;
    let (received, read) = upload::read(req, body, limit, Some(csrf), &permit).await;
    let read = match read {
        Err(ReadError::Csrf) => return Err(csrf_refused()),
        read => read.map_err(|e| DocumentError::from_read(e, limit)),
    };
    Ok((received, permit, read))
}

/// Places a refused upload in the form shown again: a field's error, or the form's own;
/// what no form can show (not found, busy, a server fault) comes back for the error page.
pub fn show_refusal(
    failure: DocumentError,
    errors: &mut FieldErrors,
    error: &mut Option<String>,
) -> Result<(), DocumentError> {
    match failure {
        DocumentError::Invalid(invalid) => *errors = invalid,
        e @ (DocumentError::TooLarge { .. } | DocumentError::UnsupportedType) => {
            errors.add("file", e.message())
        }
        e @ (DocumentError::Malformed | DocumentError::ScanUnavailable) => {
            *error = Some(e.message())
        }
        e @ (DocumentError::NotFound
        | DocumentError::NotMultipart
        | DocumentError::Busy
        | DocumentError::Spool(_)
        | DocumentError::Database(_)) => return Err(e),
    }
    Ok(())
}
