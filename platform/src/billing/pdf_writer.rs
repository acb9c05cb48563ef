//! A small writer of one-font-family PDF documents: text in Helvetica (regular and bold) and
//! rules, on A4 pages, with compressed content streams.
//!
//! Why no PDF crate: an invoice is a page of text and lines. `printpdf` brings a large
//! dependency tree (and its embedded TTF fonts add hundreds of kilobytes to every stored
//! invoice unless subset, which needs more crates); `pdf-writer` would only replace the
//! hundred lines below. The PDF standard's Helvetica, with `WinAnsiEncoding`, is present in
//! every viewer, prints the French accents and the euro sign, keeps each invoice around 3 KB
//! (1,000 households = 3 MB in the database), costs no build time, and its text is extracted
//! exactly by `pdftotext` (the tests read invoices that way).

use miniz_oxide::deflate::compress_to_vec_zlib;
use std::fmt::Write as _;

pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A document being drawn, page by page.
#[derive(Default)]
pub struct Document {
    pages: Vec<String>,
    title: String,
}

impl Document {
    pub fn new(title: &str) -> Self {
        Document {
            pages: vec![String::new()],
            title: title.to_string(),
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(String::new());
    }

    fn page(&mut self) -> &mut String {
        self.pages.last_mut().expect("a document has a page")
    }

    /// Text whose baseline starts at (`x`, `y`), from the bottom left corner, in points.
    pub fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let font = match weight {
            Weight::Regular => "F1",
            Weight::Bold => "F2",
        };
        let encoded = pdf_string(text);
        let _ = writeln!(
            self.page(),
            "BT /{font} {size:.1} Tf {x:.2} {y:.2} Td ({encoded}) Tj ET"
        );
    }

    /// Text whose end is at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let x = right - text_width(text, size, weight);
        self.text(x, y, size, weight, text);
    }

    /// A horizontal rule.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        let _ = writeln!(
            self.page(),
            "{width:.2} w {x1:.2} {y:.2} m {x2:.2} {y:.2} l S"
        );
    }

    /// The finished file.
    pub fn finish(self) -> Vec<u8> {
        // Objects: 1 catalog, 2 pages, 3 and 4 fonts, 5 info, then a page and its content
        // for each page.
        let mut objects: Vec<Vec<u8>> = Vec::new();
        let count = self.pages.len();
        let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(
            format!(
                "<< /Type /Pages /Kids [{}] /Count {count} >>",
                kids.join(" ")
            )
            .into_bytes(),
        );
        for base in ["Helvetica", "Helvetica-Bold"] {
            objects.push(
                format!(
                    "<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"
                )
                .into_bytes(),
            );
        }
        objects.push(
            format!(
                "<< /Title ({}) /Producer (Portail Famille) >>",
                pdf_string(&self.title)
            )
            .into_bytes(),
        );
        for (i, content) in self.pages.iter().enumerate() {
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                    7 + 2 * i
                )
                .into_bytes(),
            );
            let compressed = compress_to_vec_zlib(&winansi(content), 6);
            let mut stream = format!(
                "<< /Length {} /Filter /FlateDecode >>\nstream\n",
                compressed.len()
            )
            .into_bytes();
            stream.extend_from_slice(&compressed);
            stream.extend_from_slice(b"\nendstream");
            objects.push(stream);
        }

        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        out.extend_from_slice(table.as_bytes());
        out
    }
}

/// A string literal's content: backslash, parentheses escaped. Still Unicode here: the whole
/// content stream is encoded to WinAnsi at the end.
fn pdf_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The bytes of `text` in WinAnsiEncoding (Windows-1252); a character it lacks becomes `?`.
pub fn winansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\n' => b'\n',
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{202f}' | '\u{2009}' => 0xa0,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'Œ' => 0x8c,
            'œ' => 0x9c,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

/// The width of `text` in Helvetica, in points: exact for digits, spaces and punctuation (the
/// amounts aligned right), close enough for words (line wrapping).
pub fn text_width(text: &str, size: f32, weight: Weight) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' | '€' => 556,
            ' ' | '\u{a0}' | '\u{202f}' | ',' | '.' | '/' | ':' | ';' => 278,
            '-' | '(' | ')' => 333,
            'i' | 'j' | 'l' | '\'' | '’' => 222,
            'f' | 't' | 'I' | 'r' => 300,
            'm' | 'M' | 'W' => 833,
            'w' => 722,
            'A'..='Z' => 680,
            _ => 520,
        })
        .sum();
    let factor = if weight == Weight::Bold { 1.05 } else { 1.0 };
    units as f32 * size / 1000.0 * factor
}

/// `text` cut into lines no wider than `width`, at spaces.
pub fn wrap(text: &str, width: f32, size: f32, weight: Weight) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text_width(&candidate, size, weight) > width {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_letters_and_the_euro_sign_are_encoded_in_winansi() {
        assert_eq!(winansi("é€à"), vec![0xe9, 0x80, 0xe0]);
        assert_eq!(winansi("漢"), b"?".to_vec());
    }

    #[test]
    fn parentheses_are_escaped_in_strings() {
        assert_eq!(pdf_string("a (b) \\"), "a \\(b\\) \\\\");
    }

    #[test]
    fn long_text_is_wrapped_within_the_width() {
        let lines = wrap(&"mot ".repeat(60), 200.0, 10.0, Weight::Regular);
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, 10.0, Weight::Regular) <= 200.0)
        );
    }

    #[test]
    fn the_file_is_a_pdf_with_a_cross_reference_table() {
        let mut doc = Document::new("Essai");
        doc.text(50.0, 800.0, 12.0, Weight::Bold, "Facture");
        let bytes = doc.finish();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("xref\n0 8\n"));
        assert!(text.ends_with("%%EOF\n"));
    }
}
