//! The back-office messaging (`/{slug}/gestion/messagerie`, `accueil` and up): an inbox per
//! service (unread first), a conversation with its reply form, "take it" and "close".

use super::attachments;
use super::pages::{
    Composer, Posted, ReplyForm, ThreadMessage, draft, file_response, read_multipart, send_form,
};
use super::service::{self, MessagingError};
use crate::auth::csrf;
use crate::auth::pages::see_other;
use crate::documents::intake::is_multipart;
use crate::http::errors::PageError;
use crate::http::info_query::InfoQuery;
use crate::http::page::{NoFields, PathId, parse_id};
use crate::i18n::t;
use crate::staff::Accueil;
use crate::staff::auth::{STAFF_COOKIE, StaffSigned};
use crate::staff::guard::{StaffForm, StaffFrame, StaffPage};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Query};
use poem::{Body, FromRequest, Request, RequestBody, Response, handler};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

fn info_message(key: &str) -> Option<String> {
    Some(t(match key {
        "repondu" => "staff-message-replied",
        "attribuee" => "staff-message-assigned",
        "close" => "staff-message-closed",
        _ => return None,
    }))
}

#[derive(Deserialize)]
pub struct InboxQuery {
    service: Option<String>,
}

#[derive(Serialize)]
pub struct ServiceTab {
    pub href: String,
    pub name: String,
    pub current: bool,
    pub unread: i64,
}

#[derive(Serialize)]
pub struct InboxLine {
    pub href: String,
    pub subject: String,
    pub family: String,
    pub unread: bool,
    pub assigned: Option<String>,
    pub closed: bool,
    pub date: String,
}

#[derive(Serialize)]
pub struct InboxPage {
    pub service_name: String,
    pub services: Vec<ServiceTab>,
    pub conversations: Vec<InboxLine>,
}

#[handler]
pub async fn inbox(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<InboxQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let config = service::configuration(state, tenant).await?;
    let slug = tenant.slug();
    let Some(code) = query
        .service
        .clone()
        .or_else(|| config.services.first().map(|s| s.code.clone()))
    else {
        // No service configured: an empty inbox.
        let model = InboxPage {
            service_name: String::new(),
            services: vec![],
            conversations: vec![],
        };
        return Ok(render_inbox(&page.frame, &model));
    };
    let (lines, unread, config) = match service::inbox(state, tenant, &code).await {
        Err(MessagingError::Invalid(_)) => return Err(MessagingError::NotFound.into()),
        other => other?,
    };
    let model = InboxPage {
        service_name: service::service_name(&config, &code),
        services: config
            .services
            .iter()
            .map(|s| ServiceTab {
                href: format!("/{slug}/gestion/messagerie?service={}", s.code),
                name: s.name.clone(),
                current: s.code == code,
                unread: unread
                    .iter()
                    .find(|u| u.service_code == s.code)
                    .map_or(0, |u| u.n),
            })
            .collect(),
        conversations: lines
            .into_iter()
            .map(|l| InboxLine {
                href: format!("/{slug}/gestion/messagerie/{}", l.id),
                subject: l.subject,
                family: l.family,
                unread: l.unread,
                assigned: l.assigned_name,
                closed: l.closed,
                date: service::when(l.last_message_at),
            })
            .collect(),
    };
    Ok(render_inbox(&page.frame, &model))
}

fn render_inbox(frame: &StaffFrame, model: &InboxPage) -> Response {
    frame.render(
        "staff_messagerie",
        &t("title-staff-messages"),
        "messagerie",
        model,
        200,
    )
}

#[derive(Serialize)]
pub struct StaffConversationPage {
    pub info: Option<String>,
    pub id: String,
    pub subject: String,
    pub family: String,
    pub household_href: String,
    pub inbox_href: String,
    pub service_name: String,
    pub assigned: Option<String>,
    pub assigned_to_me: bool,
    pub closed: bool,
    pub messages: Vec<ThreadMessage>,
    #[serde(flatten)]
    pub composer: Composer,
}

/// The conversation's page; the read is audited for the household.
async fn conversation_model(
    state: &AppState,
    tenant: &CurrentTenant,
    member: &StaffSigned,
    id: Uuid,
) -> Result<StaffConversationPage, MessagingError> {
    let member_id = member.id;
    let thread = service::staff_thread(state, tenant, member, id, "page").await?;
    let slug = tenant.slug();
    let head = &thread.head;
    let base = format!("/{slug}/gestion/messagerie/{}", head.id);
    Ok(StaffConversationPage {
        info: None,
        id: head.id.to_string(),
        subject: head.subject.clone(),
        family: head.family.clone(),
        household_href: format!("/{slug}/gestion/familles/{}", head.household_id),
        inbox_href: format!("/{slug}/gestion/messagerie?service={}", head.service_code),
        service_name: thread.service_name.clone(),
        assigned: head.assigned_name.clone(),
        assigned_to_me: head.assigned_to == Some(member_id),
        closed: head.closed_at.is_some(),
        messages: thread
            .messages
            .iter()
            .map(|m| ThreadMessage::new(m, m.author_for_staff(&thread.service_name), &base))
            .collect(),
        composer: Composer::empty(state),
    })
}

fn render_conversation(frame: &StaffFrame, model: &StaffConversationPage, status: u16) -> Response {
    frame.render(
        "staff_conversation",
        &model.subject,
        "messagerie",
        model,
        status,
    )
}

#[handler]
pub async fn conversation(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let mut model = conversation_model(state, tenant, &page.member, id).await?;
    model.info = query.info.as_deref().and_then(info_message);
    Ok(render_conversation(&page.frame, &model, 200))
}

/// An answer: multipart from the page (files included), url-encoded from older pages.
#[handler]
pub async fn reply(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    req: &Request,
    body: Body,
) -> poem::Result<Response> {
    let (frame, member, posted) = if is_multipart(req) {
        // Who sends it is known (and checked) before a byte of the body is read.
        let page = StaffPage::<Accueil>::from_request_without_body(req).await?;
        let check = |token: &str| csrf::valid_for_session_cookie(req, Some(token), STAFF_COOKIE);
        let limit = state.settings.max_upload_bytes;
        let posted: Posted<ReplyForm> = read_multipart(state, req, body, limit, &check).await?;
        (page.frame, page.member, posted)
    } else {
        let mut body = RequestBody::new(body);
        let page = StaffForm::<Accueil, ReplyForm>::from_request(req, &mut body).await?;
        let posted = Posted::without_files(page.form);
        (page.frame, page.member, posted)
    };
    let draft = draft(&posted.form.body, posted.form.format.as_deref());
    let files = posted.files;
    send_form(
        posted.refused,
        async || service::staff_reply(state, tenant, &member, id, &draft, files).await,
        |_| format!("/{}/gestion/messagerie/{id}?info=repondu", tenant.slug()),
        async |errors, status| {
            let mut model = conversation_model(state, tenant, &member, id).await?;
            model.composer.refused(&draft, &errors);
            Ok(render_conversation(&frame, &model, status))
        },
    )
    .await
}

/// A file of a conversation, as an attachment; the read is audited for the household.
#[handler]
pub async fn attachment(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    req: &Request,
    page: StaffPage<Accueil>,
) -> Result<Response, PageError> {
    let file_id = parse_id(req.raw_path_param("file").unwrap_or_default())?;
    let by = attachments::Party::Staff(&page.member);
    let file = attachments::download(state, tenant, by, id, file_id, "page").await?;
    Ok(file_response(file))
}

#[handler]
pub async fn assign(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    page: StaffForm<Accueil, NoFields>,
) -> Result<Response, PageError> {
    service::assign_to(state, tenant, &page.member, id).await?;
    Ok(see_other(format!(
        "/{}/gestion/messagerie/{id}?info=attribuee",
        tenant.slug()
    )))
}

#[handler]
pub async fn close(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    _page: StaffForm<Accueil, NoFields>,
) -> Result<Response, PageError> {
    service::close(state, tenant, id).await?;
    Ok(see_other(format!(
        "/{}/gestion/messagerie/{id}?info=close",
        tenant.slug()
    )))
}
