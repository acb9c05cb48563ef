//! Behind PgBouncer in transaction mode (`scripts/test` runs this file through one, with two
//! server connections): two municipalities' requests interleaved on the same server
//! connections see and write only their own data, and no transaction leaves its schema, or a
//! prepared statement, on a connection it hands back.

mod support;

use portail_tenants::database::Pooler;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;
use support::*;

#[tokio::test]
async fn two_municipalities_interleaved_on_two_server_connections_never_see_each_other() {
    assert_eq!(
        pooler(),
        Pooler::Transaction,
        "run through scripts/test, which puts PgBouncer in front (DATABASE_POOLER=transaction)"
    );
    let mut settings = test_settings();
    settings.database_max_connections = 12;
    let a = Town::build("pool-a")
        .named("Mairie A")
        .settings(settings.clone())
        .start()
        .await;
    let b = Town::build("pool-b")
        .named("Mairie B")
        .settings(settings)
        .start()
        .await;
    let (paul_a, paul_b) = (a.parent(PAUL).await, b.parent(PAUL).await);

    // Forty writes and reads at once, alternating the municipalities: each sees its own.
    let rounds = (0..40).map(|i| {
        let (town, parent, phone) = if i % 2 == 0 {
            ("A", &paul_a, format!("06 00 00 00 {:02}", i))
        } else {
            ("B", &paul_b, format!("07 00 00 00 {:02}", i))
        };
        async move {
            let household = parent.json("/household").await;
            let me = household["guardians"][0]["id"]
                .as_str()
                .unwrap()
                .to_string();
            let path = format!("/household/guardians/{me}");
            let r = parent.patch(&path, json!({ "phone": phone })).await;
            assert_eq!(r.status(), 200, "{town} round {i}");
            let children = parent.json("/children").await;
            (town, children["children"].as_array().unwrap().len())
        }
    });
    for (town, children) in futures::future::join_all(rounds).await {
        assert_eq!(children, 3, "Paul's three children in {town}");
    }
    let phones = |household: serde_json::Value| household["guardians"][0]["phone"].clone();
    let phone_a = phones(paul_a.json("/household").await);
    let phone_b = phones(paul_b.json("/household").await);
    assert!(phone_a.as_str().unwrap().starts_with("06"), "{phone_a}");
    assert!(phone_b.as_str().unwrap().starts_with("07"), "{phone_b}");

    // Through the pooler, on whichever server connection comes: a new transaction starts with
    // the default search path and no prepared statement left over.
    let pooled =
        portail_tenants::database::connect_through(&database_url(), 4, Pooler::Transaction)
            .await
            .unwrap();
    for _ in 0..8 {
        let tx = pooled.begin().await.unwrap();
        let row = tx
            .query_one_raw(portail_tenants::database::sql(
                "SELECT current_setting('search_path') AS path, \
                 (SELECT count(*) FROM pg_prepared_statements) AS prepared",
                [],
            ))
            .await
            .unwrap()
            .unwrap();
        let path: String = row.try_get("", "path").unwrap();
        let prepared: i64 = row.try_get("", "prepared").unwrap();
        tx.commit().await.unwrap();
        assert!(!path.contains("t_"), "a schema left behind: {path}");
        // This very statement is the one prepared in this transaction.
        assert!(
            prepared <= 1,
            "{prepared} statements left by earlier transactions"
        );
    }
    a.cleanup().await;
    b.cleanup().await;
}
