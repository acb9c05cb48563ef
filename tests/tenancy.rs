//! Tenant isolation: two municipalities holding rows with identical ids and e-mails, served
//! through a single pooled connection, never see each other's rows, and the connection's
//! search_path is back to its default after every commit, error and cancellation.

mod support;

use futures::future::join_all;
use portail_tenants::database::sql;
use portail_tenants::{SchemaName, TenantTx};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::time::Duration;
use support::*;
use uuid::Uuid;

const SHARED_ID: &str = "6f1d2c3b-0000-4000-8000-000000000001";

/// Same household id, same guardian id and e-mail in both tenants; only the name differs.
async fn seed(db: &DatabaseConnection, schema: &SchemaName, last_name: &str) {
    let tx = TenantTx::begin(db, schema).await.unwrap();
    let id: Uuid = SHARED_ID.parse().unwrap();
    tx.execute_raw(sql(
        "INSERT INTO households (id, reference) VALUES ($1, 'F1')",
        [id.into()],
    ))
    .await
    .unwrap();
    tx.execute_raw(sql(
        "INSERT INTO guardians (id, household_id, position, last_name, first_name, email) VALUES ($1, $1, 1, $2, 'Camille', 'camille@example.fr')",
        [id.into(), last_name.into()],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn guardian_name(db: &DatabaseConnection, schema: &SchemaName) -> String {
    let tx = TenantTx::begin(db, schema).await.unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT last_name FROM guardians WHERE lower(email) = 'camille@example.fr' AND household_id = $1",
            [SHARED_ID.parse::<Uuid>().unwrap().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    row.try_get("", "last_name").unwrap()
}

async fn session_search_path(db: &DatabaseConnection) -> String {
    let row = db
        .query_one_raw(sql("SELECT current_setting('search_path') AS path", []))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "path").unwrap()
}

#[tokio::test]
async fn thousands_of_interleaved_transactions_on_one_connection_never_cross_tenants() {
    let admin = db(2).await;
    let a = create_tenant(&admin, "iso-a", "Mairie A").await;
    let b = create_tenant(&admin, "iso-b", "Mairie B").await;
    seed(&admin, &a.schema_name, "ALPHA").await;
    seed(&admin, &b.schema_name, "BRAVO").await;

    let one = db(1).await;
    let default_path = session_search_path(&one).await;
    let reads = (0..4000).map(|i| {
        let (schema, expected) = if i % 2 == 0 {
            (&a.schema_name, "ALPHA")
        } else {
            (&b.schema_name, "BRAVO")
        };
        let one = &one;
        async move {
            match i % 10 {
                // A transaction that fails half-way.
                7 => {
                    let tx = TenantTx::begin(one, schema).await.unwrap();
                    assert!(tx.execute_unprepared("SELECT 1 / 0").await.is_err());
                    drop(tx);
                }
                // A request cancelled while its transaction is open.
                9 => {
                    let _ = tokio::time::timeout(Duration::from_micros(50), async {
                        let tx = TenantTx::begin(one, schema).await.unwrap();
                        tx.execute_unprepared("SELECT pg_sleep(0.001)")
                            .await
                            .unwrap();
                        tx.commit().await.unwrap();
                    })
                    .await;
                }
                _ => assert_eq!(guardian_name(one, schema).await, expected),
            }
        }
    });
    join_all(reads).await;

    assert_eq!(session_search_path(&one).await, default_path);
    delete_tenant(&admin, &a.slug).await;
    delete_tenant(&admin, &b.slug).await;
}

#[tokio::test]
async fn search_path_is_back_to_default_after_commit_error_and_cancellation() {
    let admin = db(1).await;
    let t = create_tenant(&admin, "path", "Mairie Path").await;
    let one = db(1).await;
    let default_path = session_search_path(&one).await;
    assert!(!default_path.contains(t.schema_name.as_str()));

    let tx = TenantTx::begin(&one, &t.schema_name).await.unwrap();
    tx.execute_unprepared("SELECT count(*) FROM households")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        session_search_path(&one).await,
        default_path,
        "after commit"
    );

    let tx = TenantTx::begin(&one, &t.schema_name).await.unwrap();
    assert!(
        tx.execute_unprepared("SELECT * FROM no_such_table")
            .await
            .is_err()
    );
    drop(tx);
    assert_eq!(session_search_path(&one).await, default_path, "after error");

    let cancelled = tokio::time::timeout(Duration::from_millis(50), async {
        let tx = TenantTx::begin(&one, &t.schema_name).await.unwrap();
        tx.execute_unprepared("SELECT pg_sleep(5)").await.unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    assert!(
        cancelled.is_err(),
        "the transaction should have been cancelled"
    );
    assert_eq!(
        session_search_path(&one).await,
        default_path,
        "after cancellation"
    );

    delete_tenant(&admin, &t.slug).await;
}

#[tokio::test]
async fn a_read_only_transaction_refuses_writes_and_ends_without_leaving_its_schema() {
    let admin = db(1).await;
    let t = create_tenant(&admin, "lecture", "Mairie Lecture").await;
    let one = db(1).await;
    let default_path = session_search_path(&one).await;

    // It reads the tenant's schema, and PostgreSQL refuses a write in it (25006).
    let tx = TenantTx::begin_read(&one, &t.schema_name).await.unwrap();
    let path: String = tx
        .query_one_raw(sql("SELECT current_setting('search_path') AS path", []))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "path")
        .unwrap();
    assert!(path.contains(t.schema_name.as_str()), "{path}");
    let refused = tx
        .execute_unprepared(
            "INSERT INTO households (id, reference) VALUES (gen_random_uuid(), 'R-1')",
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("read-only"), "{refused}");
    tx.end_read();

    // Ended without waiting, its ROLLBACK goes with the pool's release check: the one
    // connection comes back idle, in its default path, and takes the next transaction.
    for _ in 0..3 {
        let tx = TenantTx::begin_read(&one, &t.schema_name).await.unwrap();
        tx.execute_unprepared("SELECT count(*) FROM households")
            .await
            .unwrap();
        tx.end_read();
    }
    assert_eq!(session_search_path(&one).await, default_path);
    let tx = TenantTx::begin(&one, &t.schema_name).await.unwrap();
    tx.execute_unprepared(
        "INSERT INTO households (id, reference) VALUES (gen_random_uuid(), 'R-2')",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let tx = TenantTx::begin_read(&one, &t.schema_name).await.unwrap();
    let n: i64 = tx
        .query_one_raw(sql("SELECT count(*) AS n FROM households", []))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    tx.end_read();
    assert_eq!(
        n, 1,
        "only the committed household, none of the refused one"
    );

    delete_tenant(&admin, &t.slug).await;
}

#[tokio::test]
async fn a_tenant_transaction_cannot_reach_shared_tables_by_an_unqualified_name() {
    let admin = db(1).await;
    let t = create_tenant(&admin, "nopub", "Mairie Public").await;
    let tx = TenantTx::begin(&admin, &t.schema_name).await.unwrap();
    let err = tx
        .execute_unprepared("SELECT * FROM tenants")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    drop(tx);
    delete_tenant(&admin, &t.slug).await;
}

#[tokio::test]
async fn interleaved_http_requests_through_one_connection_each_get_their_own_municipality() {
    let admin = db(1).await;
    let a = create_tenant(&admin, "http-a", "Mairie Alpha").await;
    let b = create_tenant(&admin, "http-b", "Mairie Bravo").await;
    let mut settings = test_settings();
    settings.database_max_connections = 1;
    let app = TestApp::spawn_with(settings).await;

    let requests = (0..1000).map(|i| {
        let (slug, name) = if i % 2 == 0 {
            (&a.slug, "Mairie Alpha")
        } else {
            (&b.slug, "Mairie Bravo")
        };
        let app = &app;
        async move {
            let body: serde_json::Value = app
                .get(&format!("/{slug}/api/v1/portal"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(body["name"], name);
            assert_eq!(body["slug"], slug.as_str());
        }
    });
    // Bounded so the one connection is contended but the client is not the bottleneck.
    use futures::StreamExt;
    futures::stream::iter(requests)
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;

    delete_tenant(&admin, &a.slug).await;
    delete_tenant(&admin, &b.slug).await;
}

#[tokio::test]
async fn a_failed_creation_leaves_neither_schema_nor_registry_row() {
    let admin = db(1).await;
    let slug = portail_tenants::Slug::parse(&random_slug("half")).unwrap();
    // A schema already in the way makes creation fail after the registry insert.
    admin
        .execute_unprepared(&format!("CREATE SCHEMA \"{}\"", slug.schema_name()))
        .await
        .unwrap();
    let config = portail_tenants::TenantConfig::from_toml(DEMO_CONFIG).unwrap();
    let result = portail_tenants::provisioning::create(&admin, &slug, &config, DEMO_CONFIG).await;
    assert!(result.is_err());
    assert!(
        portail_tenants::registry::find(&admin, slug.as_str())
            .await
            .unwrap()
            .is_none()
    );
    admin
        .execute_unprepared(&format!("DROP SCHEMA \"{}\"", slug.schema_name()))
        .await
        .unwrap();
}

/// A batch answers each query's rows in its own order, with its own parameters, inside the
/// tenant's schema: the same rows as the queries sent one by one.
#[tokio::test]
async fn a_batch_answers_each_query_as_if_sent_alone_inside_its_tenant() {
    use portail_tenants::batch::{Batch, Query};
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Named {
        last_name: String,
        n: i64,
    }
    let admin = db(1).await;
    let a = create_tenant(&admin, "batcha", "Mairie Batch A").await;
    let b = create_tenant(&admin, "batchb", "Mairie Batch B").await;
    seed(&admin, &a.schema_name, "ALAIN").await;
    seed(&admin, &b.schema_name, "BERNARD").await;
    let names = |n: i64, text: &str| {
        Query::<Named>::new(
            // A literal that looks like a parameter stays as written.
            "SELECT last_name || $2 AS last_name, $1::bigint AS n FROM guardians \
             WHERE last_name <> '$1' UNION ALL SELECT 'ZZ', 0 ORDER BY n DESC, last_name",
            [n.into(), text.to_string().into()],
        )
    };
    let tx = TenantTx::begin(&admin, &a.schema_name).await.unwrap();
    let mut batch = Batch::default();
    let first = batch.add(names(7, "-1"));
    let second = batch.add(names(3, "-2"));
    let empty = batch.add(Query::<Named>::new(
        "SELECT last_name, 1::bigint AS n FROM guardians WHERE false",
        [],
    ));
    let mut answer = tx.batch(batch).await.unwrap();
    let alone = names(7, "-1").all(&tx).await.unwrap();
    tx.commit().await.unwrap();
    let first = answer.take(first).unwrap();
    assert_eq!(first, alone);
    assert_eq!(
        first,
        [
            Named {
                last_name: "ALAIN-1".into(),
                n: 7
            },
            Named {
                last_name: "ZZ".into(),
                n: 0
            },
        ]
    );
    assert_eq!(
        answer.take(second).unwrap(),
        [
            Named {
                last_name: "ALAIN-2".into(),
                n: 3
            },
            Named {
                last_name: "ZZ".into(),
                n: 0
            },
        ]
    );
    assert!(answer.take(empty).unwrap().is_empty());
    delete_tenant(&admin, &a.slug).await;
    delete_tenant(&admin, &b.slug).await;
}
