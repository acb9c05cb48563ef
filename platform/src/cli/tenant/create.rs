use super::{print_outcome, provision_error, read_config};
use crate::cli::connect;
use crate::settings::Settings;
use portail_tenants::Slug;
use portail_tenants::provisioning;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Create {
    /// URL segment of the portal: lowercase letters, digits and hyphens, e.g. `lannion`.
    slug: String,
    /// The municipality's configuration file (TOML).
    #[arg(long)]
    config: PathBuf,
    #[arg(long)]
    json: bool,
}

impl Create {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let slug = Slug::parse(&self.slug)?;
        let (config, source) = read_config(&self.config)?;
        let db = connect(&settings, 2).await?;
        let started = std::time::Instant::now();
        let tenant = provisioning::create(&db, &slug, &config, &source)
            .await
            .map_err(provision_error)?;
        print_outcome(self.json, &tenant, || {
            format!(
                "created {} ({}) in schema {} in {} ms: {}/{}/",
                tenant.slug,
                tenant.name,
                tenant.schema_name,
                started.elapsed().as_millis(),
                settings.public_url,
                tenant.slug
            )
        });
        Ok(ExitCode::SUCCESS)
    }
}
