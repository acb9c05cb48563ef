//! Markdown of the municipality's texts, rendered safely: raw HTML is shown as text and links
//! keep only web, mail and phone addresses, so a configuration file cannot inject script.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

pub fn render_markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        // Images would load from anywhere: the portal loads nothing from third parties.
        Event::Start(Tag::Image { title, .. }) => Event::Text(title),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::Text(CowStr::Borrowed("")),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let allowed = ["https://", "http://", "mailto:", "tel:", "/", "#"]
        .iter()
        .any(|p| lower.starts_with(p));
    if allowed { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_emphasis_render_as_html() {
        let html = render_markdown("Vous pouvez :\n\n- **réserver**\n- payer");
        assert!(
            html.contains("<li><strong>réserver</strong></li>"),
            "{html}"
        );
    }

    #[test]
    fn raw_html_is_escaped_not_interpreted() {
        let html = render_markdown("Bonjour <script>alert(1)</script> <img src=x onerror=y>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_links_are_neutralised() {
        let html = render_markdown("[clic](javascript:alert(1)) [mairie](https://mairie.example)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://mairie.example\""), "{html}");
    }

    #[test]
    fn images_never_load_from_elsewhere() {
        let html = render_markdown("![logo](https://tracker.example/pixel.png)");
        assert!(!html.contains("<img"), "{html}");
    }
}
