//! The two helpers of the guide that make a password for the parent: a random one, and one
//! built from a sentence the parent chooses (first letter of each word, digits and punctuation
//! kept), which is easier to remember.

use super::password_policy::{Assessment, Context, assess};
use rand::Rng;

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SPECIAL: &[u8] = b"!#$%&*+-=?@_";
pub const RANDOM_LENGTH: usize = 16;

/// 16 characters with at least one of each kind; look-alikes (l/1, O/0) left out so it can be
/// copied by hand. The generator is the operating system's CSPRNG.
pub fn random_password(context: &Context) -> (String, Assessment) {
    let mut rng = rand::rng();
    loop {
        let all: Vec<u8> = [LOWER, UPPER, DIGITS, SPECIAL].concat();
        let mut chars: Vec<u8> = [LOWER, UPPER, DIGITS, SPECIAL]
            .iter()
            .map(|set| set[rng.random_range(0..set.len())])
            .collect();
        while chars.len() < RANDOM_LENGTH {
            chars.push(all[rng.random_range(0..all.len())]);
        }
        // Shuffle so the guaranteed characters are not always first.
        for i in (1..chars.len()).rev() {
            chars.swap(i, rng.random_range(0..=i));
        }
        let password = String::from_utf8(chars).expect("ASCII");
        let assessment = assess(&password, context);
        // A random draw spelling a name is rare but possible: draw again.
        if assessment.accepted() {
            return (password, assessment);
        }
    }
}

/// "Mon fils Théo a 10 ans, il adore la cantine !" → "MfTa10a,ialc!".
pub fn from_sentence(sentence: &str) -> String {
    let mut out = String::new();
    for word in sentence.split_whitespace() {
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_alphabetic() {
                out.push(c);
                // The rest of the word's letters are dropped; digits and punctuation kept.
                while let Some(&next) = chars.peek() {
                    if next.is_alphabetic() || next == '\'' || next == '’' {
                        chars.next();
                    } else {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_passwords_pass_the_policy_and_differ() {
        let context = Context {
            email: "a@b.fr".into(),
            ..Default::default()
        };
        let (a, assessment) = random_password(&context);
        let (b, _) = random_password(&context);
        assert_eq!(a.chars().count(), RANDOM_LENGTH);
        assert!(assessment.accepted());
        assert!(assessment.entropy_bits >= 80.0);
        assert_ne!(a, b);
    }

    #[test]
    fn a_sentence_keeps_first_letters_digits_and_punctuation() {
        assert_eq!(
            from_sentence("Mon fils Théo a 10 ans, il adore la cantine !"),
            "MfTa10a,ialc!"
        );
        assert_eq!(from_sentence("J'ai 2 enfants : Léa et Hugo."), "J2e:LeH.");
        assert_eq!(from_sentence("   "), "");
    }

    #[test]
    fn a_sentence_result_is_judged_by_the_same_policy() {
        let context = Context::default();
        let good = from_sentence("Mon fils Théo a 10 ans, il adore la cantine !");
        assert!(assess(&good, &context).accepted(), "{good}");
        let short = from_sentence("j'aime le soleil");
        assert!(!assess(&short, &context).accepted());
    }
}
