//! A small writer of one-font-family PDF documents: text in DejaVu Sans (regular and bold),
//! embedded, and rules, on A4 pages, with compressed content streams.
//!
//! Why no PDF crate: an invoice is a page of text and lines. `printpdf` brings a large
//! dependency tree; `pdf-writer` would only replace the object syntax below. The font is the
//! part worth a crate: the invoice must carry its own font (a standard Helvetica is the
//! viewer's, not ours), and a whole TrueType face is 700 KB. `subsetter` (typst's, without
//! its variable-font features: no other dependency) cuts the face down to the glyphs the
//! invoice uses (an invoice stays around 20 KB), and `ttf-parser` (no default features) reads
//! the glyph ids and their advances, so amounts are aligned right exactly. Each face is a
//! Type0 font with `Identity-H` glyph ids and a `ToUnicode` map: `pdftotext` extracts the
//! text, accents and the euro sign included. DejaVu Sans (Bitstream Vera licence, bundled in
//! `platform/fonts` with its licence) covers every Latin letter a name may hold.

use miniz_oxide::deflate::compress_to_vec_zlib;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A bundled TrueType face, parsed once.
struct Face {
    data: &'static [u8],
    name: &'static str,
    face: ttf_parser::Face<'static>,
}

static REGULAR: LazyLock<Face> =
    LazyLock::new(|| Face::load(include_bytes!("../../fonts/DejaVuSans.ttf"), "DejaVuSans"));
static BOLD: LazyLock<Face> = LazyLock::new(|| {
    Face::load(
        include_bytes!("../../fonts/DejaVuSans-Bold.ttf"),
        "DejaVuSans-Bold",
    )
});

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Face {
        let face = ttf_parser::Face::parse(data, 0).expect("the bundled font parses");
        Face { data, name, face }
    }

    fn of(weight: Weight) -> &'static Face {
        match weight {
            Weight::Regular => &REGULAR,
            Weight::Bold => &BOLD,
        }
    }

    /// The glyph drawn for `c`: spaces of every kind as a space, a missing glyph as `?`.
    fn glyph(&self, c: char) -> u16 {
        let c = if c.is_whitespace() { ' ' } else { c };
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// A glyph's advance in thousandths of the font size.
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }

    fn scaled(&self, v: i16) -> i32 {
        (f32::from(v) * 1000.0 / f32::from(self.face.units_per_em())).round() as i32
    }
}

/// The glyphs a document uses of one face, numbered in order of first use (0 is `.notdef`),
/// with the text each one stands for.
struct Used {
    old: Vec<u16>,
    new: HashMap<u16, u16>,
    text: Vec<char>,
}

impl Default for Used {
    fn default() -> Self {
        Used {
            old: vec![0],
            new: HashMap::from([(0, 0)]),
            text: vec!['\u{fffd}'],
        }
    }
}

impl Used {
    fn id(&mut self, glyph: u16, c: char) -> u16 {
        if let Some(id) = self.new.get(&glyph) {
            return *id;
        }
        let id = self.old.len() as u16;
        self.old.push(glyph);
        self.new.insert(glyph, id);
        self.text.push(if c.is_whitespace() { ' ' } else { c });
        id
    }
}

/// A document being drawn, page by page.
#[derive(Default)]
pub struct Document {
    pages: Vec<String>,
    title: String,
    used: [Used; 2],
}

impl Document {
    pub fn new(title: &str) -> Self {
        Document {
            pages: vec![String::new()],
            title: title.to_string(),
            used: Default::default(),
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
        let (font, index) = match weight {
            Weight::Regular => ("F1", 0),
            Weight::Bold => ("F2", 1),
        };
        let face = Face::of(weight);
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let id = self.used[index].id(face.glyph(c), c);
            let _ = write!(hex, "{id:04X}");
        }
        let _ = writeln!(
            self.page(),
            "BT /{font} {size:.1} Tf {x:.2} {y:.2} Td <{hex}> Tj ET"
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
        // for each page, then each font's CID font, descriptor, file and ToUnicode map.
        let mut objects: Vec<Vec<u8>> = Vec::new();
        let count = self.pages.len();
        let fonts_at = 6 + 2 * count;
        let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(
            format!(
                "<< /Type /Pages /Kids [{}] /Count {count} >>",
                kids.join(" ")
            )
            .into_bytes(),
        );
        let faces = [Face::of(Weight::Regular), Face::of(Weight::Bold)];
        for (k, face) in faces.iter().enumerate() {
            let first = fonts_at + 4 * k;
            objects.push(
                format!(
                    "<< /Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H \
                     /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                    subset_name(face, &self.used[k]),
                    first,
                    first + 3
                )
                .into_bytes(),
            );
        }
        objects.push(
            format!(
                "<< /Title <{}> /Producer (Portail Famille) >>",
                utf16_hex(&self.title, true)
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
            objects.push(stream("", content.as_bytes()));
        }
        for (k, face) in faces.iter().enumerate() {
            objects.extend(font_objects(face, &self.used[k], fonts_at + 4 * k));
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

/// A compressed stream object; `extra` adds entries to its dictionary.
fn stream(extra: &str, data: &[u8]) -> Vec<u8> {
    let compressed = compress_to_vec_zlib(data, 6);
    let mut out = format!(
        "<< /Length {} /Filter /FlateDecode{extra} >>\nstream\n",
        compressed.len()
    )
    .into_bytes();
    out.extend_from_slice(&compressed);
    out.extend_from_slice(b"\nendstream");
    out
}

/// `ABCDEF+DejaVuSans`: a subset's name has a tag of six capitals, here from its glyphs.
fn subset_name(face: &Face, used: &Used) -> String {
    let mut hash: u32 = 2_166_136_261;
    for g in &used.old {
        for b in g.to_be_bytes() {
            hash = (hash ^ u32::from(b)).wrapping_mul(16_777_619);
        }
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
        .collect();
    format!("{tag}+{}", face.name)
}

/// The CID font, its descriptor, the subset font file and the ToUnicode map, numbered from
/// `first`.
fn font_objects(face: &Face, used: &Used, first: usize) -> Vec<Vec<u8>> {
    let name = subset_name(face, used);
    let widths: Vec<String> = used
        .old
        .iter()
        .map(|g| format!("{}", face.advance(*g).round() as i32))
        .collect();
    let cid = format!(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
         /FontDescriptor {} 0 R /DW 1000 /W [0 [{}]] /CIDToGIDMap /Identity >>",
        first + 1,
        widths.join(" ")
    );
    let f = &face.face;
    let bbox = f.global_bounding_box();
    let descriptor = format!(
        "<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{} {} {} {}] \
         /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {} 0 R >>",
        face.scaled(bbox.x_min),
        face.scaled(bbox.y_min),
        face.scaled(bbox.x_max),
        face.scaled(bbox.y_max),
        face.scaled(f.ascender()),
        face.scaled(f.descender()),
        face.scaled(f.capital_height().unwrap_or(f.ascender())),
        first + 2
    );
    let remapper = subsetter::GlyphRemapper::new_from_glyphs(&used.old);
    let subset = subsetter::subset(face.data, 0, &remapper).expect("the bundled font subsets");
    let file = stream(&format!(" /Length1 {}", subset.len()), &subset);
    vec![
        cid.into_bytes(),
        descriptor.into_bytes(),
        file,
        stream("", to_unicode(&used.text).as_bytes()),
    ]
}

/// The CMap from glyph ids (in order of first use) back to the text they stand for.
fn to_unicode(text: &[char]) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(usize, char)> = text.iter().copied().enumerate().skip(1).collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (id, c) in chunk {
            let _ = writeln!(out, "<{id:04X}> <{}>", utf16_hex(&c.to_string(), false));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n");
    out
}

/// `text` in UTF-16BE hexadecimal, after a byte order mark when `bom`.
fn utf16_hex(text: &str, bom: bool) -> String {
    let mut out = String::from(if bom { "FEFF" } else { "" });
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out
}

/// The width of `text` in points, from the font's own advances.
pub fn text_width(text: &str, size: f32, weight: Weight) -> f32 {
    let face = Face::of(weight);
    let units: f32 = text.chars().map(|c| face.advance(face.glyph(c))).sum();
    units * size / 1000.0
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
    fn each_character_is_a_glyph_id_mapped_back_to_its_text() {
        let mut doc = Document::new("Essai");
        doc.text(50.0, 800.0, 12.0, Weight::Regular, "été €");
        assert!(
            doc.pages[0].contains("<00010002000100030004> Tj"),
            "{}",
            doc.pages[0]
        );
        assert_eq!(doc.used[0].text, ['\u{fffd}', 'é', 't', ' ', '€']);
        let cmap = to_unicode(&doc.used[0].text);
        assert!(cmap.contains("<0001> <00E9>") && cmap.contains("<0004> <20AC>"));
    }

    #[test]
    fn widths_are_the_font_s_own() {
        // Digits share one advance: amounts align right to the point.
        assert_eq!(
            text_width("1 234,50", 10.0, Weight::Regular),
            text_width("9 876,00", 10.0, Weight::Regular)
        );
        assert!(
            text_width("Facture", 10.0, Weight::Bold)
                > text_width("Facture", 10.0, Weight::Regular)
        );
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
    fn the_file_is_a_pdf_with_its_fonts_subset_and_a_cross_reference_table() {
        let mut doc = Document::new("Essai é");
        doc.text(50.0, 800.0, 12.0, Weight::Bold, "Facture");
        let bytes = doc.finish();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        // A subset, not the 700 KB faces.
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
        let text = String::from_utf8_lossy(&bytes);
        // 5 + a page (2) + two fonts (4 each).
        assert!(text.contains("xref\n0 16\n"));
        assert!(text.contains("/FontFile2") && text.contains("/ToUnicode"));
        assert!(text.ends_with("%%EOF\n"));
    }
}
