//! `/{slug}/api/v1/invoices`: the household's invoices and their PDF.

use super::Status;
use super::error::Answer;
use super::repository::LineRow;
use super::service::{self, InvoiceWithLines};
use crate::auth::api::SignedInApi;
use crate::http::tenant_api::tenant_api;
use crate::state::AppState;
use chrono::NaiveDate;
use poem::IntoResponse;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The household's invoices ("Mes factures").
    Invoices,
}

#[derive(Object)]
struct LineDto {
    child_id: Option<Uuid>,
    /// The prestation's code.
    prestation: String,
    /// Negative for days credited back (regularisation, credit note).
    days: i32,
    unit_price_cents: i32,
    amount_cents: i64,
    /// In French, as printed on the invoice.
    label: String,
}

impl From<LineRow> for LineDto {
    fn from(l: LineRow) -> Self {
        LineDto {
            child_id: l.child_id,
            prestation: l.prestation_code,
            days: l.days,
            unit_price_cents: l.unit_price_cents,
            amount_cents: l.amount_cents,
            label: l.label,
        }
    }
}

#[derive(Object)]
struct InvoiceDto {
    id: Uuid,
    /// E.g. `FAC-2026-000042`.
    number: String,
    /// The month billed, `YYYY-MM`.
    period: String,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    amount_cents: i64,
    paid_cents: i64,
    /// `unpaid`, `partially_paid`, `paid` or `cancelled`.
    status: String,
    lines: Vec<LineDto>,
}

impl From<InvoiceWithLines> for InvoiceDto {
    fn from(i: InvoiceWithLines) -> Self {
        let status = Status::of(&i.invoice).as_str().to_string();
        let v = i.invoice;
        InvoiceDto {
            id: v.id,
            number: v.number,
            period: v.period.format("%Y-%m").to_string(),
            issued_on: v.issued_on,
            due_on: v.due_on,
            amount_cents: v.amount_cents,
            paid_cents: v.paid_cents,
            status,
            lines: i.lines.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
struct InvoicesDto {
    /// Unpaid first (oldest due first), then the others, newest first.
    invoices: Vec<InvoiceDto>,
}

/// The bytes of a stored PDF.
pub struct PdfBytes(Vec<u8>);

impl Payload for PdfBytes {
    const CONTENT_TYPE: &'static str = "application/pdf";

    fn schema_ref() -> MetaSchemaRef {
        <Binary<Vec<u8>> as Payload>::schema_ref()
    }
}

impl IntoResponse for PdfBytes {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .content_type("application/pdf")
            .body(self.0)
    }
}

#[derive(ApiResponse)]
enum PdfResponse {
    /// The invoice as stored at issue, shown in the browser (`inline`).
    #[oai(status = 200)]
    Ok(
        PdfBytes,
        /// `inline; filename="<number>.pdf"`.
        #[oai(header = "Content-Disposition")]
        String,
        /// `no-store`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// `inline`: the PDF opens in the browser's viewer, which prints it (the guide).
pub fn inline_disposition(number: &str) -> String {
    let safe: String = number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("inline; filename=\"{safe}.pdf\"")
}

#[derive(Object)]
struct PaymentStart {}

#[derive(Object)]
struct Redirect {
    /// PayFiP's payment page (`…/tpa/paiementws.web?idop=…`): send the payer there.
    redirect_url: String,
}

pub struct InvoicesApi {
    pub state: Arc<AppState>,
}

tenant_api! {
    #[OpenApi(tag = "ApiTags::Invoices")]
    impl InvoicesApi {
        /// The household's invoices with their lines and payment status.
        #[op("get", "/:slug/api/v1/invoices", "listInvoices")]
        async fn list(
            &self,
            tenant,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<Json<InvoicesDto>> {
            let found = service::household_invoices(&self.state, &tenant, signed.household_id).await?;
            Ok(Json(InvoicesDto {
                invoices: found.into_iter().map(Into::into).collect(),
            }))
        }

        /// Start paying an invoice of the household online over PayFiP (body `{}`). The attempt
        /// is stored before the answer; a live attempt of the same invoice is reused. The
        /// payment counts once PayFiP has confirmed it (notification or reconciliation), never
        /// because the payer came back.
        #[op("post", "/:slug/api/v1/invoices/:id/payment", "payInvoice")]
        async fn pay(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
            _body: Json<PaymentStart>,
        ) -> Answer<Json<Redirect>> {
            let redirect_url = super::payment::start(
                &self.state,
                &tenant,
                signed.household_id,
                signed.guardian_id,
                id.0,
            )
            .await?;
            Ok(Json(Redirect { redirect_url }))
        }

        /// The PDF of an invoice (or credit note) of the household, as issued.
        #[op("get", "/:slug/api/v1/invoices/:id/pdf", "invoicePdf")]
        async fn pdf(
            &self,
            tenant,
            id: Path<Uuid>,
            SignedInApi(signed): SignedInApi,
        ) -> Answer<PdfResponse> {
            let (number, bytes) =
                service::pdf(&self.state, &tenant, id.0, Some(signed.household_id)).await?;
            Ok(PdfResponse::Ok(
                PdfBytes(bytes),
                inline_disposition(&number),
                "no-store".into(),
            ))
        }
    }
}
