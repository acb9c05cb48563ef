//! The sign-in limits end to end, each client a distinct peer address (127.0.x.y, no
//! forwarded header): 20 failures from one address make it wait whatever the account, and an
//! account gets at most 25 failures a day whatever the addresses.

mod support;

use chrono::{Duration, Utc};
use portail::clock::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const GOOD: &str = "Vélo#Rouge42x";
const BAD: &str = "Mauvais#Passe1";

async fn refused_for(r: reqwest::Response) -> i64 {
    assert_eq!(r.status(), 429);
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "too_many_attempts"
    );
    wait
}

#[tokio::test]
async fn twenty_failures_from_one_address_make_that_address_wait_but_not_the_others() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "lim-addr", "Mairie Adresse").await;
    set_password_in_db(&db, &t, PAUL, GOOD).await;
    let app = TestApp::spawn().await;
    let shared_wifi = app.client_from([127, 0, 2, 1]);
    // Twenty different unknown accounts: no account reaches its own limit.
    for i in 0..20 {
        let r = login(
            &shared_wifi,
            &app.base,
            &t.slug,
            &format!("x{i}@demo.example"),
            BAD,
        )
        .await;
        assert_eq!(r.status(), 401, "failure {i}");
    }
    let wait = refused_for(login(&shared_wifi, &app.base, &t.slug, PAUL, GOOD).await).await;
    assert!((25..=30).contains(&wait), "{wait}");
    let elsewhere = app.client_from([127, 0, 2, 2]);
    assert_eq!(
        login(&elsewhere, &app.base, &t.slug, PAUL, GOOD)
            .await
            .status(),
        200
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn an_account_gets_twenty_five_failures_a_day_whatever_the_addresses() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "lim-day", "Mairie Jour").await;
    set_password_in_db(&db, &t, PAUL, GOOD).await;
    let start = Utc::now();
    let clock = Arc::new(ManualClock::new(start));
    let app = TestApp::spawn_with_clock(test_settings(), clock.clone()).await;
    for i in 0..25u8 {
        // Past each wait (15 minutes at most), from a new address each time.
        clock.advance(Duration::minutes(16));
        let client = app.client_from([127, 0, 3, i + 1]);
        assert_eq!(
            login(&client, &app.base, &t.slug, PAUL, BAD).await.status(),
            401,
            "failure {i}"
        );
    }
    let first_failure = start + Duration::minutes(16);
    let client = app.client_from([127, 0, 3, 100]);
    clock.advance(Duration::minutes(16));
    let wait = refused_for(login(&client, &app.base, &t.slug, PAUL, GOOD).await).await;
    let until_the_end_of_the_day =
        (first_failure + Duration::hours(24) - portail::clock::Clock::now(&*clock)).num_seconds();
    assert_eq!(
        wait, until_the_end_of_the_day,
        "the right password waits for the day to end"
    );
    // Still refused an hour later (not a 15-minute wait), then free when the day is over.
    clock.advance(Duration::hours(1));
    refused_for(login(&client, &app.base, &t.slug, PAUL, GOOD).await).await;
    clock.set(first_failure + Duration::hours(24) + Duration::seconds(1));
    assert_eq!(
        login(&client, &app.base, &t.slug, PAUL, GOOD)
            .await
            .status(),
        200
    );
    delete_tenant(&db, &t.slug).await;
}
