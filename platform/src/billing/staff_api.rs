//! `/{slug}/api/v1/staff/billing/…`: every action of the régisseur's page in the JSON API
//! (`regisseur` and up): a month's billing run (or its dry run), the invoices and credit
//! notes, the payments, the payment attempts (anomalies first), and a credit note.

use super::error::Answer;
use super::payment::{self, Attempt, PaymentRow};
use super::repository::InvoiceRow;
use super::run::Issued;
use super::{BillingError, Status, month::Month, service};
use crate::http::tenant_api::tenant_api;
use crate::staff::Regisseur;
use crate::staff::guard::StaffApi;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The régie's back-office: billing runs, invoices, payments, anomalies, credit notes.
    StaffBilling,
}

#[derive(Object)]
struct StaffRunRequest {
    /// The month to bill, `YYYY-MM`.
    month: String,
    /// Say what would be issued, issue nothing.
    #[oai(default)]
    dry_run: bool,
}

#[derive(Object)]
struct StaffIssuedDto {
    number: String,
    household_id: Uuid,
    amount_cents: i64,
}

impl From<Issued> for StaffIssuedDto {
    fn from(i: Issued) -> Self {
        StaffIssuedDto {
            number: i.number,
            household_id: i.household_id,
            amount_cents: i.amount_cents,
        }
    }
}

#[derive(Object)]
struct StaffRunDto {
    month: String,
    dry_run: bool,
    issued: Vec<StaffIssuedDto>,
    /// Households already invoiced for the month: their changes go on their next invoice.
    skipped: u64,
}

#[derive(Object)]
struct StaffInvoiceDto {
    id: Uuid,
    number: String,
    /// `invoice`, `credit_note` or `receipt` (a paid prepaid cart).
    kind: String,
    household_id: Uuid,
    household_reference: String,
    period: String,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    amount_cents: i64,
    paid_cents: i64,
    /// `unpaid`, `partially_paid`, `paid` or `cancelled`.
    status: String,
    /// The credit note that cancels it.
    credit_note_number: Option<String>,
}

impl From<InvoiceRow> for StaffInvoiceDto {
    fn from(i: InvoiceRow) -> Self {
        StaffInvoiceDto {
            status: Status::of(&i).as_str().to_string(),
            id: i.id,
            number: i.number,
            kind: i.kind,
            household_id: i.household_id,
            household_reference: i.household_reference,
            period: i.period.format("%Y-%m").to_string(),
            issued_on: i.issued_on,
            due_on: i.due_on,
            amount_cents: i.amount_cents,
            paid_cents: i.paid_cents,
            credit_note_number: i.credit_note_number,
        }
    }
}

#[derive(Object)]
struct StaffInvoicesDto {
    /// The latest 200, newest first.
    invoices: Vec<StaffInvoiceDto>,
}

#[derive(Object)]
struct StaffAttemptDto {
    id: Uuid,
    id_op: String,
    /// The invoice paid; none for a cart.
    invoice_id: Option<Uuid>,
    /// The cart's checkout paid; none for an invoice.
    checkout_id: Option<Uuid>,
    household_id: Uuid,
    refdet: String,
    montant: i64,
    /// `pending`, `paid`, `refused`, `abandoned`, `expired` or `anomaly`.
    status: String,
    /// What PayFiP reported that did not match (for an anomaly).
    detail: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<Attempt> for StaffAttemptDto {
    fn from(a: Attempt) -> Self {
        StaffAttemptDto {
            id: a.id,
            id_op: a.id_op,
            invoice_id: a.invoice_id,
            checkout_id: a.checkout_id,
            household_id: a.household_id,
            refdet: a.refdet,
            montant: a.montant,
            status: a.status,
            detail: a.detail,
            created_at: a.created_at,
        }
    }
}

#[derive(Object)]
struct StaffAttemptsDto {
    /// The latest 100, anomalies first.
    attempts: Vec<StaffAttemptDto>,
}

#[derive(Object)]
struct StaffPaymentDto {
    id: Uuid,
    invoice_id: Uuid,
    invoice_number: String,
    amount_cents: i64,
    numauto: String,
    paid_at: DateTime<Utc>,
}

impl From<PaymentRow> for StaffPaymentDto {
    fn from(p: PaymentRow) -> Self {
        StaffPaymentDto {
            id: p.id,
            invoice_id: p.invoice_id,
            invoice_number: p.invoice_number,
            amount_cents: p.amount_cents,
            numauto: p.numauto,
            paid_at: p.paid_at,
        }
    }
}

#[derive(Object)]
struct StaffPaymentsDto {
    /// The latest 200, newest first.
    payments: Vec<StaffPaymentDto>,
}

#[derive(Object)]
struct StaffCreditNoteDto {
    /// The credit note's number, `AVO-YYYY-NNNNNN`.
    number: String,
}

pub struct StaffBillingApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::StaffBilling")]
    impl StaffBillingApi {
        /// Bill a month (`regisseur`): one invoice per household with days to bill; with
        /// `dry_run`, what would be issued. One run at a time (`billing_run_in_progress`).
        #[op("post", "/:slug/api/v1/staff/billing/runs", "staffBillingRun")]
        async fn run(
            &self,
            tenant,
            staff: StaffApi<Regisseur>,
            body: Json<StaffRunRequest>,
        ) -> Answer<Json<StaffRunDto>> {
            let month = Month::parse(&body.0.month).ok_or(BillingError::InvalidMonth)?;
            let dry = body.0.dry_run;
            let report =
                service::run_month(&self.state, &tenant, month, dry, &staff.member.email).await?;
            Ok(Json(StaffRunDto {
                month: report.month,
                dry_run: dry,
                skipped: report.skipped as u64,
                issued: report.issued.into_iter().map(Into::into).collect(),
            }))
        }

        /// The latest invoices, credit notes and cart receipts of the municipality.
        #[op("get", "/:slug/api/v1/staff/billing/invoices", "staffInvoices")]
        async fn invoices(
            &self,
            tenant,
            _staff: StaffApi<Regisseur>,
        ) -> Answer<Json<StaffInvoicesDto>> {
            let rows = service::latest(&self.state, &tenant).await?;
            Ok(Json(StaffInvoicesDto {
                invoices: rows.into_iter().map(Into::into).collect(),
            }))
        }

        /// Cancel an invoice by a credit note (`AVO-…`); an invoice with payments is refused
        /// (`invoice_has_payments`: the régie refunds it).
        #[op("post", "/:slug/api/v1/staff/billing/invoices/:id/credit-note", "staffCreditNote")]
        async fn credit_note(
            &self,
            tenant,
            id: Path<Uuid>,
            staff: StaffApi<Regisseur>,
        ) -> Answer<Json<StaffCreditNoteDto>> {
            let number = service::cancel(&self.state, &tenant, id.0, &staff.member.email).await?;
            Ok(Json(StaffCreditNoteDto { number }))
        }

        /// The latest payment attempts over PayFiP, anomalies first (`status = anomaly`: what
        /// PayFiP reported did not match; never a payment).
        #[op("get", "/:slug/api/v1/staff/billing/attempts", "staffPaymentAttempts")]
        async fn attempts(
            &self,
            tenant,
            _staff: StaffApi<Regisseur>,
        ) -> Answer<Json<StaffAttemptsDto>> {
            let rows = payment::latest_attempts(&self.state, &tenant).await?;
            Ok(Json(StaffAttemptsDto {
                attempts: rows.into_iter().map(Into::into).collect(),
            }))
        }

        /// The latest payments recorded.
        #[op("get", "/:slug/api/v1/staff/billing/payments", "staffPayments")]
        async fn payments(
            &self,
            tenant,
            _staff: StaffApi<Regisseur>,
        ) -> Answer<Json<StaffPaymentsDto>> {
            let rows = payment::latest_payments(&self.state, &tenant).await?;
            Ok(Json(StaffPaymentsDto {
                payments: rows.into_iter().map(Into::into).collect(),
            }))
        }
    }
}
