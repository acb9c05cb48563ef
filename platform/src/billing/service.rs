//! What the HTTP faces call: each function opens the tenant transaction, checks whose
//! invoice it is, and commits.

use super::repository::{self as repo, InvoiceRow, LineRow};
use super::run::{self, RunReport};
use super::{BillingError, credit_note, month::Month};
use crate::http::tenant_tx::{in_read, in_tx, in_tx_or_dry};
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use portail_tenants::batch::{Answer, Batch, Column};
use uuid::Uuid;

/// An invoice with its lines.
pub struct InvoiceWithLines {
    pub invoice: InvoiceRow,
    pub lines: Vec<LineRow>,
}

/// The household's invoices: unpaid first (oldest due first), then the others, newest first.
pub async fn household_invoices(
    state: &AppState,
    tenant: &CurrentTenant,
    household_id: Uuid,
) -> Result<Vec<InvoiceWithLines>, BillingError> {
    let mut batch = Batch::default();
    let invoices = WithLines::add(&mut batch, household_id);
    let mut answer = in_read(state, tenant, async |tx| tx.batch(batch).await).await?;
    Ok(invoices.read(&mut answer)?)
}

/// What "Mes factures" shows, read in one transaction.
pub struct InvoicesView {
    pub invoices: Vec<InvoiceWithLines>,
    /// What the household has to its credit (paid prepaid days cancelled in time).
    pub balance_cents: i64,
    /// Whether the municipality takes payments online (PayFiP).
    pub online: bool,
    /// The banner's unread count.
    pub unread: i64,
}

/// The household's invoices (as [`household_invoices`]), its balance and the banner's count.
pub async fn invoices_view(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &crate::auth::session::SignedIn,
) -> Result<InvoicesView, BillingError> {
    // The page's four queries in one round trip.
    let mut batch = Batch::default();
    let invoices = WithLines::add(&mut batch, who.household_id);
    let balance = batch.add(super::cart::balance_query(who.household_id));
    let unread = batch.add(crate::messaging::unread_query(who.guardian_id));
    let (online, mut answer) = in_read(state, tenant, async |tx| {
        let online = current_config(state, tenant, tx).await?.payfip.is_some();
        Ok::<_, sea_orm::DbErr>((online, tx.batch(batch).await?))
    })
    .await?;
    Ok(InvoicesView {
        invoices: invoices.read(&mut answer)?,
        balance_cents: super::cart::Balance::of(answer.take(balance)?),
        online,
        unread: crate::messaging::UnreadCount::of(answer.take(unread)?),
    })
}

/// The household's invoices and their lines, as two queries of a batch.
struct WithLines {
    invoices: Column<repo::InvoiceRow>,
    lines: Column<repo::OwnedLine>,
}

impl WithLines {
    fn add(batch: &mut Batch, household_id: Uuid) -> Self {
        WithLines {
            invoices: batch.add(repo::invoices_of_query(household_id)),
            lines: batch.add(repo::household_lines_query(household_id)),
        }
    }

    fn read(self, answer: &mut Answer) -> Result<Vec<InvoiceWithLines>, sea_orm::DbErr> {
        let invoices = answer.take(self.invoices)?;
        let lines = repo::OwnedLine::pairs(answer.take(self.lines)?);
        Ok(with_lines(invoices, lines))
    }
}

/// The household's invoices with their lines, in the order of [`household_invoices`].
fn with_lines(
    invoices: Vec<repo::InvoiceRow>,
    owned_lines: Vec<(Uuid, LineRow)>,
) -> Vec<InvoiceWithLines> {
    let mut lines: std::collections::HashMap<Uuid, Vec<LineRow>> = Default::default();
    for (invoice, line) in owned_lines {
        lines.entry(invoice).or_default().push(line);
    }
    let mut found: Vec<InvoiceWithLines> = invoices
        .into_iter()
        .map(|invoice| InvoiceWithLines {
            lines: lines.remove(&invoice.id).unwrap_or_default(),
            invoice,
        })
        .collect();
    found.sort_by_key(|i| {
        let open = matches!(
            super::Status::of(&i.invoice),
            super::Status::Unpaid | super::Status::PartiallyPaid
        );
        // Unpaid first by due date; the rest newest first.
        let order = if open {
            i.invoice.due_on.num_days_from_ce()
        } else {
            -i.invoice.issued_on.num_days_from_ce()
        };
        (!open, order, i.invoice.number.clone())
    });
    found
}

use chrono::Datelike as _;

/// The stored PDF of an invoice or credit note: of `household` when given (`NotFound` for
/// any other), of the whole municipality for the régisseur (`None`).
pub async fn pdf(
    state: &AppState,
    tenant: &CurrentTenant,
    id: Uuid,
    household: Option<Uuid>,
) -> Result<(String, Vec<u8>), BillingError> {
    let pdf = in_tx(state, tenant, async |tx| repo::pdf(tx, id, household).await).await?;
    pdf.ok_or(BillingError::NotFound)
}

/// How a staff member is recorded as the author of what billing issues.
fn by_staff(email: &str) -> String {
    format!("staff:{email}")
}

/// Runs the billing of `month` for the régisseur (`staff_email`); `dry` issues nothing.
pub async fn run_month(
    state: &AppState,
    tenant: &CurrentTenant,
    month: Month,
    dry: bool,
    staff_email: &str,
) -> Result<RunReport, BillingError> {
    let by = &by_staff(staff_email);
    in_tx_or_dry(state, tenant, dry, async |tx| {
        let config = current_config(state, tenant, tx).await?;
        run::run(tx, &config, month, state.clock.now(), dry, by).await
    })
    .await
}

/// Cancels an invoice by a credit note for the régisseur (`staff_email`); its number.
pub async fn cancel(
    state: &AppState,
    tenant: &CurrentTenant,
    id: Uuid,
    staff_email: &str,
) -> Result<String, BillingError> {
    let by = &by_staff(staff_email);
    in_tx(state, tenant, async |tx| {
        let config = current_config(state, tenant, tx).await?;
        credit_note::cancel(tx, &config, id, state.clock.now(), by).await
    })
    .await
}

/// The latest invoices and credit notes, for the régisseur's page.
pub async fn latest(
    state: &AppState,
    tenant: &CurrentTenant,
) -> Result<Vec<InvoiceRow>, BillingError> {
    Ok(in_tx(state, tenant, async |tx| repo::latest(tx, 200).await).await?)
}
