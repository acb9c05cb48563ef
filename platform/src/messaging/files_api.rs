//! The files of messages in the API: parents and staff add files to a message they wrote
//! (`multipart/form-data`, one or more `file` parts) and download the files of a
//! conversation; staff read a whole conversation. Messages themselves are sent as JSON
//! (`POST /conversations`, `POST /conversations/{id}/messages`): a client sends the message,
//! then its files with the message's id.

use super::attachments::{self, AttachmentInfo, Party};
use super::service::Answer;
use super::service::{self, MessagingError, Thread};
use crate::auth::api::SignedInApi;
use crate::documents::api::DownloadResponse;
use crate::documents::intake::MultipartBody;
use crate::documents::service::DocumentError;
use crate::documents::upload;
use crate::http::tenant_api::tenant_api;
use crate::staff::Accueil;
use crate::staff::guard::StaffApi;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Messaging between the household and the municipality's services ("Messagerie").
    Messaging,
    /// Municipal staff: the services' messaging.
    StaffMessaging,
}

/// The fields of files sent to a message, for the specification only: the body is read as a
/// stream by [`MultipartBody`].
#[allow(dead_code)]
#[derive(Multipart)]
struct MessageFilesUpload {
    /// One to five PDF, JPEG or PNG files (recognised by their content), at most
    /// `MAX_UPLOAD_BYTES` together (10 Mo by default). The name each file was sent with is
    /// its label, without its path and with the extension of its detected type.
    file: Vec<Upload>,
}

/// Reads the files sent to message `message_id` of conversation `conversation_id` and adds
/// them to it, for the guardian or the agent who wrote it.
async fn attach(
    state: &AppState,
    tenant: &CurrentTenant,
    (req, body): (&Request, MultipartBody<MessageFilesUpload>),
    by: Party<'_>,
    (conversation_id, message_id): (Uuid, Uuid),
) -> Answer<Attached> {
    let body = body.into_multipart().map_err(MessagingError::from)?;
    let limit = state.settings.max_upload_bytes;
    let permit = state
        .uploads
        .enter()
        .map_err(DocumentError::from)
        .map_err(MessagingError::from)?;
    let (form, read) = upload::read_form(req, body, &[], limit, None, permit).await;
    read.map_err(|e| MessagingError::from(DocumentError::from_read(e, limit)))?;
    let stored =
        attachments::attach(state, tenant, by, conversation_id, message_id, form.files).await?;
    Ok(Attached::Created(Json(AttachmentsDto {
        attachments: stored.iter().map(Into::into).collect(),
    })))
}

#[derive(Object)]
pub struct AttachmentDto {
    id: Uuid,
    /// Its label with the extension of its type (`Ordonnance.pdf`).
    name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as detected from the content.
    content_type: String,
    /// In bytes.
    size: i64,
}

impl From<&AttachmentInfo> for AttachmentDto {
    fn from(a: &AttachmentInfo) -> Self {
        AttachmentDto {
            id: a.id,
            name: a.file_name(),
            content_type: a.content_type.clone(),
            size: a.size,
        }
    }
}

#[derive(Object)]
struct AttachmentsDto {
    attachments: Vec<AttachmentDto>,
}

#[derive(ApiResponse)]
enum Attached {
    /// Stored, after the message's earlier files.
    #[oai(status = 201)]
    Created(Json<AttachmentsDto>),
}

#[derive(Object)]
#[oai(rename = "StaffMessage")]
struct StaffMessageDto {
    id: Uuid,
    /// `true` for the service's answers.
    from_staff: bool,
    /// The family member's name, or the service's name with the agent's.
    author_name: String,
    /// Sanitised HTML.
    body_html: String,
    sent_at: DateTime<Utc>,
    attachments: Vec<AttachmentDto>,
}

#[derive(Object)]
#[oai(rename = "StaffConversation")]
struct StaffConversationDto {
    id: Uuid,
    service: String,
    subject: String,
    /// The family's name.
    family: String,
    household_id: Uuid,
    assigned_to: Option<String>,
    closed: bool,
    messages: Vec<StaffMessageDto>,
}

impl From<Thread> for StaffConversationDto {
    fn from(t: Thread) -> Self {
        StaffConversationDto {
            id: t.head.id,
            family: t.head.family,
            household_id: t.head.household_id,
            assigned_to: t.head.assigned_name,
            closed: t.head.closed_at.is_some(),
            subject: t.head.subject,
            messages: t
                .messages
                .into_iter()
                .map(|m| StaffMessageDto {
                    author_name: m.author_for_staff(&t.service_name),
                    id: m.id,
                    from_staff: m.from_staff,
                    body_html: m.body_html,
                    sent_at: m.sent_at,
                    attachments: m.attachments.iter().map(Into::into).collect(),
                })
                .collect(),
            service: t.head.service_code,
        }
    }
}

pub struct MessageFilesApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi]
    impl MessageFilesApi {
        /// Attach files to a message the signed-in guardian wrote in a conversation of the
        /// household (`multipart/form-data`, one or more `file` parts; five files at most on a
        /// message). Another household's message, or a service's, is not found.
        #[op(
            "post",
            "/:slug/api/v1/conversations/:id/messages/:message_id/attachments",
            "attachToMessage",
            tag = "ApiTags::Messaging"
        )]
        #[allow(clippy::too_many_arguments)] // the path's three parts, and who sends what
        async fn attach(
            &self,
            tenant,
            id: Path<Uuid>,
            message_id: Path<Uuid>,
            req: &Request,
            SignedInApi(signed): SignedInApi,
            body: MultipartBody<MessageFilesUpload>,
        ) -> Answer<Attached> {
            let by = Party::Guardian(&signed);
            attach(&self.state, &tenant, (req, body), by, (id.0, message_id.0)).await
        }

        /// Download a file of a message of the household's conversation, as an attachment.
        #[op(
            "get",
            "/:slug/api/v1/conversations/:id/attachments/:attachment_id",
            "downloadMessageAttachment",
            tag = "ApiTags::Messaging"
        )]
        async fn download(
            &self,
            tenant,
            id: Path<Uuid>,
            attachment_id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<DownloadResponse> {
            let file = attachments::download(
                &self.state,
                &tenant,
                Party::Guardian(&signed),
                id.0,
                attachment_id.0,
                "api",
            )
            .await?;
            Ok(file.into())
        }

        /// A conversation with its messages and their files (`accueil` and up); it is read by the
        /// service from now on, and the read is recorded for the household ("Qui a consulté mes
        /// données").
        #[op(
            "get",
            "/:slug/api/v1/staff/conversations/:id",
            "staffConversation",
            tag = "ApiTags::StaffMessaging"
        )]
        async fn staff_conversation(
            &self,
            tenant,
            id: Path<Uuid>,
            staff: StaffApi<Accueil>,
        ) -> Answer<Json<StaffConversationDto>> {
            let thread =
                service::staff_thread(&self.state, &tenant, &staff.member, id.0, "api").await?;
            Ok(Json(thread.into()))
        }

        /// Attach files to an answer the agent wrote (`multipart/form-data`, one or more `file`
        /// parts; five files at most on a message).
        #[op(
            "post",
            "/:slug/api/v1/staff/conversations/:id/messages/:message_id/attachments",
            "staffAttachToMessage",
            tag = "ApiTags::StaffMessaging"
        )]
        #[allow(clippy::too_many_arguments)] // the path's three parts, and who sends what
        async fn staff_attach(
            &self,
            tenant,
            id: Path<Uuid>,
            message_id: Path<Uuid>,
            req: &Request,
            staff: StaffApi<Accueil>,
            body: MultipartBody<MessageFilesUpload>,
        ) -> Answer<Attached> {
            let by = Party::Staff(&staff.member);
            attach(&self.state, &tenant, (req, body), by, (id.0, message_id.0)).await
        }

        /// Download a file of a conversation (`accueil` and up), as an attachment; the read is
        /// recorded for the household.
        #[op(
            "get",
            "/:slug/api/v1/staff/conversations/:id/attachments/:attachment_id",
            "staffDownloadMessageAttachment",
            tag = "ApiTags::StaffMessaging"
        )]
        async fn staff_download(
            &self,
            tenant,
            id: Path<Uuid>,
            attachment_id: Path<Uuid>,
            staff: StaffApi<Accueil>,
        ) -> Answer<DownloadResponse> {
            let file = attachments::download(
                &self.state,
                &tenant,
                Party::Staff(&staff.member),
                id.0,
                attachment_id.0,
                "api",
            )
            .await?;
            Ok(file.into())
        }
    }
}
