//! "Mes factures" (guide, section 5): the household's invoices, unpaid first, each with its
//! status, due date and amount, and ↓ TÉLÉCHARGER, which opens the stored PDF in a new tab.

use super::money::euros;
use super::service::{self, InvoiceWithLines};
use super::{BillingError, Status, month::Month};
use crate::http::errors::PageError;
use crate::http::page::{PathId, SignedInPage};
use poem::{Response, handler};
use serde::Serialize;

#[derive(Serialize)]
pub struct LineView {
    pub label: String,
    pub amount: String,
}

#[derive(Serialize)]
pub struct InvoiceCard {
    pub number: String,
    pub period: String,
    pub issued_on: String,
    pub due_on: String,
    pub amount: String,
    pub paid: Option<String>,
    pub status: &'static str,
    pub status_label: String,
    pub pdf_href: String,
    pub credit_note: Option<CreditNoteLink>,
    pub lines: Vec<LineView>,
}

#[derive(Serialize)]
pub struct CreditNoteLink {
    pub number: String,
    pub href: String,
}

/// The model of `factures`.
#[derive(Serialize)]
pub struct InvoicesPage {
    pub invoices: Vec<InvoiceCard>,
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn card(slug: &str, found: InvoiceWithLines) -> InvoiceCard {
    let status = Status::of(&found.invoice);
    let i = found.invoice;
    InvoiceCard {
        period: Month::of(i.period).label(),
        issued_on: date(i.issued_on),
        due_on: date(i.due_on),
        amount: euros(i.amount_cents),
        paid: (i.paid_cents > 0).then(|| euros(i.paid_cents)),
        status: status.as_str(),
        status_label: status.label(),
        pdf_href: format!("/{slug}/factures/{}/pdf", i.id),
        credit_note: i
            .credit_note_number
            .zip(i.cancelled_by)
            .map(|(number, id)| CreditNoteLink {
                number,
                href: format!("/{slug}/factures/{id}/pdf"),
            }),
        number: i.number,
        lines: found
            .lines
            .into_iter()
            .map(|l| LineView {
                label: l.label,
                amount: euros(l.amount_cents),
            })
            .collect(),
    }
}

#[handler]
pub async fn list(ctx: SignedInPage<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    let found = service::household_invoices(state, tenant, account.household_id).await?;
    let page = InvoicesPage {
        invoices: found.into_iter().map(|f| card(tenant.slug(), f)).collect(),
    };
    let data = serde_json::to_value(&page).map_err(|_| PageError::from(BillingError::NotFound))?;
    Ok(frame.render(
        "factures",
        &crate::i18n::t("title-invoices"),
        "factures",
        data,
    ))
}

/// The stored PDF, inline: it opens in the browser's viewer, which prints it.
#[handler]
pub async fn pdf(ctx: SignedInPage<'_>, PathId(id): PathId) -> Result<Response, PageError> {
    let (state, tenant, _, account) = ctx.parts();
    let (number, bytes) = service::household_pdf(state, tenant, account.household_id, id).await?;
    Ok(pdf_response(&number, bytes))
}

pub fn pdf_response(number: &str, bytes: Vec<u8>) -> Response {
    Response::builder()
        .content_type("application/pdf")
        .header(
            "content-disposition",
            super::api::inline_disposition(number),
        )
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-store")
        .body(bytes)
}
