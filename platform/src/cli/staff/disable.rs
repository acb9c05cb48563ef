use super::tenant;
use crate::settings::Settings;
use crate::staff::accounts;
use portail_tenants::TenantTx;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Disable {
    slug: String,
    email: String,
}

impl Disable {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let (db, tenant) = tenant(&settings, &self.slug).await?;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let Some(member) = accounts::disable(&tx, &self.email, None, chrono::Utc::now()).await?
        else {
            anyhow::bail!("no staff member of {} has {}", self.slug, self.email);
        };
        tx.commit().await?;
        // The account is read on every staff request: its open sessions end at once.
        println!(
            "disabled {} <{}> in {}: sign-in refused, open sessions ended",
            member.name, member.email, self.slug
        );
        Ok(ExitCode::SUCCESS)
    }
}
