//! A message's attachments ("pièces jointes"), under the rules of the families' documents:
//! PDF, JPEG or PNG recognised by their first bytes, hostile content taken away, the antivirus
//! when configured, the upload size limit for all the files of a request, and the household's
//! quota for the files the family sends. At most [`MAX_PER_MESSAGE`] per message.
//!
//! Parents reach an attachment only through a conversation of their household; staff reach
//! any, and each staff download is audited as a read of the household's data (what parents
//! see in "Qui a consulté mes données" and staff in the household's journal).

use super::service::{MessagingError, Result};
use crate::audit::{self, Event};
use crate::auth::session::SignedIn;
use crate::documents::gate::Holder;
use crate::documents::guard;
use crate::documents::repository::{self as files, StoredFile};
use crate::documents::service::{DocumentError, FileKind, clean_file_name};
use crate::documents::upload::{NamedFile, ReceivedFile};
use crate::i18n::t_args;
use crate::staff::accounts::actor;
use crate::staff::auth::StaffSigned;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use uuid::Uuid;

/// The most files one message carries.
pub const MAX_PER_MESSAGE: usize = 5;

/// An attachment as a thread lists it (without its bytes).
#[derive(Debug, Clone, FromQueryResult)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub message_id: Uuid,
    /// Without its extension: see [`file_name`](Self::file_name).
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

impl AttachmentInfo {
    fn kind(&self) -> FileKind {
        FileKind::from_content_type(&self.content_type).unwrap_or(FileKind::Pdf)
    }

    /// The name people read: its label and the extension of its detected type.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.name, self.kind().extension())
    }
}

/// The attachments of a conversation's messages, in the order they were sent.
pub async fn for_conversation(
    tx: &TenantTx,
    conversation_id: Uuid,
) -> std::result::Result<Vec<AttachmentInfo>, DbErr> {
    tx.all(
        "SELECT id, message_id, name, content_type, size::bigint AS size FROM message_attachments
         WHERE conversation_id = $1 ORDER BY message_id, position",
        [conversation_id.into()],
    )
    .await
}

/// A file that passed the checks, ready to store: back on disk once cleaned, so that the
/// files of one message are never all in memory at once (see [`crate::documents::gate`]).
pub struct Admitted {
    name: String,
    kind: FileKind,
    file: ReceivedFile,
    holder: Holder,
}

impl Admitted {
    pub fn size(&self) -> u64 {
        self.file.len
    }
}

/// The label of a file from the name the client gave it: no path, no extension (the
/// detected type gives it), nothing that reads otherwise than it is, 120 characters.
pub fn label(client_name: &str) -> String {
    let name = crate::documents::hostile::strip_format_chars(client_name);
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            stem
        }
        _ => name.as_str(),
    };
    clean_file_name(stem)
}

/// The temporary file of an attachment could not be written or read back.
fn spool(e: std::io::Error) -> MessagingError {
    DocumentError::Spool(e).into()
}

/// More than [`MAX_PER_MESSAGE`] files on one message.
fn too_many() -> MessagingError {
    let max = (MAX_PER_MESSAGE as i64).into();
    guard::refuse(t_args("message-attachments-too-many", &[("max", max)])).into()
}

/// Checks files before they are stored, outside any transaction: `already` attachments on
/// the message, then each file cleaned and scanned as a document is. `whom` names the sender
/// in the logs.
pub async fn admit(
    state: &AppState,
    tenant: &CurrentTenant,
    whom: &str,
    files: Vec<NamedFile>,
    already: usize,
) -> Result<Vec<Admitted>> {
    if already + files.len() > MAX_PER_MESSAGE {
        return Err(too_many());
    }
    let mut admitted = Vec::with_capacity(files.len());
    for f in files {
        let kind = f.file.kind;
        let (bytes, held) = f.file.load_with(&f.holder).await.map_err(spool)?;
        let bytes = guard::clean(tenant, whom, kind, bytes).await?;
        guard::scan(state, tenant, whom, &bytes).await?;
        let file = ReceivedFile::from_bytes(kind, &bytes)
            .await
            .map_err(spool)?;
        drop((bytes, held));
        admitted.push(Admitted {
            name: label(&f.client_name),
            kind,
            file,
            holder: f.holder,
        });
    }
    Ok(admitted)
}

/// Stores the files of message `message_id`, after the `already` it has; answers them.
pub async fn store(
    tx: &TenantTx,
    conversation_id: Uuid,
    message_id: Uuid,
    files: Vec<Admitted>,
    already: usize,
    now: DateTime<Utc>,
) -> Result<Vec<AttachmentInfo>> {
    let mut stored = Vec::with_capacity(files.len());
    for (n, f) in files.into_iter().enumerate() {
        let id = Uuid::new_v4();
        let size = f.file.len as i64;
        // One file in memory at a time, sent to PostgreSQL in parts.
        let (bytes, held) = f.file.load_with(&f.holder).await.map_err(spool)?;
        files::stage(tx, &bytes).await?;
        drop((bytes, held));
        tx.run(
            &format!("INSERT INTO message_attachments (id, message_id, conversation_id, position, name, content_type, size, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, {}, $8)", files::STAGED_FILE),
            [
                id.into(),
                message_id.into(),
                conversation_id.into(),
                ((already + n) as i16).into(),
                f.name.clone().into(),
                f.kind.content_type().into(),
                (size as i32).into(),
                now.into(),
            ],
        )
        .await?;
        stored.push(AttachmentInfo {
            id,
            message_id,
            name: f.name,
            content_type: f.kind.content_type().into(),
            size,
        });
    }
    Ok(stored)
}

#[derive(FromQueryResult)]
struct Found {
    name: String,
    content_type: String,
    data: Vec<u8>,
    household_id: Uuid,
}

async fn find(
    tx: &TenantTx,
    conversation_id: Uuid,
    id: Uuid,
) -> std::result::Result<Option<Found>, DbErr> {
    tx.one(
        "SELECT a.name, a.content_type, a.data, c.household_id
         FROM message_attachments a JOIN conversations c ON c.id = a.conversation_id
         WHERE a.id = $1 AND a.conversation_id = $2",
        [id.into(), conversation_id.into()],
    )
    .await
}

fn stored(found: Found) -> StoredFile {
    StoredFile {
        name: found.name,
        content_type: found.content_type,
        data: found.data,
    }
}

/// An attachment of conversation `conversation_id`, downloaded by a guardian (only from a
/// conversation of the household: another household's or municipality's is not found) or by
/// staff (any). The download is in the household's audit: the guardian's as a download,
/// staff's as a read of the household's data.
pub async fn download(
    state: &AppState,
    tenant: &CurrentTenant,
    by: Party<'_>,
    conversation_id: Uuid,
    id: Uuid,
    origin: &str,
) -> Result<StoredFile> {
    let tx = tenant.begin(state).await?;
    let found = find(&tx, conversation_id, id)
        .await?
        .filter(|f| by.reaches(f.household_id))
        .ok_or(MessagingError::NotFound)?;
    match by {
        Party::Guardian(who) => {
            audit::download_by_guardian(&tx, who, origin, "message_attachment", id).await?
        }
        Party::Staff(member) => {
            let read = ("message_attachment", id, "file");
            staff_read(&tx, member, read, found.household_id, origin).await?
        }
    }
    tx.commit().await?;
    Ok(stored(found))
}

/// A staff member's read of `(entity, id, field)` in a conversation of household
/// `household_id`, in the household's audit.
pub(super) async fn staff_read(
    tx: &TenantTx,
    by: &StaffSigned,
    (entity, id, field): (&str, Uuid, &str),
    household_id: Uuid,
    origin: &str,
) -> std::result::Result<(), DbErr> {
    audit::record(
        tx,
        Event {
            actor: actor(by.id),
            action: "read",
            entity,
            entity_id: id.to_string(),
            fields: vec![field.into()],
            household_id: Some(household_id),
            origin,
        },
    )
    .await
}

/// Who adds files to a message they wrote, or downloads a file of a conversation.
#[derive(Clone, Copy)]
pub enum Party<'a> {
    Guardian(&'a SignedIn),
    Staff(&'a StaffSigned),
}

impl Party<'_> {
    /// Whether it reaches the conversations of household `household_id`: a guardian only
    /// its own household's, staff every household's.
    fn reaches(self, household_id: Uuid) -> bool {
        match self {
            Party::Guardian(who) => who.household_id == household_id,
            Party::Staff(_) => true,
        }
    }
}

#[derive(FromQueryResult)]
struct Written {
    household_id: Uuid,
    attached: i64,
}

/// Adds files to message `message_id` of conversation `conversation_id`, which its writer
/// must be (a guardian's own message in a conversation of the household, or the agent's
/// own answer): anything else is not found.
pub async fn attach(
    state: &AppState,
    tenant: &CurrentTenant,
    by: Party<'_>,
    conversation_id: Uuid,
    message_id: Uuid,
    files: Vec<NamedFile>,
) -> Result<Vec<AttachmentInfo>> {
    let (author_check, author, whom) = match &by {
        Party::Guardian(who) => (
            "NOT m.from_staff AND m.guardian_id = $3",
            who.guardian_id,
            format!("household {}", who.household_id),
        ),
        Party::Staff(member) => (
            "m.from_staff AND m.staff_id = $3",
            member.id,
            format!("staff {}", member.id),
        ),
    };
    let query = format!(
        "SELECT c.household_id,
             (SELECT count(*) FROM message_attachments a WHERE a.message_id = m.id)::bigint AS attached
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.id = $1 AND m.conversation_id = $2 AND {author_check}"
    );
    let ids = [message_id.into(), conversation_id.into(), author.into()];
    // Found first, so that another household's message answers 404 before any file check.
    let tx = tenant.begin(state).await?;
    let written = tx
        .one::<Written>(&query, ids.clone())
        .await?
        .ok_or(MessagingError::NotFound)?;
    tx.commit().await?;
    if !by.reaches(written.household_id) {
        return Err(MessagingError::NotFound);
    }
    if files.is_empty() {
        return Err(guard::refuse(crate::i18n::t("document-file-required")).into());
    }
    let admitted = admit(state, tenant, &whom, files, written.attached as usize).await?;
    let tx = tenant.begin(state).await?;
    // Counted again with the message locked: two requests at once cannot pass the limit
    // together.
    tx.run(
        "SELECT id FROM messages WHERE id = $1 FOR UPDATE",
        [message_id.into()],
    )
    .await?;
    let written = tx
        .one::<Written>(&query, ids)
        .await?
        .ok_or(MessagingError::NotFound)?;
    if written.attached as usize + admitted.len() > MAX_PER_MESSAGE {
        return Err(too_many());
    }
    if let Party::Guardian(_) = by {
        let total = admitted.iter().map(Admitted::size).sum();
        guard::within_quota(state, &tx, written.household_id, total).await?;
    }
    let stored = store(
        &tx,
        conversation_id,
        message_id,
        admitted,
        written.attached as usize,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_the_clients_name_without_path_extension_or_tricks() {
        assert_eq!(label("Ordonnance Théo.PDF"), "Ordonnance Théo");
        assert_eq!(label("photo.final.jpeg"), "photo.final");
        assert_eq!(label("../../etc/passwd"), "_._etc_passwd");
        assert_eq!(label("facture\u{202E}fdp.exe"), "facturefdp");
        assert_eq!(label(""), "document");
        assert_eq!(label("a\r\nb\".png"), "a b_");
    }
}
