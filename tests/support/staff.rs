//! A signed-in back-office member, as ops would make one: invited through the library,
//! activated through the API with a TOTP code at `now` (the app's clock), signed in with a
//! recovery code.

use portail_tenants::database::sql;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

pub const STAFF_PASSWORD: &str = "Vélo#Rouge42x";

/// A client signed in to the back-office of `tenant` as `email` with `role`.
pub async fn staff_signed_in(
    app: &super::TestApp,
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
