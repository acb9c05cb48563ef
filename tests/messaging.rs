//! Messaging between families and services, end to end (real PostgreSQL and Redis, mail read
//! from the outbox): a parent writes from the pages and the API, both guardians see the
//! household's conversations, the service gets a mail (without the message if configured so),
//! staff answer from their inbox (unread first, assign, close), the guardians get a mail
//! unless they opted out, unread counts in the banner; hostile HTML is stripped, a too long
//! message or an unknown service is refused, another household's or municipality's
//! conversation is not found, and parents do not reach the staff routes.

mod support;

use chrono::{TimeZone, Utc};
use portail::clock::Clock;
use portail::clock::ManualClock;
use portail_tenants::registry::Tenant;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::sync::Arc;
use support::staff::staff_signed_in;
use support::*;

const GOOD: &str = "Vélo#Rouge42x";
const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const ENFANCE: &str = "service.enfance@demo.example";
const AGENT: &str = "alice.accueil@mairie.example";

struct World {
    app: TestApp,
    db: DatabaseConnection,
    tenant: Tenant,
    clock: Arc<ManualClock>,
}

impl World {
    async fn new(prefix: &str) -> Self {
        let db = db(2).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie de Test").await;
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        ));
        let app = TestApp::spawn_with_clock(test_settings(), clock.clone()).await;
        World {
            app,
            db,
            tenant,
            clock,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.tenant.slug)
    }

    async fn parent(&self, email: &str) -> reqwest::Client {
        signed_in(&self.app, &self.db, &self.tenant, email, GOOD).await
    }

    async fn agent(&self) -> reqwest::Client {
        staff_signed_in(
            &self.app,
            &self.db,
            &self.tenant,
            AGENT,
            "Alice ACCUEIL",
            "accueil",
            self.clock.now(),
        )
        .await
    }

    async fn page(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let r = client.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    async fn api(&self, client: &reqwest::Client, path: &str, body: Value) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/v1{path}")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get_json(&self, client: &reqwest::Client, path: &str) -> (u16, Value) {
        let r = client
            .get(self.url(&format!("/api/v1{path}")))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Starts a conversation through the API; its id.
    async fn write(&self, client: &reqwest::Client, service: &str, body: &str) -> String {
        let r = self
            .api(
                client,
                "/conversations",
                json!({ "service": service, "subject": "Enfant malade", "body": body }),
            )
            .await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The mails queued for `to`: (subject, text, html), oldest first.
    async fn mails(&self, to: &str) -> Vec<(String, String, String)> {
        let tx = portail_tenants::TenantTx::begin(&self.db, &self.tenant.schema_name)
            .await
            .unwrap();
        let rows = tx
            .query_all_raw(portail_tenants::database::sql(
                "SELECT subject, text_body, html_body FROM outbox WHERE to_address = $1 ORDER BY id",
                [to.into()],
            ))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get("", "subject").unwrap(),
                    r.try_get("", "text_body").unwrap(),
                    r.try_get("", "html_body").unwrap(),
                )
            })
            .collect()
    }

    async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

#[tokio::test]
async fn a_parent_writes_from_the_pages_and_both_guardians_see_the_conversation() {
    let w = World::new("msg-pages").await;
    let paul = w.parent(PAUL).await;

    let (status, html) = w.page(&paul, "/messagerie").await;
    assert_eq!(status, 200);
    for expected in [
        "Par voie postale",
        "1 place de la mairie - 22300 Lannion",
        "02 02 02 02 02",
        "Mes conversations",
        "Vous n'avez pas encore de conversation.",
        "Service enfance",
        "Service jeunesse",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(html.contains(&format!(
        // Handlebars writes `=` as `&#x3D;` in attributes: the same link for a browser.
        "href=\"/{}/messagerie/nouveau?service&#x3D;enfance\"",
        w.tenant.slug
    )));

    let (status, html) = w.page(&paul, "/messagerie/nouveau?service=enfance").await;
    assert_eq!(status, 200);
    assert!(html.contains("Objet du message") && html.contains("▶ Envoyer"));
    assert!(html.contains("data-rich-editor") && html.contains("name=\"format\" value=\"text\""));
    let csrf = csrf_of(&html);
    // An unknown service has no form.
    assert_eq!(
        w.page(&paul, "/messagerie/nouveau?service=piscine").await.0,
        404
    );

    // Without JavaScript: plain text, escaped, its lines kept.
    let r = w
        .post_form(
            &paul,
            "/messagerie/nouveau",
            &[
                ("csrf", &csrf),
                ("service", "enfance"),
                ("subject", "Enfant malade"),
                (
                    "body",
                    "Bonjour,\nThéo a de la fièvre <38,5°>.\n\nMerci, ALAIN Paul",
                ),
                ("format", "text"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let prefix = format!("/{}/messagerie/", w.tenant.slug);
    assert!(location.starts_with(&prefix) && location.ends_with("?info=envoye"));
    let id = location[prefix.len()..prefix.len() + 36].to_string();

    let (status, html) = w.page(&paul, &location[w.tenant.slug.len() + 1..]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Votre message a bien été envoyé."));
    assert!(html.contains("< Retour à la liste des messages"));
    assert!(html.contains("<p class=\"thread-author\">Moi</p>"));
    assert!(
        html.contains(
            "<p>Bonjour,<br>Théo a de la fièvre &lt;38,5°&gt;.</p><p>Merci, ALAIN Paul</p>"
        )
    );
    assert!(html.contains("30 nov. 2026 10:00"), "Paris time: {html}");

    // The service is told, with the message.
    let mails = w.mails(ENFANCE).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].0,
        "Nouveau message de la famille ALAIN : Enfant malade"
    );
    assert!(mails[0].1.contains("Théo a de la fièvre <38,5°>."));
    assert!(mails[0].1.contains(&format!(
        "http://portail.test/{}/gestion/messagerie/{id}",
        w.tenant.slug
    )));
    assert!(mails[0].2.contains("&lt;38,5°&gt;"));

    // The other guardian of the household sees it, with Paul's name, and can reply.
    let sophie = w.parent(SOPHIE).await;
    let (_, list) = w.get_json(&sophie, "/conversations").await;
    assert_eq!(list["conversations"][0]["id"], id.as_str());
    assert_eq!(list["conversations"][0]["service"], "enfance");
    assert_eq!(list["conversations"][0]["unread"], 0);
    let (_, thread) = w.get_json(&sophie, &format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"][0]["author"], "me");
    assert_eq!(thread["messages"][0]["author_name"], "Paul ALAIN");
    let (_, html) = w.page(&sophie, &format!("/messagerie/{id}")).await;
    assert!(html.contains("<p class=\"thread-author\">Paul ALAIN</p>"));
    let csrf = csrf_of(&html);
    // A reply from the editor (JavaScript): its HTML, sanitised.
    let r = w
        .post_form(
            &sophie,
            &format!("/messagerie/{id}"),
            &[
                ("csrf", csrf.as_str()),
                (
                    "body",
                    "<p>Il ira <b>mieux</b> demain<script>x()</script></p>",
                ),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, thread) = w.get_json(&paul, &format!("/conversations/{id}")).await;
    assert_eq!(
        thread["messages"][1]["body_html"],
        "<p>Il ira <b>mieux</b> demain</p>"
    );
    let mails = w.mails(ENFANCE).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].0, "Réponse de la famille ALAIN : Enfant malade");

    // An empty message and an empty subject are refused with their words, the form kept.
    let (_, html) = w.page(&paul, "/messagerie/nouveau?service=enfance").await;
    let r = w
        .post_form(
            &paul,
            "/messagerie/nouveau",
            &[
                ("csrf", &csrf_of(&html)),
                ("service", "enfance"),
                ("subject", " "),
                ("body", "<b> </b>"),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Indiquez l&#x27;objet du message."));
    assert!(html.contains("Écrivez votre message."));
    assert!(html.contains("role=\"alert\""));
    // Without its token, the form is refused.
    let r = w
        .post_form(
            &paul,
            "/messagerie/nouveau",
            &[("service", "enfance"), ("subject", "x"), ("body", "y")],
        )
        .await;
    assert_eq!(r.status(), 403);
    w.cleanup().await;
}

#[tokio::test]
async fn hostile_html_is_stripped_and_bad_input_refused() {
    let w = World::new("msg-bad").await;
    let paul = w.parent(PAUL).await;
    let id = w
        .write(
            &paul,
            "enfance",
            concat!(
                "<p style=\"background:url(x)\" onclick=\"steal()\">Bonjour <b>gras</b> <i>italique</i> <u>souligné</u></p>",
                "<script>alert(1)</script><img src=x onerror=\"alert(2)\">",
                "<a href=\"javascript:alert(3)\">lien</a><style>body{display:none}</style>",
                "<iframe src=\"https://evil.example\"></iframe><strong>fort</strong><em>penché</em>"
            ),
        )
        .await;
    let (status, thread) = w.get_json(&paul, &format!("/conversations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        thread["messages"][0]["body_html"],
        "<p>Bonjour <b>gras</b> <i>italique</i> <u>souligné</u></p>lien<strong>fort</strong><em>penché</em>"
    );
    let (_, html) = w.page(&paul, &format!("/messagerie/{id}")).await;
    for hostile in [
        "alert(",
        "onerror",
        "javascript:",
        "display:none",
        "<iframe",
        "onclick",
        "steal()",
    ] {
        assert!(!html.contains(hostile), "{hostile} on the page");
    }

    // 100 kB: refused by the messaging itself (422), on the API and the page.
    let long = "a".repeat(100_000);
    let r = w
        .api(
            &paul,
            "/conversations",
            json!({ "service": "enfance", "subject": "Long", "body": long }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    assert!(
        body["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("trop long")
    );
    let r = w
        .api(
            &paul,
            &format!("/conversations/{id}/messages"),
            json!({ "body": long }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let (_, html) = w.page(&paul, &format!("/messagerie/{id}")).await;
    let r = w
        .post_form(
            &paul,
            &format!("/messagerie/{id}"),
            &[
                ("csrf", &csrf_of(&html)),
                ("body", &long),
                ("format", "text"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Votre message est trop long")
    );

    // Past 256 KiB the body is not read at all.
    let r = w
        .api(
            &paul,
            "/conversations",
            json!({ "service": "enfance", "subject": "Énorme", "body": "a".repeat(300_000) }),
        )
        .await;
    assert_eq!(r.status(), 413);

    // A service that does not exist.
    let r = w
        .api(
            &paul,
            "/conversations",
            json!({ "service": "piscine", "subject": "Horaires", "body": "Bonjour" }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"]["service"], "Ce service n'existe pas.");
    // Nothing was stored by the refusals.
    let (_, list) = w.get_json(&paul, "/conversations").await;
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1);
    let (_, thread) = w.get_json(&paul, &format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);

    // Signed out: 401.
    let anonymous = w.app.other_client();
    let (status, _) = w.get_json(&anonymous, "/conversations").await;
    assert_eq!(status, 401);
    w.cleanup().await;
}

#[tokio::test]
async fn another_households_or_municipalitys_conversation_is_not_found() {
    let w = World::new("msg-other").await;
    let paul = w.parent(PAUL).await;
    let id = w.write(&paul, "enfance", "<p>Bonjour</p>").await;

    let maiwenn = w.parent(MAIWENN).await;
    let (status, body) = w.get_json(&maiwenn, &format!("/conversations/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
    let r = w
        .api(
            &maiwenn,
            &format!("/conversations/{id}/messages"),
            json!({ "body": "intrus" }),
        )
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(w.page(&maiwenn, &format!("/messagerie/{id}")).await.0, 404);
    let (_, list) = w.get_json(&maiwenn, "/conversations").await;
    assert_eq!(list["conversations"], json!([]));

    // The same families in another municipality: the id finds nothing there.
    let other = create_tenant_with_families(&w.db, "msg-other2", "Autre Mairie").await;
    let paul_elsewhere = signed_in(&w.app, &w.db, &other, PAUL, GOOD).await;
    let r = paul_elsewhere
        .get(format!(
            "{}/{}/api/v1/conversations/{id}",
            w.app.base, other.slug
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    delete_tenant(&w.db, &other.slug).await;
    w.cleanup().await;
}

#[tokio::test]
async fn parents_do_not_reach_the_staff_routes() {
    let w = World::new("msg-guard").await;
    let paul = w.parent(PAUL).await;
    let id = w.write(&paul, "enfance", "<p>Bonjour</p>").await;

    let (status, body) = w
        .get_json(&paul, "/staff/conversations?service=enfance")
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "not_authenticated");
    let r = w
        .api(
            &paul,
            &format!("/staff/conversations/{id}/messages"),
            json!({ "body": "Je suis le service" }),
        )
        .await;
    assert_eq!(r.status(), 401);
    let r = paul.get(w.url("/gestion/messagerie")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/gestion/connexion", w.tenant.slug).as_str()
    );
    let (_, thread) = w.get_json(&paul, &format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);
    w.cleanup().await;
}

#[tokio::test]
async fn staff_answer_from_their_inbox_and_the_family_is_told() {
    let w = World::new("msg-staff").await;
    let paul = w.parent(PAUL).await;
    let sophie = w.parent(SOPHIE).await;
    // Sophie stops the mails of answers in "Mon compte".
    let (_, html) = w.page(&sophie, "/mon-compte").await;
    assert!(html.contains("name=\"message_mail\" value=\"1\" checked"));
    let r = w
        .post_form(
            &sophie,
            "/mon-compte/messagerie",
            &[("csrf", &csrf_of(&html))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = w
        .page(&sophie, "/mon-compte?info=preference-messagerie")
        .await;
    assert!(html.contains("Votre choix pour les avis de réponse a été enregistré."));
    assert!(!html.contains("name=\"message_mail\" value=\"1\" checked"));

    let first = w.write(&paul, "enfance", "<p>Premier</p>").await;
    w.clock.advance(chrono::Duration::minutes(5));
    let second = w.write(&paul, "enfance", "<p>Second</p>").await;
    let other = w.write(&paul, "jeunesse", "<p>Jeunesse</p>").await;
    let agent = w.agent().await;

    // Both unread, the latest first; the other service's is not in this inbox.
    let (status, inbox) = w
        .get_json(&agent, "/staff/conversations?service=enfance")
        .await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = inbox["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()]);
    assert!(!ids.contains(&other.as_str()));
    assert_eq!(inbox["conversations"][0]["unread"], true);
    assert_eq!(inbox["conversations"][0]["family"], "ALAIN");
    let (status, _) = w
        .get_json(&agent, "/staff/conversations?service=piscine")
        .await;
    assert_eq!(status, 422);

    // The agent opens the older one (read), takes it and answers from the page.
    let (status, html) = w.page(&agent, "/gestion/messagerie?service=enfance").await;
    assert_eq!(status, 200);
    assert!(html.contains("Premier") || html.contains("Enfant malade"));
    let (status, html) = w
        .page(&agent, &format!("/gestion/messagerie/{first}"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("<p>Premier</p>"));
    let r = w
        .post_form(
            &agent,
            &format!("/gestion/messagerie/{first}/attribuer"),
            &[("csrf", &csrf_of(&html))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = w
        .page(
            &agent,
            &format!("/gestion/messagerie/{first}?info=attribuee"),
        )
        .await;
    assert!(html.contains("La conversation vous est attribuée."));
    assert!(html.contains("Suivie par Alice ACCUEIL"));
    let r = w
        .post_form(
            &agent,
            &format!("/gestion/messagerie/{first}/repondre"),
            &[
                ("csrf", &csrf_of(&html)),
                (
                    "body",
                    "<p>Bien <b>noté</b>, bon rétablissement.</p><img src=x onerror=alert(1)>",
                ),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Now the unread one comes first: the answered one is read.
    let (_, inbox) = w
        .get_json(&agent, "/staff/conversations?service=enfance")
        .await;
    assert_eq!(inbox["conversations"][0]["id"], second.as_str());
    assert_eq!(inbox["conversations"][1]["unread"], false);
    assert_eq!(inbox["conversations"][1]["assigned_to"], "Alice ACCUEIL");

    // Paul is told by mail (Sophie opted out), without the message.
    let mails = w.mails(PAUL).await;
    let answers: Vec<_> = mails
        .iter()
        .filter(|m| m.0 == "Service enfance vous a répondu")
        .collect();
    assert_eq!(answers.len(), 1);
    assert!(answers[0].1.contains(&format!(
        "http://portail.test/{}/messagerie/{first}",
        w.tenant.slug
    )));
    assert!(!answers[0].1.contains("rétablissement"));
    assert!(w.mails(SOPHIE).await.is_empty());

    // Paul sees one unread: in the banner, the list; the thread signed by the service.
    let (_, html) = w.page(&paul, "/messagerie").await;
    assert!(html.contains("<span class=\"badge\" aria-hidden=\"true\">1</span>"));
    assert!(html.contains("1 message non lu"));
    let (_, list) = w.get_json(&paul, "/conversations").await;
    let line = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == first.as_str())
        .unwrap()
        .clone();
    assert_eq!(line["unread"], 1);
    let (_, html) = w.page(&paul, &format!("/messagerie/{first}")).await;
    assert!(html.contains("<p class=\"thread-author\">Service enfance</p>"));
    assert!(html.contains("<p>Bien <b>noté</b>, bon rétablissement.</p>"));
    assert!(
        !html.contains("Alice"),
        "signed with the service's name only"
    );
    // Read: the banner has no count any more.
    let (_, html) = w.page(&paul, "/messagerie").await;
    assert!(!html.contains("message non lu"));
    // Sophie has not read it yet.
    let (_, list) = w.get_json(&sophie, "/conversations").await;
    let unread: i64 = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["unread"].as_i64().unwrap())
        .sum();
    assert_eq!(unread, 1);
    let tx = portail_tenants::TenantTx::begin(&w.db, &w.tenant.schema_name)
        .await
        .unwrap();
    let sophie_id = portail::auth::repository::account_by_email(&tx, SOPHIE)
        .await
        .unwrap()
        .unwrap()
        .guardian_id;
    assert_eq!(
        portail::messaging::unread_for_guardian(&tx, sophie_id)
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();

    // The API answer and "close"; a family's message opens it again.
    let r = w
        .api(
            &agent,
            &format!("/staff/conversations/{second}/messages"),
            json!({ "body": "<p>Reçu</p>" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let (_, html) = w
        .page(&agent, &format!("/gestion/messagerie/{second}"))
        .await;
    let r = w
        .post_form(
            &agent,
            &format!("/gestion/messagerie/{second}/clore"),
            &[("csrf", &csrf_of(&html))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, inbox) = w
        .get_json(&agent, "/staff/conversations?service=enfance")
        .await;
    let closed = inbox["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == second.as_str())
        .unwrap()
        .clone();
    assert_eq!(closed["closed"], true);
    let (_, thread) = w.get_json(&paul, &format!("/conversations/{second}")).await;
    assert_eq!(thread["closed"], true);
    assert_eq!(thread["messages"][1]["author"], "service");
    assert_eq!(thread["messages"][1]["author_name"], "Service enfance");
    let r = w
        .api(
            &paul,
            &format!("/conversations/{second}/messages"),
            json!({ "body": "Merci" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let (_, thread) = w.get_json(&paul, &format!("/conversations/{second}")).await;
    assert_eq!(thread["closed"], false);
    // Staff routes of an unknown conversation: 404.
    let r = w
        .api(
            &agent,
            &format!("/staff/conversations/{}/messages", uuid::Uuid::new_v4()),
            json!({ "body": "x" }),
        )
        .await;
    assert_eq!(r.status(), 404);
    w.cleanup().await;
}

#[tokio::test]
async fn a_service_may_keep_the_message_out_of_its_mail() {
    let w = World::new("msg-private").await;
    let source = DEMO_CONFIG
        .replacen("Mairie de Démonstration", "Mairie de Test", 1)
        .replacen(
            "email = \"service.enfance@demo.example\"\n",
            "email = \"service.enfance@demo.example\"\nmail_content = false\n",
            1,
        );
    let config = portail_tenants::TenantConfig::from_toml(&source).unwrap();
    assert!(!config.services[0].mail_content);
    portail_tenants::provisioning::update(&w.db, &w.tenant.slug, &config, &source)
        .await
        .unwrap();
    // The configuration cache trusts a version for a second.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let paul = w.parent(PAUL).await;
    w.write(&paul, "enfance", "<p>Secret médical</p>").await;
    let mails = w.mails(ENFANCE).await;
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].1.contains("Secret médical"));
    assert!(!mails[0].2.contains("Secret médical"));
    assert!(mails[0].1.contains("Le message se lit sur le portail"));
    w.cleanup().await;
}

#[tokio::test]
async fn a_guardian_writes_at_most_twenty_messages_an_hour() {
    let w = World::new("msg-flood").await;
    let paul = w.parent(PAUL).await;
    let id = w.write(&paul, "enfance", "<p>1</p>").await;
    for n in 2..=20 {
        w.clock.advance(chrono::Duration::seconds(10));
        let r = w
            .api(
                &paul,
                &format!("/conversations/{id}/messages"),
                json!({ "body": format!("<p>{n}</p>") }),
            )
            .await;
        assert_eq!(r.status(), 201, "message {n}");
    }
    let path = format!("/conversations/{id}/messages");
    let reply = || w.api(&paul, &path, json!({ "body": "<p>encore</p>" }));
    let r = reply().await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3600");
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "too_many_messages"
    );
    // A new conversation counts too; the service got 20 mails, not more.
    let r = w
        .api(
            &paul,
            "/conversations",
            json!({ "service": "jeunesse", "subject": "Encore", "body": "x" }),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert_eq!(w.mails(ENFANCE).await.len(), 20);
    // The other guardian has her own count; an hour later Paul may write again.
    let sophie = w.parent(SOPHIE).await;
    w.write(&sophie, "enfance", "<p>Sophie</p>").await;
    w.clock.advance(chrono::Duration::minutes(60));
    assert_eq!(reply().await.status(), 201);
    w.cleanup().await;
}
