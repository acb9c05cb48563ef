//! The month a billing run covers, written `YYYY-MM`.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `2026-11` → November 2026; anything else is `None`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
        Some(Month { first })
    }

    pub fn of(day: NaiveDate) -> Month {
        Month {
            first: day.with_day(1).expect("every month has a first day"),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// The first day of the next month (the end, excluded).
    pub fn end(&self) -> NaiveDate {
        self.first
            .checked_add_months(chrono::Months::new(1))
            .expect("a date in range")
    }

    /// "novembre 2026", in the current locale.
    pub fn label(&self) -> String {
        format!(
            "{} {}",
            crate::i18n::calendar::month(self.first.month0() as usize),
            self.first.year()
        )
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_read_from_year_and_month() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(m.first_day(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(m.end(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(m.to_string(), "2026-11");
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(december.end(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "novembre", ""] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }
}
