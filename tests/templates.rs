//! Every page template renders, with the data its handler really gives it: the suite opens
//! each page (signed out and signed in, their error states included) and the process's record
//! of rendered templates must then hold every registered one but the partials. One test in its
//! own binary, so the record is this test's.

mod support;

use chrono::TimeZone;
use portail::clock::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";
/// Rendered inside the pages (`{{> name}}`), never by name.
const PARTIALS: [&str; 7] = [
    "layout",
    "error_summary",
    "message_editor",
    "field_row",
    "child_input",
    "password_rules",
    "password_feedback_words",
];

#[tokio::test]
async fn every_page_template_renders_with_what_its_handler_gives_it() {
    let db = db(1).await;
    let t = create_tenant_with_families(&db, "tpl", "Mairie Gabarits").await;
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2027, 1, 11, 8, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let app = TestApp::spawn_with_clock(test_settings(), Arc::new(ManualClock::new(now))).await;
    let slug = &t.slug;
    let page = |client: &reqwest::Client, path: String, status: u16| {
        let client = client.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert_eq!(r.status(), status, "{url}");
            r.text().await.unwrap()
        }
    };
    let anonymous = app.other_client();
    for (path, status) in [
        (format!("/{slug}/"), 200),
        (format!("/{slug}/accessibilite"), 200),
        (format!("/{slug}/connexion"), 200),
        (format!("/{slug}/mot-de-passe-oublie"), 200),
        (format!("/{slug}/aide-connexion"), 200),
        (format!("/{slug}/nouveau-mot-de-passe?token=invalide"), 400),
        (format!("/{slug}/oidc/connexion"), 404),
        ("/ville-inconnue/".to_string(), 404),
    ] {
        page(&anonymous, path, status).await;
    }

    let paul = signed_in(&app, &db, &t, PAUL, PASSWORD).await;
    let children: Value = paul
        .get(format!("{}/{slug}/api/v1/children", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let theo = id_of_named(&children["children"], "Théo");
    for (path, status) in [
        (format!("/{slug}/"), 200),
        (format!("/{slug}/mon-compte"), 200),
        (format!("/{slug}/mon-compte/mot-de-passe"), 200),
        (format!("/{slug}/mon-compte/adresse-email"), 200),
        (format!("/{slug}/foyer"), 200),
        (format!("/{slug}/enfants"), 200),
        (format!("/{slug}/enfants/{theo}"), 200),
        (format!("/{slug}/documents"), 200),
        (format!("/{slug}/factures"), 200),
        (format!("/{slug}/panier"), 200),
        (format!("/{slug}/reservations?semaine=2027-W03"), 200),
        (format!("/{slug}/reservations?semaine=2026-W54"), 400),
        (format!("/{slug}/reservations/historique"), 200),
        (format!("/{slug}/calendrier"), 200),
        (format!("/{slug}/reservations/masse"), 200),
    ] {
        page(&paul, path, status).await;
    }
    // The wizard's last step, then its result.
    let step3 = page(
        &paul,
        format!("/{slug}/reservations/masse?etape=3&prestation=repas&enfant={theo}"),
        200,
    )
    .await;
    let monday = step3
        .split("name=\"jour\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = paul
        .post(format!("{}/{slug}/reservations/masse", app.base))
        .form(&[
            ("csrf", csrf_of(&step3).as_str()),
            ("prestation", "repas"),
            ("enfant", theo.as_str()),
            ("jour", monday.as_str()),
            ("du", "2027-01-18"),
            ("au", "2027-01-29"),
            ("mode", "ajouter"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Réservations enregistrées")
    );
    // The cancel mode, then its result.
    let form = page(
        &paul,
        format!("/{slug}/reservations/masse?action=annuler"),
        200,
    )
    .await;
    let r = paul
        .post(format!("{}/{slug}/reservations/masse", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("action", "annuler"),
            ("prestation", "repas"),
            ("enfant", theo.as_str()),
            ("du", "2027-01-28"),
            ("au", "2027-01-29"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Réservations annulées"));

    payment_return_page(&app, &db, &t, &paul).await;
    messaging_pages(&app, slug, &paul).await;
    staff_pages(&app, &db, &t, &theo, now).await;

    let rendered = portail::templates::rendered();
    let missing: Vec<&str> = portail::templates::names()
        .filter(|name| !PARTIALS.contains(name) && !rendered.contains(*name))
        .collect();
    assert_eq!(missing, Vec::<&str>::new(), "never rendered: {missing:?}");
    delete_tenant(&db, slug).await;
}

/// The page back from PayFiP, for an attempt of Paul's January invoice (the wizard's meals)
/// that PayFiP refused.
async fn payment_return_page(
    app: &TestApp,
    db: &sea_orm::DatabaseConnection,
    t: &portail_tenants::registry::Tenant,
    paul: &reqwest::Client,
) {
    use portail_tenants::database::sql;
    use sea_orm::ConnectionTrait;
    let tx = portail_tenants::TenantTx::begin(db, &t.schema_name)
        .await
        .unwrap();
    let config = portail::portal::repository::tenant_config(&tx)
        .await
        .unwrap();
    let month = portail::billing::month::Month::parse("2027-01").unwrap();
    portail::billing::run::run(&tx, &config, month, chrono::Utc::now(), false, "test")
        .await
        .unwrap();
    let attempt = uuid::Uuid::new_v4();
    tx.execute_raw(sql(
        "INSERT INTO payment_attempts (id, id_op, invoice_id, household_id, numcli, exer, refdet, \
                                       montant, mel, status, created_at, next_check_at) \
         SELECT $1, 'refused-op', id, household_id, '123456', '2027', 'FAC', amount_cents, \
                'paul.alain@demo.example', 'refused', now(), now() FROM invoices LIMIT 1",
        [attempt.into()],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = paul
        .get(format!(
            "{}/{}/factures/retour?paiement={attempt}",
            app.base, t.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("a été refusé"));
}

/// The back-office pages: a member invited as ops would, activated and signed in through the
/// API with a recovery code (the enrolment's TOTP code is spent), then every page opened.
async fn staff_pages(
    app: &TestApp,
    db: &sea_orm::DatabaseConnection,
    t: &portail_tenants::registry::Tenant,
    child: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    const ADMIN: &str = "agent.gabarits@mairie.example";
    let slug = &t.slug;
    let token = support::staff::invite_staff(db, t, ADMIN, "Agent GABARITS", "admin", now).await;

    let staff = app.other_client();
    let get = |path: String| {
        let staff = staff.clone();
        let url = format!("{}/{slug}{path}", app.base);
        async move {
            let r = staff.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            r.text().await.unwrap()
        }
    };
    get(format!("/gestion/activation?token={token}")).await;
    get("/gestion/connexion".into()).await;
    let api = |path: &str, body: Value| {
        staff
            .post(format!("{}/{slug}/api/v1/staff/auth/{path}", app.base))
            .json(&body)
            .send()
    };
    let r = api(
        "activate",
        serde_json::json!({ "token": token, "password": PASSWORD }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let secret = r.json::<Value>().await.unwrap()["totp_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let code = portail::staff::totp::code(&secret, now.timestamp());
    let r = api(
        "activate/confirm",
        serde_json::json!({ "token": token, "code": code }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let recovery = r.json::<Value>().await.unwrap()["recovery_codes"][0]
        .as_str()
        .unwrap()
        .to_string();
    let r = api(
        "login",
        serde_json::json!({ "email": ADMIN, "password": PASSWORD, "code": recovery }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);

    get("/gestion/".into()).await;
    get("/gestion/equipe".into()).await;
    let found = get("/gestion/familles?q=alain".into()).await;
    let href = format!("/{slug}/gestion/familles/");
    let household: String = found
        .split(&href)
        .nth(1)
        .expect("the ALAIN household in the results")
        .chars()
        .take(36)
        .collect();
    get(format!("/gestion/familles/{household}")).await;
    get(format!("/gestion/familles/{household}/journal")).await;
    get("/gestion/textes".into()).await;
    get(format!("/gestion/enfants/{child}")).await;
    get("/gestion/effectifs?date=2027-01-18".into()).await;
    get("/gestion/effectifs/liste?date=2027-01-18&prestation=repas".into()).await;
    get("/gestion/facturation".into()).await;
    get("/gestion/bibliotheque".into()).await;
    // The conversation `messaging_pages` started, from the service's inbox.
    let inbox = get("/gestion/messagerie".into()).await;
    let href = format!("/{slug}/gestion/messagerie/");
    let conversation: String = inbox
        .split(&href)
        .nth(1)
        .unwrap()
        .chars()
        .take(36)
        .collect();
    get(format!("/gestion/messagerie/{conversation}")).await;
}

/// The parents' messaging pages, a conversation started through the API.
async fn messaging_pages(app: &TestApp, slug: &str, paul: &reqwest::Client) {
    let r = paul
        .post(format!("{}/{slug}/api/v1/conversations", app.base))
        .json(&serde_json::json!({ "service": "enfance", "subject": "Gabarits", "body": "<p>Bonjour</p>" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "/messagerie".to_string(),
        "/messagerie/nouveau?service=enfance".into(),
        format!("/messagerie/{id}"),
    ] {
        let r = paul
            .get(format!("{}/{slug}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
}
