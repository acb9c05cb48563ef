//! A page as a test reads it: its status and its text with the HTML entities of handlebars
//! decoded, with the alert box, the form token and the table rows at hand.

/// A page's status and its text, the HTML entities of handlebars decoded.
pub struct Page {
    pub status: u16,
    pub html: String,
}

impl Page {
    pub fn has(&self, text: &str) -> bool {
        self.html.contains(text)
    }

    /// The French message of the `role="alert"` box.
    pub fn alert(&self) -> String {
        let start = self
            .html
            .find("role=\"alert\"")
            .unwrap_or_else(|| panic!("no alert in:\n{}", self.html));
        let rest = &self.html[start..];
        let end = rest.find("</div>").unwrap();
        strip_tags(&rest[..end])
    }

    pub fn csrf(&self) -> String {
        super::csrf_of(&self.html)
    }

    /// The rows of the first table body, each as its cells' text.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let Some(start) = self.html.find("<tbody>") else {
            return Vec::new();
        };
        let body = &self.html[start..self.html[start..].find("</tbody>").unwrap() + start];
        body.split("<tr>")
            .skip(1)
            .map(|row| {
                row.split("<td")
                    .skip(1)
                    .map(|cell| strip_tags(&cell[cell.find('>').unwrap() + 1..]))
                    .collect()
            })
            .collect()
    }
}

pub fn decode(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a response as a [`Page`].
pub async fn read_page(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    Page {
        status,
        html: decode(&r.text().await.unwrap()),
    }
}
