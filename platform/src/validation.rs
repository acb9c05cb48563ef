//! Field checks of the family file, with the French message each field shows when refused.
//! A refused request names every bad field at once.

use chrono::NaiveDate;
use portail_tenants::values::{is_email, is_postal_code, normalize_french_phone};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const SHORT_TEXT: usize = 200;
pub const LONG_TEXT: usize = 2000;

/// Field name → French message.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `value` when no field was refused, else every refusal at once: `errors.into_result(())?`
    /// ends a check.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trims, refuses control characters and more than `max` characters.
/// An optional id: none when `value` is blank; a value that is not an id adds the message
/// of `refusal_key`.
pub fn optional_id(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    refusal_key: &str,
) -> Option<Uuid> {
    match value.trim() {
        "" => None,
        text => {
            let id = text.parse::<Uuid>().ok();
            if id.is_none() {
                errors.add(field, crate::i18n::t(refusal_key));
            }
            id
        }
    }
}

pub fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let v = value.trim().to_string();
    if required && v.is_empty() {
        errors.add(field, crate::i18n::t("field-required"));
    } else if v.chars().count() > max {
        errors.add(
            field,
            crate::i18n::t_args("field-too-long", &[("max", (max as i64).into())]),
        );
    } else if v
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(field, crate::i18n::t("field-forbidden-chars"));
    }
    v
}

/// A French phone number, stored as `06 12 34 56 78`; empty allowed unless required.
pub fn phone(errors: &mut FieldErrors, field: &str, value: &str, required: bool) -> String {
    let v = value.trim();
    if v.is_empty() {
        if required {
            errors.add(field, crate::i18n::t("field-phone-required"));
        }
        return String::new();
    }
    match normalize_french_phone(v) {
        Some(digits) => portail_tenants::values::format_french_phone(&digits),
        None => {
            errors.add(field, crate::i18n::t("field-phone-invalid"));
            v.to_string()
        }
    }
}

pub fn postal_code(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim().to_string();
    if !is_postal_code(&v) {
        errors.add(field, crate::i18n::t("field-postal-code"));
    }
    v
}

pub fn email(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    if !is_email(&v) {
        errors.add(field, crate::i18n::t("field-email-invalid"));
    }
    v
}

/// A birth date: a real date, not in the future, after 1900.
pub fn birth_date(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match portail_tenants::values::parse_date(value.trim()) {
        Some(d) if d > today => {
            errors.add(field, crate::i18n::t("field-birth-future"));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.add(field, crate::i18n::t("field-date-invalid"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_gets_its_own_french_message() {
        let mut e = FieldErrors::default();
        assert_eq!(
            phone(&mut e, "phone", "06 12 34 56 78", false),
            "06 12 34 56 78"
        );
        assert_eq!(
            phone(&mut e, "phone", "+33612345678", false),
            "06 12 34 56 78"
        );
        phone(&mut e, "bad_phone", "12", false);
        postal_code(&mut e, "postal_code", "2230");
        email(&mut e, "email", "paul@");
        text(&mut e, "notes", &"x".repeat(10_000), LONG_TEXT, false);
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        birth_date(&mut e, "birth_date", "01/01/2030", today);
        assert_eq!(e.0.len(), 5);
        assert!(e.0["notes"].contains("2000 caractères au plus"));
        assert!(e.0["birth_date"].contains("futur"));
    }
}
