//! Staff accounts: invited by vendor ops (`portail staff invite`) or by an admin, listed,
//! disabled. An invitation mails a single-use activation link valid 72 hours.

use super::{Role, StaffError};
use crate::auth::tokens;
use crate::i18n;
use crate::mail::{self, Mail};
use crate::validation::{self as check, FieldErrors, SHORT_TEXT};
use chrono::{DateTime, Duration, Utc};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use portail_tenants::values::is_email;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

/// How long an activation link works.
pub const ACTIVATION_HOURS: i64 = 72;

/// A staff account as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StaffRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub activated_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl StaffRow {
    pub fn role(&self) -> Role {
        // The column's CHECK allows only the four codes.
        Role::parse(&self.role).unwrap_or(Role::Accueil)
    }

    /// Activated and not disabled: may sign in.
    pub fn active(&self) -> bool {
        self.activated_at.is_some() && self.disabled_at.is_none()
    }
}

/// A staff member as listed (CLI, admin page, API).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(rename = "StaffMember")]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `accueil`, `gestionnaire`, `regisseur` or `admin`.
    pub role: String,
    /// `invited`, `active` or `disabled`.
    pub status: String,
}

impl From<&StaffRow> for Member {
    fn from(r: &StaffRow) -> Self {
        let status = if r.disabled_at.is_some() {
            "disabled"
        } else if r.activated_at.is_some() {
            "active"
        } else {
            "invited"
        };
        Member {
            id: r.id,
            email: r.email.clone(),
            name: r.name.clone(),
            role: r.role.clone(),
            status: status.into(),
        }
    }
}

const COLUMNS: &str =
    "id, email, name, role, password_hash, totp_secret, totp_last_step, activated_at, disabled_at";

pub async fn by_email(tx: &TenantTx, email: &str) -> Result<Option<StaffRow>, DbErr> {
    let row = tx
        .query_one_raw(sql(
            &format!("SELECT {COLUMNS} FROM staff WHERE lower(email) = lower($1)"),
            [email.into()],
        ))
        .await?;
    row.map(|r| StaffRow::from_query_result(&r, "")).transpose()
}

pub async fn by_id(tx: &TenantTx, id: Uuid) -> Result<Option<StaffRow>, DbErr> {
    let row = tx
        .query_one_raw(sql(
            &format!("SELECT {COLUMNS} FROM staff WHERE id = $1"),
            [id.into()],
        ))
        .await?;
    row.map(|r| StaffRow::from_query_result(&r, "")).transpose()
}

pub async fn list(tx: &TenantTx) -> Result<Vec<Member>, DbErr> {
    let rows = tx
        .query_all_raw(sql(
            &format!("SELECT {COLUMNS} FROM staff ORDER BY lower(name), lower(email)"),
            [],
        ))
        .await?;
    rows.iter()
        .map(|r| StaffRow::from_query_result(r, "").map(|s| Member::from(&s)))
        .collect()
}

/// What an invitation needs to know of where it is sent from.
pub struct Inviting<'a> {
    pub public_url: &'a str,
    pub slug: &'a str,
    /// The municipality's name, for the mail.
    pub tenant_name: &'a str,
    /// The admin who invites; `None` from the CLI.
    pub by: Option<Uuid>,
    pub now: DateTime<Utc>,
}

/// Creates an invited account and queues its activation mail, in `tx`.
pub async fn invite(
    tx: &TenantTx,
    from: &Inviting<'_>,
    email: &str,
    name: &str,
    role: &str,
) -> Result<Member, StaffError> {
    let mut errors = FieldErrors::default();
    let email = email.trim().to_lowercase();
    if !is_email(&email) {
        errors.add("email", i18n::t("field-email-invalid"));
    }
    let name = check::text(&mut errors, "name", name, SHORT_TEXT, true);
    let role = Role::parse(role.trim());
    if role.is_none() {
        errors.add("role", i18n::t("staff-role-invalid"));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    if by_email(tx, &email).await?.is_some() {
        return Err(StaffError::AlreadyExists);
    }
    let id = Uuid::new_v4();
    tx.execute_raw(sql(
        "INSERT INTO staff (id, email, name, role, invited_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [
            id.into(),
            email.clone().into(),
            name.clone().into(),
            role.code().into(),
            from.by.into(),
            from.now.into(),
        ],
    ))
    .await?;
    let token = tokens::new_token();
    tx.execute_raw(sql(
        "INSERT INTO staff_tokens (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        [
            tokens::token_hash(&token).into(),
            id.into(),
            from.now.into(),
            (from.now + Duration::hours(ACTIVATION_HOURS)).into(),
        ],
    ))
    .await?;
    // Built from the configured public URL, never from a request's Host header.
    let link = format!(
        "{}/{}/gestion/activation?token={token}",
        from.public_url, from.slug
    );
    let mail = Mail::render(
        "staff_invitation",
        &email,
        &i18n::t("mail-staff-invitation-subject"),
        &serde_json::json!({
            "name": name,
            "tenant_name": from.tenant_name,
            "role": role.label(),
            "link": link,
        }),
    );
    mail::enqueue(tx, &mail).await?;
    crate::audit::record(
        tx,
        crate::audit::Event {
            actor: from.by.map(actor).unwrap_or_else(|| "ops:cli".into()),
            action: "create",
            entity: "staff",
            entity_id: id.to_string(),
            fields: vec!["role".into()],
            household_id: None,
            origin: if from.by.is_some() { "staff" } else { "cli" },
        },
    )
    .await?;
    Ok(Member {
        id,
        email,
        name,
        role: role.code().into(),
        status: "invited".into(),
    })
}

/// Disables an account (its sessions are ended by the caller, who holds the session store).
/// `None`: no staff member has this e-mail.
pub async fn disable(
    tx: &TenantTx,
    email: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Member>, DbErr> {
    let Some(row) = by_email(tx, email.trim()).await? else {
        return Ok(None);
    };
    tx.execute_raw(sql(
        "UPDATE staff SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1",
        [row.id.into(), now.into()],
    ))
    .await?;
    crate::audit::record(
        tx,
        crate::audit::Event {
            actor: by.map(actor).unwrap_or_else(|| "ops:cli".into()),
            action: "disable",
            entity: "staff",
            entity_id: row.id.to_string(),
            fields: vec![],
            household_id: None,
            origin: if by.is_some() { "staff" } else { "cli" },
        },
    )
    .await?;
    Ok(by_id(tx, row.id).await?.as_ref().map(Member::from))
}

/// The audit's name for a staff member.
pub fn actor(id: Uuid) -> String {
    format!("staff:{id}")
}
