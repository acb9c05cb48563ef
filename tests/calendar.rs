//! The school calendar as a refreshable dataset, end to end on a database of its own (the
//! calendar lives in the shared registry, which other tests must not see change):
//! `portail calendar import [--dry-run]` of the national export, `portail calendar status
//! [--json]`, the booking grid saying the calendar is not published yet beyond it, and the
//! metrics warning 12 months before it ends while `/readyz` stays green.

mod support;

use chrono::{Months, NaiveDate, TimeZone, Utc};
use portail::clock::ManualClock;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

fn fixture() -> PathBuf {
    root().join("tests/fixtures/calendrier-scolaire.json")
}

/// The fixture without its last school year (2027-2028): covered until 31 August 2027.
fn fixture_until_2027() -> PathBuf {
    let records: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    let kept: Vec<Value> = records
        .into_iter()
        .filter(|r| r["annee_scolaire"] != "2027-2028")
        .collect();
    temp_file(
        "calendrier-2027.json",
        serde_json::to_string(&kept).unwrap().as_bytes(),
    )
}

fn status_json(db: &FreshDatabase) -> Value {
    let out = db.portail(&["calendar", "status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn covered_until(status: &Value) -> Vec<&str> {
    ["A", "B", "C"]
        .iter()
        .map(|z| status["zones"][z]["covered_until"].as_str().unwrap())
        .collect()
}

fn today() -> NaiveDate {
    portail_tenants::calendar::paris_date(Utc::now())
}

#[tokio::test]
async fn import_checks_the_national_file_dry_run_changes_nothing_and_status_says_until_when() {
    let db = FreshDatabase::create().await;
    assert_eq!(db.portail(&["migrate"]).status.code(), Some(0));

    // Shipped by default.
    let status = status_json(&db);
    assert_eq!(status["source"], "shipped");
    assert_eq!(covered_until(&status), ["2028-08-31"; 3]);

    // A dry run checks and tells, and changes nothing.
    let short = fixture_until_2027();
    let out = db.portail(&["calendar", "import", short.to_str().unwrap(), "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("zone B: 2024-09-01 to 2027-08-31"), "{text}");
    assert!(text.contains("dry run: nothing imported"), "{text}");
    assert_eq!(status_json(&db)["source"], "shipped");

    // The import.
    let out = db.portail(&["calendar", "import", short.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let status = status_json(&db);
    assert_eq!(status["source"], "imported");
    assert_eq!(covered_until(&status), ["2027-08-31"; 3]);
    // The CLI warns from 12 months before the end (by the machine's date).
    let ending = today() + Months::new(12) > NaiveDate::from_ymd_opt(2027, 8, 31).unwrap();
    assert_eq!(status["zones"]["C"]["ending_soon"], ending);
    let out = db.portail(&["calendar", "status"]);
    assert!(stdout(&out).contains("zone A: covered until 2027-08-31"));
    assert_eq!(
        stderr(&out).contains("warning: zone A is covered only until 2027-08-31"),
        ending,
        "{}",
        stderr(&out)
    );

    // A bad file is refused with every problem named, and the calendar stays.
    let bad = temp_file(
        "bad.json",
        br#"[{"description": "Vacances de Noel", "population": "-", "start_date": "demain", "end_date": null, "location": "Rennes", "zones": "Zone B", "annee_scolaire": "2025-2026"}]"#,
    );
    let out = db.portail(&["calendar", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("not imported, 4 problem(s)"), "{err}");
    assert!(
        err.contains("record 1 (Vacances de Noel, Zone B, Rennes): `start_date` \"demain\" is not an ISO timestamp"),
        "{err}"
    );
    assert!(err.contains("zone A: no holiday period"), "{err}");
    let out = db.portail(&["calendar", "import", "/nonexistent/calendrier.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read /nonexistent/calendrier.json"));
    assert_eq!(covered_until(&status_json(&db)), ["2027-08-31"; 3]);

    // The full file, then back to the shipped calendar.
    let out = db.portail(&["calendar", "import", fixture().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(covered_until(&status_json(&db)), ["2028-08-31"; 3]);
    assert_eq!(db.portail(&["calendar", "reset"]).status.code(), Some(0));
    assert_eq!(status_json(&db)["source"], "shipped");
}

/// Theo's meal cells of a week, as the API gives them.
async fn meal_cells(app: &TestApp, client: &reqwest::Client, slug: &str, week: &str) -> Vec<Value> {
    let r = client
        .get(format!(
            "{}/{slug}/api/v1/reservations?week={week}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let theo = v["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == "Théo")
        .unwrap();
    theo["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prestation"] == "repas")
        .unwrap()["cells"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn beyond_the_imported_calendar_the_grid_says_it_is_not_published_and_metrics_warn() {
    let fresh = FreshDatabase::create().await;
    let db = fresh.connect().await;
    portail_tenants::migrate::shared(&db, false).await.unwrap();
    let t = create_tenant_with_families(&db, "cal", "Mairie Calendrier").await;
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2027, 6, 14, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let app = TestApp::spawn_with_clock(fresh.settings(), Arc::new(ManualClock::new(now))).await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    // Week of Monday 6 September 2027: a school week by the shipped calendar.
    let week = "2027-W36";
    let states = |cells: &[Value]| -> Vec<String> {
        cells
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c["state"].as_str().unwrap(),
                    c["reason"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(
        states(&meal_cells(&app, &paul, &t.slug, week).await),
        [
            "available:",
            "available:",
            "unavailable:not_running",
            "available:",
            "available:"
        ]
    );

    let out = fresh.portail(&["calendar", "import", fixture_until_2027().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Every process reads the registry again within TENANT_CACHE_SECONDS (1 s in tests).
    let started = Instant::now();
    loop {
        let cells = meal_cells(&app, &paul, &t.slug, week).await;
        if cells[0]["reason"] == "no_calendar" {
            assert_eq!(
                states(&cells),
                [
                    "unavailable:no_calendar",
                    "unavailable:no_calendar",
                    "unavailable:not_running",
                    "unavailable:no_calendar",
                    "unavailable:no_calendar"
                ]
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the import never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Before the end of the imported calendar nothing changed.
    let june = meal_cells(&app, &paul, &t.slug, "2027-W25").await;
    assert_eq!(june[0]["state"], "available");
    // The page says it plainly, in French.
    let page = paul
        .get(format!(
            "{}/{}/reservations?semaine={week}",
            app.base, t.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("calendrier scolaire pas encore publié"),
        "{html}"
    );
    // A booking there is refused with the reason.
    let theo = meal_cells(&app, &paul, &t.slug, week).await;
    assert_eq!(theo.len(), 5);
    let child: Value = paul
        .get(format!("{}/{}/api/v1/children", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let theo_id = id_of_named(&child["children"], "Théo");
    let r = paul
        .put(format!(
            "{}/{}/api/v1/children/{theo_id}/reservations/repas/2027-09-06",
            app.base, t.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "no_calendar");

    // 14 June 2027 is less than 12 months before 31 August 2027: the metrics warn, the
    // readiness probe stays green.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for zone in ["A", "B", "C"] {
        assert!(
            metrics.contains(&format!(
                "portail_school_calendar_ending_soon{{zone=\"{zone}\"}} 1"
            )),
            "{metrics}"
        );
        assert!(metrics.contains(&format!(
            "portail_school_calendar_covered_until_days{{zone=\"{zone}\"}} 78"
        )));
    }
    assert_eq!(app.get("/readyz").await.status(), 200);

    // The full calendar again: the warning goes away, the week is bookable again.
    let out = fresh.portail(&["calendar", "import", fixture().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let started = Instant::now();
    while meal_cells(&app, &paul, &t.slug, week).await[0]["state"] != "available" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the new import never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("portail_school_calendar_ending_soon{zone=\"B\"} 0"),
        "{metrics}"
    );
    drop(app);
    db.close().await.unwrap();
}

/// `portail serve --test-clock`: the portal's "today" is the given day (seen in the metrics,
/// which count the days left to the calendar's end), it is logged as a warning, and without
/// the flag the real date is used.
#[tokio::test]
async fn serve_with_test_clock_starts_the_portals_time_at_the_given_instant() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    db(1).await;
    let days_left = |args: &[&str]| {
        let port = support::throwaway_redis::free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_portail"))
            .arg("serve")
            .args(args)
            .env("DATABASE_URL", database_url())
            .env("REDIS_URL", redis_url())
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .env("LOG_FORMAT", "text")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut warned = false;
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        for line in &mut lines {
            let line = line.unwrap();
            warned |= line.contains("TEST CLOCK");
            if line.contains("portail listening") {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let metrics = {
            use std::io::{Read, Write};
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut text = String::new();
            s.read_to_string(&mut text).unwrap();
            text
        };
        child.kill().unwrap();
        child.wait().unwrap();
        let days: i64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("portail_school_calendar_covered_until_days{zone=\"B\"} "))
            .expect("the calendar gauge")
            .parse()
            .unwrap();
        (days, warned)
    };
    let registry = db(1).await;
    let in_force = portail_tenants::school_calendar::load(&registry)
        .await
        .unwrap();
    let until = in_force.map_or(portail_tenants::calendar::COVERAGE_END, |s| {
        s.calendar
            .covered_until(portail_tenants::config::HolidayZone::B)
    });
    let test_day = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
    let (days, warned) = tokio::task::spawn_blocking(move || {
        days_left(&["--test-clock", "2027-01-11T08:00:00+01:00"])
    })
    .await
    .unwrap();
    assert_eq!(days, (until - test_day).num_days());
    assert!(warned, "the test clock is logged");
    let (days, warned) = tokio::task::spawn_blocking(move || days_left(&[]))
        .await
        .unwrap();
    assert_eq!(days, (until - today()).num_days());
    assert!(!warned);
}
