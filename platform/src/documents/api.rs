//! `/{slug}/api/v1/documents`: send, list and download the household's documents.

use super::intake::{self, MultipartBody};
use super::repository::{DocumentSummary, StoredFile};
use super::service::{self, DocumentError};
use crate::auth::api::SignedInApi;
use crate::http::errors::ApiError;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::{IntoResponse, Request};
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json, Payload};
use poem_openapi::registry::{MetaMediaType, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Documents sent by the household ("Mes documents").
    Documents,
}

/// The fields of an upload, for the specification only: the body is read as a stream by
/// [`MultipartBody`], never through this type.
#[allow(dead_code)]
#[derive(Multipart)]
struct DocumentUpload {
    /// The document's name, 200 characters at most.
    name: String,
    /// 2000 characters at most.
    description: Option<String>,
    /// Id of a child of the household; empty or absent for the household itself.
    person: Option<String>,
    /// A PDF, JPEG or PNG file (recognised by its content), `MAX_UPLOAD_BYTES` at most
    /// (10 Mo by default).
    file: Upload,
}

#[derive(Object)]
struct DocumentDto {
    id: Uuid,
    name: String,
    description: String,
    /// The child it concerns; `null` for the household.
    person: Option<Uuid>,
    /// The child's name, or `Foyer`.
    person_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as detected from the content.
    content_type: String,
    /// In bytes.
    size: i64,
    created_at: DateTime<Utc>,
}

impl From<DocumentSummary> for DocumentDto {
    fn from(d: DocumentSummary) -> Self {
        DocumentDto {
            id: d.id,
            name: d.name,
            description: d.description,
            person: d.child_id,
            person_name: d.person_name.unwrap_or_else(|| "Foyer".into()),
            content_type: d.content_type,
            size: d.size,
            created_at: d.created_at,
        }
    }
}

#[derive(Object)]
struct DocumentsDto {
    documents: Vec<DocumentDto>,
}

#[derive(ApiResponse)]
enum UploadResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<DocumentDto>),
}

type Answer<T> = Result<T, ApiError<DocumentError>>;

/// The bytes of a file, with the content type detected at upload.
pub struct FileBytes {
    pub data: Vec<u8>,
    pub content_type: String,
}

impl Payload for FileBytes {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn schema_ref() -> MetaSchemaRef {
        <Binary<Vec<u8>> as Payload>::schema_ref()
    }
}

impl FileBytes {
    /// The body and the three header values of a file's answer, from the service's
    /// `[content-type, content-disposition, x-content-type-options, cache-control]`.
    pub fn with_headers(
        data: Vec<u8>,
        headers: [(&'static str, String); 4],
    ) -> (FileBytes, String, String, String) {
        let [
            (_, content_type),
            (_, disposition),
            (_, nosniff),
            (_, cache),
        ] = headers;
        (
            FileBytes { data, content_type },
            disposition,
            nosniff,
            cache,
        )
    }
}

impl IntoResponse for FileBytes {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type(self.content_type)
            .body(self.data)
    }
}

#[derive(ApiResponse)]
enum DownloadResult {
    /// The file, as an attachment of its detected type.
    #[oai(status = 200)]
    Ok(
        FileBytes,
        /// `attachment; filename="<name>.<ext>"; filename*=UTF-8''<name>.<ext>`: the document's
        /// name made safe, never the name of the file once sent.
        #[oai(header = "Content-Disposition")]
        String,
        /// `nosniff`.
        #[oai(header = "X-Content-Type-Options")]
        String,
        /// `no-store`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// [`DownloadResult`], with the three types a file can have in the specification.
pub struct DownloadResponse(DownloadResult);

impl ApiResponse for DownloadResponse {
    fn meta() -> MetaResponses {
        let mut meta = DownloadResult::meta();
        for response in &mut meta.responses {
            if response.status == Some(200) {
                response.content = ["application/pdf", "image/jpeg", "image/png"]
                    .into_iter()
                    .map(|content_type| MetaMediaType {
                        content_type,
                        schema: FileBytes::schema_ref(),
                    })
                    .collect();
            }
        }
        meta
    }

    fn register(registry: &mut Registry) {
        DownloadResult::register(registry);
    }
}

impl IntoResponse for DownloadResponse {
    fn into_response(self) -> poem::Response {
        self.0.into_response()
    }
}

impl From<StoredFile> for DownloadResponse {
    fn from(file: StoredFile) -> Self {
        let headers = service::download_headers(&file);
        let (bytes, disposition, nosniff, cache) = FileBytes::with_headers(file.data, headers);
        DownloadResponse(DownloadResult::Ok(bytes, disposition, nosniff, cache))
    }
}

pub struct DocumentsApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Documents")]
    impl DocumentsApi {
        /// Send a document for the household or one of its children (`multipart/form-data`).
        /// The file is counted while it arrives: past `MAX_UPLOAD_BYTES` the answer is 413 and
        /// nothing more is read.
        #[op("post", "/:slug/api/v1/documents", "uploadDocument")]
        async fn upload(
            &self,
            tenant,
            req: &Request,
            SignedInApi(signed): SignedInApi,
            body: MultipartBody<DocumentUpload>,
        ) -> Answer<UploadResponse> {
            let (received, permit) = intake::read_api(&self.state, req, body).await?;
            let document =
                service::create(&self.state, &tenant, &signed, received, &permit, "api").await?;
            Ok(UploadResponse::Created(Json(document.into())))
        }

        /// The household's documents, newest first.
        #[op("get", "/:slug/api/v1/documents", "listDocuments")]
        async fn list(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<DocumentsDto>> {
            let documents = service::list(&self.state, &tenant, signed.household_id).await?;
            Ok(Json(DocumentsDto {
                documents: documents.into_iter().map(Into::into).collect(),
            }))
        }

        /// Download a document of the household.
        #[op("get", "/:slug/api/v1/documents/:id/download", "downloadDocument")]
        async fn download(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<DownloadResponse> {
            let file = service::download(&self.state, &tenant, &signed, id.0, "api").await?;
            Ok(file.into())
        }
    }
}
