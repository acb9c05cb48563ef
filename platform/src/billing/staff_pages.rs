//! The régisseur's billing page: run a month (or see what it would issue), the latest
//! invoices and credit notes with their PDF, and cancelling an invoice by a credit note.

use super::money::euros;
use super::run::RunReport;
use super::{BillingError, Refusal, Status, month::Month, service};
use crate::auth::pages::see_other;
use crate::http::errors::PageError;
use crate::http::page::{PathId, parse_id};
use crate::i18n::{t, t_args};
use crate::staff::Regisseur;
use crate::staff::guard::{StaffForm, StaffFrame, StaffPage};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize)]
pub struct InvoiceRowView {
    pub id: String,
    pub number: String,
    pub household: String,
    pub period: String,
    pub issued_on: String,
    pub amount: String,
    pub status_label: String,
    pub cancellable: bool,
    pub pdf_href: String,
}

#[derive(Serialize)]
pub struct RunView {
    pub heading: String,
    pub dry: bool,
    pub issued: Vec<IssuedView>,
    pub skipped: String,
}

#[derive(Serialize)]
pub struct IssuedView {
    pub number: String,
    pub amount: String,
}

/// An online payment attempt, for the régisseur.
#[derive(Serialize)]
pub struct AttemptView {
    pub created_at: String,
    pub invoice: String,
    pub amount: String,
    pub status: String,
    pub status_label: String,
    pub detail: String,
    pub anomaly: bool,
}

/// The model of `staff_facturation`.
#[derive(Serialize)]
pub struct BillingPage {
    pub month: String,
    pub info: Option<String>,
    pub error: Option<String>,
    pub run: Option<RunView>,
    pub invoices: Vec<InvoiceRowView>,
    pub attempts: Vec<AttemptView>,
}

#[derive(Deserialize)]
pub struct InfoQuery {
    info: Option<String>,
    avoir: Option<String>,
}

/// Messages a redirect may ask for: a fixed list, the number checked to look like one.
fn info_message(query: &InfoQuery) -> Option<String> {
    match (query.info.as_deref(), query.avoir.as_deref()) {
        (Some("avoir"), Some(number))
            if number.len() < 30
                && number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Some(t_args(
                "staff-billing-cancelled",
                &[("number", number.to_string().into())],
            ))
        }
        _ => None,
    }
}

/// What the page shows besides the latest invoices.
#[derive(Default)]
struct Shown {
    month: String,
    info: Option<String>,
    refusal: Option<Refusal>,
    run: Option<RunView>,
}

async fn render(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &StaffFrame,
    shown: Shown,
) -> Result<Response, PageError> {
    let Shown {
        month,
        info,
        refusal,
        run,
    } = shown;
    let (error, status) = Refusal::shown(refusal);
    let slug = tenant.slug();
    let latest = service::latest(state, tenant).await?;
    let numbers: std::collections::HashMap<uuid::Uuid, String> =
        latest.iter().map(|i| (i.id, i.number.clone())).collect();
    let invoices = latest
        .into_iter()
        .map(|i| {
            let status = Status::of(&i);
            InvoiceRowView {
                id: i.id.to_string(),
                cancellable: i.kind == "invoice" && i.cancelled_by.is_none() && i.paid_cents == 0,
                pdf_href: format!("/{slug}/gestion/factures/{}/pdf", i.id),
                number: i.number,
                household: i.household_reference,
                period: Month::of(i.period).label(),
                issued_on: i.issued_on.format("%d/%m/%Y").to_string(),
                amount: euros(i.amount_cents),
                status_label: if i.kind == "invoice" {
                    status.label()
                } else {
                    t("staff-billing-credit-note")
                },
            }
        })
        .collect();
    let attempts = super::payment::latest_attempts(state, tenant)
        .await?
        .into_iter()
        .map(|a| AttemptView {
            created_at: a
                .created_at
                .with_timezone(&chrono_tz::Europe::Paris)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            invoice: a
                .invoice_id
                .and_then(|id| numbers.get(&id).cloned())
                .unwrap_or(a.refdet),
            amount: euros(a.montant),
            status_label: t(&format!("staff-billing-attempt-{}", a.status)),
            anomaly: a.status == "anomaly",
            status: a.status,
            detail: a.detail.unwrap_or_default(),
        })
        .collect();
    let page = BillingPage {
        month,
        info,
        error,
        run,
        invoices,
        attempts,
    };
    Ok(frame.render(
        "staff_facturation",
        &t("staff-billing-title"),
        "facturation",
        &page,
        status,
    ))
}

/// The page again, `month` in its field, saying why `e` refused the action.
async fn refused(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &StaffFrame,
    month: String,
    e: BillingError,
) -> Result<Response, PageError> {
    let shown = Shown {
        month,
        refusal: Some(e.into()),
        ..Shown::default()
    };
    render(state, tenant, frame, shown).await
}

fn default_month(state: &AppState) -> String {
    Month::of(portail_tenants::calendar::paris_date(state.clock.now())).to_string()
}

#[handler]
pub async fn billing_page(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    Query(query): Query<InfoQuery>,
    page: StaffPage<Regisseur>,
) -> Result<Response, PageError> {
    let info = info_message(&query);
    let shown = Shown {
        month: default_month(state),
        info,
        ..Shown::default()
    };
    render(state, tenant, &page.frame, shown).await
}

#[derive(Deserialize)]
pub struct RunForm {
    month: String,
    /// Present for "Voir sans émettre".
    dry_run: Option<String>,
}

fn run_view(report: &RunReport, month: Month, dry: bool) -> RunView {
    let key = if dry {
        "staff-billing-dry-heading"
    } else {
        "staff-billing-run-heading"
    };
    RunView {
        heading: t_args(
            key,
            &[
                ("month", month.label().into()),
                ("count", report.issued.len().into()),
            ],
        ),
        dry,
        issued: report
            .issued
            .iter()
            .map(|i| IssuedView {
                number: i.number.clone(),
                amount: euros(i.amount_cents),
            })
            .collect(),
        skipped: t_args("staff-billing-skipped", &[("count", report.skipped.into())]),
    }
}

#[handler]
pub async fn run_billing(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Regisseur, RunForm>,
) -> Result<Response, PageError> {
    let dry = page.form.dry_run.is_some();
    let Some(month) = Month::parse(&page.form.month) else {
        let month = page.form.month.clone();
        return refused(
            state,
            tenant,
            &page.frame,
            month,
            BillingError::InvalidMonth,
        )
        .await;
    };
    match service::run_month(state, tenant, month, dry, &page.member.email).await {
        Ok(report) => {
            let shown = Shown {
                month: month.to_string(),
                run: Some(run_view(&report, month, dry)),
                ..Shown::default()
            };
            render(state, tenant, &page.frame, shown).await
        }
        Err(e @ (BillingError::RunInProgress | BillingError::NotConfigured)) => {
            refused(state, tenant, &page.frame, month.to_string(), e).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    invoice_id: String,
}

#[handler]
pub async fn cancel_invoice(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    page: StaffForm<Regisseur, CancelForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&page.form.invoice_id)?;
    match service::cancel(state, tenant, id, &page.member.email).await {
        Ok(number) => Ok(see_other(format!(
            "/{}/gestion/facturation?info=avoir&avoir={number}",
            tenant.slug()
        ))),
        Err(e @ (BillingError::AlreadyCancelled | BillingError::HasPayments)) => {
            refused(state, tenant, &page.frame, default_month(state), e).await
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn invoice_pdf(
    Data(state): Data<&Arc<AppState>>,
    Data(tenant): Data<&CurrentTenant>,
    PathId(id): PathId,
    _page: StaffPage<Regisseur>,
) -> Result<Response, PageError> {
    let (number, bytes) = service::pdf(state, tenant, id, None).await?;
    Ok(super::pages::pdf_response(&number, bytes))
}
