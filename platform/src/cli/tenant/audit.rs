use super::print_json;
use crate::audit;
use crate::cli::{connect, explain};
use crate::settings::Settings;
use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::{TenantTx, registry};
use sea_orm::ConnectionTrait;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Audit {
    slug: String,
    /// Only entries from this date (AAAA-MM-JJ) or instant (RFC 3339); default: the last 30 days.
    #[arg(long)]
    since: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 1000)]
    limit: i64,
    #[arg(long)]
    json: bool,
}

impl Audit {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let db = connect(&settings, 1).await?;
        let since = match &self.since {
            // The rows are stamped by the database's clock: "30 days ago" is asked to it too.
            None => db
                .query_one_raw(portail_tenants::database::sql(
                    "SELECT now() - interval '30 days' AS since",
                    [],
                ))
                .await
                .map_err(explain)?
                .expect("one row")
                .try_get::<DateTime<Utc>>("", "since")
                .map_err(explain)?,
            Some(s) => DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .or_else(|_| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
                })
                .map_err(|_| {
                    anyhow::anyhow!(
                        "--since {s:?} is neither a date (2026-11-26) nor an RFC 3339 instant"
                    )
                })?,
        };
        let Some(tenant) = registry::find(&db, &self.slug).await.map_err(explain)? else {
            anyhow::bail!("no municipality has slug \"{}\"", self.slug);
        };
        let tx = TenantTx::begin(&db, &tenant.schema_name).await?;
        let entries = audit::since(&tx, since, self.limit).await?;
        tx.commit().await?;
        if self.json {
            print_json(&entries);
            return Ok(ExitCode::SUCCESS);
        }
        for e in &entries {
            println!(
                "{}  {:<46}  {:<8} {:<10} {}  [{}]  {}",
                e.at.format("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.action,
                e.entity,
                e.entity_id,
                e.fields.join(","),
                e.origin
            );
        }
        println!(
            "{} entrie(s) since {}",
            entries.len(),
            since.format("%Y-%m-%d %H:%M")
        );
        Ok(ExitCode::SUCCESS)
    }
}
