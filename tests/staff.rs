//! The staff back-office, end to end: invitation, activation with TOTP, sign-in with a code
//! used once, recovery codes, sessions apart from parents' and bound to the municipality,
//! roles in the guards, disabling, families search and quotient familial, the CLI.

mod support;

use portail::staff::totp;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::staff::*;
use support::*;

#[tokio::test]
async fn activation_enrols_totp_and_every_sign_in_asks_for_a_code_used_once() {
    let b = Back::new("staff-totp").await;
    let token = b.invite(ADMIN, "admin").await;

    // A weak password is refused with the CNIL reasons.
    let r = b
        .post(
            &b.app.client,
            "/api/v1/staff/auth/activate",
            json!({ "token": token, "password": "motdepasse" }),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "password_refused");

    let secret = b.activate(&token).await;
    // A wrong code does not activate.
    let wrong = if totp::code(&secret, b.now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let r = b.confirm(&token, wrong).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_code");
    let r = b.confirm(&token, &totp::code(&secret, b.now())).await;
    assert_eq!(r.status(), 200);
    let codes = r.json::<Value>().await.unwrap()["recovery_codes"].clone();
    assert_eq!(codes.as_array().unwrap().len(), 10);

    // The activation token is single use.
    let r = b
        .post(
            &b.app.client,
            "/api/v1/staff/auth/activate",
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_token");

    // The code of the confirmation was used: replayed at sign-in, refused.
    let replay = totp::code(&secret, b.now());
    let r = b.login(&b.app.other_client(), ADMIN, &replay).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "invalid_credentials"
    );
    // No code, or a wrong password with the right code: refused too.
    b.clock.advance(chrono::Duration::seconds(30));
    let code = totp::code(&secret, b.now());
    let r = b.login(&b.app.other_client(), ADMIN, "").await;
    assert_eq!(r.status(), 401);
    let r = b
        .post(
            &b.app.other_client(),
            "/api/v1/staff/auth/login",
            json!({ "email": ADMIN, "password": "Autre#Chose42x", "code": code }),
        )
        .await;
    assert_eq!(r.status(), 401);

    let client = b.app.other_client();
    let r = b.login(&client, ADMIN, &code).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains(&format!("Path=/{}/", b.tenant.slug)));
    assert_eq!(r.json::<Value>().await.unwrap()["staff"]["role"], "admin");
    let me: Value = b
        .get(&client, "/api/v1/staff/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["staff"]["email"], ADMIN);
    // The same code a second time, in the same step: refused.
    let r = b.login(&b.app.other_client(), ADMIN, &code).await;
    assert_eq!(r.status(), 401);

    // A recovery code works once.
    let recovery = codes[0].as_str().unwrap().to_lowercase();
    let r = b.login(&b.app.other_client(), ADMIN, &recovery).await;
    assert_eq!(r.status(), 200);
    let r = b.login(&b.app.other_client(), ADMIN, &recovery).await;
    assert_eq!(r.status(), 401);

    // Sign-out ends the session server-side.
    let r = client
        .post(b.url("/api/v1/staff/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = b.get(&client, "/api/v1/staff/me").await;
    assert_eq!(r.status(), 401);
    b.cleanup().await;
}

#[tokio::test]
async fn an_expired_activation_link_is_refused_on_the_page_and_in_the_api() {
    let b = Back::new("staff-expired").await;
    let token = b.invite(ADMIN, "admin").await;
    b.clock
        .advance(chrono::Duration::hours(72) + chrono::Duration::seconds(1));
    let r = b
        .get(&b.app.client, &format!("/gestion/activation?token={token}"))
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("plus valable"));
    let r = b
        .post(
            &b.app.client,
            "/api/v1/staff/auth/activate",
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 400);
    b.cleanup().await;
}

#[tokio::test]
async fn sign_in_is_throttled_like_parents() {
    let b = Back::new("staff-throttle").await;
    let client = b.app.other_client();
    for _ in 0..5 {
        let r = b.login(&client, ADMIN, "123456").await;
        assert_eq!(r.status(), 401);
    }
    let r = b.login(&client, ADMIN, "123456").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    b.cleanup().await;
}

#[tokio::test]
async fn staff_and_parent_sessions_are_apart_and_bound_to_their_municipality() {
    let b = Back::new("staff-apart").await;
    let (secret, _) = b.member(ADMIN, "admin").await;
    let staff = b.signed_in(ADMIN, &secret).await;
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;

    // A parent's session opens no staff operation or page.
    let r = b.get(&parent, "/api/v1/staff/me").await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "not_authenticated"
    );
    let r = b.get(&parent, "/gestion/").await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/gestion/connexion", b.tenant.slug)
    );
    // A staff session opens no parent page or operation.
    let r = b.get(&staff, "/api/v1/household").await;
    assert_eq!(r.status(), 401);
    let r = b.get(&staff, "/foyer").await;
    assert_eq!(r.status(), 303);

    // Another municipality: the same cookie, sent by hand, opens nothing; the account is
    // unknown there.
    let other = Back::new("staff-other").await;
    let login = b
        .login(&b.app.other_client(), ADMIN, &totp::code(&secret, b.now()))
        .await;
    assert_eq!(login.status(), 200);
    let id = set_cookie(&login, "portail_staff").expect("the staff cookie");
    let r = b
        .app
        .other_client()
        .get(other.url("/api/v1/staff/me"))
        .header("cookie", format!("portail_staff={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    b.clock.advance(chrono::Duration::seconds(30));
    let r = other
        .login(
            &other.app.other_client(),
            ADMIN,
            &totp::code(&secret, b.now()),
        )
        .await;
    assert_eq!(r.status(), 401);
    other.cleanup().await;
    b.cleanup().await;
}

#[tokio::test]
async fn roles_are_checked_and_a_disabled_member_s_session_ends_at_once() {
    let b = Back::new("staff-roles").await;
    let (admin_secret, _) = b.member(ADMIN, "admin").await;
    let admin = b.signed_in(ADMIN, &admin_secret).await;

    // The admin invites colleagues through the API; the mail carries the link.
    let r = admin
        .post(b.url("/api/v1/staff/members"))
        .json(&json!({ "email": "gestion@mairie.example", "name": "Gaël GESTION", "role": "gestionnaire" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = b.token_in_mail("gestion@mairie.example").await;
    let gestion_secret = b.activate(&token).await;
    assert_eq!(
        b.confirm(&token, &totp::code(&gestion_secret, b.now()))
            .await
            .status(),
        200
    );
    b.clock.advance(chrono::Duration::seconds(30));
    let (accueil_secret, _) = b.member("accueil@mairie.example", "accueil").await;
    let accueil = b.signed_in("accueil@mairie.example", &accueil_secret).await;
    let gestion = b.signed_in("gestion@mairie.example", &gestion_secret).await;

    // The family found by a child's name without its accent.
    let found: Value = b
        .get(&accueil, "/api/v1/staff/households?q=THEO")
        .await
        .json()
        .await
        .unwrap();
    let household = &found["households"][0];
    assert_eq!(household["name"], "ALAIN");
    let id = household["id"].as_str().unwrap().to_string();

    // accueil may not set a quotient: 403 with a French message.
    let patch = json!({ "quotient_familial": 742, "quotient_valid_from": "2026-09-01" });
    let r = accueil
        .patch(b.url(&format!("/api/v1/staff/households/{id}")))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "forbidden_role");
    assert!(body["message"].as_str().unwrap().contains("Gestionnaire"));
    // Nor see the team, which only admins see.
    let r = b.get(&accueil, "/api/v1/staff/members").await;
    assert_eq!(r.status(), 403);
    let r = b.get(&accueil, "/gestion/equipe").await;
    assert_eq!(r.status(), 403);
    let home = b.get(&accueil, "/gestion/").await.text().await.unwrap();
    assert!(!home.contains("/gestion/equipe"));

    // gestionnaire may; the parent sees the value at once.
    let r = gestion
        .patch(b.url(&format!("/api/v1/staff/households/{id}")))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["quotient_valid_from"],
        "2026-09-01"
    );
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;
    let mine: Value = b
        .get(&parent, "/api/v1/household")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["quotient_familial"], 742, "{mine}");
    // A quotient without its date, or out of range, is refused field by field.
    let r = gestion
        .patch(b.url(&format!("/api/v1/staff/households/{id}")))
        .json(&json!({ "quotient_familial": -3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["quotient_familial"].is_string());
    assert!(body["fields"]["quotient_valid_from"].is_string());

    // The whole record of a child is an audited read, which the parents see.
    let theo = id_of_named(&household["children"], "Théo");
    assert!(household["children"][0].get("allergies").is_none());
    let account = b.get(&parent, "/mon-compte").await.text().await.unwrap();
    assert!(!account.contains("Agent TEST"));
    let record: Value = b
        .get(&accueil, &format!("/api/v1/staff/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(record["allergies"].is_string() && record["pai"].is_boolean());
    let account = b.get(&parent, "/mon-compte").await.text().await.unwrap();
    assert!(account.contains("Qui a consulté mes données"));
    assert!(account.contains("Agent TEST (Accueil)"), "{account}");
    let export: Value = b.get(&parent, "/api/v1/export").await.json().await.unwrap();
    assert_eq!(export["staff_reads"][0]["role"], "accueil");
    assert_eq!(export["staff_reads"][0]["entity_id"], theo.as_str());

    // The household's audit: admins only.
    let audit_url = b.url(&format!("/api/v1/staff/households/{id}/audit"));
    let r = gestion.get(&audit_url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let audit: Value = admin
        .get(&audit_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = audit["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "read" && e["actor_name"] == "Agent TEST")
    );
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "update" && e["fields"][0] == "quotient_familial")
    );

    // Validating a record: gestionnaire, not accueil.
    let validation = b.url(&format!("/api/v1/staff/children/{theo}/validation"));
    let r = accueil
        .post(&validation)
        .json(&json!({ "validated": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = gestion
        .post(&validation)
        .json(&json!({ "validated": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["validated_at"].is_string());
    let r = gestion
        .post(&validation)
        .json(&json!({ "validated": false }))
        .send()
        .await
        .unwrap();
    assert!(r.json::<Value>().await.unwrap()["validated_at"].is_null());

    // The admin disables the gestionnaire: their open session ends at once.
    let r = admin
        .post(b.url("/api/v1/staff/members/disable"))
        .json(&json!({ "email": "gestion@mairie.example" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "disabled");
    let r = b.get(&gestion, "/api/v1/staff/me").await;
    assert_eq!(r.status(), 401);
    let r = b
        .login(
            &b.app.other_client(),
            "gestion@mairie.example",
            &totp::code(&gestion_secret, b.now()),
        )
        .await;
    assert_eq!(r.status(), 401);
    b.cleanup().await;
}

#[tokio::test]
async fn the_search_takes_wildcards_literally_and_long_strings_calmly() {
    let b = Back::new("staff-search").await;
    let (secret, _) = b.member(ADMIN, "accueil").await;
    let staff = b.signed_in(ADMIN, &secret).await;
    let search = |q: String| {
        let staff = staff.clone();
        let url = b.url("/api/v1/staff/households");
        async move {
            let r = staff.get(url).query(&[("q", q)]).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["households"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert!(search("alain".into()).await >= 1);
    assert_eq!(search("sophie.alain@demo".into()).await, 1);
    assert_eq!(search("06 98 76".into()).await, 1);
    assert_eq!(search("maïwenn".into()).await, 1);
    assert_eq!(search("%".into()).await, 0);
    assert_eq!(search("_".into()).await, 0);
    assert_eq!(search("a".repeat(10 * 1024)).await, 0);
    let page = staff
        .get(b.url("/gestion/familles"))
        .query(&[("q", "%_")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    b.cleanup().await;
}

#[tokio::test]
async fn the_pages_activate_sign_in_and_set_a_quotient_without_javascript() {
    let b = Back::new("staff-pages").await;
    let token = b.invite(ADMIN, "gestionnaire").await;
    let client = b.app.other_client();
    let page = b
        .get(&client, &format!("/gestion/activation?token={token}"))
        .await;
    assert_eq!(page.status(), 200);
    let csrf = csrf_of(&page.text().await.unwrap());
    let enrol = client
        .post(b.url("/gestion/activation"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", &token),
            ("password", GOOD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(enrol.status(), 200);
    let html = enrol.text().await.unwrap();
    assert!(html.contains("<svg"));
    let secret = html
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let done = client
        .post(b.url("/gestion/activation/confirmer"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", &token),
            ("code", &totp::code(&secret, b.now())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(done.text().await.unwrap().matches("<li><code>").count(), 10);
    b.clock.advance(chrono::Duration::seconds(30));

    // A form without its token is refused.
    let r = client
        .post(b.url("/gestion/connexion"))
        .form(&[("email", ADMIN), ("password", GOOD), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client
        .post(b.url("/gestion/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", ADMIN),
            ("password", GOOD),
            ("code", &totp::code(&secret, b.now())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/gestion/", b.tenant.slug)
    );
    let home = b.get(&client, "/gestion/").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("Agent TEST") && html.contains("/gestion/deconnexion"));
    // Signed in, the forms carry the token bound to the staff session; the sign-in page's
    // token no longer passes.
    let anonymous_csrf = csrf;
    let csrf = csrf_of(&html);
    assert_ne!(csrf, anonymous_csrf);

    let found = b
        .get(&client, "/gestion/familles?q=le+gall")
        .await
        .text()
        .await
        .unwrap();
    let href = format!("/{}/gestion/familles/", b.tenant.slug);
    let id: String = found
        .split(&href)
        .nth(1)
        .unwrap()
        .chars()
        .take(36)
        .collect();
    let r = client
        .post(b.url(&format!("/gestion/familles/{id}/quotient")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("quotient_familial", "12,5"),
            ("quotient_valid_from", "2026-09-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = client
        .post(b.url(&format!("/gestion/familles/{id}/quotient")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("quotient_familial", "515"),
            ("quotient_valid_from", "2026-09-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = b
        .get(&client, &format!("/gestion/familles/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"515\""));

    let r = client
        .post(b.url("/gestion/deconnexion"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = b.get(&client, "/gestion/").await;
    assert_eq!(r.status(), 303);
    b.cleanup().await;
}

#[tokio::test]
async fn the_cli_invites_lists_and_disables_staff() {
    let db = db(1).await;
    let tenant = create_tenant(&db, "staff-cli", "Mairie de Cli").await;
    let slug = tenant.slug.as_str();
    let o = portail(&[
        "staff",
        "invite",
        slug,
        ADMIN,
        "--name",
        "Anne LEROUX",
        "--role",
        "admin",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let invited: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(invited["status"], "invited");
    assert_eq!(invited["role"], "admin");
    let again = portail(&[
        "staff", "invite", slug, ADMIN, "--name", "Anne", "--role", "admin",
    ]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already"));
    let bad = portail(&[
        "staff", "invite", slug, "b@c.fr", "--name", "B", "--role", "chef",
    ]);
    assert!(!bad.status.success());
    let list = portail(&["staff", "list", slug, "--json"]);
    let members: Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1);
    let human = portail(&["staff", "list", slug]);
    assert!(stdout(&human).contains(ADMIN));
    let o = portail(&["staff", "disable", slug, ADMIN]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = portail(&["staff", "list", slug, "--json"]);
    assert!(stdout(&list).contains("\"disabled\""));
    let unknown = portail(&["staff", "disable", slug, "nobody@x.fr"]);
    assert!(!unknown.status.success());
    delete_tenant(&db, slug).await;
}

#[tokio::test]
async fn the_day_s_counts_and_attendance_list_follow_the_parents_bookings() {
    let b = Back::new("staff-counts").await;
    let (secret, _) = b.member(ADMIN, "gestionnaire").await;
    let staff = b.signed_in(ADMIN, &secret).await;
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;
    let found: Value = b
        .get(&staff, "/api/v1/staff/households?q=alain")
        .await
        .json()
        .await
        .unwrap();
    let theo = id_of_named(&found["households"][0]["children"], "Théo");
    let r = parent
        .put(b.url(&format!(
            "/api/v1/children/{theo}/reservations/repas/2026-12-08"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    // A class that a spreadsheet would run as a formula.
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    tx.run(
        "UPDATE children SET class = '=1+1' WHERE id = $1::uuid",
        [theo.clone().into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let counts: Value = b
        .get(&staff, "/api/v1/staff/counts?date=2026-12-08")
        .await
        .json()
        .await
        .unwrap();
    let repas = counts["prestations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "repas")
        .unwrap();
    assert_eq!(repas["booked"], 1, "{counts}");
    assert_eq!(repas["diets"]["sans porc"], 1);
    let r = b.get(&staff, "/api/v1/staff/counts?date=demain").await;
    assert_eq!(r.status(), 422);

    let list: Value = b
        .get(
            &staff,
            "/api/v1/staff/attendance?date=2026-12-08&prestation=repas",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["children"][0]["first_name"], "Théo");
    assert!(
        list["children"][0]["contacts"][0]
            .as_str()
            .unwrap()
            .contains("06 12 34 56 78")
    );
    let csv = staff
        .get(b.url("/api/v1/staff/attendance?date=2026-12-08&prestation=repas"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(text.contains("'=1+1") && text.contains("Théo"), "{text}");

    // The pages: counts, the printable list, its CSV.
    let page = b.get(&staff, "/gestion/effectifs?date=2026-12-08").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("sans porc : 1"));
    let page = b
        .get(
            &staff,
            "/gestion/effectifs/liste?date=2026-12-08&prestation=repas",
        )
        .await;
    assert_eq!(page.status(), 200);
    let csv = b
        .get(
            &staff,
            "/gestion/effectifs/liste.csv?date=2026-12-08&prestation=repas",
        )
        .await;
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert!(csv.text().await.unwrap().contains("'=1+1"));
    // The home shows what to follow up, and today's counts to a gestionnaire.
    let home = b.get(&staff, "/gestion/").await.text().await.unwrap();
    assert!(
        home.contains("en attente de validation")
            && home.contains("/gestion/effectifs/liste?date=2026-11-30")
    );
    // accueil sees neither.
    let (accueil_secret, _) = b.member("accueil@mairie.example", "accueil").await;
    let accueil = b.signed_in("accueil@mairie.example", &accueil_secret).await;
    let r = b
        .get(&accueil, "/api/v1/staff/counts?date=2026-12-08")
        .await;
    assert_eq!(r.status(), 403);
    let r = b.get(&accueil, "/gestion/effectifs").await;
    assert_eq!(r.status(), 403);
    b.cleanup().await;
}

#[tokio::test]
async fn families_are_invited_once_a_day_with_a_working_first_connection_link() {
    let b = Back::new("staff-invite").await;
    let (secret, _) = b.member(ADMIN, "gestionnaire").await;
    let staff = b.signed_in(ADMIN, &secret).await;
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;
    drop(parent);
    let found: Value = b
        .get(&staff, "/api/v1/staff/households?q=alain")
        .await
        .json()
        .await
        .unwrap();
    let guardians = found["households"][0]["guardians"].as_array().unwrap();
    let id_of = |email: &str| {
        guardians.iter().find(|g| g["email"] == email).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (paul, sophie) = (id_of(PAUL), id_of("sophie.alain@demo.example"));

    // Paul has signed up already: skipped; Sophie is invited.
    let r = staff
        .post(b.url("/api/v1/staff/invitations"))
        .json(&json!({ "guardian_ids": [paul, sophie] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(
        (outcome["sent"].as_u64(), outcome["skipped"].as_u64()),
        (Some(1), Some(1))
    );
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    let row = tx
        .query_one_raw(portail_tenants::database::sql(
            "SELECT text_body FROM outbox WHERE to_address = 'sophie.alain@demo.example' ORDER BY id DESC LIMIT 1",
            [],
        ))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let text: String = row.try_get("", "text_body").unwrap();
    let prefix = format!(
        "http://portail.test/{}/nouveau-mot-de-passe?token=",
        b.tenant.slug
    );
    let start = text.find(&prefix).unwrap() + prefix.len();
    let token = &text[start..start + 43];
    let r = b
        .post(
            &b.app.other_client(),
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 204);

    // Everyone never signed in; the same guardians again today: none.
    let r = staff
        .post(b.url("/api/v1/staff/invitations"))
        .json(&json!({ "all": true }))
        .send()
        .await
        .unwrap();
    let first: Value = r.json().await.unwrap();
    assert!(first["sent"].as_u64().unwrap() >= 1, "{first}");
    let r = staff
        .post(b.url("/api/v1/staff/invitations"))
        .json(&json!({ "all": true }))
        .send()
        .await
        .unwrap();
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["sent"], 0);
    assert_eq!(again["skipped"], first["sent"]);

    // accueil may not invite.
    let (accueil_secret, _) = b.member("accueil@mairie.example", "accueil").await;
    let accueil = b.signed_in("accueil@mairie.example", &accueil_secret).await;
    let r = accueil
        .post(b.url("/api/v1/staff/invitations"))
        .json(&json!({ "all": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    b.cleanup().await;
}
