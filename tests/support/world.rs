//! The one fixture of the end-to-end tests: a municipality with the demo families and its app
//! ([`Town`]), and browsers in it ([`Browser`]), signed in or not, that speak to the JSON API
//! (`get`, `post`, `patch`, `put`, `delete`, `json`) and to the pages (`page`, `html`,
//! `csrf`, `form`) of that municipality by path, so a test reads as what a parent does.

use super::*;
use chrono::{DateTime, TimeZone, Utc};
use portail::clock::ManualClock;
use portail_tenants::TenantTx;
use serde_json::Value;
use std::sync::Arc;

pub const PAUL: &str = "paul.alain@demo.example";
pub const SOPHIE: &str = "sophie.alain@demo.example";
pub const MAIWENN: &str = "maiwenn.legall@demo.example";
/// The password every test gives the guardians it signs in.
pub const PASSWORD: &str = "Vélo#Rouge42x";

/// A moment in Paris time, as the portal's clock holds it.
pub fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A response's status and its stable `code` (or, for a booking, its `state`).
pub async fn status_and_code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    let code = body["code"].as_str().or(body["state"].as_str());
    (status, code.unwrap_or_default().to_string())
}

/// One test's municipality: its database pool, its registry row, the app serving it and, when
/// the test set one, the clock the app reads.
pub struct Town {
    pub db: DatabaseConnection,
    pub tenant: Tenant,
    pub app: TestApp,
    manual_clock: Option<Arc<ManualClock>>,
}

/// How a [`Town`] is made: the demo configuration and families, the real settings of the
/// suite and the real clock, unless the test says otherwise.
pub struct TownBuilder {
    prefix: String,
    name: String,
    config: Option<String>,
    families: bool,
    settings: Settings,
    now: Option<DateTime<Utc>>,
    connections: u32,
    /// Another database than the suite's (`DATABASE_URL`), e.g. a test's own cluster.
    database: Option<String>,
}

impl TownBuilder {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Another tenant configuration (TOML) than the demo's.
    pub fn config(mut self, toml: &str) -> Self {
        self.config = Some(toml.to_string());
        self
    }

    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// No family imported: an empty municipality, as just created.
    pub fn without_families(mut self) -> Self {
        self.families = false;
        self
    }

    /// The portal's clock starts at `now` (a [`ManualClock`] the test may move).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// A larger pool, for tests that race many requests.
    pub fn connections(mut self, n: u32) -> Self {
        self.connections = n;
        self.settings.database_max_connections = n;
        self
    }

    /// The municipality and the app on another database than the suite's (a test's own
    /// cluster): its shared schema is migrated first.
    pub fn database(mut self, url: &str) -> Self {
        self.database = Some(url.to_string());
        self
    }

    pub async fn start(mut self) -> Town {
        let db = match &self.database {
            Some(url) => {
                self.settings.database_url = portail::settings::Secret::new(url.clone());
                db_at(url, 2).await
            }
            None => db(2).await,
        };
        let tenant = match (&self.config, self.families) {
            (None, true) => create_tenant_with_families(&db, &self.prefix, &self.name).await,
            (None, false) => create_tenant(&db, &self.prefix, &self.name).await,
            (Some(config), _) => create_tenant_from(&db, &self.prefix, config).await,
        };
        let manual_clock = self.now.map(|now| Arc::new(ManualClock::new(now)));
        let clock: Arc<dyn portail::clock::Clock> = match &manual_clock {
            Some(clock) => clock.clone(),
            None => Arc::new(portail::clock::SystemClock),
        };
        let app = TestApp::spawn_with_clock(self.settings, clock).await;
        Town {
            db,
            tenant,
            app,
            manual_clock,
        }
    }
}

impl Town {
    pub fn build(prefix: &str) -> TownBuilder {
        TownBuilder {
            prefix: prefix.to_string(),
            name: "Mairie de Démonstration".to_string(),
            config: None,
            families: true,
            settings: test_settings(),
            now: None,
            connections: 2,
            database: None,
        }
    }

    /// The demo municipality with its families, served at the real time.
    pub async fn new(prefix: &str) -> Self {
        Self::build(prefix).start().await
    }

    /// The clock of a town started [`at`](TownBuilder::at) a given moment.
    pub fn clock(&self) -> &ManualClock {
        self.manual_clock
            .as_deref()
            .expect("a town built with .at(…)")
    }

    pub fn slug(&self) -> &str {
        &self.tenant.slug
    }

    /// The full URL of a path of this municipality (`/connexion` → `http://…/<slug>/connexion`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.tenant.slug)
    }

    /// A browser with no session yet.
    pub fn visitor(&self) -> Browser {
        Browser {
            client: self.app.other_client(),
            base: self.app.base.clone(),
            slug: self.tenant.slug.to_string(),
        }
    }

    /// A browser in this municipality with `client`'s cookies (a staff member signed in by
    /// `staff::staff_signed_in`, say).
    pub fn browser(&self, client: reqwest::Client) -> Browser {
        Browser {
            client,
            base: self.app.base.clone(),
            slug: self.tenant.slug.to_string(),
        }
    }

    /// A browser signed in as this guardian of the imported families (password [`PASSWORD`]).
    pub async fn parent(&self, email: &str) -> Browser {
        Browser {
            client: signed_in(&self.app, &self.db, &self.tenant, email, PASSWORD).await,
            base: self.app.base.clone(),
            slug: self.tenant.slug.to_string(),
        }
    }

    /// A transaction in this municipality's schema, to look at what the app wrote.
    pub async fn tx(&self) -> TenantTx {
        TenantTx::begin(&self.db, &self.tenant.schema_name)
            .await
            .unwrap()
    }

    /// Deletes the municipality (its schema and registry row).
    pub async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

/// A municipality made from the test's own configuration, with the demo families imported.
pub async fn create_tenant_from(db: &DatabaseConnection, prefix: &str, config: &str) -> Tenant {
    let slug = portail_tenants::Slug::parse(&random_slug(prefix)).unwrap();
    let parsed = portail_tenants::TenantConfig::from_toml(config).unwrap();
    let tenant = portail_tenants::provisioning::create(db, &slug, &parsed, config)
        .await
        .unwrap();
    let csv = std::fs::read(root().join("tenants/examples/families.csv")).unwrap();
    portail_tenants::import::import(
        db,
        &tenant,
        &csv,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        false,
    )
    .await
    .unwrap();
    tenant
}

/// A browser in one municipality: its own cookies, paths relative to the municipality. API
/// paths are relative to `/api/v1`. A clone is another tab of the same browser (same cookies).
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
    slug: String,
}

impl Browser {
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/{}/api/v1{path}", self.base, self.slug)
    }

    pub fn page_url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.base, self.slug)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.api_url(path)).send().await.unwrap()
    }

    /// GETs an API path that must answer 200 and gives its JSON.
    pub async fn json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        let request = self.client.post(self.api_url(path));
        request.json(&body).send().await.unwrap()
    }

    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        let request = self.client.patch(self.api_url(path));
        request.json(&body).send().await.unwrap()
    }

    pub async fn put(&self, path: &str) -> reqwest::Response {
        self.client.put(self.api_url(path)).send().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.api_url(path)).send().await.unwrap()
    }

    /// GETs a page, checked to refer only to the portal's own origin.
    pub async fn page(&self, path: &str) -> reqwest::Response {
        let response = self.client.get(self.page_url(path)).send().await.unwrap();
        checked(response, &self.base, path).await
    }

    /// The HTML of a page that must answer 200.
    pub async fn html(&self, path: &str) -> String {
        let r = self.page(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().await.unwrap()
    }

    /// A page as read by a test ([`Page`]): status, decoded text, alert, rows.
    pub async fn view(&self, path: &str) -> Page {
        read_page(self.page(path).await).await
    }

    /// Posts a form (token included by the test) and reads the answer as a [`Page`].
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        read_page(self.post_form(path, fields).await).await
    }

    /// The form token of a page.
    pub async fn csrf(&self, path: &str) -> String {
        csrf_of(&self.html(path).await)
    }

    /// Posts form fields (the test gives the token, or leaves it out on purpose) to a page path.
    pub async fn post_form(&self, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let request = self.client.post(self.page_url(action));
        request.form(fields).send().await.unwrap()
    }

    /// Submits a form of the page at `from` (its token taken from that page) to `action`.
    pub async fn form(
        &self,
        from: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(from).await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        self.post_form(action, &fields).await
    }

    /// Books a day of a prestation for a child (`PUT`), as the grid's cell does.
    pub async fn book(&self, child: &str, prestation: &str, date: &str) -> reqwest::Response {
        self.put(&format!(
            "/children/{child}/reservations/{prestation}/{date}"
        ))
        .await
    }

    /// Cancels a booked day (`DELETE`).
    pub async fn unbook(&self, child: &str, prestation: &str, date: &str) -> reqwest::Response {
        self.delete(&format!(
            "/children/{child}/reservations/{prestation}/{date}"
        ))
        .await
    }

    /// The id of the household's child with this first name.
    pub async fn child_id(&self, first_name: &str) -> String {
        id_of_named(&self.json("/children").await["children"], first_name)
    }
}

/// The `id` of the entry of a JSON list (children, guardians…) whose `first_name` is this one.
pub fn id_of_named(list: &Value, first_name: &str) -> String {
    let entries = list.as_array().expect("a list");
    let found = entries.iter().find(|e| e["first_name"] == first_name);
    found.unwrap_or_else(|| panic!("no {first_name} in {list}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}
