//! `/{slug}/api/v1/staff/conversations`: the services' inboxes for staff (`accueil` and up).

use super::repository::InboxLine;
use super::service::Answer;
use super::service::{self, Draft};
use crate::http::tenant_api::tenant_api;
use crate::staff::Accueil;
use crate::staff::guard::StaffApi;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Municipal staff: the services' messaging.
    StaffMessaging,
}

#[derive(Object)]
#[oai(rename = "StaffConversationLine")]
struct LineDto {
    id: Uuid,
    subject: String,
    /// The family's name.
    family: String,
    /// A family message the service has not read yet.
    unread: bool,
    /// The agent who took it.
    assigned_to: Option<String>,
    closed: bool,
    last_message_at: DateTime<Utc>,
}

impl From<InboxLine> for LineDto {
    fn from(l: InboxLine) -> Self {
        LineDto {
            id: l.id,
            subject: l.subject,
            family: l.family,
            unread: l.unread,
            assigned_to: l.assigned_name,
            closed: l.closed,
            last_message_at: l.last_message_at,
        }
    }
}

#[derive(Object)]
#[oai(rename = "StaffConversations")]
struct InboxDto {
    service: String,
    /// Unread first, then open ones, the latest first.
    conversations: Vec<LineDto>,
}

#[derive(Object)]
#[oai(rename = "StaffMessageRequest")]
struct ReplyRequest {
    /// HTML, sanitised to `<b> <strong> <i> <em> <u> <p> <br>`; signed with the service's name.
    body: String,
}

#[derive(Object)]
#[oai(rename = "StaffMessageCreated")]
struct CreatedDto {
    id: Uuid,
}

#[derive(ApiResponse)]
enum Created {
    /// Sent; the family's guardians are told by mail unless they opted out.
    #[oai(status = 201)]
    Created(Json<CreatedDto>),
}

pub struct StaffMessagingApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::StaffMessaging")]
    impl StaffMessagingApi {
        /// A service's inbox (`accueil` and up).
        #[op("get", "/:slug/api/v1/staff/conversations", "staffConversations")]
        async fn inbox(
            &self,
            tenant,
            /// A service's code.
            service: Query<String>,
            _staff: StaffApi<Accueil>,
        ) -> Answer<Json<InboxDto>> {
            let (lines, _, _) = service::inbox(&self.state, &tenant, &service.0).await?;
            Ok(Json(InboxDto {
                service: service.0,
                conversations: lines.into_iter().map(Into::into).collect(),
            }))
        }

        /// Answer a family (`accueil` and up); the conversation is assigned to the agent if it was
        /// no one's.
        #[op("post", "/:slug/api/v1/staff/conversations/:id/messages", "staffReply")]
        async fn reply(
            &self,
            tenant,
            id: Path<Uuid>,
            staff: StaffApi<Accueil>,
            body: Json<ReplyRequest>,
        ) -> Answer<Created> {
            let draft = Draft::html(body.0.body);
            let by = &staff.member;
            let message =
                service::staff_reply(&self.state, &tenant, by, id.0, &draft, vec![]).await?;
            Ok(Created::Created(Json(CreatedDto { id: message })))
        }
    }
}
