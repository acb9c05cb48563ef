//! Booking and cancellation deadlines (dates butoirs), as instants in Europe/Paris.
//!
//! A deadline is written as a wall-clock time in Paris ("avant 8h30 le jour même"). Turning it
//! into an instant needs care on the two daylight-saving change days:
//! - the last Sunday of March, when clocks jump from 02:00 to 03:00, a time such as 02:30 does
//!   not exist: it resolves to the first instant that exists after it, 03:00 CEST (the gap's
//!   end, not 03:30: parents were told "before 2:30", and 3:00 is the earliest wall-clock time
//!   that is not before 2:30);
//! - the last Sunday of October, when clocks go back from 03:00 to 02:00, 02:30 happens twice:
//!   it resolves to the earlier one, 02:30 CEST (00:30 UTC). A deadline never moves later
//!   than the first moment the wall clock shows the announced time.
//!
//! Booking (or cancelling) a day is allowed while `now < deadline`: at the exact instant of
//! the deadline it is closed, as "avant 8h30" says.

use super::{PARIS, is_working_day};
use crate::config::{Deadline, TimeOfDay};
use crate::i18n::calendar as words;
use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The instant at which the Paris wall clock first shows `at` on `date`, or the first instant
/// after it when that time does not exist (see the module documentation).
pub fn paris_instant(date: NaiveDate, at: TimeOfDay) -> DateTime<Tz> {
    let local = date
        .and_hms_opt(u32::from(at.hour), u32::from(at.minute), 0)
        .expect("a TimeOfDay is a valid time");
    resolve(local)
}

fn resolve(local: NaiveDateTime) -> DateTime<Tz> {
    // Paris's gaps last one hour and start on the hour, so stepping a minute at a time from a
    // whole-minute time reaches the gap's end exactly; the bound only guards against a broken
    // time zone database.
    for minutes in 0..=24 * 60 {
        match PARIS.from_local_datetime(&(local + TimeDelta::minutes(minutes))) {
            LocalResult::Single(instant) => return instant,
            LocalResult::Ambiguous(earlier, _later) => return earlier,
            LocalResult::None => continue,
        }
    }
    panic!("no valid Europe/Paris time within a day after {local}")
}

/// The day on which the deadline for `date` falls.
fn deadline_day(deadline: &Deadline, date: NaiveDate) -> NaiveDate {
    match *deadline {
        Deadline::SameDay { .. } => date,
        Deadline::DaysBefore {
            days,
            working_days: false,
            ..
        } => date - Days::new(u64::from(days)),
        Deadline::DaysBefore {
            days,
            working_days: true,
            ..
        } => {
            // The `days`-th working day before `date` (not counting `date` itself): "J-2 jours
            // ouvrés" for a Monday is the Thursday before, for the Tuesday after Easter Monday
            // the Thursday before Easter. `days` is at most 60 (configuration validation).
            let mut day = date;
            for _ in 0..days {
                day = day.pred_opt().expect("date in range");
                while !is_working_day(day) {
                    day = day.pred_opt().expect("date in range");
                }
            }
            day
        }
        Deadline::PreviousWeek { weekday, .. } => {
            // The ISO week runs Monday to Sunday; go to the Monday of the week before, then to
            // the weekday.
            let monday = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
            let offset = weekday.to_chrono().num_days_from_monday();
            monday - Days::new(7) + Days::new(u64::from(offset))
        }
    }
}

fn time_of(deadline: &Deadline) -> TimeOfDay {
    match *deadline {
        Deadline::SameDay { at }
        | Deadline::DaysBefore { at, .. }
        | Deadline::PreviousWeek { at, .. } => at,
    }
}

/// The deadline for booking the day `date` (or cancelling it, given the prestation's
/// `cancel_deadline()`): the last instant, exclusive, at which it is still possible.
/// - `same_day { at }`: `date` at `at`;
/// - `days_before { days, at, working_days }`: `days` days before `date`, at `at`; counting
///   only working days (Monday to Friday, not public holidays) when `working_days`;
/// - `previous_week { weekday, at }`: that weekday of the ISO week before the week of `date`,
///   at `at`.
pub fn booking_deadline(deadline: &Deadline, date: NaiveDate) -> DateTime<Tz> {
    paris_instant(deadline_day(deadline, date), time_of(deadline))
}

/// Whether the day `date` can still be booked (or cancelled) at `now`: `now < deadline`,
/// strictly.
pub fn is_open(deadline: &Deadline, date: NaiveDate, now: DateTime<Utc>) -> bool {
    now < booking_deadline(deadline, date)
}

/// A deadline in French as the booking page shows it, in Paris time: "lundi 20 janvier à
/// 8h30", "jeudi 1er mai à 12h". No year: deadlines are at most a few weeks away.
///
/// Each label is made once per process and language: a week's grid says the same few
/// deadlines in every child's row, and formatting them (time zone, Fluent) was a large share
/// of its cost.
pub fn deadline_label_fr(dt: DateTime<Tz>) -> String {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Labels = HashMap<(crate::i18n::Locale, i64), String>;
    static LABELS: LazyLock<Mutex<Labels>> = LazyLock::new(Default::default);
    /// Deadlines are a few per day and prestation: this bounds the memory of years of them.
    const MAX: usize = 20_000;
    let key = (crate::i18n::current(), dt.timestamp());
    if let Some(found) = LABELS.lock().expect("not poisoned").get(&key) {
        return found.clone();
    }
    let label = make_label(dt);
    let mut labels = LABELS.lock().expect("not poisoned");
    if labels.len() >= MAX {
        labels.clear();
    }
    labels.insert(key, label.clone());
    label
}

fn make_label(dt: DateTime<Tz>) -> String {
    let local = dt.with_timezone(&PARIS);
    let day = local.day() as i64;
    crate::i18n::t_args(
        "deadline-label",
        &[
            (
                "weekday",
                words::weekday(local.weekday().num_days_from_monday() as usize).into(),
            ),
            ("day", day.into()),
            ("month", words::month(local.month0() as usize).into()),
            (
                "time",
                words::time_of_day(local.hour(), local.minute()).into(),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(hour: u8, minute: u8) -> TimeOfDay {
        TimeOfDay { hour, minute }
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
    }

    fn same_day(hour: u8, minute: u8) -> Deadline {
        Deadline::SameDay {
            at: t(hour, minute),
        }
    }

    fn days_before(days: u32, hour: u8, minute: u8, working_days: bool) -> Deadline {
        Deadline::DaysBefore {
            days,
            at: t(hour, minute),
            working_days,
        }
    }

    fn previous_week(weekday: Weekday, hour: u8, minute: u8) -> Deadline {
        Deadline::PreviousWeek {
            weekday,
            at: t(hour, minute),
        }
    }

    #[test]
    fn same_day_in_winter_and_in_summer() {
        // Winter, UTC+1: 8:30 in Paris is 7:30 UTC.
        let deadline = booking_deadline(&same_day(8, 30), d(2026, 1, 20));
        assert_eq!(deadline, utc(2026, 1, 20, 7, 30, 0));
        assert_eq!(deadline.timezone(), PARIS);
        // Summer, UTC+2: 8:30 in Paris is 6:30 UTC.
        let deadline = booking_deadline(&same_day(8, 30), d(2026, 6, 16));
        assert_eq!(deadline, utc(2026, 6, 16, 6, 30, 0));
    }

    #[test]
    fn booking_closes_at_the_exact_instant_of_the_deadline() {
        let meal = same_day(8, 30);
        let day = d(2026, 1, 20);
        assert!(is_open(&meal, day, utc(2026, 1, 19, 12, 0, 0)));
        assert!(is_open(&meal, day, utc(2026, 1, 20, 7, 29, 59)));
        assert!(!is_open(&meal, day, utc(2026, 1, 20, 7, 30, 0)));
        assert!(!is_open(&meal, day, utc(2026, 1, 20, 7, 30, 1)));
        // The nanosecond before is still open.
        let just_before = utc(2026, 1, 20, 7, 30, 0) - TimeDelta::nanoseconds(1);
        assert!(is_open(&meal, day, just_before));
    }

    #[test]
    fn days_before_counts_calendar_days_when_not_working_days() {
        let rule = days_before(2, 12, 0, false);
        // Monday 19 January 2026 → Saturday 17 January at 12:00.
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 19)),
            utc(2026, 1, 17, 11, 0, 0)
        );
        // J-0 is the day itself.
        assert_eq!(
            booking_deadline(&days_before(0, 6, 0, false), d(2026, 1, 19)),
            utc(2026, 1, 19, 5, 0, 0)
        );
    }

    #[test]
    fn days_before_in_working_days_skips_weekends() {
        let rule = days_before(2, 12, 0, true);
        // Wednesday 21 January 2026 → Monday 19 January.
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 21)),
            utc(2026, 1, 19, 11, 0, 0)
        );
        // Monday 19 January 2026 → Thursday 15 January (skips Sunday, Saturday, Friday counts).
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 19)),
            utc(2026, 1, 15, 11, 0, 0)
        );
        // Tuesday 20 January → Friday 16 January.
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 20)),
            utc(2026, 1, 16, 11, 0, 0)
        );
        // A Sunday to book (periods = all) → Thursday: Friday is the 1st working day before.
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 25)),
            utc(2026, 1, 22, 11, 0, 0)
        );
    }

    #[test]
    fn days_before_in_working_days_skips_public_holidays() {
        let rule = days_before(2, 12, 0, true);
        // Tuesday 7 April 2026, after Easter Monday 6 April: Friday 3 April is the 1st working
        // day before, Thursday 2 April the 2nd. In summer time: 10:00 UTC.
        assert_eq!(
            booking_deadline(&rule, d(2026, 4, 7)),
            utc(2026, 4, 2, 10, 0, 0)
        );
        // Monday 18 May 2026, after the Ascension Thursday 14 May: Friday 15, then Wednesday 13.
        assert_eq!(
            booking_deadline(&rule, d(2026, 5, 18)),
            utc(2026, 5, 13, 10, 0, 0)
        );
        // Friday 2 January 2026: Wednesday 31 December, Tuesday 30 December (1 January skipped).
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 2)),
            utc(2025, 12, 30, 11, 0, 0)
        );
        // School holidays are working days: Monday 22 December 2025 → Thursday 18 December.
        assert_eq!(
            booking_deadline(&rule, d(2025, 12, 22)),
            utc(2025, 12, 18, 11, 0, 0)
        );
    }

    #[test]
    fn previous_week_is_the_weekday_of_the_iso_week_before() {
        let rule = previous_week(Weekday::Thursday, 23, 59);
        // Any day of the week of Monday 26 January 2026 → Thursday 22 January at 23:59.
        for day in d(2026, 1, 26).iter_days().take(7) {
            assert_eq!(
                booking_deadline(&rule, day),
                utc(2026, 1, 22, 22, 59, 0),
                "{day}"
            );
        }
        // Sunday 25 January belongs to the week before: Thursday 15 January.
        assert_eq!(
            booking_deadline(&rule, d(2026, 1, 25)),
            utc(2026, 1, 15, 22, 59, 0)
        );
        // Across a year: Monday 4 January 2027 → Thursday 31 December 2026.
        assert_eq!(
            booking_deadline(&rule, d(2027, 1, 4)),
            utc(2026, 12, 31, 22, 59, 0)
        );
        // Monday and Sunday of the week before.
        let monday = previous_week(Weekday::Monday, 8, 0);
        let sunday = previous_week(Weekday::Sunday, 8, 0);
        assert_eq!(
            booking_deadline(&monday, d(2026, 1, 28)),
            utc(2026, 1, 19, 7, 0, 0)
        );
        assert_eq!(
            booking_deadline(&sunday, d(2026, 1, 28)),
            utc(2026, 1, 25, 7, 0, 0)
        );
    }

    #[test]
    fn a_time_inside_the_spring_forward_gap_resolves_to_three_o_clock() {
        // Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
        let rule = same_day(2, 30);
        let deadline = booking_deadline(&rule, d(2026, 3, 29));
        assert_eq!(deadline, utc(2026, 3, 29, 1, 0, 0));
        assert_eq!(deadline.hour(), 3);
        assert_eq!(deadline.minute(), 0);
        assert!(is_open(&rule, d(2026, 3, 29), utc(2026, 3, 29, 0, 59, 59)));
        assert!(!is_open(&rule, d(2026, 3, 29), utc(2026, 3, 29, 1, 0, 0)));
        // 02:00 itself does not exist either; 01:59 and 03:00 do.
        assert_eq!(
            booking_deadline(&same_day(2, 0), d(2026, 3, 29)),
            utc(2026, 3, 29, 1, 0, 0)
        );
        assert_eq!(
            booking_deadline(&same_day(1, 59), d(2026, 3, 29)),
            utc(2026, 3, 29, 0, 59, 0)
        );
        assert_eq!(
            booking_deadline(&same_day(3, 0), d(2026, 3, 29)),
            utc(2026, 3, 29, 1, 0, 0)
        );
        // Later that day, summer time: 8:30 CEST is 6:30 UTC.
        assert_eq!(
            booking_deadline(&same_day(8, 30), d(2026, 3, 29)),
            utc(2026, 3, 29, 6, 30, 0)
        );
        // The day before, still winter time: 8:30 CET is 7:30 UTC.
        assert_eq!(
            booking_deadline(&same_day(8, 30), d(2026, 3, 28)),
            utc(2026, 3, 28, 7, 30, 0)
        );
    }

    #[test]
    fn an_ambiguous_time_on_the_fall_back_day_resolves_to_the_earlier_instant() {
        // Sunday 25 October 2026: 03:00 CEST goes back to 02:00 CET (01:00 UTC); 02:30 happens
        // at 00:30 UTC and again at 01:30 UTC.
        let rule = same_day(2, 30);
        let day = d(2026, 10, 25);
        let deadline = booking_deadline(&rule, day);
        assert_eq!(deadline, utc(2026, 10, 25, 0, 30, 0));
        assert!(is_open(&rule, day, utc(2026, 10, 25, 0, 29, 59)));
        assert!(!is_open(&rule, day, utc(2026, 10, 25, 0, 30, 0)));
        // The second 02:30 is already past the deadline.
        assert!(!is_open(&rule, day, utc(2026, 10, 25, 1, 30, 0)));
        // Around the change: 01:59 is CEST, 03:00 CET.
        assert_eq!(
            booking_deadline(&same_day(1, 59), day),
            utc(2026, 10, 24, 23, 59, 0)
        );
        assert_eq!(
            booking_deadline(&same_day(3, 0), day),
            utc(2026, 10, 25, 2, 0, 0)
        );
        // 8:30 the day before (CEST) and the day itself (CET).
        assert_eq!(
            booking_deadline(&same_day(8, 30), d(2026, 10, 24)),
            utc(2026, 10, 24, 6, 30, 0)
        );
        assert_eq!(
            booking_deadline(&same_day(8, 30), day),
            utc(2026, 10, 25, 7, 30, 0)
        );
    }

    #[test]
    fn a_deadline_computed_from_another_day_lands_on_the_change_day() {
        // Booking Wednesday 1 April 2026 by the Sunday of the week before at 02:30: that Sunday
        // is the spring-forward day.
        let rule = previous_week(Weekday::Sunday, 2, 30);
        assert_eq!(
            booking_deadline(&rule, d(2026, 4, 1)),
            utc(2026, 3, 29, 1, 0, 0)
        );
        // J-1 at 02:30 for Monday 26 October 2026: the fall-back Sunday, earlier instant.
        let rule = days_before(1, 2, 30, false);
        assert_eq!(
            booking_deadline(&rule, d(2026, 10, 26)),
            utc(2026, 10, 25, 0, 30, 0)
        );
    }

    #[test]
    fn cancel_deadline_uses_the_same_rules() {
        let cancel = days_before(1, 18, 0, true);
        // Cancelling Monday 19 January 2026: Friday 16 January at 18:00.
        assert_eq!(
            booking_deadline(&cancel, d(2026, 1, 19)),
            utc(2026, 1, 16, 17, 0, 0)
        );
        assert!(is_open(
            &cancel,
            d(2026, 1, 19),
            utc(2026, 1, 16, 16, 59, 59)
        ));
        assert!(!is_open(
            &cancel,
            d(2026, 1, 19),
            utc(2026, 1, 16, 17, 0, 0)
        ));
    }

    #[test]
    fn labels_are_french() {
        let label = |y, m, day, hour, minute| {
            deadline_label_fr(paris_instant(d(y, m, day), t(hour, minute)))
        };
        assert_eq!(label(2025, 1, 20, 8, 30), "lundi 20 janvier à 8h30");
        assert_eq!(label(2026, 1, 22, 23, 59), "jeudi 22 janvier à 23h59");
        assert_eq!(label(2026, 5, 1, 12, 0), "vendredi 1er mai à 12h");
        assert_eq!(label(2026, 8, 15, 6, 5), "samedi 15 août à 6h05");
        assert_eq!(label(2026, 2, 8, 0, 0), "dimanche 8 février à 0h");
        assert_eq!(label(2026, 12, 30, 18, 0), "mercredi 30 décembre à 18h");
        assert_eq!(label(2026, 3, 29, 2, 30), "dimanche 29 mars à 3h");
    }

    #[test]
    fn labels_show_paris_time_whatever_the_zone_of_the_instant() {
        let other = chrono_tz::America::New_York;
        let instant = utc(2026, 1, 20, 7, 30, 0).with_timezone(&other);
        assert_eq!(deadline_label_fr(instant), "mardi 20 janvier à 8h30");
    }

    #[test]
    fn every_month_and_weekday_has_its_french_name() {
        let mut seen = std::collections::HashSet::new();
        for day in d(2026, 1, 1).iter_days().take(365) {
            seen.insert(
                deadline_label_fr(paris_instant(day, t(9, 0)))
                    .split(' ')
                    .nth(2)
                    .unwrap()
                    .to_string(),
            );
        }
        assert_eq!(seen.len(), 12);
        for (i, day) in d(2026, 1, 19).iter_days().take(7).enumerate() {
            let label = deadline_label_fr(paris_instant(day, t(9, 0)));
            assert!(label.starts_with(&words::weekday(i)), "{label}");
        }
    }
}
