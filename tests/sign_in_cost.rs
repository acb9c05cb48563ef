//! An unknown account costs the same Argon2 work as a wrong password: counted, not timed. One
//! test in its own binary, so no other test's sign-ins run in the process while it counts.

mod support;

use portail::auth::hashing::verifications;
use serde_json::{Value, json};
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

#[tokio::test]
async fn every_sign_in_runs_exactly_one_argon2_verification_known_account_or_not() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "argon", "Mairie Argon").await;
    set_password_in_db(&db, &t, PAUL, GOOD).await;
    let app = TestApp::spawn().await;
    let cases = [
        (PAUL, GOOD, 200),
        (PAUL, "Mauvais#Passe1", 401),
        ("inconnu@demo.example", GOOD, 401),
        ("pas-une-adresse", GOOD, 401),
        ("", "", 401),
    ];
    for (i, (email, password, status)) in cases.into_iter().enumerate() {
        // Each from its own address: the throttle never steps in.
        let client = app.client_from([127, 0, 1, i as u8 + 1]);
        let before = verifications();
        let r = client
            .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{email:?}");
        assert_eq!(
            verifications() - before,
            1,
            "{email:?}: one Argon2 verification, like every other sign-in"
        );
        if status == 401 {
            assert_eq!(
                r.json::<Value>().await.unwrap()["code"],
                "invalid_credentials"
            );
        }
    }
    delete_tenant(&db, &t.slug).await;
}
