//! The signed-in parent's home: the four tiles on the page and `GET /api/v1/dashboard`,
//! from real bookings and published documents.

mod support;

use chrono::{TimeZone, Utc};
use portail::clock::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use support::multipart::*;
use support::*;

const GOOD: &str = "Vélo#Rouge42x";
const PAUL: &str = "paul.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

#[tokio::test]
async fn the_dashboard_shows_new_documents_todays_bookings_and_the_next_deadline() {
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "dash", "Mairie Accueil").await;
    // Monday 11 January 2027, 7:00 in Paris: the morning care's deadline (6:00) is past,
    // the canteen's (8:30 the same day) is next.
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2027, 1, 11, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let app = TestApp::spawn_with_clock(test_settings(), Arc::new(ManualClock::new(now))).await;
    let url = |path: &str| format!("{}/{}{path}", app.base, t.slug);
    let paul = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let maiwenn = signed_in(&app, &db, &t, MAIWENN, GOOD).await;

    // Théo eats at the canteen today; Erwan LE GALL (another household) too.
    {
        let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
            .await
            .unwrap();
        tx.run(
            "INSERT INTO reservations (child_id, prestation_code, day, created_at)
             SELECT id, 'repas', '2027-01-11', now() FROM children WHERE first_name IN ('Théo', 'Erwan')",
            [],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let staff = support::staff::staff_signed_in(
        &app,
        &db,
        &t,
        "gestion@mairie.example",
        "Agent TEST",
        "gestionnaire",
        now,
    )
    .await;
    for name in ["Menus de janvier", "Programme des mercredis"] {
        let r = post_multipart(
            &staff,
            url("/api/v1/staff/library"),
            &[
                text("rubrique", "menus"),
                text("name", name),
                text("audience", "all"),
                file("m.pdf", "application/pdf", PDF),
            ],
        )
        .await;
        assert_eq!(r.status(), 201);
    }

    let r = paul.get(url("/api/v1/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["documents"]["new"], 2, "{d}");
    assert_eq!(d["documents"]["recent"].as_array().unwrap().len(), 2);
    assert_eq!(d["invoices"]["unpaid"], serde_json::json!([]));
    assert_eq!(d["messages"]["unread"], 0);
    let today = d["today"].as_array().unwrap();
    assert_eq!(today.len(), 1, "{d}");
    assert_eq!(today[0]["child"], "Théo");
    assert_eq!(today[0]["prestation"], "repas");
    assert_eq!(d["next_deadline"]["prestation"], "repas");
    assert_eq!(d["next_deadline"]["day"], "2027-01-11");
    assert_eq!(d["next_deadline"]["deadline"], "2027-01-11T07:30:00+00:00");

    // Opening one clears it from the count.
    let id = d["documents"]["recent"][0]["id"].as_str().unwrap();
    let file_url = d["documents"]["recent"][0]["file"].as_str().unwrap();
    assert_eq!(file_url, format!("/{}/api/v1/library/{id}/file", t.slug));
    let r = paul
        .get(format!("{}{file_url}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = paul
        .get(url("/api/v1/dashboard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["documents"]["new"], 1);

    // The page: the welcome text's heading, then the four tiles.
    let html = paul
        .get(url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for heading in [
        "Informations laissées par votre structure",
        "Mes documents",
        "Mes factures",
        "Mes messages",
        "Mes réservations",
        "Vous n'avez aucune facture à régler.",
        "Aucun message non lu.",
        "Théo : Repas enfant",
        "1 nouveau document.",
    ] {
        assert!(html.contains(heading), "{heading} missing");
    }
    assert!(html.contains("Prochaine échéance : Repas enfant"));

    // Another household sees its own day only.
    let d: Value = maiwenn
        .get(url("/api/v1/dashboard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["today"][0]["child"], "Erwan");
    assert_eq!(d["today"].as_array().unwrap().len(), 1);

    // Signed out: the public home, and the API asks for a session.
    let anonymous = app.other_client();
    let html = anonymous
        .get(url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Informations laissées par votre structure"));
    let r = anonymous
        .get(url("/api/v1/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    delete_tenant(&db, &t.slug).await;
}
