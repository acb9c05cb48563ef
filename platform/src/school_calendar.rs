//! The school calendar in force: the last one imported into the shared registry (`portail
//! calendar import`), else the one shipped in the binary. Each process re-reads the registry at
//! most every `TENANT_CACHE_SECONDS`, so an import reaches every replica without a restart.
//! The calendar rules stay pure: callers pass [`InForce::calendar`] to them.

use chrono::NaiveDate;
use portail_tenants::calendar::{SchoolCalendar, ZONES};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct InForce {
    pub calendar: SchoolCalendar,
    /// Changes with every import: part of the keys of what is cached from the calendar.
    pub version: String,
}

pub struct SchoolCalendars {
    /// The registry (`public`), read like the tenant directory reads it.
    db: DatabaseConnection,
    ttl: Duration,
    cached: Mutex<Option<(Instant, Arc<InForce>)>>,
}

impl SchoolCalendars {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            cached: Mutex::new(None),
        }
    }

    pub async fn current(&self) -> Arc<InForce> {
        let previous = self.cached.lock().expect("not poisoned").clone();
        if let Some((at, in_force)) = &previous
            && at.elapsed() < self.ttl
        {
            return in_force.clone();
        }
        // In a transaction, as every statement of the service (see `Pooler::Transaction`).
        let loaded = async {
            let tx = self.db.begin().await?;
            let stored = portail_tenants::school_calendar::load(&tx).await?;
            tx.commit().await?;
            Ok::<_, sea_orm::DbErr>(stored)
        };
        let in_force = match loaded.await {
            Ok(Some(stored)) => Arc::new(InForce {
                calendar: stored.calendar,
                version: format!("i{}", stored.imported_at.timestamp_micros()),
            }),
            Ok(None) => shipped(),
            Err(e) => {
                // The registry answers again soon; meanwhile the last known calendar serves.
                tracing::warn!(error = %e, "cannot read the imported school calendar");
                return previous.map_or_else(shipped, |(_, c)| c);
            }
        };
        *self.cached.lock().expect("not poisoned") = Some((Instant::now(), in_force.clone()));
        in_force
    }
}

fn shipped() -> Arc<InForce> {
    Arc::new(InForce {
        calendar: SchoolCalendar::shipped().clone(),
        version: "shipped".into(),
    })
}

/// The Prometheus lines of the calendar in force: the last covered day of each zone, and
/// whether it ends within 12 months (`/readyz` stays green: serving is not at risk, the
/// bookings of next year are).
pub fn metrics(calendar: &SchoolCalendar, today: NaiveDate) -> String {
    let mut out = String::new();
    out.push_str("# HELP portail_school_calendar_covered_until_days Days from today to the last day the school calendar in force covers, by zone.\n");
    out.push_str("# TYPE portail_school_calendar_covered_until_days gauge\n");
    for z in ZONES {
        let _ = writeln!(
            out,
            "portail_school_calendar_covered_until_days{{zone=\"{}\"}} {}",
            z.as_str(),
            (calendar.covered_until(z) - today).num_days()
        );
    }
    out.push_str("# HELP portail_school_calendar_ending_soon 1 when the zone's school calendar ends within 12 months: run `portail calendar import`.\n");
    out.push_str("# TYPE portail_school_calendar_ending_soon gauge\n");
    let ending = calendar.ending_soon(today);
    for z in ZONES {
        let _ = writeln!(
            out,
            "portail_school_calendar_ending_soon{{zone=\"{}\"}} {}",
            z.as_str(),
            u8::from(ending.contains(&z))
        );
    }
    out
}
