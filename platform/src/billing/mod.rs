//! Billing: the monthly invoices of a household, their PDF, credit notes, and what the
//! parents' pages show of them ("Mes factures").
//!
//! - `run`: the billing run (one transaction, one run at a time, gap-free numbers);
//! - `credit_note`: cancelling an invoice by an `AVO-…` credit note;
//! - `issue`: numbering, rendering and storing an invoice, a credit note or a receipt;
//! - `invoice_pdf` and `pdf_writer`: the PDF, rendered once at issue and stored;
//! - `repository`: the queries; `service`: what the HTTP faces call;
//! - `payfip` (the SOAP client) and `payment`: paying an invoice online, notifications,
//!   reconciliation and receipts;
//! - `api`, `pages`, `staff_pages`: the JSON API, "Mes factures", the régisseur's page;
//! - `cart`, `cart_api`, `cart_pages`: the prepaid meal cart ("Mon panier").

pub mod api;
pub mod cart;
pub mod cart_api;
pub mod cart_pages;
pub mod credit_note;
mod error;
pub mod invoice_pdf;
mod issue;
pub mod money;
pub mod month;
pub mod pages;
pub mod payfip;
pub mod payment;
mod pdf_writer;
pub mod repository;
pub mod run;
pub mod service;
pub mod staff_api;
pub mod staff_pages;

pub use error::{BillingError, Refusal};

use chrono::NaiveDate;
use portail_tenants::TenantTx;
use sea_orm::DbErr;
use serde::Serialize;
use uuid::Uuid;

/// What a household sees of an invoice's payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unpaid,
    PartiallyPaid,
    Paid,
    Cancelled,
}

impl Status {
    pub fn of(row: &repository::InvoiceRow) -> Status {
        if row.cancelled_by.is_some() {
            Status::Cancelled
        } else if row.paid_cents >= row.amount_cents {
            // An invoice whose regularisations make it nil or negative is not owed.
            Status::Paid
        } else if row.paid_cents > 0 {
            Status::PartiallyPaid
        } else {
            Status::Unpaid
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unpaid => "unpaid",
            Status::PartiallyPaid => "partially_paid",
            Status::Paid => "paid",
            Status::Cancelled => "cancelled",
        }
    }

    /// "à payer", "payée"…, in the current locale.
    pub fn label(self) -> String {
        crate::i18n::t(&format!(
            "billing-status-{}",
            self.as_str().replace('_', "-")
        ))
    }
}

/// An invoice still to pay, for the parents' dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct UnpaidInvoice {
    pub id: Uuid,
    pub number: String,
    /// What remains to pay.
    pub amount_cents: i64,
    pub due_on: NaiveDate,
}

/// The household's invoices not paid in full, the oldest due first.
pub async fn unpaid_for_household(
    tx: &TenantTx,
    household_id: Uuid,
) -> Result<Vec<UnpaidInvoice>, DbErr> {
    Ok(unpaid_of(repository::invoices_of(tx, household_id).await?))
}

/// The household's invoices, as a query to send with others: [`unpaid_of`] keeps the unpaid.
pub fn household_invoices_query(
    household_id: Uuid,
) -> portail_tenants::batch::Query<repository::InvoiceRow> {
    repository::invoices_of_query(household_id)
}

/// The invoices not paid in full among `invoices`, the oldest due first.
pub fn unpaid_of(invoices: Vec<repository::InvoiceRow>) -> Vec<UnpaidInvoice> {
    let mut unpaid: Vec<UnpaidInvoice> = invoices
        .into_iter()
        .filter(|i| matches!(Status::of(i), Status::Unpaid | Status::PartiallyPaid))
        .map(|i| UnpaidInvoice {
            id: i.id,
            number: i.number,
            amount_cents: i.amount_cents - i.paid_cents,
            due_on: i.due_on,
        })
        .collect();
    unpaid.sort_by(|a, b| (a.due_on, &a.number).cmp(&(b.due_on, &b.number)));
    unpaid
}
