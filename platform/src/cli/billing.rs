//! `portail billing …`: the régie's commands for vendor ops and scheduled jobs.

use crate::billing::month::Month;
use crate::billing::{BillingError, credit_note, repository, run};
use crate::cli::tenant::print_json;
use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::TenantTx;
use portail_tenants::registry;
use std::process::ExitCode;

subcommands! {
    pub enum BillingCommand {
        /// Bill a month's bookings: one invoice per household, numbered without gaps. Re-running
        /// a month bills only what is not billed yet.
        Run(Run),
        /// Cancel an issued invoice by a credit note (AVO-…).
        Cancel(Cancel),
    }
}

#[derive(Debug, clap::Args)]
pub struct Run {
    slug: String,
    /// The month to bill, `YYYY-MM`.
    #[arg(long)]
    month: String,
    /// Say what would be issued, issue nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print `{"month", "issued": [{number, household_id, amount_cents}], "skipped"}`.
    #[arg(long)]
    json: bool,
}

async fn open(
    settings: &Settings,
    slug: &str,
) -> anyhow::Result<(sea_orm::DatabaseConnection, registry::Tenant)> {
    let db = connect(settings, 1).await?;
    let Some(tenant) = registry::find(&db, slug).await.map_err(explain)? else {
        anyhow::bail!("no municipality has slug \"{slug}\"");
    };
    Ok((db, tenant))
}

fn refusal(e: BillingError) -> anyhow::Error {
    match e {
        BillingError::Database(e) => explain(e),
        BillingError::RunInProgress => {
            anyhow::anyhow!("another billing run is in progress: nothing was issued")
        }
        BillingError::NotConfigured => {
            anyhow::anyhow!("the configuration has no [billing] section")
        }
        BillingError::NotFound => anyhow::anyhow!("no invoice has this number"),
        BillingError::AlreadyCancelled => anyhow::anyhow!("this invoice is already cancelled"),
        BillingError::HasPayments => {
            anyhow::anyhow!("this invoice has payments: refund them before cancelling")
        }
        BillingError::InvalidMonth => anyhow::anyhow!("invalid month"),
        e @ (BillingError::PaymentUnavailable
        | BillingError::NothingToPay
        | BillingError::PayfipUnavailable
        | BillingError::EmptyCart
        | BillingError::CartPending) => anyhow::anyhow!("{e}"),
    }
}

impl Run {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let Some(month) = Month::parse(&self.month) else {
            anyhow::bail!("--month must be YYYY-MM, e.g. 2026-11");
        };
        let (db, tenant) = open(&settings, &self.slug).await?;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let config = crate::portal::repository::tenant_config(&tx).await?;
        let report = run::run(&tx, &config, month, chrono::Utc::now(), self.dry_run, "cli")
            .await
            .map_err(refusal)?;
        if self.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        if self.json {
            print_json(&report);
            return Ok(ExitCode::SUCCESS);
        }
        for i in &report.issued {
            println!(
                "{:<20} {}  {}",
                i.number,
                i.household_id,
                crate::billing::money::euros(i.amount_cents)
            );
        }
        let verb = if self.dry_run {
            "would be issued"
        } else {
            "issued"
        };
        println!(
            "{month}: {} invoice(s) {verb}, {} household(s) already billed for the month",
            report.issued.len(),
            report.skipped
        );
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Debug, clap::Args)]
pub struct Cancel {
    slug: String,
    /// The invoice's number, e.g. FAC-2026-000042.
    number: String,
}

impl Cancel {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let (db, tenant) = open(&settings, &self.slug).await?;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let config = crate::portal::repository::tenant_config(&tx).await?;
        let id = repository::invoice_by_number(&tx, &self.number)
            .await?
            .ok_or_else(|| refusal(BillingError::NotFound))?;
        let number = credit_note::cancel(&tx, &config, id, chrono::Utc::now(), "cli")
            .await
            .map_err(refusal)?;
        tx.commit().await?;
        println!("{} cancelled by credit note {number}", self.number);
        Ok(ExitCode::SUCCESS)
    }
}
