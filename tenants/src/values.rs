//! Checks of the everyday values the portal stores: e-mail addresses, French phone numbers,
//! postal codes and dates as people write them.

use chrono::NaiveDate;

/// A practical e-mail check: one `@`, a non-empty local part, a domain with a dot, no spaces
/// or control characters, at most 254 characters. Deliverability is proven by the mail itself.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && value.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != ',' && c != ';'
        })
}

/// Digits of a French phone number (`0612345678`), from the ways people write it:
/// spaces, dots, dashes, `+33` or `0033`.
pub fn normalize_french_phone(value: &str) -> Option<String> {
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+33") {
        format!("0{}", rest.strip_prefix("(0)").unwrap_or(rest))
    } else if let Some(rest) = compact.strip_prefix("0033") {
        format!("0{rest}")
    } else {
        compact
    };
    let valid = national.len() == 10
        && national.starts_with('0')
        && national.as_bytes()[1] != b'0'
        && national.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(national)
}

pub fn is_french_phone(value: &str) -> bool {
    normalize_french_phone(value).is_some()
}

/// `0612345678` written as `06 12 34 56 78`.
pub fn format_french_phone(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn is_postal_code(value: &str) -> bool {
    value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit())
}

/// A date written `JJ/MM/AAAA` (the French way) or `AAAA-MM-JJ` (ISO 8601).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .ok()
        .filter(|d| {
            use chrono::Datelike;
            (1900..=2200).contains(&d.year())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_emails() {
        for ok in ["paul.alain@example.fr", "a+b@mairie-lannion.bzh", "X@Y.ORG"] {
            assert!(is_email(ok), "{ok}");
        }
    }

    #[test]
    fn malformed_addresses_are_not_emails() {
        for bad in [
            "",
            "paul",
            "paul@",
            "@x.fr",
            "paul@x",
            "pa ul@x.fr",
            "a@b@c.fr",
            "a@.fr",
            "a@x..fr",
            "a@x.fr,b@y.fr",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn french_phones_are_read_in_their_usual_spellings() {
        for ok in [
            "06 12 34 56 78",
            "06.12.34.56.78",
            "0612345678",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
        ] {
            assert_eq!(
                normalize_french_phone(ok).as_deref(),
                Some("0612345678"),
                "{ok}"
            );
        }
        for bad in [
            "",
            "12345",
            "06 12 34 56",
            "00 12 34 56 78",
            "06 12 34 56 7a",
        ] {
            assert_eq!(normalize_french_phone(bad), None, "{bad}");
        }
        assert_eq!(format_french_phone("0612345678"), "06 12 34 56 78");
    }

    #[test]
    fn dates_are_read_in_french_and_iso_forms() {
        let d = NaiveDate::from_ymd_opt(2011, 7, 7).unwrap();
        assert_eq!(parse_date("07/07/2011"), Some(d));
        assert_eq!(parse_date("2011-07-07"), Some(d));
        for bad in [
            "30/02/2020",
            "2020-02-30",
            "7 juillet 2011",
            "",
            "01/01/1850",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
