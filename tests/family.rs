//! The family file ("Mon foyer", "Mes enfants") through the API and the pages: what a parent
//! may change, field-level French messages, isolation between households and municipalities,
//! the audit log and the export.

mod support;

use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

struct Family {
    app: TestApp,
    db: sea_orm::DatabaseConnection,
    tenant: portail_tenants::registry::Tenant,
    paul: reqwest::Client,
}

impl Family {
    async fn new(prefix: &str) -> Self {
        let db = db(1).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie Famille").await;
        let app = TestApp::spawn().await;
        let paul = signed_in(&app, &db, &tenant, PAUL, PASSWORD).await;
        Family {
            app,
            db,
            tenant,
            paul,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}/api/v1{path}", self.app.base, self.tenant.slug)
    }

    async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    async fn patch(&self, client: &reqwest::Client, path: &str, body: Value) -> reqwest::Response {
        client
            .patch(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, client: &reqwest::Client, path: &str, body: Value) -> reqwest::Response {
        client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn children(&self, client: &reqwest::Client) -> Vec<Value> {
        let v: Value = self.get(client, "/children").await.json().await.unwrap();
        v["children"].as_array().unwrap().clone()
    }

    async fn child_id(&self, client: &reqwest::Client, first_name: &str) -> String {
        self.children(client)
            .await
            .iter()
            .find(|c| c["first_name"] == first_name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

#[tokio::test]
async fn a_parent_edits_a_phone_adds_an_emergency_contact_sets_a_diet_validates_and_finds_it_all_in_the_export()
 {
    let f = Family::new("fam").await;
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_eq!(household["city"], "Lannion");
    assert_eq!(household["quotient_familial"], 999);
    let sophie = household["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["first_name"] == "Sophie")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{sophie}"),
            json!({ "phone": "07.11.22.33.44", "profession": "Infirmière" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    let sophie_now = updated["guardians"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == sophie.as_str())
        .unwrap()
        .clone();
    assert_eq!(sophie_now["phone"], "07 11 22 33 44");
    assert_eq!(sophie_now["profession"], "Infirmière");

    let theo = f.child_id(&f.paul, "Théo").await;
    let r = f.post(&f.paul, &format!("/children/{theo}/contacts"), json!({ "name": "Mamie Jeanne", "relation": "Grand-mère", "phone": "06 55 44 33 22", "emergency": true })).await;
    assert_eq!(r.status(), 201);
    let contact: Value = r.json().await.unwrap();
    assert_eq!(contact["emergency"], true);
    assert_eq!(contact["pickup"], false);

    let r = f.patch(&f.paul, &format!("/children/{theo}"), json!({ "diets": ["sans porc", "sans gluten"], "allergies": "Arachide", "pai": true, "doctor_name": "Dr Lefèvre", "doctor_phone": "02 96 00 00 00" })).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let r = f
        .post(&f.paul, &format!("/children/{theo}/validate"), json!({}))
        .await;
    let child: Value = r.json().await.unwrap();
    assert_eq!(child["validated"], true);
    assert!(child["validated_at"].is_string());
    assert_eq!(child["diets"], json!(["sans porc", "sans gluten"]));
    assert_eq!(child["contacts"][0]["name"], "Mamie Jeanne");
    assert!(
        child["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["prestation"] == "repas")
    );

    let export: Value = f.get(&f.paul, "/export").await.json().await.unwrap();
    assert_eq!(export["household"]["reference"], "F0001");
    assert!(
        export["guardians"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["profession"] == "Infirmière")
    );
    let theo_export = export["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == "Théo")
        .unwrap()
        .clone();
    assert_eq!(theo_export["allergies"], "Arachide");
    assert_eq!(theo_export["doctor_name"], "Dr Lefèvre");
    assert!(
        export["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Mamie Jeanne")
    );
    assert!(export["history"].as_array().unwrap().len() >= 4);
    assert!(
        !export.to_string().contains("argon2"),
        "no password hash in the export"
    );
    f.cleanup().await;
}

#[tokio::test]
async fn another_households_child_guardian_or_contact_answers_404_and_stays_unchanged() {
    let f = Family::new("iso").await;
    let maiwenn = signed_in(&f.app, &f.db, &f.tenant, MAIWENN, PASSWORD).await;
    let theo = f.child_id(&f.paul, "Théo").await;
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        f.get(&maiwenn, &format!("/children/{theo}")).await.status(),
        404
    );
    assert_eq!(
        f.patch(
            &maiwenn,
            &format!("/children/{theo}"),
            json!({ "allergies": "x" })
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        f.post(&maiwenn, &format!("/children/{theo}/validate"), json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        f.post(
            &maiwenn,
            &format!("/children/{theo}/contacts"),
            json!({ "name": "X", "phone": "0612345678", "pickup": true })
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        f.patch(
            &maiwenn,
            &format!("/household/guardians/{paul_id}"),
            json!({ "phone": "0700000000" })
        )
        .await
        .status(),
        404
    );
    // Paul's contact, out of Maïwenn's reach through his child's id and through her own.
    let r = f
        .post(
            &f.paul,
            &format!("/children/{theo}/contacts"),
            json!({ "name": "Mamie Jeanne", "phone": "0655443322", "emergency": true }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let contact = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let erwan = f.child_id(&maiwenn, "Erwan").await;
    for child in [&theo, &erwan] {
        let path = format!("/children/{child}/contacts/{contact}");
        let r = f.patch(&maiwenn, &path, json!({ "name": "Pirate" })).await;
        assert_eq!(
            status_and_code(r).await,
            (404, "not_found".into()),
            "PATCH {path}"
        );
        let r = maiwenn.delete(f.url(&path)).send().await.unwrap();
        assert_eq!(
            status_and_code(r).await,
            (404, "not_found".into()),
            "DELETE {path}"
        );
    }
    let contacts: Value = f
        .get(&f.paul, &format!("/children/{theo}/contacts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts.as_array().unwrap().len(), 1);
    assert_eq!(contacts[0]["name"], "Mamie Jeanne");
    // Paul himself may change and remove it: the 404s above are about the household.
    let path = format!("/children/{theo}/contacts/{contact}");
    let r = f
        .patch(&f.paul, &path, json!({ "name": "Mamie Jeanne B." }))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Mamie Jeanne B.");
    assert_eq!(
        f.paul.delete(f.url(&path)).send().await.unwrap().status(),
        204
    );
    let again = f.paul.delete(f.url(&path)).send().await.unwrap();
    assert_eq!(status_and_code(again).await, (404, "not_found".into()));

    let page = maiwenn
        .get(format!("{}/{}/enfants/{theo}", f.app.base, f.tenant.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let theo_now: Value = f
        .get(&f.paul, &format!("/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theo_now["allergies"], "");
    assert!(theo_now["validated_at"].is_null());
    assert_eq!(maiwenn_children(&f, &maiwenn).await, vec!["Erwan"]);
    f.cleanup().await;
}

async fn status_and_code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or("").to_string())
}

async fn maiwenn_children(f: &Family, client: &reqwest::Client) -> Vec<String> {
    f.children(client)
        .await
        .iter()
        .map(|c| c["first_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_same_ids_in_another_municipality_open_nothing_here() {
    let f = Family::new("twin-a").await;
    let other = create_tenant_with_families(&f.db, "twin-b", "Mairie Jumelle").await;
    let theo = f.child_id(&f.paul, "Théo").await;
    // Give the other municipality a child with Théo's very id, in Maïwenn's household there.
    let tx = TenantTx::begin(&f.db, &other.schema_name).await.unwrap();
    tx.execute_raw(sql(
        "INSERT INTO children (id, household_id, last_name, first_name, birth_date) SELECT $1::uuid, id, 'JUMEAU', 'Autre', '2018-01-01' FROM households WHERE reference = 'F0002'",
        [theo.clone().into()],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let app_other = format!("{}/{}/api/v1", f.app.base, other.slug);
    let maiwenn_other = signed_in(&f.app, &f.db, &other, MAIWENN, PASSWORD).await;
    let twin: Value = maiwenn_other
        .get(format!("{app_other}/children/{theo}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        twin["first_name"], "Autre",
        "each municipality answers with its own row"
    );
    // Paul's session is for the first municipality only.
    assert_eq!(
        f.paul
            .get(format!("{app_other}/children/{theo}"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let mine: Value = f
        .get(&f.paul, &format!("/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["first_name"], "Théo");
    delete_tenant(&f.db, &other.slug).await;
    f.cleanup().await;
}

#[tokio::test]
async fn identifiers_and_staff_fields_in_a_body_are_refused_never_applied() {
    let f = Family::new("ids").await;
    let theo = f.child_id(&f.paul, "Théo").await;
    for body in [
        json!({ "quotient_familial": 1 }),
        json!({ "household_id": theo }),
        json!({ "tenant": "autre" }),
    ] {
        let r = f.patch(&f.paul, "/household", body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
    }
    for body in [
        json!({ "validated_at": "2026-09-01T00:00:00Z" }),
        json!({ "household_id": theo }),
        json!({ "id": theo }),
    ] {
        assert_eq!(
            f.patch(&f.paul, &format!("/children/{theo}"), body.clone())
                .await
                .status(),
            400,
            "{body}"
        );
    }
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_eq!(household["quotient_familial"], 999);
    let child: Value = f
        .get(&f.paul, &format!("/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(child["validated_at"].is_null());
    f.cleanup().await;
}

#[tokio::test]
async fn bad_values_get_field_level_french_messages_and_nothing_is_written() {
    let f = Family::new("bad").await;
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    let paul = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sophie = household["guardians"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theo = f.child_id(&f.paul, "Théo").await;

    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{paul}"),
            json!({ "phone": "12", "email": "paul@", "profession": "x".repeat(10_000) }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_fields");
    assert!(
        body["fields"]["phone"]
            .as_str()
            .unwrap()
            .contains("numéro de téléphone")
    );
    assert!(
        body["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("adresse e-mail")
    );
    assert!(
        body["fields"]["profession"]
            .as_str()
            .unwrap()
            .contains("trop long")
    );

    let r = f
        .patch(
            &f.paul,
            "/household",
            json!({ "postal_code": "2230", "address": "" }),
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["postal_code"]
            .as_str()
            .unwrap()
            .contains("5 chiffres")
    );
    assert!(
        body["fields"]["address"]
            .as_str()
            .unwrap()
            .contains("obligatoire")
    );

    let r = f.patch(&f.paul, &format!("/children/{theo}"), json!({ "birth_date": "2099-01-01", "medical_notes": "x".repeat(10_000), "diets": ["halal"] })).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["birth_date"]
            .as_str()
            .unwrap()
            .contains("futur")
    );
    assert!(
        body["fields"]["medical_notes"]
            .as_str()
            .unwrap()
            .contains("2000")
    );
    assert!(
        body["fields"]["diets"]
            .as_str()
            .unwrap()
            .contains("n'est pas un régime proposé")
    );

    let r = f
        .post(
            &f.paul,
            &format!("/children/{theo}/contacts"),
            json!({ "name": "Sans rôle", "phone": "06 12 34 56 78" }),
        )
        .await;
    assert_eq!(
        r.status(),
        422,
        "a contact is for pick-up, emergency, or both"
    );

    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{sophie}"),
            json!({ "email": "sophie.nouvelle@demo.example" }),
        )
        .await;
    assert_eq!(r.status(), 422, "only Sophie changes her sign-in address");
    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{paul}"),
            json!({ "email": MAIWENN }),
        )
        .await;
    assert!(
        r.json::<Value>().await.unwrap()["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("déjà utilisée")
    );

    let after: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_eq!(after["postal_code"], "22300");
    assert_eq!(
        after["guardians"][0]["phone"],
        household["guardians"][0]["phone"]
    );
    f.cleanup().await;
}

#[tokio::test]
async fn consents_are_explicit_dated_and_can_be_withdrawn() {
    let f = Family::new("consent").await;
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    let paul = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        household["guardians"][0]["consents"][0]["granted"].is_null(),
        "no choice made yet"
    );
    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{paul}"),
            json!({ "consents": [{ "code": "informations_email", "granted": true }] }),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    let consent = v["guardians"][0]["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "informations_email")
        .unwrap()
        .clone();
    assert_eq!(consent["granted"], true);
    assert!(consent["decided_at"].is_string());
    let v: Value = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{paul}"),
            json!({ "consents": [{ "code": "informations_email", "granted": false }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["guardians"][0]["consents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "informations_email")
            .unwrap()["granted"],
        false
    );
    let r = f
        .patch(
            &f.paul,
            &format!("/household/guardians/{paul}"),
            json!({ "phone": "0611111111", "consents": [{ "code": "inconnu", "granted": true }] }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_ne!(
        v["guardians"][0]["phone"], "06 11 11 11 11",
        "nothing written when a consent is unknown"
    );
    f.cleanup().await;
}

#[tokio::test]
async fn the_audit_log_names_who_changed_which_fields_but_never_medical_values() {
    let f = Family::new("audit").await;
    let theo = f.child_id(&f.paul, "Théo").await;
    let r = f
        .patch(
            &f.paul,
            &format!("/children/{theo}"),
            json!({ "allergies": "Kiwi et arachide", "pai": true }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = f
        .post(&f.paul, &format!("/children/{theo}/validate"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let o = portail(&["tenant", "audit", &f.tenant.slug, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(!text.contains("Kiwi"), "no medical value in the audit");
    let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
    let update = entries
        .iter()
        .find(|e| e["entity"] == "child" && e["action"] == "update")
        .unwrap();
    assert_eq!(update["fields"], json!(["allergies", "pai"]));
    assert!(update["actor"].as_str().unwrap().starts_with("guardian:"));
    assert_eq!(update["origin"], "api");
    assert!(entries.iter().any(|e| e["action"] == "validate"));
    let human = portail(&["tenant", "audit", &f.tenant.slug, "--since", "2020-01-01"]);
    assert!(stdout(&human).contains("validate"));
    let bad = portail(&["tenant", "audit", &f.tenant.slug, "--since", "hier"]);
    assert!(!bad.status.success());
    f.cleanup().await;
}

#[tokio::test]
async fn the_pages_edit_a_field_in_place_without_javascript_and_show_script_as_text() {
    let f = Family::new("pages").await;
    let base = format!("{}/{}", f.app.base, f.tenant.slug);
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    let paul = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let page = f.paul.get(format!("{base}/foyer")).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    for title in [
        "État civil",
        "Coordonnées",
        "Adresse du foyer",
        "Informations personnelles",
        "Responsabilités",
        "Assurances",
        "Critères",
        "Quotient familial",
        "Consentements",
    ] {
        assert!(
            html.contains(&format!("<summary>{title}</summary>")),
            "{title}"
        );
    }
    assert!(html.contains("Quotient familial : 999"));
    let editing = f
        .paul
        .get(format!("{base}/foyer?modifier={paul}.phone"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        editing.contains(&format!("id=\"champ-{paul}-phone-form\" ")),
        "the field's form is open"
    );
    let csrf = csrf_of(&editing);

    let r = f
        .paul
        .post(format!("{base}/foyer"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", paul.as_str()),
            ("field", "phone"),
            ("value", "06 99 88 77 66"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let done = f
        .paul
        .get(format!("{base}/foyer?info=maj"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("Les informations ont été mises à jour"));
    assert!(done.contains("06 99 88 77 66"));

    let r = f
        .paul
        .post(format!("{base}/foyer"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", paul.as_str()),
            ("field", "phone"),
            ("value", "12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le numéro de téléphone n&#x27;est pas valide")
    );

    let r = f
        .paul
        .post(format!("{base}/foyer"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", paul.as_str()),
            ("field", "profession"),
            ("value", "<script>alert(1)</script>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = f
        .paul
        .get(format!("{base}/foyer"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let theo = f.child_id(&f.paul, "Théo").await;
    let child = f
        .paul
        .get(format!("{base}/enfants/{theo}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        child.contains("Fiche non validée")
            && child.contains("Valider cette fiche")
            && child.contains("Plus de détails")
    );
    assert!(child.contains("né(e) le 7 juil. 2016 à Lannion"));
    let r = f
        .paul
        .post(format!("{base}/enfants/{theo}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("section", "medical"),
            ("doctor_name", "Dr M. LEFEVRE"),
            ("doctor_phone", "02 96 00 00 00"),
            ("allergies", ""),
            ("pai", "non"),
            ("medical_notes", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = f
        .paul
        .post(format!("{base}/enfants/{theo}/valider"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let child = f
        .paul
        .get(format!("{base}/enfants/{theo}?info=validee"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(child.contains("Fiche validée le"));
    let without = f
        .paul
        .post(format!("{base}/enfants/{theo}/valider"))
        .form(&[("section", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    f.cleanup().await;
}

#[tokio::test]
async fn the_consent_form_page_saves_an_explicit_yes_or_no_for_the_guardian_only_in_the_household()
{
    let f = Family::new("consent").await;
    let base = format!("{}/{}", f.app.base, f.tenant.slug);
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    let paul = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let consent = |h: &Value, code: &str| -> Value {
        h["guardians"][0]["consents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["granted"]
            .clone()
    };
    assert_eq!(consent(&household, "informations_email"), Value::Null);

    let page = f.paul.get(format!("{base}/foyer")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("id=\"consentements-{paul}\"")));
    assert!(html.contains("Pas encore de choix."));
    let csrf = csrf_of(&html);
    let r = f
        .paul
        .post(format!("{base}/foyer/consentements"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("guardian", paul.as_str()),
            ("informations_email", "oui"),
            ("rappels_sms", "non"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/foyer?info=maj#consentements-{paul}", f.tenant.slug).as_str()
    );
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_eq!(consent(&household, "informations_email"), true);
    assert_eq!(consent(&household, "rappels_sms"), false);
    assert_eq!(
        consent(&household, "quotient_caf"),
        Value::Null,
        "no answer, no choice"
    );
    let html = f
        .paul
        .get(format!("{base}/foyer"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Choix enregistré le"));

    // Another household's guardian: 404, and nothing changes for them.
    let maiwenn = signed_in(&f.app, &f.db, &f.tenant, MAIWENN, PASSWORD).await;
    let theirs: Value = maiwenn
        .get(f.url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let maiwenn_id = theirs["guardians"][0]["id"].as_str().unwrap().to_string();
    let r = f
        .paul
        .post(format!("{base}/foyer/consentements"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("guardian", maiwenn_id.as_str()),
            ("informations_email", "oui"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let theirs: Value = maiwenn
        .get(f.url("/household"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(consent(&theirs, "informations_email"), Value::Null);

    // Without the form's token: nothing saved.
    let r = f
        .paul
        .post(format!("{base}/foyer/consentements"))
        .form(&[("guardian", paul.as_str()), ("informations_email", "non")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "refused without the CSRF token");
    let household: Value = f.get(&f.paul, "/household").await.json().await.unwrap();
    assert_eq!(consent(&household, "informations_email"), true);
    f.cleanup().await;
}
