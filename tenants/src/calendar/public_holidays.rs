//! French public holidays (jours fériés, Code du travail art. L3133-1), computed for any year.
//!
//! Eleven days: eight on fixed dates and three that follow Easter (lundi de Pâques, Ascension
//! 39 days after Easter, lundi de Pentecôte 50 days after). Schools are closed on all of them,
//! so they close school-period prestations, and they are not working days for the
//! "J-n jours ouvrés" deadlines.
//!
//! Computed rather than listed so that nothing expires. Alsace-Moselle's two extra days
//! (Vendredi saint, 26 décembre) are not included: no tenant is there yet, and a city can
//! declare them as closures.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm, also known as
/// Meeus/Jones/Butcher), valid for every year from 1583 on.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = n.div_euclid(31) as u32;
    let day = (n.rem_euclid(31) + 1) as u32;
    NaiveDate::from_ymd_opt(year, month, day).expect("Easter is in March or April")
}

/// The public holidays of `year` with their French names, in date order. When two fall on the
/// same date (the Ascension on 1 or 8 May, as in 2008), both are listed, the fixed one first.
pub fn public_holidays(year: i32) -> [(NaiveDate, &'static str); 11] {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("valid date");
    let easter = easter_sunday(year);
    let after_easter = |days| easter + Days::new(days);
    let mut all = [
        (fixed(1, 1), "Jour de l'an"),
        (after_easter(1), "Lundi de Pâques"),
        (fixed(5, 1), "Fête du Travail"),
        (fixed(5, 8), "Victoire 1945"),
        (after_easter(39), "Ascension"),
        (after_easter(50), "Lundi de Pentecôte"),
        (fixed(7, 14), "Fête nationale"),
        (fixed(8, 15), "Assomption"),
        (fixed(11, 1), "Toussaint"),
        (fixed(11, 11), "Armistice 1918"),
        (fixed(12, 25), "Noël"),
    ];
    // Stable: on a tie the fixed day, listed first above, stays first.
    all.sort_by_key(|(date, _)| *date);
    all
}

/// The French name of the public holiday on `date`, if it is one.
pub fn is_public_holiday(date: NaiveDate) -> Option<&'static str> {
    public_holidays(date.year())
        .into_iter()
        .find(|(day, _)| *day == date)
        .map(|(_, name)| name)
}

/// A working day (jour ouvré): Monday to Friday, and not a public holiday. School holidays
/// are working days: the town hall is open.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && is_public_holiday(date).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_the_known_dates() {
        for (year, month, day) in [
            (1961, 4, 2),
            (1818, 3, 22), // the earliest possible date
            (1943, 4, 25), // the latest possible date
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), d(year, month, day), "{year}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_22_march_and_25_april() {
        for year in 1583..=3000 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                easter >= d(year, 3, 22) && easter <= d(year, 4, 25),
                "{year}"
            );
        }
    }

    #[test]
    fn the_easter_based_holidays_of_2024_to_2028() {
        for (year, monday, ascension, pentecost) in [
            (2024, d(2024, 4, 1), d(2024, 5, 9), d(2024, 5, 20)),
            (2025, d(2025, 4, 21), d(2025, 5, 29), d(2025, 6, 9)),
            (2026, d(2026, 4, 6), d(2026, 5, 14), d(2026, 5, 25)),
            (2027, d(2027, 3, 29), d(2027, 5, 6), d(2027, 5, 17)),
            (2028, d(2028, 4, 17), d(2028, 5, 25), d(2028, 6, 5)),
        ] {
            assert_eq!(is_public_holiday(monday), Some("Lundi de Pâques"), "{year}");
            assert_eq!(monday.weekday(), Weekday::Mon);
            assert_eq!(is_public_holiday(ascension), Some("Ascension"), "{year}");
            assert_eq!(ascension.weekday(), Weekday::Thu);
            assert_eq!(
                is_public_holiday(pentecost),
                Some("Lundi de Pentecôte"),
                "{year}"
            );
            assert_eq!(pentecost.weekday(), Weekday::Mon);
            // Easter Sunday and Pentecost Sunday are Sundays, not public holidays of their own.
            assert_eq!(is_public_holiday(easter_sunday(year)), None);
        }
    }

    #[test]
    fn the_fixed_holidays() {
        for year in [2024, 2026, 2100] {
            for (month, day, name) in [
                (1, 1, "Jour de l'an"),
                (5, 1, "Fête du Travail"),
                (5, 8, "Victoire 1945"),
                (7, 14, "Fête nationale"),
                (8, 15, "Assomption"),
                (11, 1, "Toussaint"),
                (11, 11, "Armistice 1918"),
                (12, 25, "Noël"),
            ] {
                assert_eq!(is_public_holiday(d(year, month, day)), Some(name), "{year}");
            }
        }
    }

    #[test]
    fn ordinary_days_are_not_holidays() {
        for date in [
            d(2026, 1, 2),
            d(2026, 4, 5), // Easter Sunday
            d(2026, 4, 7),
            d(2026, 5, 2),
            d(2026, 7, 13),
            d(2026, 12, 24),
            d(2026, 12, 26), // a holiday in Alsace-Moselle only
            d(2026, 12, 31),
        ] {
            assert_eq!(is_public_holiday(date), None, "{date}");
        }
    }

    #[test]
    fn a_year_has_eleven_public_holidays_in_date_order() {
        for year in 2020..=2040 {
            let all = public_holidays(year);
            assert!(all.windows(2).all(|w| w[0].0 <= w[1].0), "{year}");
            assert!(all.iter().all(|(date, _)| date.year() == year));
            let holidays_in_year = d(year, 1, 1)
                .iter_days()
                .take_while(|date| date.year() == year)
                .filter(|date| is_public_holiday(*date).is_some())
                .count();
            assert_eq!(holidays_in_year, 11, "{year}");
        }
    }

    #[test]
    fn an_ascension_on_1_may_keeps_both_names() {
        // 2008: Easter 23 March, Ascension 1 May.
        let all = public_holidays(2008);
        assert!(all.contains(&(d(2008, 5, 1), "Ascension")));
        assert!(all.contains(&(d(2008, 5, 1), "Fête du Travail")));
        assert_eq!(is_public_holiday(d(2008, 5, 1)), Some("Fête du Travail"));
    }

    #[test]
    fn working_days_are_weekdays_that_are_not_public_holidays() {
        assert!(is_working_day(d(2026, 1, 19))); // Monday
        assert!(is_working_day(d(2026, 1, 23))); // Friday
        assert!(!is_working_day(d(2026, 1, 24))); // Saturday
        assert!(!is_working_day(d(2026, 1, 25))); // Sunday
        assert!(!is_working_day(d(2026, 5, 14))); // Ascension, a Thursday
        assert!(!is_working_day(d(2026, 5, 25))); // Pentecost Monday
        assert!(is_working_day(d(2026, 5, 15))); // the pont Friday: a school holiday only
        assert!(is_working_day(d(2025, 12, 22))); // school holidays are working days
    }
}
