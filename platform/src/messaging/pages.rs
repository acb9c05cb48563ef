//! "Messagerie" for parents (guide, section 7): the municipality's postal contact, "Mes
//! conversations", the services to write to; the new message form; a conversation with its
//! reply form. The forms work without JavaScript (a plain textarea); with it, the textarea
//! becomes a small rich-text editor whose HTML the server sanitises.

use super::service::{self, Draft, MessagingError, Thread};
use crate::auth::pages::see_other;
use crate::auth::session::SignedIn;
use crate::http::errors::PageError;
use crate::http::page::{Frame, PathId, SignedInForm, SignedInPage};
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Messages a redirect may ask a page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    match key {
        "envoye" => Some(t("message-sent")),
        "preference" => Some(t("message-mail-saved")),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
}

fn model(page: &impl Serialize) -> Value {
    serde_json::to_value(page).expect("a page model serialises")
}

/// One problem of a refused form, linked to its field.
#[derive(Serialize)]
pub struct ErrorItem {
    pub field: String,
    pub label: String,
    pub message: String,
}

fn error_items(errors: &FieldErrors, labels: &[(&str, &str)]) -> Vec<ErrorItem> {
    labels
        .iter()
        .filter_map(|(field, key)| {
            errors.0.get(*field).map(|m| ErrorItem {
                field: field.to_string(),
                label: t(key),
                message: m.clone(),
            })
        })
        .collect()
}

#[derive(Serialize)]
pub struct PostalContact {
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub fax: Option<String>,
    pub website: Option<String>,
}

#[derive(Serialize)]
pub struct ConversationLine {
    pub href: String,
    pub service: String,
    pub subject: String,
    pub unread: i64,
    pub date: String,
    pub closed: bool,
}

#[derive(Serialize)]
pub struct ServiceLink {
    pub href: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct MessageriePage {
    pub info: Option<String>,
    pub contact: PostalContact,
    pub conversations: Vec<ConversationLine>,
    pub services: Vec<ServiceLink>,
}

#[handler]
pub async fn messagerie(
    Query(query): Query<InfoQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let (list, config) = service::household_list(state, tenant, &signed).await?;
    let slug = tenant.slug();
    let c = &config.contact;
    let page = MessageriePage {
        info: query.info.as_deref().and_then(info_message),
        contact: PostalContact {
            name: config.name.clone(),
            address: c.address.clone(),
            postal_code: c.postal_code.clone(),
            city: c.city.clone(),
            phone: c.phone.clone(),
            fax: c.fax.clone(),
            website: c.website.clone(),
        },
        conversations: list
            .iter()
            .map(|l| ConversationLine {
                href: format!("/{slug}/messagerie/{}", l.id),
                service: service::service_name(&config, &l.service_code),
                subject: l.subject.clone(),
                unread: l.unread,
                date: service::when(l.last_message_at),
                closed: l.closed,
            })
            .collect(),
        services: config
            .services
            .iter()
            .map(|s| ServiceLink {
                href: format!("/{slug}/messagerie/nouveau?service={}", s.code),
                name: s.name.clone(),
            })
            .collect(),
    };
    Ok(frame.render("messagerie", "Messagerie", "messagerie", model(&page)))
}

#[derive(Serialize, Default)]
pub struct NewMessagePage {
    pub service_code: String,
    pub service_name: String,
    pub subject: String,
    pub body: String,
    /// `html` when `body` is the editor's (sanitised) HTML, `text` otherwise.
    pub format: String,
    pub refused: bool,
    pub error_list: Vec<ErrorItem>,
    pub errors: std::collections::BTreeMap<String, String>,
    pub body_max: usize,
    pub subject_max: usize,
}

#[derive(Deserialize)]
pub struct ServiceQuery {
    service: Option<String>,
}

fn render_new(frame: &Frame, page: &NewMessagePage, status: u16) -> Response {
    frame.render_with_status(
        "messagerie_nouveau",
        "Nouveau message",
        "messagerie",
        model(page),
        status,
    )
}

#[handler]
pub async fn new_message(
    Query(query): Query<ServiceQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, _) = ctx.parts();
    let config = service::configuration(state, tenant).await?;
    let code = query.service.unwrap_or_default();
    let chosen = service::service(&config, &code).ok_or(MessagingError::NotFound)?;
    let page = NewMessagePage {
        service_code: chosen.code.clone(),
        service_name: chosen.name.clone(),
        format: "text".into(),
        body_max: service::BODY_MAX_BYTES,
        subject_max: service::SUBJECT_MAX,
        ..NewMessagePage::default()
    };
    Ok(render_new(&frame, &page, 200))
}

#[derive(Deserialize)]
pub struct NewMessageForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    /// `html` when the rich-text editor wrote the body; plain text otherwise.
    format: Option<String>,
}

fn draft(body: &str, format: Option<&str>) -> Draft {
    Draft {
        body: body.to_string(),
        html: format == Some("html"),
    }
}

/// What a refused form shows again: the editor's HTML only once sanitised.
pub fn shown_again(draft: &Draft) -> (String, String) {
    if draft.html {
        (super::sanitize::clean_html(&draft.body), "html".into())
    } else {
        (draft.body.clone(), "text".into())
    }
}

const NEW_FIELDS: [(&str, &str); 3] = [
    ("service", "message-service"),
    ("subject", "message-subject"),
    ("body", "message-body"),
];

#[handler]
pub async fn send_new(ctx: SignedInForm<'_, NewMessageForm>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
    let draft = draft(&form.body, form.format.as_deref());
    let sent = service::start(state, tenant, &signed, &form.service, &form.subject, &draft).await;
    match sent {
        Ok(id) => Ok(see_other(format!(
            "/{}/messagerie/{id}?info=envoye",
            tenant.slug()
        ))),
        Err(MessagingError::Invalid(errors)) => {
            let config = service::configuration(state, tenant).await?;
            let (body, format) = shown_again(&draft);
            let page = NewMessagePage {
                service_name: service::service(&config, &form.service)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                service_code: form.service,
                subject: form.subject,
                body,
                format,
                refused: true,
                error_list: error_items(&errors, &NEW_FIELDS),
                errors: errors.0,
                body_max: service::BODY_MAX_BYTES,
                subject_max: service::SUBJECT_MAX,
            };
            Ok(render_new(&frame, &page, 422))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
pub struct ThreadMessage {
    pub author: String,
    pub mine: bool,
    pub from_staff: bool,
    pub date: String,
    pub body_html: String,
}

#[derive(Serialize)]
pub struct ConversationPage {
    pub info: Option<String>,
    pub id: String,
    pub subject: String,
    pub service_name: String,
    pub closed: bool,
    pub messages: Vec<ThreadMessage>,
    pub body: String,
    pub format: String,
    pub refused: bool,
    pub error: Option<String>,
    pub body_max: usize,
}

fn conversation_page(thread: &Thread, signed: &SignedIn) -> ConversationPage {
    ConversationPage {
        info: None,
        id: thread.head.id.to_string(),
        subject: thread.head.subject.clone(),
        service_name: thread.service_name.clone(),
        closed: thread.head.closed_at.is_some(),
        messages: thread
            .messages
            .iter()
            .map(|m| {
                let mine = m.guardian_id == Some(signed.guardian_id);
                ThreadMessage {
                    author: if mine {
                        t("message-me")
                    } else {
                        m.author.clone()
                    },
                    mine,
                    from_staff: m.from_staff,
                    date: service::when(m.sent_at),
                    body_html: m.body_html.clone(),
                }
            })
            .collect(),
        body: String::new(),
        format: "text".into(),
        refused: false,
        error: None,
        body_max: service::BODY_MAX_BYTES,
    }
}

fn render_conversation(frame: &Frame, page: &ConversationPage, status: u16) -> Response {
    let title = page.subject.clone();
    frame.render_with_status(
        "messagerie_conversation",
        &title,
        "messagerie",
        model(page),
        status,
    )
}

#[handler]
pub async fn conversation(
    Query(query): Query<InfoQuery>,
    PathId(id): PathId,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, mut frame, signed) = ctx.parts();
    let thread = service::household_thread(state, tenant, &signed, id).await?;
    // The frame counted before this page marked the conversation read.
    frame.unread_messages = banner_unread(state, tenant, &signed).await;
    let mut page = conversation_page(&thread, &signed);
    page.info = query.info.as_deref().and_then(info_message);
    Ok(render_conversation(&frame, &page, 200))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    format: Option<String>,
}

#[handler]
pub async fn reply(
    PathId(id): PathId,
    ctx: SignedInForm<'_, ReplyForm>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, form) = ctx.parts();
    let draft = draft(&form.body, form.format.as_deref());
    let sent = service::reply(state, tenant, &signed, id, &draft).await;
    match sent {
        Ok(_) => Ok(see_other(format!(
            "/{}/messagerie/{id}?info=envoye",
            tenant.slug()
        ))),
        Err(MessagingError::Invalid(errors)) => {
            let thread = service::household_thread(state, tenant, &signed, id).await?;
            let mut page = conversation_page(&thread, &signed);
            page.refused = true;
            page.error = errors.0.get("body").cloned();
            (page.body, page.format) = shown_again(&draft);
            Ok(render_conversation(&frame, &page, 422))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MailPreferenceForm {
    /// A checkbox: present when ticked.
    message_mail: Option<String>,
}

/// "Mon compte": whether a service's answer is announced by mail.
#[handler]
pub async fn save_mail_preference(
    ctx: SignedInForm<'_, MailPreferenceForm>,
) -> Result<Response, PageError> {
    let (state, tenant, _, signed, form) = ctx.parts();
    service::set_mail_on_answer(state, tenant, &signed, form.message_mail.is_some()).await?;
    Ok(see_other(format!(
        "/{}/mon-compte?info=preference-messagerie",
        tenant.slug()
    )))
}

/// The banner's unread count for the signed-in guardian; a failure only hides the count.
pub async fn banner_unread(state: &AppState, tenant: &CurrentTenant, who: &SignedIn) -> i64 {
    service::unread(state, tenant, who)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unread messages not counted");
            0
        })
}
