use super::print_json;
use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::import::{self, Counts, ImportError};
use portail_tenants::registry;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportFamilies {
    slug: String,
    /// CSV export of the previous software (UTF-8, `;` or `,`), one row per child.
    file: PathBuf,
    /// Check everything and report what would change, without writing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

impl ImportFamilies {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let bytes = std::fs::read(&self.file)
            .map_err(|e| anyhow::anyhow!("{}: cannot be read: {e}", self.file.display()))?;
        let db = connect(&settings, 1).await?;
        let Some(tenant) = registry::find(&db, &self.slug).await.map_err(explain)? else {
            anyhow::bail!("no municipality has slug \"{}\"", self.slug);
        };
        let today = chrono::Local::now().date_naive();
        let report = match import::import(&db, &tenant, &bytes, today, self.dry_run).await {
            Ok(r) => r,
            Err(ImportError::Invalid(errors)) => {
                anyhow::bail!(
                    "{} refused, nothing was imported ({} problem(s)):\n  {}",
                    self.file.display(),
                    errors.len(),
                    errors.join("\n  ")
                )
            }
            Err(ImportError::Database(e)) => return Err(explain(e)),
        };
        if self.json {
            print_json(&report);
            return Ok(ExitCode::SUCCESS);
        }
        let line = |what: &str, c: &Counts| {
            println!(
                "{what:11} {} created, {} updated, {} unchanged",
                c.created, c.updated, c.unchanged
            )
        };
        println!(
            "{}{} rows read from {}",
            if report.dry_run {
                "DRY RUN, nothing written: "
            } else {
                ""
            },
            report.rows,
            self.file.display()
        );
        line("households:", &report.households);
        line("guardians:", &report.guardians);
        line("children:", &report.children);
        println!(
            "enrolments: {} added, {} removed",
            report.enrolments_added, report.enrolments_removed
        );
        if report.is_noop() {
            println!("nothing to change: the portal already matches the file");
        }
        Ok(ExitCode::SUCCESS)
    }
}
