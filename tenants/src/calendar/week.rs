//! ISO 8601 weeks, the pages of the weekly booking grid (`?semaine=2026-W04`).
//!
//! An ISO week runs Monday to Sunday and belongs to the year of its Thursday, so the days of
//! `2026-W01` are 29 December 2025 to 4 January 2026, and a year has 52 or 53 weeks. French
//! calendars number weeks the same way.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// One ISO week, e.g. `2026-W04`. Only existing weeks can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekId {
    // Field order matters: the derived ordering is chronological.
    year: i32,
    week: u32,
}

/// Why a text is not a week.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeekIdError {
    #[error("{0:?} is not a week (expected YYYY-Www, e.g. 2026-W04)")]
    Malformed(String),
    #[error("week {week:02} does not exist in the ISO year {year}")]
    NoSuchWeek { year: i32, week: u32 },
}

impl WeekId {
    /// The week `week` of the ISO year `year`, if it exists (1 to 52, or 53 in long years).
    pub fn new(year: i32, week: u32) -> Option<Self> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| Self { year, week })
    }

    /// The week that contains `date`. Early January days may belong to the last week of the
    /// year before, late December days to week 1 of the year after.
    pub fn containing(date: NaiveDate) -> Self {
        let iso = date.iso_week();
        Self {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// The ISO year, which differs from the calendar year of some of its days.
    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn week(&self) -> u32 {
        self.week
    }

    pub fn monday(&self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("a WeekId is always a valid week")
    }

    pub fn sunday(&self) -> NaiveDate {
        self.monday() + Days::new(6)
    }

    /// Monday to Sunday.
    pub fn days(&self) -> [NaiveDate; 7] {
        let monday = self.monday();
        std::array::from_fn(|i| monday + Days::new(i as u64))
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        Self::containing(date) == *self
    }

    pub fn next(&self) -> Self {
        Self::containing(self.monday() + Days::new(7))
    }

    pub fn previous(&self) -> Self {
        Self::containing(self.monday() - Days::new(7))
    }

    /// The heading of the booking grid: "Semaine 04 / 2026".
    pub fn label_fr(&self) -> String {
        crate::i18n::calendar::week_label(self.year, self.week)
    }
}

impl fmt::Display for WeekId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl FromStr for WeekId {
    type Err = WeekIdError;

    /// Exactly `YYYY-Www`: four digits, `-W`, two digits. Lowercase `w`, missing zeros, signs
    /// and spaces are refused, so that each week has a single spelling in URLs.
    fn from_str(input: &str) -> Result<Self, WeekIdError> {
        let malformed = || WeekIdError::Malformed(input.to_string());
        let bytes = input.as_bytes();
        let well_formed = bytes.len() == 8
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && &bytes[4..6] == b"-W"
            && bytes[6..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(malformed());
        }
        let year: i32 = input[..4].parse().map_err(|_| malformed())?;
        let week: u32 = input[6..].parse().map_err(|_| malformed())?;
        Self::new(year, week).ok_or(WeekIdError::NoSuchWeek { year, week })
    }
}

impl Serialize for WeekId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WeekId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn w(s: &str) -> WeekId {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_displays() {
        let week = w("2026-W04");
        assert_eq!((week.year(), week.week()), (2026, 4));
        assert_eq!(week.to_string(), "2026-W04");
        assert_eq!(week.label_fr(), "Semaine 04 / 2026");
        assert_eq!(w("2026-W52").label_fr(), "Semaine 52 / 2026");
        assert_eq!(w("2026-W01").to_string(), "2026-W01");
    }

    #[test]
    fn refuses_malformed_text() {
        for bad in [
            "",
            "2026",
            "2026-04",
            "2026W04",
            "2026-w04",
            "2026-W4",
            "2026-W004",
            "26-W04",
            "+2026-W04",
            "2026-W+4",
            "2026-W-4",
            " 2026-W04",
            "2026-W04 ",
            "2026-W04-1",
            "２０２６-W04",
            "abcd-Wef",
        ] {
            assert_eq!(
                bad.parse::<WeekId>(),
                Err(WeekIdError::Malformed(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_weeks_that_do_not_exist() {
        assert_eq!(
            "2026-W00".parse::<WeekId>(),
            Err(WeekIdError::NoSuchWeek {
                year: 2026,
                week: 0
            })
        );
        assert_eq!(
            "2026-W54".parse::<WeekId>(),
            Err(WeekIdError::NoSuchWeek {
                year: 2026,
                week: 54
            })
        );
        assert!("2026-W99".parse::<WeekId>().is_err());
        // 2026 has 53 weeks (1 January 2026 is a Thursday); 2025 and 2027 have 52.
        assert!("2026-W53".parse::<WeekId>().is_ok());
        assert_eq!(
            "2025-W53".parse::<WeekId>(),
            Err(WeekIdError::NoSuchWeek {
                year: 2025,
                week: 53
            })
        );
        assert!("2027-W53".parse::<WeekId>().is_err());
        assert!("2020-W53".parse::<WeekId>().is_ok()); // a leap year starting on Wednesday
        assert_eq!(WeekId::new(2027, 52).map(|w| w.week()), Some(52));
        assert_eq!(WeekId::new(2027, 53), None);
        assert_eq!(
            "2025-W53".parse::<WeekId>().unwrap_err().to_string(),
            "week 53 does not exist in the ISO year 2025"
        );
    }

    #[test]
    fn days_run_monday_to_sunday() {
        let week = w("2026-W04");
        assert_eq!(week.monday(), d(2026, 1, 19));
        assert_eq!(week.sunday(), d(2026, 1, 25));
        let days = week.days();
        assert_eq!(days[0], d(2026, 1, 19));
        assert_eq!(days[6], d(2026, 1, 25));
        for (i, day) in days.iter().enumerate() {
            assert_eq!(day.weekday().num_days_from_monday() as usize, i);
            assert!(week.contains(*day));
        }
        assert!(!week.contains(d(2026, 1, 18)));
        assert!(!week.contains(d(2026, 1, 26)));
    }

    #[test]
    fn the_first_and_last_weeks_straddle_calendar_years() {
        // 2026-W01 starts on Monday 29 December 2025.
        assert_eq!(w("2026-W01").monday(), d(2025, 12, 29));
        assert_eq!(WeekId::containing(d(2025, 12, 31)), w("2026-W01"));
        // 1 January 2027 is a Friday: it belongs to 2026-W53.
        assert_eq!(WeekId::containing(d(2027, 1, 1)), w("2026-W53"));
        assert_eq!(w("2026-W53").sunday(), d(2027, 1, 3));
        assert_eq!(WeekId::containing(d(2027, 1, 4)), w("2027-W01"));
    }

    #[test]
    fn containing_finds_the_week_of_any_day() {
        for day in d(2026, 1, 19).iter_days().take(7) {
            assert_eq!(WeekId::containing(day), w("2026-W04"));
        }
        // Every day of several years lies in its own week.
        for day in d(2024, 1, 1).iter_days().take(365 * 5) {
            let week = WeekId::containing(day);
            assert!(week.days().contains(&day), "{day}");
        }
    }

    #[test]
    fn next_and_previous_cross_year_boundaries() {
        assert_eq!(w("2026-W04").next(), w("2026-W05"));
        assert_eq!(w("2026-W04").previous(), w("2026-W03"));
        assert_eq!(w("2026-W52").next(), w("2026-W53"));
        assert_eq!(w("2026-W53").next(), w("2027-W01"));
        assert_eq!(w("2027-W01").previous(), w("2026-W53"));
        assert_eq!(w("2025-W52").next(), w("2026-W01"));
        assert_eq!(w("2026-W01").previous(), w("2025-W52"));
        // Walking forward visits every week once, in order.
        let mut week = w("2024-W01");
        let mut count = 0;
        while week.year() < 2029 {
            let next = week.next();
            assert!(next > week);
            assert_eq!(next.previous(), week);
            assert_eq!(next.monday(), week.monday() + Days::new(7));
            week = next;
            count += 1;
        }
        // 2024 to 2028: 52 + 52 + 53 + 52 + 52 weeks.
        assert_eq!(count, 261);
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(w("2025-W52") < w("2026-W01"));
        assert!(w("2026-W09") < w("2026-W10"));
    }

    #[test]
    fn serializes_as_its_text() {
        let week = w("2026-W04");
        assert_eq!(serde_json::to_string(&week).unwrap(), "\"2026-W04\"");
        assert_eq!(
            serde_json::from_str::<WeekId>("\"2026-W04\"").unwrap(),
            week
        );
        assert!(serde_json::from_str::<WeekId>("\"2026-W54\"").is_err());
    }
}
