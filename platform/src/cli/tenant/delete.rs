use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::provisioning::{self, ProvisionError};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Delete {
    slug: String,
    /// Repeat the slug to confirm: everything of this municipality is deleted.
    #[arg(long)]
    confirm: String,
}

impl Delete {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        if self.confirm != self.slug {
            anyhow::bail!(
                "--confirm must repeat the slug exactly (\"{}\"): nothing was deleted",
                self.slug
            );
        }
        let db = connect(&settings, 1).await?;
        provisioning::delete(&db, &self.slug)
            .await
            .map_err(|e| match e {
                ProvisionError::Database(e) => explain(e),
                other => other.into(),
            })?;
        println!("deleted {} and all of its data", self.slug);
        Ok(ExitCode::SUCCESS)
    }
}
