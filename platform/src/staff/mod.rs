//! The staff back-office (`/{slug}/gestion/…`, `/{slug}/api/v1/staff/…`): municipal staff
//! accounts with roles and mandatory TOTP sign-in, and the operations each role may do.
//!
//! - [`accounts`]: invitations (CLI and admins), the list, disabling;
//! - [`auth`]: activation (password + TOTP enrolment + recovery codes), sign-in, sessions;
//! - [`totp`]: RFC 6238;
//! - [`guard`]: `StaffPage<R>`, `StaffForm<R, F>`, `StaffApi<R>`: the role is in the type, so
//!   an operation that needs `gestionnaire` cannot be written without asking for it;
//! - [`families`]: search, household, quotient familial;
//! - [`api`] and [`pages`]: the two faces.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod counts;
pub mod documents;
pub mod families;
pub mod guard;
pub mod household_records;
pub mod invitations;
pub mod pages;
pub mod records;
pub mod texts;
pub mod totp;

use crate::audit::{self, Event};
use crate::auth::password_policy::{Refusal, refused_details, refused_message};
use crate::http::errors::{
    Details, Failure, Fault, INTERNAL, Problem, UNAVAILABLE, faults_of, fields,
};
use crate::i18n::{t, t_args};
use crate::validation::FieldErrors;
use poem::http::StatusCode;
use sea_orm::DbErr;
use serde::Serialize;

/// A staff role; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Search and read families, messaging.
    Accueil,
    /// Edit and validate records, quotient familial, counts and lists.
    Gestionnaire,
    /// Billing and payments.
    Regisseur,
    /// Staff, portal texts, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Accueil,
        Role::Gestionnaire,
        Role::Regisseur,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Accueil => "accueil",
            Role::Gestionnaire => "gestionnaire",
            Role::Regisseur => "regisseur",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The role's name for people.
    pub fn label(self) -> String {
        t(match self {
            Role::Accueil => "staff-role-accueil",
            Role::Gestionnaire => "staff-role-gestionnaire",
            Role::Regisseur => "staff-role-regisseur",
            Role::Admin => "staff-role-admin",
        })
    }

    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

/// A role asked for in a type: `StaffApi<Gestionnaire>`.
pub trait Needs: Send + Sync + 'static {
    const ROLE: Role;
}

macro_rules! role_type {
    ($name:ident, $role:expr) => {
        /// The role needed, as a type.
        pub struct $name;
        impl Needs for $name {
            const ROLE: Role = $role;
        }
    };
}
role_type!(Accueil, Role::Accueil);
role_type!(Gestionnaire, Role::Gestionnaire);
role_type!(Regisseur, Role::Regisseur);
role_type!(Admin, Role::Admin);

/// Everything that can go wrong in the back-office.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Wrong e-mail, password or code: one answer for all.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts: wait {0} s")]
    Throttled(i64),
    #[error("invalid, used or expired token")]
    InvalidToken,
    #[error("wrong code")]
    InvalidCode,
    #[error("password refused")]
    PasswordRefused(Vec<Refusal>),
    #[error("not signed in")]
    NotSignedIn,
    #[error("role {0:?} needed")]
    Forbidden(Role),
    #[error("staff e-mail taken")]
    AlreadyExists,
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Fault(#[from] Fault),
}

faults_of!(
    StaffError: DbErr,
    crate::sessions::SessionError,
    crate::auth::throttle::Unavailable,
);

impl From<FieldErrors> for StaffError {
    fn from(e: FieldErrors) -> Self {
        StaffError::Invalid(e)
    }
}

impl Problem for StaffError {
    fn status(&self) -> StatusCode {
        match self {
            StaffError::InvalidCredentials | StaffError::NotSignedIn => StatusCode::UNAUTHORIZED,
            StaffError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            StaffError::InvalidToken => StatusCode::BAD_REQUEST,
            StaffError::InvalidCode | StaffError::PasswordRefused(_) | StaffError::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StaffError::Forbidden(_) => StatusCode::FORBIDDEN,
            StaffError::AlreadyExists => StatusCode::CONFLICT,
            StaffError::NotFound => StatusCode::NOT_FOUND,
            StaffError::Fault(f) => f.status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            StaffError::InvalidCredentials => "invalid_credentials",
            StaffError::Throttled(_) => "too_many_attempts",
            StaffError::InvalidToken => "invalid_token",
            StaffError::InvalidCode => "invalid_code",
            StaffError::PasswordRefused(_) => "password_refused",
            StaffError::NotSignedIn => Failure::NotSignedIn.code(),
            StaffError::Forbidden(_) => "forbidden_role",
            StaffError::AlreadyExists => "staff_exists",
            StaffError::Invalid(_) => "invalid_fields",
            StaffError::NotFound => Failure::NotFound.code(),
            StaffError::Fault(f) => f.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            StaffError::InvalidCredentials => t("staff-invalid-credentials"),
            StaffError::Throttled(s) => t_args("staff-throttled", &[("seconds", (*s).into())]),
            StaffError::InvalidToken => t("staff-invalid-token"),
            StaffError::InvalidCode => t("staff-invalid-code"),
            StaffError::PasswordRefused(r) => refused_message(r),
            StaffError::NotSignedIn => t("staff-not-signed-in"),
            StaffError::Forbidden(role) => {
                t_args("staff-forbidden", &[("role", role.label().into())])
            }
            StaffError::AlreadyExists => t("staff-already-exists"),
            StaffError::Invalid(_) => crate::http::errors::invalid_fields_message(),
            StaffError::NotFound => Failure::NotFound.message(),
            StaffError::Fault(f) => f.message(),
        }
    }

    fn details(&self) -> Details {
        match self {
            StaffError::Throttled(wait) => Details::RetryAfter(*wait),
            StaffError::PasswordRefused(r) => refused_details(r),
            StaffError::Invalid(e) => fields(e),
            _ => Details::None,
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            (
                400,
                "The activation link's token is invalid, used or expired (`invalid_token`).",
            ),
            (
                401,
                "Wrong e-mail, password or code (`invalid_credentials`), or no staff session (`not_authenticated`).",
            ),
            (
                403,
                "The staff member's role does not allow the operation (`forbidden_role`), or a foreign `Origin` (`forbidden_origin`).",
            ),
            (404, "Nothing has this id (`not_found`)."),
            (
                409,
                "A staff member already has this e-mail (`staff_exists`).",
            ),
            (
                422,
                "Wrong TOTP code (`invalid_code`), password refused (`password_refused`, with `reasons`) or invalid fields (`invalid_fields`, with `fields`).",
            ),
            (
                429,
                "Too many failures (`too_many_attempts`); `Retry-After` gives the wait.",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

/// What a member of staff did to (or read in) household `household_id`'s file, in the audit
/// log: `(action, entity)` as it names them, and the fields concerned (names only).
pub(crate) async fn audited(
    tx: &portail_tenants::TenantTx,
    by: &auth::StaffSigned,
    (action, entity): (&str, &str),
    entity_id: uuid::Uuid,
    household_id: uuid::Uuid,
    fields: &[&str],
    origin: &str,
) -> Result<(), StaffError> {
    audit::record(
        tx,
        Event {
            actor: accounts::actor(by.id),
            action,
            entity,
            entity_id: entity_id.to_string(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            household_id: Some(household_id),
            origin,
        },
    )
    .await?;
    Ok(())
}

/// A family's data a member of staff reads: `find` gives it with its household in one
/// transaction (none: 404), and the read of `entity` `id`'s `fields` (names only) is written
/// to that household's audit, so its parents see who read what.
pub(crate) async fn audited_read<T>(
    state: &crate::state::AppState,
    tenant: &crate::tenancy::CurrentTenant,
    by: &auth::StaffSigned,
    (entity, id, fields): (&str, uuid::Uuid, &[&str]),
    origin: &str,
    find: impl AsyncFnOnce(&portail_tenants::TenantTx) -> Result<Option<(uuid::Uuid, T)>, DbErr>,
) -> Result<T, StaffError> {
    let tx = tenant.begin(state).await?;
    let (household_id, found) = find(&tx).await?.ok_or(StaffError::NotFound)?;
    audited(&tx, by, ("read", entity), id, household_id, fields, origin).await?;
    tx.commit().await?;
    Ok(found)
}

#[derive(sea_orm::FromQueryResult)]
struct HouseholdOf {
    household_id: uuid::Uuid,
}

/// The household that row `id` of `table` (a family table of ours: `children`, `documents`)
/// belongs to, if the row exists: what staff, who open a row by its id, need to audit the read.
pub(crate) async fn household_of(
    tx: &portail_tenants::TenantTx,
    table: &'static str,
    id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>, DbErr> {
    let query = format!("SELECT household_id FROM {table} WHERE id = $1");
    let of = tx.one::<HouseholdOf>(&query, [id.into()]).await?;
    Ok(of.map(|o| o.household_id))
}
