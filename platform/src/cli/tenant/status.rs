use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::{TenantStatus, registry};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Suspend {
    slug: String,
}

#[derive(Debug, clap::Args)]
pub struct Resume {
    slug: String,
}

impl Suspend {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        set(settings, &self.slug, TenantStatus::Suspended).await?;
        println!(
            "suspended {}: its portal shows the maintenance page (within a few seconds on every replica)",
            self.slug
        );
        Ok(ExitCode::SUCCESS)
    }
}

impl Resume {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        set(settings, &self.slug, TenantStatus::Active).await?;
        println!("resumed {}: its portal is open again", self.slug);
        Ok(ExitCode::SUCCESS)
    }
}

async fn set(settings: Settings, slug: &str, status: TenantStatus) -> anyhow::Result<()> {
    let db = connect(&settings, 1).await?;
    if !registry::set_status(&db, slug, status)
        .await
        .map_err(explain)?
    {
        anyhow::bail!("no municipality has slug \"{slug}\"");
    }
    Ok(())
}
