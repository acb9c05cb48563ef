//! Family documents for staff: the list on a household's page (names only), and the file,
//! whose every read is recorded like a read of medical fields (who, when, which document),
//! so the household's parents see it under "Qui a consulté mes données" and in their export.

use super::StaffError;
use super::auth::StaffSigned;
use super::{audited_read, household_of};
use crate::documents::repository::{self, StoredFile};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use portail_tenants::TenantTx;
use uuid::Uuid;

/// Document `id`'s file, whichever household it belongs to; the read is audited.
pub async fn read(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    origin: &str,
) -> Result<StoredFile, StaffError> {
    let find = async |tx: &TenantTx| {
        let Some(household_id) = household_of(tx, "documents", id).await? else {
            return Ok(None);
        };
        let file = repository::file(tx, household_id, id).await?;
        Ok(file.map(|f| (household_id, f)))
    };
    audited_read(state, tenant, by, ("document", id, &["file"]), origin, find).await
}
