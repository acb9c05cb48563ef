//! Cancelling an issued invoice: a credit note (`AVO-…`) for its whole amount, never a
//! deletion. The days it billed are credited back, so the next run of its month bills them
//! again as they stand.

use super::BillingError;
use super::invoice_pdf::PdfInvoice;
use super::month::Month;
use super::repository::{self as repo, LineRow, NewInvoice};
use super::run::render;
use chrono::{DateTime, Datelike, Utc};
use portail_tenants::{TenantConfig, TenantTx};
use uuid::Uuid;

/// The series of credit notes, whatever the invoices' prefix.
pub const CREDIT_NOTE_SERIES: &str = "AVO";

/// Cancels invoice `id` by a credit note; returns the credit note's number.
pub async fn cancel(
    tx: &TenantTx,
    config: &TenantConfig,
    id: Uuid,
    now: DateTime<Utc>,
    by: &str,
) -> Result<String, BillingError> {
    config.billing.as_ref().ok_or(BillingError::NotConfigured)?;
    let invoice = repo::invoice(tx, id, true)
        .await?
        .filter(|i| i.kind == "invoice")
        .ok_or(BillingError::NotFound)?;
    if invoice.cancelled_by.is_some() {
        return Err(BillingError::AlreadyCancelled);
    }
    if invoice.paid_cents > 0 {
        return Err(BillingError::HasPayments);
    }
    let today = portail_tenants::calendar::paris_date(now);
    let year = today.year();
    let number = format!(
        "{CREDIT_NOTE_SERIES}-{year}-{:06}",
        repo::next_number(tx, CREDIT_NOTE_SERIES, year).await?
    );
    let lines: Vec<LineRow> = repo::lines_of(tx, id)
        .await?
        .into_iter()
        .map(|l| LineRow {
            kind: "credit".into(),
            days: -l.days,
            amount_cents: -l.amount_cents,
            ..l
        })
        .collect();
    let household = repo::households(tx)
        .await?
        .into_iter()
        .find(|h| h.id == invoice.household_id)
        .ok_or(BillingError::NotFound)?;
    let pdf = render(PdfInvoice {
        config: config.clone(),
        number: number.clone(),
        credit_note_of: Some(invoice.number.clone()),
        household,
        period: Month::of(invoice.period),
        issued_on: today,
        due_on: today,
        lines: lines.clone(),
        paid_cents: 0,
    })
    .await;
    let credit_id = Uuid::new_v4();
    repo::insert_invoice(
        tx,
        NewInvoice {
            id: credit_id,
            number: &number,
            kind: "credit_note",
            household_id: invoice.household_id,
            period: invoice.period,
            issued_on: today,
            due_on: today,
            amount_cents: -invoice.amount_cents,
            credits: Some(id),
            pdf,
            now,
            created_by: by,
        },
    )
    .await?;
    for (position, line) in lines.iter().enumerate() {
        repo::insert_line(tx, credit_id, position as i32 + 1, line).await?;
    }
    let days: Vec<_> = repo::days_of(tx, id)
        .await?
        .into_iter()
        .map(|(d, units, price)| (d, -units, price))
        .collect();
    repo::insert_billed_days(tx, credit_id, &days).await?;
    repo::mark_cancelled(tx, id, credit_id).await?;
    Ok(number)
}
