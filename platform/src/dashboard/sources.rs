//! The tiles' shapes of data that belongs to another feature (read by the dashboard's batch,
//! in its one transaction).

use chrono::NaiveDate;
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

/// The household's invoices not paid in full (`unpaid`, the oldest due first), with what is
/// left to pay, as the tile shows them.
pub fn unpaid_invoices(unpaid: Vec<crate::billing::UnpaidInvoice>) -> Vec<UnpaidInvoice> {
    let tile = |i: crate::billing::UnpaidInvoice| UnpaidInvoice {
        id: i.id,
        label: crate::i18n::t_args("dashboard-invoice-label", &[("number", i.number.into())]),
        amount_cents: i.amount_cents,
        due_on: i.due_on,
    };
    unpaid.into_iter().map(tile).collect()
}
