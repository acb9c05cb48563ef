//! Parent accounts and sign-in, end to end: first connection by mail (through a real SMTP
//! sink), sign-in, sessions, throttling, password rules, and every attack the issue lists.

mod support;

use chrono::Utc;
use portail::clock::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::peers::{SmtpSink, link_in};
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

async fn app_with(sink: &SmtpSink) -> TestApp {
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    TestApp::spawn_with(settings).await
}

/// Asks for a link, reads the mail, returns the token.
async fn reset_token(
    app: &TestApp,
    sink: &SmtpSink,
    slug: &str,
    email: &str,
    nth_mail: usize,
) -> String {
    let r = app
        .post_json(
            &format!("/{slug}/api/v1/auth/password-reset"),
            json!({ "email": email }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let mail = sink.wait_for(email, nth_mail).await;
    let link = link_in(
        &mail,
        &format!("http://portail.test/{slug}/nouveau-mot-de-passe?token="),
    );
    link.split("token=").nth(1).unwrap().to_string()
}

async fn set_password(
    app: &TestApp,
    sink: &SmtpSink,
    slug: &str,
    email: &str,
    password: &str,
    nth_mail: usize,
) {
    let token = reset_token(app, sink, slug, email, nth_mail).await;
    let r = app
        .post_json(
            &format!("/{slug}/api/v1/auth/password-reset/confirm"),
            json!({ "token": token, "password": password }),
        )
        .await;
    assert_eq!(r.status(), 204, "{:?}", r.text().await);
}

#[tokio::test]
async fn a_guardian_creates_a_password_from_the_mailed_link_signs_in_sees_their_household_and_signs_out()
 {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "first", "Mairie de Lannion").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;

    assert_eq!(
        app.get(&format!("/{}/api/v1/me", t.slug)).await.status(),
        401
    );
    let r = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset", t.slug),
            json!({ "email": "Paul.Alain@demo.example" }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let mail = sink.wait_for(PAUL, 1).await;
    assert_eq!(
        mail.subject.as_deref(),
        Some("Demande de nouveau mot de passe")
    );
    let raw = sink.raw(&mail);
    assert!(
        raw.contains("multipart/alternative")
            && raw.contains("text/html")
            && raw.contains("text/plain"),
        "HTML and text parts"
    );
    let text = mail.text.clone().unwrap();
    assert!(text.contains("Vous pouvez modifier pendant 24h votre mot de passe"));
    assert!(text.contains("Créer le mot de passe"));
    let link = link_in(&mail, "http://portail.test/");
    assert!(
        link.starts_with(&format!(
            "http://portail.test/{}/nouveau-mot-de-passe?token=",
            t.slug
        )),
        "{link}"
    );
    let token = link.split("token=").nth(1).unwrap();
    assert_eq!(token.len(), 43);

    let page = app
        .get(&format!("/{}/nouveau-mot-de-passe?token={token}", t.slug))
        .await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");

    let r = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset/confirm", t.slug),
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 204);
    let confirmation = sink.wait_for(PAUL, 2).await;
    assert_eq!(
        confirmation.subject.as_deref(),
        Some("Votre mot de passe a été modifié")
    );

    let r = login(
        &app.client,
        &app.base,
        &t.slug,
        "PAUL.ALAIN@demo.example",
        GOOD,
    )
    .await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains(&format!("Path=/{}/", t.slug)),
        "{cookie}"
    );
    let me: Value = app
        .get(&format!("/{}/api/v1/me", t.slug))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["guardian"]["first_name"], "Paul");
    assert_eq!(me["household"]["city"], "Lannion");
    assert_eq!(me["household"]["children"].as_array().unwrap().len(), 3);
    assert_eq!(me["household"]["guardians"].as_array().unwrap().len(), 2);

    let r = app
        .client
        .post(format!("{}/{}/api/v1/auth/logout", app.base, t.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.get(&format!("/{}/api/v1/me", t.slug)).await.status(),
        401
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn both_parents_of_a_household_have_their_own_login() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "both", "Mairie Deux").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;
    set_password(&app, &sink, &t.slug, SOPHIE, "Trompette!Bleue7", 1).await;
    let sophie = app.other_client();
    assert_eq!(
        login(&sophie, &app.base, &t.slug, SOPHIE, "Trompette!Bleue7")
            .await
            .status(),
        200
    );
    let me: Value = sophie
        .get(format!("{}/{}/api/v1/me", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["guardian"]["first_name"], "Sophie");
    assert_eq!(
        login(&app.client, &app.base, &t.slug, SOPHIE, GOOD)
            .await
            .status(),
        401,
        "Paul's password is not Sophie's"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_reset_answer_is_the_same_for_unknown_addresses_and_no_mail_leaves() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "enum", "Mairie Enum").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let known = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset", t.slug),
            json!({ "email": PAUL }),
        )
        .await;
    let unknown = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset", t.slug),
            json!({ "email": "nobody@demo.example" }),
        )
        .await;
    let malformed = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset", t.slug),
            json!({ "email": "nobody" }),
        )
        .await;
    assert_eq!(
        (
            known.status().as_u16(),
            unknown.status().as_u16(),
            malformed.status().as_u16()
        ),
        (202, 202, 202)
    );
    let (a, b, c) = (
        known.text().await.unwrap(),
        unknown.text().await.unwrap(),
        malformed.text().await.unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(b, c);
    sink.wait_for(PAUL, 1).await;
    // Each answer comes after its request queued its mail, if any: the outbox holds all
    // there will ever be, one mail, the one the sink holds.
    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &tx,
        portail_tenants::database::sql("SELECT count(*) AS queued FROM outbox", []),
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        row.try_get::<i64>("", "queued").unwrap(),
        1,
        "only the known address got a mail"
    );
    assert_eq!(sink.mails().len(), 1, "only the known address got a mail");
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn wrong_password_unknown_malformed_or_empty_all_get_the_same_answer_in_similar_time() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "generic", "Mairie Generic").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;

    let cases = [
        (PAUL, "Mauvais#Passe1"),
        ("inconnu@demo.example", GOOD),
        ("pas-une-adresse", GOOD),
        ("", ""),
    ];
    let mut bodies = Vec::new();
    let mut times = Vec::new();
    for (email, password) in cases {
        // A fresh peer address each time (no forwarded header), so the throttle never steps
        // in. That the unknown account costs the same Argon2 work is counted in sign_in_cost.rs.
        let client = app.client_from([127, 0, 4, bodies.len() as u8 + 1]);
        let started = Instant::now();
        let r = client
            .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(r.status(), 401, "{email}");
        bodies.push(r.json::<Value>().await.unwrap());
    }
    for b in &bodies {
        assert_eq!(
            b,
            &json!({ "code": "invalid_credentials", "message": "Adresse e-mail ou mot de passe incorrect." })
        );
    }
    let (min, max) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    assert!(
        max.as_secs_f64() < min.as_secs_f64() * 3.0 + 0.05,
        "timings differ too much: {times:?}"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_sixth_failure_in_a_row_is_throttled_with_the_wait_in_french() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "throttle", "Mairie Throttle").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;
    for _ in 0..5 {
        assert_eq!(
            login(&app.client, &app.base, &t.slug, PAUL, "Mauvais#Passe1")
                .await
                .status(),
            401
        );
    }
    let r = login(&app.client, &app.base, &t.slug, PAUL, GOOD).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    // 30 s after the fifth failure; a second may have passed since under load.
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((25..=30).contains(&wait), "{wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&format!("merci de patienter {wait} secondes")),
        "{body}"
    );
    // The page says it too.
    let html = app
        .get(&format!("/{}/connexion", t.slug))
        .await
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let page = app
        .client
        .post(format!("{}/{}/connexion", app.base, t.slug))
        .form(&[("csrf", csrf.as_str()), ("email", PAUL), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Trop de tentatives de connexion")
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_reset_token_works_once_for_24_hours_in_its_own_tenant_and_whole() {
    let db = db(1).await;
    let a = create_tenant_with_families(&db, "tok-a", "Mairie A").await;
    let b = create_tenant_with_families(&db, "tok-b", "Mairie B").await;
    let sink = SmtpSink::start();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let app = TestApp::spawn_with_clock(settings, clock.clone()).await;
    let confirm = |slug: String, token: String| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/{slug}/api/v1/auth/password-reset/confirm"),
                json!({ "token": token, "password": GOOD }),
            )
            .await
        }
    };

    let token = reset_token(&app, &sink, &a.slug, PAUL, 1).await;
    let r = confirm(b.slug.clone(), token.clone()).await;
    assert_eq!(r.status(), 400, "a token of another municipality");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_token");
    assert_eq!(
        confirm(a.slug.clone(), token[..40].to_string())
            .await
            .status(),
        400,
        "truncated"
    );
    assert_eq!(confirm(a.slug.clone(), token.clone()).await.status(), 204);
    assert_eq!(
        confirm(a.slug.clone(), token.clone()).await.status(),
        400,
        "used"
    );

    let older = reset_token(&app, &sink, &a.slug, PAUL, 3).await;
    let newer = reset_token(&app, &sink, &a.slug, PAUL, 4).await;
    assert_eq!(
        confirm(a.slug.clone(), older).await.status(),
        400,
        "a newer link replaces the older"
    );
    clock.advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
    assert_eq!(
        confirm(a.slug.clone(), newer).await.status(),
        400,
        "expired after 24 h"
    );
    let page = app
        .get(&format!(
            "/{}/nouveau-mot-de-passe?token={}",
            a.slug,
            "x".repeat(43)
        ))
        .await;
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("plus valable"));
    delete_tenant(&db, &a.slug).await;
    delete_tenant(&db, &b.slug).await;
}

#[tokio::test]
async fn host_headers_cannot_change_the_link_in_the_mail() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "host", "Mairie Host").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let r = app
        .client
        .post(format!(
            "{}/{}/api/v1/auth/password-reset",
            app.base, t.slug
        ))
        // A foreign `Host` is refused outright (421, tests/security.rs); a forwarded one is
        // ignored.
        .header("x-forwarded-host", "evil.example")
        .json(&json!({ "email": PAUL }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mail = sink.wait_for(PAUL, 1).await;
    assert!(!mail.text.clone().unwrap().contains("evil.example"));
    assert!(
        link_in(&mail, "http://portail.test/")
            .contains(&format!("/{}/nouveau-mot-de-passe?token=", t.slug))
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_session_of_one_municipality_is_refused_by_another_and_the_old_id_dies_at_sign_in() {
    let db = db(1).await;
    let a = create_tenant_with_families(&db, "replay-a", "Mairie A").await;
    let b = create_tenant_with_families(&db, "replay-b", "Mairie B").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &a.slug, PAUL, GOOD, 1).await;
    set_password(&app, &sink, &b.slug, PAUL, GOOD, 3).await;

    let r = login(&app.client, &app.base, &a.slug, PAUL, GOOD).await;
    let first = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let plain = reqwest::Client::new();
    let me = |slug: String, cookie: String| {
        let plain = plain.clone();
        let base = app.base.clone();
        async move {
            plain
                .get(format!("{base}/{slug}/api/v1/me"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(a.slug.clone(), first.clone()).await, 200);
    assert_eq!(
        me(b.slug.clone(), first.clone()).await,
        401,
        "replayed under another municipality"
    );

    let r = plain
        .post(format!("{}/{}/api/v1/auth/login", app.base, a.slug))
        .header("cookie", first.clone())
        .json(&json!({ "email": PAUL, "password": GOOD }))
        .send()
        .await
        .unwrap();
    let second = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(first, second, "a new id at sign-in");
    assert_eq!(
        me(a.slug.clone(), first).await,
        401,
        "the old id is unknown"
    );
    assert_eq!(me(a.slug.clone(), second).await, 200);
    delete_tenant(&db, &a.slug).await;
    delete_tenant(&db, &b.slug).await;
}

#[tokio::test]
async fn a_refused_password_says_why_for_each_rule_and_a_huge_one_is_422_not_500() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "rules", "Mairie Rules").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let token = reset_token(&app, &sink, &t.slug, PAUL, 1).await;
    let cases = [
        ("court1!A", "too_weak"),
        ("Paul.Alain#2024xyz", "contains_email"),
        ("J'aimeTheo#2024x", "contains_name"),
        ("Vivelannion#2024", "contains_city"),
        ("Azerty123456!", "common"),
        (&*"Ab1!".repeat(2500), "too_long"),
    ];
    for (password, reason) in cases {
        let r = app
            .post_json(
                &format!("/{}/api/v1/auth/password-reset/confirm", t.slug),
                json!({ "token": token, "password": password }),
            )
            .await;
        assert_eq!(r.status(), 422, "{reason}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "password_refused");
        let codes: Vec<_> = body["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect();
        assert!(codes.contains(&reason.to_string()), "{reason}: {body}");
        assert!(!body["reasons"][0]["message"].as_str().unwrap().is_empty());
    }
    // Refusals leave the link usable.
    let r = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset/confirm", t.slug),
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 204);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_policy_and_the_generators_are_in_the_api() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("gen")
        .named("Mairie Gen")
        .without_families()
        .start()
        .await;
    let policy: Value = app
        .get(&format!("/{}/api/v1/auth/password-policy", t.slug))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(policy["max_length"], 128);
    assert_eq!(policy["min_entropy_bits"], 80.0);
    let random: Value = app
        .post_json(
            &format!("/{}/api/v1/auth/password/generate", t.slug),
            json!({ "method": "random" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(random["password"].as_str().unwrap().chars().count(), 16);
    assert!(random["entropy_bits"].as_f64().unwrap() >= 80.0);
    let sentence: Value = app
        .post_json(&format!("/{}/api/v1/auth/password/generate", t.slug), json!({ "method": "sentence", "sentence": "Mon fils Théo a 10 ans, il adore la cantine !" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sentence["password"], "MfTa10a,ialc!");
    let weak = app
        .post_json(
            &format!("/{}/api/v1/auth/password/generate", t.slug),
            json!({ "method": "sentence", "sentence": "j'aime le soleil" }),
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(
        weak.json::<Value>().await.unwrap()["reasons"][0]["code"],
        "too_weak"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn changing_the_password_ends_every_session_of_the_account_and_sends_a_mail() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "change", "Mairie Change").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;
    let phone = app.other_client();
    assert_eq!(
        login(&app.client, &app.base, &t.slug, PAUL, GOOD)
            .await
            .status(),
        200
    );
    assert_eq!(
        login(&phone, &app.base, &t.slug, PAUL, GOOD).await.status(),
        200
    );

    let wrong = app
        .post_json(
            &format!("/{}/api/v1/auth/password", t.slug),
            json!({ "current_password": "Faux#Passe123", "new_password": "Nouveau#Passe42" }),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["code"],
        "current_password_incorrect"
    );
    let r = app
        .post_json(
            &format!("/{}/api/v1/auth/password", t.slug),
            json!({ "current_password": GOOD, "new_password": "Nouveau#Passe42" }),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        phone
            .get(format!("{}/{}/api/v1/me", app.base, t.slug))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "the other device is signed out"
    );
    assert_eq!(
        app.get(&format!("/{}/api/v1/me", t.slug)).await.status(),
        401
    );
    assert_eq!(
        sink.wait_for(PAUL, 3).await.subject.as_deref(),
        Some("Votre mot de passe a été modifié")
    );
    assert_eq!(
        login(&phone, &app.base, &t.slug, PAUL, "Nouveau#Passe42")
            .await
            .status(),
        200
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn forms_without_their_csrf_token_and_api_calls_from_another_origin_are_refused() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("csrf").named("Mairie CSRF").start().await;
    for path in [
        "connexion",
        "mot-de-passe-oublie",
        "deconnexion",
        "nouveau-mot-de-passe",
    ] {
        let r = app
            .client
            .post(format!("{}/{}/{path}", app.base, t.slug))
            .form(&[("email", PAUL), ("password", GOOD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.text().await.unwrap().contains("Formulaire expiré"));
    }
    let r = app
        .client
        .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": PAUL, "password": GOOD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "forbidden_origin");
    let form = app
        .client
        .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
        .form(&[("email", PAUL)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415, "the API takes JSON only");
    assert_eq!(
        form.json::<Value>().await.unwrap()["code"],
        "unsupported_media_type"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_guardian_signs_in_through_the_pages_sees_their_name_and_signs_out() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "pages", "Mairie Pages").await;
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;
    let html = app
        .get(&format!("/{}/connexion", t.slug))
        .await
        .text()
        .await
        .unwrap();
    for label in [
        "Adresse e-mail",
        "Mot de passe",
        "Valider",
        "Première connexion ou mot de passe oublié ?",
        "Aide à la connexion",
    ] {
        assert!(html.contains(label), "{label}");
    }
    let csrf = csrf_of(&html);
    let r = app
        .client
        .post(format!("{}/{}/connexion", app.base, t.slug))
        .form(&[("csrf", csrf.as_str()), ("email", PAUL), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let home = app.get(&format!("/{}/", t.slug)).await;
    assert_eq!(home.headers()["cache-control"], "no-store");
    let home = home.text().await.unwrap();
    assert!(home.contains("Paul ALAIN"), "the guardian's name");
    assert!(home.contains("Se déconnecter"));
    let r = app
        .client
        .post(format!("{}/{}/deconnexion", app.base, t.slug))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        !app.get(&format!("/{}/", t.slug))
            .await
            .text()
            .await
            .unwrap()
            .contains("Paul ALAIN")
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn mail_waits_in_the_outbox_while_smtp_refuses_and_leaves_when_it_accepts() {
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "outbox", "Mairie Outbox").await;
    let sink = SmtpSink::start();
    sink.refuse(true);
    let app = app_with(&sink).await;
    app.post_json(
        &format!("/{}/api/v1/auth/password-reset", t.slug),
        json!({ "email": PAUL }),
    )
    .await;
    let tx_count = |sql: &'static str| tenant_count(&db, &t, sql);
    let started = Instant::now();
    while tx_count("SELECT count(*) AS n FROM outbox WHERE attempts > 0 AND sent_at IS NULL").await
        == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sender never tried"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.mails().is_empty());
    sink.refuse(false);
    // The retry is due 30 s later: deliver as a sender would then.
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let sender =
        portail::mail::sender::MailSender::new(&settings, db.clone(), Default::default()).unwrap();
    let sent = sender
        .deliver(&t.schema_name, Utc::now() + chrono::Duration::seconds(31))
        .await
        .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(
        sink.wait_for(PAUL, 1).await.subject.as_deref(),
        Some("Demande de nouveau mot de passe")
    );
    assert_eq!(
        tx_count("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL").await,
        0
    );
    delete_tenant(&db, &t.slug).await;
}

/// A sweep of every outbox visits each municipality in turn; a mail a request has just queued
/// leaves while a sweep is still under way, not after it. The sweep is held on the registry
/// (locked), on a cluster of the test's own so that it cannot take other tests' mail.
#[tokio::test]
async fn a_queued_mail_leaves_at_once_while_a_sweep_of_every_outbox_is_under_way() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let pg = tokio::task::spawn_blocking(support::throwaway_postgres::ThrowawayPostgres::start)
        .await
        .unwrap();
    let db = support::db_at(&pg.url(), 4).await;
    let t = create_tenant_with_families(&db, "sweep", "Mairie Sweep").await;
    let sink = SmtpSink::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    settings.mail_sweep_seconds = 3600;
    let outboxes = Arc::new(portail::mail::sender::Outboxes::default());
    let sender =
        portail::mail::sender::MailSender::new(&settings, db.clone(), outboxes.clone()).unwrap();

    // The registry locked: the sweep that starts with the sender waits on it.
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE public.tenants IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(sender.run(async {
        let _ = stopped.await;
    }));
    until_a_lock_is_awaited(&db, "public.tenants").await;

    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    let mail = portail::mail::Mail {
        to: PAUL.into(),
        subject: "Demande de nouveau mot de passe".into(),
        text: "Lien".into(),
        html: "<p>Lien</p>".into(),
    };
    portail::mail::enqueue(&tx, &mail).await.unwrap();
    tx.commit().await.unwrap();
    outboxes.notify(&t.schema_name);
    assert_eq!(
        sink.wait_for(PAUL, 1).await.subject.as_deref(),
        Some("Demande de nouveau mot de passe"),
        "sent while the sweep waits"
    );

    // The sweep goes on once the registry is free, and finds nothing more to send.
    lock.rollback().await.unwrap();
    let started = Instant::now();
    while tenant_count(
        &db,
        &t,
        "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL",
    )
    .await
        > 0
        || started.elapsed() < Duration::from_secs(1)
    {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sink.mails().len(), 1, "sent once");
    stop.send(()).unwrap();
    running.await.unwrap();
}

#[tokio::test]
async fn with_redis_down_sign_in_and_signed_in_pages_answer_503_then_recover_without_restart() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "redis", "Mairie Redis").await;
    let sink = SmtpSink::start();
    let mut redis = support::throwaway_redis::ThrowawayRedis::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    settings.redis_url = portail::settings::Secret::new(redis.url());
    let app = TestApp::spawn_with(settings).await;
    set_password(&app, &sink, &t.slug, PAUL, GOOD, 1).await;
    assert_eq!(
        login(&app.client, &app.base, &t.slug, PAUL, GOOD)
            .await
            .status(),
        200
    );

    redis.stop();
    let r = login(&app.other_client(), &app.base, &t.slug, PAUL, GOOD).await;
    assert_eq!(r.status(), 503, "no sign-in without the limiter");
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "service_unavailable"
    );
    let page = app.get(&format!("/{}/", t.slug)).await;
    assert_eq!(
        page.status(),
        503,
        "a page with a session cookie is never served anonymously"
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Service momentanément indisponible")
    );
    assert_eq!(
        app.get(&format!("/{}/api/v1/me", t.slug)).await.status(),
        503
    );

    redis.restart();
    let started = Instant::now();
    loop {
        let r = login(&app.other_client(), &app.base, &t.slug, PAUL, GOOD).await;
        if r.status() == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still {} after Redis came back",
            r.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    redis.stop();
    delete_tenant(&db, &t.slug).await;
}
