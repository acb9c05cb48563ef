//! The régisseur's actions in the JSON API: a month's billing run (dry, then real, then again),
//! the invoices, a credit note, the payment attempts (anomalies first) and the payments; a
//! gestionnaire may not bill.

mod support;

use chrono::TimeZone as _;
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn the_regisseur_bills_lists_and_cancels_through_the_api() {
    let db = db(2).await;
    let tenant = create_tenant_with_families(&db, "staffbill", "Mairie de Facturation").await;
    let tx = portail_tenants::TenantTx::begin(&db, &tenant.schema_name)
        .await
        .unwrap();
    tx.execute_unprepared(
        "INSERT INTO reservations (child_id, prestation_code, day, created_at) \
         SELECT id, 'repas', d, now() FROM children, \
         (VALUES (date '2026-11-02'), (date '2026-11-03')) AS days(d) WHERE first_name = 'Théo'",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let app = TestApp::spawn_with_clock(
        test_settings(),
        std::sync::Arc::new(portail::clock::ManualClock::new(now)),
    )
    .await;
    let api = |path: &str| format!("{}/{}/api/v1/staff/billing{path}", app.base, tenant.slug);
    let staff = |email: &'static str, role: &'static str| {
        staff::staff_signed_in(&app, &db, &tenant, email, "Agent TEST", role, now)
    };

    let gestionnaire = staff("gestion@mairie.example", "gestionnaire").await;
    let r = gestionnaire
        .post(api("/runs"))
        .json(&json!({"month": "2026-11"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = gestionnaire.get(api("/invoices")).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let regie = staff("regie@mairie.example", "regisseur").await;
    let run = |body: Value| {
        let regie = regie.clone();
        let url = api("/runs");
        async move { regie.post(url).json(&body).send().await.unwrap() }
    };
    let r = run(json!({"month": "2026-13"})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_month");
    // Dry: what would be issued, nothing issued.
    let dry: Value = run(json!({"month": "2026-11", "dry_run": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["issued"][0]["amount_cents"], 500, "{dry}");
    let list: Value = regie
        .get(api("/invoices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["invoices"], json!([]));
    // Real, then again: one invoice, the second run skips the household.
    let real: Value = run(json!({"month": "2026-11"})).await.json().await.unwrap();
    assert_eq!(real["issued"][0]["number"], "FAC-2026-000001", "{real}");
    let again: Value = run(json!({"month": "2026-11"})).await.json().await.unwrap();
    assert_eq!(again["issued"], json!([]));
    assert_eq!(again["skipped"], 1);
    let list: Value = regie
        .get(api("/invoices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice = &list["invoices"][0];
    assert_eq!(invoice["status"], "unpaid");
    assert_eq!(invoice["household_reference"], "F0001");
    let id = invoice["id"].as_str().unwrap().to_string();

    // A credit note cancels it; a second one is refused.
    let r = regie
        .post(api(&format!("/invoices/{id}/credit-note")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["number"],
        "AVO-2026-000001"
    );
    let r = regie
        .post(api(&format!("/invoices/{id}/credit-note")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "invoice_already_cancelled"
    );
    let list: Value = regie
        .get(api("/invoices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cancelled = list["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["credit_note_number"], "AVO-2026-000001");

    // Attempts, anomalies first, and payments, as recorded.
    let tx = portail_tenants::TenantTx::begin(&db, &tenant.schema_name)
        .await
        .unwrap();
    for (op, status, at) in [
        ("op-paid", "paid", "2026-11-30 09:00"),
        ("op-odd", "anomaly", "2026-11-29 09:00"),
    ] {
        tx.execute_raw(sql(
            &format!(
                "INSERT INTO payment_attempts (id, id_op, invoice_id, household_id, numcli, exer, \
                     refdet, montant, mel, status, detail, created_at, next_check_at) \
                 SELECT gen_random_uuid(), $1, id, household_id, '123456', '2026', 'FAC2026000001', \
                        500, 'paul.alain@demo.example', $2, \
                        CASE WHEN $2 = 'anomaly' THEN 'montant 400 ≠ 500' END, \
                        timestamptz '{at}+01', now() FROM invoices WHERE id = $3::uuid"
            ),
            [op.into(), status.into(), id.clone().into()],
        ))
        .await
        .unwrap();
    }
    tx.execute_unprepared(
        "INSERT INTO payments (id, attempt_id, invoice_id, amount_cents, numauto, paid_at) \
         SELECT gen_random_uuid(), id, invoice_id, 500, 'A1B2C3', now() FROM payment_attempts \
         WHERE id_op = 'op-paid'",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let attempts: Value = regie
        .get(api("/attempts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(attempts["attempts"][0]["status"], "anomaly", "{attempts}");
    assert_eq!(attempts["attempts"][0]["detail"], "montant 400 ≠ 500");
    assert_eq!(attempts["attempts"][1]["status"], "paid");
    let payments: Value = regie
        .get(api("/payments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(payments["payments"][0]["invoice_number"], "FAC-2026-000001");
    assert_eq!(payments["payments"][0]["amount_cents"], 500);
    assert_eq!(payments["payments"][0]["numauto"], "A1B2C3");
    delete_tenant(&db, &tenant.slug).await;
}
