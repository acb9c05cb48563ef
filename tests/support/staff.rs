//! A signed-in staff member for the tests of features the back-office serves (messaging…):
//! invited through the library, activated and signed in through the API with TOTP codes of
//! the test's clock.

use super::TestApp;
use portail::clock::{Clock, ManualClock};
use portail::staff::totp;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

pub const STAFF_PASSWORD: &str = "Vélo#Rouge42x";

/// A new client signed in as a staff member `email` with `role`; the clock moves on 30 s
/// after each TOTP code so the next one differs.
pub async fn staff_client(
    app: &TestApp,
    db: &DatabaseConnection,
    tenant: &Tenant,
    clock: &ManualClock,
    email: &str,
    name: &str,
    role: &str,
) -> reqwest::Client {
    let tx = portail_tenants::TenantTx::begin(db, &tenant.schema_name)
        .await
        .unwrap();
    let from = portail::staff::accounts::Inviting {
        public_url: "http://portail.test",
        slug: &tenant.slug,
        tenant_name: &tenant.name,
        by: None,
        now: clock.now(),
    };
    portail::staff::accounts::invite(&tx, &from, email, name, role)
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
    let token = &text[start..start + 43];
    let url = |path: &str| format!("{}/{}/api/v1/staff{path}", app.base, tenant.slug);
    let client = app.other_client();
    let r = client
        .post(url("/auth/activate"))
        .json(&json!({ "token": token, "password": STAFF_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let secret = r.json::<serde_json::Value>().await.unwrap()["totp_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client
        .post(url("/auth/activate/confirm"))
        .json(&json!({ "token": token, "code": totp::code(&secret, clock.now().timestamp()) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    clock.advance(chrono::Duration::seconds(30));
    let r = client
        .post(url("/auth/login"))
        .json(&json!({ "email": email, "password": STAFF_PASSWORD, "code": totp::code(&secret, clock.now().timestamp()) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "staff sign-in of {email}");
    clock.advance(chrono::Duration::seconds(30));
    client
}
