use super::{print_outcome, provision_error, read_config};
use crate::cli::connect;
use crate::settings::Settings;
use portail_tenants::provisioning;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Update {
    slug: String,
    /// The new version of the configuration file (TOML).
    #[arg(long)]
    config: PathBuf,
    #[arg(long)]
    json: bool,
}

impl Update {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let (config, source) = read_config(&self.config)?;
        let db = connect(&settings, 2).await?;
        let tenant = provisioning::update(&db, &self.slug, &config, &source)
            .await
            .map_err(provision_error)?;
        print_outcome(self.json, &tenant, || {
            format!(
                "updated {} ({}): configuration version {}",
                tenant.slug, tenant.name, tenant.config_version
            )
        });
        Ok(ExitCode::SUCCESS)
    }
}
