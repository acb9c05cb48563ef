//! The rules of sign-in, password reset and password change. Handlers (pages and API) call
//! these functions and only translate their results.

use super::password_policy::{
    Assessment, Context, Refusal, assess, refused_details, refused_message,
};
use super::repository::{self, Account};
use super::{hashing, tokens};
use crate::http::errors::{
    Details, FORBIDDEN, Failure, Fault, INTERNAL, Problem, UNAVAILABLE, faults_of,
};
use crate::i18n;
use crate::mail::{self, Mail};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Duration, Timelike, Utc};
use poem::http::StatusCode;
use portail_tenants::TenantTx;
use portail_tenants::values::is_email;
use sea_orm::DbErr;
use serde_json::json;
use uuid::Uuid;

/// How long a first-connection or reset link works.
pub const TOKEN_LIFETIME_HOURS: i64 = 24;
/// Passwords longer than this are not even hashed at sign-in.
const MAX_SIGN_IN_LENGTH: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts: wait {0} s")]
    Throttled(i64),
    #[error("invalid, used or expired token")]
    InvalidToken,
    #[error("password refused")]
    PasswordRefused(Vec<Refusal>),
    #[error("current password incorrect")]
    WrongCurrentPassword,
    #[error("not signed in")]
    NotSignedIn,
    #[error(transparent)]
    Fault(#[from] Fault),
}

faults_of!(AuthError: DbErr, crate::sessions::SessionError, super::throttle::Unavailable);

impl Problem for AuthError {
    fn message(&self) -> String {
        match self {
            AuthError::InvalidCredentials => crate::i18n::t("auth-invalid-credentials"),
            AuthError::Throttled(s) => {
                crate::i18n::t_args("auth-throttled", &[("wait", french_duration(*s).into())])
            }
            AuthError::InvalidToken => crate::i18n::t("auth-invalid-token"),
            AuthError::PasswordRefused(r) => refused_message(r),
            AuthError::WrongCurrentPassword => crate::i18n::t("auth-wrong-current-password"),
            AuthError::NotSignedIn => Failure::NotSignedIn.message(),
            AuthError::Fault(f) => f.message(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AuthError::InvalidCredentials => "invalid_credentials",
            AuthError::Throttled(_) => "too_many_attempts",
            AuthError::InvalidToken => "invalid_token",
            AuthError::PasswordRefused(_) => "password_refused",
            AuthError::WrongCurrentPassword => "current_password_incorrect",
            AuthError::NotSignedIn => Failure::NotSignedIn.code(),
            AuthError::Fault(f) => f.code(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AuthError::InvalidCredentials | AuthError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AuthError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AuthError::InvalidToken => StatusCode::BAD_REQUEST,
            AuthError::PasswordRefused(_) | AuthError::WrongCurrentPassword => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AuthError::Fault(f) => f.status(),
        }
    }

    fn details(&self) -> Details {
        match self {
            AuthError::Throttled(wait) => Details::RetryAfter(*wait),
            AuthError::PasswordRefused(r) => refused_details(r),
            AuthError::WrongCurrentPassword => Details::Reasons(vec![]),
            _ => Details::None,
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            (
                400,
                "The link's token is invalid, used or expired (`invalid_token`).",
            ),
            (
                401,
                "Wrong e-mail or password (`invalid_credentials`, one answer for both), or not signed in (`not_authenticated`).",
            ),
            FORBIDDEN,
            (
                422,
                "The password is refused (`password_refused`, `current_password_incorrect`): `reasons` says why, each with a code.",
            ),
            (
                429,
                "Too many failures (`too_many_attempts`); `Retry-After` gives the wait in seconds.",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

fn french_duration(seconds: i64) -> String {
    if seconds < 60 {
        crate::i18n::t_args("duration-seconds", &[("n", seconds.into())])
    } else if seconds < 3600 {
        let m = (seconds + 59) / 60;
        crate::i18n::t_args("duration-minutes", &[("n", m.into())])
    } else {
        let h = (seconds + 3599) / 3600;
        crate::i18n::t_args("duration-hours", &[("n", h.into())])
    }
}

/// A successful sign-in: the new session's id and who signed in.
pub struct SignIn {
    pub session_id: String,
    pub account: Account,
}

/// Checks the e-mail and password. Unknown e-mail, malformed e-mail, empty fields and wrong
/// password all take the same path (a hash is always verified) and give the same answer.
pub async fn sign_in(
    state: &AppState,
    tenant: &CurrentTenant,
    email: &str,
    password: &str,
    address: &str,
    previous_session: Option<&str>,
) -> Result<SignIn, AuthError> {
    let email = email.trim().to_lowercase();
    let now = state.clock.now().timestamp();
    let wait = state
        .throttle
        .wait(tenant.slug(), &email, address, now)
        .await?;
    if wait > 0 {
        tracing::info!(
            tenant.slug = tenant.slug(),
            account.hash = %tokens::token_hash(&email),
            client.hash = %address,
            "sign-in refused: throttled"
        );
        return Err(AuthError::Throttled(wait));
    }
    let plausible =
        is_email(&email) && !password.is_empty() && password.len() <= MAX_SIGN_IN_LENGTH;
    let account = if plausible {
        let tx = tenant.begin(state).await?;
        let account = repository::account_by_email(&tx, &email).await?;
        tx.commit().await?;
        account
    } else {
        None
    };
    let checked = if password.len() <= MAX_SIGN_IN_LENGTH {
        password
    } else {
        ""
    };
    let ok = hashing::verify(
        checked.to_string(),
        account.as_ref().and_then(|a| a.password_hash.clone()),
    )
    .await;
    let Some(account) = account.filter(|_| ok) else {
        state
            .throttle
            .record_failure(tenant.slug(), &email, address, now)
            .await?;
        // Who was tried and from where, as hashes: traceable, without keeping the address.
        tracing::info!(
            tenant.slug = tenant.slug(),
            account.hash = %tokens::token_hash(&email),
            client.hash = %address,
            "sign-in refused"
        );
        return Err(AuthError::InvalidCredentials);
    };
    state.throttle.record_success(tenant.slug(), &email).await?;
    let session_id = open_session(state, tenant, &account, previous_session).await?;
    tracing::info!(tenant.slug = tenant.slug(), guardian.id = %account.guardian_id, "signed in");
    Ok(SignIn {
        session_id,
        account,
    })
}

/// A new session for `account` (a new id: the previous one, if any, ends).
pub async fn open_session(
    state: &AppState,
    tenant: &CurrentTenant,
    account: &Account,
    previous_session: Option<&str>,
) -> Result<String, AuthError> {
    let mut data = serde_json::Map::new();
    data.insert("guardian_id".into(), json!(account.guardian_id.to_string()));
    data.insert(
        "household_id".into(),
        json!(account.household_id.to_string()),
    );
    // The banner greets the guardian by name without a query per page.
    data.insert(
        "name".into(),
        json!(crate::family::person_name(
            &account.first_name,
            &account.last_name
        )),
    );
    if let Some(locale) = &account.locale {
        data.insert(crate::i18n::SESSION_KEY.into(), json!(locale));
    }
    let session_id = state.sessions.create(tenant.slug(), data).await?;
    state
        .sessions
        .index(tenant.slug(), &account.guardian_id.to_string(), &session_id)
        .await?;
    if let Some(previous) = previous_session {
        state.sessions.destroy(tenant.slug(), previous).await?;
    }
    Ok(session_id)
}

/// Sends the "Demande de nouveau mot de passe" mail if the address is an account's. The
/// caller answers the same way in every case, at once: the work runs in the background so
/// the response time says nothing either.
pub fn request_reset(state: std::sync::Arc<AppState>, tenant: CurrentTenant, email: String) {
    tokio::spawn(i18n::keep_locale(async move {
        if let Err(e) = send_reset_link(&state, &tenant, email.trim()).await {
            tracing::warn!(tenant.slug = tenant.slug(), error = %e, "password reset mail not queued");
        }
    }));
}

/// A new link to "Nouveau mot de passe" for guardian `guardian_id`, working from `now` for
/// `lifetime`: its token is stored hashed and ends the guardian's earlier ones.
pub async fn new_password_link(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    guardian_id: Uuid,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Result<String, DbErr> {
    let token = tokens::new_token();
    let hash = tokens::token_hash(&token);
    repository::store_token(tx, guardian_id, &hash, now, now + lifetime).await?;
    // Built from the configured public URL, never from the request's Host header.
    Ok(format!(
        "{}/{}/nouveau-mot-de-passe?token={token}",
        state.settings.public_url,
        tenant.slug()
    ))
}

async fn send_reset_link(
    state: &AppState,
    tenant: &CurrentTenant,
    email: &str,
) -> Result<(), AuthError> {
    if !is_email(email) {
        return Ok(());
    }
    // At most 5 links an hour per address, so the form cannot flood someone's mailbox.
    if !state
        .throttle
        .allow_reset_mail(tenant.slug(), email)
        .await?
    {
        tracing::info!(tenant.slug = tenant.slug(), "reset mail limit reached");
        return Ok(());
    }
    let tx = tenant.begin(state).await?;
    let Some(account) = repository::account_by_email(&tx, email).await? else {
        tx.commit().await?;
        return Ok(());
    };
    let now = state.clock.now();
    let lifetime = Duration::hours(TOKEN_LIFETIME_HOURS);
    let link = new_password_link(state, tenant, &tx, account.guardian_id, now, lifetime).await?;
    let texts = crate::portal::repository::portal_texts(&tx).await?;
    let mail = i18n::sync_scope(i18n::for_recipient(account.locale.as_deref()), || {
        Mail::render(
            "password_reset",
            &account.email,
            &i18n::t("mail-reset-subject"),
            &json!({ "first_name": account.first_name, "tenant_name": texts.name, "contact_email": texts.contact.email, "link": link }),
        )
    });
    mail::enqueue(&tx, &mail).await?;
    tx.commit().await?;
    state.outboxes.notify(tenant.schema());
    Ok(())
}

/// Whether a reset link still works (the page checks before showing the form).
pub async fn token_is_live(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
) -> Result<bool, AuthError> {
    if !tokens::well_formed(token) {
        return Ok(false);
    }
    let tx = tenant.begin(state).await?;
    let live = repository::live_token(&tx, &tokens::token_hash(token), state.clock.now())
        .await?
        .is_some();
    tx.rollback().await?;
    Ok(live)
}

/// Sets the password chosen through a reset link.
pub async fn confirm_reset(
    state: &AppState,
    tenant: &CurrentTenant,
    token: &str,
    password: &str,
) -> Result<(), AuthError> {
    if !tokens::well_formed(token) {
        return Err(AuthError::InvalidToken);
    }
    let tx = tenant.begin(state).await?;
    let now = state.clock.now();
    let Some(guardian_id) = repository::live_token(&tx, &tokens::token_hash(token), now).await?
    else {
        return Err(AuthError::InvalidToken);
    };
    let account = repository::account_by_id(&tx, guardian_id)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    replace_password(state, tenant, tx, &account, password).await?;
    tracing::info!(tenant.slug = tenant.slug(), guardian.id = %guardian_id, "password set by link");
    Ok(())
}

/// Changes the password of a signed-in guardian; every session of the account ends.
pub async fn change_password(
    state: &AppState,
    tenant: &CurrentTenant,
    guardian_id: Uuid,
    current: &str,
    new: &str,
) -> Result<(), AuthError> {
    let tx = tenant.begin(state).await?;
    let account = repository::account_by_id(&tx, guardian_id)
        .await?
        .ok_or(AuthError::NotSignedIn)?;
    let checked = if current.len() <= MAX_SIGN_IN_LENGTH {
        current
    } else {
        ""
    };
    if !hashing::verify(checked.to_string(), account.password_hash.clone()).await {
        return Err(AuthError::WrongCurrentPassword);
    }
    replace_password(state, tenant, tx, &account, new).await?;
    tracing::info!(tenant.slug = tenant.slug(), guardian.id = %guardian_id, "password changed");
    Ok(())
}

/// Stores the new password and commits; then the mail goes and every session of the account
/// ends.
async fn replace_password(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: TenantTx,
    account: &Account,
    password: &str,
) -> Result<(), AuthError> {
    store_new_password(state, tenant, &tx, account, password).await?;
    tx.commit().await?;
    state.outboxes.notify(tenant.schema());
    state
        .sessions
        .destroy_account(tenant.slug(), &account.guardian_id.to_string())
        .await?;
    Ok(())
}

async fn store_new_password(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
    account: &Account,
    password: &str,
) -> Result<(), AuthError> {
    let context = policy_context(tx, account).await?;
    let assessment = assess(password, &context);
    if !assessment.accepted() {
        return Err(AuthError::PasswordRefused(assessment.refusals));
    }
    let hash = hashing::hash(password.to_string()).await;
    let now = state.clock.now();
    repository::set_password(tx, account.guardian_id, &hash, now).await?;
    let texts = crate::portal::repository::portal_texts(tx).await?;
    let locale = i18n::for_recipient(account.locale.as_deref());
    let paris = now.with_timezone(&chrono_tz::Europe::Paris);
    let mail = i18n::sync_scope(locale, || {
        let when = i18n::t_args(
            "mail-when",
            &[
                (
                    "date",
                    i18n::calendar::day_with_year(paris.date_naive()).into(),
                ),
                (
                    "time",
                    i18n::calendar::time_of_day(paris.hour(), paris.minute()).into(),
                ),
            ],
        );
        Mail::render(
            "password_changed",
            &account.email,
            &i18n::t("mail-changed-subject"),
            &json!({
                "first_name": account.first_name,
                "tenant_name": texts.name,
                "contact_email": texts.contact.email,
                "when": when,
                "login_link": format!("{}/{}/connexion", state.settings.public_url, tenant.slug()),
            }),
        )
    });
    mail::enqueue(tx, &mail).await?;
    Ok(())
}

async fn policy_context(tx: &TenantTx, account: &Account) -> Result<Context, DbErr> {
    let (names, household_city) = repository::household_words(tx, account.household_id).await?;
    let municipality = crate::portal::repository::portal_texts(tx)
        .await?
        .contact
        .city;
    let city = if household_city.is_empty() {
        municipality
    } else {
        household_city
    };
    Ok(Context {
        email: account.email.clone(),
        names,
        city,
    })
}

/// Assesses a password for the live feedback of the forms (no personal context).
pub fn assess_anonymous(password: &str) -> Assessment {
    assess(password, &Context::default())
}

/// The signed-in guardian's household, its guardians and children (`GET /me`).
pub async fn household(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
) -> Result<
    (
        repository::HouseholdRow,
        Vec<repository::GuardianRow>,
        Vec<repository::ChildRow>,
    ),
    DbErr,
> {
    let tx = tenant.begin(state).await?;
    let found = repository::household(&tx, household_id).await?;
    tx.commit().await?;
    Ok(found)
}
