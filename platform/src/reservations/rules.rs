//! The state of one cell of the booking grid, from the calendar rules and the facts of the
//! day: pure, so every case is unit tested.
//!
//! - not enrolled, or the prestation does not run that day → Non disponible;
//! - reserved → Réservé (changeable until the cancellation deadline);
//! - otherwise: past the booking deadline, full, or the record not validated when the
//!   municipality requires it → Bloqué; else Disponible à la réservation.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use portail_tenants::calendar::{
    NotRunning, SchoolCalendar, booking_deadline, deadline_label_fr, runs_on,
};
use portail_tenants::config::{Closure, HolidayZone, Prestation};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Reserved,
    Available,
    Unavailable,
    Locked,
    /// A prepaid day in the household's cart ("dans le panier"): its place is held until
    /// the cart is paid or its hold runs out.
    Cart,
}

impl State {
    /// The state's word, as serde writes it (the grid's `cell-…` classes).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Reserved => "reserved",
            State::Available => "available",
            State::Unavailable => "unavailable",
            State::Locked => "locked",
            State::Cart => "cart",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub date: NaiveDate,
    pub state: State,
    /// Stable code: `deadline`, `full`, `closed`, `holiday`, `public_holiday`,
    /// `school_period`, `not_running`, `not_enrolled`, `record_not_validated`, `no_calendar`.
    pub reason: Option<&'static str>,
    /// Until when the cell can change (booking, or cancelling when reserved).
    pub deadline: Option<DateTime<Tz>>,
    /// Whether a click changes it (book or cancel).
    pub changeable: bool,
}

/// What is known of a child and a day beyond the calendar.
pub struct Facts {
    pub enrolled: bool,
    pub reserved: bool,
    pub full: bool,
    pub record_ok: bool,
}

pub fn reason_of(not_running: &NotRunning) -> &'static str {
    match not_running {
        NotRunning::NotThatWeekday => "not_running",
        other => other.code(),
    }
}

/// What the calendar alone says of a prestation on a day: whether it runs, and its booking
/// and cancellation deadlines. Depends only on the municipality's configuration, so it is
/// cached per configuration version (see `availability`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DayRules {
    /// `None` when it runs, else why not (`closed`, `holiday`…).
    pub not_running: Option<String>,
    pub booking_deadline: DateTime<Utc>,
    pub cancel_deadline: DateTime<Utc>,
}

pub fn day_rules(
    prestation: &Prestation,
    calendar: &SchoolCalendar,
    zone: HolidayZone,
    closures: &[Closure],
    date: NaiveDate,
) -> DayRules {
    DayRules {
        not_running: runs_on(prestation, calendar, zone, closures, date)
            .err()
            .map(|why| reason_of(&why).to_string()),
        booking_deadline: booking_deadline(&prestation.deadline, date).with_timezone(&Utc),
        cancel_deadline: booking_deadline(prestation.cancel_deadline(), date).with_timezone(&Utc),
    }
}

fn static_reason(reason: &str) -> &'static str {
    [
        "not_running",
        "public_holiday",
        "closed",
        "holiday",
        "school_period",
        "no_calendar",
    ]
    .into_iter()
    .find(|r| *r == reason)
    .unwrap_or("not_running")
}

/// The cell from the day's rules and the facts of the child.
pub fn decide(date: NaiveDate, rules: &DayRules, facts: Facts, now: DateTime<Utc>) -> Cell {
    let paris = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Paris);
    let unavailable = |reason| Cell {
        date,
        state: State::Unavailable,
        reason: Some(reason),
        deadline: None,
        changeable: false,
    };
    if !facts.enrolled {
        return unavailable("not_enrolled");
    }
    if let Some(why) = &rules.not_running {
        return unavailable(static_reason(why));
    }
    if facts.reserved {
        let open = now < rules.cancel_deadline;
        return Cell {
            date,
            state: State::Reserved,
            reason: (!open).then_some("deadline"),
            deadline: Some(paris(rules.cancel_deadline)),
            changeable: open,
        };
    }
    let deadline = Some(paris(rules.booking_deadline));
    let locked = |reason| Cell {
        date,
        state: State::Locked,
        reason: Some(reason),
        deadline,
        changeable: false,
    };
    if now >= rules.booking_deadline {
        return locked("deadline");
    }
    if facts.full {
        return locked("full");
    }
    if !facts.record_ok {
        return locked("record_not_validated");
    }
    Cell {
        date,
        state: State::Available,
        reason: None,
        deadline,
        changeable: true,
    }
}

/// A day of the household's cart: it may leave the cart until its booking deadline.
pub fn in_cart(cell: Cell, rules: &DayRules, now: DateTime<Utc>) -> Cell {
    let open = now < rules.booking_deadline;
    Cell {
        state: State::Cart,
        reason: (!open).then_some("deadline"),
        deadline: Some(
            rules
                .booking_deadline
                .with_timezone(&chrono_tz::Europe::Paris),
        ),
        changeable: open,
        ..cell
    }
}

/// The cell by the shipped school calendar (the unit tests' way in).
pub fn cell(
    prestation: &Prestation,
    zone: HolidayZone,
    closures: &[Closure],
    date: NaiveDate,
    facts: Facts,
    now: DateTime<Utc>,
) -> Cell {
    decide(
        date,
        &day_rules(prestation, SchoolCalendar::shipped(), zone, closures, date),
        facts,
        now,
    )
}

/// "modifiable jusqu'au lundi 20 janvier à 8h30", or why it cannot change.
///
/// Made once per process and language for each state, reason and deadline: a grid says the
/// same sentences in every child's row.
pub fn explain(cell: &Cell) -> String {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Key = (
        crate::i18n::Locale,
        State,
        Option<&'static str>,
        Option<i64>,
    );
    static SAID: LazyLock<Mutex<HashMap<Key, String>>> = LazyLock::new(Default::default);
    /// A few sentences per deadline: this bounds the memory of years of them.
    const MAX: usize = 20_000;
    let key = (
        crate::i18n::current(),
        cell.state,
        cell.reason,
        cell.deadline.map(|d| d.timestamp()),
    );
    if let Some(found) = SAID.lock().expect("not poisoned").get(&key) {
        return found.clone();
    }
    let said = say(cell);
    let mut all = SAID.lock().expect("not poisoned");
    if all.len() >= MAX {
        all.clear();
    }
    all.insert(key, said.clone());
    said
}

fn say(cell: &Cell) -> String {
    let until = cell.deadline.map(deadline_label_fr);
    let key = match (cell.state, cell.reason, &until) {
        (State::Reserved, None, Some(_)) => "explain-reserved-until",
        (State::Reserved, _, _) => "explain-reserved-past",
        (State::Cart, _, _) => "explain-in-cart",
        (State::Available, _, Some(_)) => "explain-available-until",
        (State::Locked, Some("deadline"), Some(_)) => "explain-locked-deadline",
        (State::Locked, Some("full"), _) => "explain-locked-full",
        (State::Locked, Some("record_not_validated"), _) => "explain-locked-record",
        (State::Unavailable, Some("not_enrolled"), _) => "explain-not-enrolled",
        (State::Unavailable, Some("closed"), _) => "explain-closed",
        (State::Unavailable, Some("holiday" | "public_holiday"), _) => "explain-holiday",
        (State::Unavailable, Some("school_period"), _) => "explain-school-period",
        (State::Unavailable, Some("no_calendar"), _) => "explain-no-calendar",
        _ => "explain-unavailable",
    };
    crate::i18n::t_args(key, &[("until", until.unwrap_or_default().into())])
}

/// What the period booking decided for one child and day; `reason` says why it was
/// skipped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decision {
    pub child: Uuid,
    pub date: NaiveDate,
    pub reason: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use portail_tenants::TenantConfig;

    fn repas() -> (Prestation, HolidayZone, Vec<Closure>) {
        let config =
            TenantConfig::from_toml(include_str!("../../../tenants/examples/demo.toml")).unwrap();
        (
            config.prestation("repas").unwrap().clone(),
            config.holiday_zone,
            config.closures,
        )
    }

    /// The meal's cell on `day`, reserved or not, seen at `now`.
    fn meal_on(day: NaiveDate, reserved: bool, now: DateTime<Utc>) -> Cell {
        let (p, zone, closures) = repas();
        cell(&p, zone, &closures, day, facts(reserved), now)
    }

    fn facts(reserved: bool) -> Facts {
        Facts {
            enrolled: true,
            reserved,
            full: false,
            record_ok: true,
        }
    }

    fn paris(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(y, m, d, h, min, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_meal_is_bookable_until_8h30_the_same_day_then_locked() {
        let monday = NaiveDate::from_ymd_opt(2027, 1, 18).unwrap();
        let before = meal_on(monday, false, paris(2027, 1, 18, 8, 29, 59));
        assert_eq!(before.state, State::Available);
        assert_eq!(
            explain(&before),
            "Disponible, réservable jusqu'au lundi 18 janvier à 8h30"
        );
        let after = meal_on(monday, false, paris(2027, 1, 18, 8, 30, 0));
        assert_eq!(
            (after.state, after.reason),
            (State::Locked, Some("deadline"))
        );
    }

    #[test]
    fn a_reservation_past_its_cancellation_deadline_stays_reserved_and_unchangeable() {
        let monday = NaiveDate::from_ymd_opt(2027, 1, 18).unwrap();
        let c = meal_on(monday, true, paris(2027, 1, 18, 9, 0, 0));
        assert_eq!(
            (c.state, c.changeable, c.reason),
            (State::Reserved, false, Some("deadline"))
        );
        let c = meal_on(monday, true, paris(2027, 1, 17, 9, 0, 0));
        assert_eq!((c.state, c.changeable), (State::Reserved, true));
    }

    #[test]
    fn closures_holidays_weekdays_and_enrolment_make_a_cell_unavailable() {
        let (p, zone, closures) = repas();
        let now = paris(2026, 11, 1, 0, 0, 0);
        let reason = |d: NaiveDate, enrolled: bool| {
            cell(
                &p,
                zone,
                &closures,
                d,
                Facts {
                    enrolled,
                    reserved: false,
                    full: false,
                    record_ok: true,
                },
                now,
            )
            .reason
        };
        assert_eq!(
            reason(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(), true),
            Some("closed")
        );
        assert_eq!(
            reason(NaiveDate::from_ymd_opt(2027, 2, 17).unwrap(), true),
            Some("not_running"),
            "a Wednesday"
        );
        assert_eq!(
            reason(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), true),
            Some("holiday"),
            "Christmas holidays"
        );
        assert_eq!(
            reason(NaiveDate::from_ymd_opt(2026, 11, 11).unwrap(), true),
            Some("not_running")
        );
        assert_eq!(
            reason(NaiveDate::from_ymd_opt(2027, 1, 18).unwrap(), false),
            Some("not_enrolled")
        );
    }

    #[test]
    fn full_and_unvalidated_records_lock_an_open_day() {
        let (p, zone, closures) = repas();
        let day = NaiveDate::from_ymd_opt(2027, 1, 18).unwrap();
        let now = paris(2027, 1, 10, 0, 0, 0);
        // An enrolled child's open day, not booked yet.
        let open_day = |full, record_ok| {
            let facts = Facts {
                enrolled: true,
                reserved: false,
                full,
                record_ok,
            };
            cell(&p, zone, &closures, day, facts, now)
        };
        assert_eq!(open_day(true, true).reason, Some("full"));
        assert_eq!(open_day(false, false).reason, Some("record_not_validated"));
    }
}
