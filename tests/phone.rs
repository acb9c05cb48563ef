//! The phone-first pass over the parents' pages: error pages inside the municipality's
//! layout, the sign-in page's way back to the page first asked for (same municipality only),
//! the booking grid's week with its dates and its confirmations in the child's card.

mod support;

use support::*;

const PAUL: &str = "paul.alain@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

#[tokio::test]
async fn a_missing_page_keeps_the_municipality_s_menu_and_ways_back() {
    let app = TestApp::spawn().await;
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "perdu", "Ville Perdue").await;

    let r = app.get(&format!("/{}/nulle-part", t.slug)).await;
    assert_eq!(r.status(), 404);
    let page = r.text().await.unwrap();
    assert!(page.contains("Page introuvable"), "{page}");
    assert!(page.contains("Navigation principale"), "the menu is there");
    assert!(page.contains("Ville Perdue"));
    assert!(page.contains(&format!("href=\"/{}/\"", t.slug)));
    assert!(page.contains("Retour à l&#x27;accueil") || page.contains("Retour à l'accueil"));
    assert!(page.contains(&format!("href=\"/{}/reservations\"", t.slug)));

    // Signed in, a child that is not the household's: the banner says who is signed in.
    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    let r = paul
        .get(format!(
            "{}/{}/enfants/{}",
            app.base,
            t.slug,
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let page = r.text().await.unwrap();
    assert!(page.contains("Se déconnecter"), "{page}");
    assert!(page.contains("Aller aux réservations"));

    // The API keeps its JSON answer.
    let r = app.get(&format!("/{}/api/v1/nulle-part", t.slug)).await;
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    delete_tenant(&db, t.slug.as_str()).await;
}

#[tokio::test]
async fn the_sign_in_help_page_is_not_marked_as_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "aide", "Ville Aide").await;
    let page = app
        .get(&format!("/{}/aide-connexion", t.slug))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("aria-current=\"page\""), "{page}");
    delete_tenant(&db, t.slug.as_str()).await;
}

/// Signs in through the form with `retour` and answers where the portal sends the parent.
async fn sign_in_returning_to(app: &TestApp, slug: &str, retour: &str) -> String {
    let client = app.other_client();
    let url = format!("{}/{slug}/connexion", app.base);
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", PAUL),
            ("password", PASSWORD),
            ("retour", retour),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{retour}");
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn sign_in_returns_to_the_page_first_asked_for_of_the_same_municipality_only() {
    let app = TestApp::spawn().await;
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "retour", "Ville Retour").await;
    set_password_in_db(&db, &t, PAUL, PASSWORD).await;
    let slug = t.slug.as_str();

    // Signed out, the grid of a given week sends to the sign-in page, which keeps the way back.
    let r = app
        .get(&format!("/{slug}/reservations?semaine=2027-W03"))
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("/{slug}/connexion?retour=/{slug}/reservations%3Fsemaine%3D2027-W03")
    );
    let page = app.get(&location).await.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "name=\"retour\" value=\"/{slug}/reservations?semaine&#x3D;2027-W03\""
        )),
        "{page}"
    );
    assert_eq!(
        sign_in_returning_to(
            &app,
            slug,
            &format!("/{slug}/reservations?semaine=2027-W03")
        )
        .await,
        format!("/{slug}/reservations?semaine=2027-W03")
    );

    // Anything else than a path of this municipality lands on its home page.
    for attempt in [
        "https://evil.example/".to_string(),
        "//evil.example/".to_string(),
        format!("/{slug}//evil.example"),
        "/autre-ville/reservations".to_string(),
        format!("/{slug}/../autre-ville/"),
        format!("/{slug}/\\evil.example"),
        "javascript:alert(1)".to_string(),
    ] {
        assert_eq!(
            sign_in_returning_to(&app, slug, &attempt).await,
            format!("/{slug}/"),
            "{attempt}"
        );
    }
    delete_tenant(&db, slug).await;
}

#[tokio::test]
async fn an_empty_sign_in_says_which_fields_are_missing_with_links_to_them() {
    let app = TestApp::spawn().await;
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "vide", "Ville Vide").await;
    let client = app.other_client();
    let url = format!("{}/{}/connexion", app.base, t.slug);
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", PAUL),
            ("password", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(!page.contains("incorrect"), "{page}");
    assert!(page.contains("remplissez les champs indiqués"));
    assert!(
        page.contains("<a href=\"#password\">Mot de passe : Saisissez votre mot de passe.</a>")
    );
    assert!(page.contains("<title>Erreur : Connexion"), "{page}");
    assert!(page.contains("id=\"password-erreur\">Saisissez votre mot de passe.</p>"));
    // No anchor on the form's action: the browser would keep it on the page signed in to.
    assert!(page.contains("/connexion\" novalidate>"), "{page}");
    assert!(!page.contains("href=\"#email\""), "the e-mail was given");
    assert!(
        page.contains(&format!("value=\"{PAUL}\"")),
        "the value is kept"
    );
    delete_tenant(&db, t.slug.as_str()).await;
}

#[tokio::test]
async fn a_refused_sign_in_is_said_in_the_shared_summary_and_first_in_the_title() {
    let app = TestApp::spawn().await;
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "refus", "Ville Refus").await;
    let client = app.other_client();
    let url = format!("{}/{}/connexion", app.base, t.slug);
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<title>Connexion"), "no error yet: {page}");
    assert!(page.contains("<label for=\"email\">Adresse e-mail</label>"));
    let r = client
        .post(&url)
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("email", PAUL),
            ("password", "pas-le-bon"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>Erreur : Connexion"), "{page}");
    assert!(page.contains("id=\"connexion-erreur\" tabindex=\"-1\" data-error-summary"));
    assert!(page.contains("<p>Adresse e-mail ou mot de passe incorrect.</p>"));
    assert!(
        page.contains(&format!("value=\"{PAUL}\"")),
        "the value is kept"
    );
    delete_tenant(&db, t.slug.as_str()).await;
}
