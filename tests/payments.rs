//! Paying an invoice online over PayFiP, against the local fake of tests/peers: the attempt
//! stored before the redirect, notifications (unknown, forged, five at once), the checks of
//! what PayFiP reports, refusals and abandons, PayFiP unreachable or slow, another
//! household's invoice, the return page, the receipt mail, the reconciliation.

mod support;

use chrono::{TimeZone, Utc};
use portail::billing::month::Month;
use portail::clock::{Clock, ManualClock};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::sync::Arc;
use support::peers::PayfipFake;
use support::*;
use uuid::Uuid;

const PAUL: &str = "paul.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

struct Pay {
    app: TestApp,
    db: DatabaseConnection,
    tenant: Tenant,
    fake: PayfipFake,
    clock: Arc<ManualClock>,
    paul: reqwest::Client,
    settings: portail::settings::Settings,
    /// Paul's invoice (2 meals at 2,50 €) and Maïwenn's (1 meal at 1,00 €).
    invoice: String,
    other_invoice: String,
}

async fn scalar(db: &DatabaseConnection, tenant: &Tenant, text: &str) -> i64 {
    let tx = TenantTx::begin(db, &tenant.schema_name).await.unwrap();
    let row = tx.query_one_raw(sql(text, [])).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    row.try_get_by_index(0).unwrap()
}

impl Pay {
    async fn new(prefix: &str, timeout: u64, base: Option<String>) -> Pay {
        let db = db(3).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie de Paiement").await;
        let tx = TenantTx::begin(&db, &tenant.schema_name).await.unwrap();
        tx.execute_unprepared(
            "INSERT INTO reservations (child_id, prestation_code, day, created_at) \
             SELECT id, 'repas', d, now() FROM children, \
             (VALUES (date '2026-11-02'), (date '2026-11-03')) AS days(d) WHERE first_name = 'Théo'; \
             INSERT INTO reservations (child_id, prestation_code, day, created_at) \
             SELECT id, 'repas', date '2026-11-02', now() FROM children WHERE first_name = 'Erwan'",
        )
        .await
        .unwrap();
        let config = portail::portal::repository::tenant_config(&tx)
            .await
            .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        portail::billing::run::run(
            &tx,
            &config,
            Month::parse("2026-11").unwrap(),
            now,
            false,
            "test",
        )
        .await
        .unwrap();
        let ids: Vec<(String, String)> = tx
            .query_all_raw(sql(
                "SELECT i.id::text AS id, h.reference FROM invoices i JOIN households h ON h.id = i.household_id ORDER BY h.reference",
                [],
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "reference").unwrap()))
            .collect();
        tx.commit().await.unwrap();
        let fake = PayfipFake::start();
        let mut settings = test_settings();
        settings.payfip_base_url = base.unwrap_or_else(|| fake.url());
        settings.payfip_timeout_seconds = timeout;
        let clock = Arc::new(ManualClock::new(now));
        let app = TestApp::spawn_with_clock(settings.clone(), clock.clone()).await;
        let paul = signed_in(&app, &db, &tenant, PAUL, GOOD).await;
        Pay {
            app,
            db,
            tenant,
            fake,
            clock,
            paul,
            settings,
            invoice: ids[0].0.clone(),
            other_invoice: ids[1].0.clone(),
        }
    }

    /// The state of an instance like the served one (same settings and clock), for the jobs.
    async fn app_state(&self) -> Arc<portail::state::AppState> {
        portail::startup::Application::build_with_clock(self.settings.clone(), self.clock.clone())
            .await
            .unwrap()
            .state()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.tenant.slug)
    }

    async fn start(&self, client: &reqwest::Client, invoice: &str) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/v1/invoices/{invoice}/payment")))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
    }

    /// Starts paying Paul's invoice: the `idOp` PayFiP gave.
    async fn id_op(&self) -> String {
        let r = self.start(&self.paul, &self.invoice).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let url = body["redirect_url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{}/tpa/paiementws.web?idop=", self.fake.url())),
            "{url}"
        );
        url.split("idop=").nth(1).unwrap().to_string()
    }

    async fn notify(&self, id_op: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/payfip/notification"))
            .form(&[("idOp", id_op)])
            .send()
            .await
            .unwrap()
    }

    async fn invoice_json(&self) -> Value {
        let list: Value = self
            .paul
            .get(self.url("/api/v1/invoices"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["invoices"][0].clone()
    }

    async fn count(&self, text: &str) -> i64 {
        scalar(&self.db, &self.tenant, text).await
    }

    async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

#[tokio::test]
async fn a_parent_pays_on_payfip_and_comes_back_to_a_paid_invoice_with_one_receipt() {
    let pay = Pay::new("pay", 5, None).await;
    // PAYER on the page: the attempt is stored, the browser goes to PayFiP's page.
    let html = pay.paul.get(pay.url("/factures")).send().await.unwrap();
    let csp = html.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("form-action 'self' {}", pay.fake.url())),
        "{csp}"
    );
    let html = html.text().await.unwrap();
    assert!(html.contains("Une notification vous sera envoyée par e-mail"));
    let r = pay
        .paul
        .post(pay.url(&format!("/factures/{}/payer", pay.invoice)))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id_op = location.split("idop=").nth(1).unwrap().to_string();
    assert_eq!(
        pay.count("SELECT count(*) FROM payment_attempts WHERE status = 'pending'")
            .await,
        1
    );
    // On PayFiP's page, "Payer": PayFiP sends the browser back (the fake cannot reach
    // portail.test to notify: the test delivers the notification).
    let page = reqwest::get(&location).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Montant : 5,00 €") && page.contains("FAC2026000001"),
        "{page}"
    );
    let back = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/tpa/paiementws.web", pay.fake.url()))
        .form(&[("idop", id_op.as_str()), ("choix", "P")])
        .send()
        .await
        .unwrap();
    let redirect = back.headers()["location"].to_str().unwrap().to_string();
    let return_path = redirect
        .strip_prefix("http://portail.test")
        .unwrap()
        .to_string();
    assert_eq!(pay.notify(&id_op).await.status(), 200);

    let page = pay
        .paul
        .get(format!("{}{return_path}", pay.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Votre paiement de la facture FAC-2026-000001 a bien été pris en compte"),
        "{page}"
    );
    let invoice = pay.invoice_json().await;
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["paid_cents"], 500);
    let html = pay
        .paul
        .get(pay.url("/factures"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Payée") && !html.contains("/payer\""),
        "a paid invoice shows no PAYER"
    );

    // A late second notification changes nothing; paying again is refused.
    assert_eq!(pay.notify(&id_op).await.status(), 200);
    assert_eq!(pay.count("SELECT count(*) FROM payments").await, 1);
    let again = pay.start(&pay.paul, &pay.invoice).await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.json::<Value>().await.unwrap()["code"],
        "nothing_to_pay"
    );
    // One receipt, to the payer.
    assert_eq!(
        pay.count("SELECT count(*) FROM outbox WHERE to_address = 'paul.alain@demo.example' AND subject = 'Votre paiement a bien été pris en compte'")
            .await,
        1
    );
    pay.cleanup().await;
}

#[tokio::test]
async fn the_same_id_op_notified_five_times_at_once_records_one_payment() {
    let pay = Pay::new("payfive", 5, None).await;
    let id_op = pay.id_op().await;
    pay.fake.set_result(&id_op, "P", json!({})).await;
    let notifications: Vec<_> = (0..5).map(|_| pay.notify(&id_op)).collect();
    for r in futures::future::join_all(notifications).await {
        assert_eq!(r.status(), 200);
    }
    assert_eq!(pay.count("SELECT count(*) FROM payments").await, 1);
    assert_eq!(
        pay.count("SELECT paid_cents FROM invoices WHERE number = 'FAC-2026-000001'")
            .await,
        500
    );
    assert_eq!(
        pay.count(
            "SELECT count(*) FROM outbox WHERE subject = 'Votre paiement a bien été pris en compte'"
        )
        .await,
        1
    );
    pay.cleanup().await;
}

#[tokio::test]
async fn an_unknown_id_op_or_a_forged_answer_is_never_a_payment() {
    let pay = Pay::new("payforge", 5, None).await;
    // An idOp nobody created: answered like any other, nothing happens.
    assert_eq!(pay.notify("0123456789abcdef").await.status(), 200);
    assert_eq!(pay.notify("").await.status(), 200);
    assert_eq!(pay.count("SELECT count(*) FROM payment_attempts").await, 0);

    for (overrides, expected) in [
        (json!({ "montant": "100" }), "montant 100 ≠ 500"),
        (
            json!({ "refdet": "FAC2026000002" }),
            "refdet FAC2026000002 ≠ FAC2026000001",
        ),
        (json!({ "numcli": "654321" }), "numcli 654321 ≠ 123456"),
        (json!({ "exer": "2025" }), "exer 2025 ≠ 2026"),
    ] {
        let id_op = pay.id_op().await;
        pay.fake.set_result(&id_op, "P", overrides).await;
        pay.notify(&id_op).await;
        let tx = TenantTx::begin(&pay.db, &pay.tenant.schema_name)
            .await
            .unwrap();
        let row = tx
            .query_one_raw(sql(
                "SELECT status, detail FROM payment_attempts WHERE id_op = $1",
                [id_op.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let status: String = row.try_get("", "status").unwrap();
        let detail: String = row.try_get("", "detail").unwrap();
        assert_eq!(status, "anomaly");
        assert_eq!(detail, expected);
    }
    assert_eq!(pay.count("SELECT count(*) FROM payments").await, 0);
    assert_eq!(pay.invoice_json().await["status"], "unpaid");

    // The régisseur sees the anomalies first, with what did not match.
    let regie = support::staff::staff_signed_in(
        &pay.app,
        &pay.db,
        &pay.tenant,
        "regie@mairie.example",
        "Agent TEST",
        "regisseur",
        pay.clock.now(),
    )
    .await;
    let page = regie
        .get(pay.url("/gestion/facturation"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = page
        .split("Paiements en ligne")
        .nth(1)
        .expect("the attempts table");
    assert_eq!(table.matches("Anomalie à vérifier").count(), 4);
    assert!(table.contains("montant 100 ≠ 500"), "{table}");
    pay.cleanup().await;
}

#[tokio::test]
async fn refused_and_abandoned_payments_leave_the_invoice_to_pay() {
    let pay = Pay::new("payrza", 5, None).await;
    for (resultrans, status) in [("R", "refused"), ("Z", "refused"), ("A", "abandoned")] {
        let id_op = pay.id_op().await;
        pay.fake.set_result(&id_op, resultrans, json!({})).await;
        pay.notify(&id_op).await;
        let tx = TenantTx::begin(&pay.db, &pay.tenant.schema_name)
            .await
            .unwrap();
        let row = tx
            .query_one_raw(sql(
                "SELECT status FROM payment_attempts WHERE id_op = $1",
                [id_op.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            row.try_get::<String>("", "status").unwrap(),
            status,
            "{resultrans}"
        );
    }
    assert_eq!(pay.count("SELECT count(*) FROM payments").await, 0);
    assert_eq!(pay.invoice_json().await["status"], "unpaid");
    pay.cleanup().await;
}

#[tokio::test]
async fn a_live_attempt_is_reused_and_another_household_s_invoice_is_not_found() {
    let pay = Pay::new("paylive", 5, None).await;
    let first = pay.id_op().await;
    assert_eq!(pay.id_op().await, first, "the live attempt is reused");
    assert_eq!(pay.count("SELECT count(*) FROM payment_attempts").await, 1);
    let r = pay.start(&pay.paul, &pay.other_invoice).await;
    assert_eq!(r.status(), 404);
    let r = pay.start(&pay.paul, &Uuid::new_v4().to_string()).await;
    assert_eq!(r.status(), 404);
    // Maïwenn may pay hers.
    let maiwenn = signed_in(&pay.app, &pay.db, &pay.tenant, MAIWENN, GOOD).await;
    assert_eq!(pay.start(&maiwenn, &pay.other_invoice).await.status(), 200);
    pay.cleanup().await;
}

#[tokio::test]
async fn payfip_unreachable_or_slow_is_explained_and_nothing_is_recorded() {
    // Nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let pay = Pay::new("paydown", 1, Some(format!("http://127.0.0.1:{port}"))).await;
    let r = pay.start(&pay.paul, &pay.invoice).await;
    assert_eq!(r.status(), 502);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "payfip_unavailable");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Aucun paiement n'a été enregistré")
    );
    assert_eq!(pay.count("SELECT count(*) FROM payment_attempts").await, 0);
    pay.cleanup().await;

    // A PayFiP that accepts the connection and never answers: the parent waits the timeout.
    let slow = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = slow.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((socket, _)) = slow.accept().await {
            kept.push(socket);
        }
    });
    let pay = Pay::new("payslow", 1, Some(format!("http://127.0.0.1:{port}"))).await;
    let html = pay
        .paul
        .get(pay.url("/factures"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let r = pay
        .paul
        .post(pay.url(&format!("/factures/{}/payer", pay.invoice)))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(r.status(), 502);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le service de paiement PayFiP ne répond pas")
    );
    assert_eq!(pay.count("SELECT count(*) FROM payment_attempts").await, 0);
    held.abort();
    pay.cleanup().await;
}

#[tokio::test]
async fn the_reconciliation_settles_attempts_never_notified_and_expires_silent_ones() {
    let pay = Pay::new("payrec", 5, None).await;
    let paid = pay.id_op().await;
    pay.fake.set_result(&paid, "P", json!({})).await;
    let state_of = |id_op: String| {
        let db = pay.db.clone();
        let schema = pay.tenant.schema_name.clone();
        async move {
            let tx = TenantTx::begin(&db, &schema).await.unwrap();
            let row = tx
                .query_one_raw(sql(
                    "SELECT status FROM payment_attempts WHERE id_op = $1",
                    [id_op.into()],
                ))
                .await
                .unwrap()
                .unwrap();
            tx.commit().await.unwrap();
            row.try_get::<String>("", "status").unwrap()
        }
    };
    // Due a check in two minutes: the reconciliation leaves it before.
    let state = pay.app_state().await;
    let tenant = portail::tenancy::CurrentTenant(Arc::new(pay.tenant.clone()));
    assert_eq!(
        portail::billing::payment::reconcile(&state, &tenant)
            .await
            .unwrap(),
        0
    );
    pay.clock.advance(chrono::Duration::minutes(3));
    assert_eq!(
        portail::billing::payment::reconcile(&state, &tenant)
            .await
            .unwrap(),
        1
    );
    assert_eq!(state_of(paid.clone()).await, "paid");

    // Another invoice whose payer left PayFiP's page: P5, then expired after 20 minutes.
    let maiwenn = signed_in(&pay.app, &pay.db, &pay.tenant, MAIWENN, GOOD).await;
    let r: Value = pay
        .start(&maiwenn, &pay.other_invoice)
        .await
        .json()
        .await
        .unwrap();
    let silent = r["redirect_url"]
        .as_str()
        .unwrap()
        .split("idop=")
        .nth(1)
        .unwrap()
        .to_string();
    pay.clock.advance(chrono::Duration::minutes(3));
    assert_eq!(
        portail::billing::payment::reconcile(&state, &tenant)
            .await
            .unwrap(),
        0
    );
    assert_eq!(state_of(silent.clone()).await, "pending");
    pay.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(
        portail::billing::payment::reconcile(&state, &tenant)
            .await
            .unwrap(),
        1
    );
    assert_eq!(state_of(silent).await, "expired");
    pay.cleanup().await;
}
