//! Small calendar value types of the configuration file: a time of day and a weekday.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A wall-clock time in Europe/Paris, written `HH:MM` (24-hour clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    pub fn parse(input: &str) -> Option<Self> {
        let (h, m) = input.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let hour: u8 = h.parse().ok()?;
        let minute: u8 = m.parse().ok()?;
        (hour < 24 && minute < 60 && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()))
            .then_some(Self { hour, minute })
    }

    /// The French way of writing it: `8h30`, `12h`, `23h59`.
    pub fn french(&self) -> String {
        if self.minute == 0 {
            format!("{}h", self.hour)
        } else {
            format!("{}h{:02}", self.hour, self.minute)
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        TimeOfDay::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{raw:?} is not a time (expected HH:MM, e.g. \"08:30\")"
            ))
        })
    }
}

/// A day of the week, written in English lowercase in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }

    /// The day's name in the current locale ("lundi", "Monday"), from the calendar words.
    pub fn french(&self) -> String {
        crate::i18n::calendar::weekday(self.to_chrono().num_days_from_monday() as usize)
    }

    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Monday => chrono::Weekday::Mon,
            Weekday::Tuesday => chrono::Weekday::Tue,
            Weekday::Wednesday => chrono::Weekday::Wed,
            Weekday::Thursday => chrono::Weekday::Thu,
            Weekday::Friday => chrono::Weekday::Fri,
            Weekday::Saturday => chrono::Weekday::Sat,
            Weekday::Sunday => chrono::Weekday::Sun,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_parse_on_the_24_hour_clock() {
        assert_eq!(
            TimeOfDay::parse("08:30"),
            Some(TimeOfDay {
                hour: 8,
                minute: 30
            })
        );
        assert_eq!(
            TimeOfDay::parse("8:30"),
            Some(TimeOfDay {
                hour: 8,
                minute: 30
            })
        );
        assert_eq!(
            TimeOfDay::parse("23:59"),
            Some(TimeOfDay {
                hour: 23,
                minute: 59
            })
        );
        for bad in [
            "25:00", "24:00", "12:60", "12h30", "12:3", "", ":", "+1:00", "12:+1",
        ] {
            assert_eq!(TimeOfDay::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_of_day_are_written_the_french_way() {
        assert_eq!(TimeOfDay::parse("08:30").unwrap().french(), "8h30");
        assert_eq!(TimeOfDay::parse("06:00").unwrap().french(), "6h");
    }
}
