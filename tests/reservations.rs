//! Booking through the API: the week's grid, one day booked and cancelled at the edge of its
//! deadline (daylight-saving day included), every refusal with its reason, capacity under
//! concurrency, periods, isolation between households and municipalities.

mod support;

use chrono::{TimeZone, Utc};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

#[tokio::test]
async fn the_week_shows_each_childs_enrolled_prestations_with_the_states_of_the_legend() {
    let b = Town::build("week")
        .at(paris(2027, 1, 18, 7, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let week: Value = paul.json("/reservations?week=2027-W03").await;
    assert_eq!(week["week"], "2027-W03");
    assert_eq!(
        week["days"],
        json!([
            "2027-01-18",
            "2027-01-19",
            "2027-01-20",
            "2027-01-21",
            "2027-01-22"
        ])
    );
    let theo = week["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == "Théo")
        .unwrap();
    let repas = theo["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prestation"] == "repas")
        .unwrap();
    assert_eq!(repas["name"], "Repas enfant");
    let cells = repas["cells"].as_array().unwrap();
    assert_eq!(cells[0]["state"], "available", "Monday before 8:30");
    assert_eq!(cells[0]["deadline"], "2027-01-18T08:30:00+01:00");
    assert_eq!(
        cells[0]["label"],
        "Disponible, réservable jusqu'au lundi 18 janvier à 8h30"
    );
    assert_eq!(
        (cells[2]["state"].as_str(), cells[2]["reason"].as_str()),
        (Some("unavailable"), Some("not_running")),
        "no meal on Wednesdays"
    );
    let peri = theo["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prestation"] == "peri-matin")
        .unwrap();
    assert_eq!(
        (
            peri["cells"][0]["state"].as_str(),
            peri["cells"][0]["reason"].as_str()
        ),
        (Some("locked"), Some("deadline")),
        "6:00 has passed"
    );
    let david = week["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == "David")
        .unwrap();
    assert!(
        !david["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["prestation"] == "peri-matin"),
        "one row per enrolled prestation"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn booking_and_cancelling_are_idempotent_and_stop_exactly_at_the_deadline() {
    let b = Town::build("edge")
        .at(paris(2027, 1, 18, 8, 29) + chrono::Duration::seconds(59))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-01-18").await).await,
        (200, "reserved".into())
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-01-18").await).await,
        (200, "reserved".into()),
        "idempotent"
    );
    assert_eq!(
        status_and_code(paul.unbook(&theo, "repas", "2027-01-18").await).await,
        (200, "available".into())
    );
    assert_eq!(
        status_and_code(paul.unbook(&theo, "repas", "2027-01-18").await).await,
        (200, "available".into()),
        "idempotent"
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-01-18").await).await,
        (200, "reserved".into())
    );
    b.clock().advance(chrono::Duration::seconds(1));
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-01-18").await).await,
        (200, "reserved".into()),
        "asking for what is there still answers"
    );
    assert_eq!(
        status_and_code(paul.unbook(&theo, "repas", "2027-01-18").await).await,
        (409, "deadline".into()),
        "one second after 8:30"
    );
    let anna = paul.child_id("Anna").await;
    assert_eq!(
        status_and_code(paul.book(&anna, "repas", "2027-01-18").await).await,
        (409, "deadline".into())
    );
    let week: Value = paul.json("/reservations?week=2027-W03").await;
    let theo_cell = &week["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == "Théo")
        .unwrap()["rows"][0]["cells"][0];
    assert_eq!(
        (
            theo_cell["state"].as_str(),
            theo_cell["changeable"].as_bool()
        ),
        (Some("reserved"), Some(false))
    );
    b.cleanup().await;
}

#[tokio::test]
async fn the_deadline_holds_in_paris_time_on_the_day_after_the_clocks_go_forward() {
    // The clocks go forward on 28 March 2027 (Easter Monday the 29th is a holiday): on
    // Tuesday 30 March, 8:30 in Paris is 6:30 UTC, not 7:30.
    let b = Town::build("dst")
        .at(Utc.with_ymd_and_hms(2027, 3, 30, 6, 29, 59).unwrap())
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-03-30").await).await,
        (200, "reserved".into())
    );
    b.clock()
        .set(Utc.with_ymd_and_hms(2027, 3, 30, 6, 30, 0).unwrap());
    let anna = paul.child_id("Anna").await;
    assert_eq!(
        status_and_code(paul.book(&anna, "repas", "2027-03-30").await).await,
        (409, "deadline".into())
    );
    assert_eq!(
        status_and_code(paul.book(&anna, "repas", "2027-03-29").await).await,
        (409, "public_holiday".into()),
        "Easter Monday"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn closures_holidays_and_missing_enrolments_are_refused_with_their_reason() {
    let b = Town::build("refuse")
        .at(paris(2026, 11, 26, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let david = paul.child_id("David").await;
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2026-12-24").await).await,
        (409, "closed".into())
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-02-22").await).await,
        (409, "holiday".into()),
        "winter holidays, zone B"
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-05-06").await).await,
        (409, "public_holiday".into()),
        "Ascension"
    );
    assert_eq!(
        status_and_code(paul.book(&david, "peri-matin", "2027-01-18").await).await,
        (409, "not_enrolled".into())
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "repas", "2027-01-20").await).await,
        (409, "not_running".into())
    );
    assert_eq!(
        status_and_code(paul.book(&theo, "piscine", "2027-01-18").await)
            .await
            .0,
        404
    );
    b.cleanup().await;
}

#[tokio::test]
async fn another_households_child_and_the_same_id_in_another_municipality_answer_404() {
    let b = Town::build("iso")
        .at(paris(2026, 11, 26, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let maiwenn = b.parent(MAIWENN).await;
    assert_eq!(
        status_and_code(maiwenn.book(&theo, "repas", "2027-01-18").await)
            .await
            .0,
        404
    );
    assert_eq!(
        status_and_code(maiwenn.unbook(&theo, "repas", "2027-01-18").await)
            .await
            .0,
        404
    );

    let other = create_tenant_with_families(&b.db, "iso-b", "Mairie B").await;
    let tx = TenantTx::begin(&b.db, &other.schema_name).await.unwrap();
    tx.execute_raw(sql(
        "INSERT INTO children (id, household_id, last_name, first_name, birth_date) SELECT $1::uuid, id, 'X', 'Y', '2018-01-01' FROM households WHERE reference = 'F0002'",
        [theo.clone().into()],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let paul_other = signed_in(&b.app, &b.db, &other, PAUL, PASSWORD).await;
    let r = paul_other
        .put(format!(
            "{}/{}/api/v1/children/{theo}/reservations/repas/2027-01-18",
            b.app.base, other.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "Paul's household there does not hold that id"
    );
    delete_tenant(&b.db, &other.slug).await;
    b.cleanup().await;
}

#[tokio::test]
async fn malformed_weeks_dates_periods_and_weekdays_get_a_french_message() {
    let b = Town::build("bad")
        .at(paris(2026, 11, 26, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    for week in ["2026-W54", "2026-W00", "2026-54", "semaine"] {
        let r = paul.get(&format!("/reservations?week={week}")).await;
        assert_eq!(r.status(), 422, "{week}");
        assert!(
            r.json::<Value>().await.unwrap()["message"]
                .as_str()
                .unwrap()
                .contains("semaine ISO")
        );
    }
    let (status, c) = status_and_code(paul.book(&theo, "repas", "2026-02-30").await).await;
    assert_eq!((status, c.as_str()), (422, "invalid_date"));
    let base = json!({ "prestation": "repas", "children": [theo], "weekdays": ["monday"], "from": "2027-01-04", "to": "2027-01-29", "mode": "add" });
    for (change, expected) in [
        (
            json!({ "from": "2027-02-01", "to": "2027-01-01" }),
            "avant la date de début",
        ),
        (
            json!({ "from": "2027-01-01", "to": "2028-03-01" }),
            "400 jours",
        ),
        (
            json!({ "weekdays": ["lundi"] }),
            "n'est pas un jour de la semaine",
        ),
        (json!({ "to": "2027-02-30" }), "AAAA-MM-JJ"),
        (json!({ "mode": "merge" }), "add"),
    ] {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = paul.post("/reservations/bulk", body).await;
        assert_eq!(r.status(), 422, "{change}");
        let message = r.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(expected), "{change}: {message}");
    }
    b.cleanup().await;
}

#[tokio::test]
async fn a_school_year_in_one_request_books_every_running_day_and_says_why_others_were_skipped() {
    let b = Town::build("year")
        .at(paris(2026, 8, 20, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let ids = [
        paul.child_id("Théo").await,
        paul.child_id("Anna").await,
        paul.child_id("David").await,
    ];
    let r = paul.post("/reservations/bulk", json!({ "prestation": "repas", "children": ids, "weekdays": ["monday", "tuesday", "thursday", "friday"], "from": "2026-09-01", "to": "2027-07-02", "mode": "add" })).await;
    assert_eq!(r.status(), 200);
    let result: Value = r.json().await.unwrap();
    let booked = result["booked"].as_array().unwrap().len();
    assert!(booked > 3 * 120, "{booked} days booked");
    let reasons: std::collections::HashSet<&str> = result["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains("holiday")
            && reasons.contains("closed")
            && reasons.contains("public_holiday"),
        "{reasons:?}"
    );
    assert!(
        !result["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["date"] == "2026-09-02"),
        "Wednesdays are not asked"
    );

    // Replace with Mondays only: the other weekdays are cancelled.
    let r = paul.post("/reservations/bulk", json!({ "prestation": "repas", "children": [ids[0]], "weekdays": ["monday"], "from": "2027-01-04", "to": "2027-01-15", "mode": "replace" })).await;
    let replaced: Value = r.json().await.unwrap();
    assert_eq!(
        replaced["cancelled"].as_array().unwrap().len(),
        6,
        "Tue, Thu, Fri of two weeks"
    );
    assert_eq!(
        replaced["booked"].as_array().unwrap().len(),
        0,
        "the Mondays were booked already"
    );
    let tx = TenantTx::begin(&b.db, &b.tenant.schema_name).await.unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT (SELECT count(*) FROM reservations WHERE prestation_code = 'repas') AS rows, (SELECT coalesce(sum(booked), 0) FROM day_counts WHERE prestation_code = 'repas') AS counted",
            [],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        row.try_get::<i64>("", "rows").unwrap(),
        row.try_get::<i64>("", "counted").unwrap(),
        "the counts match the bookings"
    );
    b.cleanup().await;
}

#[tokio::test]
async fn fifty_families_racing_for_the_last_place_get_one_success_and_forty_nine_full() {
    let config = DEMO_CONFIG.replace("capacity = 120", "capacity = 1");
    let b = Town::build("race")
        .config(&config)
        .at(paris(2027, 1, 10, 10, 0))
        .connections(20)
        .start()
        .await;
    // Fifty more households, one child each, enrolled in meals.
    let mut csv = portail_tenants::import::HEADERS.join(";");
    for i in 0..50 {
        csv.push_str(&format!("\nR{i:03};FAMILLE{i};Parent;parent{i}@race.example;;;;;;1 rue;22300;Lannion;;FAMILLE{i};Enfant;01/01/2018;;;;;repas"));
    }
    portail_tenants::import::import(
        &b.db,
        &b.tenant,
        csv.as_bytes(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        false,
    )
    .await
    .unwrap();
    let mut parents = Vec::new();
    for i in 0..50 {
        let client = b.parent(&format!("parent{i}@race.example")).await;
        let child = client.child_id("Enfant").await;
        parents.push((client, child));
    }
    let attempts = parents
        .iter()
        .map(|(client, child)| client.book(child, "repas", "2027-01-18"));
    let results: Vec<(u16, String)> =
        futures::future::join_all(attempts.map(|f| async move { status_and_code(f.await).await }))
            .await;
    assert_eq!(
        results.iter().filter(|r| r.0 == 200).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| *r == &(409, "full".to_string()))
            .count(),
        49
    );
    b.cleanup().await;
}

#[tokio::test]
async fn two_tabs_booking_and_cancelling_the_same_day_end_consistent() {
    let b = Town::build("tabs")
        .at(paris(2027, 1, 10, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let tab2 = paul.clone();
    let rounds = (0..40).map(|i| {
        let (paul, theo, tab2) = (&paul, theo.clone(), tab2.clone());
        async move {
            if i % 2 == 0 {
                paul.book(&theo, "repas", "2027-01-19").await
            } else {
                tab2.unbook(&theo, "repas", "2027-01-19").await
            }
        }
    });
    for r in futures::future::join_all(rounds).await {
        assert_eq!(r.status(), 200);
    }
    let tx = TenantTx::begin(&b.db, &b.tenant.schema_name).await.unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT (SELECT count(*) FROM reservations WHERE day = '2027-01-19' AND prestation_code = 'repas') AS rows,
                    (SELECT coalesce(max(booked), 0) FROM day_counts WHERE day = '2027-01-19' AND prestation_code = 'repas') AS counted,
                    (SELECT string_agg(action, ',' ORDER BY id) FROM reservation_events WHERE day = '2027-01-19' AND source = 'api') AS actions",
            [],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let rows = row.try_get::<i64>("", "rows").unwrap();
    assert_eq!(rows, row.try_get::<i32>("", "counted").unwrap() as i64);
    // The answers are idempotent (an already-booked day answers "reserved" without a change),
    // so the history is checked against the only possible story: from "not booked", each
    // event is a real change, so they alternate book, cancel, book…, one per state-changing
    // answer, and the last one is the final state.
    let actions: Vec<String> = row
        .try_get::<Option<String>>("", "actions")
        .unwrap()
        .map(|a| a.split(',').map(String::from).collect())
        .unwrap_or_default();
    assert!(
        !actions.is_empty(),
        "at least the first booking is in the history"
    );
    assert!(actions.len() <= 40, "{actions:?}");
    for (i, action) in actions.iter().enumerate() {
        let expected = if i % 2 == 0 { "book" } else { "cancel" };
        assert_eq!(action, expected, "event {i} of {actions:?}");
    }
    let booked_at_the_end = actions.last().map(String::as_str) == Some("book");
    assert_eq!(
        rows,
        i64::from(booked_at_the_end),
        "the last event is the final row: {actions:?}"
    );
    b.cleanup().await;
}

/// The keys of `pattern` in the Redis at `url`.
async fn keys(url: &str, pattern: &str) -> Vec<String> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut conn)
        .await
        .unwrap()
}

async fn theo_monday(paul: &Browser, theo: &str) -> (u16, Value) {
    let r = paul.get("/reservations?week=2027-W03").await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    if status != 200 {
        return (status, v);
    }
    let cell = v["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == theo)
        .unwrap()["rows"][0]["cells"][0]
        .clone();
    (status, cell)
}

#[tokio::test]
async fn the_weeks_rules_are_cached_in_redis_per_configuration_version() {
    let redis = support::throwaway_redis::ThrowawayRedis::start();
    let mut settings = test_settings();
    settings.redis_url = portail::settings::Secret::new(redis.url());
    let b = Town::build("cache")
        .at(paris(2027, 1, 10, 10, 0))
        .settings(settings)
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let (status, cell) = theo_monday(&paul, &theo).await;
    assert_eq!((status, &cell["state"]), (200, &json!("available")));
    let prefix = format!("t:{}:availability:", b.tenant.slug);
    // Under the tenant's prefix, the configuration version and the calendar's ("shipped",
    // or the last import's).
    let cached = keys(&redis.url(), &format!("{prefix}*")).await;
    assert_eq!(cached.len(), 1, "{cached:?}");
    let calendar = cached[0]
        .strip_prefix(&format!("{prefix}v1:"))
        .and_then(|rest| rest.strip_suffix(":2027-W03"))
        .unwrap_or_else(|| panic!("{cached:?}"))
        .to_string();
    assert!(
        calendar == "shipped" || calendar.starts_with('i'),
        "{calendar}"
    );

    // A new configuration closes Monday 18 January: the grid shows it as soon as the app's
    // registry cache (1 s in tests) sees the new version.
    let closed = DEMO_CONFIG.replace("[[closures]]", "[[closures]]\nfrom = \"2027-01-18\"\nto = \"2027-01-18\"\nlabel = \"Grève\"\n\n[[closures]]");
    let config = portail_tenants::TenantConfig::from_toml(&closed).unwrap();
    portail_tenants::provisioning::update(&b.db, &b.tenant.slug, &config, &closed)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let (status, cell) = theo_monday(&paul, &theo).await;
        assert_eq!(status, 200);
        if cell["reason"] == "closed" {
            assert_eq!(cell["state"], "unavailable");
            break;
        }
        assert_eq!(cell["state"], "available", "only the old or the new rules");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the new configuration never showed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut cached = keys(&redis.url(), &format!("{prefix}*")).await;
    cached.sort();
    assert_eq!(
        cached,
        [
            format!("{prefix}v1:{calendar}:2027-W03"),
            format!("{prefix}v2:{calendar}:2027-W03")
        ]
    );
    b.cleanup().await;
}

#[tokio::test]
async fn the_grid_works_when_its_cache_is_refused_and_answers_503_with_redis_stopped_then_recovers()
{
    let mut redis = support::throwaway_redis::ThrowawayRedis::start();
    let mut settings = test_settings();
    settings.redis_url = portail::settings::Secret::new(redis.url());
    let b = Town::build("noredis")
        .at(paris(2027, 1, 10, 10, 0))
        .settings(settings)
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;

    // Redis answers sessions but refuses the cache's keys: the rules are computed for the
    // request, the grid is whole.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "default", "resetkeys"])
        .arg(&[
            "~t:*:session:*",
            "~t:*:account-sessions:*",
            "~t:*:throttle:*",
            "~t:*:reset-mail:*",
            "~t:*:oidc:*",
        ])
        .query_async(&mut conn)
        .await
        .unwrap();
    let (status, cell) = theo_monday(&paul, &theo).await;
    assert_eq!(status, 200);
    assert_eq!(cell["state"], "available");
    assert_eq!(cell["date"], "2027-01-18");
    drop(conn);
    assert_eq!(
        keys(&redis.url(), &format!("t:{}:availability:*", b.tenant.slug)).await,
        Vec::<String>::new(),
        "nothing could be cached"
    );

    // Redis stopped for real: sessions live there, so the signed-in grid is never served
    // anonymously: 503 with the stable code, page and API alike.
    redis.stop();
    let (status, body) = theo_monday(&paul, &theo).await;
    assert_eq!(
        (status, &body["code"]),
        (503, &json!("service_unavailable"))
    );
    let page = paul.page("/reservations?semaine=2027-W03").await;
    assert_eq!(page.status(), 503);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Service momentanément indisponible")
    );

    // Back without a restart; the session was lost with Redis (no persistence): sign in again.
    redis.restart();
    let paul = b.parent(PAUL).await;
    let r = paul.get("/reservations?week=2027-W03").await;
    assert_eq!(r.status(), 200);
    b.cleanup().await;
}

#[tokio::test]
async fn a_bulk_booking_naming_a_child_twice_is_refused_with_422_not_500() {
    let b = Town::build("dup")
        .at(paris(2026, 11, 26, 10, 0))
        .connections(20)
        .start()
        .await;
    let paul = b.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let r = paul.post("/reservations/bulk", json!({ "prestation": "repas", "children": [theo, theo], "weekdays": ["monday"], "from": "2027-01-04", "to": "2027-01-29", "mode": "add" })).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("qu'une fois"),
        "{body}"
    );
    b.cleanup().await;
}
