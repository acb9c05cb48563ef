use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::provisioning::{self, ProvisionError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Export {
    slug: String,
    /// Where to write the JSON document (refused if it exists).
    #[arg(long)]
    out: PathBuf,
}

impl Export {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        if self.out.exists() {
            anyhow::bail!("{} already exists: choose another file", self.out.display());
        }
        let db = connect(&settings, 1).await?;
        let document = provisioning::export(&db, &self.slug)
            .await
            .map_err(|e| match e {
                ProvisionError::Database(e) => explain(e),
                other => other.into(),
            })?;
        let text = serde_json::to_vec_pretty(&document)?;
        // Write beside, then rename: a reader never sees half a file.
        let partial = self.out.with_extension("json.partial");
        std::fs::write(&partial, &text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", partial.display()))?;
        std::fs::rename(&partial, &self.out)
            .map_err(|e| anyhow::anyhow!("{}: {e}", self.out.display()))?;
        let tables = document["tables"].as_object().map_or(0, |t| t.len());
        let rows: usize = document["tables"].as_object().map_or(0, |t| {
            t.values()
                .map(|v| v.as_array().map_or(0, |a| a.len()))
                .sum()
        });
        println!(
            "exported {}: {tables} tables, {rows} rows, {} bytes to {}",
            self.slug,
            text.len(),
            self.out.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
