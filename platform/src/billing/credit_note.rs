//! Cancelling an issued invoice: a credit note (`AVO-…`) for its whole amount, never a
//! deletion. The days it billed are credited back, so the next run of its month bills them
//! again as they stand.

use super::BillingError;
use super::issue::{self, Document};
use super::month::Month;
use super::repository::{self as repo, LineRow};
use chrono::{DateTime, Utc};
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
    let number = issue::next_number(tx, CREDIT_NOTE_SERIES, today).await?;
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
    let household = issue::addressee(tx, invoice.household_id).await?;
    let credit_note = Document {
        number: number.clone(),
        kind: "credit_note",
        household,
        cancels: Some((id, invoice.number)),
        period: Month::of(invoice.period),
        issued_on: today,
        due_on: today,
        lines,
        amount_cents: -invoice.amount_cents,
        paid_cents: 0,
        created_by: by,
    };
    let credit_id = issue::issue(tx, config, credit_note, now).await?;
    let days: Vec<_> = repo::days_of(tx, id)
        .await?
        .into_iter()
        .map(|(d, units, price)| (d, -units, price))
        .collect();
    repo::insert_billed_days(tx, credit_id, &days).await?;
    repo::mark_cancelled(tx, id, credit_id).await?;
    Ok(number)
}
