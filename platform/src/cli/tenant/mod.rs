//! `portail tenant …`: one file per command.

mod audit;
mod create;
mod delete;
mod export;
mod import_families;
mod list;
mod show;
mod status;
mod update;

subcommands! {
    pub enum TenantCommand {
        /// Create a municipality from its configuration file.
        Create(create::Create),
        /// Replace a municipality's configuration with a new version of its file.
        Update(update::Update),
        /// List every municipality.
        List(list::List),
        /// Show one municipality and what it holds.
        Show(show::Show),
        /// Put a municipality's portal in maintenance (data is kept).
        Suspend(status::Suspend),
        /// Open a suspended municipality's portal again.
        Resume(status::Resume),
        /// Write all of a municipality's data to a JSON file.
        Export(export::Export),
        /// Delete a municipality and all of its data.
        Delete(delete::Delete),
        /// Import households, guardians and children from the previous software's CSV export.
        ImportFamilies(import_families::ImportFamilies),
        /// List the audit log: who changed what, who read medical fields or documents.
        Audit(audit::Audit),
    }
}

/// Reads and validates a configuration file, returning it with its text.
fn read_config(path: &std::path::Path) -> anyhow::Result<(portail_tenants::TenantConfig, String)> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot be read: {e}", path.display()))?;
    let config = portail_tenants::TenantConfig::from_toml(&source).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a valid configuration:\n  {}",
            path.display(),
            e.errors.join("\n  ")
        )
    })?;
    Ok((config, source))
}

/// A provisioning failure, with a database one explained for the operator.
fn provision_error(e: portail_tenants::provisioning::ProvisionError) -> anyhow::Error {
    match e {
        portail_tenants::provisioning::ProvisionError::Database(e) => super::explain(e),
        other => other.into(),
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("plain data")
    );
}

/// A command's outcome on stdout: `value` as JSON with `--json`, else `line` for a person.
pub(crate) fn print_outcome(
    json: bool,
    value: &impl serde::Serialize,
    line: impl FnOnce() -> String,
) {
    if json {
        print_json(value);
    } else {
        println!("{}", line());
    }
}
