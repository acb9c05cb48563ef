//! The back-office's admin and read-audit parts, end to end: the portal's texts as a new
//! configuration version (checked, audited, followed at once by a running replica), family
//! documents read by staff (recorded, shown to the family), a household's audit page.

mod support;

use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::staff::*;
use support::*;

/// The registry's configuration version of the test municipality.
async fn version(b: &Back) -> i32 {
    portail_tenants::registry::find(&b.db, &b.tenant.slug)
        .await
        .unwrap()
        .unwrap()
        .config_version
}

async fn settings_source(b: &Back) -> String {
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    let row = tx
        .query_one_raw(sql("SELECT source FROM settings", []))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    row.try_get("", "source").unwrap()
}

/// The audit entries of the municipality's settings: (actor, fields, origin).
async fn settings_audit(b: &Back) -> Vec<(String, Vec<String>, String)> {
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    let rows = tx
        .query_all_raw(sql(
            "SELECT actor, fields, origin FROM audit_log WHERE entity = 'settings' ORDER BY id",
            [],
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "actor").unwrap(),
                r.try_get("", "fields").unwrap(),
                r.try_get("", "origin").unwrap(),
            )
        })
        .collect()
}

async fn eventually_contains(client: &reqwest::Client, url: &str, needle: &str) -> bool {
    for _ in 0..50 {
        let page = client.get(url).send().await.unwrap().text().await.unwrap();
        if page.contains(needle) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn an_admin_changes_the_portal_texts_as_a_new_checked_and_audited_configuration_version() {
    let b = Back::new("staff-texts").await;
    let (admin_secret, _) = b.member(ADMIN, "admin").await;
    let admin = b.signed_in(ADMIN, &admin_secret).await;
    let (gestion_secret, _) = b.member("gestion@mairie.example", "gestionnaire").await;
    let gestion = b.signed_in("gestion@mairie.example", &gestion_secret).await;

    // A second replica that trusts its registry cache for ten minutes: only the
    // announcement of the new version can make it read the new texts.
    let mut settings = test_settings();
    settings.tenant_cache_seconds = 600;
    let replica = TestApp::spawn_with(settings).await;
    let replica_home = format!("{}/{}/", replica.base, b.tenant.slug);
    let parent = signed_in(&replica, &b.db, &b.tenant, PAUL, GOOD).await;
    let grid = format!("{}/{}/reservations", replica.base, b.tenant.slug);
    let before = replica.client.get(&replica_home).send().await.unwrap();
    assert!(
        before
            .text()
            .await
            .unwrap()
            .contains("Bienvenue sur votre portail famille")
    );
    assert!(
        parent
            .get(&grid)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("avant 6h le jour même")
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let texts_url = b.url("/api/v1/staff/texts");
    let now: Value = admin
        .get(&texts_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["services"][0]["code"], "enfance");
    let v0 = version(&b).await;
    assert_eq!(now["config_version"], v0);

    // Below admin: 403, nothing written.
    let r = gestion
        .patch(&texts_url)
        .json(&json!({ "welcome_title": "Non" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "forbidden_role");

    // Refused fields: every one named, in French, nothing written.
    let r = admin
        .patch(&texts_url)
        .json(&json!({
            "welcome_title": "  ",
            "reservation_notice": "x".repeat(2001),
            "services": [{ "code": "enfance", "email": "pas-une-adresse" }, { "code": "cantine", "email": "a@b.fr" }],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    for field in [
        "welcome_title",
        "reservation_notice",
        "service_enfance",
        "service_cantine",
    ] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    assert_eq!(version(&b).await, v0);
    assert!(settings_audit(&b).await.is_empty());

    // Accepted: a new version, the file's comments and other keys kept.
    let r = admin
        .patch(&texts_url)
        .json(&json!({
            "welcome_title": "Bonjour les familles",
            "welcome_text": "Première ligne\n\n- **inscriptions** ouvertes\n\n<script>alert(1)</script>",
            "reservation_notice": "Réservez avant mardi midi.",
            "services": [{ "code": "jeunesse", "email": "jeunes@demo.example" }],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["config_version"], v0 + 1);
    assert_eq!(body["services"][1]["email"], "jeunes@demo.example");
    assert_eq!(version(&b).await, v0 + 1);
    let source = settings_source(&b).await;
    assert!(source.contains("# Configuration of one municipality on Portail Famille."));
    assert!(source.contains("Bonjour les familles") && source.contains("[[prestations]]"));
    let audit = settings_audit(&b).await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].0.starts_with("staff:"));
    assert_eq!(
        audit[0].1,
        [
            "welcome_title",
            "welcome_text",
            "reservation_notice",
            "services.jeunesse.email"
        ]
    );
    assert_eq!(audit[0].2, "api");

    // This replica and the other one show the new texts from the next request on, Markdown
    // rendered and HTML shown as text; the booking page's notice too.
    let home = b.app.get(&format!("/{}/", b.tenant.slug)).await;
    let home = home.text().await.unwrap();
    assert!(home.contains("Bonjour les familles"));
    assert!(home.contains("<strong>inscriptions</strong>"));
    assert!(home.contains("&lt;script&gt;") && !home.contains("<script>alert"));
    assert!(eventually_contains(&replica.client, &replica_home, "Bonjour les familles").await);
    assert!(eventually_contains(&parent, &grid, "Réservez avant mardi midi.").await);

    // The same texts again write nothing.
    let r = admin
        .patch(&texts_url)
        .json(&json!({ "welcome_title": "Bonjour les familles" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(version(&b).await, v0 + 1);

    // The page: the form, a refused field shown beside itself, then a saved change.
    let page = b.get(&admin, "/gestion/textes").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Bonjour les familles") && html.contains("name=\"service_enfance\""));
    let csrf = csrf_of(&html);
    let form = |title: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("welcome_title", title.to_string()),
            ("welcome_text", "Texte".to_string()),
            ("reservation_notice", "Avis".to_string()),
            (
                "service_enfance",
                "service.enfance@demo.example".to_string(),
            ),
            ("service_jeunesse", "jeunes@demo.example".to_string()),
        ]
    };
    let r = admin
        .post(b.url("/gestion/textes"))
        .form(&form(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("welcome_title-erreur") && html.contains("role=\"alert\""));
    assert_eq!(version(&b).await, v0 + 1);
    let r = admin
        .post(b.url("/gestion/textes"))
        .form(&form("Titre du formulaire"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(version(&b).await, v0 + 2);
    let r = b.get(&admin, "/gestion/textes?info=textes").await;
    assert!(r.text().await.unwrap().contains("Titre du formulaire"));
    assert_eq!(settings_audit(&b).await[1].2, "page");
    // A gestionnaire neither sees the page in the navigation nor opens it.
    let home = b.get(&gestion, "/gestion/").await;
    assert!(!home.text().await.unwrap().contains("/gestion/textes"));
    let r = b.get(&gestion, "/gestion/textes").await;
    assert_eq!(r.status(), 403);
    b.cleanup().await;
}

#[tokio::test]
async fn a_staff_read_of_a_family_document_is_recorded_and_shown_to_the_family() {
    let b = Back::new("staff-docs").await;
    let (secret, _) = b.member("accueil@mairie.example", "accueil").await;
    let accueil = b.signed_in("accueil@mairie.example", &secret).await;
    let (admin_secret, _) = b.member(ADMIN, "admin").await;
    let admin = b.signed_in(ADMIN, &admin_secret).await;
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;
    let r = upload_document(
        &parent,
        &b.app.base,
        &b.tenant.slug,
        "Attestation CAF",
        "caf.pdf",
        CLEAN_PDF,
    )
    .await;
    assert_eq!(r.status(), 201);
    let document = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let found: Value = b
        .get(&accueil, "/api/v1/staff/households?q=alain")
        .await
        .json()
        .await
        .unwrap();
    let household = found["households"][0]["id"].as_str().unwrap().to_string();
    let detail: Value = b
        .get(&accueil, &format!("/api/v1/staff/households/{household}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["documents"][0]["id"], document.as_str());
    assert_eq!(detail["documents"][0]["name"], "Attestation CAF");
    // Listing names reads no file: the family sees no read yet.
    let export: Value = b.get(&parent, "/api/v1/export").await.json().await.unwrap();
    assert_eq!(export["staff_reads"], json!([]));

    // A parent's session never opens the staff file, and an unknown id is 404.
    let r = b
        .get(&parent, &format!("/api/v1/staff/documents/{document}"))
        .await;
    assert_eq!(r.status(), 401);
    let r = b
        .get(
            &accueil,
            &format!("/api/v1/staff/documents/{}", uuid::Uuid::new_v4()),
        )
        .await;
    assert_eq!(r.status(), 404);

    // The file through the API and through the page: each read recorded.
    let r = b
        .get(&accueil, &format!("/api/v1/staff/documents/{document}"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), CLEAN_PDF);
    let page = b
        .get(&accueil, &format!("/gestion/familles/{household}"))
        .await
        .text()
        .await
        .unwrap();
    let href = format!("/{}/gestion/documents/{document}", b.tenant.slug);
    assert!(page.contains(&href) && page.contains("Attestation CAF"));
    // The audit page is an admin's: an accueil sees no link to it and is refused.
    assert!(!page.contains("/journal"));
    let r = b
        .get(&accueil, &format!("/gestion/familles/{household}/journal"))
        .await;
    assert_eq!(r.status(), 403);
    let r = accueil
        .get(format!("{}{href}", b.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), CLEAN_PDF);

    let export: Value = b.get(&parent, "/api/v1/export").await.json().await.unwrap();
    let reads = export["staff_reads"].as_array().unwrap();
    assert_eq!(reads.len(), 2);
    for read in reads {
        assert_eq!(read["entity"], "document");
        assert_eq!(read["entity_id"], document.as_str());
        assert_eq!(read["role"], "accueil");
    }
    let account = b.get(&parent, "/mon-compte").await.text().await.unwrap();
    assert!(account.contains("Agent TEST (Accueil)") && account.contains("Document"));

    // The admin's page of the household's audit names the reader and the read.
    let page = b
        .get(&admin, &format!("/gestion/familles/{household}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/gestion/familles/{household}/journal")));
    let journal = b
        .get(&admin, &format!("/gestion/familles/{household}/journal"))
        .await;
    assert_eq!(journal.status(), 200);
    let journal = journal.text().await.unwrap();
    assert!(journal.contains("Agent TEST") && journal.contains("consultation"));
    assert!(journal.contains("document") && journal.contains("création"));
    b.cleanup().await;
}

/// The audit entries of a household for `entity`: (action, origin).
async fn audit_of(b: &Back, household: &str, entity: &str) -> Vec<(String, String)> {
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    let rows = tx
        .query_all_raw(sql(
            "SELECT action, origin FROM audit_log WHERE household_id = $1::text::uuid AND entity = $2 ORDER BY id",
            [household.into(), entity.into()],
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "action").unwrap(),
                r.try_get("", "origin").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn criteria_insurances_and_the_quotient_s_proof_are_recorded_by_a_gestionnaire_and_seen_by_the_parent()
 {
    let b = Back::new("staff-records").await;
    let (secret, _) = b.member("gestion@mairie.example", "gestionnaire").await;
    let gestion = b.signed_in("gestion@mairie.example", &secret).await;
    let (accueil_secret, _) = b.member("accueil@mairie.example", "accueil").await;
    let accueil = b.signed_in("accueil@mairie.example", &accueil_secret).await;
    let parent = signed_in(&b.app, &b.db, &b.tenant, PAUL, GOOD).await;
    let household_of = |q: &'static str| {
        let gestion = gestion.clone();
        let url = b.url(&format!("/api/v1/staff/households?q={q}"));
        async move {
            let found: Value = gestion.get(url).send().await.unwrap().json().await.unwrap();
            found["households"][0].clone()
        }
    };
    let alain = household_of("alain").await;
    let id = alain["id"].as_str().unwrap().to_string();
    let theo = id_of_named(&alain["children"], "Théo");
    // The household as staff read it: the parents' consents and the bookings to come.
    let r = parent
        .put(b.url(&format!(
            "/api/v1/children/{theo}/reservations/repas/2026-12-08"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let tx = portail_tenants::TenantTx::begin(&b.db, &b.tenant.schema_name)
        .await
        .unwrap();
    tx.execute_raw(sql(
        "INSERT INTO consents (guardian_id, code, granted, decided_at)
         SELECT id, 'rappels_sms', true, now() FROM guardians WHERE email = $1",
        [PAUL.into()],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let detail: Value = b
        .get(&gestion, &format!("/api/v1/staff/households/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["bookings"][0]["day"], "2026-12-08");
    assert_eq!(detail["bookings"][0]["prestation"], "Repas enfant");
    assert_eq!(detail["bookings"][0]["child_id"], theo.as_str());
    assert_eq!(detail["consents"][0]["code"], "rappels_sms");
    assert_eq!(detail["consents"][0]["granted"], true);
    let page = b
        .get(&gestion, &format!("/gestion/familles/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("mardi 8 décembre 2026 : Théo, Repas enfant"),
        "{page}"
    );
    assert!(page.contains("Paul ALAIN : Recevoir par SMS un rappel"));

    let other = household_of("martin").await;
    assert_ne!(other["id"], alain["id"]);
    let other_child = other["children"][0]["id"].as_str().unwrap().to_string();
    let criteria_url = b.url(&format!("/api/v1/staff/households/{id}/criteria"));

    // An accueil reads but does not record.
    let r = accueil
        .post(&criteria_url)
        .json(&json!({ "label": "Parent isolé" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Only the municipality's criteria, only the family's children.
    let r = gestion
        .post(&criteria_url)
        .json(&json!({ "label": "Parent célibataire", "child_id": other_child }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["label"].is_string() && body["fields"]["child_id"].is_string());
    let r = gestion
        .post(&criteria_url)
        .json(&json!({ "label": "Enfant en situation de handicap", "child_id": theo, "decided_at": "2026-09-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let detail: Value = r.json().await.unwrap();
    assert_eq!(
        detail["criteria"][0]["label"],
        "Enfant en situation de handicap"
    );
    assert_eq!(detail["criteria"][0]["child_id"], theo.as_str());
    let criterion = detail["criteria"][0]["id"].as_str().unwrap().to_string();
    let seen: Value = b
        .get(&parent, "/api/v1/household")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen["criteria"][0]["label"],
        "Enfant en situation de handicap"
    );

    // Insurances: dates in order, then the parent sees the contract.
    let insurances_url = b.url(&format!("/api/v1/staff/households/{id}/insurances"));
    let r = gestion
        .post(&insurances_url)
        .json(&json!({ "company": "", "number": "A1", "valid_from": "2026-09-01", "valid_to": "2026-08-31" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["company"].is_string() && body["fields"]["valid_to"].is_string());
    let r = gestion
        .post(&insurances_url)
        .json(&json!({ "company": "MAIF", "number": "A1-42", "valid_from": "2026-09-01", "valid_to": "2027-08-31" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let insurance = r.json::<Value>().await.unwrap()["insurances"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foyer = b.get(&parent, "/foyer").await.text().await.unwrap();
    assert!(foyer.contains("MAIF") && foyer.contains("A1-42"));
    assert!(foyer.contains("Enfant en situation de handicap"));

    // Removing is the household's own records only, then gone for the parent too.
    let r = gestion
        .delete(b.url(&format!(
            "/api/v1/staff/households/{}/criteria/{criterion}",
            other["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for url in [
        format!("{criteria_url}/{criterion}"),
        format!("{insurances_url}/{insurance}"),
    ] {
        let r = gestion.delete(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
    }
    let seen: Value = b
        .get(&parent, "/api/v1/household")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["criteria"], json!([]));
    assert_eq!(seen["insurances"], json!([]));
    let api = |action: &str| (action.to_string(), "api".to_string());
    assert_eq!(
        audit_of(&b, &id, "criterion").await,
        [api("create"), api("delete")]
    );
    assert_eq!(
        audit_of(&b, &id, "insurance").await,
        [api("create"), api("delete")]
    );

    // The quotient's proof: a document of this family only, kept with the quotient.
    let r = upload_document(
        &parent,
        &b.app.base,
        &b.tenant.slug,
        "Attestation CAF",
        "caf.pdf",
        CLEAN_PDF,
    )
    .await;
    let document = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let household_url = b.url(&format!("/api/v1/staff/households/{id}"));
    let other_url = b.url(&format!(
        "/api/v1/staff/households/{}",
        other["id"].as_str().unwrap()
    ));
    let r = gestion
        .patch(&other_url)
        .json(&json!({ "quotient_familial": 500, "quotient_valid_from": "2026-09-01", "quotient_document_id": document }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["quotient_document_id"].is_string());
    let r = gestion
        .patch(&household_url)
        .json(&json!({ "quotient_familial": 742, "quotient_valid_from": "2026-09-01", "quotient_document_id": document }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let detail: Value = r.json().await.unwrap();
    assert_eq!(detail["quotient_document_id"], document.as_str());
    let export: Value = b.get(&parent, "/api/v1/export").await.json().await.unwrap();
    assert_eq!(
        export["household"]["quotient_document_id"],
        document.as_str()
    );
    assert_eq!(export["household"]["quotient_familial"], 742);

    // The page's forms: a criterion and an insurance without JavaScript, a refusal shown
    // in its own form.
    let page = b
        .get(&gestion, &format!("/gestion/familles/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Famille nombreuse") && page.contains("Attestation CAF"));
    let csrf = csrf_of(&page);
    let r = gestion
        .post(b.url(&format!("/gestion/familles/{id}/criteres")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("label", "Famille nombreuse"),
            ("child_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = gestion
        .post(b.url(&format!("/gestion/familles/{id}/assurances")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("company", "MACIF"),
            ("number", "B7"),
            ("valid_from", "2026-09-01"),
            ("valid_to", "pas une date"),
            ("child_id", theo.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"assurance-erreur\"") && !html.contains("id=\"critere-erreur\""));
    assert!(html.contains("value=\"MACIF\""));
    let seen: Value = b
        .get(&parent, "/api/v1/household")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["criteria"][0]["label"], "Famille nombreuse");
    assert_eq!(seen["insurances"], json!([]));
    assert_eq!(
        audit_of(&b, &id, "criterion").await.last().unwrap(),
        &("create".to_string(), "page".to_string())
    );
    b.cleanup().await;
}
