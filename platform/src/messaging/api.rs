//! `/{slug}/api/v1/conversations`: the household's conversations with the services.

use super::files_api::AttachmentDto;
use super::repository::HouseholdConversation;
use super::service::Answer;
use super::service::{self, Draft, Thread};
use crate::auth::api::SignedInApi;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use portail_tenants::config::TenantConfig;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Messaging between the household and the municipality's services ("Messagerie").
    Messaging,
}

#[derive(Object)]
struct ConversationSummaryDto {
    id: Uuid,
    /// The service's code, one of the configuration's `[[services]]`.
    service: String,
    service_name: String,
    subject: String,
    /// The service's messages the signed-in guardian has not read.
    unread: i64,
    last_message_at: DateTime<Utc>,
    closed: bool,
}

/// A conversation of the list, with its service's name in the configuration.
fn summary(c: HouseholdConversation, config: &TenantConfig) -> ConversationSummaryDto {
    ConversationSummaryDto {
        service_name: service::service_name(config, &c.service_code),
        id: c.id,
        service: c.service_code,
        subject: c.subject,
        unread: c.unread,
        last_message_at: c.last_message_at,
        closed: c.closed,
    }
}

#[derive(Object)]
struct ConversationsDto {
    conversations: Vec<ConversationSummaryDto>,
}

#[derive(Object)]
struct NewConversationRequest {
    /// A service's code (`GET /conversations` names them; the configuration's `[[services]]`).
    service: String,
    /// 200 characters at most.
    subject: String,
    /// HTML; kept: `<b> <strong> <i> <em> <u> <p> <br>` without attributes, everything else
    /// is removed (scripts with their content). 20 000 bytes at most.
    body: String,
}

#[derive(Object)]
struct NewMessageRequest {
    /// HTML, sanitised as for a new conversation.
    body: String,
}

#[derive(Object)]
struct CreatedDto {
    id: Uuid,
}

#[derive(ApiResponse)]
enum Created {
    /// Sent; the service is told by mail.
    #[oai(status = 201)]
    Created(Json<CreatedDto>),
}

#[derive(Enum)]
#[oai(rename_all = "lowercase")]
enum AuthorDto {
    /// The household (the signed-in guardian or the other guardian).
    Me,
    Service,
}

#[derive(Object)]
struct MessageDto {
    id: Uuid,
    author: AuthorDto,
    /// The service's signature, or the family member's name.
    author_name: String,
    /// Sanitised HTML.
    body_html: String,
    sent_at: DateTime<Utc>,
    /// Its files; each downloads at `GET /conversations/{id}/attachments/{attachment_id}`.
    attachments: Vec<AttachmentDto>,
}

#[derive(Object)]
struct ConversationDto {
    id: Uuid,
    service: String,
    service_name: String,
    subject: String,
    closed: bool,
    messages: Vec<MessageDto>,
}

impl From<Thread> for ConversationDto {
    fn from(t: Thread) -> Self {
        ConversationDto {
            id: t.head.id,
            service: t.head.service_code,
            service_name: t.service_name,
            subject: t.head.subject,
            closed: t.head.closed_at.is_some(),
            messages: t
                .messages
                .into_iter()
                .map(|m| MessageDto {
                    id: m.id,
                    author: if m.from_staff {
                        AuthorDto::Service
                    } else {
                        AuthorDto::Me
                    },
                    author_name: m.author,
                    body_html: m.body_html,
                    sent_at: m.sent_at,
                    attachments: m.attachments.iter().map(Into::into).collect(),
                })
                .collect(),
        }
    }
}

pub struct MessagingApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Messaging")]
    impl MessagingApi {
        /// The household's conversations, the latest first, with the unread count of each.
        #[op("get", "/:slug/api/v1/conversations", "listConversations")]
        async fn list(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<ConversationsDto>> {
            let (list, config) = service::household_list(&self.state, &tenant, &signed).await?;
            Ok(Json(ConversationsDto {
                conversations: list.into_iter().map(|c| summary(c, &config)).collect(),
            }))
        }

        /// Write to a service: starts a conversation.
        #[op("post", "/:slug/api/v1/conversations", "startConversation")]
        async fn start(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
            body: Json<NewConversationRequest>,
        ) -> Answer<Created> {
            let draft = Draft::html(body.0.body);
            let id = service::start(
                &self.state,
                &tenant,
                &signed,
                &body.0.service,
                &body.0.subject,
                &draft,
                vec![],
            )
            .await?;
            Ok(Created::Created(Json(CreatedDto { id })))
        }

        /// A conversation of the household with its messages; reading it marks it read for the
        /// signed-in guardian.
        #[op("get", "/:slug/api/v1/conversations/:id", "getConversation")]
        async fn get(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<ConversationDto>> {
            let thread = service::household_thread(&self.state, &tenant, &signed, id.0).await?;
            Ok(Json(thread.into()))
        }

        /// Reply in a conversation of the household (a closed one opens again).
        #[op("post", "/:slug/api/v1/conversations/:id/messages", "replyInConversation")]
        async fn reply(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            body: Json<NewMessageRequest>,
        ) -> Answer<Created> {
            let draft = Draft::html(body.0.body);
            let message =
                service::reply(&self.state, &tenant, &signed, id.0, &draft, vec![]).await?;
            Ok(Created::Created(Json(CreatedDto { id: message })))
        }
    }
}
