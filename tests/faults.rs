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
    let tx = town.tx().await;
    let n = count(&tx, "SELECT count(*) AS n FROM documents").await;
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

/// One booking of the storm: which cell, what came back, and when it was sent.
#[derive(Debug)]
struct Attempt {
    child: String,
    prestation: String,
    date: String,
    /// `None`: no answer (the connection broke, or it took more than its timeout).
    status: Option<u16>,
    code: String,
    message: String,
    sent: Instant,
    took: Duration,
}

/// The cells a household may book in weeks 1 to 26 of 2027, as its grid shows them.
async fn bookable_cells(parent: &Browser) -> Vec<(String, String, String)> {
    let mut cells = Vec::new();
    for week in 1..=26 {
        let grid = parent
            .json(&format!("/reservations?week=2027-W{week:02}"))
            .await;
        for child in grid["children"].as_array().unwrap() {
            for row in child["rows"].as_array().unwrap() {
                // Days billed on invoice only: a prepaid day goes to the cart, not the table.
                if !["repas", "peri-matin", "peri-soir"]
                    .contains(&row["prestation"].as_str().unwrap())
                {
                    continue;
                }
                for cell in row["cells"].as_array().unwrap() {
                    if cell["state"] == "available" {
                        cells.push((
                            child["id"].as_str().unwrap().to_string(),
                            row["prestation"].as_str().unwrap().to_string(),
                            cell["date"].as_str().unwrap().to_string(),
                        ));
                    }
                }
            }
        }
    }
    cells
}

/// How many rows of `reservations` each booked cell has, and whether every day's count
/// (`day_counts`) and the history (`reservation_events`) agree with the table.
async fn rows_per_cell(
    db: &sea_orm::DatabaseConnection,
    schema: &portail_tenants::SchemaName,
) -> (
    std::collections::HashMap<(String, String, String), i64>,
    Vec<String>,
    i64,
) {
    use sea_orm::ConnectionTrait;
    let tx = portail_tenants::TenantTx::begin(db, schema).await.unwrap();
    let rows = tx
        .query_all_raw(portail_tenants::database::sql(
            "SELECT child_id::text AS child, prestation_code AS prestation, day::text AS day, count(*) AS n
             FROM reservations GROUP BY 1, 2, 3",
            [],
        ))
        .await
        .unwrap();
    let cells = rows
        .iter()
        .map(|r| {
            (
                (
                    r.try_get::<String>("", "child").unwrap(),
                    r.try_get::<String>("", "prestation").unwrap(),
                    r.try_get::<String>("", "day").unwrap(),
                ),
                r.try_get::<i64>("", "n").unwrap(),
            )
        })
        .collect();
    let wrong_counts = tx
        .query_all_raw(portail_tenants::database::sql(
            "SELECT c.prestation_code || ' ' || c.day || ': ' || c.booked || ' counted, ' || count(r.day) || ' booked' AS wrong
             FROM day_counts c LEFT JOIN reservations r USING (prestation_code, day)
             GROUP BY c.prestation_code, c.day, c.booked HAVING c.booked <> count(r.day)",
            [],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "wrong").unwrap())
        .collect();
    let events = count(
        &tx,
        "SELECT count(*) AS n FROM reservation_events WHERE action = 'book'",
    )
    .await;
    tx.commit().await.unwrap();
    (cells, wrong_counts, events)
}

/// PostgreSQL restarted (`pg_ctl restart -m fast`, on a cluster of the test's own) while four
/// signed-in parents book as fast as they can: every booking is either answered 200 and in
/// the table once, or refused with the JSON 503 (`service_unavailable`, French message) and
/// not in the table; no day is counted twice; and the same portal, not restarted, books again
/// within seconds.
#[tokio::test]
async fn with_postgresql_restarted_during_a_booking_storm_each_booking_is_committed_once_or_refused_and_the_pool_recovers()
 {
    let pg = tokio::task::spawn_blocking(support::throwaway_postgres::ThrowawayPostgres::start)
        .await
        .unwrap();
    let town = Town::build("pgrestart")
        .database(&pg.url())
        .at(paris(2027, 1, 4, 7, 0))
        .connections(8)
        .start()
        .await;
    let paul = town.parent(PAUL).await;
    let sophie = town.parent(SOPHIE).await;
    let maiwenn = town.parent(MAIWENN).await;
    let lan = town.parent("lan.nguyen@demo.example").await;
    // Paul and Sophie share their household's cells; each parent has a queue of cells.
    let alain = bookable_cells(&paul).await;
    let (mut for_paul, mut for_sophie) = (Vec::new(), Vec::new());
    for (i, cell) in alain.into_iter().enumerate() {
        if i % 2 == 0 {
            for_paul.push(cell)
        } else {
            for_sophie.push(cell)
        }
    }
    let queues = [
        (paul, for_paul),
        (sophie, for_sophie),
        (maiwenn.clone(), bookable_cells(&maiwenn).await),
        (lan.clone(), bookable_cells(&lan).await),
    ];
    let total_cells: usize = queues.iter().map(|(_, q)| q.len()).sum();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let attempts = Arc::new(std::sync::Mutex::new(Vec::<Attempt>::new()));
    let mut workers = Vec::new();
    for (parent, cells) in queues {
        let queue = Arc::new(std::sync::Mutex::new(
            cells.into_iter().collect::<std::collections::VecDeque<_>>(),
        ));
        for _ in 0..4 {
            let (parent, queue, stop, attempts) = (
                parent.clone(),
                queue.clone(),
                stop.clone(),
                attempts.clone(),
            );
            workers.push(tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let Some((child, prestation, date)) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let sent = Instant::now();
                    let url = parent.api_url(&format!(
                        "/children/{child}/reservations/{prestation}/{date}"
                    ));
                    let answer = parent
                        .client
                        .put(url)
                        .timeout(Duration::from_secs(15))
                        .send()
                        .await;
                    let (status, code, message) = match answer {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let body: Value = r.json().await.unwrap_or(Value::Null);
                            let code = body["code"].as_str().or(body["state"].as_str());
                            let message = body["message"].as_str().unwrap_or_default();
                            (
                                Some(status),
                                code.unwrap_or_default().to_string(),
                                message.to_string(),
                            )
                        }
                        Err(e) => (None, String::new(), e.to_string()),
                    };
                    attempts.lock().unwrap().push(Attempt {
                        child,
                        prestation,
                        date,
                        status,
                        code,
                        message,
                        sent,
                        took: sent.elapsed(),
                    });
                    // A parent's click, not a loop: the storm spans the restart.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }));
        }
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let restart_began = Instant::now();
    let pg = tokio::task::spawn_blocking(move || {
        pg.restart();
        pg
    })
    .await
    .unwrap();
    let restarted = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }
    let attempts = std::mem::take(&mut *attempts.lock().unwrap());

    // What each booking got.
    let unanswered: Vec<_> = attempts.iter().filter(|a| a.status.is_none()).collect();
    assert!(unanswered.is_empty(), "no answer: {unanswered:?}");
    let unexpected: Vec<_> = attempts
        .iter()
        .filter(|a| match a.status {
            Some(200) => a.code != "reserved",
            Some(503) => {
                a.code != "service_unavailable"
                    || a.message
                        != "Le service est momentanément indisponible. Aucune donnée n'a été perdue. Merci de réessayer dans quelques minutes."
            }
            _ => true,
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "neither booked nor a clear 503: {unexpected:?}"
    );

    // What the table holds: each 200 once, each 503 not at all, every count right.
    // On a pool of its own: the test's connections were cut by the restart too.
    let db = support::db_at(&pg.url(), 1).await;
    let (rows, wrong_counts, events) = rows_per_cell(&db, &town.tenant.schema_name).await;
    let key = |a: &Attempt| (a.child.clone(), a.prestation.clone(), a.date.clone());
    let ok: Vec<_> = attempts.iter().filter(|a| a.status == Some(200)).collect();
    let refused: Vec<_> = attempts.iter().filter(|a| a.status == Some(503)).collect();
    let lost: Vec<_> = ok
        .iter()
        .filter(|a| rows.get(&key(a)) != Some(&1))
        .collect();
    assert!(
        lost.is_empty(),
        "answered 200, not in the table once: {lost:?}"
    );
    let kept: Vec<_> = refused
        .iter()
        .filter(|a| rows.contains_key(&key(a)))
        .collect();
    assert!(kept.is_empty(), "answered 503, yet booked: {kept:?}");
    assert_eq!(rows.len(), ok.len(), "nothing else booked");
    assert!(rows.values().all(|n| *n == 1), "a day booked twice");
    assert!(wrong_counts.is_empty(), "{wrong_counts:?}");
    assert_eq!(events as usize, ok.len(), "one history line per booking");

    // The storm crossed the restart, and the portal books again by itself.
    let before = ok.iter().filter(|a| a.sent < restart_began).count();
    assert!(before > 0, "bookings before the restart");
    let first_after = ok
        .iter()
        .filter(|a| a.sent >= restarted)
        .map(|a| a.sent - restarted)
        .min()
        .expect("bookings succeed again after the restart");
    assert!(first_after < Duration::from_secs(3), "{first_after:?}");
    let settled = restarted + first_after + Duration::from_secs(1);
    let late_refusals = refused.iter().filter(|a| a.sent > settled).count();
    assert_eq!(late_refusals, 0, "refusals long after the restart");
    let slowest = attempts.iter().map(|a| a.took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(6),
        "an answer took {slowest:?}"
    );
    let r = maiwenn.json("/reservations?week=2027-W26").await;
    assert!(r["children"].is_array(), "pages read again");
    let window = |from: Instant, to: Instant| {
        let sent: Vec<_> = attempts
            .iter()
            .filter(|a| a.sent >= from && a.sent < to)
            .collect();
        let ok = sent.iter().filter(|a| a.status == Some(200)).count();
        format!("{ok} × 200, {} × 503", sent.len() - ok)
    };
    let start = attempts.iter().map(|a| a.sent).min().unwrap();
    eprintln!(
        "postgresql restart: {} bookings sent over {} cells; sent before the restart: {}; during it: {}; after it: {}; 0 lost, 0 doubled; restart took {} ms; first 200 {} ms after it; slowest answer {} ms",
        attempts.len(),
        total_cells,
        window(start, restart_began),
        window(restart_began, restarted),
        window(restarted, Instant::now()),
        (restarted - restart_began).as_millis(),
        first_after.as_millis(),
        slowest.as_millis()
    );
    // The municipality goes with the cluster.
    drop(town);
    drop(pg);
}

/// The server processes waiting for a lock on one of the tenant's tables, once there are
/// `n` of them: requests genuinely in the middle of their transaction.
async fn waiting_for(
    db: &sea_orm::DatabaseConnection,
    tenant: &portail_tenants::registry::Tenant,
    table: &str,
    n: usize,
) -> Vec<i32> {
    use sea_orm::ConnectionTrait;
    let started = Instant::now();
    loop {
        let pids: Vec<i32> = db
            .query_all_raw(portail_tenants::database::sql(
                "SELECT pid FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)",
                [format!("\"{}\".{table}", tenant.schema_name.as_str()).into()],
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<i32>("", "pid").unwrap())
            .collect();
        if pids.len() >= n {
            return pids;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no request waits on {table}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A municipality with its families, Paul signed in to the real binary, and his three
/// children's school year of meals as a bulk booking.
struct Stopping {
    db: sea_orm::DatabaseConnection,
    tenant: portail_tenants::registry::Tenant,
    served: support::served::Served,
    paul: reqwest::Client,
    year: Value,
}

impl Stopping {
    async fn start(prefix: &str, grace_seconds: u32) -> Self {
        // Two connections for the locks a test holds, two to look.
        let db = db(4).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie Arrêt").await;
        // Monday 4 January 2027, 7:00: every school day to July is still bookable.
        let served = support::served::Served::start(
            grace_seconds,
            &["--test-clock", "2027-01-04T07:00:00+01:00"],
        );
        set_password_in_db(&db, &tenant, PAUL, PASSWORD).await;
        let paul = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = login(&paul, &served.base(), &tenant.slug, PAUL, PASSWORD).await;
        assert_eq!(r.status(), 200);
        let children: Value = paul
            .get(format!("{}/{}/api/v1/children", served.base(), tenant.slug))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids: Vec<Value> = children["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        assert_eq!(ids.len(), 3);
        let year = serde_json::json!({ "prestation": "repas", "children": ids,
            "weekdays": ["monday", "tuesday", "thursday", "friday"],
            "from": "2027-01-04", "to": "2027-07-02", "mode": "add" });
        Stopping {
            db,
            tenant,
            served,
            paul,
            year,
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}/{}/api/v1{path}", self.served.base(), self.tenant.slug)
    }

    /// A lock on one of the tenant's tables that lets reads through but stops writes.
    async fn hold(&self, table: &str) -> sea_orm::DatabaseTransaction {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let blocker = self.db.begin().await.unwrap();
        blocker
            .execute_unprepared(&format!(
                "LOCK TABLE \"{}\".{table} IN SHARE MODE",
                self.tenant.schema_name.as_str()
            ))
            .await
            .unwrap();
        blocker
    }

    /// (documents, bytes stored, bookings, booking history lines, days whose count is not
    /// the number of bookings).
    async fn stored(&self) -> (i64, i64, i64, i64, i64) {
        let q = |s: &'static str| tenant_count(&self.db, &self.tenant, s);
        (
            q("SELECT count(*) AS n FROM documents").await,
            q("SELECT COALESCE(sum(length(data)), 0)::bigint AS n FROM documents").await,
            q("SELECT count(*) AS n FROM reservations").await,
            q("SELECT count(*) AS n FROM reservation_events").await,
            q("SELECT count(*) AS n FROM day_counts c WHERE booked <> (SELECT count(*) FROM reservations r WHERE r.prestation_code = c.prestation_code AND r.day = c.day)").await,
        )
    }
}

/// SIGTERM while an 8 MB upload is half sent and a school year of meals for three children
/// is half written: the listener closes, both requests run to their end within the grace
/// period (the upload's body is still read), both are stored whole, and the process exits 0.
#[tokio::test]
async fn sigterm_lets_an_upload_and_a_school_year_booking_in_flight_finish_whole() {
    let mut s = Stopping::start("termok", 20).await;
    let size = 8 * MB;
    let (open, gate) = tokio::sync::oneshot::channel();
    let pulled = Arc::new(AtomicU64::new(0));
    let upload = tokio::spawn(
        s.paul
            .post(s.api("/documents"))
            .header(CONTENT_TYPE, multipart_type())
            .body(reqwest::Body::wrap_stream(slow_upload(
                size,
                pulled.clone(),
                Some(gate),
            )))
            .send(),
    );
    // The bulk booking writes its bookings and counts, then waits to write their history.
    let blocker = s.hold("reservation_events").await;
    let bulk = tokio::spawn(
        s.paul
            .post(s.api("/reservations/bulk"))
            .json(&s.year)
            .send(),
    );
    waiting_for(&s.db, &s.tenant, "reservation_events", 1).await;
    let started = Instant::now();
    while pulled.load(Ordering::SeqCst) < MB as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the upload never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    s.served.sigterm();
    let stopped = Instant::now();
    let refused = s.served.wait_until_refused();
    assert_eq!(
        refused.kind(),
        std::io::ErrorKind::ConnectionRefused,
        "{refused}"
    );
    assert!(s.served.running(), "still draining");
    let sent_at_sigterm = pulled.load(Ordering::SeqCst);

    // The rest of the body arrives after the signal; the history may be written.
    open.send(()).unwrap();
    blocker.rollback().await.unwrap();
    let upload = upload.await.unwrap().unwrap();
    assert_eq!(upload.status(), 201);
    let bulk = bulk.await.unwrap().unwrap();
    assert_eq!(bulk.status(), 200);
    let booked = bulk.json::<Value>().await.unwrap()["booked"]
        .as_array()
        .unwrap()
        .len() as i64;
    assert!(booked > 3 * 60, "{booked} days booked");
    let status = s
        .served
        .wait_exit(Duration::from_secs(10))
        .expect("exited after draining");
    assert!(status.success(), "{status:?}");
    let exited = stopped.elapsed();

    let (documents, bytes, bookings, history, wrong) = s.stored().await;
    assert_eq!(documents, 1);
    assert_eq!(bytes as usize, "%PDF-1.4\n".len() + size, "the whole file");
    assert_eq!((bookings, history, wrong), (booked, booked, 0));
    eprintln!(
        "sigterm, drained: upload {} of {} bytes sent at the signal, answered 201, {bytes} bytes stored; school year answered 200 with {booked} bookings, {bookings} stored with {history} history lines; exited 0 {} ms after the signal",
        sent_at_sigterm,
        pulled.load(Ordering::SeqCst),
        exited.as_millis()
    );
    delete_tenant(&s.db, &s.tenant.slug).await;
}

/// SIGTERM while an upload and a school year of meals are both in the middle of their
/// transaction, the document and the bookings already written, and neither can end within
/// the 2 s grace period: the process exits 0 at the end of the grace period, and PostgreSQL
/// rolls both back whole: no document, no booking, no history line, no count moved.
#[tokio::test]
async fn sigterm_past_the_grace_period_rolls_an_upload_and_a_school_year_booking_back_whole() {
    use sea_orm::ConnectionTrait;
    let mut s = Stopping::start("termcut", 2).await;
    // The upload writes its document, then waits to write its audit line; the bulk booking
    // writes its bookings and counts, then waits to write their history.
    let audit = s.hold("audit_log").await;
    let history = s.hold("reservation_events").await;
    let upload = tokio::spawn(
        s.paul
            .post(s.api("/documents"))
            .header(CONTENT_TYPE, multipart_type())
            .body(reqwest::Body::wrap_stream(slow_upload(
                4 * MB,
                Arc::new(AtomicU64::new(0)),
                None,
            )))
            .send(),
    );
    let bulk = tokio::spawn(
        s.paul
            .post(s.api("/reservations/bulk"))
            .json(&s.year)
            .send(),
    );
    let mut pids = waiting_for(&s.db, &s.tenant, "audit_log", 1).await;
    pids.extend(waiting_for(&s.db, &s.tenant, "reservation_events", 1).await);

    s.served.sigterm();
    let stopped = Instant::now();
    let status = s
        .served
        .wait_exit(Duration::from_secs(8))
        .expect("exited at the end of the grace period");
    let exited = stopped.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        exited >= Duration::from_millis(1900),
        "waited for the grace period: {exited:?}"
    );
    assert!(upload.await.unwrap().is_err(), "the upload got no answer");
    assert!(bulk.await.unwrap().is_err(), "the booking got no answer");

    // Their transactions go on in PostgreSQL until they find their client gone.
    audit.rollback().await.unwrap();
    history.rollback().await.unwrap();
    let started = Instant::now();
    loop {
        let alive =
            s.db.query_one_raw(portail_tenants::database::sql(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ANY($1)",
                [pids.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        if alive == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server's sessions linger"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (documents, _, bookings, history, wrong) = s.stored().await;
    assert_eq!(
        (documents, bookings, history, wrong),
        (0, 0, 0, 0),
        "nothing stored, not even part"
    );
    eprintln!(
        "sigterm, past the grace period: upload and school year cut mid-transaction; exited 0 {} ms after the signal (grace 2 s); stored: 0 documents, 0 bookings, 0 history lines",
        exited.as_millis()
    );
    delete_tenant(&s.db, &s.tenant.slug).await;
}
