//! Issuing a document of the régie: an invoice, a credit note or a cart's receipt. Each one
//! takes the next number of its gap-free series, is rendered to PDF once (in French) and is
//! stored with its PDF and its lines, in the caller's transaction.

use super::BillingError;
use super::invoice_pdf::{self, PdfInvoice};
use super::month::Month;
use super::repository::{self as repo, HouseholdRow, LineRow, NewInvoice};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use portail_tenants::{TenantConfig, TenantTx};
use sea_orm::DbErr;
use uuid::Uuid;

/// The next number of `series` (`FAC`, `AVO`…) in the year of `today`: `FAC-2026-000042`.
pub async fn next_number(tx: &TenantTx, series: &str, today: NaiveDate) -> Result<String, DbErr> {
    let year = today.year();
    let n = repo::next_number(tx, series, year).await?;
    Ok(format!("{series}-{year}-{n:06}"))
}

/// The household a credit note or a receipt is addressed to: `NotFound` when it is gone.
pub async fn addressee(tx: &TenantTx, household_id: Uuid) -> Result<HouseholdRow, BillingError> {
    repo::household(tx, household_id)
        .await?
        .ok_or(BillingError::NotFound)
}

/// A document to issue.
pub struct Document<'a> {
    pub number: String,
    /// `invoice`, `credit_note` or `receipt`.
    pub kind: &'a str,
    pub household: HouseholdRow,
    /// For a credit note: the invoice it cancels, its id and number.
    pub cancels: Option<(Uuid, String)>,
    pub period: Month,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub lines: Vec<LineRow>,
    pub amount_cents: i64,
    /// What the PDF says is paid already (a receipt is paid when issued).
    pub paid_cents: i64,
    pub created_by: &'a str,
}

/// Renders `doc` and stores it with its lines; its id.
pub async fn issue(
    tx: &TenantTx,
    config: &TenantConfig,
    doc: Document<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::new_v4();
    let household_id = doc.household.household.id;
    let credits = doc.cancels.as_ref().map(|(id, _)| *id);
    let pdf = render(PdfInvoice {
        config: config.clone(),
        number: doc.number.clone(),
        credit_note_of: doc.cancels.map(|(_, number)| number),
        household: doc.household,
        period: doc.period,
        issued_on: doc.issued_on,
        due_on: doc.due_on,
        lines: doc.lines.clone(),
        paid_cents: doc.paid_cents,
    })
    .await;
    repo::insert_invoice(
        tx,
        NewInvoice {
            id,
            number: &doc.number,
            kind: doc.kind,
            household_id,
            period: doc.period.first_day(),
            issued_on: doc.issued_on,
            due_on: doc.due_on,
            amount_cents: doc.amount_cents,
            credits,
            pdf,
            now,
            created_by: doc.created_by,
        },
    )
    .await?;
    for (position, line) in doc.lines.iter().enumerate() {
        repo::insert_line(tx, id, position as i32 + 1, line).await?;
    }
    Ok(id)
}

/// Renders a PDF away from the async workers: it is CPU work.
async fn render(invoice: PdfInvoice) -> Vec<u8> {
    tokio::task::spawn_blocking(move || {
        crate::i18n::sync_scope(crate::i18n::Locale::Fr, || invoice_pdf::render(&invoice))
    })
    .await
    .expect("rendering a PDF does not panic")
}
