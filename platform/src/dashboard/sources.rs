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
    /// "Facture 2027-01".
    pub label: String,
    pub amount_cents: i64,
    pub due_on: NaiveDate,
}

/// The household's unpaid invoices, the soonest due first.
///
/// Billing is not part of this build yet: to be fed by `billing::unpaid_for_household`
/// when it lands; until then there is none, and the tile says so.
pub async fn unpaid_invoices(
    _tx: &TenantTx,
    _household_id: Uuid,
) -> Result<Vec<UnpaidInvoice>, DbErr> {
    Ok(vec![])
}

/// How many messages of the household's conversations the guardian has not read.
///
/// Messaging is not part of this build yet: to be fed by the messaging feature's unread
/// count for this guardian (the same number as the banner's) when it lands; until then 0.
pub async fn unread_messages(
    _tx: &TenantTx,
    _household_id: Uuid,
    _guardian_id: Uuid,
) -> Result<i64, DbErr> {
    Ok(0)
}
