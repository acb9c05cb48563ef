//! "Messagerie" for parents (guide, section 7): the municipality's postal contact, "Mes
//! conversations", the services to write to; the new message form; a conversation with its
//! reply form. The forms work without JavaScript (a plain textarea); with it, the textarea
//! becomes a small rich-text editor whose HTML the server sanitises.

use super::attachments::{self, AttachmentInfo};
use super::service::{self, Draft, MessagingError, ShownMessage, Thread};
use crate::auth::csrf;
use crate::auth::pages::see_other;
use crate::auth::session::SignedIn;
use crate::documents::intake::is_multipart;
use crate::documents::service::{DocumentError, FileKind, french_size};
use crate::documents::upload::{self, CsrfCheck, NamedFile, ReadError};
use crate::http::errors::{PageError, Problem};
use crate::http::info_query::InfoQuery;
use crate::http::page::{
    Frame, PathId, SignedInForm, SignedInPage, SignedInUpload, csrf_refused, parse_id,
};
use crate::i18n::t;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use poem::web::Query;
use poem::{Body, FromRequest, Request, RequestBody, Response, handler};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

/// Messages a redirect may ask a page to show: a fixed list, never text from the URL.
fn info_message(key: &str) -> Option<String> {
    match key {
        "envoye" => Some(t("message-sent")),
        "preference" => Some(t("message-mail-saved")),
        _ => None,
    }
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

/// A file of a message, as a thread lists it.
#[derive(Serialize)]
pub struct FileLink {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub size: String,
}

/// The links of a message's files; `base` is the conversation's page.
pub fn file_links(base: &str, files: &[AttachmentInfo]) -> Vec<FileLink> {
    files
        .iter()
        .map(|f| FileLink {
            href: format!("{base}/pieces-jointes/{}", f.id),
            name: f.file_name(),
            kind: FileKind::from_content_type(&f.content_type)
                .map_or_else(|| t("document-file"), |k| t(k.label_key())),
            size: french_size(f.size.max(0) as u64),
        })
        .collect()
}

/// The text fields of the message forms, each with the most bytes read of it: one byte past
/// a limit of the service is enough for its check to refuse it.
pub const FORM_TEXTS: [(&str, usize); 4] = [
    ("service", 256),
    ("subject", 1024),
    ("body", service::BODY_MAX_BYTES + 1),
    ("format", 16),
];

/// A message form as sent: multipart (the pages' forms, files included) or url-encoded (no
/// files), with what stopped the reading of the files, if anything did.
pub struct Posted<F> {
    pub form: F,
    pub files: Vec<NamedFile>,
    pub refused: Option<DocumentError>,
}

impl<F> Posted<F> {
    /// A url-encoded form: no files.
    pub fn without_files(form: F) -> Self {
        Posted {
            form,
            files: vec![],
            refused: None,
        }
    }
}

/// Reads a multipart message form whose CSRF token `check` passes (403 page otherwise).
pub async fn read_multipart<F: DeserializeOwned>(
    state: &AppState,
    req: &Request,
    body: Body,
    limit: u64,
    check: CsrfCheck<'_>,
) -> Result<Posted<F>, PageError> {
    let permit = state
        .uploads
        .enter()
        .map_err(DocumentError::from)
        .map_err(MessagingError::from)?;
    let (read, result) =
        upload::read_form(req, body, &FORM_TEXTS, limit, Some(check), permit).await;
    let refused = match result {
        Err(ReadError::Csrf) => return Err(csrf_refused()),
        Err(e) => Some(DocumentError::from_read(e, limit)),
        Ok(()) => None,
    };
    let form = serde_json::to_value(&read.texts)
        .and_then(serde_json::from_value)
        .map_err(|_| MessagingError::from(DocumentError::Malformed))?;
    Ok(Posted {
        form,
        files: read.files,
        refused,
    })
}

/// Sends a message form (unless its files were `refused` already) and answers its page: once
/// sent, a redirect to the address `sent_to` makes of the outcome; refused (a field, a file),
/// the page `redraw` draws again with the errors and their status; any other failure, its
/// error page. The parents' and the staff's forms answer the same way.
pub async fn send_form<T>(
    refused: Option<DocumentError>,
    send: impl AsyncFnOnce() -> Result<T, MessagingError>,
    sent_to: impl FnOnce(T) -> String,
    redraw: impl AsyncFnOnce(FieldErrors, u16) -> Result<Response, PageError>,
) -> poem::Result<Response> {
    let sent = match refused {
        Some(e) => Err(e.into()),
        None => send().await,
    };
    match sent.map_err(form_errors) {
        Ok(sent) => Ok(see_other(sent_to(sent))),
        Err(Ok((errors, status))) => Ok(redraw(errors, status).await?),
        Err(Err(e)) => Err(PageError::from(e).into()),
    }
}

/// The field errors a refused message form shows, with the status of the page; `None` for
/// a failure that is no form's (not found, a fault).
fn form_errors(e: MessagingError) -> Result<(FieldErrors, u16), MessagingError> {
    let status = e.status().as_u16();
    match e {
        MessagingError::Invalid(errors) => Ok((errors, status)),
        MessagingError::File(file) => {
            let mut errors = FieldErrors::default();
            errors.add("file", file.message());
            Ok((errors, status))
        }
        other => Err(other),
    }
}

/// A parent's message form, signed in: the state, the frame and who sends it, with the form.
struct ParentPost<'a, F> {
    state: &'a Arc<AppState>,
    tenant: &'a CurrentTenant,
    frame: Frame,
    signed: SignedIn,
    posted: Posted<F>,
}

async fn parent_post<'a, F: DeserializeOwned + Send>(
    req: &'a Request,
    body: Body,
) -> poem::Result<ParentPost<'a, F>> {
    if !is_multipart(req) {
        let mut body = RequestBody::new(body);
        let (state, tenant, frame, signed, form) = SignedInForm::<F>::from_request(req, &mut body)
            .await?
            .parts();
        let posted = Posted::without_files(form);
        return Ok(ParentPost {
            state,
            tenant,
            frame,
            signed,
            posted,
        });
    }
    // Who sends it is known before a byte of the body is read.
    let SignedInUpload(page) = SignedInUpload::from_request_without_body(req).await?;
    let (state, tenant, frame, signed) = page.parts();
    let check = |token: &str| csrf::valid_for_session(req, Some(token));
    let limit = state.settings.max_upload_bytes;
    let posted = read_multipart(state, req, body, limit, &check).await?;
    Ok(ParentPost {
        state,
        tenant,
        frame,
        signed,
        posted,
    })
}

/// The size and count of files the forms allow, in words.
fn files_limit(state: &AppState) -> String {
    french_size(state.settings.max_upload_bytes)
}

#[derive(Serialize)]
pub struct NewMessagePage {
    pub service_code: String,
    pub service_name: String,
    pub subject: String,
    pub refused: bool,
    pub error_list: Vec<ErrorItem>,
    pub errors: std::collections::BTreeMap<String, String>,
    pub subject_max: usize,
    #[serde(flatten)]
    pub composer: Composer,
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
        subject: String::new(),
        refused: false,
        error_list: vec![],
        errors: Default::default(),
        subject_max: service::SUBJECT_MAX,
        composer: Composer::empty(state),
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

pub fn draft(body: &str, format: Option<&str>) -> Draft {
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

const NEW_FIELDS: [(&str, &str); 4] = [
    ("service", "message-service"),
    ("subject", "message-subject"),
    ("body", "message-body"),
    ("file", "message-attachments-label"),
];

/// The new message form: multipart from the page (files included), url-encoded from older
/// pages (no files).
#[handler]
pub async fn send_new(req: &Request, body: Body) -> poem::Result<Response> {
    let ParentPost {
        state,
        tenant,
        frame,
        signed,
        posted,
    } = parent_post::<NewMessageForm>(req, body).await?;
    let form = posted.form;
    let draft = draft(&form.body, form.format.as_deref());
    let files = posted.files;
    send_form(
        posted.refused,
        async || {
            let (service_code, subject) = (&form.service, &form.subject);
            service::start(state, tenant, &signed, service_code, subject, &draft, files).await
        },
        |id| format!("/{}/messagerie/{id}?info=envoye", tenant.slug()),
        async |errors, status| {
            let config = service::configuration(state, tenant).await?;
            let mut composer = Composer::empty(state);
            composer.refused(&draft, &errors);
            let page = NewMessagePage {
                service_name: service::service(&config, &form.service)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                service_code: form.service.clone(),
                subject: form.subject.clone(),
                refused: true,
                error_list: error_items(&errors, &NEW_FIELDS),
                errors: errors.0,
                subject_max: service::SUBJECT_MAX,
                composer,
            };
            Ok(render_new(&frame, &page, status))
        },
    )
    .await
}

/// A message of a conversation page (the family's or the staff's).
#[derive(Serialize)]
pub struct ThreadMessage {
    pub author: String,
    pub from_staff: bool,
    pub date: String,
    pub body_html: String,
    pub attachments: Vec<FileLink>,
}

impl ThreadMessage {
    /// `m` signed `author` (each page says who wrote it its own way); its files link under
    /// `base`, the conversation's address.
    pub fn new(m: &ShownMessage, author: String, base: &str) -> Self {
        ThreadMessage {
            author,
            from_staff: m.from_staff,
            date: service::when(m.sent_at),
            body_html: m.body_html.clone(),
            attachments: file_links(base, &m.attachments),
        }
    }
}

#[derive(Serialize)]
pub struct ConversationPage {
    pub info: Option<String>,
    pub id: String,
    pub subject: String,
    pub service_name: String,
    pub closed: bool,
    pub messages: Vec<ThreadMessage>,
    pub refused: bool,
    #[serde(flatten)]
    pub composer: Composer,
}

/// The message box under a conversation (the family's or the staff's page): the draft shown
/// again after a refusal, its messages, and the limits the page states.
#[derive(Serialize)]
pub struct Composer {
    pub body: String,
    /// `html` when `body` is the editor's (sanitised) HTML, `text` otherwise.
    pub format: String,
    pub error: Option<String>,
    pub body_max: usize,
    pub file_error: Option<String>,
    pub max_size: String,
    pub max_files: usize,
}

impl Composer {
    pub fn empty(state: &AppState) -> Self {
        Composer {
            body: String::new(),
            format: "text".into(),
            error: None,
            body_max: service::BODY_MAX_BYTES,
            file_error: None,
            max_size: files_limit(state),
            max_files: attachments::MAX_PER_MESSAGE,
        }
    }

    /// The refused `draft` shown again with the messages of `errors`.
    pub fn refused(&mut self, draft: &Draft, errors: &FieldErrors) {
        self.error = errors.0.get("body").cloned();
        self.file_error = errors.0.get("file").cloned();
        (self.body, self.format) = shown_again(draft);
    }
}

fn conversation_page(
    state: &AppState,
    slug: &str,
    thread: &Thread,
    signed: &SignedIn,
) -> ConversationPage {
    let base = format!("/{slug}/messagerie/{}", thread.head.id);
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
                let author = if m.guardian_id == Some(signed.guardian_id) {
                    t("message-me")
                } else {
                    m.author.clone()
                };
                ThreadMessage::new(m, author, &base)
            })
            .collect(),
        refused: false,
        composer: Composer::empty(state),
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
    let mut page = conversation_page(state, tenant.slug(), &thread, &signed);
    page.info = query.info.as_deref().and_then(info_message);
    Ok(render_conversation(&frame, &page, 200))
}

/// An answer in a conversation (the family's or the staff's page).
#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
    pub format: Option<String>,
}

/// A reply: multipart from the page (files included), url-encoded from older pages.
#[handler]
pub async fn reply(PathId(id): PathId, req: &Request, body: Body) -> poem::Result<Response> {
    let ParentPost {
        state,
        tenant,
        frame,
        signed,
        posted,
    } = parent_post::<ReplyForm>(req, body).await?;
    let draft = draft(&posted.form.body, posted.form.format.as_deref());
    let files = posted.files;
    send_form(
        posted.refused,
        async || service::reply(state, tenant, &signed, id, &draft, files).await,
        |_| format!("/{}/messagerie/{id}?info=envoye", tenant.slug()),
        async |errors, status| {
            let thread = service::household_thread(state, tenant, &signed, id).await?;
            let mut page = conversation_page(state, tenant.slug(), &thread, &signed);
            page.refused = true;
            page.composer.refused(&draft, &errors);
            Ok(render_conversation(&frame, &page, status))
        },
    )
    .await
}

/// A file of a message of the household's conversation, as an attachment.
#[handler]
pub async fn attachment(
    ctx: SignedInPage<'_>,
    PathId(id): PathId,
    req: &Request,
) -> Result<Response, PageError> {
    let (state, tenant, _, signed) = ctx.parts();
    let file_id: Uuid = parse_id(req.raw_path_param("file").unwrap_or_default())?;
    let by = attachments::Party::Guardian(&signed);
    let file = attachments::download(state, tenant, by, id, file_id, "page").await?;
    Ok(file_response(file))
}

/// A stored file as the browser gets it: always an attachment of its detected type.
pub fn file_response(file: crate::documents::repository::StoredFile) -> Response {
    let headers = crate::documents::service::download_headers(&file);
    crate::documents::service::file_response(headers, file.data)
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
