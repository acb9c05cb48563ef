//! The national school calendar as the ministry publishes it: the JSON export of the open data
//! set `fr-en-calendrier-scolaire` (data.education.gouv.fr), turned into a [`SchoolCalendar`].
//!
//! The export is an array of records, one per holiday period, zone and academy:
//!
//! ```json
//! {"description": "Vacances de Noël", "population": "-",
//!  "start_date": "2025-12-19T23:00:00+00:00", "end_date": "2026-01-04T23:00:00+00:00",
//!  "location": "Rennes", "zones": "Zone B", "annee_scolaire": "2025-2026"}
//! ```
//!
//! - `start_date` is midnight (Paris) of the day pupils leave *after class*; `end_date` is
//!   midnight of the day classes resume in the morning. In the shipped file's terms (see
//!   [`super::school_holidays`]): `resume` is the Paris date of `end_date`; the first day
//!   without class is the Paris date of `start_date` when that is a Saturday or Sunday, else
//!   the next day (a weekday departure still has class, canteen and périscolaire).
//! - Only "Zone A", "Zone B" and "Zone C" are read; other zones (Corse, overseas) are ignored.
//! - Records for teachers (`population` "Enseignants") are ignored; when a period has records
//!   for pupils ("Élèves"), those win over the general ones ("-").
//! - Every academy of a zone repeats the same dates: they are merged, and academies that
//!   disagree are refused.
//! - Each zone is covered from 1 September of its first school year to 31 August of its last,
//!   and its school years must follow one another without a gap.
//!
//! Pure: the caller reads the file and passes its text in.

use super::school_holidays::{Coverage, SchoolCalendar, SchoolHoliday, ZONES};
use crate::config::HolidayZone;
use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Record {
    description: Option<String>,
    population: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    location: Option<String>,
    zones: Option<String>,
    annee_scolaire: Option<String>,
}

/// The export of the portal's API wraps each record in `fields`; both shapes are read.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Entry {
    Wrapped { fields: Record },
    Flat(Record),
}

/// A checked calendar and what was read to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCalendar {
    pub calendar: SchoolCalendar,
    /// Records in the file.
    pub records: usize,
    /// Records of another zone or of teachers only, left aside.
    pub ignored: usize,
}

/// One period of one zone, as read from one record.
struct Read {
    zone: HolidayZone,
    name: String,
    year: (i32, i32),
    first_day: NaiveDate,
    resume: Option<NaiveDate>,
    pupils: bool,
    origin: String,
}

/// Reads the JSON text of the national export. Every problem is reported, one sentence each,
/// naming the record (its position from 1, its description, zone and academy).
pub fn parse_national(json: &str) -> Result<ImportedCalendar, Vec<String>> {
    let entries: Vec<Entry> = {
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| {
            vec![format!(
                "not the JSON export of fr-en-calendrier-scolaire (an array of records): {} at {}",
                e.inner(),
                e.path()
            )]
        })?
    };
    let records = entries.len();
    let mut errors = Vec::new();
    let mut read = Vec::new();
    let mut ignored = 0;
    for (i, entry) in entries.into_iter().enumerate() {
        let record = match entry {
            Entry::Wrapped { fields } => fields,
            Entry::Flat(r) => r,
        };
        match read_record(i + 1, &record) {
            Ok(Some(r)) => read.push(r),
            Ok(None) => ignored += 1,
            Err(e) => errors.push(e),
        }
    }
    let (periods, coverage) = merge(read, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let calendar = SchoolCalendar::new(periods, coverage)?;
    Ok(ImportedCalendar {
        calendar,
        records,
        ignored,
    })
}

fn read_record(n: usize, r: &Record) -> Result<Option<Read>, String> {
    let name = normalize_name(r.description.as_deref().unwrap_or(""));
    let origin = format!(
        "record {n} ({}, {}, {})",
        if name.is_empty() {
            "no description"
        } else {
            &name
        },
        r.zones.as_deref().unwrap_or("no zone"),
        r.location.as_deref().unwrap_or("no location")
    );
    let zone = match r.zones.as_deref().map(str::trim) {
        Some("Zone A") => HolidayZone::A,
        Some("Zone B") => HolidayZone::B,
        Some("Zone C") => HolidayZone::C,
        Some(_) => return Ok(None),
        None => return Err(format!("{origin}: `zones` is missing")),
    };
    let population = r.population.as_deref().unwrap_or("-").trim();
    if population.eq_ignore_ascii_case("Enseignants") || name.starts_with("Rentrée") {
        return Ok(None);
    }
    if name.is_empty() {
        return Err(format!("{origin}: `description` is missing"));
    }
    let year = r
        .annee_scolaire
        .as_deref()
        .and_then(school_year)
        .ok_or_else(|| {
            format!(
                "{origin}: `annee_scolaire` {:?} is not two following years like \"2025-2026\"",
                r.annee_scolaire.as_deref().unwrap_or("")
            )
        })?;
    let start = r
        .start_date
        .as_deref()
        .ok_or_else(|| format!("{origin}: `start_date` is missing"))
        .and_then(|s| paris_date(s).map_err(|e| format!("{origin}: `start_date` {e}")))?;
    let resume = match r.end_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(paris_date(s).map_err(|e| format!("{origin}: `end_date` {e}"))?),
    };
    let after_class = match start.weekday() {
        Weekday::Sat | Weekday::Sun => start,
        _ => start.succ_opt().expect("not the last date"),
    };
    // The same instant twice: the pont de l'Ascension names its one day without class (the
    // Friday; Thursday is a public holiday), "Début des vacances d'été" only says when the
    // summer starts, its end belonging to a calendar not published yet.
    let (first_day, resume) = match resume {
        Some(end) if end == start && name == "Pont de l'Ascension" => (start, start.succ_opt()),
        Some(end) if end == start => (after_class, None),
        other => (after_class, other),
    };
    if let Some(resume) = resume
        && resume <= first_day
    {
        return Err(format!(
            "{origin}: classes resume on {resume}, not after the first day without class {first_day}"
        ));
    }
    Ok(Some(Read {
        zone,
        name,
        year,
        first_day,
        resume,
        pupils: population.eq_ignore_ascii_case("Élèves"),
        origin,
    }))
}

/// "2025-2026" → (2025, 2026).
fn school_year(text: &str) -> Option<(i32, i32)> {
    let (a, b) = text.trim().split_once('-')?;
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (b == a + 1 && (2000..2200).contains(&a)).then_some((a, b))
}

/// The civil date in Paris of an ISO timestamp ("2025-12-19T23:00:00+00:00"), or of a plain
/// date ("2025-12-20").
fn paris_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&super::PARIS).date_naive());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not an ISO timestamp like 2025-12-19T23:00:00+00:00"))
}

/// The ministry writes "Vacances d'Été", "Vacances d’Hiver"…: the portal shows the usual
/// spelling, the one of the shipped file.
fn normalize_name(description: &str) -> String {
    let plain = description.trim().replace('’', "'");
    let plain = match plain.strip_prefix("Début des ") {
        Some(rest) => rest.to_string(),
        None => plain,
    };
    const KNOWN: [&str; 6] = [
        "Vacances de la Toussaint",
        "Vacances de Noël",
        "Vacances d'hiver",
        "Vacances de printemps",
        "Pont de l'Ascension",
        "Vacances d'été",
    ];
    KNOWN
        .into_iter()
        .find(|k| k.to_lowercase() == plain.to_lowercase())
        .map(str::to_string)
        .unwrap_or(plain)
}

/// Merges the academies of each zone, keeps the pupils' records where there are, and computes
/// each zone's coverage from its school years.
fn merge(read: Vec<Read>, errors: &mut Vec<String>) -> (Vec<SchoolHoliday>, [Coverage; 3]) {
    // (zone, school year, name) → its records.
    let mut groups: BTreeMap<(usize, (i32, i32), String), Vec<Read>> = BTreeMap::new();
    for r in read {
        let zone = ZONES.iter().position(|z| *z == r.zone).expect("a zone");
        groups
            .entry((zone, r.year, r.name.clone()))
            .or_default()
            .push(r);
    }
    let mut years: [Vec<(i32, i32)>; 3] = Default::default();
    let mut periods = Vec::new();
    for ((zone, year, name), mut records) in groups {
        if records.iter().any(|r| r.pupils) {
            records.retain(|r| r.pupils);
        }
        // A period with its end wins over the mere announcement of its start.
        if records.iter().any(|r| r.resume.is_some()) {
            records.retain(|r| r.resume.is_some());
        }
        if !years[zone].contains(&year) {
            years[zone].push(year);
        }
        let first = &records[0];
        if let Some(other) = records
            .iter()
            .find(|r| (r.first_day, r.resume) != (first.first_day, first.resume))
        {
            errors.push(format!(
                "zone {}, {name} {}-{}: {} gives {} to {}, but {} gives {} to {}",
                ZONES[zone].as_str(),
                year.0,
                year.1,
                first.origin,
                first.first_day,
                show(first.resume),
                other.origin,
                other.first_day,
                show(other.resume)
            ));
            continue;
        }
        periods.push(SchoolHoliday {
            zone: ZONES[zone],
            name,
            first_day: first.first_day,
            resume: first.resume,
        });
    }
    let mut coverage = [Coverage {
        from: NaiveDate::MIN,
        until: NaiveDate::MIN,
    }; 3];
    for (zone, years) in years.iter_mut().enumerate() {
        years.sort();
        let name = ZONES[zone].as_str();
        let (Some(first), Some(last)) = (years.first(), years.last()) else {
            errors.push(format!(
                "zone {name}: no holiday period; the file must cover zones A, B and C"
            ));
            continue;
        };
        for pair in years.windows(2) {
            if pair[1].0 != pair[0].1 {
                errors.push(format!(
                    "zone {name}: no period for the school years between {}-{} and {}-{}",
                    pair[0].0, pair[0].1, pair[1].0, pair[1].1
                ));
            }
        }
        coverage[zone] = Coverage {
            from: NaiveDate::from_ymd_opt(first.0, 9, 1).expect("a date"),
            until: NaiveDate::from_ymd_opt(last.1, 8, 31).expect("a date"),
        };
    }
    (periods, coverage)
}

fn show(resume: Option<NaiveDate>) -> String {
    resume.map_or("no end".into(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use HolidayZone::{A, B, C};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The fixture of the end-to-end tests: the shipped years in the national format.
    const FIXTURE: &str = include_str!("../../../tests/fixtures/calendrier-scolaire.json");

    #[test]
    fn the_national_fixture_gives_the_same_days_as_the_shipped_file() {
        let imported = parse_national(FIXTURE).unwrap();
        let cal = &imported.calendar;
        let shipped = SchoolCalendar::shipped();
        for zone in [A, B, C] {
            assert_eq!(cal.coverage(zone), shipped.coverage(zone));
            // Every weekday with possible class: the pont is one Friday in the national data
            // and Thursday to Sunday in the shipped file, the same days without class.
            let days = d(2024, 9, 1)
                .iter_days()
                .take_while(|x| *x <= d(2028, 8, 31));
            for day in days.filter(|x| {
                x.weekday().num_days_from_monday() < 5
                    && crate::calendar::is_public_holiday(*x).is_none()
            }) {
                assert_eq!(
                    cal.holiday_name(zone, day),
                    shipped.holiday_name(zone, day),
                    "zone {} {day}",
                    zone.as_str()
                );
            }
        }
        // Teachers' records and other zones are left aside, and counted.
        assert_eq!(imported.ignored, 2);
        // Summer 2028: its start only, after class on Tuesday 4 July; open to the end.
        let summer = cal.periods(B).last().unwrap();
        assert_eq!((summer.first_day, summer.resume), (d(2028, 7, 5), None));
    }

    #[test]
    fn a_weekday_departure_still_has_class_and_a_saturday_one_does_not() {
        let imported = parse_national(FIXTURE).unwrap();
        let cal = &imported.calendar;
        // Pont de l'Ascension 2026: the Friday only, Thursday 14 May being a public holiday.
        assert!(!cal.is_school_holiday(B, d(2026, 5, 13)));
        assert!(cal.is_school_holiday(B, d(2026, 5, 15)));
        assert!(!cal.is_school_holiday(B, d(2026, 5, 18)));
        // Christmas 2025: the Saturday is the first day without class.
        assert_eq!(
            cal.holiday_name(B, d(2025, 12, 20)),
            Some("Vacances de Noël")
        );
        // Summer 2027: the pupils' record (back on 2 September) wins over the general one.
        let summer = cal
            .periods(A)
            .find(|h| h.first_day == d(2027, 7, 3))
            .unwrap();
        assert_eq!(summer.resume, Some(d(2027, 9, 2)));
    }

    fn record(description: &str, zone: &str, start: &str, end: &str, year: &str) -> String {
        format!(
            r#"{{"description": "{description}", "population": "-", "start_date": "{start}", "end_date": "{end}", "location": "X", "zones": "{zone}", "annee_scolaire": "{year}"}}"#
        )
    }

    fn three_zones(extra: &[String]) -> String {
        let mut records: Vec<String> = ["Zone A", "Zone B", "Zone C"]
            .iter()
            .map(|z| {
                record(
                    "Vacances de Noël",
                    z,
                    "2025-12-19T23:00:00+00:00",
                    "2026-01-04T23:00:00+00:00",
                    "2025-2026",
                )
            })
            .collect();
        records.extend_from_slice(extra);
        format!("[{}]", records.join(","))
    }

    #[test]
    fn the_start_of_a_summer_whose_end_is_not_published_is_open_ended() {
        let imported = parse_national(&three_zones(&[record(
            "Début des Vacances d'Été",
            "Zone B",
            "2026-07-03T22:00:00+00:00",
            "2026-07-03T22:00:00+00:00",
            "2025-2026",
        )]))
        .unwrap();
        let summer = imported.calendar.periods(B).last().unwrap();
        assert_eq!(summer.name, "Vacances d'été");
        assert_eq!((summer.first_day, summer.resume), (d(2026, 7, 4), None));
        assert!(imported.calendar.is_school_holiday(B, d(2026, 8, 31)));
    }

    #[test]
    fn a_minimal_file_covers_its_school_year() {
        let imported = parse_national(&three_zones(&[])).unwrap();
        assert_eq!(imported.records, 3);
        assert_eq!(imported.calendar.covered_until(C), d(2026, 8, 31));
        assert!(!imported.calendar.covered(C, d(2026, 9, 1)));
    }

    #[test]
    fn the_portal_api_shape_with_fields_is_read_too() {
        let wrapped = three_zones(&[]).replace("{\"description\"", "{\"fields\": {\"description\"");
        let wrapped = wrapped.replace("\"2025-2026\"}", "\"2025-2026\"}}");
        assert_eq!(parse_national(&wrapped).unwrap().records, 3);
    }

    #[test]
    fn not_json_is_refused_with_where() {
        let errors = parse_national("{\"description\": 1}").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("an array of records"), "{errors:?}");
        let errors = parse_national("[{\"description\": 1}]").unwrap_err();
        assert!(errors[0].contains("[0]"), "{errors:?}");
    }

    #[test]
    fn a_missing_zone_is_refused() {
        let only_a = format!(
            "[{}]",
            record(
                "Vacances de Noël",
                "Zone A",
                "2025-12-19T23:00:00+00:00",
                "2026-01-04T23:00:00+00:00",
                "2025-2026"
            )
        );
        let errors = parse_national(&only_a).unwrap_err();
        assert_eq!(
            errors,
            [
                "zone B: no holiday period; the file must cover zones A, B and C",
                "zone C: no holiday period; the file must cover zones A, B and C"
            ]
        );
    }

    #[test]
    fn bad_records_are_each_named() {
        let errors = parse_national(&three_zones(&[
            record(
                "Vacances d'Hiver",
                "Zone A",
                "2026-02-06T23:00:00+00:00",
                "2026-02-01T23:00:00+00:00",
                "2025-2026",
            ),
            record(
                "Vacances de Printemps",
                "Zone B",
                "demain",
                "2026-04-26T22:00:00+00:00",
                "2025-2026",
            ),
            record(
                "Vacances de Printemps",
                "Zone C",
                "2026-04-17T22:00:00+00:00",
                "2026-05-03T22:00:00+00:00",
                "2026",
            ),
        ]))
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "record 4 (Vacances d'hiver, Zone A, X): classes resume on 2026-02-02"
            ),
            "{errors:?}"
        );
        assert!(errors[1].starts_with("record 5 (Vacances de printemps, Zone B, X): `start_date` \"demain\" is not an ISO timestamp"), "{errors:?}");
        assert!(
            errors[2].contains("`annee_scolaire` \"2026\" is not two following years"),
            "{errors:?}"
        );
    }

    #[test]
    fn academies_that_disagree_are_refused() {
        let errors = parse_national(&three_zones(&[record(
            "Vacances de Noël",
            "Zone B",
            "2025-12-19T23:00:00+00:00",
            "2026-01-05T23:00:00+00:00",
            "2025-2026",
        )]))
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("zone B, Vacances de Noël 2025-2026: record 2"),
            "{errors:?}"
        );
    }

    #[test]
    fn overlapping_periods_and_gaps_between_years_are_refused() {
        let errors = parse_national(&three_zones(&[
            record(
                "Vacances d'hiver",
                "Zone A",
                "2025-12-26T23:00:00+00:00",
                "2026-01-10T23:00:00+00:00",
                "2025-2026",
            ),
            record(
                "Vacances de Noël",
                "Zone C",
                "2027-12-17T23:00:00+00:00",
                "2028-01-02T23:00:00+00:00",
                "2027-2028",
            ),
        ]))
        .unwrap_err();
        assert_eq!(
            errors,
            ["zone C: no period for the school years between 2025-2026 and 2027-2028",],
        );
        let errors = parse_national(&three_zones(&[record(
            "Vacances d'hiver",
            "Zone A",
            "2025-12-26T23:00:00+00:00",
            "2026-01-10T23:00:00+00:00",
            "2025-2026",
        )]))
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("overlap"), "{errors:?}");
    }
}
