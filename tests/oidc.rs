//! Sign-in with an OpenID Connect provider, end to end against a real one (oidc-provider from
//! npm): a guardian links their identity once from their account, then signs in with it; an
//! identity linked to nobody opens nothing, even with a known e-mail; a return works once.

mod support;

use serde_json::{Value, json};
use support::peers::{OidcProvider, SmtpSink, link_in};
use support::*;

const SECRET: &str = "secret-du-portail-de-test";
const PAUL: &str = "paul.alain@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_guardian_links_their_identity_once_then_signs_in_with_it() {
    let slug = random_slug("oidc");
    let variable = format!("OIDC_{}_SECRET", slug.to_uppercase().replace('-', "_"));
    // SAFETY: set before any thread reads it; the variable is this test's own.
    unsafe { std::env::set_var(&variable, SECRET) };
    let db = db(1).await;
    let callback = format!("http://portail.test/{slug}/oidc/retour");
    let provider = OidcProvider::start("portail", SECRET, std::slice::from_ref(&callback));
    let source = format!(
        "{DEMO_CONFIG}\n[oidc]\nissuer = \"{}\"\nclient_id = \"portail\"\nclient_secret_env = \"{variable}\"\nlabel = \"S'identifier avec FranceConnect\"\n",
        provider.issuer
    );
    let config = portail_tenants::TenantConfig::from_toml(&source).unwrap();
    let tenant = portail_tenants::provisioning::create(
        &db,
        &portail_tenants::Slug::parse(&slug).unwrap(),
        &config,
        &source,
    )
    .await
    .unwrap();
    let csv = std::fs::read(root().join("tenants/examples/families.csv")).unwrap();
    portail_tenants::import::import(
        &db,
        &tenant,
        &csv,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        false,
    )
    .await
    .unwrap();
    let sink = SmtpSink::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let app = TestApp::spawn_with(settings).await;
    let to_portal = |url: &str| url.replacen("http://portail.test", &app.base, 1);

    // The sign-in page offers the provider.
    let page = app
        .get(&format!("/{slug}/connexion"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("S&#x27;identifier avec FranceConnect")
            || page.contains("S'identifier avec FranceConnect")
    );

    // Alice's identity opens nothing before it is linked, even though a guardian exists.
    let stranger = client();
    let r = stranger
        .get(format!("{}/{slug}/oidc/connexion", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let authorize = location(&r);
    assert!(authorize.starts_with(&provider.issuer));
    for needle in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        &format!("redirect_uri={}", urlencode(&callback)),
    ] {
        assert!(authorize.contains(needle), "{needle} in {authorize}");
    }
    let back = provider.sign_in(&stranger, &authorize, "alice").await;
    assert!(back.starts_with(&callback), "{back}");
    let r = stranger.get(to_portal(&back)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("n&#x27;est liée à aucun compte")
    );
    assert_eq!(
        stranger
            .get(format!("{}/{slug}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Paul signs in with his password, then links Alice's identity from "Mon compte".
    let r = app
        .post_json(
            &format!("/{slug}/api/v1/auth/password-reset"),
            json!({ "email": PAUL }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let mail = sink.wait_for(PAUL, 1).await;
    let token = link_in(&mail, "http://portail.test/")
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let r = app
        .post_json(
            &format!("/{slug}/api/v1/auth/password-reset/confirm"),
            json!({ "token": token, "password": GOOD }),
        )
        .await;
    assert_eq!(r.status(), 204);
    let paul = client();
    let r = paul
        .post(format!("{}/{slug}/api/v1/auth/login", app.base))
        .json(&json!({ "email": PAUL, "password": GOOD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let account = paul
        .get(format!("{}/{slug}/mon-compte", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("Lier mon identité"));
    let r = paul
        .post(format!("{}/{slug}/oidc/lier", app.base))
        .form(&[("csrf", csrf_of(&account))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back = provider.sign_in(&paul, &location(&r), "alice").await;
    let r = paul.get(to_portal(&back)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        format!("/{slug}/mon-compte?info=identite-liee")
    );
    let account = paul
        .get(format!("{}/{slug}/mon-compte", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("Votre identité est liée à votre compte"));

    // A return is good once: replaying it is refused.
    let replay = paul.get(to_portal(&back)).send().await.unwrap();
    assert_eq!(replay.status(), 403);

    // Now Alice's identity signs Paul in, with a fresh session.
    let phone = client();
    let r = phone
        .get(format!("{}/{slug}/oidc/connexion", app.base))
        .send()
        .await
        .unwrap();
    let back = provider.sign_in(&phone, &location(&r), "alice").await;
    let r = phone.get(to_portal(&back)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("portail_session=")
    );
    let me: Value = phone
        .get(format!("{}/{slug}/api/v1/me", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["guardian"]["email"], PAUL);

    // Login CSRF: an attacker starts a sign-in with their identity and stops before the
    // return; a victim's browser opening that return URL is refused, and not signed in.
    let attacker = client();
    let r = attacker
        .get(format!("{}/{slug}/oidc/connexion", app.base))
        .send()
        .await
        .unwrap();
    let back = provider.sign_in(&attacker, &location(&r), "alice").await;
    let victim = client();
    let r = victim.get(to_portal(&back)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("pas été commencée depuis ce navigateur")
    );
    assert_eq!(
        victim
            .get(format!("{}/{slug}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Bob, whose e-mail matches no one and who linked nothing, stays out.
    let bob = client();
    let r = bob
        .get(format!("{}/{slug}/oidc/connexion", app.base))
        .send()
        .await
        .unwrap();
    let back = provider.sign_in(&bob, &location(&r), "bob").await;
    assert_eq!(
        bob.get(to_portal(&back)).send().await.unwrap().status(),
        403
    );

    // A forged return with a state the portal never issued.
    let forged = format!("{}/{slug}/oidc/retour?code=abc&state=forged", app.base);
    assert_eq!(client().get(forged).send().await.unwrap().status(), 403);
    delete_tenant(&db, &slug).await;
}

#[tokio::test]
async fn without_a_provider_the_oidc_pages_say_so() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("nooidc")
        .named("Mairie Sans")
        .without_families()
        .start()
        .await;
    let page = app
        .get(&format!("/{}/connexion", t.slug))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("oidc/connexion"));
    let r = app.get(&format!("/{}/oidc/connexion", t.slug)).await;
    assert_eq!(r.status(), 404);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ne propose pas cette méthode")
    );
    delete_tenant(&db, &t.slug).await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
