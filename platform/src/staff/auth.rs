//! Staff activation and sign-in. Activation: the mailed token (single use, 72 h) lets the
//! invited member choose a password (the parents' CNIL policy), then enrol TOTP and confirm
//! it with a code, which activates the account and gives 10 single-use recovery codes.
//! Sign-in always asks for the password and a TOTP or recovery code, throttled like parents'.
//! Sessions are the staff kind (`sessions::STAFF`: own cookie, 15 min idle, 10 h at most),
//! bound to the municipality.

use super::accounts::{self, Member, StaffRow};
use super::{Role, StaffError, totp};
use crate::auth::password_policy::{Context, assess};
use crate::auth::session::{SessionCookie, read_cookie};
use crate::auth::{hashing, tokens};
use crate::sessions::STAFF;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Utc};
use poem::Request;
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;
use uuid::Uuid;

/// The staff session cookie: apart from the parents' `portail_session`.
pub const STAFF_COOKIE: &str = "portail_staff";
const MAX_SIGN_IN_LENGTH: usize = 1024;
pub const RECOVERY_CODES: usize = 10;

/// The signed-in staff member of a request, as read from the database on every request: a
/// disabled account or a changed role takes effect at once.
#[derive(Debug, Clone)]
pub struct StaffSigned {
    pub session_id: String,
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The staff session cookie: `SameSite=Strict`, as long as a staff session lives at most.
pub const STAFF_SESSION: SessionCookie = SessionCookie {
    name: STAFF_COOKIE,
    same_site: "Strict",
    max_age_seconds: STAFF.absolute.as_secs(),
};

/// The staff member signed in on this request, if any.
pub async fn current(
    state: &AppState,
    tenant: &CurrentTenant,
    req: &Request,
) -> Result<Option<StaffSigned>, StaffError> {
    let Some(session_id) = read_cookie(req, STAFF_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state
        .sessions
        .load_as(STAFF, tenant.slug(), &session_id)
        .await?
    else {
        return Ok(None);
    };
    let Some(id) = session
        .data
        .get("staff_id")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse::<Uuid>().ok())
    else {
        return Ok(None);
    };
    let tx = tenant.begin(state).await?;
    let row = accounts::by_id(&tx, id).await?;
    tx.commit().await?;
    match row.filter(StaffRow::active) {
        Some(row) => Ok(Some(StaffSigned {
            session_id,
            id: row.id,
            role: row.role(),
            name: row.name,
            email: row.email,
        })),
        None => {
            // Disabled since: the session ends now, not at its timeout.
            state
                .sessions
                .destroy_as(STAFF, tenant.slug(), &session_id)
                .await?;
            Ok(None)
        }
    }
}

/// The account a live activation token belongs to.
async fn by_token(tx: &TenantTx, token: &str, now: DateTime<Utc>) -> Result<StaffRow, StaffError> {
    if !tokens::well_formed(token) {
        return Err(StaffError::InvalidToken);
    }
    let row = tx
        .query_one_raw(sql(
            "SELECT staff_id FROM staff_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            [tokens::token_hash(token).into(), now.into()],
        ))
        .await?;
    let Some(id) = row.and_then(|r| r.try_get::<Uuid>("", "staff_id").ok()) else {
        return Err(StaffError::InvalidToken);
    };
    accounts::by_id(tx, id)
        .await?
        .filter(|s| s.disabled_at.is_none() && s.activated_at.is_none())
        .ok_or(StaffError::InvalidToken)
}

/// Whether an activation link still works (the page checks before showing the form).
pub async fn token_is_live(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<bool, StaffError> {
    let tx = tenant.begin(state).await?;
    let live = match by_token(&tx, token, state.clock.now()).await {
        Ok(_) => true,
        Err(StaffError::InvalidToken) => false,
        Err(e) => return Err(e),
    };
    tx.rollback().await?;
    Ok(live)
}

/// The TOTP secret to enrol, as text and as the URI of the QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

async fn enrolment_of(tx: &TenantTx, row: &StaffRow, secret: String) -> Result<Enrolment, DbErr> {
    let issuer = crate::portal::repository::portal_texts(tx).await?.name;
    Ok(Enrolment {
        uri: totp::otpauth_uri(&format!("Portail Famille {issuer}"), &row.email, &secret),
        secret,
    })
}

/// Step 1: the chosen password (CNIL policy), and a new TOTP secret to enrol.
pub async fn activate(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
    password: &str,
) -> Result<Enrolment, StaffError> {
    let tx = tenant.begin(state).await?;
    let row = by_token(&tx, token, state.clock.now()).await?;
    let city = crate::portal::repository::portal_texts(&tx)
        .await?
        .contact
        .city;
    let context = Context {
        email: row.email.clone(),
        names: row.name.split_whitespace().map(str::to_string).collect(),
        city,
    };
    let assessment = assess(password, &context);
    if !assessment.accepted() {
        return Err(StaffError::PasswordRefused(assessment.refusals));
    }
    let hash = hashing::hash(password.to_string()).await;
    let secret = totp::new_secret();
    tx.execute_raw(sql(
        "UPDATE staff SET password_hash = $2, totp_secret = $3 WHERE id = $1",
        [row.id.into(), hash.into(), secret.clone().into()],
    ))
    .await?;
    let enrolment = enrolment_of(&tx, &row, secret).await?;
    tx.commit().await?;
    Ok(enrolment)
}

/// The enrolment in progress of a token (the page shows it again after a wrong code).
pub async fn pending_enrolment(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<Option<Enrolment>, StaffError> {
    let tx = tenant.begin(state).await?;
    let row = by_token(&tx, token, state.clock.now()).await?;
    let enrolment = match (&row.password_hash, row.totp_secret.clone()) {
        (Some(_), Some(secret)) => Some(enrolment_of(&tx, &row, secret).await?),
        _ => None,
    };
    tx.rollback().await?;
    Ok(enrolment)
}

/// Step 2: a code of the app confirms the enrolment; the account is active, the token used,
/// and the 10 recovery codes (shown once, stored hashed) are returned.
pub async fn confirm(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
    code: &str,
    address: &str,
) -> Result<Vec<String>, StaffError> {
    let now = state.clock.now();
    let throttle_key = format!("staff-activation:{}", tokens::token_hash(token));
    let wait = state
        .throttle
        .wait(tenant.slug(), &throttle_key, address, now.timestamp())
        .await?;
    if wait > 0 {
        return Err(StaffError::Throttled(wait));
    }
    let tx = tenant.begin(state).await?;
    let row = by_token(&tx, token, now).await?;
    let (Some(_), Some(secret)) = (&row.password_hash, &row.totp_secret) else {
        return Err(StaffError::InvalidToken);
    };
    let Some(step) = totp::verify(secret, code, now.timestamp(), None) else {
        state
            .throttle
            .record_failure(tenant.slug(), &throttle_key, address, now.timestamp())
            .await?;
        return Err(StaffError::InvalidCode);
    };
    tx.execute_raw(sql(
        "UPDATE staff SET activated_at = $2, totp_last_step = $3 WHERE id = $1",
        [row.id.into(), now.into(), step.into()],
    ))
    .await?;
    tx.execute_raw(sql(
        "UPDATE staff_tokens SET used_at = $2 WHERE staff_id = $1 AND used_at IS NULL",
        [row.id.into(), now.into()],
    ))
    .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| totp::new_recovery_code())
        .collect();
    for code in &codes {
        tx.execute_raw(sql(
            "INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [row.id.into(), totp::recovery_hash(code).into()],
        ))
        .await?;
    }
    crate::audit::record(
        &tx,
        crate::audit::Event {
            actor: accounts::actor(row.id),
            action: "activate",
            entity: "staff",
            entity_id: row.id.to_string(),
            fields: vec!["password".into(), "totp".into()],
            household_id: None,
            origin: "staff",
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant.slug = tenant.slug(), staff.id = %row.id, "staff account activated");
    Ok(codes)
}

/// Whether `code` (TOTP or recovery) is right for `row`, using it up: a TOTP step is accepted
/// once (only after the last used one), a recovery code once.
async fn use_code(
    tx: &TenantTx,
    row: &StaffRow,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let digits = code.trim();
    if digits.len() == totp::DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
        let Some(secret) = &row.totp_secret else {
            return Ok(false);
        };
        let Some(step) = totp::verify(secret, digits, now.timestamp(), row.totp_last_step) else {
            return Ok(false);
        };
        // Conditional on the last step, so two requests with one code cannot both pass.
        let done = tx
            .execute_raw(sql(
                "UPDATE staff SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
                [row.id.into(), step.into()],
            ))
            .await?;
        return Ok(done.rows_affected() == 1);
    }
    if totp::normalize_recovery(code).len() != 10 {
        return Ok(false);
    }
    let done = tx
        .execute_raw(sql(
            "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
            [row.id.into(), totp::recovery_hash(code).into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A successful sign-in: the new session's id and who signed in.
pub struct SignIn {
    pub session_id: String,
    pub member: Member,
}

/// Password and code checked together; every failure (unknown e-mail, wrong password, wrong
/// or replayed code, disabled account) gives the same answer and counts for the throttle.
pub async fn sign_in(
    state: &AppState,
    tenant: &CurrentTenant,
    email: &str,
    password: &str,
    code: &str,
    address: &str,
    previous_session: Option<&str>,
) -> Result<SignIn, StaffError> {
    let email = email.trim().to_lowercase();
    let throttle_key = format!("staff:{email}");
    let now = state.clock.now();
    let wait = state
        .throttle
        .wait(tenant.slug(), &throttle_key, address, now.timestamp())
        .await?;
    if wait > 0 {
        return Err(StaffError::Throttled(wait));
    }
    let checked = if password.len() <= MAX_SIGN_IN_LENGTH {
        password
    } else {
        ""
    };
    let tx = tenant.begin(state).await?;
    let row = if checked.is_empty() {
        None
    } else {
        accounts::by_email(&tx, &email).await?
    };
    // A hash is always verified, so the time says nothing of whether the e-mail exists.
    let password_ok = hashing::verify(
        checked.to_string(),
        row.as_ref().and_then(|r| r.password_hash.clone()),
    )
    .await;
    let row = match row.filter(|r| password_ok && r.active()) {
        Some(row) if use_code(&tx, &row, code, now).await? => Some(row),
        _ => None,
    };
    tx.commit().await?;
    let Some(row) = row else {
        state
            .throttle
            .record_failure(tenant.slug(), &throttle_key, address, now.timestamp())
            .await?;
        tracing::info!(tenant.slug = tenant.slug(), "staff sign-in refused");
        return Err(StaffError::InvalidCredentials);
    };
    state
        .throttle
        .record_success(tenant.slug(), &throttle_key)
        .await?;
    let mut data = serde_json::Map::new();
    data.insert("staff_id".into(), json!(row.id.to_string()));
    let session_id = state.sessions.create_as(STAFF, tenant.slug(), data).await?;
    state
        .sessions
        .index_as(STAFF, tenant.slug(), &row.id.to_string(), &session_id)
        .await?;
    if let Some(previous) = previous_session {
        state
            .sessions
            .destroy_as(STAFF, tenant.slug(), previous)
            .await?;
    }
    tracing::info!(tenant.slug = tenant.slug(), staff.id = %row.id, "staff signed in");
    Ok(SignIn {
        session_id,
        member: Member::from(&row),
    })
}

pub async fn sign_out(
    state: &AppState,
    tenant: &CurrentTenant,
    session_id: &str,
) -> Result<(), StaffError> {
    state
        .sessions
        .destroy_as(STAFF, tenant.slug(), session_id)
        .await?;
    Ok(())
}

/// An admin invites a colleague: the account and its mail in one transaction.
pub async fn invite(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    email: &str,
    name: &str,
    role: &str,
) -> Result<Member, StaffError> {
    let tx = tenant.begin(state).await?;
    let tenant_name = crate::portal::repository::portal_texts(&tx).await?.name;
    let member = accounts::invite(
        &tx,
        &accounts::Inviting {
            public_url: &state.settings.public_url,
            slug: tenant.slug(),
            tenant_name: &tenant_name,
            by: Some(by.id),
            now: state.clock.now(),
        },
        email,
        name,
        role,
    )
    .await?;
    tx.commit().await?;
    state.outboxes.notify(tenant.schema());
    Ok(member)
}

/// An admin disables a colleague: every open session of theirs ends at once.
pub async fn disable(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    email: &str,
) -> Result<Member, StaffError> {
    let tx = tenant.begin(state).await?;
    let member = accounts::disable(&tx, email, Some(by.id), state.clock.now())
        .await?
        .ok_or(StaffError::NotFound)?;
    tx.commit().await?;
    state
        .sessions
        .destroy_account_as(STAFF, tenant.slug(), &member.id.to_string())
        .await?;
    Ok(member)
}

pub async fn members(state: &AppState, tenant: &CurrentTenant) -> Result<Vec<Member>, StaffError> {
    let tx = tenant.begin(state).await?;
    let list = accounts::list(&tx).await?;
    tx.commit().await?;
    Ok(list)
}
