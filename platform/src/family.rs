//! What the household and children features share: the school year a record is validated
//! for, the consents the portal asks, and the error of a write.

use crate::http::errors::{
    Details, FORBIDDEN, Failure, INTERNAL, INVALID, NOT_FOUND, Problem, UNAUTHORIZED, UNAVAILABLE,
    fields, invalid_fields_message,
};
use crate::validation::FieldErrors;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use poem::http::StatusCode;

/// "Théo ALAIN": the one order parents read a person's name in, first name then family name
/// in capitals.
pub fn person_name(first: &str, last: &str) -> String {
    format!("{first} {}", last.to_uppercase())
}

/// The names of the fields whose pair says they changed: what a write's audit lists.
pub fn changed_names(pairs: &[(&str, bool)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// A record's validation holds for the school year (1 September – 31 August) it was made in.
pub fn school_year_start(today: NaiveDate) -> NaiveDate {
    let year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 9, 1).expect("1 September exists")
}

/// "2026-2027" for a date in that school year.
pub fn school_year_label(today: NaiveDate) -> String {
    let start = school_year_start(today).year();
    format!("{start}-{}", start + 1)
}

pub fn paris_date(instant: DateTime<Utc>) -> NaiveDate {
    instant
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

/// Whether a record validated at `validated_at` is still valid at `now`.
pub fn is_validated(validated_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    validated_at.is_some_and(|v| paris_date(v) >= school_year_start(paris_date(now)))
}

/// The consents each guardian gives or withdraws: (code, label).
pub const CONSENTS: [(&str, &str); 3] = [
    (
        "informations_email",
        "Recevoir par e-mail les informations de la mairie (menus, activités, rappels)",
    ),
    (
        "rappels_sms",
        "Recevoir par SMS un rappel avant les dates butoirs de réservation",
    ),
    (
        "quotient_caf",
        "Autoriser la mairie à consulter mon quotient familial auprès de la CAF",
    ),
];

/// Why a write of the family file was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Not in the signed-in guardian's household (or not at all): 404, never the data.
    #[error("not found")]
    NotFound,
    #[error("invalid fields")]
    Invalid(FieldErrors),
    #[error("database")]
    Database(#[from] sea_orm::DbErr),
    /// Another dependency (Redis, which keeps the e-mail change links) is unreachable.
    #[error("a dependency is unavailable")]
    Unavailable,
}

impl From<FieldErrors> for WriteError {
    fn from(e: FieldErrors) -> Self {
        WriteError::Invalid(e)
    }
}

impl Problem for WriteError {
    fn status(&self) -> StatusCode {
        match self {
            WriteError::NotFound => Failure::NotFound.status(),
            WriteError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WriteError::Database(e) => Failure::of(e).status(),
            WriteError::Unavailable => Failure::Unavailable.status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WriteError::NotFound => Failure::NotFound.code(),
            WriteError::Invalid(_) => "invalid_fields",
            WriteError::Database(e) => Failure::of(e).code(),
            WriteError::Unavailable => Failure::Unavailable.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            WriteError::NotFound => Failure::NotFound.message(),
            WriteError::Invalid(_) => invalid_fields_message(),
            WriteError::Database(e) => Failure::of(e).message(),
            WriteError::Unavailable => Failure::Unavailable.message(),
        }
    }

    fn details(&self) -> Details {
        match self {
            WriteError::Invalid(errors) => fields(errors),
            _ => Details::None,
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            UNAUTHORIZED,
            FORBIDDEN,
            NOT_FOUND,
            INVALID,
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_validation_lasts_until_the_end_of_august() {
        let validated = Utc.with_ymd_and_hms(2026, 9, 15, 10, 0, 0).unwrap();
        assert!(is_validated(
            Some(validated),
            Utc.with_ymd_and_hms(2027, 8, 31, 20, 0, 0).unwrap()
        ));
        assert!(!is_validated(
            Some(validated),
            Utc.with_ymd_and_hms(2027, 9, 1, 8, 0, 0).unwrap()
        ));
        assert!(!is_validated(None, validated));
        let june = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
        assert!(
            !is_validated(
                Some(june),
                Utc.with_ymd_and_hms(2026, 9, 2, 10, 0, 0).unwrap()
            ),
            "last year's validation"
        );
        assert_eq!(
            school_year_label(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
            "2026-2027"
        );
    }
}
