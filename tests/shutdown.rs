//! SIGTERM: the server stops accepting, lets a request in flight finish, and exits 0; a
//! request still running after the grace period does not keep the process alive.

mod support;

use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::time::{Duration, Instant};
use support::served::Served;
use support::*;

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_zero() {
    let db = db(2).await;
    let t = create_tenant(&db, "term", "Mairie Term").await;
    let mut served = Served::start(10, &[]);

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
    let url = format!("{}/{}/", served.base(), t.slug);
    let in_flight =
        tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    until_a_lock_is_awaited(&db, &format!("\"{}\".settings", t.schema_name.as_str())).await;

    served.sigterm();
    let refused = served.wait_until_refused();
    assert_eq!(
        refused.kind(),
        std::io::ErrorKind::ConnectionRefused,
        "no new connection is accepted after SIGTERM: {refused}"
    );
    assert!(served.running(), "still draining while the request runs");

    blocker.rollback().await.unwrap();
    assert_eq!(in_flight.await.unwrap().unwrap(), 200);
    let status = served
        .wait_exit(Duration::from_secs(5))
        .expect("exited after draining");
    assert!(status.success(), "{status:?}");
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_request_outlasting_the_grace_period_does_not_keep_the_process_alive() {
    let db = db(2).await;
    let t = create_tenant(&db, "grace", "Mairie Grace").await;
    let mut served = Served::start(1, &[]);
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
    let url = format!("{}/{}/", served.base(), t.slug);
    let _in_flight =
        tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    until_a_lock_is_awaited(&db, &format!("\"{}\".settings", t.schema_name.as_str())).await;
    let started = Instant::now();
    served.sigterm();
    let status = served
        .wait_exit(Duration::from_secs(5))
        .expect("exited after the grace period");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for the grace period"
    );
    assert!(status.success(), "{status:?}");
    blocker.rollback().await.unwrap();
    delete_tenant(&db, &t.slug).await;
}
