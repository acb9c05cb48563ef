//! The municipality's documents library, end to end: staff publish (API and page), parents
//! list the rubriques with per-guardian "new" counts, open files inline; audience, dates and
//! withdrawal decide who sees what; parents and lower roles cannot publish.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use portail::clock::ManualClock;
use portail_tenants::registry::Tenant;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use std::sync::Arc;
use support::multipart::*;
use support::*;

const GOOD: &str = "Vélo#Rouge42x";
const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

struct Lib {
    app: TestApp,
    db: DatabaseConnection,
    t: Tenant,
    now: DateTime<Utc>,
}

impl Lib {
    async fn new(prefix: &str) -> Self {
        let db = db(2).await;
        let t = create_tenant_with_families(&db, prefix, "Mairie Bibliothèque").await;
        let now = chrono_tz::Europe::Paris
            .with_ymd_and_hms(2027, 1, 11, 7, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let app = TestApp::spawn_with_clock(test_settings(), Arc::new(ManualClock::new(now))).await;
        Lib { app, db, t, now }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.t.slug)
    }

    async fn parent(&self, email: &str) -> reqwest::Client {
        signed_in(&self.app, &self.db, &self.t, email, GOOD).await
    }

    async fn staff(&self, email: &str, role: &str) -> reqwest::Client {
        support::staff::staff_signed_in(
            &self.app,
            &self.db,
            &self.t,
            email,
            "Agent TEST",
            role,
            self.now,
        )
        .await
    }

    async fn publish(&self, staff: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut parts: Vec<Part> = fields.iter().map(|(k, v)| text(k, v)).collect();
        parts.push(file("menu.pdf", "application/pdf", PDF));
        post_multipart(staff, self.url("/api/v1/staff/library"), &parts).await
    }

    async fn published(&self, staff: &reqwest::Client, fields: &[(&str, &str)]) -> String {
        let r = self.publish(staff, fields).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn library(&self, parent: &reqwest::Client) -> Value {
        let r = parent
            .get(self.url("/api/v1/library"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn open(&self, parent: &reqwest::Client, id: &str) -> reqwest::Response {
        parent
            .get(self.url(&format!("/api/v1/library/{id}/file")))
            .send()
            .await
            .unwrap()
    }

    async fn cleanup(self) {
        delete_tenant(&self.db, &self.t.slug).await;
    }
}

fn rubrique<'a>(library: &'a Value, code: &str) -> &'a Value {
    library["rubriques"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("rubrique {code} in {library}"))
}

fn listed(library: &Value, id: &str) -> bool {
    library["rubriques"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["documents"].as_array().unwrap())
        .any(|d| d["id"] == id)
}

#[tokio::test]
async fn a_published_menu_is_new_to_each_guardian_until_they_open_it_inline() {
    let l = Lib::new("lib-new").await;
    let staff = l.staff("gestion@mairie.example", "gestionnaire").await;
    let paul = l.parent(PAUL).await;
    let sophie = l.parent(SOPHIE).await;

    // The three default rubriques, empty.
    let before = l.library(&paul).await;
    let codes: Vec<&str> = before["rubriques"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["menus", "activites", "informations"]);
    assert_eq!(rubrique(&before, "menus")["new"], 0);

    let id = l
        .published(
            &staff,
            &[
                ("rubrique", "menus"),
                ("name", "Menus de janvier"),
                ("audience", "all"),
            ],
        )
        .await;
    let after = l.library(&paul).await;
    let menus = rubrique(&after, "menus");
    assert_eq!(menus["new"], 1);
    assert_eq!(menus["documents"][0]["id"], id.as_str());
    assert_eq!(menus["documents"][0]["name"], "Menus de janvier");
    assert_eq!(menus["documents"][0]["published_on"], "2027-01-11");
    assert_eq!(menus["documents"][0]["new"], true);
    assert_eq!(menus["documents"][0]["content_type"], "application/pdf");

    // The page shows the count before the rubrique, and the file opens in a new tab.
    let page = paul.get(l.url("/documents")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("<span class=\"count\">1</span>"), "{html}");
    let href = format!("/{}/documents/bibliotheque/{id}", l.t.slug);
    assert!(html.contains(&format!("href=\"{href}\" target=\"_blank\"")));

    // Opened (inline, never sniffed): no longer new to Paul, still new to Sophie.
    let r = paul
        .get(format!("{}{href}", l.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline; filename=\"Menus de janvier.pdf\""));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    assert_eq!(rubrique(&l.library(&paul).await, "menus")["new"], 0);
    assert_eq!(rubrique(&l.library(&sophie).await, "menus")["new"], 1);
    let html = paul
        .get(l.url("/documents"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("class=\"count\""));

    // Through the API too, inline.
    let r = l.open(&sophie, &id).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );
    assert_eq!(rubrique(&l.library(&sophie).await, "menus")["new"], 0);

    // Parents' own uploads still go back as attachments.
    let own = post_multipart(
        &paul,
        l.url("/api/v1/documents"),
        &[
            text("name", "Attestation"),
            file("a.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(own.status(), 201);
    let own_id = own.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = paul
        .get(l.url(&format!("/api/v1/documents/{own_id}/download")))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    l.cleanup().await;
}

#[tokio::test]
async fn audience_dates_and_withdrawal_decide_who_sees_a_document() {
    let l = Lib::new("lib-audience").await;
    let staff = l.staff("gestion@mairie.example", "gestionnaire").await;
    let paul = l.parent(PAUL).await;
    let maiwenn = l.parent(MAIWENN).await;
    // The LE GALL household keeps only the canteen (resto-peri), not the youth structure.
    {
        let tx = portail_tenants::TenantTx::begin(&l.db, &l.t.schema_name)
            .await
            .unwrap();
        tx.run(
            "DELETE FROM enrolments WHERE prestation_code = 'alsh-vacances'",
            [],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    let youth = l
        .published(
            &staff,
            &[
                ("rubrique", "activites"),
                ("name", "Programme ALSH"),
                ("audience", "structure:jeunesse"),
            ],
        )
        .await;
    let school = l
        .published(
            &staff,
            &[
                ("rubrique", "informations"),
                ("name", "Sortie Korrigans"),
                ("audience", "school:école maternelle les korrigans"),
            ],
        )
        .await;
    let later = l
        .published(
            &staff,
            &[
                ("rubrique", "menus"),
                ("name", "Menus de février"),
                ("audience", "all"),
                ("published_on", "2027-02-01"),
            ],
        )
        .await;
    let expired = l
        .published(
            &staff,
            &[
                ("rubrique", "menus"),
                ("name", "Menus de décembre"),
                ("audience", "all"),
                ("published_on", "2026-12-01"),
                ("until", "2027-01-10"),
            ],
        )
        .await;
    let withdrawn = l
        .published(
            &staff,
            &[
                ("rubrique", "menus"),
                ("name", "Menus erronés"),
                ("audience", "all"),
            ],
        )
        .await;
    let r = staff
        .delete(l.url(&format!("/api/v1/staff/library/{withdrawn}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // Withdrawn once is withdrawn: a second time is not found.
    let r = staff
        .delete(l.url(&format!("/api/v1/staff/library/{withdrawn}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let mine = l.library(&paul).await;
    assert!(listed(&mine, &youth) && listed(&mine, &school), "{mine}");
    let theirs = l.library(&maiwenn).await;
    for (id, what) in [
        (&youth, "another structure's"),
        (&school, "another school's"),
        (&later, "a future"),
        (&expired, "an expired"),
        (&withdrawn, "a withdrawn"),
    ] {
        assert!(!listed(&theirs, id), "{what} document listed: {theirs}");
        assert_eq!(l.open(&maiwenn, id).await.status(), 404, "{what} document");
    }
    for id in [&later, &expired, &withdrawn] {
        assert!(!listed(&mine, id));
        assert_eq!(l.open(&paul, id).await.status(), 404);
    }
    assert_eq!(l.open(&paul, &youth).await.status(), 200);

    // Replacing withdraws the old one at once; the new one is new again.
    let replacement = l
        .published(
            &staff,
            &[
                ("rubrique", "activites"),
                ("name", "Programme ALSH (corrigé)"),
                ("audience", "structure:jeunesse"),
                ("replaces", youth.as_str()),
            ],
        )
        .await;
    let mine = l.library(&paul).await;
    assert!(!listed(&mine, &youth) && listed(&mine, &replacement));
    assert_eq!(rubrique(&mine, "activites")["new"], 1);
    assert_eq!(l.open(&paul, &youth).await.status(), 404);
    l.cleanup().await;
}

#[tokio::test]
async fn only_a_gestionnaire_publishes_and_bad_publications_are_refused() {
    let l = Lib::new("lib-guard").await;
    let paul = l.parent(PAUL).await;
    let menu = [
        ("rubrique", "menus"),
        ("name", "Menus"),
        ("audience", "all"),
    ];
    // A parent's session opens no staff route.
    let r = l.publish(&paul, &menu).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "not_authenticated"
    );
    let r = paul
        .delete(l.url(&format!("/api/v1/staff/library/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A lower role is refused.
    let accueil = l.staff("accueil@mairie.example", "accueil").await;
    let r = l.publish(&accueil, &menu).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "forbidden_role");

    let staff = l.staff("gestion@mairie.example", "gestionnaire").await;
    let r = l
        .publish(
            &staff,
            &[
                ("rubrique", "recettes"),
                ("name", " "),
                ("audience", "structure:inconnue"),
                ("published_on", "2027-01-20"),
                ("until", "2027-01-12"),
                ("replaces", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    let mut fields: Vec<&str> = body["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["audience", "name", "replaces", "rubrique", "until"],
        "{body}"
    );
    // A hostile file is refused as for parents' uploads.
    let r = post_multipart(
        &staff,
        l.url("/api/v1/staff/library"),
        &[
            text("rubrique", "menus"),
            text("name", "Menus"),
            text("audience", "all"),
            file(
                "menu.pdf",
                "application/pdf",
                b"<html><script>alert(1)</script>",
            ),
        ],
    )
    .await;
    assert_eq!(r.status(), 415);
    let r = staff
        .post(l.url("/api/v1/staff/library"))
        .json(&serde_json::json!({ "rubrique": "menus" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    l.cleanup().await;
}

#[tokio::test]
async fn the_staff_page_publishes_and_withdraws() {
    let l = Lib::new("lib-page").await;
    let staff = l.staff("gestion@mairie.example", "gestionnaire").await;
    let page = staff
        .get(l.url("/gestion/bibliotheque"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Publier un document"));
    assert!(html.contains("value=\"structure:jeunesse\""));
    assert!(html.contains("value=\"school:École maternelle Les Korrigans\""));
    let csrf = csrf_of(&html);

    // Without the token first, nothing is read.
    let r = post_multipart(
        &staff,
        l.url("/gestion/bibliotheque"),
        &[
            text("rubrique", "menus"),
            file("m.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    // A refused form comes back with its fields.
    let r = post_multipart(
        &staff,
        l.url("/gestion/bibliotheque"),
        &[
            text("csrf", &csrf),
            text("rubrique", "menus"),
            text("name", "Menus de janvier"),
            text("audience", "all"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"Menus de janvier\""));
    assert!(html.contains("id=\"pub-file-erreur\""));

    let r = post_multipart(
        &staff,
        l.url("/gestion/bibliotheque"),
        &[
            text("csrf", &csrf),
            text("rubrique", "menus"),
            text("name", "Menus de janvier"),
            text("audience", "all"),
            file("m.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = staff
        .get(l.url("/gestion/bibliotheque?info=publie"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Le document est publié."));
    assert!(html.contains("Menus de janvier"));
    let paul = l.parent(PAUL).await;
    assert_eq!(rubrique(&l.library(&paul).await, "menus")["new"], 1);

    let action = html
        .split("action=\"")
        .find(|s| s.contains("/retirer\""))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = staff
        .post(format!("{}{action}", l.app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(rubrique(&l.library(&paul).await, "menus")["new"], 0);
    // A parent never reaches the page.
    let r = paul
        .get(l.url("/gestion/bibliotheque"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    l.cleanup().await;
}

#[tokio::test]
async fn the_add_document_form_opens_from_a_childs_page_with_the_child_chosen() {
    let l = Lib::new("lib-child").await;
    let paul = l.parent(PAUL).await;
    let children: Value = paul
        .get(l.url("/api/v1/children"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let theo = id_of_named(&children["children"], "Théo");
    let child_page = paul
        .get(l.url(&format!("/enfants/{theo}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/{}/documents?personne={theo}#ajout", l.t.slug);
    assert!(child_page.contains(&link), "{child_page}");
    let html = paul
        .get(format!("{}{link}", l.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<section class=\"card\" id=\"ajout\""));
    assert!(html.contains("<details class=\"add-document\" open>"));
    assert!(html.contains(&format!("<option value=\"{theo}\" selected>")));
    l.cleanup().await;
}
