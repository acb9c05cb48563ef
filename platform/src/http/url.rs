//! Percent-encoding for the addresses the service writes (links with a return path, the
//! authenticator's `otpauth://` URI).

/// `text` with the unreserved characters of RFC 3986 and the bytes of `keep` as they are, and
/// every other byte as `%XX`.
pub fn percent_encode(text: &str, keep: &[u8]) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn only_unreserved_and_kept_bytes_stay_as_they_are() {
        assert_eq!(percent_encode("a-Z_0.~/é ?", b""), "a-Z_0.~%2F%C3%A9%20%3F");
        assert_eq!(percent_encode("/x?y=1&z", b"/"), "/x%3Fy%3D1%26z");
        assert_eq!(percent_encode("me@x.fr", b"@"), "me@x.fr");
    }
}
