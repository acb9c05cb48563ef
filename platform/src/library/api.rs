//! `/{slug}/api/v1/library`: the rubriques and published documents a guardian may see, and
//! their files; `/{slug}/api/v1/staff/library`: publish and withdraw (`gestionnaire`).

use super::repository::{Published, PublishedFile};
use super::service;
use super::service::RubriqueView;
use crate::auth::api::SignedInApi;
use crate::documents::api::FileBytes;
use crate::documents::intake::{self, MultipartBody};
use crate::documents::service::DocumentError;
use crate::http::errors::ApiError;
use crate::http::tenant_api::tenant_api;
use crate::staff::Gestionnaire;
use crate::staff::guard::StaffApi;
use crate::state::AppState;
use chrono::NaiveDate;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Documents the municipality publishes (menus, activities…), by rubrique.
    Library,
}

#[derive(Object)]
struct LibraryDocumentDto {
    id: Uuid,
    name: String,
    published_on: NaiveDate,
    /// Not opened yet by the signed-in guardian.
    new: bool,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    content_type: String,
    /// In bytes.
    size: i64,
}

#[derive(Object)]
struct RubriqueDto {
    code: String,
    name: String,
    /// How many of its documents the guardian has not opened yet.
    new: i64,
    documents: Vec<LibraryDocumentDto>,
}

impl From<Published> for LibraryDocumentDto {
    fn from(d: Published) -> Self {
        LibraryDocumentDto {
            id: d.id,
            name: d.name,
            published_on: d.published_on,
            new: d.new,
            content_type: d.content_type,
            size: d.size,
        }
    }
}

impl From<RubriqueView> for RubriqueDto {
    fn from(r: RubriqueView) -> Self {
        RubriqueDto {
            code: r.code,
            name: r.name,
            new: r.new,
            documents: r.documents.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
struct LibraryDto {
    rubriques: Vec<RubriqueDto>,
}

/// The fields of a publication, for the specification only: the body is read as a stream.
#[allow(dead_code)]
#[derive(Multipart)]
struct PublicationUpload {
    /// The code of a configured rubrique (`menus`, `activites`, `informations` by default).
    rubrique: String,
    /// 200 characters at most.
    name: String,
    /// `all`, `structure:<code>` or `school:<name>`.
    audience: String,
    /// `YYYY-MM-DD`; today when absent.
    published_on: Option<String>,
    /// `YYYY-MM-DD`, the last day it is shown; none when absent.
    until: Option<String>,
    /// The id of a live document this one replaces (withdrawn at once).
    replaces: Option<String>,
    /// A PDF, JPEG or PNG file, `MAX_UPLOAD_BYTES` at most.
    file: Upload,
}

#[derive(Object)]
struct PublishedDto {
    id: Uuid,
}

#[derive(ApiResponse)]
enum PublishResponse {
    /// Published.
    #[oai(status = 201)]
    Created(Json<PublishedDto>),
}

#[derive(ApiResponse)]
enum WithdrawResponse {
    /// Withdrawn: parents no longer see nor open it.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum FileResponse {
    /// The file, `inline`, of its detected type (PDF, JPEG or PNG).
    #[oai(status = 200)]
    Ok(
        FileBytes,
        /// `inline; filename="<name>.<ext>"; filename*=UTF-8''<name>.<ext>`.
        #[oai(header = "Content-Disposition")]
        String,
        /// `nosniff`.
        #[oai(header = "X-Content-Type-Options")]
        String,
        /// `private, no-store`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

impl From<PublishedFile> for FileResponse {
    fn from(file: PublishedFile) -> Self {
        let headers = service::inline_headers(&file);
        let (bytes, disposition, nosniff, cache) = FileBytes::with_headers(file.data, headers);
        FileResponse::Ok(bytes, disposition, nosniff, cache)
    }
}

type Answer<T> = Result<T, ApiError<DocumentError>>;

pub struct LibraryApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Library")]
    impl LibraryApi {
        /// The rubriques with the documents published for the household today, each with how
        /// many are new to the signed-in guardian.
        #[op("get", "/:slug/api/v1/library", "listLibrary")]
        async fn list(&self, tenant, SignedInApi(signed): SignedInApi) -> Answer<Json<LibraryDto>> {
            let rubriques = service::for_guardian(&self.state, &tenant, &signed)
                .await
                .map_err(DocumentError::from)?;
            Ok(Json(LibraryDto {
                rubriques: rubriques.into_iter().map(Into::into).collect(),
            }))
        }

        /// A published document's file (it is no longer new to the guardian). Another
        /// structure's or school's document, a withdrawn or expired one: 404.
        #[op("get", "/:slug/api/v1/library/:id/file", "openLibraryDocument")]
        async fn file(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<FileResponse> {
            let file = service::open(&self.state, &tenant, &signed, id.0, "api").await?;
            Ok(file.into())
        }

        /// Publish a document (`gestionnaire` and above), `multipart/form-data`.
        #[op("post", "/:slug/api/v1/staff/library", "staffPublishDocument")]
        async fn publish(
            &self,
            tenant,
            req: &Request,
            staff: StaffApi<Gestionnaire>,
            body: MultipartBody<PublicationUpload>,
        ) -> Answer<PublishResponse> {
            let (received, permit) = intake::read_api(&self.state, req, body).await?;
            let id = service::publish(
                &self.state,
                &tenant,
                &staff.member,
                received,
                &permit,
                "api",
            )
            .await?;
            Ok(PublishResponse::Created(Json(PublishedDto { id })))
        }

        /// Withdraw a published document (`gestionnaire` and above).
        #[op("delete", "/:slug/api/v1/staff/library/:id", "staffWithdrawDocument")]
        async fn withdraw(
            &self,
            tenant,
            id: Path<Uuid>,
            staff: StaffApi<Gestionnaire>,
        ) -> Answer<WithdrawResponse> {
            service::withdraw(&self.state, &tenant, &staff.member, id.0, "api").await?;
            Ok(WithdrawResponse::Done)
        }
    }
}
