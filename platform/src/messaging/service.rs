//! The rules of messaging: what a message must be, who may read a conversation, what is
//! mailed to whom. Every operation is one transaction, its mails queued in it.

use super::attachments::{self, AttachmentInfo};
use super::repository::{self, Author, Head, HouseholdConversation, InboxLine, ServiceUnread};
use super::sanitize;
use crate::auth::session::SignedIn;
use crate::documents::service::DocumentError;
use crate::documents::upload::NamedFile;
use crate::http::errors::{
    Details, FORBIDDEN, Failure, Fault, INTERNAL, Problem, UNAUTHORIZED, fields,
    invalid_fields_message,
};
use crate::i18n::{self, t, t_args};
use crate::mail::{self, Mail};
use crate::staff::auth::StaffSigned;
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use crate::validation::FieldErrors;
use chrono::{DateTime, Datelike, Utc};
use poem::http::StatusCode;
use portail_tenants::TenantTx;
use portail_tenants::config::{Service, TenantConfig};
use sea_orm::DbErr;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// Longest body as sent (HTML or text), in bytes: a long letter, not a document.
pub const BODY_MAX_BYTES: usize = 20_000;
/// Most messages a guardian may write in an hour: each one mails a service, so a script
/// cannot flood the service's mailbox.
pub const MAX_MESSAGES_PER_HOUR: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    #[error("invalid fields")]
    Invalid(FieldErrors),
    /// Not the household's conversation, or none at all.
    #[error("not found")]
    NotFound,
    /// More than [`MAX_MESSAGES_PER_HOUR`] messages in the last hour.
    #[error("too many messages")]
    TooMany,
    /// An attachment refused before its checks: too large, not a PDF, JPEG or PNG, a broken
    /// upload, the antivirus unreachable.
    #[error(transparent)]
    File(DocumentError),
    #[error(transparent)]
    Fault(#[from] Fault),
}

impl From<FieldErrors> for MessagingError {
    fn from(errors: FieldErrors) -> Self {
        MessagingError::Invalid(errors)
    }
}

impl From<DbErr> for MessagingError {
    fn from(e: DbErr) -> Self {
        MessagingError::Fault(e.into())
    }
}

impl From<DocumentError> for MessagingError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Invalid(errors) => MessagingError::Invalid(errors),
            DocumentError::NotFound => MessagingError::NotFound,
            DocumentError::Database(e) => e.into(),
            other => MessagingError::File(other),
        }
    }
}

impl Problem for MessagingError {
    fn status(&self) -> StatusCode {
        match self {
            MessagingError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            MessagingError::NotFound => StatusCode::NOT_FOUND,
            MessagingError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            MessagingError::File(e) => e.status(),
            MessagingError::Fault(f) => f.status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            MessagingError::Invalid(_) => "invalid_fields",
            MessagingError::NotFound => Failure::NotFound.code(),
            MessagingError::TooMany => "too_many_messages",
            MessagingError::File(e) => e.code(),
            MessagingError::Fault(f) => f.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            MessagingError::Invalid(_) => invalid_fields_message(),
            MessagingError::NotFound => Failure::NotFound.message(),
            MessagingError::TooMany => {
                t_args("message-too-many", &[("max", MAX_MESSAGES_PER_HOUR.into())])
            }
            MessagingError::File(e) => e.message(),
            MessagingError::Fault(f) => f.message(),
        }
    }

    fn details(&self) -> Details {
        match self {
            MessagingError::Invalid(e) => fields(e),
            // The oldest message of the hour leaves the window within the hour.
            MessagingError::TooMany => Details::RetryAfter(3600),
            MessagingError::File(e) => e.details(),
            _ => Details::None,
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            (400, "A broken multipart upload (`invalid_upload`)."),
            UNAUTHORIZED,
            FORBIDDEN,
            (
                404,
                "No conversation of the household has this id (`not_found`): another household's or another municipality's is not found either; nor is an attachment or a message of another conversation.",
            ),
            (
                413,
                "The files of the request pass `MAX_UPLOAD_BYTES` together (`file_too_large`); reading stops there.",
            ),
            (
                415,
                "An attachment that is not a PDF, JPEG or PNG, whatever its name says (`unsupported_file_type`), or a body that is not `multipart/form-data` where files are sent (`unsupported_media_type`).",
            ),
            (
                422,
                "Invalid fields (`invalid_fields`, with `fields`): a service that is not one of the municipality's, an empty or too long subject, an empty body or one over 20 000 bytes; `file`: more than 5 attachments on a message, a file with active content or unreadable, the household's quota full, a file the antivirus flags.",
            ),
            (
                429,
                "The guardian wrote 20 messages in the last hour (`too_many_messages`); `Retry-After` gives the wait.",
            ),
            (
                503,
                "A dependency is unreachable (`service_unavailable`), or the antivirus is (`antivirus_unavailable`): nothing is stored; or every upload slot of the server is taken (`uploads_busy`, nothing read): try again after `Retry-After` seconds.",
            ),
            INTERNAL,
        ]
    }
}

pub(crate) type Result<T> = std::result::Result<T, MessagingError>;

/// A body as sent: the editor's HTML, or the plain textarea's text.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub body: String,
    pub html: bool,
}

impl Draft {
    /// A body of the JSON API: always HTML, sanitised like the editor's.
    pub fn html(body: String) -> Self {
        Draft { body, html: true }
    }
}

/// The sanitised HTML of a body, or why it is refused (in `errors`, field `body`).
fn checked_body(errors: &mut FieldErrors, draft: &Draft) -> String {
    if draft.body.len() > BODY_MAX_BYTES {
        errors.add(
            "body",
            t_args(
                "message-body-too-long",
                &[("max", (BODY_MAX_BYTES as i64).into())],
            ),
        );
        return String::new();
    }
    let html = if draft.html {
        sanitize::clean_html(&draft.body)
    } else {
        sanitize::text_to_html(&draft.body)
    };
    if sanitize::to_text(&html).is_empty() {
        errors.add("body", t("message-body-required"));
    }
    html
}

fn checked_subject(errors: &mut FieldErrors, subject: &str) -> String {
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if subject.is_empty() {
        errors.add("subject", t("message-subject-required"));
    } else if subject.chars().count() > SUBJECT_MAX {
        errors.add(
            "subject",
            t_args(
                "message-subject-too-long",
                &[("max", (SUBJECT_MAX as i64).into())],
            ),
        );
    } else if subject.chars().any(char::is_control) {
        errors.add("subject", t("field-forbidden-chars"));
    }
    subject
}

pub fn service<'a>(config: &'a TenantConfig, code: &str) -> Option<&'a Service> {
    config.services.iter().find(|s| s.code == code)
}

/// The service's name, or its code when the configuration no longer has it.
pub fn service_name(config: &TenantConfig, code: &str) -> String {
    service(config, code).map_or_else(|| code.to_string(), |s| s.name.clone())
}

/// How a staff message is signed for families: the service's name, with the agent's only if
/// the service is configured so.
pub fn signature(config: &TenantConfig, code: &str, agent: Option<&str>) -> String {
    match (service(config, code), agent) {
        (Some(s), Some(agent)) if s.sign_with_agent_name => format!("{} ({agent})", s.name),
        _ => service_name(config, code),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// "8 nov. 2026 14:05" in Paris time ("8 Nov 2026 14:05" in English).
pub fn when(at: DateTime<Utc>) -> String {
    let paris = at.with_timezone(&chrono_tz::Europe::Paris);
    match i18n::current().code() {
        "fr" => format!(
            "{} {} {}",
            paris.day(),
            MONTHS_FR[paris.month0() as usize],
            paris.format("%Y %H:%M")
        ),
        _ => paris.format("%-d %b %Y %H:%M").to_string(),
    }
}

/// "Mes conversations" and what the page needs of the configuration.
pub async fn household_list(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
) -> Result<(Vec<HouseholdConversation>, Arc<TenantConfig>)> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let list = repository::for_household(&tx, who.household_id, who.guardian_id).await?;
    tx.commit().await?;
    Ok((list, config))
}

/// The municipality's configuration (services, contact).
pub async fn configuration(state: &AppState, tenant: &CurrentTenant) -> Result<Arc<TenantConfig>> {
    Ok(crate::tenancy::config(state, tenant).await?)
}

/// The head of conversation `id`, whichever household's (for staff, or one just started).
async fn conversation_head(tx: &TenantTx, id: Uuid) -> Result<Head> {
    repository::head(tx, id)
        .await?
        .ok_or(MessagingError::NotFound)
}

/// The head of the household's conversation `id`: another household's is not found.
async fn household_head(tx: &TenantTx, household_id: Uuid, id: Uuid) -> Result<Head> {
    repository::head_for_household(tx, household_id, id)
        .await?
        .ok_or(MessagingError::NotFound)
}

/// A message of a thread as people read it.
#[derive(Debug, Clone)]
pub struct ShownMessage {
    pub id: Uuid,
    pub from_staff: bool,
    /// The family member who wrote it (`None` for staff).
    pub guardian_id: Option<Uuid>,
    /// The service's signature, or the family member's name.
    pub author: String,
    /// The agent who wrote it, for the back-office only.
    pub agent: Option<String>,
    pub body_html: String,
    pub sent_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentInfo>,
}

impl ShownMessage {
    /// Who wrote it as staff see it: which agent answered, where families see the service's
    /// signature.
    pub fn author_for_staff(&self, service_name: &str) -> String {
        match (&self.agent, self.from_staff) {
            (Some(agent), true) => format!("{service_name} ({agent})"),
            _ => self.author.clone(),
        }
    }
}

pub struct Thread {
    pub head: Head,
    pub service_name: String,
    pub messages: Vec<ShownMessage>,
}

async fn thread_of(tx: &TenantTx, config: &TenantConfig, head: Head) -> Result<Thread> {
    let mut files = attachments::for_conversation(tx, head.id).await?;
    let messages = repository::messages(tx, head.id)
        .await?
        .into_iter()
        .map(|m| ShownMessage {
            id: m.id,
            from_staff: m.from_staff,
            guardian_id: m.guardian_id,
            author: if m.from_staff {
                signature(config, &head.service_code, m.staff_name.as_deref())
            } else {
                m.guardian_name.clone().unwrap_or_default()
            },
            agent: m.staff_name,
            body_html: m.body_html,
            sent_at: m.sent_at,
            attachments: files.extract_if(.., |f| f.message_id == m.id).collect(),
        })
        .collect();
    Ok(Thread {
        service_name: service_name(config, &head.service_code),
        head,
        messages,
    })
}

/// The household's conversation `id`, read by the guardian from now on.
pub async fn household_thread(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    id: Uuid,
) -> Result<Thread> {
    let tx = tenant.begin(state).await?;
    let head = household_head(&tx, who.household_id, id).await?;
    let config = current_config(state, tenant, &tx).await?;
    repository::mark_read(&tx, id, who.guardian_id, state.clock.now()).await?;
    let thread = thread_of(&tx, &config, head).await?;
    tx.commit().await?;
    Ok(thread)
}

async fn within_hourly_limit(tx: &TenantTx, who: &SignedIn, now: DateTime<Utc>) -> Result<()> {
    let since = now - chrono::Duration::hours(1);
    if repository::written_since(tx, who.guardian_id, since).await? >= MAX_MESSAGES_PER_HOUR {
        return Err(MessagingError::TooMany);
    }
    Ok(())
}

/// Starts a conversation with `service_code`; answers its id.
pub async fn start(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    service_code: &str,
    subject: &str,
    draft: &Draft,
    files: Vec<NamedFile>,
) -> Result<Uuid> {
    let mut errors = FieldErrors::default();
    let subject = checked_subject(&mut errors, subject);
    let body = checked_body(&mut errors, draft);
    let files = family_files(state, tenant, who, files, &mut errors).await?;
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    if service(&config, service_code).is_none() {
        errors.add("service", t("message-service-unknown"));
    }
    errors.into_result(())?;
    let now = state.clock.now();
    within_hourly_limit(&tx, who, now).await?;
    let id = Uuid::new_v4();
    repository::insert_conversation(
        &tx,
        repository::NewConversation {
            id,
            household_id: who.household_id,
            service_code,
            subject: &subject,
            started_by: who.guardian_id,
            now,
        },
    )
    .await?;
    let head = conversation_head(&tx, id).await?;
    let sent = FamilyMessage {
        head: &head,
        body: &body,
        files,
        new: true,
    };
    send_family_message(state, tenant, &tx, &config, who, sent, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A family's reply in its conversation `id` (a closed one opens again).
pub async fn reply(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    id: Uuid,
    draft: &Draft,
    files: Vec<NamedFile>,
) -> Result<Uuid> {
    let mut errors = FieldErrors::default();
    let body = checked_body(&mut errors, draft);
    let files = family_files(state, tenant, who, files, &mut errors).await?;
    let tx = tenant.begin(state).await?;
    let head = household_head(&tx, who.household_id, id).await?;
    errors.into_result(())?;
    let config = current_config(state, tenant, &tx).await?;
    let now = state.clock.now();
    within_hourly_limit(&tx, who, now).await?;
    let sent = FamilyMessage {
        head: &head,
        body: &body,
        files,
        new: false,
    };
    let message = send_family_message(state, tenant, &tx, &config, who, sent, now).await?;
    tx.commit().await?;
    Ok(message)
}

/// A family's message, checked, in the conversation `head`.
struct FamilyMessage<'a> {
    head: &'a Head,
    body: &'a str,
    files: Vec<attachments::Admitted>,
    /// It starts the conversation (the service's mail says so).
    new: bool,
}

/// Writes a family's message with its files and tells the service by mail, in the caller's
/// transaction; answers the message's id.
async fn send_family_message(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    config: &TenantConfig,
    who: &SignedIn,
    sent: FamilyMessage<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = sent.head.id;
    let message =
        repository::insert_message(tx, id, Author::Guardian(who.guardian_id), sent.body, now)
            .await?;
    store_family_files(state, tx, who, id, message, sent.files, now).await?;
    let writer = who.guardian_id;
    tell_service(
        state, tenant, tx, config, sent.head, writer, sent.body, sent.new,
    )
    .await?;
    Ok(message)
}

/// The family's files of a new message, checked before the transaction; a refusal of one of
/// them joins the form's other field errors (field `file`).
async fn family_files(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    files: Vec<NamedFile>,
    errors: &mut FieldErrors,
) -> Result<Vec<attachments::Admitted>> {
    let whom = format!("household {}", who.household_id);
    checked_files(
        attachments::admit(state, tenant, &whom, files, 0).await,
        errors,
    )
}

fn checked_files(
    admitted: Result<Vec<attachments::Admitted>>,
    errors: &mut FieldErrors,
) -> Result<Vec<attachments::Admitted>> {
    match admitted {
        Ok(files) => Ok(files),
        Err(MessagingError::Invalid(refused)) => {
            for (field, message) in refused.0 {
                errors.add(&field, message);
            }
            Ok(vec![])
        }
        Err(e) => Err(e),
    }
}

/// Stores a family message's files, within the household's quota.
async fn store_family_files(
    state: &AppState,
    tx: &TenantTx,
    who: &SignedIn,
    conversation: Uuid,
    message: Uuid,
    files: Vec<attachments::Admitted>,
    now: DateTime<Utc>,
) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let total = files.iter().map(attachments::Admitted::size).sum();
    crate::documents::guard::within_quota(state, tx, who.household_id, total).await?;
    attachments::store(tx, conversation, message, files, 0, now).await?;
    Ok(())
}

/// Queues the mail announcing a family's message to its service, in French (the
/// municipality's language), with the message unless the service says otherwise.
#[allow(clippy::too_many_arguments)]
async fn tell_service(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    config: &TenantConfig,
    head: &Head,
    writer: Uuid,
    body_html: &str,
    new: bool,
) -> Result<()> {
    // A service removed from the configuration has no address left: nothing to send.
    let Some(service) = service(config, &head.service_code) else {
        return Ok(());
    };
    let writer = repository::writer(tx, writer)
        .await?
        .map(|w| w.name)
        .unwrap_or_default();
    let with_content = service.mail_content;
    let subject_key = match new {
        true => "mail-message-new-subject",
        false => "mail-message-reply-in-subject",
    };
    let mail = i18n::sync_scope(i18n::Locale::Fr, || {
        let args = [
            ("family", head.family.clone().into()),
            ("subject", head.subject.clone().into()),
        ];
        let subject = t_args(subject_key, &args);
        Mail::render(
            "message_to_service",
            &service.email,
            &subject,
            &json!({
                "service_name": service.name,
                "family": head.family,
                "writer": writer,
                "subject": head.subject,
                "tenant_name": config.name,
                "with_content": with_content,
                // Sanitised: only a few inline tags without attributes.
                "body_html": if with_content { body_html.to_string() } else { String::new() },
                "body_text": if with_content { sanitize::to_text(body_html) } else { String::new() },
                "link": format!("{}/{}/gestion/messagerie/{}", state.settings.public_url, tenant.slug(), head.id),
            }),
        )
    });
    mail::enqueue(tx, &mail).await?;
    Ok(())
}

/// A service's inbox, and how many conversations wait in each service.
pub async fn inbox(
    state: &AppState,
    tenant: &CurrentTenant,
    service_code: &str,
) -> Result<(Vec<InboxLine>, Vec<ServiceUnread>, Arc<TenantConfig>)> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    if service(&config, service_code).is_none() {
        let mut errors = FieldErrors::default();
        errors.add("service", t("message-service-unknown"));
        return Err(MessagingError::Invalid(errors));
    }
    let lines = repository::inbox(&tx, service_code).await?;
    let unread = repository::unread_by_service(&tx).await?;
    tx.commit().await?;
    Ok((lines, unread, config))
}

/// A conversation for staff, read by its service from now on. The read is audited: the
/// household's parents see it in "Qui a consulté mes données".
pub async fn staff_thread(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    origin: &str,
) -> Result<Thread> {
    let tx = tenant.begin(state).await?;
    let head = conversation_head(&tx, id).await?;
    let config = current_config(state, tenant, &tx).await?;
    repository::mark_read_by_staff(&tx, id, state.clock.now()).await?;
    let read = ("conversation", id, "messages");
    attachments::staff_read(&tx, by, read, head.household_id, origin).await?;
    let thread = thread_of(&tx, &config, head).await?;
    tx.commit().await?;
    Ok(thread)
}

/// A service's answer: the family's guardians who did not opt out get a mail (without the
/// message: they read it on the portal, signed in).
pub async fn staff_reply(
    state: &AppState,
    tenant: &CurrentTenant,
    member: &StaffSigned,
    id: Uuid,
    draft: &Draft,
    files: Vec<NamedFile>,
) -> Result<Uuid> {
    let mut errors = FieldErrors::default();
    let body = checked_body(&mut errors, draft);
    let whom = format!("staff {}", member.id);
    let admitted = attachments::admit(state, tenant, &whom, files, 0).await;
    let files = checked_files(admitted, &mut errors)?;
    let tx = tenant.begin(state).await?;
    let head = conversation_head(&tx, id).await?;
    errors.into_result(())?;
    let config = current_config(state, tenant, &tx).await?;
    let now = state.clock.now();
    let message = repository::insert_message(&tx, id, Author::Staff(member.id), &body, now).await?;
    attachments::store(&tx, id, message, files, 0, now).await?;
    if head.assigned_to.is_none() {
        repository::assign(&tx, id, member.id).await?;
    }
    let service = service_name(&config, &head.service_code);
    for r in repository::recipients(&tx, head.household_id).await? {
        let mail = i18n::sync_scope(i18n::for_recipient(r.locale.as_deref()), || {
            Mail::render(
                "message_reply",
                &r.email,
                &t_args(
                    "mail-message-answer-subject",
                    &[("service", service.clone().into())],
                ),
                &json!({
                    "first_name": r.first_name,
                    "service_name": service,
                    "subject": head.subject,
                    "tenant_name": config.name,
                    "link": format!("{}/{}/messagerie/{}", state.settings.public_url, tenant.slug(), id),
                    "account_link": format!("{}/{}/mon-compte", state.settings.public_url, tenant.slug()),
                }),
            )
        });
        mail::enqueue(&tx, &mail).await?;
    }
    tx.commit().await?;
    Ok(message)
}

/// Takes the conversation: it shows as this agent's in the inbox.
pub async fn assign_to(
    state: &AppState,
    tenant: &CurrentTenant,
    member: &StaffSigned,
    id: Uuid,
) -> Result<()> {
    let tx = tenant.begin(state).await?;
    conversation_head(&tx, id).await?;
    repository::assign(&tx, id, member.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the conversation; a family's next message opens it again.
pub async fn close(state: &AppState, tenant: &CurrentTenant, id: Uuid) -> Result<()> {
    let tx = tenant.begin(state).await?;
    conversation_head(&tx, id).await?;
    repository::close(&tx, id, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the guardian gets a mail when a service answers ("Mon compte").
pub async fn mail_on_answer(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
) -> Result<bool> {
    let tx = tenant.begin(state).await?;
    let on = repository::message_mail(&tx, who.guardian_id).await?;
    tx.commit().await?;
    Ok(on)
}

pub async fn set_mail_on_answer(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    on: bool,
) -> Result<()> {
    let tx = tenant.begin(state).await?;
    repository::set_message_mail(&tx, who.guardian_id, on).await?;
    tx.commit().await?;
    Ok(())
}

/// The banner's count: unread answers for the signed-in guardian.
pub async fn unread(state: &AppState, tenant: &CurrentTenant, who: &SignedIn) -> Result<i64> {
    let tx = tenant.begin(state).await?;
    let n = repository::unread_for_guardian(&tx, who.guardian_id).await?;
    tx.commit().await?;
    Ok(n)
}

/// What the messaging operations of the JSON API answer.
pub(super) type Answer<T> = std::result::Result<T, crate::http::errors::ApiError<MessagingError>>;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn config(extra: &str) -> TenantConfig {
        let source = include_str!("../../../tenants/examples/demo.toml").replacen(
            "email = \"service.enfance@demo.example\"\n",
            &format!("email = \"service.enfance@demo.example\"\n{extra}"),
            1,
        );
        TenantConfig::from_toml(&source).unwrap()
    }

    #[test]
    fn replies_are_signed_with_the_service_name_unless_configured() {
        let plain = config("");
        assert_eq!(
            signature(&plain, "enfance", Some("Anne LEROUX")),
            "Service enfance"
        );
        let named = config("sign_with_agent_name = true\n");
        assert_eq!(
            signature(&named, "enfance", Some("Anne LEROUX")),
            "Service enfance (Anne LEROUX)"
        );
        // A service gone from the configuration is named by its code.
        assert_eq!(signature(&named, "piscine", Some("Anne")), "piscine");
    }

    #[test]
    fn a_body_is_checked_before_and_after_sanitising() {
        let check = |body: &str, html: bool| {
            let mut errors = FieldErrors::default();
            let kept = checked_body(
                &mut errors,
                &Draft {
                    body: body.into(),
                    html,
                },
            );
            (kept, errors.0.get("body").cloned())
        };
        assert_eq!(check("<b>Oui</b>", true), ("<b>Oui</b>".into(), None));
        assert_eq!(
            check("<b>Oui</b>", false).0,
            "<p>&lt;b&gt;Oui&lt;/b&gt;</p>"
        );
        assert!(check("<script>x</script>", true).1.is_some());
        assert!(
            check(&"é".repeat(BODY_MAX_BYTES / 2 + 1), false)
                .1
                .is_some()
        );
        assert!(check(&"é".repeat(BODY_MAX_BYTES / 2), false).1.is_none());
    }

    #[test]
    fn dates_read_in_paris_time() {
        let at = Utc.with_ymd_and_hms(2019, 11, 7, 23, 0, 0).unwrap();
        assert_eq!(
            i18n::sync_scope(i18n::Locale::Fr, || when(at)),
            "8 nov. 2019 00:00"
        );
        assert_eq!(
            i18n::sync_scope(i18n::Locale::En, || when(at)),
            "8 Nov 2019 00:00"
        );
    }
}
