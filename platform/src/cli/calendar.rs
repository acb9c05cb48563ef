//! `portail calendar`: the school holiday calendar in force. `import` loads the national open
//! data export (`fr-en-calendrier-scolaire`, JSON) into the shared registry, after checking it;
//! `status` says until when each zone is covered, and warns 12 months before the end.

use super::{connect, explain};
use crate::settings::Settings;
use chrono::{NaiveDate, Utc};
use portail_tenants::calendar::{SchoolCalendar, ZONES, paris_date, parse_national};
use portail_tenants::school_calendar;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// Import the national school calendar (JSON export of fr-en-calendrier-scolaire).
    Import {
        /// The JSON file, as downloaded from data.education.gouv.fr.
        file: PathBuf,
        /// Check the file and print what it covers, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Until when each zone is covered (the imported calendar, else the shipped one).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Forget the imported calendar: the one shipped in this version is in force again.
    Reset,
}

impl CalendarCommand {
    pub async fn run(self, settings: Settings) -> anyhow::Result<ExitCode> {
        match self {
            CalendarCommand::Import { file, dry_run } => import(settings, file, dry_run).await,
            CalendarCommand::Status { json } => status(settings, json).await,
            CalendarCommand::Reset => {
                let db = connect(&settings, 1).await?;
                school_calendar::clear(&db).await.map_err(explain)?;
                println!("the imported school calendar is forgotten: the shipped one is in force");
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

async fn import(settings: Settings, file: PathBuf, dry_run: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let imported = match parse_national(&text) {
        Ok(imported) => imported,
        Err(errors) => {
            eprintln!(
                "{}: not imported, {} problem(s):",
                file.display(),
                errors.len()
            );
            for e in errors {
                eprintln!("  - {e}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let cal = &imported.calendar;
    println!(
        "{}: {} record(s), {} ignored (other zones, teachers), {} period(s)",
        file.display(),
        imported.records,
        imported.ignored,
        cal.all_periods().len()
    );
    for z in ZONES {
        let c = cal.coverage(z);
        println!("zone {}: {} to {}", z.as_str(), c.from, c.until);
    }
    warn_if_ending(cal, today());
    if dry_run {
        println!("dry run: nothing imported");
        return Ok(ExitCode::SUCCESS);
    }
    let db = connect(&settings, 1).await?;
    let source = file
        .file_name()
        .map_or("?".into(), |n| n.to_string_lossy().into_owned());
    school_calendar::store(&db, cal, &source)
        .await
        .map_err(explain)?;
    println!("imported: every running portal uses it within TENANT_CACHE_SECONDS");
    Ok(ExitCode::SUCCESS)
}

async fn status(settings: Settings, json: bool) -> anyhow::Result<ExitCode> {
    let db = connect(&settings, 1).await?;
    let stored = school_calendar::load(&db).await.map_err(explain)?;
    let (cal, source) = match &stored {
        Some(s) => (
            &s.calendar,
            format!(
                "imported from {} on {}",
                s.source,
                s.imported_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        None => (
            SchoolCalendar::shipped(),
            "shipped with this version".to_string(),
        ),
    };
    let today = today();
    if json {
        let zones: serde_json::Map<String, serde_json::Value> = ZONES
            .into_iter()
            .map(|z| {
                let c = cal.coverage(z);
                (
                    z.as_str().to_string(),
                    serde_json::json!({
                        "covered_from": c.from,
                        "covered_until": c.until,
                        "ending_soon": cal.ending_soon(today).contains(&z),
                    }),
                )
            })
            .collect();
        let out = serde_json::json!({
            "source": if stored.is_some() { "imported" } else { "shipped" },
            "zones": zones,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).expect("plain data")
        );
    } else {
        println!("school calendar {source}");
        for z in ZONES {
            println!(
                "zone {}: covered until {}",
                z.as_str(),
                cal.covered_until(z)
            );
        }
    }
    warn_if_ending(cal, today);
    Ok(ExitCode::SUCCESS)
}

/// Today in Paris, by the machine's clock (the CLI has no test clock: faketime moves it).
fn today() -> NaiveDate {
    paris_date(Utc::now())
}

fn warn_if_ending(cal: &SchoolCalendar, today: NaiveDate) {
    for z in cal.ending_soon(today) {
        eprintln!(
            "warning: zone {} is covered only until {}: import the next school calendar \
             (portail calendar import) before parents meet \"calendrier pas encore publié\"",
            z.as_str(),
            cal.covered_until(z)
        );
    }
}
