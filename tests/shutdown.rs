//! SIGTERM: the server stops accepting, lets a request in flight finish, and exits 0; a
//! request still running after the grace period does not keep the process alive.

mod support;

use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

fn serve(grace_seconds: u32) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portail"))
        .arg("serve")
        .env("DATABASE_URL", database_url())
        .env("REDIS_URL", redis_url())
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("SHUTDOWN_GRACE_SECONDS", grace_seconds.to_string())
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in &mut lines {
        if line.unwrap().contains("portail listening") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until a request waits for the lock `blocker` holds on the tenant's `settings`, as
/// PostgreSQL sees it: the request is then genuinely in flight.
async fn wait_for_lock_wait(db: &sea_orm::DatabaseConnection, schema: &str) {
    let started = Instant::now();
    loop {
        let row = db
            .query_one_raw(sql(
                "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)",
                [format!("\"{schema}\".settings").into()],
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no request waits for the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `port` refuses connections (the listener is closed), and returns that error.
fn wait_until_refused(port: u16) -> std::io::Error {
    let started = Instant::now();
    loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Err(e) => return e,
            Ok(_) => {
                assert!(
                    started.elapsed() < Duration::from_secs(5),
                    "port {port} still accepts connections after SIGTERM"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_zero() {
    let db = db(2).await;
    let t = create_tenant(&db, "term", "Mairie Term").await;
    let (mut child, port) = serve(10);

    // Hold a lock the home page must wait for: a genuinely slow request.
    let blocker = db.begin().await.unwrap();
    blocker
        .execute_raw(sql(
            &format!(
                "LOCK TABLE \"{}\".settings IN ACCESS EXCLUSIVE MODE",
                t.schema_name
            ),
            [],
        ))
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/{}/", t.slug);
    let in_flight =
        tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    wait_for_lock_wait(&db, t.schema_name.as_str()).await;

    sigterm(&child);
    let refused = wait_until_refused(port);
    assert_eq!(
        refused.kind(),
        std::io::ErrorKind::ConnectionRefused,
        "no new connection is accepted after SIGTERM: {refused}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "still draining while the request runs"
    );

    blocker.rollback().await.unwrap();
    assert_eq!(in_flight.await.unwrap().unwrap(), 200);
    let status = wait_exit(&mut child, Duration::from_secs(5)).expect("exited after draining");
    assert!(status.success(), "{status:?}");
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_request_outlasting_the_grace_period_does_not_keep_the_process_alive() {
    let db = db(2).await;
    let t = create_tenant(&db, "grace", "Mairie Grace").await;
    let (mut child, port) = serve(1);
    let blocker = db.begin().await.unwrap();
    blocker
        .execute_raw(sql(
            &format!(
                "LOCK TABLE \"{}\".settings IN ACCESS EXCLUSIVE MODE",
                t.schema_name
            ),
            [],
        ))
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/{}/", t.slug);
    let _in_flight =
        tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    wait_for_lock_wait(&db, t.schema_name.as_str()).await;
    let started = Instant::now();
    sigterm(&child);
    let status =
        wait_exit(&mut child, Duration::from_secs(5)).expect("exited after the grace period");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for the grace period"
    );
    assert!(status.success(), "{status:?}");
    blocker.rollback().await.unwrap();
    delete_tenant(&db, &t.slug).await;
}
