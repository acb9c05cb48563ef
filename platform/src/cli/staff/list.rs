use super::tenant;
use crate::cli::tenant::print_json;
use crate::settings::Settings;
use crate::staff::accounts;
use portail_tenants::TenantTx;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct List {
    slug: String,
    #[arg(long)]
    json: bool,
}

impl List {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let (db, tenant) = tenant(&settings, &self.slug).await?;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let members = accounts::list(&tx).await?;
        tx.commit().await?;
        if self.json {
            print_json(&members);
            return Ok(ExitCode::SUCCESS);
        }
        for m in &members {
            println!("{:<40} {:<30} {:<13} {}", m.email, m.name, m.role, m.status);
        }
        println!("{} staff member(s) in {}", members.len(), self.slug);
        Ok(ExitCode::SUCCESS)
    }
}
