//! Multipart bodies written by hand, byte for byte: file names go out raw, so tests can send
//! what a hostile client would.

use reqwest::header::CONTENT_TYPE;

pub const BOUNDARY: &str = "----portail-test-7d1f0c";

/// One part of a multipart body.
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub data: &'a [u8],
}

pub fn text<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        filename: None,
        content_type: None,
        data: value.as_bytes(),
    }
}

pub fn file<'a>(filename: &'a str, content_type: &'a str, data: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        filename: Some(filename),
        content_type: Some(content_type),
        data,
    }
}

/// The body exactly as given: file names go out raw, line breaks and all.
pub fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{}\"", p.name).as_bytes(),
        );
        if let Some(f) = p.filename {
            body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        if let Some(t) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

pub async fn post_multipart(
    client: &reqwest::Client,
    url: String,
    parts: &[Part<'_>],
) -> reqwest::Response {
    client
        .post(url)
        .header(CONTENT_TYPE, multipart_type())
        .body(multipart(parts))
        .send()
        .await
        .unwrap()
}
