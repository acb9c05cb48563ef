//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second
//! steps, a code of the previous or next step accepted for clock drift. The caller keeps the
//! last accepted step per account, so a code works once.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
const SECRET_BYTES: usize = 20;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random secret, in base32 (what authenticator apps take), without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    base32(&bytes)
}

pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of `step` for the raw `key` (RFC 4226 dynamic truncation), with `digits` digits.
pub fn code_at(key: &[u8], step: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&(step as u64).to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The code of a base32 secret at a Unix time (what the authenticator app shows).
pub fn code(secret: &str, unix_seconds: i64) -> String {
    let key = base32_decode(secret).unwrap_or_default();
    code_at(&key, step_of(unix_seconds), DIGITS)
}

/// The step whose code `submitted` is, among the previous, current and next steps, and only
/// if it is after `last_used` (a code works once). `None`: refused.
pub fn verify(
    secret: &str,
    submitted: &str,
    unix_seconds: i64,
    last_used: Option<i64>,
) -> Option<i64> {
    let submitted: String = submitted.chars().filter(|c| !c.is_whitespace()).collect();
    if submitted.len() != DIGITS as usize || !submitted.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = base32_decode(secret)?;
    let now = step_of(unix_seconds);
    (now - 1..=now + 1)
        .filter(|step| last_used.is_none_or(|last| *step > last))
        .find(|step| {
            constant_time_eq(
                code_at(&key, *step, DIGITS).as_bytes(),
                submitted.as_bytes(),
            )
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI authenticator apps read from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let label = format!("{}:{}", encode(issuer), encode(account));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        encode(issuer)
    )
}

/// An issuer or account name in the URI: `@` stays, as authenticator apps show it.
fn encode(text: &str) -> String {
    crate::http::url::percent_encode(text, b"@")
}

/// The URI as an inline SVG QR code (no image file, nothing fetched).
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build()
            // The page gives the image its accessible name; the XML prologue has no place
            // inside HTML.
            .replace("<?xml version=\"1.0\" standalone=\"yes\"?>", ""),
        Err(_) => String::new(),
    }
}

/// A recovery code: 10 characters of an alphabet without look-alikes, shown as `XXXXX-XXXXX`.
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A recovery code as typed (any case, with or without the dash), normalised for hashing.
pub fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The stored form of a recovery code.
pub fn recovery_hash(code: &str) -> String {
    crate::auth::tokens::token_hash(&normalize_recovery(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 seed and its 8-digit codes.
    #[test]
    fn the_rfc_6238_test_vectors() {
        let key = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at(key, step_of(time), 8), expected, "T = {time}");
        }
        // The 6-digit code is the last six digits of the same truncation.
        assert_eq!(code_at(key, step_of(59), 6), "287082");
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(base32_decode(&secret).unwrap().len(), 20);
    }

    #[test]
    fn a_code_is_accepted_one_step_around_and_only_after_the_last_used() {
        let secret = base32(b"12345678901234567890");
        let now = 1_111_111_111;
        let current = code(&secret, now);
        assert_eq!(verify(&secret, &current, now, None), Some(step_of(now)));
        assert_eq!(
            verify(&secret, &code(&secret, now - 30), now, None),
            Some(step_of(now) - 1)
        );
        assert_eq!(
            verify(&secret, &code(&secret, now + 30), now, None),
            Some(step_of(now) + 1)
        );
        assert_eq!(verify(&secret, &code(&secret, now - 60), now, None), None);
        // Replayed: the step was used already.
        assert_eq!(verify(&secret, &current, now, Some(step_of(now))), None);
        assert_eq!(verify(&secret, "12345", now, None), None);
        assert_eq!(verify(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn the_uri_and_the_qr_code() {
        let uri = otpauth_uri("Mairie de Lannion", "anne@lannion.fr", "ABC");
        assert_eq!(
            uri,
            "otpauth://totp/Mairie%20de%20Lannion:anne@lannion.fr?secret=ABC&issuer=Mairie%20de%20Lannion&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&uri);
        assert!(svg.trim_start().starts_with("<svg"), "{svg:.80}");
    }

    #[test]
    fn recovery_codes_are_normalised_before_hashing() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            recovery_hash(&code),
            recovery_hash(&code.to_lowercase().replace('-', ""))
        );
    }
}
