//! Every page the suite opens through [`super::TestApp::get`] refers only to its own origin:
//! each `src`, `href`, `action`, `srcset`, `poster` and CSS `url(…)` is parsed and checked, so
//! a stylesheet, image, font or `//host` URL from a third party fails the test that opened it.

/// The URLs a page refers to, with the attribute (or `url(`) each came from.
pub fn urls(html: &str) -> Vec<(&'static str, String)> {
    let markup = without_scripts(html);
    let html = markup.as_str();
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for attr in ["src", "href", "action", "srcset", "poster", "formaction"] {
        let needle = format!("{attr}=");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let at = from + i;
            from = at + needle.len();
            // An attribute: preceded by whitespace (not `data-src=` or `xsrc=`).
            if !lower[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
                continue;
            }
            let rest = &html[from..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_ascii_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            // The `href` of an `<a>` is a link the visitor may follow, not a resource loaded.
            let in_anchor = lower[..at]
                .rfind('<')
                .is_some_and(|lt| lower[lt + 1..].starts_with("a "));
            let attr: &'static str = match attr {
                "src" => "src",
                "href" if in_anchor => "link",
                "href" => "href",
                "action" => "action",
                "srcset" => "srcset",
                "poster" => "poster",
                _ => "formaction",
            };
            if attr == "srcset" {
                for candidate in value.split(',') {
                    let url = candidate.split_whitespace().next().unwrap_or("");
                    found.push((attr, url.to_string()));
                }
            } else {
                found.push((attr, value.to_string()));
            }
        }
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("url(") {
        let at = from + i + 4;
        from = at;
        let value = html[at..].split(')').next().unwrap_or("");
        found.push(("url(", value.trim_matches(['"', '\'', ' ']).to_string()));
    }
    found
}

/// The page without the bodies of its inline scripts (code, not markup: what a script loads
/// is seen by the browser tests, which fail on any request leaving the portal).
fn without_scripts(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let open_end = match lower[at + i..].find('>') {
            Some(j) => at + i + j + 1,
            None => break,
        };
        out.push_str(&html[at..open_end]);
        at = match lower[open_end..].find("</script") {
            Some(j) => open_end + j,
            None => html.len(),
        };
    }
    out.push_str(&html[at..]);
    out
}

/// Whether `url` stays on the page's origin: a path, a fragment, a query, or an absolute URL
/// on one of `origins`. Links (`href` of `<a>`) may also be `mailto:`, `tel:` or another site
/// over `https:` (an official calendar): nothing is fetched until the visitor follows them.
pub fn same_origin(attr: &str, url: &str, origins: &[&str]) -> bool {
    let url = url.trim().replace("&amp;", "&");
    if url.is_empty() || url.starts_with('#') || url.starts_with('?') {
        return true;
    }
    if url.starts_with("//") || url.starts_with("\\\\") || url.starts_with("/\\") {
        return false;
    }
    if url.starts_with('/') {
        return true;
    }
    if attr == "link"
        && (url.starts_with("mailto:") || url.starts_with("tel:") || url.starts_with("https://"))
    {
        return true;
    }
    // Inline images and styles are part of the page, not fetched from anyone.
    if (attr == "url(" || attr == "src") && url.starts_with("data:image/") {
        return true;
    }
    if origins
        .iter()
        .any(|o| url == *o || url.starts_with(&format!("{o}/")))
    {
        return true;
    }
    // A relative path has no scheme: no ':' before the first '/', '?' or '#'.
    let head = url.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':')
}

/// Fails when `html` refers to another origin than `origins`.
pub fn assert_same_origin(html: &str, origins: &[&str], page: &str) {
    let foreign: Vec<String> = urls(html)
        .into_iter()
        .filter(|(attr, url)| !same_origin(attr, url, origins))
        .map(|(attr, url)| format!("{attr}={url}"))
        .collect();
    assert!(
        foreign.is_empty(),
        "{page} refers to other origins: {foreign:?}"
    );
}

#[test]
fn the_checker_finds_what_it_must() {
    let origins = ["http://portail.test"];
    let page = r#"<link rel="stylesheet" href="/static/portail.css"><img src='//cdn.example/x.png'>
        <a href="mailto:x@y.fr">m</a><img srcset="/a.png 1x, https://cdn.example/b.png 2x">
        <div style="background: url(https://fonts.example/f.woff)"></div><a href="http://portail.test/x">
        <form action="reservations"><a data-href="https://ignored.example">
        <script src="/static/portail.js"></script><script>fetch(url("https://in.code.example"))</script>
        <img src="data:image/png;base64,AAAA"><script src="https://cdn.example/lib.js"></script>
        <a class="x" href="https://www.education.gouv.fr/calendrier"><link href="https://cdn.example/s.css">
        <a href="http://plain.example/">"#;
    let mut foreign: Vec<String> = urls(page)
        .into_iter()
        .filter(|(a, u)| !same_origin(a, u, &origins))
        .map(|(_, u)| u)
        .collect();
    foreign.sort();
    assert_eq!(
        foreign,
        [
            "//cdn.example/x.png",
            "http://plain.example/",
            "https://cdn.example/b.png",
            "https://cdn.example/lib.js",
            "https://cdn.example/s.css",
            "https://fonts.example/f.woff",
        ]
    );
    assert!(!same_origin("src", "mailto:x@y.fr", &origins));
    assert!(!same_origin("href", "javascript:alert(1)", &origins));
    assert!(!same_origin("link", "javascript:alert(1)", &origins));
}

/// The page's text as read: tags taken out, the entities Handlebars writes decoded, spaces
/// kept as they are (a test may look for two spaces in a row).
pub fn text_of(html: &str) -> String {
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
    text.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
