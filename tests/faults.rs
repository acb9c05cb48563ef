//! Overload and faults, end to end: what the portal answers when more people send documents
//! than it takes at once, and when its dependencies fail.

mod support;

use futures::StreamExt;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::multipart::*;
use support::world::*;
use support::*;

const MB: usize = 1024 * 1024;

/// An upload body of `size` bytes of PDF made lazily in 64 KiB chunks; `pulled` counts what
/// the HTTP client took. With `gate`, it stops after its first megabyte until the gate opens.
fn slow_upload(
    size: usize,
    pulled: Arc<AtomicU64>,
    gate: Option<tokio::sync::oneshot::Receiver<()>>,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let head = multipart(&[text("name", "Justificatif")]);
    let mut start = head[..head.len() - format!("--{BOUNDARY}--\r\n").len()].to_vec();
    start.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"j.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n")
            .as_bytes(),
    );
    let chunk = 64 * 1024;
    let chunks = size / chunk;
    let end = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let gate = Arc::new(tokio::sync::Mutex::new(gate));
    futures::stream::iter(
        std::iter::once(start)
            .chain((0..chunks).map(move |_| vec![b'x'; chunk]))
            .chain(std::iter::once(end))
            .enumerate(),
    )
    .then(move |(i, c)| {
        let gate = gate.clone();
        let pulled = pulled.clone();
        async move {
            if i == 17 {
                // One megabyte is through: wait for the test to let the rest go.
                if let Some(gate) = gate.lock().await.take() {
                    let _ = gate.await;
                }
            }
            pulled.fetch_add(c.len() as u64, Ordering::SeqCst);
            Ok(c)
        }
    })
}

async fn documents_stored(town: &Town) -> i64 {
    use sea_orm::ConnectionTrait;
    let tx = town.tx().await;
    let n = tx
        .query_one_raw(portail_tenants::database::sql(
            "SELECT count(*) AS n FROM documents",
            [],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    tx.commit().await.unwrap();
    n
}

#[tokio::test]
async fn an_upload_beyond_the_bound_gets_503_with_retry_after_without_its_body_being_read() {
    let mut settings = test_settings();
    settings.upload_concurrency = 1;
    let town = Town::build("gate").settings(settings).start().await;
    let paul = town.parent(PAUL).await;

    // One upload in progress, stopped after its first megabyte: it holds the only slot.
    let (open, gate) = tokio::sync::oneshot::channel();
    let first_pulled = Arc::new(AtomicU64::new(0));
    let first = tokio::spawn({
        let request = paul
            .client
            .post(paul.api_url("/documents"))
            .header(CONTENT_TYPE, multipart_type())
            .body(reqwest::Body::wrap_stream(slow_upload(
                4 * MB,
                first_pulled.clone(),
                Some(gate),
            )));
        async move { request.send().await.unwrap() }
    });
    let started = Instant::now();
    while first_pulled.load(Ordering::SeqCst) < MB as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the first upload never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The API: 503, its stable code, a French message and when to come back; a 200 MB body is
    // not read (only what the sockets buffer leaves the client).
    let pulled = Arc::new(AtomicU64::new(0));
    let r = paul
        .client
        .post(paul.api_url("/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(reqwest::Body::wrap_stream(slow_upload(
            200 * MB,
            pulled.clone(),
            None,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "10");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "uploads_busy");
    assert_eq!(
        body["message"],
        "Beaucoup de documents sont envoyés en ce moment. Votre document n'a pas été reçu : réessayez dans quelques secondes."
    );
    let sent = pulled.load(Ordering::SeqCst);
    assert!(sent < 32 * MB as u64, "{sent} bytes left the client");

    // The page: the same refusal as a French page.
    let csrf = paul.csrf("/documents").await;
    let page = paul
        .client
        .post(paul.page_url("/documents"))
        .header(CONTENT_TYPE, multipart_type())
        .body(multipart(&[
            text("csrf", &csrf),
            text("name", "Attestation"),
            file("a.pdf", "application/pdf", PDF),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    assert_eq!(page.headers()["retry-after"], "10");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Service momentanément indisponible"),
        "{html}"
    );
    assert!(html.contains("réessayez dans quelques secondes"), "{html}");
    assert_eq!(documents_stored(&town).await, 0, "nothing stored meanwhile");

    // The first upload goes through, and the slot it gives back takes the next one.
    open.send(()).unwrap();
    let first = first.await.unwrap();
    assert_eq!(first.status(), 201);
    let again = post_multipart(
        &paul.client,
        paul.api_url("/documents"),
        &[
            text("name", "Attestation"),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(documents_stored(&town).await, 2);
    town.cleanup().await;
}
