//! Helpers shared by the end-to-end tests: real PostgreSQL and Redis (from `DATABASE_URL` and
//! `REDIS_URL`, set by `scripts/test`), a tenant per test with a random slug, the in-process
//! app on port 0, and the real binary.

#![allow(dead_code)]

pub mod html;
pub mod multipart;
pub mod page;
pub mod peers;
pub mod served;
pub mod staff;
pub mod throwaway_postgres;
pub mod throwaway_redis;
pub mod world;

// Not every test binary uses each of them.
#[allow(unused_imports)]
pub use multipart::*;
#[allow(unused_imports)]
pub use page::*;
#[allow(unused_imports)]
pub use world::*;

use portail::settings::Settings;
use portail::startup::Application;
use portail_tenants::{Slug, TenantConfig, provisioning, registry::Tenant};
use sea_orm::DatabaseConnection;
use std::path::PathBuf;
use std::process::{Command, Output};
use tokio::sync::OnceCell;

pub const DEMO_CONFIG: &str = include_str!("../../tenants/examples/demo.toml");

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at the test PostgreSQL: run scripts/test")
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").expect("REDIS_URL must point at the test Redis: run scripts/test")
}

/// Whether the suite runs behind a transaction-mode pooler (`DATABASE_POOLER`).
pub fn pooler() -> portail_tenants::database::Pooler {
    match std::env::var("DATABASE_POOLER").as_deref() {
        Ok("transaction") => portail_tenants::database::Pooler::Transaction,
        _ => portail_tenants::database::Pooler::Direct,
    }
}

/// A pool on the test database, with the shared schema migrated once per process.
pub async fn db(max_connections: u32) -> DatabaseConnection {
    static MIGRATED: OnceCell<()> = OnceCell::const_new();
    // Behind a transaction pooler the app goes through it; the tests' own statements (session
    // state, provisioning) take the direct session, as the CLI does.
    let url = std::env::var("DATABASE_SESSION_URL").unwrap_or_else(|_| database_url());
    let db = portail_tenants::database::connect(&url, max_connections)
        .await
        .unwrap();
    MIGRATED
        .get_or_init(|| async {
            portail_tenants::migrate::shared(&db, false).await.unwrap();
        })
        .await;
    db
}

/// A pool on another database than the suite's (a test's own cluster), its shared schema
/// migrated.
pub async fn db_at(url: &str, max_connections: u32) -> DatabaseConnection {
    let db = portail_tenants::database::connect(url, max_connections)
        .await
        .unwrap();
    portail_tenants::migrate::shared(&db, false).await.unwrap();
    db
}

pub fn random_slug(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// A municipality made for one test, from the demo configuration with another name.
pub async fn create_tenant(db: &DatabaseConnection, prefix: &str, name: &str) -> Tenant {
    let slug = Slug::parse(&random_slug(prefix)).unwrap();
    let source = DEMO_CONFIG.replacen("Mairie de Démonstration", name, 1);
    let config = TenantConfig::from_toml(&source).unwrap();
    provisioning::create(db, &slug, &config, &source)
        .await
        .unwrap()
}

pub async fn delete_tenant(db: &DatabaseConnection, slug: &str) {
    provisioning::delete(db, slug).await.unwrap();
}

/// Settings for an in-process app on a free port.
pub fn test_settings() -> Settings {
    let database_url = database_url();
    let redis_url = redis_url();
    Settings::from_sources(|name| match name {
        "DATABASE_URL" => Some(database_url.clone()),
        "REDIS_URL" => Some(redis_url.clone()),
        "LISTEN_ADDR" => Some("127.0.0.1:0".into()),
        "PUBLIC_URL" => Some("http://portail.test".into()),
        // Tests reach the app by its address; every other host is refused (421).
        "EXTRA_HOSTS" => Some("127.0.0.1".into()),
        "TENANT_CACHE_SECONDS" => Some("1".into()),
        // The suites that run behind PgBouncer (scripts/test) say so.
        "DATABASE_POOLER" | "DATABASE_SESSION_URL" => std::env::var(name).ok(),
        // Tests run side by side on one database: each delivers only the mail it queued.
        "MAIL_SWEEP_SECONDS" => Some("0".into()),
        _ => None,
    })
    .unwrap()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(test_settings()).await
    }

    pub async fn spawn_with(settings: Settings) -> Self {
        Self::spawn_with_clock(settings, std::sync::Arc::new(portail::clock::SystemClock)).await
    }

    pub async fn spawn_with_clock(
        settings: Settings,
        clock: std::sync::Arc<dyn portail::clock::Clock>,
    ) -> Self {
        db(1).await;
        let app = Application::build_with_clock(settings, clock)
            .await
            .unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            client,
            stop: Some(stop),
        }
    }

    /// GETs `path`; an HTML answer is checked to refer only to the portal's own origin
    /// ([`html::assert_same_origin`]) before the test reads it.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        checked(response, &self.base, path).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A browser on another machine: its connections come from `ip` (any 127.x.y.z is this
    /// machine's loopback), so the server sees a distinct peer address without any header.
    pub fn client_from(&self, ip: [u8; 4]) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    }

    /// A second browser: the same server, its own cookies.
    pub fn other_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Checks an HTML answer with [`html::assert_same_origin`] and gives it back unread.
pub async fn checked(response: reqwest::Response, base: &str, path: &str) -> reqwest::Response {
    let is_html = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
    if !is_html {
        return response;
    }
    let mut rebuilt = poem::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        rebuilt = rebuilt.header(name, value);
    }
    let body = response.bytes().await.unwrap();
    html::assert_same_origin(
        &String::from_utf8_lossy(&body),
        &[base, "http://portail.test"],
        path,
    );
    reqwest::Response::from(rebuilt.body(body).unwrap())
}

/// Runs the real `portail` binary with the test database.
pub fn portail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portail"))
        .args(args)
        .env("DATABASE_URL", database_url())
        .env("REDIS_URL", redis_url())
        .env("PUBLIC_URL", "http://portail.test")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in a folder of its own, removed with the folder at the end of the process's tests
/// only when they pass (so a failure can be inspected).
pub fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portail-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// A municipality with the demo families imported.
pub async fn create_tenant_with_families(
    db: &DatabaseConnection,
    prefix: &str,
    name: &str,
) -> Tenant {
    let tenant = create_tenant(db, prefix, name).await;
    let csv = std::fs::read(root().join("tenants/examples/families.csv")).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    portail_tenants::import::import(db, &tenant, &csv, today, false)
        .await
        .unwrap();
    tenant
}

/// Gives `email` the password `password` directly in the database (as the reset link would).
pub async fn set_password_in_db(
    db: &DatabaseConnection,
    tenant: &Tenant,
    email: &str,
    password: &str,
) {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let account = portail::auth::repository::account_by_email(&tx, email)
        .await
        .unwrap()
        .expect("an imported guardian");
    let hash = portail::auth::hashing::hash(password.to_string()).await;
    portail::auth::repository::set_password(&tx, account.guardian_id, &hash, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Gives `email` the password `password` (as the reset link would) and returns a client
/// signed in as that guardian.
pub async fn signed_in(
    app: &TestApp,
    db: &DatabaseConnection,
    tenant: &Tenant,
    email: &str,
    password: &str,
) -> reqwest::Client {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let account = portail::auth::repository::account_by_email(&tx, email)
        .await
        .unwrap()
        .expect("an imported guardian");
    let hash = portail::auth::hashing::hash(password.to_string()).await;
    portail::auth::repository::set_password(&tx, account.guardian_id, &hash, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let client = app.other_client();
    let r = login(&client, &app.base, &tenant.slug, email, password).await;
    assert_eq!(r.status(), 200, "sign-in of {email}");
    client
}

/// Signs in through the API (`POST /auth/login`), as a client of the portal would.
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    slug: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/{slug}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// A database of the test's own, for what must not touch the shared one (the shared
/// registry's school calendar, the shared migrator from nothing). Made through
/// `DATABASE_ADMIN_URL` (default: the same server as the superuser `postgres`), owned by
/// the test user, dropped when the value is dropped.
pub struct FreshDatabase {
    pub url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("DATABASE_ADMIN_URL").unwrap_or_else(|_| {
        let url = reqwest::Url::parse(&database_url()).unwrap();
        format!(
            "postgres://postgres@{}:{}/postgres",
            url.host_str().unwrap(),
            url.port().unwrap_or(5432)
        )
    })
}

impl FreshDatabase {
    pub async fn create() -> Self {
        let url = reqwest::Url::parse(&database_url()).unwrap();
        let owner = url.username().to_string();
        let name = format!(
            "portail_t_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let admin = sea_orm::Database::connect(admin_url()).await.unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(
            &admin,
            &format!("CREATE DATABASE {name} OWNER \"{owner}\""),
        )
        .await
        .unwrap();
        admin.close().await.unwrap();
        let mut url = url;
        url.set_path(&format!("/{name}"));
        FreshDatabase {
            url: url.to_string(),
            name,
        }
    }

    pub async fn connect(&self) -> DatabaseConnection {
        portail_tenants::database::connect(&self.url, 2)
            .await
            .unwrap()
    }

    /// Settings of an in-process app on this database.
    pub fn settings(&self) -> Settings {
        let mut settings = test_settings();
        settings.database_url = portail::settings::Secret::new(self.url.clone());
        settings
    }

    /// Runs the real `portail` binary on this database.
    pub fn portail(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_portail"))
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("REDIS_URL", redis_url())
            .env("PUBLIC_URL", "http://portail.test")
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        // Dropped from a plain thread: the test's runtime may be shutting down.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(admin_url()).await {
                    let _ = sea_orm::ConnectionTrait::execute_unprepared(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}

/// The CSRF token of the first form of a page, as a browser would send it back.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a form with its token")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// A cookie's value from a response's `Set-Cookie` headers.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

const UPLOAD_BOUNDARY: &str = "----portail-security-5e2a";

/// A document upload to the API: a name and one file.
pub async fn upload_document(
    client: &reqwest::Client,
    base: &str,
    slug: &str,
    name: &str,
    filename: &str,
    data: &[u8],
) -> reqwest::Response {
    let mut body = Vec::new();
    for (field, value) in [("name", name), ("person", "")] {
        body.extend_from_slice(
            format!("--{UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{UPLOAD_BOUNDARY}--\r\n").as_bytes());
    client
        .post(format!("{base}/{slug}/api/v1/documents"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={UPLOAD_BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A small PDF without active content.
pub const CLEAN_PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

/// The `n` of a `SELECT count(*) AS n …` run in an open (tenant) transaction.
pub async fn count(tx: &impl sea_orm::ConnectionTrait, query: &str) -> i64 {
    tx.query_one_raw(portail_tenants::database::sql(query, []))
        .await
        .unwrap()
        .expect("a count answers one row")
        .try_get::<i64>("", "n")
        .unwrap()
}

/// [`count`] in the schema of `tenant`, in a transaction of its own.
pub async fn tenant_count(db: &DatabaseConnection, tenant: &Tenant, query: &str) -> i64 {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let n = count(&tx, query).await;
    tx.commit().await.unwrap();
    n
}

/// Waits until a statement waits for a lock on `relation` (`public.tenants`, `"t_x".settings`),
/// as PostgreSQL sees it: whatever runs that statement is then genuinely in flight.
pub async fn until_a_lock_is_awaited(db: &DatabaseConnection, relation: &str) {
    let started = std::time::Instant::now();
    loop {
        let waiting = sea_orm::ConnectionTrait::query_one_raw(
            db,
            portail_tenants::database::sql(
                "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)",
                [relation.into()],
            ),
        )
        .await
            .unwrap()
            .expect("a count answers one row")
            .try_get::<i64>("", "n")
            .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "nothing waits for a lock on {relation}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
