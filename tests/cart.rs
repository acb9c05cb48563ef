//! The prepaid meal cart: a prepaid day booked goes to the cart and holds its place (capacity
//! counted, also under concurrency) for 30 minutes, then is released; one PayFiP payment pays
//! the cart (notified five times at once: one payment, one receipt, one mail); a refused
//! payment leaves the days in the cart; a paid day cancelled in time credits the household's
//! balance, spent first on the next cart (a cart it covers needs no PayFiP).

mod support;

use portail_tenants::database::sql;
use serde_json::{Value, json};
use std::sync::Arc;
use support::peers::PayfipFake;
use support::world::*;
use support::*;

/// The demo configuration with a prepaid meal of one place on Wednesdays.
fn config() -> String {
    format!(
        "{DEMO_CONFIG}
[[prestations]]
code = \"repas-pp\"
name = \"Repas prépayé\"
structure = \"resto-peri\"
days = [\"wednesday\"]
periods = \"school\"
deadline = {{ kind = \"days_before\", days = 2, at = \"12:00\", working_days = true }}
capacity = 1
price_cents = 450
tariffs = [ {{ qf_max = 500, price_cents = 150 }}, {{ qf_max = 1000, price_cents = 300 }} ]
billing = \"prepaid\"
"
    )
}

const DAY: &str = "2026-12-09";
const OTHER_DAY: &str = "2026-12-16";

struct Shop {
    town: Town,
    fake: PayfipFake,
}

impl Shop {
    async fn new(prefix: &str) -> Shop {
        let fake = PayfipFake::start();
        let mut settings = test_settings();
        settings.payfip_base_url = fake.url();
        let town = Town::build(prefix)
            .config(&config())
            .settings(settings)
            .at(paris(2026, 12, 1, 9, 0))
            .connections(8)
            .start()
            .await;
        let tx = town.tx().await;
        tx.execute_unprepared(
            "INSERT INTO enrolments (child_id, prestation_code) SELECT id, 'repas-pp' FROM children",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        Shop { town, fake }
    }

    async fn count(&self, text: &str) -> i64 {
        let tx = self.town.tx().await;
        let row = tx.query_one_raw(sql(text, [])).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        row.try_get_by_index(0).unwrap()
    }

    async fn places_taken(&self, day: &str) -> i64 {
        self.count(&format!(
            "SELECT coalesce(sum(booked), 0)::bigint FROM day_counts \
             WHERE prestation_code = 'repas-pp' AND day = date '{day}'"
        ))
        .await
    }

    async fn notify(&self, id_op: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.town.url("/payfip/notification"))
            .form(&[("idOp", id_op)])
            .send()
            .await
            .unwrap()
    }

    async fn sweep(&self) -> i32 {
        let settings = {
            let mut s = test_settings();
            s.payfip_base_url = self.fake.url();
            s
        };
        let clock: Arc<dyn portail::clock::Clock> =
            Arc::new(portail::clock::ManualClock::new(self.town.clock().now()));
        let state = portail::startup::Application::build_with_clock(settings, clock)
            .await
            .unwrap()
            .state();
        let tenant = portail::tenancy::CurrentTenant(Arc::new(self.town.tenant.clone()));
        portail::billing::cart::sweep(&state, &tenant)
            .await
            .unwrap()
    }
}

use chrono::Datelike as _;
use portail::clock::Clock as _;
use sea_orm::ConnectionTrait;

async fn cell_state(parent: &Browser, child: &str, day: &str) -> String {
    let date: chrono::NaiveDate = day.parse().unwrap();
    let week: Value = parent
        .json(&format!(
            "/reservations?week={}-W{:02}",
            date.iso_week().year(),
            date.iso_week().week()
        ))
        .await;
    let children = week["children"].as_array().unwrap();
    let c = children.iter().find(|c| c["id"] == child).unwrap();
    let row = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["prestation"] == "repas-pp")
        .unwrap();
    let cell = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["date"] == day)
        .unwrap();
    cell["state"].as_str().unwrap().to_string()
}

/// The `idOp` of a PayFiP page address.
fn id_op_of(url: &str) -> String {
    url.split("idop=").nth(1).unwrap().to_string()
}

#[tokio::test]
async fn a_prepaid_day_goes_to_the_cart_holds_its_place_then_is_released_after_30_minutes() {
    let shop = Shop::new("cartexp").await;
    let paul = shop.town.parent(PAUL).await;
    let maiwenn = shop.town.parent(MAIWENN).await;
    let theo = paul.child_id("Théo").await;
    let erwan = maiwenn.child_id("Erwan").await;

    let r = paul.book(&theo, "repas-pp", DAY).await;
    assert_eq!(status_and_code(r).await, (200, "in_cart".to_string()));
    assert_eq!(cell_state(&paul, &theo, DAY).await, "in_cart");
    let cart = paul.json("/cart").await;
    assert_eq!(cart["items"].as_array().unwrap().len(), 1, "{cart}");
    assert_eq!(cart["items"][0]["price_cents"], 300);
    assert_eq!(cart["total_cents"], 300);
    assert_eq!(cart["to_pay_cents"], 300);
    // The held day takes the one place: nobody else gets it.
    let r = maiwenn.book(&erwan, "repas-pp", DAY).await;
    assert_eq!(status_and_code(r).await, (409, "full".to_string()));
    assert_eq!(shop.places_taken(DAY).await, 1);
    // The page lists it with its price and PAYER.
    let html = paul.html("/panier").await;
    assert!(
        html.contains("Repas prépayé") && html.contains("3,00"),
        "{html}"
    );
    assert!(html.contains("/panier/payer"), "{html}");
    // The grid shows it in the cart, with the link to the cart.
    let grid = paul.html("/reservations?semaine=2026-W50").await;
    assert!(grid.contains("cell-cart") && grid.contains("Mon panier (1)"));

    // 31 minutes later, unpaid: the next booking of the day gets the place back.
    shop.town.clock().advance(chrono::Duration::minutes(31));
    let r = maiwenn.book(&erwan, "repas-pp", DAY).await;
    assert_eq!(status_and_code(r).await, (200, "in_cart".to_string()));
    assert_eq!(shop.places_taken(DAY).await, 1);
    assert_eq!(paul.json("/cart").await["items"], json!([]));
    assert_eq!(cell_state(&paul, &theo, DAY).await, "locked");
    // The sweep releases Maïwenn's hold once it runs out too: no place is lost.
    shop.town.clock().advance(chrono::Duration::minutes(31));
    assert_eq!(shop.sweep().await, 1);
    assert_eq!(shop.places_taken(DAY).await, 0);
    assert_eq!(shop.count("SELECT count(*) FROM cart_items").await, 0);
    // Nothing was ever booked.
    assert_eq!(shop.count("SELECT count(*) FROM reservations").await, 0);
    // An empty cart has nothing to pay.
    let r = paul.post("/cart/checkout", json!({})).await;
    assert_eq!(status_and_code(r).await, (409, "empty_cart".to_string()));
    shop.town.cleanup().await;
}

#[tokio::test]
async fn concurrent_bookings_of_the_last_place_put_one_day_in_one_cart() {
    let shop = Shop::new("cartrace").await;
    let paul = shop.town.parent(PAUL).await;
    let maiwenn = shop.town.parent(MAIWENN).await;
    let mut attempts = Vec::new();
    for name in ["Théo", "Anna", "David"] {
        attempts.push((paul.clone(), paul.child_id(name).await));
    }
    attempts.push((maiwenn.clone(), maiwenn.child_id("Erwan").await));
    let results = futures::future::join_all(
        attempts
            .iter()
            .map(|(who, child)| async move { who.book(child, "repas-pp", DAY).await }),
    )
    .await;
    let mut codes = Vec::new();
    for r in results {
        codes.push(status_and_code(r).await);
    }
    let carted = codes.iter().filter(|c| c.0 == 200).count();
    assert_eq!(carted, 1, "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|c| c.0 == 200 && c.1 == "in_cart" || c.0 == 409 && c.1 == "full"),
        "{codes:?}"
    );
    assert_eq!(shop.places_taken(DAY).await, 1);
    assert_eq!(shop.count("SELECT count(*) FROM cart_items").await, 1);
    shop.town.cleanup().await;
}

#[tokio::test]
async fn one_payfip_payment_pays_the_cart_once_however_many_notifications() {
    let shop = Shop::new("cartpay").await;
    let paul = shop.town.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    for (child, day) in [(&theo, DAY), (&theo, OTHER_DAY)] {
        let r = paul.book(child, "repas-pp", day).await;
        assert_eq!(status_and_code(r).await, (200, "in_cart".to_string()));
    }
    let r = paul.post("/cart/checkout", json!({})).await;
    assert_eq!(r.status(), 200);
    let url = r.json::<Value>().await.unwrap()["redirect_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&format!("{}/tpa/paiementws.web?idop=", shop.fake.url())));
    let id_op = id_op_of(&url);
    // PAYER again while it is live: the same PayFiP page.
    let again: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["redirect_url"], url);
    assert_eq!(
        shop.count("SELECT montant FROM payment_attempts").await,
        600
    );
    // While the payment is pending, a day of it cannot leave the cart, and holds its place
    // past its 30 minutes.
    let r = paul.unbook(&theo, "repas-pp", DAY).await;
    assert_eq!(
        status_and_code(r).await,
        (409, "payment_pending".to_string())
    );
    shop.town.clock().advance(chrono::Duration::minutes(10));
    let r = paul.book(&anna, "repas-pp", DAY).await;
    assert_eq!(status_and_code(r).await, (409, "full".to_string()));

    shop.fake.set_result(&id_op, "P", json!({})).await;
    let notifications: Vec<_> = (0..5).map(|_| shop.notify(&id_op)).collect();
    for r in futures::future::join_all(notifications).await {
        assert_eq!(r.status(), 200);
    }
    assert_eq!(shop.count("SELECT count(*) FROM payments").await, 1);
    assert_eq!(
        shop.count("SELECT count(*) FROM invoices WHERE kind = 'receipt'")
            .await,
        1
    );
    assert_eq!(
        shop.count(
            "SELECT count(*) FROM outbox WHERE subject = 'Votre paiement a bien été pris en compte'"
        )
        .await,
        1
    );
    // The days are booked, counted once; the cart is empty.
    assert_eq!(
        shop.count("SELECT count(*) FROM reservations WHERE prestation_code = 'repas-pp'")
            .await,
        2
    );
    assert_eq!(shop.places_taken(DAY).await, 1);
    assert_eq!(shop.count("SELECT count(*) FROM cart_items").await, 0);
    assert_eq!(cell_state(&paul, &theo, DAY).await, "reserved");
    // The receipt: a paid invoice numbered in the series, in "Mes factures".
    let invoices = paul.json("/invoices").await;
    let receipt = &invoices["invoices"][0];
    assert_eq!(receipt["number"], "FAC-2026-000001");
    assert_eq!(receipt["status"], "paid");
    assert_eq!(receipt["amount_cents"], 600);
    assert_eq!(receipt["paid_cents"], 600);
    assert_eq!(receipt["lines"][0]["days"], 2);
    // A monthly billing run does not bill prepaid days, nor count the receipt as the month's
    // invoice: Paul's December invoice bills his invoiced meal only.
    let r = paul.book(&anna, "repas", "2026-12-03").await;
    assert_eq!(r.status(), 200);
    let tx = shop.town.tx().await;
    let config = portail::portal::repository::tenant_config(&tx)
        .await
        .unwrap();
    let report = portail::billing::run::run(
        &tx,
        &config,
        portail::billing::month::Month::parse("2026-12").unwrap(),
        shop.town.clock().now(),
        false,
        "test",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(report.issued.len(), 1, "{report:?}");
    assert_eq!(report.skipped, 0);
    assert_eq!(report.issued[0].number, "FAC-2026-000002");
    assert_eq!(report.issued[0].amount_cents, 250);
    shop.town.cleanup().await;
}

#[tokio::test]
async fn a_refused_payment_leaves_the_days_in_the_cart_until_their_hold_runs_out() {
    let shop = Shop::new("cartref").await;
    let paul = shop.town.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let r = paul.book(&theo, "repas-pp", DAY).await;
    assert_eq!(r.status(), 200);
    let url: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let id_op = id_op_of(url["redirect_url"].as_str().unwrap());
    shop.fake.set_result(&id_op, "R", json!({})).await;
    assert_eq!(shop.notify(&id_op).await.status(), 200);
    assert_eq!(
        shop.count("SELECT count(*) FROM payment_attempts WHERE status = 'refused'")
            .await,
        1
    );
    assert_eq!(shop.count("SELECT count(*) FROM payments").await, 0);
    assert_eq!(shop.count("SELECT count(*) FROM reservations").await, 0);
    let cart = paul.json("/cart").await;
    assert_eq!(cart["items"][0]["pending"], false, "{cart}");
    // It may be paid again: a new attempt.
    let again: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(id_op_of(again["redirect_url"].as_str().unwrap()), id_op);
    let second = id_op_of(again["redirect_url"].as_str().unwrap());
    shop.fake.set_result(&second, "A", json!({})).await;
    assert_eq!(shop.notify(&second).await.status(), 200);
    // Unpaid 30 minutes after it was booked: released by the sweep.
    shop.town.clock().advance(chrono::Duration::minutes(31));
    assert_eq!(shop.sweep().await, 1);
    assert_eq!(shop.places_taken(DAY).await, 0);
    assert_eq!(paul.json("/cart").await["items"], json!([]));
    shop.town.cleanup().await;
}

#[tokio::test]
async fn a_paid_day_cancelled_in_time_credits_the_balance_spent_first_on_the_next_cart() {
    let shop = Shop::new("cartbal").await;
    let paul = shop.town.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    assert_eq!(paul.book(&theo, "repas-pp", DAY).await.status(), 200);
    let url: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let id_op = id_op_of(url["redirect_url"].as_str().unwrap());
    shop.fake.set_result(&id_op, "P", json!({})).await;
    assert_eq!(shop.notify(&id_op).await.status(), 200);
    assert_eq!(cell_state(&paul, &theo, DAY).await, "reserved");

    // Cancelled before its deadline: its price goes to the balance, shown in "Mes factures".
    let r = paul.unbook(&theo, "repas-pp", DAY).await;
    assert_eq!(status_and_code(r).await, (200, "available".to_string()));
    assert_eq!(shop.places_taken(DAY).await, 0);
    assert_eq!(paul.json("/cart").await["balance_cents"], 300);
    let html = paul.html("/factures").await;
    assert!(html.contains("Votre avoir : 3,00"), "{html}");

    // The next cart is covered by the balance: settled without PayFiP.
    assert_eq!(paul.book(&theo, "repas-pp", OTHER_DAY).await.status(), 200);
    assert_eq!(paul.json("/cart").await["to_pay_cents"], 0);
    let r: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        r["redirect_url"]
            .as_str()
            .unwrap()
            .ends_with("/panier?regle=1"),
        "{r}"
    );
    assert_eq!(shop.count("SELECT count(*) FROM payment_attempts").await, 1);
    assert_eq!(cell_state(&paul, &theo, OTHER_DAY).await, "reserved");
    assert_eq!(paul.json("/cart").await["balance_cents"], 0);
    let mut numbers: Vec<String> = paul.json("/invoices").await["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    assert_eq!(numbers, ["FAC-2026-000001", "FAC-2026-000002"]);
    let html = paul.html("/panier?regle=1").await;
    assert!(
        html.contains("Votre panier est réglé par votre avoir"),
        "{html}"
    );
    // Cancelled past its deadline: no credit (the deadline refuses it).
    shop.town.clock().advance(chrono::Duration::days(20));
    let r = paul.unbook(&theo, "repas-pp", OTHER_DAY).await;
    assert_eq!(status_and_code(r).await.0, 409);
    assert_eq!(paul.json("/cart").await["balance_cents"], 0);
    shop.town.cleanup().await;
}

#[tokio::test]
async fn the_receipt_mail_is_in_the_payer_s_language() {
    let shop = Shop::new("cartlang").await;
    let tx = shop.town.tx().await;
    tx.execute_unprepared(
        "UPDATE guardians SET locale = 'en' WHERE email = 'paul.alain@demo.example'",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let paul = shop.town.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    assert_eq!(paul.book(&theo, "repas-pp", DAY).await.status(), 200);
    let url: Value = paul
        .post("/cart/checkout", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let id_op = id_op_of(url["redirect_url"].as_str().unwrap());
    shop.fake.set_result(&id_op, "P", json!({})).await;
    assert_eq!(shop.notify(&id_op).await.status(), 200);
    assert_eq!(
        shop.count(
            "SELECT count(*) FROM outbox WHERE to_address = 'paul.alain@demo.example' \
             AND subject = 'Your payment has been recorded'"
        )
        .await,
        1
    );
    shop.town.cleanup().await;
}
