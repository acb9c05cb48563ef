//! The back-office of a test municipality: a running app on a manual clock, staff invited
//! as vendor ops would, activated with TOTP and signed in through the API.

use super::*;
use chrono::{TimeZone, Utc};
use portail::clock::{Clock, ManualClock};
use portail::staff::totp;
use portail_tenants::database::sql;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::sync::Arc;

/// The password of the staff these helpers make (the shared fixture's).
pub const GOOD: &str = PASSWORD;
pub const ADMIN: &str = "anne.leroux@mairie.example";

pub struct Back {
    pub app: TestApp,
    pub db: DatabaseConnection,
    pub tenant: Tenant,
    pub clock: Arc<ManualClock>,
}

impl Back {
    pub async fn new(prefix: &str) -> Self {
        let db = db(2).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie de Test").await;
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        ));
        let app = TestApp::spawn_with_clock(test_settings(), clock.clone()).await;
        Back {
            app,
            db,
            tenant,
            clock,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.tenant.slug)
    }

    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Invites as vendor ops would (through the library) and returns the mailed token.
    pub async fn invite(&self, email: &str, role: &str) -> String {
        invite_staff(
            &self.db,
            &self.tenant,
            email,
            "Agent TEST",
            role,
            self.clock.now(),
        )
        .await
    }

    /// The activation token of the last mail queued for `email`.
    pub async fn token_in_mail(&self, email: &str) -> String {
        activation_token(&self.db, &self.tenant, email).await
    }

    /// GETs a path of this municipality (a page or `/api/v1/…`) with `client`'s cookies.
    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Activation through the API: the TOTP secret.
    pub async fn activate(&self, token: &str) -> String {
        let r = self
            .post(
                &self.app.client,
                "/api/v1/staff/auth/activate",
                json!({ "token": token, "password": GOOD }),
            )
            .await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let uri = body["otpauth_uri"].as_str().unwrap();
        let secret = body["totp_secret"].as_str().unwrap().to_string();
        assert!(uri.starts_with("otpauth://totp/") && uri.contains(&secret));
        secret
    }

    pub async fn confirm(&self, token: &str, code: &str) -> reqwest::Response {
        self.post(
            &self.app.client,
            "/api/v1/staff/auth/activate/confirm",
            json!({ "token": token, "code": code }),
        )
        .await
    }

    /// Invited, activated: (secret, recovery codes).
    pub async fn member(&self, email: &str, role: &str) -> (String, Vec<String>) {
        let token = self.invite(email, role).await;
        let secret = self.activate(&token).await;
        let r = self.confirm(&token, &totp::code(&secret, self.now())).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let codes: Vec<String> = body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        // The confirmation used the current step: the next sign-in needs the next one.
        self.clock.advance(chrono::Duration::seconds(30));
        (secret, codes)
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        code: &str,
    ) -> reqwest::Response {
        self.post(
            client,
            "/api/v1/staff/auth/login",
            json!({ "email": email, "password": GOOD, "code": code }),
        )
        .await
    }

    /// A new client signed in as `email`.
    pub async fn signed_in(&self, email: &str, secret: &str) -> reqwest::Client {
        let client = self.app.other_client();
        let r = self
            .login(&client, email, &totp::code(secret, self.now()))
            .await;
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
        self.clock.advance(chrono::Duration::seconds(30));
        client
    }

    pub async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

/// Invites `email` to `tenant`'s back-office as vendor ops would (through the library, at
/// `now`) and returns the token of the activation link mailed.
pub async fn invite_staff(
    db: &DatabaseConnection,
    tenant: &Tenant,
    email: &str,
    name: &str,
    role: &str,
    now: chrono::DateTime<Utc>,
) -> String {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let from = portail::staff::accounts::Inviting {
        public_url: "http://portail.test",
        slug: &tenant.slug,
        tenant_name: &tenant.name,
        by: None,
        now,
    };
    portail::staff::accounts::invite(&tx, &from, email, name, role)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    activation_token(db, tenant, email).await
}

/// The activation token of the last mail queued for `email`.
pub async fn activation_token(db: &DatabaseConnection, tenant: &Tenant, email: &str) -> String {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let row = tx
        .query_one_raw(portail_tenants::database::sql(
            "SELECT text_body FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
            [email.into()],
        ))
        .await
        .unwrap()
        .expect("an invitation mail");
    tx.commit().await.unwrap();
    let text: String = row.try_get("", "text_body").unwrap();
    let prefix = format!(
        "http://portail.test/{}/gestion/activation?token=",
        tenant.slug
    );
    let start = text.find(&prefix).expect("the activation link") + prefix.len();
    text[start..start + 43].to_string()
}

/// The staff password of [`staff_signed_in`].
pub const STAFF_PASSWORD: &str = PASSWORD;

/// A client signed in to the back-office of `tenant` as `email` with `role`.
pub async fn staff_signed_in(
    app: &TestApp,
    db: &DatabaseConnection,
    tenant: &Tenant,
    email: &str,
    name: &str,
    role: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> reqwest::Client {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let from = portail::staff::accounts::Inviting {
        public_url: "http://portail.test",
        slug: &tenant.slug,
        tenant_name: &tenant.name,
        by: None,
        now,
    };
    portail::staff::accounts::invite(&tx, &from, email, name, role)
        .await
        .unwrap();
    let row = tx
        .query_one_raw(sql(
            "SELECT text_body FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
            [email.into()],
        ))
        .await
        .unwrap()
        .expect("an invitation mail");
    tx.commit().await.unwrap();
    let text: String = row.try_get("", "text_body").unwrap();
    let token: String = text
        .split("activation?token=")
        .nth(1)
        .expect("the activation link")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let client = app.other_client();
    let api = |path: &str, body: Value| {
        client
            .post(format!(
                "{}/{}/api/v1/staff/auth/{path}",
                app.base, tenant.slug
            ))
            .json(&body)
            .send()
    };
    let r = api(
        "activate",
        json!({ "token": token, "password": STAFF_PASSWORD }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let secret = r.json::<Value>().await.unwrap()["totp_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let code = portail::staff::totp::code(&secret, now.timestamp());
    let r = api("activate/confirm", json!({ "token": token, "code": code }))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let recovery = r.json::<Value>().await.unwrap()["recovery_codes"][0]
        .as_str()
        .unwrap()
        .to_string();
    let r = api(
        "login",
        json!({ "email": email, "password": STAFF_PASSWORD, "code": recovery }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    client
}
