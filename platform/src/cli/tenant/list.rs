use super::print_json;
use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::registry;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct List {
    /// An array of objects with slug, name, status, schema_name, config_version, dates.
    #[arg(long)]
    json: bool,
}

impl List {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let db = connect(&settings, 1).await?;
        let tenants = registry::list(&db).await.map_err(explain)?;
        if self.json {
            print_json(&tenants);
            return Ok(ExitCode::SUCCESS);
        }
        if tenants.is_empty() {
            println!(
                "no municipality yet: create one with `portail tenant create <slug> --config <file>`"
            );
            return Ok(ExitCode::SUCCESS);
        }
        let width = tenants
            .iter()
            .map(|t| t.slug.len())
            .max()
            .unwrap_or(4)
            .max(4);
        println!("{:width$}  {:9}  NAME", "SLUG", "STATUS");
        for t in &tenants {
            println!("{:width$}  {:9}  {}", t.slug, t.status.as_str(), t.name);
        }
        println!("{} municipality(ies)", tenants.len());
        Ok(ExitCode::SUCCESS)
    }
}
