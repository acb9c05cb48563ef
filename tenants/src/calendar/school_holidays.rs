//! School holidays of metropolitan France by zone (A, B, C): a [`SchoolCalendar`] value. The
//! one shipped in the binary is read once from `school_holidays.csv` (its header says where the
//! dates come from and how they were checked); a newer one can be imported from the ministry's
//! open data (see [`super::national`]) and is then passed in by the caller. Nothing here reads
//! a file or a database.
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
//! Each zone is covered from a first to a last date (the shipped file: the school years
//! 2024-2025 to 2027-2028, [`COVERAGE_START`] to [`COVERAGE_END`]). Outside them the methods
//! answer "no holiday" because nothing is known, not because it is a school day: callers must
//! ask [`SchoolCalendar::covered`] first ([`super::runs_on`] does, and refuses to guess).

use crate::config::HolidayZone;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// First date whose school year the shipped file covers (school year 2024-2025).
pub const COVERAGE_START: NaiveDate = date(2024, 9, 1);
/// Last date whose school year the shipped file covers (school year 2027-2028, summer
/// included).
pub const COVERAGE_END: NaiveDate = date(2028, 8, 31);

/// How long before its last covered day a calendar must be refreshed: parents book up to a
/// school year ahead, and the ministry publishes each calendar well over a year in advance.
pub const REFRESH_NOTICE: Months = Months::new(12);

pub const ZONES: [HolidayZone; 3] = [HolidayZone::A, HolidayZone::B, HolidayZone::C];

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

const DATA: &str = include_str!("school_holidays.csv");

/// One holiday period of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolHoliday {
    pub zone: HolidayZone,
    /// The official name, e.g. "Vacances de Noël", "Pont de l'Ascension".
    pub name: String,
    /// The first day without class.
    pub first_day: NaiveDate,
    /// The day classes resume, in the morning: a school day. `None` when the next calendar is
    /// not published yet (the period then lasts at least until the zone's last covered day).
    pub resume: Option<NaiveDate>,
}

impl SchoolHoliday {
    /// The last day without class that the data knows of; an open-ended period stops at
    /// `covered_until`: what comes after is unknown, not a holiday.
    pub fn last_day(&self, covered_until: NaiveDate) -> NaiveDate {
        match self.resume {
            Some(resume) => resume.pred_opt().expect("a resume date has a previous day"),
            None => covered_until,
        }
    }

    /// Whether `date` is one of its days without class.
    pub fn contains(&self, date: NaiveDate, covered_until: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day(covered_until)
    }
}

/// The dates one zone is covered for, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// The school holidays of zones A, B and C, and the dates each zone is covered for. Built
/// only through [`SchoolCalendar::new`], which checks it, so every value is consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCalendar {
    /// By zone, then by first day.
    periods: Vec<SchoolHoliday>,
    /// Indexed like [`ZONES`].
    coverage: [Coverage; 3],
}

fn index(zone: HolidayZone) -> usize {
    match zone {
        HolidayZone::A => 0,
        HolidayZone::B => 1,
        HolidayZone::C => 2,
    }
}

/// The shipped calendar, parsed on first use; the file is part of the source, so a malformed
/// file is a bug caught by the tests, hence the panic.
static SHIPPED: LazyLock<SchoolCalendar> = LazyLock::new(|| {
    let all = Coverage {
        from: COVERAGE_START,
        until: COVERAGE_END,
    };
    SchoolCalendar::new(parse_csv(DATA), [all; 3])
        .unwrap_or_else(|errors| panic!("school_holidays.csv: {}", errors.join("; ")))
});

fn parse_csv(data: &str) -> Vec<SchoolHoliday> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(data.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.unwrap_or_else(|e| panic!("school_holidays.csv, row {i}: {e}")))
        .collect()
}

impl SchoolCalendar {
    /// The calendar compiled into this version: the default until one is imported.
    pub fn shipped() -> &'static SchoolCalendar {
        &SHIPPED
    }

    /// Checks and orders `periods`; `coverage` is indexed like [`ZONES`]. Every problem is
    /// reported, each in one sentence naming the zone and the period.
    pub fn new(
        mut periods: Vec<SchoolHoliday>,
        coverage: [Coverage; 3],
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        periods.sort_by_key(|h| (index(h.zone), h.first_day));
        for (zone, c) in ZONES.iter().zip(&coverage) {
            if c.until < c.from {
                errors.push(format!(
                    "zone {}: covered until {} before {}",
                    zone.as_str(),
                    c.until,
                    c.from
                ));
            }
        }
        for h in &periods {
            if h.name.trim().is_empty() {
                errors.push(format!(
                    "zone {}: the period starting on {} has no name",
                    h.zone.as_str(),
                    h.first_day
                ));
            }
            if let Some(resume) = h.resume
                && resume <= h.first_day
            {
                errors.push(format!(
                    "zone {}: {} ends before it starts ({} to {resume})",
                    h.zone.as_str(),
                    h.name,
                    h.first_day
                ));
            }
        }
        for pair in periods.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.zone != b.zone {
                continue;
            }
            match a.resume {
                None => errors.push(format!(
                    "zone {}: {} starting on {} has no end, but only the last period of a zone may be open-ended",
                    a.zone.as_str(),
                    a.name,
                    a.first_day
                )),
                Some(end) if end > b.first_day => errors.push(format!(
                    "zone {}: {} ({} to {end}) and {} (from {}) overlap",
                    a.zone.as_str(),
                    a.name,
                    a.first_day,
                    b.name,
                    b.first_day
                )),
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(Self { periods, coverage })
        } else {
            Err(errors)
        }
    }

    pub fn coverage(&self, zone: HolidayZone) -> Coverage {
        self.coverage[index(zone)]
    }

    /// The last day whose school calendar `zone` knows.
    pub fn covered_until(&self, zone: HolidayZone) -> NaiveDate {
        self.coverage(zone).until
    }

    /// Whether the calendar covers the school year of `date` in `zone`. When it does not,
    /// "is this a school holiday" has no answer.
    pub fn covered(&self, zone: HolidayZone, date: NaiveDate) -> bool {
        let c = self.coverage(zone);
        (c.from..=c.until).contains(&date)
    }

    /// The zones whose data ends within [`REFRESH_NOTICE`] of `today`: the calendar must be
    /// refreshed (`portail calendar import`) before parents meet "not published yet".
    pub fn ending_soon(&self, today: NaiveDate) -> Vec<HolidayZone> {
        let horizon = today + REFRESH_NOTICE;
        ZONES
            .into_iter()
            .filter(|z| self.covered_until(*z) < horizon)
            .collect()
    }

    fn period(&self, zone: HolidayZone, date: NaiveDate) -> Option<&SchoolHoliday> {
        let until = self.covered_until(zone);
        self.periods
            .iter()
            .find(|h| h.zone == zone && h.contains(date, until))
    }

    /// Whether `date` is a day without class in `zone` because of school holidays (public
    /// holidays alone do not count: see [`super::is_public_holiday`]). Meaningful only when
    /// [`Self::covered`].
    pub fn is_school_holiday(&self, zone: HolidayZone, date: NaiveDate) -> bool {
        self.period(zone, date).is_some()
    }

    /// The name of the school holidays `date` falls in, e.g. "Vacances de Noël".
    pub fn holiday_name(&self, zone: HolidayZone, date: NaiveDate) -> Option<&str> {
        self.period(zone, date).map(|h| h.name.as_str())
    }

    /// The periods of `zone` in date order, for display.
    pub fn periods(&self, zone: HolidayZone) -> impl Iterator<Item = &SchoolHoliday> {
        self.periods.iter().filter(move |h| h.zone == zone)
    }

    /// Every period, by zone then date (what an import stores).
    pub fn all_periods(&self) -> &[SchoolHoliday] {
        &self.periods
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HolidayZone::{A, B, C};

    // The shipped calendar through the short names the assertions read best with.
    fn cal() -> &'static SchoolCalendar {
        SchoolCalendar::shipped()
    }
    fn is_school_holiday(zone: HolidayZone, date: NaiveDate) -> bool {
        cal().is_school_holiday(zone, date)
    }
    fn holiday_name(zone: HolidayZone, date: NaiveDate) -> Option<&'static str> {
        cal().holiday_name(zone, date)
    }
    fn school_holidays(zone: HolidayZone) -> impl Iterator<Item = &'static SchoolHoliday> {
        cal().periods(zone)
    }
    fn covered(date: NaiveDate) -> bool {
        ZONES.iter().all(|z| cal().covered(*z, date))
    }
    fn parse(data: &str) -> Vec<SchoolHoliday> {
        let all = Coverage {
            from: COVERAGE_START,
            until: COVERAGE_END,
        };
        SchoolCalendar::new(parse_csv(data), [all; 3])
            .unwrap_or_else(|e| panic!("{}", e.join("; ")))
            .all_periods()
            .to_vec()
    }

    /// The release reminder: this test starts failing 12 months before the shipped school
    /// calendar runs out, so that a release ships the next one (update `school_holidays.csv`
    /// and `COVERAGE_END`) before any installation depends on `portail calendar import`.
    #[test]
    fn the_shipped_calendar_lasts_at_least_twelve_more_months() {
        let today = crate::calendar::paris_date(chrono::Utc::now());
        assert_eq!(
            cal().ending_soon(today),
            [],
            "the shipped school calendar ends on {COVERAGE_END}, less than 12 months after {today}: \
             add the next school year to school_holidays.csv and move COVERAGE_END"
        );
    }

    #[test]
    fn a_zone_ends_soon_from_twelve_months_before_its_last_covered_day() {
        assert_eq!(cal().ending_soon(d(2027, 8, 31)), []);
        assert_eq!(cal().ending_soon(d(2027, 9, 1)), [A, B, C]);
        let mut coverage = [Coverage {
            from: COVERAGE_START,
            until: COVERAGE_END,
        }; 3];
        coverage[1].until = d(2029, 8, 31);
        let longer_b = SchoolCalendar::new(vec![], coverage).unwrap();
        assert_eq!(longer_b.ending_soon(d(2027, 9, 1)), [A, C]);
        assert_eq!(longer_b.covered_until(B), d(2029, 8, 31));
        assert!(longer_b.covered(B, d(2029, 1, 1)));
        assert!(!longer_b.covered(A, d(2029, 1, 1)));
    }

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
        assert_eq!(cal().all_periods().len(), 75);
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
        for h in cal()
            .all_periods()
            .iter()
            .filter(|h| h.name != "Pont de l'Ascension")
        {
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
            assert_eq!(summer.last_day(COVERAGE_END), COVERAGE_END);
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
        assert_eq!(christmas.last_day(COVERAGE_END), d(2026, 1, 4));
        assert!(christmas.contains(d(2026, 1, 4), COVERAGE_END));
        assert!(!christmas.contains(d(2026, 1, 5), COVERAGE_END));
        assert!(!christmas.contains(d(2025, 12, 19), COVERAGE_END));
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
