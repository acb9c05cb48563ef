//! Files attached to messages, end to end (real PostgreSQL and Redis): a parent attaches files
//! from the pages (multipart forms, no JavaScript needed) and through the API, staff see and
//! download them from the inbox and attach files to their answers; every staff read of a
//! conversation or of a file is in the household's audit ("Qui a consulté mes données", the
//! household's journal) and the conversations are in the parent's export. Bad input: a file
//! too large, a forbidden type, too many files, another household's or municipality's
//! conversation or file (404), a parent on the staff routes (401, or the staff sign-in page).

mod support;

use portail::clock::Clock;
use serde_json::{Value, json};
use support::staff::staff_signed_in;
use support::*;

const AGENT: &str = "alice.accueil@mairie.example";
const ADMIN: &str = "anne.leroux@mairie.example";

async fn agent(town: &Town, email: &str, name: &str, role: &str) -> Browser {
    let client = staff_signed_in(
        &town.app,
        &town.db,
        &town.tenant,
        email,
        name,
        role,
        town.clock().now(),
    )
    .await;
    town.browser(client)
}

fn at_ten(prefix: &str) -> TownBuilder {
    Town::build(prefix).at(paris(2026, 11, 30, 10, 0))
}

/// Posts a multipart body to a page or API path of the town.
async fn send(who: &Browser, url: String, parts: &[Part<'_>]) -> reqwest::Response {
    post_multipart(&who.client, url, parts).await
}

/// The path after the municipality's slug of a redirect's `Location`.
fn location(r: &reqwest::Response, slug: &str) -> String {
    let location = r.headers()["location"].to_str().unwrap();
    location[slug.len() + 1..].to_string()
}

/// Starts a conversation through the API; its id and its first message's.
async fn write(paul: &Browser, body: &str) -> (String, String) {
    let r = paul
        .post(
            "/conversations",
            json!({ "service": "enfance", "subject": "Ordonnance", "body": body }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let thread = paul.json(&format!("/conversations/{id}")).await;
    let message = thread["messages"][0]["id"].as_str().unwrap().to_string();
    (id, message)
}

fn attachment_ids(message: &Value) -> Vec<String> {
    message["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_parent_attaches_files_from_the_pages_and_staff_read_them_audited() {
    let town = at_ten("att-pages").start().await;
    let slug = town.slug().to_string();
    let paul = town.parent(PAUL).await;

    // The new message form is multipart, with an optional file field.
    let html = paul.html("/messagerie/nouveau?service=enfance").await;
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("type=\"file\" id=\"message-file\" name=\"file\" multiple"));
    assert!(html.contains("Pièces jointes (facultatif)"));
    assert!(html.contains("5 fichiers au plus, 10 Mo au total."));
    let csrf = csrf_of(&html);
    let png = PNG.clone();
    let r = send(
        &paul,
        paul.page_url("/messagerie/nouveau"),
        &[
            text("csrf", &csrf),
            text("service", "enfance"),
            text("subject", "Ordonnance"),
            text("body", "Voici l'ordonnance de Théo."),
            text("format", "text"),
            file("C:\\Documents\\Ordonnance Théo.PDF", "application/pdf", PDF),
            file("photo.png", "image/png", &png),
            // No file chosen in a third input: an empty part, ignored.
            file("", "application/octet-stream", b""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let path = location(&r, &slug);
    assert!(path.ends_with("?info=envoye"), "{path}");
    let id = path["/messagerie/".len().."/messagerie/".len() + 36].to_string();

    let thread = paul.json(&format!("/conversations/{id}")).await;
    let files = &thread["messages"][0]["attachments"];
    assert_eq!(files.as_array().unwrap().len(), 2, "{thread}");
    assert_eq!(files[0]["name"], "Ordonnance Théo.pdf");
    assert_eq!(files[0]["content_type"], "application/pdf");
    assert_eq!(files[0]["size"], PDF.len());
    assert_eq!(files[1]["name"], "photo.png");
    assert_eq!(files[1]["content_type"], "image/png");
    let [pdf, photo] = [0, 1].map(|n| files[n]["id"].as_str().unwrap().to_string());

    // The thread lists them; each downloads as an attachment of its detected type.
    let html = paul.html(&format!("/messagerie/{id}")).await;
    assert!(html.contains(&format!(
        "<a href=\"/{slug}/messagerie/{id}/pieces-jointes/{pdf}\" download>Ordonnance Théo.pdf</a>"
    )));
    assert!(html.contains("(Image PNG,"), "{html}");
    let r = paul
        .page(&format!("/messagerie/{id}/pieces-jointes/{pdf}"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Ordonnance Theo.pdf\"")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(&r.bytes().await.unwrap()[..], PDF);
    let r = paul
        .get(&format!("/conversations/{id}/attachments/{photo}"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );

    // A reply from the page with a JPEG.
    let csrf = paul.csrf(&format!("/messagerie/{id}")).await;
    let jpeg = JPEG.clone();
    let r = send(
        &paul,
        paul.page_url(&format!("/messagerie/{id}")),
        &[
            text("csrf", &csrf),
            text("body", "<p>Et le <b>certificat</b></p>"),
            text("format", "html"),
            file("certificat.jpg", "image/jpeg", &jpeg),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(
        thread["messages"][1]["body_html"],
        "<p>Et le <b>certificat</b></p>"
    );
    assert_eq!(
        thread["messages"][1]["attachments"][0]["name"],
        "certificat.jpg"
    );

    // Staff see the files in the conversation and download them; each read is audited.
    let alice = agent(&town, AGENT, "Alice ACCUEIL", "accueil").await;
    let html = alice.html(&format!("/gestion/messagerie/{id}")).await;
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains(&format!(
        "<a href=\"/{slug}/gestion/messagerie/{id}/pieces-jointes/{pdf}\" download>Ordonnance Théo.pdf</a>"
    )));
    let r = alice
        .page(&format!("/gestion/messagerie/{id}/pieces-jointes/{pdf}"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], PDF);
    let r = alice
        .get(&format!("/staff/conversations/{id}/attachments/{photo}"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");

    // The agent answers from the page with a file; the family downloads it.
    let csrf = csrf_of(&html);
    let r = send(
        &alice,
        alice.page_url(&format!("/gestion/messagerie/{id}/repondre")),
        &[
            text("csrf", &csrf),
            text("body", "Voici le formulaire à remplir."),
            text("format", "text"),
            file("Formulaire PAI.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    let answer = &thread["messages"][2];
    assert_eq!(answer["author"], "service");
    assert_eq!(answer["attachments"][0]["name"], "Formulaire PAI.pdf");
    let form = answer["attachments"][0]["id"].as_str().unwrap();
    let r = paul
        .get(&format!("/conversations/{id}/attachments/{form}"))
        .await;
    assert_eq!(r.status(), 200);
    let html = paul.html(&format!("/messagerie/{id}")).await;
    assert!(html.contains(&format!(
        "/messagerie/{id}/pieces-jointes/{form}\" download>"
    )));

    // "Qui a consulté mes données": the agent read the conversation and the files.
    let html = paul.html("/mon-compte").await;
    assert!(html.contains("Messagerie (une conversation avec un service)"));
    assert!(html.contains("Pièce jointe d&#x27;un message"), "{html}");
    assert!(html.contains("Alice ACCUEIL"));
    let tx = town.tx().await;
    let reads: Vec<(String, String)> = tx
        .all::<Read>(
            "SELECT entity, entity_id FROM audit_log WHERE action = 'read' AND actor LIKE 'staff:%' ORDER BY id",
            [],
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.entity, r.entity_id))
        .collect();
    tx.commit().await.unwrap();
    assert!(reads.contains(&("conversation".into(), id.clone())));
    assert!(reads.contains(&("message_attachment".into(), pdf.clone())));
    assert!(reads.contains(&("message_attachment".into(), photo.clone())));
    // The household's journal says it in words.
    let anne = agent(&town, ADMIN, "Anne LEROUX", "admin").await;
    let household = thread_household(&anne, &id).await;
    let html = anne
        .html(&format!("/gestion/familles/{household}/journal"))
        .await;
    assert!(html.contains("pièce jointe d&#x27;un message"), "{html}");
    assert!(html.contains("conversation"));

    // The export holds the conversations and their files' names, not their bytes.
    let export = paul.json("/export").await;
    let conversation = &export["conversations"][0];
    assert_eq!(conversation["id"], id.as_str());
    assert_eq!(conversation["subject"], "Ordonnance");
    assert_eq!(conversation["messages"].as_array().unwrap().len(), 3);
    assert_eq!(conversation["messages"][2]["from"], "service");
    let exported = &conversation["messages"][0]["attachments"][0];
    assert_eq!(exported["name"], "Ordonnance Théo.pdf");
    assert_eq!(
        exported["download"],
        format!("http://portail.test/{slug}/api/v1/conversations/{id}/attachments/{pdf}").as_str()
    );
    assert!(exported.get("data").is_none());
    town.cleanup().await;
}

#[derive(sea_orm::FromQueryResult)]
struct Read {
    entity: String,
    entity_id: String,
}

/// The household of a conversation, as the staff API tells it.
async fn thread_household(staff: &Browser, id: &str) -> String {
    let thread = staff.json(&format!("/staff/conversations/{id}")).await;
    thread["household_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn files_are_added_to_a_message_through_the_api() {
    let town = at_ten("att-api").start().await;
    let paul = town.parent(PAUL).await;
    let (id, message) = write(&paul, "<p>Ordonnance jointe</p>").await;
    let url = paul.api_url(&format!(
        "/conversations/{id}/messages/{message}/attachments"
    ));
    let r = send(
        &paul,
        url.clone(),
        &[file("ordonnance.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["attachments"][0]["name"], "ordonnance.pdf");
    assert_eq!(body["attachments"][0]["size"], PDF.len());
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(
        attachment_ids(&thread["messages"][0]),
        vec![body["attachments"][0]["id"].as_str().unwrap().to_string()]
    );

    // Only its writer adds files to a message: the other guardian of the household neither.
    let sophie = town.parent(SOPHIE).await;
    let r = send(&sophie, url, &[file("x.pdf", "application/pdf", PDF)]).await;
    assert_eq!(r.status(), 404);

    // Staff read the conversation with its files through the API (audited) and attach a file
    // to their answer; a parent's message is not theirs to add to.
    let alice = agent(&town, AGENT, "Alice ACCUEIL", "accueil").await;
    let thread = alice.json(&format!("/staff/conversations/{id}")).await;
    assert_eq!(thread["family"], "ALAIN");
    assert_eq!(
        thread["messages"][0]["attachments"][0]["name"],
        "ordonnance.pdf"
    );
    let r = alice
        .post(
            &format!("/staff/conversations/{id}/messages"),
            json!({ "body": "Voici le formulaire" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let answer = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let png = PNG.clone();
    let r = send(
        &alice,
        alice.api_url(&format!(
            "/staff/conversations/{id}/messages/{answer}/attachments"
        )),
        &[file("plan.png", "image/png", &png)],
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = send(
        &alice,
        alice.api_url(&format!(
            "/staff/conversations/{id}/messages/{message}/attachments"
        )),
        &[file("plan.png", "image/png", &png)],
    )
    .await;
    assert_eq!(r.status(), 404);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"][1]["attachments"][0]["name"], "plan.png");
    assert_eq!(thread["messages"][1]["author"], "service");
    let reads = paul.html("/mon-compte").await;
    assert!(reads.contains("Messagerie (une conversation avec un service)"));

    // The specification documents the operations and the attachments of a message.
    let spec: Value = town
        .app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let paths = &spec["paths"];
    for path in [
        "/{slug}/api/v1/conversations/{id}/messages/{message_id}/attachments",
        "/{slug}/api/v1/conversations/{id}/attachments/{attachment_id}",
        "/{slug}/api/v1/staff/conversations/{id}",
        "/{slug}/api/v1/staff/conversations/{id}/messages/{message_id}/attachments",
        "/{slug}/api/v1/staff/conversations/{id}/attachments/{attachment_id}",
    ] {
        assert!(paths[path].is_object(), "{path}");
    }
    assert!(
        paths["/{slug}/api/v1/conversations/{id}/messages/{message_id}/attachments"]["post"]
            ["requestBody"]["content"]["multipart/form-data"]
            .is_object()
    );
    let message = &spec["components"]["schemas"]["MessageDto"]["properties"];
    assert!(message["attachments"].is_object(), "{message}");
    town.cleanup().await;
}

#[tokio::test]
async fn bad_files_are_refused_in_french_with_stable_codes() {
    let mut settings = test_settings();
    settings.max_upload_bytes = 50_000;
    let town = at_ten("att-bad").settings(settings).start().await;
    let paul = town.parent(PAUL).await;
    let (id, message) = write(&paul, "<p>Bonjour</p>").await;
    let url = paul.api_url(&format!(
        "/conversations/{id}/messages/{message}/attachments"
    ));
    let mut big = PDF.to_vec();
    big.resize(60_000, b' ');

    // Too large, on the API and the page (the form kept, the file field explained).
    let r = send(
        &paul,
        url.clone(),
        &[file("gros.pdf", "application/pdf", &big)],
    )
    .await;
    assert_eq!(status_and_code(r).await, (413, "file_too_large".into()));
    let csrf = paul.csrf("/messagerie/nouveau?service=enfance").await;
    let r = send(
        &paul,
        paul.page_url("/messagerie/nouveau"),
        &[
            text("csrf", &csrf),
            text("service", "enfance"),
            text("subject", "Gros fichier"),
            text("body", "Le voici"),
            text("format", "text"),
            file("gros.pdf", "application/pdf", &big),
        ],
    )
    .await;
    assert_eq!(r.status(), 413);
    let page = read_page(r).await;
    assert!(
        page.has("Le fichier est trop volumineux : 49 Ko au plus."),
        "{}",
        page.html
    );
    assert!(page.html.contains("value=\"Gros fichier\""));
    assert!(page.html.contains("href=\"#message-file\""));

    // A forbidden type, whatever its name says.
    let html = b"<!doctype html><script>alert(1)</script>";
    let r = send(
        &paul,
        url.clone(),
        &[file("facture.pdf", "application/pdf", html)],
    )
    .await;
    assert_eq!(
        status_and_code(r).await,
        (415, "unsupported_file_type".into())
    );
    let csrf = paul.csrf(&format!("/messagerie/{id}")).await;
    let r = send(
        &paul,
        paul.page_url(&format!("/messagerie/{id}")),
        &[
            text("csrf", &csrf),
            text("body", "Ma facture"),
            text("format", "text"),
            file("facture.pdf", "application/pdf", html),
        ],
    )
    .await;
    assert_eq!(r.status(), 415);
    let page = read_page(r).await;
    assert!(
        page.has("Ce type de fichier n'est pas accepté"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Ma facture"));

    // Six files on a message: five at most.
    let six: Vec<Part> = (0..6)
        .map(|_| file("a.pdf", "application/pdf", PDF))
        .collect();
    let r = send(&paul, url.clone(), &six).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    assert_eq!(
        body["fields"]["file"],
        "Un message peut porter 5 pièces jointes au plus."
    );
    // Not multipart, or no file at all.
    let r = paul
        .post(
            &format!("/conversations/{id}/messages/{message}/attachments"),
            json!({}),
        )
        .await;
    assert_eq!(
        status_and_code(r).await,
        (415, "unsupported_media_type".into())
    );
    let r = send(&paul, url.clone(), &[text("name", "rien")]).await;
    assert_eq!(status_and_code(r).await, (422, "invalid_fields".into()));

    // Nothing was stored by the refusals: one conversation, one message, no file.
    let list = paul.json("/conversations").await;
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);
    assert!(attachment_ids(&thread["messages"][0]).is_empty());
    town.cleanup().await;
}

#[tokio::test]
async fn another_households_or_municipalitys_files_are_not_found() {
    let town = at_ten("att-other").start().await;
    let paul = town.parent(PAUL).await;
    let (id, message) = write(&paul, "<p>Bonjour</p>").await;
    let r = send(
        &paul,
        paul.api_url(&format!(
            "/conversations/{id}/messages/{message}/attachments"
        )),
        &[file("ordonnance.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 201);
    let file_id = r.json::<Value>().await.unwrap()["attachments"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let download = format!("/conversations/{id}/attachments/{file_id}");

    // Another household: not found, on the API and the page, and no file added to Paul's.
    let maiwenn = town.parent(MAIWENN).await;
    let (status, code) = status_and_code(maiwenn.get(&download).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let r = maiwenn
        .page(&format!("/messagerie/{id}/pieces-jointes/{file_id}"))
        .await;
    assert_eq!(r.status(), 404);
    let r = send(
        &maiwenn,
        maiwenn.api_url(&format!(
            "/conversations/{id}/messages/{message}/attachments"
        )),
        &[file("intrus.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 404);
    // Her own conversation's id with Paul's file: not found either.
    let (hers, _) = write(&maiwenn, "<p>Moi</p>").await;
    let r = maiwenn
        .get(&format!("/conversations/{hers}/attachments/{file_id}"))
        .await;
    assert_eq!(r.status(), 404);
    // Staff too: a file asked for with another conversation's id is not found.
    let alice = agent(&town, AGENT, "Alice ACCUEIL", "accueil").await;
    let r = alice
        .get(&format!(
            "/staff/conversations/{hers}/attachments/{file_id}"
        ))
        .await;
    assert_eq!(r.status(), 404);

    // The same families in another municipality: the ids find nothing there.
    let other = at_ten("att-other2").start().await;
    let paul_elsewhere = other.parent(PAUL).await;
    assert_eq!(paul_elsewhere.get(&download).await.status(), 404);
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(
        attachment_ids(&thread["messages"][0]),
        vec![file_id.clone()]
    );

    // Signed out: 401; a parent on the staff routes: 401, or the staff sign-in page.
    assert_eq!(town.visitor().get(&download).await.status(), 401);
    for path in [
        format!("/staff/conversations/{id}"),
        format!("/staff/conversations/{id}/attachments/{file_id}"),
    ] {
        let (status, code) = status_and_code(paul.get(&path).await).await;
        assert_eq!(
            (status, code.as_str()),
            (401, "not_authenticated"),
            "{path}"
        );
    }
    let r = send(
        &paul,
        paul.api_url(&format!(
            "/staff/conversations/{id}/messages/{message}/attachments"
        )),
        &[file("x.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(r.status(), 401);
    let r = paul
        .client
        .get(paul.page_url(&format!(
            "/gestion/messagerie/{id}/pieces-jointes/{file_id}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/gestion/connexion", town.slug()).as_str()
    );
    other.cleanup().await;
    town.cleanup().await;
}

/// Two points of the guide's messaging the other suites leave unproven: the postal contact's
/// fax and website when the municipality gives them, and the unread answers counted on the
/// home page's "Mes messages" tile and in `GET /dashboard`.
#[tokio::test]
async fn the_contact_shows_fax_and_website_and_the_dashboard_counts_unread_answers() {
    let config = DEMO_CONFIG
        .replacen(
            "# fax = \"01 01 01 01 01\"               # optional",
            "fax = \"01 01 01 01 01\"",
            1,
        )
        .replacen(
            "# website = \"https://www.demo.example\" # optional",
            "website = \"https://www.demo.example\"",
            1,
        );
    assert!(
        config.contains("\nfax = "),
        "the demo configuration changed"
    );
    let town = at_ten("att-contact").config(&config).start().await;
    let paul = town.parent(PAUL).await;
    let page = paul.view("/messagerie").await;
    assert!(page.has("Fax : 01 01 01 01 01"), "{}", page.html);
    assert!(
        page.has("<a href=\"https://www.demo.example\">https://www.demo.example</a>"),
        "{}",
        page.html
    );

    let (id, _) = write(&paul, "<p>Bonjour</p>").await;
    assert_eq!(paul.json("/dashboard").await["messages"]["unread"], 0);
    let alice = agent(&town, AGENT, "Alice ACCUEIL", "accueil").await;
    // The answers come after Paul's message, which he read as he wrote it.
    town.clock().advance(chrono::Duration::minutes(5));
    for body in ["<p>Réponse</p>", "<p>Précision</p>"] {
        let r = alice
            .post(
                &format!("/staff/conversations/{id}/messages"),
                json!({ "body": body }),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    assert_eq!(paul.json("/dashboard").await["messages"]["unread"], 2);
    let home = paul.view("/").await;
    assert!(home.has("Mes messages"));
    assert!(home.has("2 messages non lus."), "{}", home.html);
    // Read: the tile has nothing waiting any more.
    paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(paul.json("/dashboard").await["messages"]["unread"], 0);
    assert!(paul.view("/").await.has("Aucun message non lu."));
    town.cleanup().await;
}

/// The guide's "Mes factures" tile, now that billing exists: an unpaid invoice shows with its
/// amount and due date on the home page and in `GET /dashboard` (the dashboard's own suite
/// only sees a household without invoices).
#[tokio::test]
async fn the_dashboard_lists_an_unpaid_invoice_with_its_amount_and_due_date() {
    let town = at_ten("att-invoice").start().await;
    let tx = town.tx().await;
    tx.run(
        "INSERT INTO reservations (child_id, prestation_code, day, created_at)
         SELECT id, 'repas', d::date, now() FROM children, generate_series(date '2026-11-02', date '2026-11-03', interval '1 day') d
         WHERE first_name = 'Théo'",
        [],
    )
    .await
    .unwrap();
    let config = portail::portal::repository::tenant_config(&tx)
        .await
        .unwrap();
    let month = portail::billing::month::Month::parse("2026-11").unwrap();
    portail::billing::run::run(&tx, &config, month, town.clock().now(), false, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let paul = town.parent(PAUL).await;
    let unpaid = &paul.json("/dashboard").await["invoices"]["unpaid"];
    assert_eq!(unpaid.as_array().unwrap().len(), 1, "{unpaid}");
    assert_eq!(unpaid[0]["amount_cents"], 500);
    assert_eq!(unpaid[0]["due_on"], "2026-12-30");
    let home = paul.view("/").await;
    assert!(
        home.has("Facture FAC-2026-000001 : 5,00 €, à régler avant le mercredi 30 décembre 2026"),
        "{}",
        home.html
    );
    // Another household has none.
    let maiwenn = town.parent(MAIWENN).await;
    assert_eq!(
        maiwenn.json("/dashboard").await["invoices"]["unpaid"],
        json!([])
    );
    town.cleanup().await;
}

/// Real files are larger than a form: a 300 kB PDF passes the page's message form, the
/// attachments operation and the library's publication, which read and count their bodies
/// themselves; a url-encoded message form stays under the message limit (the generic 413).
#[tokio::test]
async fn real_sized_files_pass_every_upload_route() {
    let town = at_ten("att-size").start().await;
    let paul = town.parent(PAUL).await;
    let mut pdf = PDF.to_vec();
    pdf.resize(300_000, b' ');
    let csrf = paul.csrf("/messagerie/nouveau?service=enfance").await;
    let r = send(
        &paul,
        paul.page_url("/messagerie/nouveau"),
        &[
            text("csrf", &csrf),
            text("service", "enfance"),
            text("subject", "Dossier"),
            text("body", "Le dossier complet."),
            text("format", "text"),
            file("dossier.pdf", "application/pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let path = location(&r, town.slug());
    let id = &path["/messagerie/".len().."/messagerie/".len() + 36];
    let thread = paul.json(&format!("/conversations/{id}")).await;
    assert_eq!(thread["messages"][0]["attachments"][0]["size"], 300_000);
    let message = thread["messages"][0]["id"].as_str().unwrap();
    let r = send(
        &paul,
        paul.api_url(&format!(
            "/conversations/{id}/messages/{message}/attachments"
        )),
        &[file("annexe.pdf", "application/pdf", &pdf)],
    )
    .await;
    assert_eq!(r.status(), 201);
    let long = "a".repeat(300_000);
    let r = paul
        .post_form(
            &format!("/messagerie/{id}"),
            &[("csrf", csrf.as_str()), ("body", long.as_str())],
        )
        .await;
    assert_eq!(r.status(), 413);

    let gestion = agent(
        &town,
        "gestion@mairie.example",
        "Agent TEST",
        "gestionnaire",
    )
    .await;
    let r = send(
        &gestion,
        gestion.api_url("/staff/library"),
        &[
            text("rubrique", "menus"),
            text("name", "Menus de décembre"),
            text("audience", "all"),
            file("menus.pdf", "application/pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    town.cleanup().await;
}
