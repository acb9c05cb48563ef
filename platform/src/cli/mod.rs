//! The `portail` command: the service (`serve`) and the provisioning tools of vendor ops.
//! Each command prints a clear result, exits non-zero on failure, and with `--json` prints
//! machine-readable output instead.

/// `subcommands! { pub enum Name { /// doc\n Variant(command::Type), … } }`: a clap subcommand
/// enum whose every variant holds a command with `async fn run(self, Settings)`, and the `run`
/// of the enum, which runs the chosen one. A macro, because Rust cannot write an enum's
/// dispatch over its variants once for every enum.
macro_rules! subcommands {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_attr:meta])* $variant:ident($command:ty),)*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, clap::Subcommand)]
        $vis enum $name {
            $($(#[$variant_attr])* $variant($command),)*
        }

        impl $name {
            pub async fn run(
                self,
                settings: $crate::settings::Settings,
            ) -> anyhow::Result<std::process::ExitCode> {
                match self {
                    $($name::$variant(command) => command.run(settings).await,)*
                }
            }
        }
    };
}

mod billing;
mod calendar;
mod migrate;
mod serve;
mod staff;
mod tenant;

use crate::settings::Settings;
use clap::Parser;
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

subcommands! {
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
    let result = runtime.block_on(cli.command.run(settings));
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
