//! The password policy (CNIL délibération 2022-100, for sign-in by password alone): at least
//! 80 bits of strength, reached by one of
//! - 12 characters or more with upper case, lower case, digit and special character;
//! - 14 characters or more with upper case, lower case and digit;
//! - a passphrase of 7 words or more;
//! - any password whose estimated strength is 80 bits or more;
//!
//! and at most 128 characters. A password is also refused when it contains the e-mail's local
//! part, a household member's name or the city, or is one of the most common passwords.
//! Strength is estimated as CNIL does: length × log2(size of the alphabet used).
//!
//! Those rules count kinds of characters, which `Aaaaaaaaaaa1!` satisfies. So every password
//! must also resist guessing: the `zxcvbn` estimate (patterns, repeats, sequences, keyboard
//! walks, dictionaries) must reach [`MIN_GUESS_SCORE`] (3 of 4: about 10^8 guesses or more).
//! And a passphrase counts only distinct words of three letters or more, so
//! `aa aa aa aa aa aa aa` is not seven words.

use serde::Serialize;

pub const MIN_BITS: f64 = 80.0;
pub const MAX_CHARS: usize = 128;
/// The lowest `zxcvbn` score accepted (0 to 4).
pub const MIN_GUESS_SCORE: u8 = 3;
const COMMON: &str = include_str!("common_passwords.txt");

/// Why a password is refused: a stable code and a French sentence saying what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    TooLong,
    TooWeak,
    ContainsEmail,
    ContainsName,
    ContainsCity,
    Common,
    Guessable,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::TooLong => "too_long",
            Refusal::TooWeak => "too_weak",
            Refusal::ContainsEmail => "contains_email",
            Refusal::ContainsName => "contains_name",
            Refusal::ContainsCity => "contains_city",
            Refusal::Common => "common",
            Refusal::Guessable => "guessable",
        }
    }

    pub fn message(self) -> String {
        match self {
            Refusal::TooLong => crate::i18n::t("password-too-long"),
            Refusal::TooWeak => crate::i18n::t("password-too-weak"),
            Refusal::ContainsEmail => crate::i18n::t("password-contains-email"),
            Refusal::ContainsName => crate::i18n::t("password-contains-name"),
            Refusal::ContainsCity => crate::i18n::t("password-contains-city"),
            Refusal::Common => crate::i18n::t("password-common"),
            Refusal::Guessable => crate::i18n::t("password-guessable"),
        }
    }
}

/// A refused password as an error answers it: every refusal's sentence, in one message…
pub fn refused_message(refusals: &[Refusal]) -> String {
    let sentences: Vec<_> = refusals.iter().map(|r| r.message()).collect();
    sentences.join(" ")
}

/// …and each refusal's code and sentence as the answer's `reasons`.
pub fn refused_details(refusals: &[Refusal]) -> crate::http::errors::Details {
    crate::http::errors::Details::Reasons(
        refusals.iter().map(|r| (r.code(), r.message())).collect(),
    )
}

/// What the policy knows of the person, to refuse passwords built from it.
#[derive(Debug, Default, Clone)]
pub struct Context {
    pub email: String,
    pub names: Vec<String>,
    pub city: String,
}

/// The measures shown to the parent while typing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    pub length: usize,
    pub has_lower: bool,
    pub has_upper: bool,
    pub has_digit: bool,
    pub has_special: bool,
    pub words: usize,
    pub entropy_bits: f64,
    pub refusals: Vec<Refusal>,
}

impl Assessment {
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty()
    }
}

pub fn assess(password: &str, context: &Context) -> Assessment {
    let length = password.chars().count();
    let has_lower = password.chars().any(|c| c.is_lowercase());
    let has_upper = password.chars().any(|c| c.is_uppercase());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    let has_special = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let words = distinct_words(password);
    let entropy_bits = entropy_bits(password);

    let mut refusals = Vec::new();
    if length > MAX_CHARS {
        refusals.push(Refusal::TooLong);
    } else {
        let strong = (length >= 12 && has_lower && has_upper && has_digit && has_special)
            || (length >= 14 && has_lower && has_upper && has_digit)
            || words >= 7
            || entropy_bits >= MIN_BITS;
        if !strong {
            refusals.push(Refusal::TooWeak);
        }
        let folded = fold(password);
        let local = context.email.split('@').next().unwrap_or("");
        if contains_part(&folded, local) {
            refusals.push(Refusal::ContainsEmail);
        }
        if context.names.iter().any(|n| {
            n.split([' ', '-', '\''])
                .any(|part| contains_part(&folded, part))
        }) {
            refusals.push(Refusal::ContainsName);
        }
        if contains_part(&folded, &context.city) {
            refusals.push(Refusal::ContainsCity);
        }
        if is_common(&folded) {
            refusals.push(Refusal::Common);
        }
        if strong && guess_score(password, context) < MIN_GUESS_SCORE {
            refusals.push(Refusal::Guessable);
        }
    }
    Assessment {
        length,
        has_lower,
        has_upper,
        has_digit,
        has_special,
        words,
        entropy_bits,
        refusals,
    }
}

/// The words of a passphrase that count: made of letters (an apostrophe inside allowed), of
/// three letters or more, not one letter repeated, each counted once whatever its case.
fn distinct_words(password: &str) -> usize {
    let mut seen = std::collections::HashSet::new();
    password
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_' || c == '.')
        .map(|w| fold(w.trim_matches(|c: char| !c.is_alphabetic())))
        .filter(|w| {
            let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
            letters.len() >= 3
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
                && letters.iter().any(|c| *c != letters[0])
        })
        .filter(|w| seen.insert(w.clone()))
        .count()
}

/// The `zxcvbn` score (0 to 4), told the person's e-mail, names and city.
fn guess_score(password: &str, context: &Context) -> u8 {
    let mut inputs: Vec<&str> = vec![context.email.as_str(), context.city.as_str()];
    inputs.extend(context.names.iter().map(String::as_str));
    inputs.retain(|s| !s.is_empty());
    u8::from(zxcvbn::zxcvbn(password, &inputs).score())
}

/// length × log2(alphabet): 26 lower, 26 upper, 10 digits, 33 specials, and letters with
/// accents counted as a further alphabet of 40. Words separated by spaces are guessed as words,
/// not letters: a phrase counts at most 11.5 bits a word (a list of about 3,000 common words),
/// so that, as CNIL says, it takes 7 of them to reach 80 bits.
pub fn entropy_bits(password: &str) -> f64 {
    let by_characters = character_entropy(password);
    let bits = if password.split_whitespace().count() >= 2 {
        by_characters.min(distinct_words(password) as f64 * 11.5)
    } else {
        by_characters
    };
    (bits * 10.0).round() / 10.0
}

fn character_entropy(password: &str) -> f64 {
    let mut pool = 0u32;
    let chars: Vec<char> = password.chars().collect();
    if chars.iter().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if chars
        .iter()
        .any(|c| c.is_ascii() && !c.is_ascii_alphanumeric())
    {
        pool += 33;
    }
    if chars.iter().any(|c| !c.is_ascii()) {
        pool += 40;
    }
    if pool == 0 {
        return 0.0;
    }
    chars.len() as f64 * (pool as f64).log2()
}

/// Lower case without accents, so "Théo" is found in "theo2024!".
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Parts shorter than 3 letters ("Li", "Ô") would refuse too much.
fn contains_part(folded_password: &str, part: &str) -> bool {
    let part = fold(part.trim());
    part.chars().count() >= 3 && folded_password.contains(&part)
}

fn is_common(folded: &str) -> bool {
    let stripped: String = folded
        .trim_end_matches(|c: char| c.is_ascii_digit() || "!?.*".contains(c))
        .to_string();
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|common| folded == common || (stripped.len() >= 4 && stripped == common))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            email: "paul.alain@demo.example".into(),
            names: vec!["ALAIN".into(), "Paul".into(), "Théo".into(), "Li".into()],
            city: "Lannion".into(),
        }
    }

    fn refusals(p: &str) -> Vec<Refusal> {
        assess(p, &context()).refusals
    }

    #[test]
    fn twelve_characters_of_four_kinds_are_accepted() {
        assert_eq!(refusals("Vélo#Rouge42x"), vec![]);
        assert_eq!(refusals("Tr0mpette!bz"), vec![]);
    }

    #[test]
    fn fourteen_characters_of_three_kinds_are_accepted() {
        assert_eq!(refusals("Grenouille7Bleu"), vec![]);
        assert_eq!(refusals("Grenouille7Ble"), vec![]);
        assert_eq!(
            refusals("Grenouille7Bl"),
            vec![Refusal::TooWeak],
            "13 characters without a special one"
        );
    }

    #[test]
    fn a_passphrase_of_seven_words_is_accepted() {
        assert_eq!(refusals("le chat noir dort sur notre vieux canapé"), vec![]);
        assert_eq!(
            refusals("le chat dort sur le vieux canapé"),
            vec![Refusal::TooWeak],
            "\"le\" is too short and counted once: five words"
        );
    }

    #[test]
    fn a_long_password_of_one_kind_is_accepted_on_its_strength() {
        let p = "qwmnbvzxlkjhgfdsapoi";
        assert!(entropy_bits(p) >= 80.0);
        assert_eq!(refusals(p), vec![]);
        assert_eq!(refusals("qwmnbvzxlkjhgfds"), vec![Refusal::TooWeak]);
    }

    #[test]
    fn short_or_simple_passwords_are_too_weak() {
        for p in ["", "abc", "Ab1!", "Abcdefgh1!x"] {
            assert!(refusals(p).contains(&Refusal::TooWeak), "{p}");
        }
    }

    #[test]
    fn more_than_128_characters_is_refused_as_too_long() {
        assert_eq!(refusals(&"Ab1!".repeat(33)), vec![Refusal::TooLong]);
        assert_eq!(refusals(&"a".repeat(10_000)), vec![Refusal::TooLong]);
    }

    #[test]
    fn the_email_household_names_and_city_are_refused_whatever_the_case_and_accents() {
        assert_eq!(
            refusals("Paul.Alain#2024xyz"),
            vec![Refusal::ContainsEmail, Refusal::ContainsName]
        );
        assert_eq!(refusals("J'aimeTHEO#2024x"), vec![Refusal::ContainsName]);
        assert_eq!(refusals("Vivelannion#2024"), vec![Refusal::ContainsCity]);
        assert_eq!(
            refusals("Limonade#2024xy"),
            vec![],
            "a two-letter name is too short to match"
        );
    }

    #[test]
    fn the_most_common_passwords_are_refused() {
        assert!(refusals("Azerty123456!").contains(&Refusal::Common));
        assert!(refusals("motdepasse").contains(&Refusal::Common));
        assert!(refusals("Password1234!").contains(&Refusal::Common));
    }

    #[test]
    fn passwords_of_the_right_kinds_but_easy_to_guess_are_refused() {
        for p in [
            "Aaaaaaaaaaa1!",
            "Azertyuiop1!",
            "Qwertyuiop12!",
            "Password1234!x",
        ] {
            assert!(refusals(p).contains(&Refusal::Guessable), "{p}");
        }
        assert_eq!(refusals("Vélo#Rouge42x"), vec![]);
    }

    #[test]
    fn a_passphrase_counts_distinct_words_of_three_letters_or_more() {
        assert_eq!(distinct_words("aa aa aa aa aa aa aa"), 0);
        assert_eq!(distinct_words("chat chat chat chat chat chat chat"), 1);
        assert_eq!(distinct_words("aaa bbb ccc ddd eee fff ggg"), 0);
        assert_eq!(distinct_words("le chat dort sur le vieux canapé"), 5);
        assert!(refusals("aa aa aa aa aa aa aa").contains(&Refusal::TooWeak));
        assert!(refusals("chat chat chat chat chat chat chat").contains(&Refusal::TooWeak));
        assert_eq!(
            refusals("girafe lointaine mange trois prunes sous orage"),
            vec![]
        );
    }

    #[test]
    fn the_measures_describe_the_password() {
        let a = assess("Vélo#Rouge42x", &context());
        assert_eq!(a.length, 13);
        assert!(a.has_lower && a.has_upper && a.has_digit && a.has_special);
        assert!(a.entropy_bits > 80.0, "{}", a.entropy_bits);
    }
}
