//! The imported school calendar in the shared registry (`public.school_calendar` and
//! `public.school_holidays`): stored by `portail calendar import`, read by every process. No
//! row: the calendar shipped in the binary is in force.

use crate::calendar::{Coverage, SchoolCalendar, SchoolHoliday, ZONES};
use crate::config::HolidayZone;
use crate::database::sql;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult, TransactionTrait};

/// The calendar in the registry, with where and when it came from.
#[derive(Debug, Clone)]
pub struct Stored {
    pub calendar: SchoolCalendar,
    pub source: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct CoverageRow {
    zone: String,
    covered_from: NaiveDate,
    covered_until: NaiveDate,
    source: String,
    imported_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct PeriodRow {
    zone: String,
    name: String,
    first_day: NaiveDate,
    resume: Option<NaiveDate>,
}

fn zone(text: &str) -> Result<HolidayZone, DbErr> {
    ZONES
        .into_iter()
        .find(|z| z.as_str() == text)
        .ok_or_else(|| DbErr::Custom(format!("school_calendar: unknown zone {text:?}")))
}

/// The imported calendar, or `None` when none was imported.
pub async fn load(db: &impl ConnectionTrait) -> Result<Option<Stored>, DbErr> {
    let rows = db
        .query_all_raw(sql(
            "SELECT zone, covered_from, covered_until, source, imported_at \
             FROM public.school_calendar ORDER BY zone",
            [],
        ))
        .await?;
    let rows: Vec<CoverageRow> = rows
        .iter()
        .map(|r| CoverageRow::from_query_result(r, ""))
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut coverage = [None; 3];
    for r in &rows {
        let z = zone(&r.zone)?;
        let i = ZONES.iter().position(|x| *x == z).expect("a zone");
        coverage[i] = Some(Coverage {
            from: r.covered_from,
            until: r.covered_until,
        });
    }
    let [Some(a), Some(b), Some(c)] = coverage else {
        return Err(DbErr::Custom(
            "school_calendar: the imported calendar lacks a zone".into(),
        ));
    };
    let periods = db
        .query_all_raw(sql(
            "SELECT zone, name, first_day, resume FROM public.school_holidays",
            [],
        ))
        .await?
        .iter()
        .map(|r| {
            let p = PeriodRow::from_query_result(r, "")?;
            Ok(SchoolHoliday {
                zone: zone(&p.zone)?,
                name: p.name,
                first_day: p.first_day,
                resume: p.resume,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    let calendar = SchoolCalendar::new(periods, [a, b, c])
        .map_err(|e| DbErr::Custom(format!("school_calendar: {}", e.join("; "))))?;
    Ok(Some(Stored {
        calendar,
        source: rows[0].source.clone(),
        imported_at: rows[0].imported_at,
    }))
}

/// Replaces the imported calendar by `calendar`, in one transaction: readers see the old one
/// or the new one, never a mix.
pub async fn store(
    db: &DatabaseConnection,
    calendar: &SchoolCalendar,
    source: &str,
) -> Result<(), DbErr> {
    let tx = db.begin().await?;
    tx.execute_unprepared("DELETE FROM public.school_calendar")
        .await?;
    for z in ZONES {
        let c = calendar.coverage(z);
        tx.execute_raw(sql(
            "INSERT INTO public.school_calendar (zone, covered_from, covered_until, source) \
             VALUES ($1, $2, $3, $4)",
            [
                z.as_str().into(),
                c.from.into(),
                c.until.into(),
                source.into(),
            ],
        ))
        .await?;
    }
    for h in calendar.all_periods() {
        tx.execute_raw(sql(
            "INSERT INTO public.school_holidays (zone, name, first_day, resume) \
             VALUES ($1, $2, $3, $4)",
            [
                h.zone.as_str().into(),
                h.name.clone().into(),
                h.first_day.into(),
                h.resume.into(),
            ],
        ))
        .await?;
    }
    tx.commit().await
}

/// Goes back to the shipped calendar.
pub async fn clear(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM public.school_calendar")
        .await
        .map(|_| ())
}
