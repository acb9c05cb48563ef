//! The period the mass wizard proposes before the parent types anything: from the next day
//! that can still change (booked, or cancelled) to the end of the prestation's period (the
//! school year, or the holidays for a holiday prestation). Pure, so every case is unit tested.

use super::service::MAX_PERIOD_DAYS;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use portail_tenants::calendar::{SchoolCalendar, booking_deadline, paris_date, runs_on};
use portail_tenants::config::{Closure, HolidayZone, Periods, Prestation};

/// What the calendar and the municipality's settings say, for the proposals.
pub struct Rules<'a> {
    pub calendar: &'a SchoolCalendar,
    pub zone: HolidayZone,
    pub closures: &'a [Closure],
    pub now: DateTime<Utc>,
}

impl Rules<'_> {
    /// The first day, from today, on which `p` runs and can still be booked (or, with
    /// `cancel`, cancelled); none within the longest period.
    pub fn next_open_day(&self, p: &Prestation, cancel: bool) -> Option<NaiveDate> {
        let deadline = if cancel {
            p.cancel_deadline()
        } else {
            &p.deadline
        };
        paris_date(self.now)
            .iter_days()
            .take(MAX_PERIOD_DAYS as usize)
            .find(|d| {
                runs_on(p, self.calendar, self.zone, self.closures, *d).is_ok()
                    && self.now < booking_deadline(deadline, *d).with_timezone(&Utc)
            })
    }

    /// The last day of `p`'s period that contains `from`: the holidays' last day for a
    /// holiday prestation, else the day before the summer holidays (the end of the school
    /// year); never more than the longest period allowed.
    pub fn period_end(&self, p: &Prestation, from: NaiveDate) -> NaiveDate {
        let covered = self.calendar.covered_until(self.zone);
        let mut periods = self.calendar.periods(self.zone);
        let end = match p.periods {
            Periods::Holidays => periods
                .find(|h| h.contains(from, covered) || h.first_day > from)
                .map(|h| h.last_day(covered)),
            Periods::School | Periods::All => periods
                .find(|h| h.first_day > from && matches!(h.first_day.month(), 6..=8))
                .and_then(|h| h.first_day.pred_opt()),
        }
        .unwrap_or(covered);
        let longest = from + Days::new(MAX_PERIOD_DAYS as u64 - 1);
        end.clamp(from, longest)
    }

    /// The booking wizard's period: the next bookable day to the end of its period.
    pub fn booking_period(&self, p: &Prestation) -> Option<(NaiveDate, NaiveDate)> {
        let from = self.next_open_day(p, false)?;
        Some((from, self.period_end(p, from)))
    }

    /// The cancel mode's period: the next day one of `prestations` can still be cancelled,
    /// to the end of that week (a sick child: a few days, never a whole year by default).
    pub fn cancel_period(&self, prestations: &[&Prestation]) -> Option<(NaiveDate, NaiveDate)> {
        let from = prestations
            .iter()
            .filter_map(|p| self.next_open_day(p, true))
            .min()?;
        let sunday = from + Days::new(6 - from.weekday().num_days_from_monday() as u64);
        // The last day of the week one of them runs on (Friday for school days).
        let to = from
            .iter_days()
            .take_while(|d| *d <= sunday)
            .filter(|d| {
                prestations
                    .iter()
                    .any(|p| p.days.iter().any(|w| w.to_chrono() == d.weekday()))
            })
            .last()
            .unwrap_or(from);
        Some((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use portail_tenants::TenantConfig;

    fn demo() -> TenantConfig {
        let text = include_str!("../../../tenants/examples/demo.toml");
        TenantConfig::from_toml(text).expect("the demo configuration")
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_booking_period_runs_from_the_next_bookable_day_to_the_end_of_the_school_year() {
        let config = demo();
        let rules = |now| Rules {
            calendar: SchoolCalendar::shipped(),
            zone: config.holiday_zone,
            closures: &config.closures,
            now,
        };
        let repas = config.prestation("repas").unwrap();
        // Monday 11 January 2027 at 8:00: the day's meal can still be booked until 8:30.
        assert_eq!(
            rules(at(2027, 1, 11, 8, 0)).booking_period(repas),
            Some((day(2027, 1, 11), day(2027, 7, 2)))
        );
        // At 9:00 it is too late; Tuesday is next. Summer holidays of zone B start on 3 July.
        assert_eq!(
            rules(at(2027, 1, 11, 9, 0)).booking_period(repas),
            Some((day(2027, 1, 12), day(2027, 7, 2)))
        );
        // During the Christmas holidays: the first school day after them.
        assert_eq!(
            rules(at(2026, 12, 23, 12, 0))
                .booking_period(repas)
                .unwrap()
                .0,
            day(2027, 1, 4)
        );
        // A holiday prestation: the next holidays, to their last day.
        let vacances = config.prestation("alsh-vacances").unwrap();
        let (from, to) = rules(at(2027, 1, 11, 8, 0))
            .booking_period(vacances)
            .unwrap();
        assert!(
            from >= day(2027, 2, 20) && to == day(2027, 3, 7),
            "{from} {to}"
        );
    }

    #[test]
    fn the_cancel_period_is_the_rest_of_the_week() {
        let config = demo();
        let rules = Rules {
            calendar: SchoolCalendar::shipped(),
            zone: config.holiday_zone,
            closures: &config.closures,
            now: at(2027, 1, 13, 12, 0),
        };
        let repas = config.prestation("repas").unwrap();
        // Wednesday noon: no meal on Wednesdays; Thursday's can still be cancelled.
        assert_eq!(
            rules.cancel_period(&[repas]),
            Some((day(2027, 1, 14), day(2027, 1, 15)))
        );
    }
}
