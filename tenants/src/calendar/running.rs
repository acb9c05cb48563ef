//! Whether a prestation runs on a given day: the "non disponible" cells of the booking grid.

use super::{SchoolCalendar, is_public_holiday};
use crate::config::{Closure, HolidayZone, Periods, Prestation};
use chrono::{Datelike, NaiveDate};

/// Why a prestation does not run on a day. The codes ([`NotRunning::code`]) are stable: the
/// web layer and the API send them, and tests and clients match on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotRunning {
    /// The prestation never runs on that day of the week (e.g. a Saturday for the canteen).
    #[error("pas de service ce jour de la semaine")]
    NotThatWeekday,
    /// A public holiday: schools and services are closed.
    #[error("jour férié : {name}")]
    PublicHoliday { name: &'static str },
    /// A closure declared by the municipality, with its label (e.g. "Fermeture estivale").
    #[error("fermeture : {label}")]
    Closed { label: String },
    /// A school-period prestation (`periods = "school"`) on a day of school holidays.
    #[error("vacances scolaires : {name}")]
    Holiday { name: String },
    /// A holiday prestation (`periods = "holidays"`) on a day of the school period.
    #[error("hors vacances scolaires")]
    SchoolPeriod,
    /// The school holiday calendar of that date is not published yet (or not shipped in this
    /// version), so whether a school-period or holiday prestation runs cannot be known. Better
    /// refuse than take a booking for a day without service.
    #[error("calendrier scolaire pas encore connu pour cette date")]
    NoCalendar,
}

impl NotRunning {
    pub fn code(&self) -> &'static str {
        match self {
            NotRunning::NotThatWeekday => "not_that_weekday",
            NotRunning::PublicHoliday { .. } => "public_holiday",
            NotRunning::Closed { .. } => "closed",
            NotRunning::Holiday { .. } => "holiday",
            NotRunning::SchoolPeriod => "school_period",
            NotRunning::NoCalendar => "no_calendar",
        }
    }
}

/// Whether `prestation` runs on `date` in a municipality of `zone` with `closures`, by the
/// school `calendar` in force (the shipped one or the last imported: the caller passes it).
///
/// The checks run in this order, and the first that fails is the answer:
/// 1. the weekday ([`NotRunning::NotThatWeekday`]): a day the prestation never runs on is
///    simply not part of it, whatever else happens that day;
/// 2. public holidays ([`NotRunning::PublicHoliday`]), for every `periods`, `all` included:
///    national and known to everyone, the clearest reason to show;
/// 3. the municipality's closures ([`NotRunning::Closed`]), `from` and `to` included;
/// 4. the school calendar, for `periods` `school` and `holidays` only: outside the data's
///    coverage [`NotRunning::NoCalendar`]; then a `school` prestation does not run during
///    school holidays ([`NotRunning::Holiday`]) and a `holidays` prestation does not run
///    outside them ([`NotRunning::SchoolPeriod`]). `all` runs in both periods.
///
/// The pont de l'Ascension counts as school holidays: a `holidays` prestation (ALSH
/// vacances) runs on its Friday unless the municipality declares a closure.
pub fn runs_on(
    prestation: &Prestation,
    calendar: &SchoolCalendar,
    zone: HolidayZone,
    closures: &[Closure],
    date: NaiveDate,
) -> Result<(), NotRunning> {
    if !prestation
        .days
        .iter()
        .any(|day| day.to_chrono() == date.weekday())
    {
        return Err(NotRunning::NotThatWeekday);
    }
    if let Some(name) = is_public_holiday(date) {
        return Err(NotRunning::PublicHoliday { name });
    }
    if let Some(closure) = closures.iter().find(|c| c.from <= date && date <= c.to) {
        return Err(NotRunning::Closed {
            label: closure.label.clone(),
        });
    }
    if prestation.periods == Periods::All {
        return Ok(());
    }
    if !calendar.covered(zone, date) {
        return Err(NotRunning::NoCalendar);
    }
    match (prestation.periods, calendar.holiday_name(zone, date)) {
        (Periods::School, Some(name)) => Err(NotRunning::Holiday { name: name.into() }),
        (Periods::Holidays, None) => Err(NotRunning::SchoolPeriod),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Deadline, TimeOfDay, Weekday};
    use HolidayZone::{A, B, C};

    fn cal() -> &'static SchoolCalendar {
        SchoolCalendar::shipped()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn prestation(days: &[Weekday], periods: Periods) -> Prestation {
        Prestation {
            code: "p".into(),
            name: "P".into(),
            structure: "s".into(),
            days: days.to_vec(),
            periods,
            deadline: Deadline::SameDay {
                at: TimeOfDay {
                    hour: 8,
                    minute: 30,
                },
            },
            cancel_deadline: None,
            capacity: None,
            price_cents: 0,
            tariffs: vec![],
            billing: Default::default(),
            late_cancellation: Default::default(),
        }
    }

    const SCHOOL_DAYS: [Weekday; 4] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    const WEEKDAYS: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    fn closure(from: NaiveDate, to: NaiveDate, label: &str) -> Closure {
        Closure {
            from,
            to,
            label: label.into(),
        }
    }

    #[test]
    fn a_school_prestation_runs_on_its_weekdays_in_the_school_period() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        // Week of 12 January 2026: Monday..Sunday.
        let week: Vec<_> = d(2026, 1, 12).iter_days().take(7).collect();
        let got: Vec<_> = week
            .iter()
            .map(|day| runs_on(&meal, cal(), B, &[], *day))
            .collect();
        use NotRunning::NotThatWeekday as N;
        assert_eq!(
            got,
            [Ok(()), Ok(()), Err(N), Ok(()), Ok(()), Err(N), Err(N)]
        );
    }

    #[test]
    fn a_school_prestation_stops_during_school_holidays() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        // Zone B Christmas 2025-2026: last class Friday 19 December, back Monday 5 January.
        assert_eq!(runs_on(&meal, cal(), B, &[], d(2025, 12, 19)), Ok(()));
        assert_eq!(
            runs_on(&meal, cal(), B, &[], d(2025, 12, 22)),
            Err(NotRunning::Holiday {
                name: "Vacances de Noël".into()
            })
        );
        assert_eq!(runs_on(&meal, cal(), B, &[], d(2026, 1, 5)), Ok(()));
        // The zone matters: on Monday 9 February 2026 zone A is on holiday, not B or C.
        let monday = d(2026, 2, 9);
        assert_eq!(
            runs_on(&meal, cal(), A, &[], monday),
            Err(NotRunning::Holiday {
                name: "Vacances d'hiver".into()
            })
        );
        assert_eq!(runs_on(&meal, cal(), B, &[], monday), Ok(()));
        assert_eq!(runs_on(&meal, cal(), C, &[], monday), Ok(()));
    }

    #[test]
    fn a_school_prestation_stops_on_the_friday_of_the_pont_de_l_ascension() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        assert_eq!(
            runs_on(&meal, cal(), C, &[], d(2026, 5, 15)),
            Err(NotRunning::Holiday {
                name: "Pont de l'Ascension".into()
            })
        );
        assert_eq!(runs_on(&meal, cal(), C, &[], d(2026, 5, 18)), Ok(()));
    }

    #[test]
    fn a_holiday_prestation_runs_only_during_school_holidays() {
        let alsh = prestation(&WEEKDAYS, Periods::Holidays);
        assert_eq!(
            runs_on(&alsh, cal(), B, &[], d(2025, 12, 19)),
            Err(NotRunning::SchoolPeriod)
        );
        assert_eq!(runs_on(&alsh, cal(), B, &[], d(2025, 12, 22)), Ok(()));
        assert_eq!(runs_on(&alsh, cal(), B, &[], d(2026, 1, 2)), Ok(()));
        assert_eq!(
            runs_on(&alsh, cal(), B, &[], d(2026, 1, 5)),
            Err(NotRunning::SchoolPeriod)
        );
        // A Wednesday of the school period is not a holiday.
        assert_eq!(
            runs_on(&alsh, cal(), B, &[], d(2026, 1, 14)),
            Err(NotRunning::SchoolPeriod)
        );
        // The Friday of the pont is.
        assert_eq!(runs_on(&alsh, cal(), B, &[], d(2026, 5, 15)), Ok(()));
    }

    #[test]
    fn an_all_periods_prestation_runs_in_both_periods_but_not_on_public_holidays() {
        let garderie = prestation(&WEEKDAYS, Periods::All);
        assert_eq!(runs_on(&garderie, cal(), B, &[], d(2025, 12, 19)), Ok(()));
        assert_eq!(runs_on(&garderie, cal(), B, &[], d(2025, 12, 22)), Ok(()));
        assert_eq!(
            runs_on(&garderie, cal(), B, &[], d(2025, 12, 25)),
            Err(NotRunning::PublicHoliday { name: "Noël" })
        );
        assert_eq!(
            runs_on(&garderie, cal(), B, &[], d(2026, 5, 25)),
            Err(NotRunning::PublicHoliday {
                name: "Lundi de Pentecôte"
            })
        );
        let august = closure(d(2026, 8, 3), d(2026, 8, 21), "Fermeture estivale");
        assert_eq!(
            runs_on(
                &garderie,
                cal(),
                B,
                std::slice::from_ref(&august),
                d(2026, 8, 10)
            ),
            Err(NotRunning::Closed {
                label: "Fermeture estivale".into()
            })
        );
        // It does not need the school calendar, so it runs beyond the data's coverage.
        assert_eq!(runs_on(&garderie, cal(), B, &[], d(2031, 3, 4)), Ok(()));
    }

    #[test]
    fn public_holidays_close_school_period_prestations() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        // Monday 6 April 2026 (Easter Monday) is in the school period of zone C.
        assert_eq!(
            runs_on(&meal, cal(), C, &[], d(2026, 4, 6)),
            Err(NotRunning::PublicHoliday {
                name: "Lundi de Pâques"
            })
        );
        // 11 November 2026 is a Wednesday: not a day of this prestation at all.
        assert_eq!(
            runs_on(&meal, cal(), C, &[], d(2026, 11, 11)),
            Err(NotRunning::NotThatWeekday)
        );
    }

    #[test]
    fn closures_include_both_ends() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        let strike = [closure(d(2026, 3, 10), d(2026, 3, 12), "Grève")];
        let closed = Err(NotRunning::Closed {
            label: "Grève".into(),
        });
        assert_eq!(runs_on(&meal, cal(), A, &strike, d(2026, 3, 9)), Ok(()));
        assert_eq!(runs_on(&meal, cal(), A, &strike, d(2026, 3, 10)), closed);
        assert_eq!(runs_on(&meal, cal(), A, &strike, d(2026, 3, 12)), closed);
        assert_eq!(runs_on(&meal, cal(), A, &strike, d(2026, 3, 13)), Ok(()));
        let one_day = [closure(
            d(2026, 3, 13),
            d(2026, 3, 13),
            "Journée pédagogique",
        )];
        assert_eq!(
            runs_on(&meal, cal(), A, &one_day, d(2026, 3, 13)),
            Err(NotRunning::Closed {
                label: "Journée pédagogique".into()
            })
        );
    }

    #[test]
    fn the_checks_run_in_the_documented_order() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        // Christmas Day 2025 is a Thursday, in the school holidays, and inside a closure.
        let christmas = d(2025, 12, 25);
        let winter = [closure(d(2025, 12, 20), d(2026, 1, 4), "Fermeture de Noël")];
        let sunday = d(2025, 12, 28);
        // 1. The weekday wins over everything.
        assert_eq!(
            runs_on(&meal, cal(), B, &winter, sunday),
            Err(NotRunning::NotThatWeekday)
        );
        // 2. Then the public holiday, over the closure and the school holidays.
        assert_eq!(
            runs_on(&meal, cal(), B, &winter, christmas),
            Err(NotRunning::PublicHoliday { name: "Noël" })
        );
        // 3. Then the closure, over the school holidays.
        assert_eq!(
            runs_on(&meal, cal(), B, &winter, d(2025, 12, 22)),
            Err(NotRunning::Closed {
                label: "Fermeture de Noël".into()
            })
        );
        // 4. Then the school calendar.
        assert_eq!(
            runs_on(&meal, cal(), B, &[], d(2025, 12, 22)),
            Err(NotRunning::Holiday {
                name: "Vacances de Noël".into()
            })
        );
        // A closure also wins over "outside the coverage".
        let later = [closure(d(2030, 1, 1), d(2030, 12, 31), "Travaux")];
        assert_eq!(
            runs_on(&meal, cal(), B, &later, d(2030, 3, 4)),
            Err(NotRunning::Closed {
                label: "Travaux".into()
            })
        );
    }

    #[test]
    fn beyond_the_coverage_school_and_holiday_prestations_cannot_be_booked() {
        let meal = prestation(&SCHOOL_DAYS, Periods::School);
        let alsh = prestation(&WEEKDAYS, Periods::Holidays);
        for date in [d(2028, 9, 4), d(2029, 1, 8), d(2024, 6, 3)] {
            assert_eq!(
                runs_on(&meal, cal(), A, &[], date),
                Err(NotRunning::NoCalendar)
            );
            assert_eq!(
                runs_on(&alsh, cal(), A, &[], date),
                Err(NotRunning::NoCalendar)
            );
        }
        // The last covered days still answer.
        assert_eq!(runs_on(&alsh, cal(), A, &[], d(2028, 8, 31)), Ok(()));
        assert_eq!(
            runs_on(&meal, cal(), A, &[], d(2028, 8, 31)),
            Err(NotRunning::Holiday {
                name: "Vacances d'été".into()
            })
        );
    }

    #[test]
    fn codes_are_stable_and_messages_are_french() {
        let all = [
            (NotRunning::NotThatWeekday, "not_that_weekday"),
            (NotRunning::PublicHoliday { name: "Noël" }, "public_holiday"),
            (
                NotRunning::Closed {
                    label: "Grève".into(),
                },
                "closed",
            ),
            (
                NotRunning::Holiday {
                    name: "Vacances de Noël".into(),
                },
                "holiday",
            ),
            (NotRunning::SchoolPeriod, "school_period"),
            (NotRunning::NoCalendar, "no_calendar"),
        ];
        for (reason, code) in &all {
            assert_eq!(reason.code(), *code);
        }
        assert_eq!(all[1].0.to_string(), "jour férié : Noël");
        assert_eq!(all[2].0.to_string(), "fermeture : Grève");
        assert_eq!(
            all[3].0.to_string(),
            "vacances scolaires : Vacances de Noël"
        );
    }
}
