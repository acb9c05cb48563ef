//! The pure calendar rules of booking: school holidays by zone, French public holidays,
//! whether a prestation runs on a day, booking and cancellation deadlines in Europe/Paris, and
//! the ISO weeks of the booking grid.
//!
//! Nothing here reads a clock, a file or a database: "now" is always a parameter, and the
//! school holiday dates are a [`SchoolCalendar`] value the caller passes in: the one compiled
//! in (`school_holidays.csv`) or one imported from the national open data ([`parse_national`]
//! turns its JSON text into a calendar; reading the file and storing it is the caller's job). That keeps every rule
//! testable at any instant, including the awkward ones (a deadline on a daylight-saving
//! change day, the last second before a deadline).
//!
//! Dates (`NaiveDate`) are civil dates in France; instants are `DateTime<Utc>` on the way in
//! and `DateTime<Tz>` (Europe/Paris) on the way out, so that a deadline can be shown as the
//! parents' wall-clock time.

mod deadlines;
mod national;
mod public_holidays;
mod running;
mod school_holidays;
mod week;

pub use deadlines::{booking_deadline, deadline_label_fr, is_open, paris_instant};
pub use national::{ImportedCalendar, parse_national};
pub use public_holidays::{easter_sunday, is_public_holiday, is_working_day, public_holidays};
pub use running::{NotRunning, runs_on};
pub use school_holidays::{
    COVERAGE_END, COVERAGE_START, Coverage, REFRESH_NOTICE, SchoolCalendar, SchoolHoliday, ZONES,
};
pub use week::{WeekId, WeekIdError};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The time zone of every deadline and of "today", whatever the server's own zone.
pub const PARIS: Tz = chrono_tz::Europe::Paris;

/// The civil date in Paris at the instant `now`: "today" for the booking grid and the
/// deadlines. Between 22:00 and 24:00 UTC it is already the next day in Paris (in summer).
pub fn paris_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&PARIS).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_date_in_paris_not_in_utc() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Summer (UTC+2): 21:59 UTC is 23:59 the same day, 22:00 UTC is midnight the next day.
        let before = Utc.with_ymd_and_hms(2026, 7, 1, 21, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 7, 1, 22, 0, 0).unwrap();
        assert_eq!(paris_date(before), d(2026, 7, 1));
        assert_eq!(paris_date(after), d(2026, 7, 2));
        // Winter (UTC+1).
        let before = Utc.with_ymd_and_hms(2026, 1, 1, 22, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 1, 1, 23, 0, 0).unwrap();
        assert_eq!(paris_date(before), d(2026, 1, 1));
        assert_eq!(paris_date(after), d(2026, 1, 2));
    }
}
