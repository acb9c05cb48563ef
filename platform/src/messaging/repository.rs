//! Queries of conversations and messages, inside the tenant's schema. A parent's read always
//! names the household: an id alone finds nothing.

use chrono::{DateTime, Utc};
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use uuid::Uuid;

/// Messages from the services the guardian has not read yet, in all the household's
/// conversations: the count of the banner's "Messagerie" and of the home page's tile.
pub async fn unread_for_guardian(tx: &TenantTx, guardian_id: Uuid) -> Result<i64, DbErr> {
    let counted = unread_query(guardian_id).all(tx).await?;
    Ok(UnreadCount::of(counted))
}

/// The count of [`unread_for_guardian`], as a query to send with others.
#[derive(serde::Deserialize)]
pub struct UnreadCount {
    n: i64,
}

impl UnreadCount {
    /// The count out of the query's one row.
    pub fn of(rows: Vec<UnreadCount>) -> i64 {
        rows.first().map_or(0, |c| c.n)
    }
}

/// [`unread_for_guardian`]'s query.
pub fn unread_query(guardian_id: Uuid) -> portail_tenants::batch::Query<UnreadCount> {
    portail_tenants::batch::Query::new(
        "SELECT count(*)::bigint AS n
         FROM guardians g
         JOIN conversations c ON c.household_id = g.household_id
         JOIN messages m ON m.conversation_id = c.id AND m.from_staff
         LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.guardian_id = g.id
         WHERE g.id = $1 AND (r.read_at IS NULL OR m.sent_at > r.read_at)",
        [guardian_id.into()],
    )
}

/// A line of "Mes conversations".
#[derive(Debug, Clone, FromQueryResult)]
pub struct HouseholdConversation {
    pub id: Uuid,
    pub service_code: String,
    pub subject: String,
    /// The service's messages this guardian has not read.
    pub unread: i64,
    pub last_message_at: DateTime<Utc>,
    pub closed: bool,
}

pub async fn for_household(
    tx: &TenantTx,
    household_id: Uuid,
    guardian_id: Uuid,
) -> Result<Vec<HouseholdConversation>, DbErr> {
    tx.all(
        "SELECT c.id, c.service_code, c.subject, c.last_message_at, c.closed_at IS NOT NULL AS closed,
             (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.from_staff
                AND (r.read_at IS NULL OR m.sent_at > r.read_at))::bigint AS unread
         FROM conversations c
         LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.guardian_id = $2
         WHERE c.household_id = $1
         ORDER BY c.last_message_at DESC, c.id",
        [household_id.into(), guardian_id.into()],
    )
    .await
}

/// A conversation's head, as both faces show it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Head {
    pub id: Uuid,
    pub household_id: Uuid,
    pub service_code: String,
    pub subject: String,
    pub closed_at: Option<DateTime<Utc>>,
    /// The family's name (first guardian's last name, in capitals).
    pub family: String,
    pub assigned_to: Option<Uuid>,
    pub assigned_name: Option<String>,
}

const HEAD: &str =
    "SELECT c.id, c.household_id, c.service_code, c.subject, c.closed_at, c.assigned_to,
        s.name AS assigned_name,
        coalesce((SELECT upper(g.last_name) FROM guardians g WHERE g.household_id = c.household_id
                  ORDER BY g.position LIMIT 1), '') AS family
     FROM conversations c LEFT JOIN staff s ON s.id = c.assigned_to";

/// The conversation `id` if it is the household's.
pub async fn head_for_household(
    tx: &TenantTx,
    household_id: Uuid,
    id: Uuid,
) -> Result<Option<Head>, DbErr> {
    tx.one(
        &format!("{HEAD} WHERE c.id = $1 AND c.household_id = $2"),
        [id.into(), household_id.into()],
    )
    .await
}

/// The conversation `id`, for staff (every service's agents may read it).
pub async fn head(tx: &TenantTx, id: Uuid) -> Result<Option<Head>, DbErr> {
    tx.one(&format!("{HEAD} WHERE c.id = $1"), [id.into()])
        .await
}

/// A message of a thread.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Message {
    pub id: Uuid,
    pub from_staff: bool,
    pub guardian_id: Option<Uuid>,
    /// The guardian's "Prénom NOM", for a family message.
    pub guardian_name: Option<String>,
    /// The agent's name, for a staff message.
    pub staff_name: Option<String>,
    pub body_html: String,
    pub sent_at: DateTime<Utc>,
}

pub async fn messages(tx: &TenantTx, conversation_id: Uuid) -> Result<Vec<Message>, DbErr> {
    tx.all(
        "SELECT m.id, m.from_staff, m.guardian_id, m.body_html, m.sent_at,
             g.first_name || ' ' || upper(g.last_name) AS guardian_name, s.name AS staff_name
         FROM messages m
         LEFT JOIN guardians g ON g.id = m.guardian_id
         LEFT JOIN staff s ON s.id = m.staff_id
         WHERE m.conversation_id = $1 ORDER BY m.sent_at, m.seq",
        [conversation_id.into()],
    )
    .await
}

pub struct NewConversation<'a> {
    pub id: Uuid,
    pub household_id: Uuid,
    pub service_code: &'a str,
    pub subject: &'a str,
    pub started_by: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn insert_conversation(tx: &TenantTx, c: NewConversation<'_>) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO conversations (id, household_id, service_code, subject, started_by, created_at, last_message_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        [
            c.id.into(),
            c.household_id.into(),
            c.service_code.into(),
            c.subject.into(),
            c.started_by.into(),
            c.now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Who writes a message.
#[derive(Debug, Clone, Copy)]
pub enum Author {
    Guardian(Uuid),
    Staff(Uuid),
}

/// Adds a message. A family's message reopens a closed conversation and is read by its
/// writer; a staff message is read by the service.
pub async fn insert_message(
    tx: &TenantTx,
    conversation_id: Uuid,
    author: Author,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::new_v4();
    let (from_staff, guardian, staff) = match author {
        Author::Guardian(g) => (false, Some(g), None),
        Author::Staff(s) => (true, None, Some(s)),
    };
    tx.run(
        "INSERT INTO messages (id, conversation_id, from_staff, guardian_id, staff_id, body_html, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            id.into(),
            conversation_id.into(),
            from_staff.into(),
            guardian.into(),
            staff.into(),
            body_html.into(),
            now.into(),
        ],
    )
    .await?;
    let reopen = if from_staff {
        "UPDATE conversations SET last_message_at = $2, staff_read_at = $2 WHERE id = $1"
    } else {
        "UPDATE conversations SET last_message_at = $2, closed_at = NULL WHERE id = $1"
    };
    tx.run(reopen, [conversation_id.into(), now.into()]).await?;
    if let Author::Guardian(g) = author {
        mark_read(tx, conversation_id, g, now).await?;
    }
    Ok(id)
}

/// The guardian has read the conversation up to `now`.
pub async fn mark_read(
    tx: &TenantTx,
    conversation_id: Uuid,
    guardian_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO conversation_reads (conversation_id, guardian_id, read_at) VALUES ($1, $2, $3)
         ON CONFLICT (conversation_id, guardian_id) DO UPDATE SET read_at = GREATEST(conversation_reads.read_at, EXCLUDED.read_at)",
        [conversation_id.into(), guardian_id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// The service's staff has read the conversation up to `now`.
pub async fn mark_read_by_staff(
    tx: &TenantTx,
    conversation_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run(
        "UPDATE conversations SET staff_read_at = GREATEST(staff_read_at, $2) WHERE id = $1",
        [conversation_id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// A line of a service's inbox.
#[derive(Debug, Clone, FromQueryResult)]
pub struct InboxLine {
    pub id: Uuid,
    pub subject: String,
    pub family: String,
    /// A family message came after the service last read it.
    pub unread: bool,
    pub assigned_name: Option<String>,
    pub closed: bool,
    pub last_message_at: DateTime<Utc>,
}

/// A service's conversations: unread first, then open ones, newest first.
pub async fn inbox(tx: &TenantTx, service_code: &str) -> Result<Vec<InboxLine>, DbErr> {
    tx.all(
        "SELECT c.id, c.subject, c.last_message_at, c.closed_at IS NOT NULL AS closed,
             s.name AS assigned_name,
             coalesce((SELECT upper(g.last_name) FROM guardians g WHERE g.household_id = c.household_id
                       ORDER BY g.position LIMIT 1), '') AS family,
             EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND NOT m.from_staff
                     AND (c.staff_read_at IS NULL OR m.sent_at > c.staff_read_at)) AS unread
         FROM conversations c LEFT JOIN staff s ON s.id = c.assigned_to
         WHERE c.service_code = $1
         ORDER BY unread DESC, closed, c.last_message_at DESC, c.id
         LIMIT 500",
        [service_code.into()],
    )
    .await
}

/// How many conversations of each service have unread family messages.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ServiceUnread {
    pub service_code: String,
    pub n: i64,
}

pub async fn unread_by_service(tx: &TenantTx) -> Result<Vec<ServiceUnread>, DbErr> {
    tx.all(
        "SELECT c.service_code, count(*)::bigint AS n FROM conversations c
         WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND NOT m.from_staff
                       AND (c.staff_read_at IS NULL OR m.sent_at > c.staff_read_at))
         GROUP BY c.service_code",
        [],
    )
    .await
}

pub async fn assign(tx: &TenantTx, id: Uuid, staff_id: Uuid) -> Result<(), DbErr> {
    tx.run(
        "UPDATE conversations SET assigned_to = $2 WHERE id = $1",
        [id.into(), staff_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn close(tx: &TenantTx, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    tx.run(
        "UPDATE conversations SET closed_at = $2 WHERE id = $1",
        [id.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// A guardian to tell of a service's answer.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Recipient {
    pub email: String,
    pub first_name: String,
    pub locale: Option<String>,
}

/// The household's guardians with an address who did not stop the mail.
pub async fn recipients(tx: &TenantTx, household_id: Uuid) -> Result<Vec<Recipient>, DbErr> {
    tx.all(
        "SELECT email, first_name, locale FROM guardians
         WHERE household_id = $1 AND email IS NOT NULL AND email <> '' AND message_mail
         ORDER BY position",
        [household_id.into()],
    )
    .await
}

/// The family member who writes, as the service's mail names them.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Writer {
    pub name: String,
}

pub async fn writer(tx: &TenantTx, guardian_id: Uuid) -> Result<Option<Writer>, DbErr> {
    tx.one(
        "SELECT first_name || ' ' || upper(last_name) AS name FROM guardians WHERE id = $1",
        [guardian_id.into()],
    )
    .await
}

/// How many messages the guardian wrote since `since`.
pub async fn written_since(
    tx: &TenantTx,
    guardian_id: Uuid,
    since: DateTime<Utc>,
) -> Result<i64, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(tx
        .one::<Count>(
            "SELECT count(*)::bigint AS n FROM messages WHERE guardian_id = $1 AND sent_at > $2",
            [guardian_id.into(), since.into()],
        )
        .await?
        .map_or(0, |c| c.n))
}

#[derive(FromQueryResult)]
struct Flag {
    message_mail: bool,
}

/// Whether the guardian gets a mail when a service answers.
pub async fn message_mail(tx: &TenantTx, guardian_id: Uuid) -> Result<bool, DbErr> {
    Ok(tx
        .one::<Flag>(
            "SELECT message_mail FROM guardians WHERE id = $1",
            [guardian_id.into()],
        )
        .await?
        .is_none_or(|f| f.message_mail))
}

pub async fn set_message_mail(tx: &TenantTx, guardian_id: Uuid, on: bool) -> Result<(), DbErr> {
    tx.run(
        "UPDATE guardians SET message_mail = $2 WHERE id = $1",
        [guardian_id.into(), on.into()],
    )
    .await?;
    Ok(())
}
