//! Sessions in Redis are bound to their municipality: stored under `t:<slug>:`, unknown under
//! another slug, renewed with a new id, expired server-side.

mod support;

use chrono::{Duration, Utc};
use portail::sessions::{Session, SessionStore};
use redis::AsyncCommands;
use support::*;

async fn store() -> (SessionStore, portail::redis_connection::SharedRedis) {
    let settings = test_settings();
    let pool = portail::startup::redis_connection(&settings).unwrap();
    (SessionStore::new(pool.clone()), pool)
}

fn data(guardian: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    map.insert("guardian".into(), guardian.into());
    map
}

#[tokio::test]
async fn a_session_lives_under_its_tenant_prefix_and_is_unknown_under_another_tenant() {
    let (store, pool) = store().await;
    let a = random_slug("sess-a");
    let b = random_slug("sess-b");
    let id = store.create(&a, data("paul")).await.unwrap();
    assert_eq!(id.len(), 64);

    let mut conn = pool.connection();
    let key = format!("t:{a}:session:{id}");
    assert!(conn.exists::<_, bool>(&key).await.unwrap());
    let ttl: i64 = conn.ttl(&key).await.unwrap();
    assert!(
        (1..=1800).contains(&ttl),
        "idle timeout of 30 minutes, got {ttl}"
    );

    let loaded = store.load(&a, &id).await.unwrap().unwrap();
    assert_eq!(loaded.tenant, a);
    assert_eq!(loaded.data["guardian"], "paul");
    assert!(
        store.load(&b, &id).await.unwrap().is_none(),
        "replayed under another tenant"
    );
}

#[tokio::test]
async fn a_session_recorded_for_another_tenant_is_refused_even_under_a_matching_key() {
    let (store, _) = store().await;
    let a = random_slug("forge-a");
    let b = random_slug("forge-b");
    let forged = Session {
        tenant: a.clone(),
        created_at: Utc::now(),
        data: data("mallory"),
    };
    store.save(&b, &"ab".repeat(32), &forged).await.unwrap();
    assert!(store.load(&b, &"ab".repeat(32)).await.unwrap().is_none());
}

#[tokio::test]
async fn renewal_gives_a_new_id_and_forgets_the_old_one() {
    let (store, _) = store().await;
    let slug = random_slug("renew");
    let old = store.create(&slug, data("sophie")).await.unwrap();
    let session = store.load(&slug, &old).await.unwrap().unwrap();
    let new = store.renew(&slug, &old, &session).await.unwrap();
    assert_ne!(old, new);
    assert!(store.load(&slug, &old).await.unwrap().is_none());
    assert!(store.load(&slug, &new).await.unwrap().is_some());
    store.destroy(&slug, &new).await.unwrap();
    assert!(store.load(&slug, &new).await.unwrap().is_none());
}

#[tokio::test]
async fn a_session_older_than_twelve_hours_is_refused_and_deleted() {
    let (store, pool) = store().await;
    let slug = random_slug("old");
    let id = "cd".repeat(32);
    let old = Session {
        tenant: slug.clone(),
        created_at: Utc::now() - Duration::hours(12) - Duration::seconds(1),
        data: data("x"),
    };
    store.save(&slug, &id, &old).await.unwrap();
    assert!(store.load(&slug, &id).await.unwrap().is_none());
    let mut conn = pool.connection();
    assert!(
        !conn
            .exists::<_, bool>(format!("t:{slug}:session:{id}"))
            .await
            .unwrap()
    );
}

/// A store whose Redis does not exist: a port nobody listens on.
fn store_without_redis() -> SessionStore {
    let mut settings = test_settings();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    settings.redis_url = portail::settings::Secret::new(format!("redis://127.0.0.1:{port}"));
    SessionStore::new(portail::startup::redis_connection(&settings).unwrap())
}

#[tokio::test]
async fn malformed_session_ids_are_unknown_without_reaching_redis() {
    // With no Redis at all, a malformed id still answers "no session" (it never reaches
    // Redis), while a well-formed one is an error (it does).
    let store = store_without_redis();
    for id in ["", "x", "../../etc", &"g".repeat(64), &"a".repeat(65)] {
        assert!(store.load("demo", id).await.unwrap().is_none(), "{id}");
    }
    assert!(store.load("demo", &"ab".repeat(32)).await.is_err());
}

#[tokio::test]
async fn redis_down_is_an_error_never_an_anonymous_session() {
    let store = store_without_redis();
    assert!(store.load("demo", &"ab".repeat(32)).await.is_err());
    assert!(store.create("demo", data("x")).await.is_err());
}
