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

    // A message's attachments wait at the same gate: refused whole, the message kept.
    let r = paul
        .post(
            "/conversations",
            serde_json::json!({ "service": "enfance", "subject": "Ordonnance", "body": "<p>Ci-joint</p>" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let thread = paul.json(&format!("/conversations/{id}")).await;
    let message = thread["messages"][0]["id"].as_str().unwrap().to_string();
    let attachments = paul.api_url(&format!(
        "/conversations/{id}/messages/{message}/attachments"
    ));
    let r = post_multipart(
        &paul.client,
        attachments.clone(),
        &[file("ordonnance.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "10");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "uploads_busy");

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
    let r = post_multipart(
        &paul.client,
        attachments,
        &[
            file("ordonnance.pdf", "application/pdf", PDF),
            file("scan.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 201);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(
        thread["messages"][0]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    town.cleanup().await;
}

/// `(attempts, sent, has_error)` of the outbox's mails to `to`.
async fn outbox_of(town: &Town, to: &str) -> Vec<(i32, bool, bool)> {
    use sea_orm::ConnectionTrait;
    let tx = town.tx().await;
    let rows = tx
        .query_all_raw(portail_tenants::database::sql(
            "SELECT attempts, sent_at IS NOT NULL AS sent, last_error IS NOT NULL AS failed
             FROM outbox WHERE to_address = $1 ORDER BY id",
            [to.into()],
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "attempts").unwrap(),
                r.try_get("", "sent").unwrap(),
                r.try_get("", "failed").unwrap(),
            )
        })
        .collect()
}

/// SMTP down: the mail waits in the outbox, then goes out once when the server is back. The
/// outage is scaled down: instead of waiting out the 30 s of the first retry delay, the test
/// moves the mail's next attempt to now once the server is back.
#[tokio::test]
async fn with_smtp_down_mail_waits_in_the_outbox_and_is_delivered_once_when_it_is_back() {
    let port = support::throwaway_redis::free_port();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(format!(
        "smtp://127.0.0.1:{port}"
    )));
    let town = Town::build("smtp").settings(settings).start().await;
    let visitor = town.visitor();

    // Nobody listens on the SMTP port: the reset is answered as usual, the mail is kept.
    let r = visitor
        .post("/auth/password-reset", serde_json::json!({ "email": PAUL }))
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let started = Instant::now();
    let failed = loop {
        let rows = outbox_of(&town, PAUL).await;
        if rows.first().is_some_and(|(attempts, _, _)| *attempts >= 1) {
            break rows;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no attempt: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        failed,
        vec![(1, false, true)],
        "tried once, kept, its error noted"
    );

    // The server comes back; the retry is due (scaled time); the next mail queued wakes the
    // sender, which delivers both.
    let sink = support::peers::SmtpSink::start_on(port);
    {
        use sea_orm::ConnectionTrait;
        let tx = town.tx().await;
        tx.execute_raw(portail_tenants::database::sql(
            "UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL",
            [],
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let r = visitor
        .post(
            "/auth/password-reset",
            serde_json::json!({ "email": SOPHIE }),
        )
        .await;
    assert!(r.status().is_success());
    sink.wait_for(SOPHIE, 1).await;
    let paul_mail = sink.wait_for(PAUL, 1).await;
    assert!(paul_mail.text.unwrap_or_default().contains("token="));
    // A few more delivery passes: nothing goes twice.
    let r = visitor
        .post(
            "/auth/password-reset",
            serde_json::json!({ "email": "personne@demo.example" }),
        )
        .await;
    assert!(r.status().is_success());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let to_paul = sink
        .mails()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(PAUL)))
        .count();
    assert_eq!(to_paul, 1, "delivered exactly once");
    assert_eq!(outbox_of(&town, PAUL).await, vec![(2, true, false)]);
    eprintln!(
        "smtp down: 1 mail kept after 1 failed attempt, delivered once after the server came back; {} mails delivered in all",
        sink.mails().len()
    );
    town.cleanup().await;
}

/// Redis stopped while a parent is signed in: pages answer the French 503 page, the API its
/// JSON 503, a write is refused whole (nothing reaches PostgreSQL), and the same session works
/// again once Redis is back with its data, without restarting the portal.
#[tokio::test]
async fn with_redis_stopped_a_signed_in_parent_gets_503s_nothing_is_written_and_the_session_comes_back()
 {
    let mut redis = support::throwaway_redis::ThrowawayRedis::start();
    let mut settings = test_settings();
    settings.redis_url = portail::settings::Secret::new(redis.url());
    let town = Town::build("redisdown").settings(settings).start().await;
    let paul = town.parent(PAUL).await;
    let before = paul.json("/me").await;

    redis.shutdown_saving();
    let page = paul.page("/foyer").await;
    assert_eq!(page.status(), 503, "never served anonymously");
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Service momentanément indisponible")
    );
    let write = paul
        .patch("/me", serde_json::json!({ "locale": "en" }))
        .await;
    assert_eq!(write.status(), 503);
    assert!(write.headers().contains_key("retry-after"));
    assert_eq!(
        write.json::<Value>().await.unwrap()["code"],
        "service_unavailable"
    );
    let read = paul.get("/me").await;
    assert_eq!(read.status(), 503);

    redis.restart();
    let started = Instant::now();
    let after = loop {
        let r = paul.get("/me").await;
        if r.status() == 200 {
            break r.json::<Value>().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still {} after Redis came back",
            r.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        after["locale"], before["locale"],
        "the refused write left nothing"
    );
    assert_ne!(after["locale"], "en");
    assert_eq!(paul.page("/foyer").await.status(), 200, "the same session");
    eprintln!(
        "redis down: page 503, API 503 (service_unavailable), write refused; session back after {} ms",
        started.elapsed().as_millis()
    );
    town.cleanup().await;
}
