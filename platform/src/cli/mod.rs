//! The `portail` command: the service (`serve`) and the provisioning tools of vendor ops.
//! Each command prints a clear result, exits non-zero on failure, and with `--json` prints
//! machine-readable output instead.

mod billing;
mod calendar;
mod migrate;
mod serve;
mod staff;
mod tenant;

use crate::settings::Settings;
use clap::{Parser, Subcommand};
use portail_tenants::database::Pooler;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "portail",
    version,
    about = "Portail Famille: the family portal of French municipalities"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal of every municipality over HTTP (LISTEN_ADDR, default 127.0.0.1:8080).
    Serve(serve::Serve),
    /// Apply pending migrations: the shared registry, then every municipality's schema.
    Migrate(migrate::Migrate),
    /// Create and manage municipalities.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// The school holiday calendar: import the national one, see until when it is covered.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Invite, list and disable a municipality's staff.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// The régie: billing runs and credit notes.
    #[command(subcommand)]
    Billing(billing::BillingCommand),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let default_filter = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    crate::telemetry::init(settings.log_format, default_filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(c) => c.run(settings).await,
            Command::Migrate(c) => c.run(settings).await,
            Command::Tenant(c) => c.run(settings).await,
            Command::Calendar(c) => c.run(settings).await,
            Command::Staff(c) => c.run(settings).await,
            Command::Billing(c) => c.run(settings).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the database for a provisioning command (few connections: it is one operator).
async fn connect(
    settings: &Settings,
    connections: u32,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    // The CLI needs a session (migrations and provisioning run statements outside
    // transactions): `DATABASE_SESSION_URL` when the service itself goes through a pooler.
    let (url, pooler) = match &settings.database_session_url {
        Some(session) => (session.expose(), Pooler::Direct),
        None => (settings.database_url.expose(), settings.database_pooler),
    };
    portail_tenants::database::connect_through(url, connections, pooler)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach PostgreSQL at DATABASE_URL: {e}"))
}

/// Explains the usual cause of a failing provisioning query.
fn explain(e: sea_orm::DbErr) -> anyhow::Error {
    let text = e.to_string();
    if text.contains("relation \"public.tenants\" does not exist") {
        anyhow::anyhow!("the tenant registry does not exist yet: run `portail migrate` first")
    } else {
        anyhow::anyhow!("database error: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
