//! One function per tile whose data belongs to another feature. Each takes the dashboard's
//! tenant transaction, so the home page stays one transaction.

use chrono::NaiveDate;
use portail_tenants::TenantTx;
use sea_orm::DbErr;
use serde::Serialize;
use uuid::Uuid;

/// An unpaid invoice as the "Mes factures" tile shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UnpaidInvoice {
    pub id: Uuid,
    /// "Facture FAC-2027-000042".
    pub label: String,
    pub amount_cents: i64,
    pub due_on: NaiveDate,
}

/// The household's invoices not paid in full, the oldest due first, with what is left to pay.
pub async fn unpaid_invoices(
    tx: &TenantTx,
    household_id: Uuid,
) -> Result<Vec<UnpaidInvoice>, DbErr> {
    let unpaid = crate::billing::unpaid_for_household(tx, household_id).await?;
    let tile = |i: crate::billing::UnpaidInvoice| UnpaidInvoice {
        id: i.id,
        label: crate::i18n::t_args("dashboard-invoice-label", &[("number", i.number.into())]),
        amount_cents: i.amount_cents,
        due_on: i.due_on,
    };
    Ok(unpaid.into_iter().map(tile).collect())
}

/// How many messages of the household's conversations the guardian has not read (the
/// banner's count).
pub async fn unread_messages(
    tx: &TenantTx,
    _household_id: Uuid,
    guardian_id: Uuid,
) -> Result<i64, DbErr> {
    crate::messaging::unread_for_guardian(tx, guardian_id).await
}
