//! Amounts in cents, written the French way.

/// `123456` → "1 234,56 €" (no-break spaces between thousands and before €).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let (units, rest) = (abs / 100, abs % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{rest:02}\u{a0}€")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_in_euros_with_a_comma() {
        assert_eq!(euros(350), "3,50\u{a0}€");
        assert_eq!(euros(123456), "1\u{a0}234,56\u{a0}€");
        assert_eq!(euros(-1200), "-12,00\u{a0}€");
        assert_eq!(euros(0), "0,00\u{a0}€");
    }
}
