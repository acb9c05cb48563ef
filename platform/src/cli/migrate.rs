use super::{connect, explain};
use crate::settings::Settings;
use portail_tenants::migrate;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Migrate {
    /// Only report: exit 1 when any migration is pending, change nothing.
    #[arg(long)]
    check: bool,
    /// Tenant schemas migrated at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    parallel: u16,
}

impl Migrate {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        let started = Instant::now();
        let db = connect(&settings, self.parallel as u32 + 1).await?;
        let verb = if self.check { "pending" } else { "applied" };
        let shared = migrate::shared(&db, self.check).await.map_err(explain)?;
        println!(
            "[shared] {} migration(s) {verb}{}",
            shared.len(),
            list(&shared)
        );
        let outcomes =
            migrate::all_tenants(
                &db,
                self.parallel as usize,
                self.check,
                |i, n, o| match &o.error {
                    None => println!(
                        "[{i}/{n} {}] {} migration(s) {verb}{}",
                        o.target,
                        o.pending.len(),
                        list(&o.pending)
                    ),
                    Some(e) => eprintln!("[{i}/{n} {}] FAILED: {e}", o.target),
                },
            )
            .await
            .map_err(explain)?;
        let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
        let pending = shared.len() + outcomes.iter().map(|o| o.pending.len()).sum::<usize>();
        let seconds = started.elapsed().as_secs_f64();
        if failed > 0 {
            eprintln!(
                "migration failed for {failed} tenant(s); no further tenant was started ({seconds:.1} s)"
            );
            return Ok(ExitCode::FAILURE);
        }
        if self.check {
            if pending > 0 {
                println!(
                    "{pending} migration(s) pending over {} tenant(s) ({seconds:.1} s)",
                    outcomes.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "up to date: shared schema and {} tenant(s) ({seconds:.1} s)",
                outcomes.len()
            );
        } else {
            println!(
                "done: {pending} migration(s) applied over the shared schema and {} tenant(s) ({seconds:.1} s)",
                outcomes.len()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(": {}", names.join(", "))
    }
}
