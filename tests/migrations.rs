//! The migrations crate on its own, on a database of its own: both migrators go up, all the
//! way down (leaving nothing behind) and up again.

mod support;

use portail_migrations::{MigratorTrait, shared, tenant};
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use support::*;

async fn tables(db: &impl ConnectionTrait, schema: &str) -> Vec<String> {
    db.query_all_raw(sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
        [schema.into()],
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", "table_name").unwrap())
    .collect()
}

#[tokio::test]
async fn the_shared_migrator_goes_up_down_and_up_again_from_an_empty_database() {
    let fresh = FreshDatabase::create().await;
    let db = fresh.connect().await;
    assert_eq!(tables(&db, "public").await, Vec::<String>::new());
    shared::Migrator::up(&db, None).await.unwrap();
    assert_eq!(
        tables(&db, "public").await,
        [
            "school_calendar",
            "school_holidays",
            "seaql_migrations",
            "tenants"
        ]
    );
    assert_eq!(
        shared::Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .len(),
        0
    );
    shared::Migrator::down(&db, None).await.unwrap();
    assert_eq!(tables(&db, "public").await, ["seaql_migrations"]);
    shared::Migrator::up(&db, None).await.unwrap();
    assert_eq!(tables(&db, "public").await.len(), 4);
    db.close().await.unwrap();
}

#[tokio::test]
async fn the_tenant_migrator_goes_up_down_and_up_again_in_a_fresh_schema() {
    let fresh = FreshDatabase::create().await;
    let db = fresh.connect().await;
    db.execute_unprepared("CREATE SCHEMA t_fresh")
        .await
        .unwrap();
    // The tenant migrator runs with the schema alone on the search path (see the crate's doc).
    let url = format!("{}?options=-c%20search_path%3Dt_fresh", fresh.url);
    let scoped = portail_tenants::database::connect(&url, 1).await.unwrap();
    tenant::Migrator::up(&scoped, None).await.unwrap();
    let up = tables(&db, "t_fresh").await;
    for table in [
        "children",
        "guardians",
        "households",
        "outbox",
        "reservations",
        "seaql_migrations",
    ] {
        assert!(up.iter().any(|t| t == table), "{table} in {up:?}");
    }
    assert_eq!(
        tables(&db, "public").await,
        Vec::<String>::new(),
        "nothing outside its schema"
    );
    tenant::Migrator::down(&scoped, None).await.unwrap();
    assert_eq!(tables(&db, "t_fresh").await, ["seaql_migrations"]);
    tenant::Migrator::up(&scoped, None).await.unwrap();
    assert_eq!(tables(&db, "t_fresh").await, up);
    scoped.close().await.unwrap();
    db.close().await.unwrap();
}
