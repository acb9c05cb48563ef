//! What a parent's file may carry besides its content, and how it is taken away:
//!
//! - a PDF with active content (`/JavaScript`, `/JS`, `/OpenAction`, `/AA`, `/Launch`,
//!   `/EmbeddedFile`, `/RichMedia`, `/XFA`, `/SubmitForm`, `/ImportData`, `/GoToR`) is refused,
//!   names written with `#xx` escapes and compressed streams included;
//! - an image is decoded and encoded again, so only its pixels are kept: no metadata, no
//!   comment, nothing appended after its end (a JPEG/HTML polyglot loses its HTML);
//! - Unicode format characters (U+202E and its kind, which make `facture<U+202E>gpj.exe`
//!   read as `factureexe.jpg`) are taken out of names and descriptions.

use super::service::FileKind;
use std::io::Cursor;

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// A PDF that can run something when opened.
    ActiveContent,
    /// Not an image the decoder reads.
    UnreadableImage,
}

impl Hostile {
    pub fn message(self) -> String {
        crate::i18n::t(match self {
            Hostile::ActiveContent => "document-active-content",
            Hostile::UnreadableImage => "document-unreadable-image",
        })
    }
}

/// Names of PDF keys that run code or open other things.
const ACTIVE_KEYS: &[&[u8]] = &[
    b"JavaScript",
    b"JS",
    b"OpenAction",
    b"AA",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"SubmitForm",
    b"ImportData",
    b"GoToR",
    b"GoToE",
];

/// Largest inflated size of one stream that is inspected; past it the file is refused, as a
/// compression bomb would be.
const MAX_INFLATED: usize = 64 * 1024 * 1024;

/// The file as it will be stored, or why it is refused.
pub fn sanitize(kind: FileKind, bytes: Vec<u8>) -> Result<Vec<u8>, Hostile> {
    match kind {
        FileKind::Pdf => {
            if pdf_has_active_content(&bytes) {
                Err(Hostile::ActiveContent)
            } else {
                Ok(bytes)
            }
        }
        FileKind::Jpeg => reencode(&bytes, image::ImageFormat::Jpeg),
        FileKind::Png => reencode(&bytes, image::ImageFormat::Png),
    }
}

fn reencode(bytes: &[u8], format: image::ImageFormat) -> Result<Vec<u8>, Hostile> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| Hostile::UnreadableImage)?;
    let mut out = Cursor::new(Vec::new());
    match format {
        image::ImageFormat::Jpeg => {
            // JPEG has no alpha: keep the colour channels.
            let rgb = image::DynamicImage::ImageRgb8(decoded.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            rgb.write_with_encoder(encoder)
                .map_err(|_| Hostile::UnreadableImage)?;
        }
        _ => decoded
            .write_to(&mut out, format)
            .map_err(|_| Hostile::UnreadableImage)?,
    }
    Ok(out.into_inner())
}

/// Whether a PDF names an active key, in its text or in any of its compressed streams.
pub fn pdf_has_active_content(bytes: &[u8]) -> bool {
    if names_active_key(bytes) {
        return true;
    }
    streams(bytes).any(|stream| {
        match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(stream, MAX_INFLATED) {
            Ok(inflated) => names_active_key(&inflated),
            // Too large once inflated: refused rather than left unread.
            Err(e) => matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput),
        }
    })
}

/// The raw data of every `stream … endstream`.
fn streams(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let start = find(rest, b"stream")?;
        let mut data = &rest[start + 6..];
        if data.starts_with(b"\r\n") {
            data = &data[2..];
        } else if data.starts_with(b"\n") || data.starts_with(b"\r") {
            data = &data[1..];
        } else {
            // "endstream" or another word ending in "stream": look further.
            rest = data;
            return Some(&[][..]);
        }
        let end = find(data, b"endstream").unwrap_or(data.len());
        rest = &data[end..];
        Some(&data[..end])
    })
    .filter(|s| !s.is_empty())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the bytes contain a PDF name (`/Name`, `#xx` escapes decoded) among the active keys.
fn names_active_key(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        i += 1;
        let mut name = Vec::new();
        while i < bytes.len() && !is_delimiter(bytes[i]) {
            if bytes[i] == b'#'
                && i + 2 < bytes.len()
                && let Ok(text) = std::str::from_utf8(&bytes[i + 1..i + 3])
                && let Ok(decoded) = u8::from_str_radix(text, 16)
            {
                name.push(decoded);
                i += 3;
            } else {
                name.push(bytes[i]);
                i += 1;
            }
        }
        if ACTIVE_KEYS.contains(&name.as_slice()) {
            return true;
        }
    }
    false
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b)
}

/// Unicode format characters (general category Cf) and the other invisible controls of
/// direction: they change how a name reads without showing.
pub fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}'
    )
}

/// The text without its format characters.
pub fn strip_format_chars(text: &str) -> String {
    text.chars().filter(|c| !is_format_char(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_pdf_keys_are_found_even_escaped_or_compressed() {
        assert!(pdf_has_active_content(
            b"%PDF-1.4\n1 0 obj << /OpenAction 2 0 R >> endobj"
        ));
        assert!(pdf_has_active_content(
            b"%PDF-1.4\n1 0 obj << /S /J#61vaScript >> endobj"
        ));
        let hidden =
            miniz_oxide::deflate::compress_to_vec_zlib(b"<< /S /Launch /F (calc.exe) >>", 6);
        let mut pdf = b"%PDF-1.5\n1 0 obj << /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&hidden);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF");
        assert!(pdf_has_active_content(&pdf));
        assert!(!pdf_has_active_content(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF"
        ));
    }

    #[test]
    fn format_characters_are_taken_out_of_names() {
        assert_eq!(
            strip_format_chars("facture\u{202E}gpj.exe"),
            "facturegpj.exe"
        );
        assert_eq!(strip_format_chars("a\u{200B}b\u{FEFF}c"), "abc");
        assert_eq!(
            strip_format_chars("Attestation CAF – 2026"),
            "Attestation CAF – 2026"
        );
    }
}
