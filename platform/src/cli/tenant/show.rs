use super::print_json;
use crate::cli::{connect, explain};
use crate::settings::Settings;
use portail_tenants::database::sql;
use portail_tenants::{TenantTx, registry};
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Show {
    slug: String,
    #[arg(long)]
    json: bool,
}

impl Show {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let db = connect(&settings, 1).await?;
        let Some(tenant) = registry::find(&db, &self.slug).await.map_err(explain)? else {
            anyhow::bail!("no municipality has slug \"{}\"", self.slug);
        };
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let counts = tx
            .query_one_raw(sql(
                "SELECT (SELECT count(*) FROM households) AS households,
                        (SELECT count(*) FROM guardians) AS guardians,
                        (SELECT count(*) FROM children) AS children,
                        (SELECT count(*) FROM prestations WHERE active) AS prestations,
                        (SELECT count(*) FROM structures) AS structures,
                        (SELECT count(*) FROM services) AS services,
                        (SELECT count(*) FROM closures) AS closures",
                [],
            ))
            .await?
            .expect("one row");
        let count = |name: &str| counts.try_get::<i64>("", name).unwrap_or(0);
        let names = [
            "households",
            "guardians",
            "children",
            "prestations",
            "structures",
            "services",
            "closures",
        ];
        tx.commit().await?;
        if self.json {
            let mut value = serde_json::to_value(&tenant)?;
            value["counts"] = names
                .iter()
                .map(|n| (n.to_string(), json!(count(n))))
                .collect::<serde_json::Map<_, _>>()
                .into();
            value["url"] = json!(format!("{}/{}/", settings.public_url, tenant.slug));
            print_json(&value);
        } else {
            println!("slug:           {}", tenant.slug);
            println!("name:           {}", tenant.name);
            println!("status:         {}", tenant.status.as_str());
            println!("schema:         {}", tenant.schema_name);
            println!("config version: {}", tenant.config_version);
            println!("created:        {}", tenant.created_at.to_rfc3339());
            println!("updated:        {}", tenant.updated_at.to_rfc3339());
            println!("url:            {}/{}/", settings.public_url, tenant.slug);
            for n in names {
                println!("{:15} {}", format!("{n}:"), count(n));
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
