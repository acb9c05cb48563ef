//! What a document passes before it is stored: hostile content taken away or refused
//! ([`super::hostile`]), the household's storage quota, and the antivirus hook
//! ([`super::antivirus`]). Refusals answer on the file field, in French.

use super::antivirus::{self, Verdict};
use super::service::{DocumentError, FileKind};
use crate::auth::session::SignedIn;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use crate::validation::FieldErrors;
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;

/// A file refused: `message` on the file field (a message's attachments say it the same way).
pub fn refuse(message: impl Into<String>) -> DocumentError {
    let mut errors = FieldErrors::default();
    errors.add("file", message);
    DocumentError::Invalid(errors)
}

/// The bytes to store, or why the file is refused.
pub async fn admit(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
    tx: &TenantTx,
    kind: FileKind,
    bytes: Vec<u8>,
) -> Result<Vec<u8>, DocumentError> {
    let whom = format!("household {}", who.household_id);
    let bytes = clean(tenant, &whom, kind, bytes).await?;
    within_quota(state, tx, who.household_id, bytes.len() as u64).await?;
    scan(state, tenant, &whom, &bytes).await?;
    Ok(bytes)
}

/// Refuses `adding` more bytes when the household's files would pass its quota: its
/// documents and the files it attached to its messages count together.
pub async fn within_quota(
    state: &AppState,
    tx: &TenantTx,
    household_id: uuid::Uuid,
    adding: u64,
) -> Result<(), DocumentError> {
    let used: i64 = tx
        .query_one_raw(sql(
            "SELECT (COALESCE((SELECT SUM(size) FROM documents WHERE household_id = $1), 0)
                   + COALESCE((SELECT SUM(a.size) FROM message_attachments a
                               JOIN conversations c ON c.id = a.conversation_id
                               JOIN messages m ON m.id = a.message_id
                               WHERE c.household_id = $1 AND NOT m.from_staff), 0))::bigint AS used",
            [household_id.into()],
        ))
        .await?
        .map(|row| row.try_get("", "used"))
        .transpose()?
        .unwrap_or(0);
    let quota = state.settings.household_quota_bytes;
    if used as u64 + adding > quota {
        return Err(refuse(crate::i18n::t_args(
            "document-quota-full",
            &[("max", (quota / (1024 * 1024)).to_string().into())],
        )));
    }
    Ok(())
}

/// Hostile content taken away, or the file refused. `whom` names the sender in the logs
/// (`household <id>`, `staff <id>`).
pub async fn clean(
    tenant: &CurrentTenant,
    whom: &str,
    kind: FileKind,
    bytes: Vec<u8>,
) -> Result<Vec<u8>, DocumentError> {
    // Decoding and encoding images is CPU work: off the request threads.
    let cleaned = tokio::task::spawn_blocking(move || super::hostile::sanitize(kind, bytes))
        .await
        // A decoder that gave up badly: the file is not readable as what it claims to be.
        .unwrap_or(Err(super::hostile::Hostile::UnreadableImage));
    cleaned.map_err(|hostile| {
        tracing::warn!(tenant.slug = tenant.slug(), sender = whom, refusal = ?hostile, "document refused");
        refuse(hostile.message())
    })
}

/// The antivirus's verdict when `CLAMD_ADDRESS` is set: a flagged file is refused, an
/// unreachable antivirus holds the file back.
pub async fn scan(
    state: &AppState,
    tenant: &CurrentTenant,
    whom: &str,
    bytes: &[u8],
) -> Result<(), DocumentError> {
    if let Some(address) = &state.settings.clamd_address {
        match antivirus::scan(address, bytes).await {
            Ok(Verdict::Clean) => {}
            Ok(Verdict::Infected(signature)) => {
                tracing::warn!(tenant.slug = tenant.slug(), sender = whom, signature = %signature, "document flagged by the antivirus");
                return Err(refuse(crate::i18n::t("document-antivirus-flagged")));
            }
            Err(e) => {
                tracing::error!(error = %e, "antivirus unreachable: document held back");
                return Err(DocumentError::ScanUnavailable);
            }
        }
    }
    Ok(())
}
