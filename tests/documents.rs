//! Documents, end to end: a parent sends a PDF, JPEG or PNG for the household or a child,
//! lists and downloads it; everything else is refused: files that are not what they claim,
//! files too large however the body is framed, other households' and other municipalities'
//! documents, forms without their token.

mod support;

use futures::StreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use support::multipart::*;
use support::*;
use uuid::Uuid;

const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const GOOD: &str = "Vélo#Rouge42x";
const MB: usize = 1024 * 1024;

struct Family {
    client: reqwest::Client,
    /// First name → id.
    children: Vec<(String, Uuid)>,
}

impl Family {
    fn child(&self, first_name: &str) -> Uuid {
        self.children
            .iter()
            .find(|(n, _)| n == first_name)
            .unwrap()
            .1
    }
}

async fn family(
    app: &TestApp,
    db: &sea_orm::DatabaseConnection,
    t: &Tenant,
    email: &str,
) -> Family {
    let client = signed_in(app, db, t, email, GOOD).await;
    let me: Value = client
        .get(format!("{}/{}/api/v1/me", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let children = me["household"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["first_name"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    Family { client, children }
}

type Tenant = portail_tenants::registry::Tenant;

fn url(app: &TestApp, t: &Tenant, path: &str) -> String {
    format!("{}/{}{path}", app.base, t.slug)
}

async fn upload(
    app: &TestApp,
    t: &Tenant,
    client: &reqwest::Client,
    parts: &[Part<'_>],
) -> reqwest::Response {
    post_multipart(client, url(app, t, "/api/v1/documents"), parts).await
}

async fn list(app: &TestApp, t: &Tenant, client: &reqwest::Client) -> Vec<Value> {
    let r = client
        .get(url(app, t, "/api/v1/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["documents"]
        .as_array()
        .unwrap()
        .clone()
}

async fn stored_count(db: &sea_orm::DatabaseConnection, t: &Tenant) -> i64 {
    tenant_count(db, t, "SELECT count(*) AS n FROM documents").await
}

fn header(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .unwrap_or_else(|| panic!("header {name}"))
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_parent_sends_a_pdf_for_a_child_and_downloads_the_same_bytes_as_an_attachment() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("docs").named("Mairie Documents").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let theo = paul.child("Théo");

    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Certificat médical"),
            text("description", "Pour la piscine\r\nValable un an"),
            text("person", &theo.to_string()),
            file("certificat.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["name"], "Certificat médical");
    assert_eq!(created["description"], "Pour la piscine\nValable un an");
    assert_eq!(created["person"], theo.to_string());
    assert_eq!(created["person_name"], "Théo ALAIN");
    assert_eq!(created["content_type"], "application/pdf");
    assert_eq!(created["size"], PDF.len());
    assert!(created["created_at"].as_str().is_some());
    let id = created["id"].as_str().unwrap().to_string();

    // A PNG for the household and a JPEG for Anna, whatever their declared types.
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Attestation CAF"),
            text("person", ""),
            file("scan", "application/octet-stream", &PNG),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let png: Value = r.json().await.unwrap();
    assert_eq!(png["content_type"], "image/png");
    assert_eq!(png["person"], Value::Null);
    assert_eq!(png["person_name"], "Foyer");
    let anna = paul.child("Anna");
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Photo"),
            text("person", &anna.to_string()),
            file("photo.png", "image/png", &JPEG),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["content_type"],
        "image/jpeg"
    );

    // Both guardians of the household see the three, newest first.
    let sophie = family(&app, &db, &t, SOPHIE).await;
    let documents = list(&app, &t, &sophie.client).await;
    let names: Vec<_> = documents
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Photo", "Attestation CAF", "Certificat médical"]);

    let r = sophie
        .client
        .get(url(&app, &t, &format!("/api/v1/documents/{id}/download")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(header(&h, "content-type"), "application/pdf");
    assert_eq!(
        header(&h, "content-disposition"),
        "attachment; filename=\"Certificat medical.pdf\"; filename*=UTF-8''Certificat%20m%C3%A9dical.pdf"
    );
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    assert_eq!(header(&h, "cache-control"), "no-store");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF, "the same bytes");

    // The household's export links each document to its download.
    let r = sophie.client.get(url(&app, &t, "/api/v1/export")).send();
    let export: Value = r.await.unwrap().json().await.unwrap();
    let exported = export["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        exported["download"],
        format!(
            "http://portail.test/{}/api/v1/documents/{id}/download",
            t.slug
        )
        .as_str()
    );

    // The stored name is generated; the child page can ask for Théo's documents.
    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    let storage: String = tx
        .query_one_raw(portail_tenants::database::sql(
            "SELECT storage_name FROM documents WHERE id = $1",
            [id.parse::<Uuid>().unwrap().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "storage_name")
        .unwrap();
    let (stem, ext) = storage.split_once('.').unwrap();
    assert!(stem.parse::<Uuid>().is_ok() && ext == "pdf", "{storage}");
    let household = portail::auth::repository::account_by_email(&tx, PAUL)
        .await
        .unwrap()
        .unwrap()
        .household_id;
    let theos = portail::documents::for_child(&tx, household, theo)
        .await
        .unwrap();
    assert_eq!(theos.len(), 1);
    assert_eq!(theos[0].name, "Certificat médical");
    assert_eq!(theos[0].person_name.as_deref(), Some("Théo ALAIN"));
    assert_eq!(
        portail::documents::for_household(&tx, household)
            .await
            .unwrap()
            .len(),
        3
    );
    tx.commit().await.unwrap();
    delete_tenant(&db, &t.slug).await;
}

/// 12 MB of a PDF: a valid start, so only the size can refuse it.
fn twelve_mb_pdf() -> Vec<u8> {
    let mut data = b"%PDF-1.4\n".to_vec();
    data.resize(12 * MB, b'x');
    data
}

/// The body of an upload whose file is `size` bytes of PDF, produced lazily in 64 KiB
/// chunks; `pulled` counts what the HTTP client took from it.
fn streamed_upload(
    size: usize,
    pulled: Arc<AtomicU64>,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let head = multipart(&[text("name", "Gros fichier")]);
    let head = head[..head.len() - format!("--{BOUNDARY}--\r\n").len()].to_vec();
    let mut start = head;
    start.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gros.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n")
            .as_bytes(),
    );
    let chunk = 64 * 1024;
    let chunks = size / chunk;
    let end = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    futures::stream::iter(
        std::iter::once(start)
            .chain((0..chunks).map(move |_| vec![b'x'; chunk]))
            .chain(std::iter::once(end)),
    )
    .map(move |c| {
        pulled.fetch_add(c.len() as u64, Ordering::SeqCst);
        Ok(c)
    })
}

/// Sends a raw HTTP/1.1 request and reads the status line of the answer; the body is
/// written by `write_body`, which may stop early.
fn raw_request(
    base: &str,
    head: &str,
    write_body: impl FnOnce(&mut std::net::TcpStream) -> std::io::Result<()>,
) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer and close before the body is through: that is the point.
    let _ = write_body(&mut stream);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // Stop once the first answer is whole: headers and `Content-Length` bytes.
                if let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok());
                    if length.is_some_and(|l| answer.len() >= end + 4 + l) {
                        break;
                    }
                }
            }
            Err(e) => {
                assert!(
                    !answer.is_empty(),
                    "no answer before the connection ended: {e}"
                );
                break;
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_12_mb_file_gets_413_however_the_body_is_framed_and_is_never_read_whole() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("big")
        .named("Mairie Gros Fichiers")
        .start()
        .await;
    let paul = family(&app, &db, &t, PAUL).await;
    let big = twelve_mb_pdf();

    // 1. Announced honestly: refused on the announcement, before the body is read.
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Gros"),
            file("gros.pdf", "application/pdf", &big),
        ],
    )
    .await;
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "file_too_large");
    assert_eq!(
        body["message"],
        "Le fichier est trop volumineux : 10 Mo au plus."
    );

    // 2. Chunked, with no length at all: counted as it arrives.
    let pulled = Arc::new(AtomicU64::new(0));
    let r = paul
        .client
        .post(url(&app, &t, "/api/v1/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(reqwest::Body::wrap_stream(streamed_upload(
            12 * MB,
            pulled.clone(),
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "file_too_large");

    // 3. A chunked body of 200 MB: the answer comes without the server taking it all. The
    // client may have pushed some more into socket buffers, never the whole.
    let pulled = Arc::new(AtomicU64::new(0));
    let r = paul
        .client
        .post(url(&app, &t, "/api/v1/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(reqwest::Body::wrap_stream(streamed_upload(
            200 * MB,
            pulled.clone(),
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let sent = pulled.load(Ordering::SeqCst);
    assert!(
        sent < 32 * MB as u64,
        "the server stopped reading: {sent} bytes left the client"
    );

    // 4. A lying small Content-Length next to chunked encoding (the chunked framing wins):
    // the client sends a little more than the limit, then waits. The 413 comes all the same.
    let session = signed_in_cookie(&app, &db, &t).await;
    let base = app.base.clone();
    let path = format!("/{}/api/v1/documents", t.slug);
    let answer = tokio::task::spawn_blocking(move || {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: portail.test\r\nCookie: portail_session={session}\r\nContent-Type: {}\r\nContent-Length: 2048\r\nTransfer-Encoding: chunked\r\n\r\n",
            multipart_type()
        );
        raw_request(&base, &head, |s| {
            let mut start = multipart(&[text("name", "Menteur")]);
            start.truncate(start.len() - format!("--{BOUNDARY}--\r\n").len());
            start.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\n%PDF-1.4\n").as_bytes());
            s.write_all(format!("{:x}\r\n", start.len()).as_bytes())?;
            s.write_all(&start)?;
            s.write_all(b"\r\n")?;
            let chunk = vec![b'x'; 64 * 1024];
            // 10 MB and 256 KiB: past the limit and its margin, far from 12 MB.
            for _ in 0..(10 * 16 + 4) {
                s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                s.write_all(&chunk)?;
                s.write_all(b"\r\n")?;
            }
            s.flush()
        })
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("file_too_large"), "{answer}");

    // 5. A Content-Length smaller than what follows: only the announced bytes are the body,
    // an incomplete form, refused; the rest is never taken as an upload.
    let base = app.base.clone();
    let path = format!("/{}/api/v1/documents", t.slug);
    let session = signed_in_cookie(&app, &db, &t).await;
    let answer = tokio::task::spawn_blocking(move || {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: portail.test\r\nCookie: portail_session={session}\r\nContent-Type: {}\r\nContent-Length: 4096\r\n\r\n",
            multipart_type()
        );
        raw_request(&base, &head, |s| s.write_all(&twelve_mb_pdf_form()))
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("invalid_upload"), "{answer}");

    // Nothing was stored, and the server is still fine.
    assert_eq!(stored_count(&db, &t).await, 0);
    assert!(list(&app, &t, &paul.client).await.is_empty());
    assert_eq!(app.get("/healthz").await.status(), 200);
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Petit"),
            file("petit.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    delete_tenant(&db, &t.slug).await;
}

fn twelve_mb_pdf_form() -> Vec<u8> {
    multipart(&[
        text("name", "Menteur"),
        file("x.pdf", "application/pdf", &twelve_mb_pdf()),
    ])
}

/// A fresh session of Maïwenn's, as the raw cookie value, to write requests by hand.
async fn signed_in_cookie(app: &TestApp, db: &sea_orm::DatabaseConnection, t: &Tenant) -> String {
    // Gives her the password; the cookie jar does not hand values back, so sign in again.
    signed_in(app, db, t, MAIWENN, GOOD).await;
    let r = app
        .other_client()
        .post(url(app, t, "/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": MAIWENN, "password": GOOD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = header(r.headers(), "set-cookie");
    cookie
        .trim_start_matches("portail_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_limit_follows_max_upload_bytes() {
    let mut settings = test_settings();
    settings.max_upload_bytes = MB as u64;
    let Town {
        db, tenant: t, app, ..
    } = Town::build("limit")
        .named("Mairie Limite")
        .settings(settings)
        .start()
        .await;
    let paul = family(&app, &db, &t, PAUL).await;
    let mut pdf = PDF.to_vec();
    pdf.resize(MB + MB / 2, b' ');
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Trop gros"),
            file("a.pdf", "application/pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Le fichier est trop volumineux : 1 Mo au plus."
    );
    pdf.truncate(MB - 1000);
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Juste"),
            file("a.pdf", "application/pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn html_named_pdf_svg_and_zip_are_refused_with_415_whatever_their_name_or_type() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("types").named("Mairie Types").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let refused: [(&str, &str, &[u8]); 4] = [
        (
            "facture.pdf",
            "application/pdf",
            b"<!doctype html><script>alert(document.cookie)</script>",
        ),
        (
            "dessin.svg",
            "image/svg+xml",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        ("photo.png", "image/png", b"<svg onload=alert(1)>"),
        ("archive.pdf", "application/pdf", b"PK\x03\x04\x14\0\0\0\x08\0"),
    ];
    for (name, declared, data) in refused {
        let r = upload(
            &app,
            &t,
            &paul.client,
            &[text("name", "Document"), file(name, declared, data)],
        )
        .await;
        assert_eq!(r.status(), 415, "{name}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unsupported_file_type", "{name}");
        assert_eq!(
            body["message"],
            "Ce type de fichier n'est pas accepté : envoyez un document PDF ou une image JPEG ou PNG."
        );
    }
    assert_eq!(stored_count(&db, &t).await, 0);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn missing_or_invalid_fields_are_each_named_in_french() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("fields").named("Mairie Champs").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let long = "x".repeat(2001);
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "   "),
            text("description", &long),
            text("person", "quelqu-un"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    assert_eq!(body["fields"]["name"], "Indiquez le nom du document.");
    assert_eq!(
        body["fields"]["description"],
        "La description est trop longue (2000 caractères au plus)."
    );
    assert_eq!(
        body["fields"]["person"],
        "Choisissez votre foyer ou l'un de vos enfants."
    );
    assert_eq!(body["fields"]["file"], "Choisissez le fichier à envoyer.");
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", &"n".repeat(201)),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["fields"]["name"],
        "Le nom du document est trop long (200 caractères au plus)."
    );

    // Not a form at all.
    let r = paul
        .client
        .post(url(&app, &t, "/api/v1/documents"))
        .json(&serde_json::json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_media_type");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("multipart/form-data")
    );
    let r = paul
        .client
        .post(url(&app, &t, "/api/v1/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nCoupé"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_upload");

    // From another site.
    let r = paul
        .client
        .post(url(&app, &t, "/api/v1/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .header("origin", "https://evil.example")
        .body(multipart(&[
            text("name", "x"),
            file("a.pdf", "application/pdf", PDF),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(stored_count(&db, &t).await, 0);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn file_names_with_traversal_or_line_breaks_are_stored_and_served_under_a_safe_name() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("names").named("Mairie Noms").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let cases = [
        ("../../etc/passwd", "../../etc/passwd", "_._etc_passwd.pdf"),
        (
            "facture\r\nSet-Cookie: pris=1.pdf",
            "Facture\r\nX-Injected: 1",
            "Facture X-Injected_ 1.pdf",
        ),
        (
            "..\\..\\windows\\win.ini",
            "\"quoted\"; x",
            "_quoted__ x.pdf",
        ),
    ];
    for (filename, name, served) in cases {
        let r = upload(
            &app,
            &t,
            &paul.client,
            &[text("name", name), file(filename, "application/pdf", PDF)],
        )
        .await;
        assert_eq!(r.status(), 201, "{filename:?}");
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = paul
            .client
            .get(url(&app, &t, &format!("/api/v1/documents/{id}/download")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("set-cookie").is_none());
        assert!(r.headers().get("x-injected").is_none());
        let disposition = header(r.headers(), "content-disposition");
        assert!(
            disposition.starts_with(&format!(
                "attachment; filename=\"{served}\"; filename*=UTF-8''"
            )),
            "{disposition}"
        );
        assert!(!disposition.contains('/') && !disposition.contains('\\'));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    }
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn another_households_document_is_not_found_and_its_child_cannot_be_named() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("others").named("Mairie Autres").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let maiwenn = family(&app, &db, &t, MAIWENN).await;
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Secret"),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        format!("/api/v1/documents/{id}/download"),
        format!("/api/v1/documents/{}/download", Uuid::new_v4()),
    ] {
        let r = maiwenn
            .client
            .get(url(&app, &t, &path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_found");
    }
    let r = maiwenn
        .client
        .get(url(&app, &t, &format!("/documents/{id}/telecharger")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(list(&app, &t, &maiwenn.client).await.is_empty());

    // Naming Paul's son as the person concerned.
    let r = upload(
        &app,
        &t,
        &maiwenn.client,
        &[
            text("name", "Intrus"),
            text("person", &paul.child("Théo").to_string()),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["fields"]["person"],
        "Choisissez votre foyer ou l'un de vos enfants."
    );
    let erwan = maiwenn.child("Erwan");
    let r = upload(
        &app,
        &t,
        &maiwenn.client,
        &[
            text("name", "Carnet de santé"),
            text("person", &erwan.to_string()),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(stored_count(&db, &t).await, 2);
    assert_eq!(list(&app, &t, &paul.client).await.len(), 1);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_same_document_id_in_two_municipalities_shows_each_household_only_its_own() {
    let db = db(1).await;
    let a = create_tenant_with_families(&db, "doca", "Mairie A").await;
    let b = create_tenant_with_families(&db, "docb", "Mairie B").await;
    let app = TestApp::spawn().await;
    let paul_a = family(&app, &db, &a, PAUL).await;
    let r = upload(
        &app,
        &a,
        &paul_a.client,
        &[
            text("name", "Document de A"),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let id: Uuid = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // In B, a document with the same id, for the household of the same family.
    let other_pdf = b"%PDF-1.7\n% le document de B\n%%EOF\n";
    {
        use sea_orm::ConnectionTrait;
        let tx = portail_tenants::TenantTx::begin(&db, &b.schema_name)
            .await
            .unwrap();
        let household = portail::auth::repository::account_by_email(&tx, PAUL)
            .await
            .unwrap()
            .unwrap()
            .household_id;
        tx.execute_raw(portail_tenants::database::sql(
            "INSERT INTO documents (id, household_id, name, content_type, size, storage_name, data)
             VALUES ($1, $2, 'Document de B', 'application/pdf', $3, 'b.pdf', $4)",
            [
                id.into(),
                household.into(),
                (other_pdf.len() as i32).into(),
                other_pdf.to_vec().into(),
            ],
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let paul_b = family(&app, &db, &b, PAUL).await;
    let download = |client: reqwest::Client, t: &Tenant| {
        let u = url(&app, t, &format!("/api/v1/documents/{id}/download"));
        async move { client.get(u).send().await.unwrap() }
    };
    let r = download(paul_a.client.clone(), &a).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = download(paul_b.client.clone(), &b).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), other_pdf);
    let names = |docs: Vec<Value>| {
        docs.iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(list(&app, &a, &paul_a.client).await),
        ["Document de A"]
    );
    assert_eq!(
        names(list(&app, &b, &paul_b.client).await),
        ["Document de B"]
    );
    // A's session is no session in B.
    let r = download(paul_a.client.clone(), &b).await;
    assert_eq!(r.status(), 401);
    let maiwenn_b = family(&app, &db, &b, MAIWENN).await;
    assert_eq!(download(maiwenn_b.client.clone(), &b).await.status(), 404);
    delete_tenant(&db, &a.slug).await;
    delete_tenant(&db, &b.slug).await;
}

#[tokio::test]
async fn signed_out_the_api_answers_401_and_the_pages_send_to_the_sign_in_page() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("anon").named("Mairie Anonyme").start().await;
    let r = upload(
        &app,
        &t,
        &app.client,
        &[text("name", "x"), file("a.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        app.get(&format!("/{}/api/v1/documents", t.slug))
            .await
            .status(),
        401
    );
    let r = app
        .get(&format!(
            "/{}/api/v1/documents/{}/download",
            t.slug,
            Uuid::new_v4()
        ))
        .await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_authenticated", "{body}");
    assert_eq!(body["message"], "Vous devez être connecté.");
    for path in [
        "/documents".to_string(),
        format!("/documents/{}/telecharger", Uuid::new_v4()),
    ] {
        let r = app.get(&format!("/{}{path}", t.slug)).await;
        assert_eq!(r.status(), 303, "{path}");
        // The sign-in page is told where to bring the parent back.
        assert_eq!(
            header(r.headers(), "location"),
            format!("/{}/connexion?retour=/{}{path}", t.slug, t.slug)
        );
    }
    let r = post_multipart(
        &app.client,
        url(&app, &t, "/documents"),
        &[text("name", "x"), file("a.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(stored_count(&db, &t).await, 0);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn uploads_and_downloads_are_in_the_audit_log_without_their_values() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("audit").named("Mairie Audit").start().await;
    // The municipality is this test's own: its whole log is this test's. (The rows carry the
    // database's clock, which need not be this process's.)
    let since = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let paul = family(&app, &db, &t, PAUL).await;
    let r = upload(
        &app,
        &t,
        &paul.client,
        &[
            text("name", "Ordonnance Ventoline"),
            text("description", "asthme sévère"),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = paul
        .client
        .get(url(&app, &t, &format!("/api/v1/documents/{id}/download")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    let entries = portail::audit::since(&tx, since, 100).await.unwrap();
    tx.commit().await.unwrap();
    let mine: Vec<_> = entries.iter().filter(|e| e.entity == "document").collect();
    assert_eq!(mine.len(), 2, "{entries:?}");
    let paul_id = {
        let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
            .await
            .unwrap();
        let a = portail::auth::repository::account_by_email(&tx, PAUL)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        a
    };
    for (entry, action) in mine.iter().zip(["create", "download"]) {
        assert_eq!(entry.action, action);
        assert_eq!(entry.entity_id, id);
        assert_eq!(entry.actor, format!("guardian:{}", paul_id.guardian_id));
        assert_eq!(entry.household_id, Some(paul_id.household_id));
        assert_eq!(entry.origin, "api");
    }
    assert_eq!(mine[0].fields, ["name", "description", "person", "file"]);
    let all = format!("{entries:?}");
    assert!(
        !all.contains("Ventoline") && !all.contains("asthme"),
        "no values"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_page_lists_documents_and_takes_an_upload_with_its_csrf_token_only() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("page").named("Mairie Page").start().await;
    let paul = family(&app, &db, &t, PAUL).await;
    let page = paul
        .client
        .get(url(&app, &t, "/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(header(page.headers(), "cache-control"), "no-store");
    let html = page.text().await.unwrap();
    for text in [
        "<h1 id=\"documents-titre\">Mes documents</h1>",
        "+ Ajouter un nouveau document",
        "Nom du document",
        "Description",
        "Personne concernée",
        "Fichier",
        "Envoyer",
        "enctype=\"multipart/form-data\"",
        ">Le foyer</option>",
        ">Théo ALAIN</option>",
        ">Anna ALAIN</option>",
        ">David ALAIN</option>",
        "PDF, JPEG ou PNG, 10 Mo au plus.",
        "Vous n'avez encore envoyé aucun document.",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("aria-current=\"page\">Mes documents</a>"));
    let csrf = csrf_of(&html);
    let theo = paul.child("Théo").to_string();

    // Without the token, or with another one: refused before the file is read.
    for token in [None, Some("x".repeat(csrf.len()))] {
        let mut parts = vec![];
        if let Some(token) = &token {
            parts.push(text("csrf", token));
        }
        parts.push(text("name", "Sans jeton"));
        parts.push(file("a.pdf", "application/pdf", PDF));
        let r = post_multipart(&paul.client, url(&app, &t, "/documents"), &parts).await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Formulaire expiré"));
    }
    // The token after the file is no better: it must come first.
    let r = post_multipart(
        &paul.client,
        url(&app, &t, "/documents"),
        &[
            text("name", "Jeton tardif"),
            file("a.pdf", "application/pdf", PDF),
            text("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(stored_count(&db, &t).await, 0);

    // With it: stored, then the confirmation and the document in the list.
    let r = post_multipart(
        &paul.client,
        url(&app, &t, "/documents"),
        &[
            text("csrf", &csrf),
            text("name", "Certificat <médical>"),
            text("description", "Pour la piscine"),
            text("person", &theo),
            file("certificat.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = header(r.headers(), "location");
    assert_eq!(
        location,
        format!("/{}/documents?info=document-envoye#documents-titre", t.slug)
    );
    let html = paul
        .client
        .get(format!("{}{location}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("role=\"status\">Votre document a bien été envoyé.</p>"));
    assert!(html.contains("Certificat &lt;médical&gt;"), "escaped");
    assert!(html.contains("Pour la piscine"));
    assert!(html.contains("Théo ALAIN · envoyé le"));
    assert!(html.contains("PDF, 1 Ko") || html.contains("PDF, 0 Ko") || html.contains("octets"));
    let href = html
        .split("href=\"")
        .find(|s| s.contains("/telecharger\""))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(html.contains(">Télécharger<"));
    let r = paul
        .client
        .get(format!("{}{href}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(r.headers(), "content-type"), "application/pdf");
    assert!(
        header(r.headers(), "content-disposition")
            .starts_with("attachment; filename=\"Certificat _medical_.pdf\"")
    );
    assert_eq!(header(r.headers(), "x-content-type-options"), "nosniff");
    assert_eq!(header(r.headers(), "cache-control"), "no-store");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // Refusals come back in the form, in French, with what was typed.
    let r = post_multipart(
        &paul.client,
        url(&app, &t, "/documents"),
        &[
            text("csrf", &csrf),
            text("name", "Page web"),
            text("description", "gardée"),
            text("person", &theo),
            file(
                "page.pdf",
                "application/pdf",
                b"<html><body>pas un PDF</body></html>",
            ),
        ],
    )
    .await;
    assert_eq!(r.status(), 415);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Ce type de fichier n&#x27;est pas accepté"));
    assert!(html.contains("value=\"Page web\""));
    assert!(html.contains(">gardée</textarea>"));
    assert!(html.contains(&format!("<option value=\"{theo}\" selected>")));
    assert!(html.contains("<details class=\"add-document\" open>"));
    let r = post_multipart(
        &paul.client,
        url(&app, &t, "/documents"),
        &[
            text("csrf", &csrf),
            text("name", ""),
            text("person", ""),
            file("", "application/octet-stream", b""),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Nom du document : Indiquez le nom du document."));
    assert!(html.contains("Fichier : Choisissez le fichier à envoyer."));
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(stored_count(&db, &t).await, 1);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_12_mb_file_sent_through_the_page_is_refused_in_the_form() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("pagebig")
        .named("Mairie Page Gros")
        .start()
        .await;
    let paul = family(&app, &db, &t, PAUL).await;
    let html = paul
        .client
        .get(url(&app, &t, "/documents"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let big = twelve_mb_pdf();
    let pulled = Arc::new(AtomicU64::new(0));
    let mut head = multipart(&[text("csrf", &csrf), text("name", "Scan trop lourd")]);
    head.truncate(head.len() - format!("--{BOUNDARY}--\r\n").len());
    let counted = pulled.clone();
    let chunks = std::iter::once(head)
        .chain(std::iter::once(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").into_bytes(),
        ))
        .chain(big.chunks(64 * 1024).map(|c| c.to_vec()).collect::<Vec<_>>())
        .chain(std::iter::once(format!("\r\n--{BOUNDARY}--\r\n").into_bytes()));
    let body = futures::stream::iter(chunks).map(move |c| {
        counted.fetch_add(c.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(c)
    });
    let r = paul
        .client
        .post(url(&app, &t, "/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Fichier : Le fichier est trop volumineux : 10 Mo au plus."));
    assert!(html.contains("value=\"Scan trop lourd\""));
    assert_eq!(stored_count(&db, &t).await, 0);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_specification_describes_the_documents_operations() {
    let app = TestApp::spawn().await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let paths = &spec["paths"];
    let upload = &paths["/{slug}/api/v1/documents"]["post"];
    assert_eq!(upload["tags"][0], "Documents");
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    let form = if let Some(r) = form["$ref"].as_str() {
        &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
    } else {
        form
    };
    for field in ["name", "description", "person", "file"] {
        assert!(form["properties"][field].is_object(), "{field}: {form}");
    }
    assert_eq!(form["properties"]["file"]["format"], "binary");
    for status in ["201", "401", "413", "415", "422"] {
        assert!(upload["responses"][status].is_object(), "{status}");
    }
    assert_eq!(
        paths["/{slug}/api/v1/documents"]["get"]["tags"][0],
        "Documents"
    );
    let download = &paths["/{slug}/api/v1/documents/{id}/download"]["get"];
    let types: Vec<_> = download["responses"]["200"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(types, ["application/pdf", "image/jpeg", "image/png"]);
    for h in [
        "CONTENT-DISPOSITION",
        "X-CONTENT-TYPE-OPTIONS",
        "CACHE-CONTROL",
    ] {
        assert!(
            download["responses"]["200"]["headers"][h].is_object(),
            "{h}: {}",
            download["responses"]["200"]
        );
    }
    assert!(download["responses"]["404"].is_object());
}
