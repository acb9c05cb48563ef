//! "Mes factures" (guide, section 5): the household's invoices, unpaid first, each with its
//! status, due date and amount, and ↓ TÉLÉCHARGER, which opens the stored PDF in a new tab.

use super::money::euros;
use super::service::{self, InvoiceWithLines};
use super::{BillingError, Refusal, Status, month::Month, payment};
use crate::auth::pages::see_other;
use crate::auth::session::SignedIn;
use crate::http::errors::PageError;
use crate::http::page::{
    NoFields, PathId, SignedInForm, SignedInPage, UncountedFrame, UncountedSignedInPage, parse_id,
};
use crate::state::AppState;
use poem::web::Query;
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

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
    /// Where PAYER posts; none when paid, cancelled or without online payment.
    pub pay_action: Option<String>,
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
    /// A refusal of PAYER, in French.
    pub error: Option<String>,
    pub payable: bool,
    /// The household's balance (paid prepaid days cancelled in time), in words.
    pub balance: Option<String>,
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn card(slug: &str, found: InvoiceWithLines, online: bool) -> InvoiceCard {
    let status = Status::of(&found.invoice);
    let i = found.invoice;
    let open = matches!(status, Status::Unpaid | Status::PartiallyPaid);
    InvoiceCard {
        pay_action: (online && open).then(|| format!("/{slug}/factures/{}/payer", i.id)),
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

async fn render(
    state: &AppState,
    tenant: &crate::tenancy::CurrentTenant,
    frame: UncountedFrame,
    who: &SignedIn,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let (error, status) = Refusal::shown(refusal);
    let view = service::invoices_view(state, tenant, who).await?;
    let invoices: Vec<InvoiceCard> = view
        .invoices
        .into_iter()
        .map(|f| card(tenant.slug(), f, view.online))
        .collect();
    let balance = view.balance_cents;
    let page = InvoicesPage {
        payable: invoices.iter().any(|i| i.pay_action.is_some()),
        invoices,
        error,
        balance: (balance > 0)
            .then(|| crate::i18n::t_args("cart-balance", &[("amount", euros(balance).into())])),
    };
    // The count read with the invoices, in the same transaction.
    let frame = frame.counted(view.unread);
    let response = frame.render_with_status(
        "factures",
        &crate::i18n::t("title-invoices"),
        "factures",
        page,
        status,
    );
    Ok(allowing_payfip_form(state, response))
}

/// `response` with a CSP that lets its forms go on to PayFiP's payment page (PAYER).
pub fn allowing_payfip_form(state: &AppState, mut response: Response) -> Response {
    let csp = crate::http::security_headers::csp_with_form_action(&origin_of(
        &state.settings.payfip_base_url,
    ));
    if let Ok(csp) = csp.parse() {
        response
            .headers_mut()
            .insert("content-security-policy", csp);
    }
    response
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

#[handler]
pub async fn list(ctx: UncountedSignedInPage<'_>) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    render(state, tenant, frame, &account, None).await
}

/// PAYER: the payment attempt is stored, then the parent goes to PayFiP's page.
#[handler]
pub async fn pay(
    form: SignedInForm<'_, NoFields>,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (state, tenant, frame, account, _) = form.parts();
    match payment::start(state, tenant, account.household_id, account.guardian_id, id).await {
        Ok(url) => Ok(see_other(url)),
        Err(
            e @ (BillingError::PayfipUnavailable
            | BillingError::NothingToPay
            | BillingError::PaymentUnavailable),
        ) => render(state, tenant, frame.into(), &account, Some(e.into())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ReturnQuery {
    paiement: Option<String>,
}

/// The model of `factures_retour`.
#[derive(Serialize)]
pub struct ReturnPage {
    pub message: String,
    pub done: bool,
    pub pending: bool,
    pub refresh_href: String,
}

/// Back from PayFiP: the real state of the attempt, never the browser's word for it. While
/// pending, PayFiP is asked once more.
#[handler]
pub async fn payment_return(
    Query(query): Query<ReturnQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, account) = ctx.parts();
    let id = parse_id(query.paiement.as_deref().unwrap_or_default())?;
    let (attempt, _) = payment::attempt_of(state, tenant, account.household_id, id).await?;
    if attempt.status == "pending" {
        payment::settle(state, tenant, &attempt.id_op).await?;
    }
    let (attempt, number) = payment::attempt_of(state, tenant, account.household_id, id).await?;
    let area = if attempt.checkout_id.is_some() {
        "cart"
    } else {
        "billing"
    };
    let page = ReturnPage {
        message: if attempt.status == "pending" {
            crate::i18n::t("billing-return-pending")
        } else {
            crate::i18n::t_args(
                &format!("{}-return-{}", area, attempt.status),
                &[("number", number.into())],
            )
        },
        done: attempt.status == "paid",
        pending: attempt.status == "pending",
        refresh_href: format!("/{}/factures/retour?paiement={id}", tenant.slug()),
    };
    Ok(frame.render(
        "factures_retour",
        &crate::i18n::t("title-payment-return"),
        "factures",
        page,
    ))
}

#[derive(Deserialize)]
pub struct Notification {
    #[serde(rename = "idOp")]
    id_op: Option<String>,
}

/// PayFiP's notification: only its `idOp` is read, and the result asked back from PayFiP.
/// The answer says nothing of what was found (an unknown `idOp` is answered the same).
#[handler]
pub async fn notification(
    poem::web::Data(state): poem::web::Data<&std::sync::Arc<AppState>>,
    poem::web::Data(tenant): poem::web::Data<&crate::tenancy::CurrentTenant>,
    poem::web::Form(form): poem::web::Form<Notification>,
) -> Response {
    if let Some(id_op) = form.id_op.filter(|i| (1..=64).contains(&i.len()))
        && let Err(e) = payment::settle(state, tenant, &id_op).await
    {
        tracing::warn!(tenant.slug = tenant.slug(), error = %e, "PayFiP notification not settled");
    }
    Response::builder().content_type("text/plain").body("OK")
}

/// The stored PDF, inline: it opens in the browser's viewer, which prints it.
#[handler]
pub async fn pdf(ctx: SignedInPage<'_>, PathId(id): PathId) -> Result<Response, PageError> {
    let (state, tenant, _, account) = ctx.parts();
    let (number, bytes) = service::pdf(state, tenant, id, Some(account.household_id)).await?;
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
