//! Family documents for staff: the list on a household's page (names only), and the file,
//! whose every read is recorded like a read of medical fields (who, when, which document),
//! so the household's parents see it under "Qui a consulté mes données" and in their export.

use super::StaffError;
use super::audited;
use super::auth::StaffSigned;
use crate::documents::repository::{self, StoredFile};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use sea_orm::FromQueryResult;
use uuid::Uuid;

#[derive(FromQueryResult)]
struct Owner {
    household_id: Uuid,
}

/// Document `id`'s file, whichever household it belongs to; the read is audited.
pub async fn read(
    state: &AppState,
    tenant: &CurrentTenant,
    by: &StaffSigned,
    id: Uuid,
    origin: &str,
) -> Result<StoredFile, StaffError> {
    let tx = tenant.begin(state).await?;
    let owner = tx
        .one::<Owner>(
            "SELECT household_id FROM documents WHERE id = $1",
            [id.into()],
        )
        .await?
        .ok_or(StaffError::NotFound)?;
    let file = repository::file(&tx, owner.household_id, id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let household_id = owner.household_id;
    audited(
        &tx,
        by,
        ("read", "document"),
        id,
        household_id,
        &["file"],
        origin,
    )
    .await?;
    tx.commit().await?;
    Ok(file)
}
