//! Languages end to end: the guardian's saved language (`PATCH /me`), the footer's switch
//! (`lang` cookie), `Accept-Language` on pages and on the API, the municipality's
//! restriction, and French unchanged when nothing asks for another language.

mod support;

use serde_json::json;
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const GOOD: &str = "Vélo#Rouge42x";

async fn text_of(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

#[tokio::test]
async fn accept_language_chooses_the_page_language_and_french_is_the_default() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang")
        .named("Mairie de Lannion")
        .without_families()
        .start()
        .await;
    let url = format!("{}/{}/connexion", app.base, t.slug);

    let fr = text_of(app.client.get(&url).send().await.unwrap()).await;
    assert!(fr.starts_with("<!doctype html>\n<html lang=\"fr\">"));
    assert!(
        fr.contains(">Connexion</h1>")
            && fr.contains("Première connexion ou mot de passe oublié ?")
    );

    let r = app
        .client
        .get(&url)
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-language"], "en");
    assert_eq!(r.headers()["vary"], "Accept-Language, Cookie");
    let en = text_of(r).await;
    assert!(
        en.starts_with("<!doctype html>\n<html lang=\"en\">"),
        "{}",
        &en[..80]
    );
    assert!(en.contains(">Sign in</h1>") && en.contains("First sign-in or forgotten password?"));
    assert!(
        en.contains("<title>Sign in – Mairie de Lannion</title>"),
        "the title follows"
    );
    assert!(
        !en.contains("Mot de passe"),
        "no French left on the sign-in page"
    );

    // A language we do not speak: French.
    let de = app
        .client
        .get(&url)
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    assert!(text_of(de).await.contains("<html lang=\"fr\">"));
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_footer_switch_sets_the_cookie_and_returns_to_the_same_page_of_the_municipality() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang")
        .named("Mairie de Lannion")
        .without_families()
        .start()
        .await;
    let page = text_of(app.get(&format!("/{}/aide-connexion?x=1", t.slug)).await).await;
    let link = format!(
        "/{}/langue/en?retour=/{}/aide-connexion%3Fx%3D1",
        t.slug, t.slug
    );
    assert!(
        // As written in the page: handlebars escapes `=` in attributes.
        page.contains(&format!(
            "href=\"{}\" lang=\"en\" hreflang=\"en\">English</a>",
            link.replace('=', "&#x3D;")
        )),
        "the footer offers English"
    );

    let r = app.get(&link).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/aide-connexion?x=1", t.slug)
    );
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("lang=en; Path=/") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let en = text_of(app.get(&format!("/{}/aide-connexion", t.slug)).await).await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Help with signing in"));

    // The cookie beats Accept-Language.
    let r = app
        .client
        .get(format!("{}/{}/", app.base, t.slug))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert!(text_of(r).await.contains("<html lang=\"en\">"));

    // Never an open redirect; an unknown language is a 404.
    let r = app
        .get(&format!(
            "/{}/langue/fr?retour=https://evil.example/",
            t.slug
        ))
        .await;
    assert_eq!(r.headers()["location"], format!("/{}/", t.slug));
    let r = app
        .get(&format!("/{}/langue/fr?retour=//evil.example/", t.slug))
        .await;
    assert_eq!(r.headers()["location"], format!("/{}/", t.slug));
    assert_eq!(
        app.get(&format!("/{}/langue/de", t.slug)).await.status(),
        404
    );
    let fr = text_of(app.get(&format!("/{}/aide-connexion", t.slug)).await).await;
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Aide à la connexion"));
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn patch_me_saves_the_language_which_wins_over_cookie_and_header_and_survives_sign_in() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang").named("Mairie de Lannion").start().await;
    let client = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let me = format!("{}/{}/api/v1/me", app.base, t.slug);

    // Refusals, in the language the client asks for.
    let r = client
        .patch(&me)
        .header("accept-language", "en")
        .json(&json!({ "locale": "de" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_locale");
    assert_eq!(
        body["message"],
        "This language is not offered by the portal. Possible languages: fr, en."
    );
    let r = client
        .patch(&me)
        .json(&json!({ "locale": "de" }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Cette langue n'est pas proposée")
    );
    let r = client
        .patch(&me)
        .json(&json!({ "locale": "en", "household_id": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "unknown fields are refused");
    let r = app
        .client
        .patch(&me)
        .json(&json!({ "locale": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let r = client
        .patch(&me)
        .json(&json!({ "locale": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({ "locale": "en" })
    );
    let saved: serde_json::Value = client.get(&me).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        saved["locale"], "en",
        "GET /me gives the saved language back"
    );

    // Saved: English even when the header says French (the cookie's rank: a unit test).
    let foyer = format!("{}/{}/foyer", app.base, t.slug);
    let page = client
        .get(&foyer)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let page = text_of(page).await;
    assert!(page.contains("<html lang=\"en\">") && page.contains(">My household</h1>"));
    assert!(page.contains("Civil status") && page.contains("Sign out"));

    // Signed out: French again; signed in again: English, from the saved preference.
    let fresh = app.other_client();
    let page = text_of(
        fresh
            .get(format!("{}/{}/", app.base, t.slug))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("<html lang=\"fr\">"));
    let r = fresh
        .post(format!("{}/{}/api/v1/auth/login", app.base, t.slug))
        .json(&json!({ "email": PAUL, "password": GOOD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = text_of(
        fresh
            .get(format!("{}/{}/enfants", app.base, t.slug))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("<html lang=\"en\">") && page.contains(">My children</h1>"),
        "{page}"
    );

    // API errors follow Accept-Language.
    let r = app
        .client
        .get(format!("{}/{}/api/v1/nothing-here", app.base, t.slug))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        "The page you asked for does not exist or is no longer available."
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_grid_speaks_english_with_its_calendar_words() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang").named("Mairie de Lannion").start().await;
    let client = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let url = format!("{}/{}/reservations?semaine=2027-W03", app.base, t.slug);
    let fr = text_of(client.get(&url).send().await.unwrap()).await;
    assert!(
        fr.contains("Semaine 03 / 2027")
            && fr.contains("lundi")
            && fr.contains("Disponible à la réservation")
    );
    let en = text_of(
        client
            .get(&url)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(en.contains("Week 03 / 2027"), "week label");
    assert!(
        en.contains(">Monday<") && en.contains(">Mon<") && en.contains("18 Jan"),
        "day names"
    );
    assert!(
        en.contains("Available for booking") && en.contains("+ Book in bulk"),
        "legend and buttons"
    );
    for french in ["lundi", "Réserver", "Semaine", "janv."] {
        assert!(!en.contains(french), "{french} left on the English grid");
    }
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_municipality_that_offers_only_french_speaks_only_french() {
    let db = db(1).await;
    let slug = portail_tenants::Slug::parse(&random_slug("lang")).unwrap();
    let source = std::fs::read_to_string(root().join("tenants/examples/demo.toml"))
        .unwrap()
        .replace("locales = [\"fr\", \"en\"]", "locales = [\"fr\"]");
    let config = portail_tenants::TenantConfig::from_toml(&source).unwrap();
    assert_eq!(config.portal.locales, vec![portail::i18n::Locale::Fr]);
    portail_tenants::provisioning::create(&db, &slug, &config, &source)
        .await
        .unwrap();
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/{}/connexion", app.base, slug.as_str()))
        .header("accept-language", "en")
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    let page = text_of(r).await;
    assert!(page.contains("<html lang=\"fr\">") && page.contains(">Connexion</h1>"));
    assert!(
        !page.contains("/langue/"),
        "no language switch with one language"
    );
    let r = app.get(&format!("/{}/langue/en", slug.as_str())).await;
    assert_eq!(r.status(), 404);
    delete_tenant(&db, slug.as_str()).await;
}

#[tokio::test]
async fn a_mail_is_written_in_the_recipient_s_saved_language() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "lang", "Mairie de Lannion").await;
    let sink = support::peers::SmtpSink::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let app = TestApp::spawn_with(settings).await;
    let client = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let r = client
        .patch(format!("{}/{}/api/v1/me", app.base, t.slug))
        .json(&json!({ "locale": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Asked from a French page: the mail follows the recipient's saved language.
    let r = app
        .client
        .post(format!(
            "{}/{}/api/v1/auth/password-reset",
            app.base, t.slug
        ))
        .header("accept-language", "fr")
        .json(&json!({ "email": PAUL }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mail = sink.wait_for(PAUL, 1).await;
    assert_eq!(mail.subject.as_deref(), Some("New password request"));
    let text = mail.text.clone().unwrap();
    assert!(
        text.contains("Hello Paul,") && text.contains("Create the password:"),
        "{text}"
    );
    // The HTML part, quoted-printable in the raw message.
    let raw = sink.raw(&mail).replace("=\r\n", "").replace("=3D", "=");
    assert!(raw.contains("<html lang=\"en\">"), "{raw}");
    delete_tenant(&db, &t.slug).await;
}

/// Every page of a signed-in guardian, in English: none of the portal's own French words
/// left (the municipality's texts, names and prestations stay as written).
#[tokio::test]
async fn the_family_pages_in_english_keep_no_french_of_the_portal() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang").named("Mairie de Lannion").start().await;
    let client = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let children = client
        .get(format!("{}/{}/api/v1/children", app.base, t.slug))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let child = children["children"][0]["id"].as_str().unwrap().to_string();
    let config = portail_tenants::TenantConfig::from_toml(
        &std::fs::read_to_string(root().join("tenants/examples/demo.toml")).unwrap(),
    )
    .unwrap();
    let notice = config.portal.reservation_notice.clone();
    let pages = [
        String::new(),
        "foyer".into(),
        "enfants".into(),
        format!("enfants/{child}"),
        "documents".into(),
        "reservations?semaine=2027-W03".into(),
        "reservations/historique".into(),
        "reservations/masse".into(),
        "calendrier".into(),
        "mon-compte".into(),
        "mon-compte/mot-de-passe".into(),
        "mon-compte/adresse-email".into(),
        "mon-compte/adresse-email/confirmer?token=expired".into(),
        "accessibilite".into(),
        "nulle-part".into(),
    ];
    let french = [
        "Vous ",
        "vous ",
        "Votre",
        "votre ",
        "Mettre à jour",
        "Enregistrer",
        "Retour",
        "Choisissez",
        "Aucun",
        "Fiche",
        "Réserv",
        "Semaine",
        "Mes ",
        "Mon ",
        "Connecté",
        "déconnecter",
        "Portail famille",
        "Légende",
        "Nombre",
    ];
    for page in pages {
        let r = client
            .get(format!("{}/{}/{page}", app.base, t.slug))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let mut html = text_of(r).await;
        assert!(html.contains("<html lang=\"en\">"), "/{page}");
        // The municipality's own texts stay as written: the welcome text and the notice.
        if let Some(start) = html.find("<div class=\"prose\">") {
            let end = start + html[start..].find("</div>").unwrap();
            html.replace_range(start..end, "");
        }
        html = html
            .replace(&notice, "")
            .replace(&config.portal.welcome_title, "");
        for word in french {
            assert!(!html.contains(word), "/{page} still says {word:?}");
        }
    }
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn refusals_before_any_municipality_speak_the_visitor_s_language() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("lang-host")
        .named("Mairie de Lannion")
        .without_families()
        .start()
        .await;
    let refused = |lang: &'static str| {
        app.client
            .get(format!("{}/{}/", app.base, t.slug))
            .header("host", "evil.example")
            .header("accept-language", lang)
            .send()
    };
    let r = refused("en").await.unwrap();
    assert_eq!(r.status(), 421);
    let en = text_of(r).await;
    assert!(
        en.contains("<html lang=\"en\">")
            && en.contains("This portal does not answer at this address."),
        "{en}"
    );
    let fr = text_of(refused("fr").await.unwrap()).await;
    assert!(
        fr.contains("Ce portail ne répond pas à cette adresse."),
        "{fr}"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_sign_in_address_change_speaks_the_guardian_s_language() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "lang", "Mairie de Lannion").await;
    let sink = support::peers::SmtpSink::start();
    let mut settings = test_settings();
    settings.smtp_url = Some(portail::settings::Secret::new(sink.url()));
    let app = TestApp::spawn_with(settings).await;
    let client = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let url = |path: &str| format!("{}/{}/api/v1{path}", app.base, t.slug);
    let r = client
        .patch(url("/me"))
        .json(&json!({ "locale": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let household: serde_json::Value = client
        .get(url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let me = household["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["email"] == PAUL)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let guardian = url(&format!("/household/guardians/{me}"));

    let r = client
        .patch(&guardian)
        .json(&json!({ "email": "paul.new@demo.example", "current_password": "not it" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["fields"]["current_password"], "The current password is incorrect.",
        "{body}"
    );

    let new = "paul.new@demo.example";
    let r = client
        .patch(&guardian)
        .json(&json!({ "email": new, "current_password": GOOD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert!(
        r.json::<serde_json::Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("A confirmation link has just been sent to the new address.")
    );
    let notice = sink.wait_for(PAUL, 1).await;
    assert_eq!(
        notice.subject.as_deref(),
        Some("Change of your e-mail address requested")
    );
    assert!(notice.text.as_deref().unwrap().contains("Hello Paul,"));
    let confirmation = sink.wait_for(new, 1).await;
    assert_eq!(
        confirmation.subject.as_deref(),
        Some("Confirm your new e-mail address")
    );
    let text = confirmation.text.clone().unwrap();
    assert!(
        text.contains(&format!(
            "You asked for {new} to become your sign-in address"
        )),
        "{text}"
    );
    let raw = sink
        .raw(&confirmation)
        .replace("=\r\n", "")
        .replace("=3D", "=");
    assert!(raw.contains("<html lang=\"en\">"), "{raw}");
    delete_tenant(&db, &t.slug).await;
}
