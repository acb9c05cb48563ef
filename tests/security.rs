//! The outside probe's attacks (issue 15), each replayed and seen refused: odd requests,
//! caching of personal data, oversized bodies, forged client addresses, foreign hosts and
//! origins, guessable passwords, consents, provider secrets, OpenID Connect login CSRF,
//! the CSRF token's binding, the sign-in e-mail change, hostile files, refusal logs and
//! configuration changes.

mod support;

use futures::StreamExt;
use serde_json::{Value, json};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

/// Sends raw bytes and returns the status line of the answer.
async fn raw_status(base: &str, request: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buffer = vec![0u8; 512];
    let n = stream.read(&mut buffer).await.unwrap();
    String::from_utf8_lossy(&buffer[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn odd_requests_answer_404_and_never_500() {
    let app = TestApp::spawn().await;
    let status = raw_status(
        &app.base,
        "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        status.starts_with("HTTP/1.1 404") || status.starts_with("HTTP/1.1 405"),
        "{status}"
    );
    for path in ["/api/", "/public/", "/static/", "/metrics/", "/healthz/x"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    let status = raw_status(
        &app.base,
        "GET //x/.. HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 404"), "{status}");
    // The service's own routes still answer.
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/static/portail.css").await.status(), 200);
    assert_eq!(app.get("/api/openapi.json").await.status(), 200);
}

#[tokio::test]
async fn personal_data_is_never_stored_by_a_cache() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "nostore", "Mairie No-Store").await;
    let app = TestApp::spawn().await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    for path in [
        "api/v1/me",
        "api/v1/household",
        "api/v1/children",
        "api/v1/export",
        "foyer",
        "enfants",
        "documents",
    ] {
        let r = paul
            .get(format!("{}/{}/{path}", app.base, t.slug))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    // Errors of the API too: they may say what exists.
    let r = paul
        .get(format!("{}/{}/api/v1/children/x", app.base, t.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn bodies_past_64_kib_are_refused_before_being_read() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "body", "Mairie Body").await;
    let app = TestApp::spawn().await;
    let big = "a".repeat(200 * 1024);
    // Announced by Content-Length: JSON API → 413 in JSON.
    let r = app
        .post_json(
            &format!("/{}/api/v1/auth/password-reset", t.slug),
            json!({ "email": big }),
        )
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "payload_too_large"
    );
    // A form → 413 with the French page.
    let r = app
        .client
        .post(format!("{}/{}/connexion", app.base, t.slug))
        .form(&[("email", big.as_str()), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("trop volumineuses"));
    // Chunked, without Content-Length: counted while read. 16 chunks of 64 KiB.
    let chunks =
        futures::stream::iter((0..16).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])));
    let r = app
        .client
        .post(format!(
            "{}/{}/api/v1/auth/password-reset",
            app.base, t.slug
        ))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // A small chunked body still goes through.
    let small = futures::stream::iter([Ok::<_, std::io::Error>(
        json!({ "email": "inconnu@demo.example" })
            .to_string()
            .into_bytes(),
    )])
    .boxed();
    let r = app
        .client
        .post(format!(
            "{}/{}/api/v1/auth/password-reset",
            app.base, t.slug
        ))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(small))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    delete_tenant(&db, &t.slug).await;
}

/// The throttle's per-address keys of a municipality.
async fn address_keys(slug: &str) -> Vec<String> {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("t:{slug}:throttle:address:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    keys.sort();
    keys
}

async fn failed_login(app: &TestApp, slug: &str, forwarded: &str) {
    let r = app
        .client
        .post(format!("{}/{slug}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "email": PAUL, "password": "Mauvais#Passe1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies_and_keys_are_hashes() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "xff", "Mairie XFF").await;
    // No proxy trusted (the default): forged headers change nothing.
    let app = TestApp::spawn().await;
    let forged = "x".repeat(4000);
    for forwarded in ["203.0.113.1", "203.0.113.2", forged.as_str()] {
        failed_login(&app, &t.slug, forwarded).await;
    }
    let keys = address_keys(&t.slug).await;
    assert_eq!(keys.len(), 1, "one client, one key: {keys:?}");
    let hash = keys[0].rsplit(':').next().unwrap();
    assert_eq!(hash.len(), 64, "{hash}");
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    drop(app);

    // Behind a trusted proxy, the client it names counts; IPv6 by its /64.
    let t2 = create_tenant_with_families(&db, "xfft", "Mairie XFF 2").await;
    let mut settings = test_settings();
    settings.trusted_proxies = portail::http::client_ip::parse_cidrs("127.0.0.1/32").unwrap();
    let app = TestApp::spawn_with(settings).await;
    for forwarded in [
        "203.0.113.1",
        "198.51.100.7, 203.0.113.1",
        "2001:db8:1:2::1",
        "2001:db8:1:2::ffff",
        "pas-une-adresse",
    ] {
        failed_login(&app, &t2.slug, forwarded).await;
    }
    // 203.0.113.1 (twice), the /64 (twice), and the unreadable one counted as the proxy.
    assert_eq!(address_keys(&t2.slug).await.len(), 3);
    delete_tenant(&db, &t.slug).await;
    delete_tenant(&db, &t2.slug).await;
}

#[tokio::test]
async fn only_the_portal_s_hosts_are_served_and_origins_are_checked_against_them() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "host", "Mairie Host").await;
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/{}/", app.base, t.slug))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ne répond pas à cette adresse")
    );
    let r = app
        .client
        .get(format!("{}/{}/api/v1/me", app.base, t.slug))
        .header("host", "evil.example:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "misdirected_request"
    );
    // The host of PUBLIC_URL and the probes (called by the pod's address) are served.
    let r = app
        .client
        .get(format!("{}/{}/", app.base, t.slug))
        .header("host", "Portail.Test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("host", "10.1.2.3:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The API's Origin: the portal's, not whatever the request names.
    for (origin, expected) in [
        ("http://portail.test", 401),
        ("http://evil.example", 403),
        ("null", 403),
    ] {
        let r = app
            .client
            .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
            .header("origin", origin)
            .json(&json!({ "email": PAUL, "password": "Mauvais#Passe1" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected, "{origin}");
    }
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn forms_sent_from_another_site_are_refused_before_any_handler() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "xsite", "Mairie XSite").await;
    let app = TestApp::spawn().await;
    // A page of the portal gives a valid token and cookie.
    let html = app
        .get(&format!("/{}/connexion", t.slug))
        .await
        .text()
        .await
        .unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let r = app
            .client
            .post(format!("{}/{}/connexion", app.base, t.slug))
            .header(name, value)
            .form(&[
                ("csrf", token.as_str()),
                ("email", PAUL),
                ("password", "Mauvais#Passe1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}: {value}");
        assert!(r.text().await.unwrap().contains("ne vient pas du portail"));
    }
    // A page without referrer (the links with a token) sends `Origin: null`: its
    // `Sec-Fetch-Site` vouches for it.
    let r = app
        .client
        .post(format!("{}/{}/connexion", app.base, t.slug))
        .header("sec-fetch-site", "same-origin")
        .header("origin", "null")
        .form(&[
            ("csrf", token.as_str()),
            ("email", PAUL),
            ("password", "Mauvais#Passe1"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 403);
    // The same form from the portal's own page is read (wrong password: the page again).
    let r = app
        .client
        .post(format!("{}/{}/connexion", app.base, t.slug))
        .header("sec-fetch-site", "same-origin")
        .header("origin", "http://portail.test")
        .form(&[
            ("csrf", token.as_str()),
            ("email", PAUL),
            ("password", "Mauvais#Passe1"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 403);
    let _ = SOPHIE;
    delete_tenant(&db, &t.slug).await;
}

fn guardian_id(household: &Value, email: &str) -> String {
    household["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {household}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn consent_of(household: &Value, guardian: &str, code: &str) -> Value {
    household["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == guardian)
        .unwrap()["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap()["granted"]
        .clone()
}

#[tokio::test]
async fn a_parent_cannot_set_the_other_parent_s_consents() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "consent", "Mairie Consent").await;
    let app = TestApp::spawn().await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    let url = |path: &str| format!("{}/{}/api/v1{path}", app.base, t.slug);
    let household: Value = paul
        .get(url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sophie = guardian_id(&household, SOPHIE);
    let r = paul
        .patch(url(&format!("/household/guardians/{sophie}")))
        .json(&json!({ "phone": "06 11 22 33 44", "consents": [{ "code": "informations_email", "granted": true }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body.to_string().contains("ses propres consentements"),
        "{body}"
    );
    // The page form too.
    let html = paul
        .get(format!("{}/{}/foyer", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = paul
        .post(format!("{}/{}/foyer/consentements", app.base, t.slug))
        .form(&[
            ("csrf", csrf.as_str()),
            ("guardian", sophie.as_str()),
            ("rappels_sms", "oui"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ses propres consentements")
    );
    let after: Value = paul
        .get(url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(consent_of(&after, &sophie, "informations_email").is_null());
    assert!(consent_of(&after, &sophie, "rappels_sms").is_null());
    assert_ne!(
        after["guardians"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == sophie.as_str())
            .unwrap()["phone"],
        "06 11 22 33 44",
        "nothing of the refused request is written"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_configuration_can_only_name_its_own_municipality_s_provider_secret() {
    let db = db(1).await;
    let slug = portail_tenants::Slug::parse(&random_slug("secret")).unwrap();
    let with_secret = |name: &str| {
        format!(
            "{DEMO_CONFIG}\n[oidc]\nissuer = \"https://auth.example\"\nclient_id = \"x\"\nclient_secret_env = \"{name}\"\nlabel = \"S'identifier\"\n"
        )
    };
    // Refused when the file is read, whatever the municipality.
    assert!(portail_tenants::TenantConfig::from_toml(&with_secret("DATABASE_URL")).is_err());
    // Another municipality's variable is refused at creation…
    let other = with_secret("OIDC_LANNION_SECRET");
    let config = portail_tenants::TenantConfig::from_toml(&other).unwrap();
    let err = portail_tenants::provisioning::create(&db, &slug, &config, &other)
        .await
        .unwrap_err()
        .to_string();
    let prefix = format!("OIDC_{}_", slug.as_str().to_uppercase().replace('-', "_"));
    assert!(err.contains(&prefix), "{err}");
    // …its own is accepted, and an update cannot switch to another one.
    let own = with_secret(&format!("{prefix}SECRET"));
    let config = portail_tenants::TenantConfig::from_toml(&own).unwrap();
    portail_tenants::provisioning::create(&db, &slug, &config, &own)
        .await
        .unwrap();
    let config = portail_tenants::TenantConfig::from_toml(&other).unwrap();
    assert!(
        portail_tenants::provisioning::update(&db, slug.as_str(), &config, &other)
            .await
            .is_err()
    );
    delete_tenant(&db, slug.as_str()).await;
}

#[tokio::test]
async fn a_suspension_and_a_configuration_update_apply_at_once_on_a_running_replica() {
    let db = db(1).await;
    let t = create_tenant(&db, "notify", "Mairie Avant").await;
    let mut settings = test_settings();
    // A registry cache trusted for ten minutes: only the notification can make it forget.
    settings.tenant_cache_seconds = 600;
    let app = TestApp::spawn_with(settings).await;
    let home = format!("/{}/", t.slug);
    let page = app.get(&home).await.text().await.unwrap();
    assert!(page.contains("Mairie Avant"));
    // Give the replica's listener a moment to be in place, as a running one is.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let source = DEMO_CONFIG.replacen("Mairie de Démonstration", "Mairie Après", 1);
    let config = portail_tenants::TenantConfig::from_toml(&source).unwrap();
    portail_tenants::provisioning::update(&db, &t.slug, &config, &source)
        .await
        .unwrap();
    let seen = async {
        for _ in 0..50 {
            if app
                .get(&home)
                .await
                .text()
                .await
                .unwrap()
                .contains("Mairie Après")
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    };
    assert!(seen.await, "the update is applied within a second");

    portail_tenants::registry::set_status(&db, &t.slug, portail_tenants::TenantStatus::Suspended)
        .await
        .unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = app.get(&home).await.status().as_u16();
        if status == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, 503, "the suspension is applied within a second");
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn guessable_passwords_are_refused_with_a_french_hint_on_every_route_that_sets_one() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "guess", "Mairie Guess").await;
    let app = TestApp::spawn().await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    for weak in ["Aaaaaaaaaaa1!", "aa aa aa aa aa aa aa", "Qwertyuiop12!"] {
        let r = paul
            .post(format!("{}/{}/api/v1/auth/password", app.base, t.slug))
            .json(&json!({ "current_password": PASSWORD, "new_password": weak }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{weak}");
        let body: Value = r.json().await.unwrap();
        let reasons: Vec<&str> = body["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(
            reasons.contains(&"guessable") || reasons.contains(&"too_weak"),
            "{weak}: {body}"
        );
        assert!(body["message"].as_str().unwrap().contains("mot de passe"));
    }
    // What the helpers make passes: at random and from a sentence.
    for body in [
        json!({ "method": "random" }),
        json!({ "method": "sentence", "sentence": "Ma fille Léa a 8 ans, elle adore le judo !" }),
    ] {
        let r = app
            .post_json(
                &format!("/{}/api/v1/auth/password/generate", t.slug),
                body.clone(),
            )
            .await;
        assert_eq!(r.status(), 200, "{body}");
    }
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_form_token_is_bound_to_the_session_not_only_to_a_cookie() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "csrfbind", "Mairie CSRF").await;
    let app = TestApp::spawn().await;
    signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    // Cookies are set by hand here, as an attacker able to plant one would.
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = bare
        .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
        .json(&json!({ "email": PAUL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let session = set_cookie(&r, "portail_session").unwrap();
    // The attacker's own pair, from a signed-out visit.
    let r = bare
        .get(format!("{}/{}/connexion", app.base, t.slug))
        .send()
        .await
        .unwrap();
    let planted = set_cookie(&r, "portail_csrf").unwrap();
    let planted_token = csrf_of(&r.text().await.unwrap());
    let save = |cookie: String, token: String| {
        let bare = bare.clone();
        let url = format!("{}/{}/foyer", app.base, t.slug);
        async move {
            bare.post(url)
                .header("cookie", cookie)
                .form(&[
                    ("csrf", token.as_str()),
                    ("target", "foyer"),
                    ("field", "city"),
                    ("value", "Perros-Guirec"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = save(
        format!("portail_session={session}; portail_csrf={planted}"),
        planted_token.clone(),
    )
    .await;
    assert_eq!(
        r.status(),
        403,
        "a planted cookie and its field do not pass"
    );
    // The token the victim's own page carries does.
    let page = bare
        .get(format!("{}/{}/foyer", app.base, t.slug))
        .header(
            "cookie",
            format!("portail_session={session}; portail_csrf={planted}"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let own = csrf_of(&page);
    assert_ne!(own, planted_token);
    assert_ne!(own, planted, "the field is not the cookie's value");
    let r = save(
        format!("portail_session={session}; portail_csrf={planted}"),
        own,
    )
    .await;
    assert_ne!(r.status(), 403);
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_sign_in_e_mail_changes_only_with_the_password_and_a_link_to_the_new_address() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "email", "Mairie Email").await;
    let sink = support::peers::SmtpSink::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let app = TestApp::spawn_with(settings).await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    let other_session = app.other_client();
    let r = other_session
        .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
        .json(&json!({ "email": PAUL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let url = |path: &str| format!("{}/{}/api/v1{path}", app.base, t.slug);
    let household: Value = paul
        .get(url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let me = guardian_id(&household, PAUL);
    let attacker = "attaquant@evil.example";

    // The probe's request: the session alone.
    for body in [
        json!({ "email": attacker }),
        json!({ "email": attacker, "current_password": "Mauvais#Passe1" }),
    ] {
        let r = paul
            .patch(url(&format!("/household/guardians/{me}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let v: Value = r.json().await.unwrap();
        assert!(v["fields"]["current_password"].is_string(), "{v}");
    }
    // The page's inline field does not change it either.
    let html = paul
        .get(format!("{}/{}/foyer", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = paul
        .post(format!("{}/{}/foyer", app.base, t.slug))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("target", me.as_str()),
            ("field", "email"),
            ("value", attacker),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Mon compte"));
    let still: Value = paul
        .get(url("/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["guardian"]["email"], PAUL);

    // With the password: nothing changes until the link sent to the new address is used.
    let new = "paul.nouveau@demo.example";
    let r = paul
        .patch(url(&format!("/household/guardians/{me}")))
        .json(&json!({ "email": new, "current_password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "email_confirmation_sent"
    );
    let me_now: Value = paul
        .get(url("/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me_now["guardian"]["email"], PAUL);
    let notice = sink.wait_for(PAUL, 1).await;
    assert!(notice.text.as_deref().unwrap().contains(new));
    let confirmation = sink.wait_for(new, 1).await;
    let link = support::peers::link_in(&confirmation, "http://portail.test/").replacen(
        "http://portail.test",
        &app.base,
        1,
    );
    // Opening the link changes nothing by itself (a GET); its button does.
    let browser = app.other_client();
    let page = browser.get(&link).send().await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let page = page.text().await.unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let r = browser
        .post(format!(
            "{}/{}/mon-compte/adresse-email/confirmer",
            app.base, t.slug
        ))
        .form(&[("csrf", csrf_of(&page).as_str()), ("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Every session of the account ended; the new address signs in, the old one no longer.
    for client in [&paul, &other_session] {
        assert_eq!(client.get(url("/me")).send().await.unwrap().status(), 401);
    }
    let login = |email: &'static str| {
        let c = app.other_client();
        let u = url("/auth/login");
        async move {
            c.post(u)
                .json(&json!({ "email": email, "password": PASSWORD }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login(new).await, 200);
    assert_eq!(login(PAUL).await, 401);
    // The link works once.
    let again = browser
        .post(format!(
            "{}/{}/mon-compte/adresse-email/confirmer",
            app.base, t.slug
        ))
        .form(&[("csrf", csrf_of(&page).as_str()), ("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    delete_tenant(&db, &t.slug).await;
}

/// The real binary, logging JSON lines into a shared buffer.
struct LoggedServer {
    child: std::process::Child,
    base: String,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl LoggedServer {
    fn start() -> Self {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portail"))
            .arg("serve")
            .env("DATABASE_URL", database_url())
            .env("REDIS_URL", redis_url())
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env("MAIL_SWEEP_SECONDS", "0")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = std::io::BufReader::new(child.stderr.take().unwrap());
        let (ready, listening) = std::sync::mpsc::channel();
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                if line.contains("portail listening") {
                    let _ = ready.send(());
                }
                kept.lock().unwrap().push(line);
            }
        });
        listening
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap();
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            lines,
        }
    }

    async fn line_with(&self, needle: &str) -> Value {
        for _ in 0..100 {
            if let Some(line) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(needle))
            {
                return serde_json::from_str(line).unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no log line with {needle}");
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn refused_sign_ins_and_object_accesses_are_logged_with_hashes_never_addresses() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "trace", "Mairie Trace").await;
    // Paul's password, as the reset link would set it.
    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    let account = portail::auth::repository::account_by_email(&tx, PAUL)
        .await
        .unwrap()
        .unwrap();
    let hash = portail::auth::hashing::hash(PASSWORD.to_string()).await;
    portail::auth::repository::set_password(&tx, account.guardian_id, &hash, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let server = LoggedServer::start();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = |password: &'static str| {
        client
            .post(format!("{}/{}/api/v1/auth/login", server.base, t.slug))
            .json(&json!({ "email": PAUL, "password": password }))
            .send()
    };
    assert_eq!(login("Mauvais#Passe1").await.unwrap().status(), 401);
    let refused = server.line_with("sign-in refused").await;
    assert_eq!(refused["tenant.slug"], t.slug.as_str());
    assert_eq!(
        refused["account.hash"],
        portail::auth::tokens::token_hash(PAUL)
    );
    assert_eq!(refused["client.hash"].as_str().unwrap().len(), 64);
    let text = refused.to_string();
    assert!(
        !text.contains(PAUL) && !text.contains("127.0.0.1"),
        "{text}"
    );

    assert_eq!(login(PASSWORD).await.unwrap().status(), 200);
    let someone_else_s = uuid::Uuid::new_v4();
    let r = client
        .get(format!(
            "{}/{}/api/v1/children/{someone_else_s}",
            server.base, t.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let line = server.line_with("object access refused").await;
    assert_eq!(line["tenant.slug"], t.slug.as_str());
    assert_eq!(line["actor"], account.guardian_id.to_string());
    assert_eq!(line["object.kind"], "children");
    assert_eq!(line["object.id"], someone_else_s.to_string());
    drop(server);
    delete_tenant(&db, &t.slug).await;
}

fn real_jpeg() -> Vec<u8> {
    let pixels = image::RgbImage::from_pixel(4, 4, image::Rgb([10, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn hostile_files_are_refused_or_reduced_to_their_pixels_and_names_lose_format_characters() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "hostile", "Mairie Hostile").await;
    let mut settings = test_settings();
    settings.household_quota_bytes = 4096;
    let app = TestApp::spawn_with(settings).await;
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    // PDFs with active content.
    for active in [
        &b"%PDF-1.4\n1 0 obj <</Type /Catalog /OpenAction 3 0 R>> endobj\n3 0 obj <</S /JavaScript /JS (app.alert(1))>> endobj\n%%EOF\n"[..],
        b"%PDF-1.4\n1 0 obj <</S /Launch /F (cmd.exe)>> endobj\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj <</Type /EmbeddedFile>> endobj\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj <</S /J#61vaScript>> endobj\n%%EOF\n",
    ] {
        let r = upload_document(&paul, &app.base, &t.slug, "Facture", "f.pdf", active).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["fields"]["file"]
                .as_str()
                .unwrap()
                .contains("contenu actif"),
            "{body}"
        );
    }
    // A JPEG/HTML polyglot keeps its picture, loses its HTML; the name loses its U+202E.
    let mut polyglot = real_jpeg();
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let r = upload_document(
        &paul,
        &app.base,
        &t.slug,
        "facture\u{202E}gpj.exe",
        "x.jpg",
        &polyglot,
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["name"], "facturegpj.exe");
    let id = created["id"].as_str().unwrap();
    let stored = paul
        .get(format!(
            "{}/{}/api/v1/documents/{id}/download",
            app.base, t.slug
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(
        !stored.windows(7).any(|w| w == b"<script"),
        "nothing after the picture survives"
    );
    assert!(image::load_from_memory(&stored).is_ok());
    // Something that only starts like a PNG is refused.
    let r = upload_document(
        &paul,
        &app.base,
        &t.slug,
        "Image",
        "x.png",
        b"\x89PNG\r\n\x1a\n<html>not a picture</html>",
    )
    .await;
    assert_eq!(r.status(), 422);
    // The household's quota (4 KiB here): a clean PDF fits until it is full.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let r = upload_document(&paul, &app.base, &t.slug, "PDF", "a.pdf", CLEAN_PDF).await;
        let status = r.status().as_u16();
        statuses.push(status);
        if status == 422 {
            let body: Value = r.json().await.unwrap();
            assert!(body["fields"]["file"].as_str().unwrap().contains("plein"));
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&422), "{statuses:?}");
    delete_tenant(&db, &t.slug).await;
}

/// A clamd stand-in speaking the INSTREAM protocol, answering `verdict` to every scan.
async fn fake_clamd(verdict: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut command = [0u8; 10];
                stream.read_exact(&mut command).await.unwrap();
                assert_eq!(&command, b"zINSTREAM\0");
                loop {
                    let mut length = [0u8; 4];
                    stream.read_exact(&mut length).await.unwrap();
                    let n = u32::from_be_bytes(length) as usize;
                    if n == 0 {
                        break;
                    }
                    let mut chunk = vec![0u8; n];
                    stream.read_exact(&mut chunk).await.unwrap();
                }
                stream
                    .write_all(format!("stream: {verdict}\0").as_bytes())
                    .await
                    .unwrap();
            });
        }
    });
    address
}

#[tokio::test]
async fn with_an_antivirus_a_document_is_stored_only_once_scanned_clean() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "clamd", "Mairie Clamd").await;
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    for (address, expected) in [
        (fake_clamd("OK").await, 201),
        (fake_clamd("Eicar-Test-Signature FOUND").await, 422),
        (unreachable, 503),
    ] {
        let mut settings = test_settings();
        settings.clamd_address = Some(address);
        let app = TestApp::spawn_with(settings).await;
        let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
        let r = upload_document(&paul, &app.base, &t.slug, "Scan", "s.pdf", CLEAN_PDF).await;
        assert_eq!(r.status(), expected);
        if expected == 422 {
            let body: Value = r.json().await.unwrap();
            assert!(
                body["fields"]["file"]
                    .as_str()
                    .unwrap()
                    .contains("antivirus")
            );
        }
    }
    let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    let count: i64 = tx
        .query_one_raw(portail_tenants::database::sql(
            "SELECT count(*) AS n FROM documents",
            [],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    assert_eq!(count, 1, "only the clean scan was stored");
    tx.commit().await.unwrap();
    delete_tenant(&db, &t.slug).await;
}
