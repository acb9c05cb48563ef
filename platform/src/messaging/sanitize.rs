//! Message bodies: the rich-text editor's HTML is cut down to a few inline tags; the plain
//! textarea's text (no JavaScript) is escaped and keeps its paragraphs and line breaks.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The only tags a message keeps, without any attribute.
pub const TAGS: [&str; 7] = ["b", "strong", "i", "em", "u", "p", "br"];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags(TAGS)
        // Their content goes too, not only the tags: a script's text is not a message.
        .clean_content_tags(HashSet::from(["script", "style", "noscript", "template"]))
        .link_rel(None)
        .strip_comments(true);
    b
});

/// The editor's HTML, sanitised.
pub fn clean_html(html: &str) -> String {
    CLEANER.clean(html).to_string().trim().to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text as HTML: blank lines separate paragraphs, other line breaks stay.
pub fn text_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// The text a sanitised body shows, for the text part of a mail and for emptiness checks.
pub fn to_text(html: &str) -> String {
    let html = html
        .replace("<br>", "\n")
        .replace("</p>", "\n\n")
        .replace("&nbsp;", " ");
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_links_and_css_are_dropped() {
        let dirty = r#"<p style="color:red" onclick="x()">Bonjour <b>Théo</b> <i>est</i> <u>malade</u></p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">lien</a><style>p{}</style><strong>!</strong><em>?</em><br>"#;
        assert_eq!(
            clean_html(dirty),
            "<p>Bonjour <b>Théo</b> <i>est</i> <u>malade</u></p>lien<strong>!</strong><em>?</em><br>"
        );
    }

    #[test]
    fn plain_text_is_escaped_and_keeps_its_lines() {
        assert_eq!(
            text_to_html("a < b\nligne 2\n\n<script>"),
            "<p>a &lt; b<br>ligne 2</p><p>&lt;script&gt;</p>"
        );
        assert_eq!(text_to_html(" \n\n "), "");
    }

    #[test]
    fn the_text_of_a_body_reads_as_written() {
        assert_eq!(
            to_text("<p>a &lt; <b>b</b><br>c</p><p>d &amp; e</p>"),
            "a < b\nc\n\nd & e"
        );
        assert_eq!(to_text(&clean_html("<script>x</script><img>")), "");
    }
}
