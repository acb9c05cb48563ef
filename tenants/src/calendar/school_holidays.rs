//! School holidays of metropolitan France by zone (A, B, C), read once from the data file
//! compiled into the binary, `school_holidays.csv` (its header says where the dates come from
//! and how they were checked).
//!
//! # What "school holiday" means here
//!
//! The official calendar gives two dates per period: pupils leave *after class* on the first
//! ("le départ en vacances a lieu après la classe") and come back *in the morning* of the
//! second ("la reprise des cours s'effectue le matin"). The first date is therefore still a
//! school day when it falls on a weekday, and the second is always a school day. The data file
//! stores each period as the half-open range `[first_day, resume)` of days *without class*:
//!
//! - a Saturday departure (every regular period): primary schools, whose children the
//!   municipal services look after, have no class on Saturdays, so the Saturday is already a
//!   holiday: zone B Christmas 2025-2026 runs from Saturday 20 December 2025 to Sunday
//!   4 January 2026, and Monday 5 January 2026 is a school day;
//! - a weekday departure (the Wednesday before the pont de l'Ascension, Tuesday 4 July 2028):
//!   that day has class, canteen and périscolaire; the holiday starts the next day.
//!
//! # Coverage
//!
//! The file covers the school years 2024-2025 to 2027-2028, i.e. the dates from
//! [`COVERAGE_START`] to [`COVERAGE_END`]. Outside them the functions answer "no holiday"
//! because nothing is known, not because it is a school day: callers must ask [`covered`]
//! first ([`super::runs_on`] does, and refuses to guess).

use crate::config::HolidayZone;
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::LazyLock;

/// First date whose school year the data file covers (school year 2024-2025).
pub const COVERAGE_START: NaiveDate = date(2024, 9, 1);
/// Last date whose school year the data file covers (school year 2027-2028, summer included).
pub const COVERAGE_END: NaiveDate = date(2028, 8, 31);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

const DATA: &str = include_str!("school_holidays.csv");

/// One holiday period of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SchoolHoliday {
    pub zone: HolidayZone,
    /// The official name, e.g. "Vacances de Noël", "Pont de l'Ascension".
    pub name: String,
    /// The first day without class.
    pub first_day: NaiveDate,
    /// The day classes resume, in the morning: a school day. `None` when the next calendar is
    /// not published yet (the period then lasts at least until [`COVERAGE_END`]).
    pub resume: Option<NaiveDate>,
}

impl SchoolHoliday {
    /// The last day without class that the data knows of.
    pub fn last_day(&self) -> NaiveDate {
        match self.resume {
            Some(resume) => resume.pred_opt().expect("a resume date has a previous day"),
            None => COVERAGE_END,
        }
    }

    /// Whether `date` is one of its days without class. An open-ended period stops at
    /// [`COVERAGE_END`]: what comes after is unknown, not a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day()
    }
}

/// Every period of every zone, by zone then by date. Parsed and checked on first use; the
/// file is part of the source, so a malformed file is a bug caught by the tests, hence the
/// panics.
static HOLIDAYS: LazyLock<Vec<SchoolHoliday>> = LazyLock::new(|| parse(DATA));

fn parse(data: &str) -> Vec<SchoolHoliday> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(data.as_bytes());
    let mut rows: Vec<SchoolHoliday> = reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.unwrap_or_else(|e| panic!("school_holidays.csv, row {i}: {e}")))
        .collect();
    rows.sort_by_key(|h| (h.zone.as_str(), h.first_day));
    for h in &rows {
        assert!(
            !h.name.is_empty(),
            "school_holidays.csv: a period has no name"
        );
        if let Some(resume) = h.resume {
            assert!(
                h.first_day < resume,
                "school_holidays.csv: {} {} ends before it starts",
                h.zone.as_str(),
                h.name
            );
        }
    }
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.zone == b.zone {
            let a_end = a.resume.unwrap_or_else(|| {
                panic!("school_holidays.csv: only the last period of a zone may be open-ended")
            });
            assert!(
                a_end <= b.first_day,
                "school_holidays.csv: {} {} and {} overlap",
                a.zone.as_str(),
                a.name,
                b.name
            );
        }
    }
    rows
}

/// Whether the data file covers the school year of `date`. When it does not, "is this a
/// school holiday" has no answer.
pub fn covered(date: NaiveDate) -> bool {
    (COVERAGE_START..=COVERAGE_END).contains(&date)
}

fn period(zone: HolidayZone, date: NaiveDate) -> Option<&'static SchoolHoliday> {
    HOLIDAYS.iter().find(|h| h.zone == zone && h.contains(date))
}

/// Whether `date` is a day without class in `zone` because of school holidays (public
/// holidays alone do not count: see [`super::is_public_holiday`]). Meaningful only when
/// [`covered`]`(date)`.
pub fn is_school_holiday(zone: HolidayZone, date: NaiveDate) -> bool {
    period(zone, date).is_some()
}

/// The name of the school holidays `date` falls in, e.g. "Vacances de Noël".
pub fn holiday_name(zone: HolidayZone, date: NaiveDate) -> Option<&'static str> {
    period(zone, date).map(|h| h.name.as_str())
}

/// The periods of `zone` in date order, for display (e.g. the holiday calendar page).
pub fn school_holidays(zone: HolidayZone) -> impl Iterator<Item = &'static SchoolHoliday> {
    HOLIDAYS.iter().filter(move |h| h.zone == zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use HolidayZone::{A, B, C};

    const ZONES: [HolidayZone; 3] = [A, B, C];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Asserts that `last_school_day` has class and the day after does not, and that the
    /// holiday runs until `resume`, which has class again.
    fn assert_period(zone: HolidayZone, name: &str, last_school_day: NaiveDate, resume: NaiveDate) {
        let first = last_school_day.succ_opt().unwrap();
        let last = resume.pred_opt().unwrap();
        let z = zone.as_str();
        assert!(
            !is_school_holiday(zone, last_school_day),
            "{z} {name}: {last_school_day} has class"
        );
        assert_eq!(holiday_name(zone, last_school_day), None);
        for day in first.iter_days().take_while(|day| *day <= last) {
            assert_eq!(holiday_name(zone, day), Some(name), "{z} {name}: {day}");
        }
        assert!(
            !is_school_holiday(zone, resume),
            "{z} {name}: {resume} has class"
        );
    }

    #[test]
    fn the_data_file_parses_and_has_every_zone() {
        assert_eq!(HOLIDAYS.len(), 75);
        for zone in ZONES {
            assert_eq!(school_holidays(zone).count(), 25, "{}", zone.as_str());
        }
    }

    #[test]
    fn every_covered_school_year_has_its_five_periods_and_its_pont_in_every_zone() {
        for zone in ZONES {
            for year in 2024..=2027 {
                let start = d(year, 9, 1);
                let end = d(year + 1, 8, 31);
                let names: Vec<&str> = school_holidays(zone)
                    .filter(|h| h.first_day >= start && h.first_day <= end)
                    .map(|h| h.name.as_str())
                    .collect();
                assert_eq!(
                    names,
                    [
                        "Vacances de la Toussaint",
                        "Vacances de Noël",
                        "Vacances d'hiver",
                        "Vacances de printemps",
                        "Pont de l'Ascension",
                        "Vacances d'été",
                    ],
                    "zone {} {year}-{}",
                    zone.as_str(),
                    year + 1
                );
            }
        }
    }

    #[test]
    fn periods_are_ordered_and_never_overlap() {
        for zone in ZONES {
            let periods: Vec<_> = school_holidays(zone).collect();
            for pair in periods.windows(2) {
                assert!(pair[0].resume.unwrap() <= pair[1].first_day);
            }
            // Only the summer 2028 is open-ended.
            let open: Vec<_> = periods.iter().filter(|h| h.resume.is_none()).collect();
            assert_eq!(open.len(), 1);
            assert_eq!(open[0].first_day, d(2028, 7, 5));
        }
    }

    #[test]
    fn regular_holidays_start_on_a_saturday_and_classes_resume_on_a_weekday() {
        use chrono::Datelike;
        for h in HOLIDAYS.iter().filter(|h| h.name != "Pont de l'Ascension") {
            if h.first_day != d(2028, 7, 5) {
                assert_eq!(h.first_day.weekday(), chrono::Weekday::Sat, "{h:?}");
            }
            if let Some(resume) = h.resume {
                assert!(
                    resume.weekday().num_days_from_monday() < 5,
                    "{h:?} resumes on a weekend"
                );
            }
        }
    }

    #[test]
    fn zone_b_christmas_2025_2026() {
        // Official: "fin des cours samedi 20 décembre 2025, reprise lundi 5 janvier 2026".
        assert_period(B, "Vacances de Noël", d(2025, 12, 19), d(2026, 1, 5));
        assert!(is_school_holiday(B, d(2025, 12, 20)));
        assert!(is_school_holiday(B, d(2026, 1, 4)));
    }

    #[test]
    fn summer_2026_starts_on_saturday_4_july_in_every_zone() {
        for zone in ZONES {
            assert_period(zone, "Vacances d'été", d(2026, 7, 3), d(2026, 9, 1));
        }
    }

    #[test]
    fn toussaint_2026_is_the_same_in_every_zone() {
        // Official: leave Saturday 17 October 2026, resume Monday 2 November 2026.
        for zone in ZONES {
            assert_period(
                zone,
                "Vacances de la Toussaint",
                d(2026, 10, 16),
                d(2026, 11, 2),
            );
        }
    }

    #[test]
    fn winter_and_spring_differ_by_zone() {
        // 2025-2026.
        assert_period(A, "Vacances d'hiver", d(2026, 2, 6), d(2026, 2, 23));
        assert_period(B, "Vacances d'hiver", d(2026, 2, 13), d(2026, 3, 2));
        assert_period(C, "Vacances d'hiver", d(2026, 2, 20), d(2026, 3, 9));
        assert_period(A, "Vacances de printemps", d(2026, 4, 3), d(2026, 4, 20));
        assert_period(B, "Vacances de printemps", d(2026, 4, 10), d(2026, 4, 27));
        assert_period(C, "Vacances de printemps", d(2026, 4, 17), d(2026, 5, 4));
        // 2026-2027, zone C.
        assert_period(C, "Vacances d'hiver", d(2027, 2, 5), d(2027, 2, 22));
        assert_period(C, "Vacances de printemps", d(2027, 4, 2), d(2027, 4, 19));
    }

    #[test]
    fn classes_resume_on_a_tuesday_after_a_public_holiday_monday() {
        // Zone B spring 2025: Easter Monday 21 April, classes resume Tuesday 22 April.
        assert_period(B, "Vacances de printemps", d(2025, 4, 4), d(2025, 4, 22));
        // Zone C spring 2028: Monday 1 May, classes resume Tuesday 2 May.
        assert_period(C, "Vacances de printemps", d(2028, 4, 14), d(2028, 5, 2));
        // Zone A spring 2028: Monday 8 May, classes resume Tuesday 9 May.
        assert_period(A, "Vacances de printemps", d(2028, 4, 21), d(2028, 5, 9));
    }

    #[test]
    fn the_pont_de_l_ascension_has_no_class_from_thursday_to_sunday() {
        for zone in ZONES {
            // After class on Wednesday, back on Monday morning.
            assert_period(zone, "Pont de l'Ascension", d(2025, 5, 28), d(2025, 6, 2));
            assert_period(zone, "Pont de l'Ascension", d(2026, 5, 13), d(2026, 5, 18));
            assert_period(zone, "Pont de l'Ascension", d(2027, 5, 5), d(2027, 5, 10));
            assert_period(zone, "Pont de l'Ascension", d(2028, 5, 24), d(2028, 5, 29));
        }
    }

    #[test]
    fn pupils_return_on_thursday_2_september_2027() {
        for zone in ZONES {
            assert_period(zone, "Vacances d'été", d(2027, 7, 2), d(2027, 9, 2));
            // Wednesday 1 September is the teachers' return, not the pupils'.
            assert!(is_school_holiday(zone, d(2027, 9, 1)));
        }
    }

    #[test]
    fn summer_2028_starts_after_class_on_tuesday_4_july() {
        for zone in ZONES {
            assert!(!is_school_holiday(zone, d(2028, 7, 4)));
            assert_eq!(holiday_name(zone, d(2028, 7, 5)), Some("Vacances d'été"));
            // Open-ended, but known to last until the end of the coverage.
            assert!(is_school_holiday(zone, COVERAGE_END));
            let summer = school_holidays(zone).last().unwrap();
            assert_eq!(summer.resume, None);
            assert_eq!(summer.last_day(), COVERAGE_END);
        }
    }

    #[test]
    fn the_first_covered_day_is_in_the_summer_2024_and_school_starts_on_2_september() {
        for zone in ZONES {
            assert!(is_school_holiday(zone, COVERAGE_START));
            assert!(!is_school_holiday(zone, d(2024, 9, 2)));
        }
    }

    #[test]
    fn coverage_is_the_school_years_2024_2025_to_2027_2028() {
        assert!(!covered(d(2024, 8, 31)));
        assert!(covered(d(2024, 9, 1)));
        assert!(covered(d(2026, 2, 14)));
        assert!(covered(d(2028, 8, 31)));
        assert!(!covered(d(2028, 9, 1)));
        assert!(!covered(d(2031, 1, 1)));
        // Outside the coverage nothing is known, so nothing is a holiday.
        for zone in ZONES {
            assert!(!is_school_holiday(zone, d(2029, 12, 25)));
            assert!(!is_school_holiday(zone, d(2023, 12, 25)));
        }
    }

    #[test]
    fn last_day_is_the_eve_of_the_resume_date() {
        let christmas = school_holidays(B)
            .find(|h| h.first_day == d(2025, 12, 20))
            .unwrap();
        assert_eq!(christmas.last_day(), d(2026, 1, 4));
        assert!(christmas.contains(d(2026, 1, 4)));
        assert!(!christmas.contains(d(2026, 1, 5)));
        assert!(!christmas.contains(d(2025, 12, 19)));
    }

    #[test]
    #[should_panic(expected = "overlap")]
    fn overlapping_periods_are_refused() {
        parse("zone,name,first_day,resume\nA,x,2025-01-01,2025-01-10\nA,y,2025-01-09,2025-01-12\n");
    }

    #[test]
    #[should_panic(expected = "ends before it starts")]
    fn reversed_periods_are_refused() {
        parse("zone,name,first_day,resume\nA,x,2025-01-10,2025-01-10\n");
    }

    #[test]
    #[should_panic(expected = "row 0")]
    fn malformed_rows_are_refused() {
        parse("zone,name,first_day,resume\nD,x,2025-01-01,2025-01-10\n");
    }

    #[test]
    fn periods_of_different_zones_may_overlap() {
        let rows = parse(
            "zone,name,first_day,resume\nA,x,2025-01-01,2025-01-10\nB,x,2025-01-05,2025-01-12\n",
        );
        assert_eq!(rows.len(), 2);
    }
}
