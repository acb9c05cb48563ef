//! The family file ("Mon foyer", "Mes enfants") through the API and the pages: what a parent
//! may change, field-level French messages, isolation between households and municipalities,
//! the audit log and the export.

mod support;

use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn a_parent_edits_a_phone_adds_an_emergency_contact_sets_a_diet_validates_and_finds_it_all_in_the_export()
 {
    let f = Town::build("fam").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
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

    let r = paul
        .patch(
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

    let theo = paul.child_id("Théo").await;
    let r = paul.post(&format!("/children/{theo}/contacts"), json!({ "name": "Mamie Jeanne", "relation": "Grand-mère", "phone": "06 55 44 33 22", "emergency": true })).await;
    assert_eq!(r.status(), 201);
    let contact: Value = r.json().await.unwrap();
    assert_eq!(contact["emergency"], true);
    assert_eq!(contact["pickup"], false);

    let r = paul.patch(&format!("/children/{theo}"), json!({ "diets": ["sans porc", "sans gluten"], "allergies": "Arachide", "pai": true, "doctor_name": "Dr Lefèvre", "doctor_phone": "02 96 00 00 00" })).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let r = paul
        .post(&format!("/children/{theo}/validate"), json!({}))
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

    let export: Value = paul.get("/export").await.json().await.unwrap();
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
    let f = Town::build("iso").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let maiwenn = f.parent(MAIWENN).await;
    let theo = paul.child_id("Théo").await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        maiwenn.get(&format!("/children/{theo}")).await.status(),
        404
    );
    assert_eq!(
        maiwenn
            .patch(&format!("/children/{theo}"), json!({ "allergies": "x" }))
            .await
            .status(),
        404
    );
    assert_eq!(
        maiwenn
            .post(&format!("/children/{theo}/validate"), json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        maiwenn
            .post(
                &format!("/children/{theo}/contacts"),
                json!({ "name": "X", "phone": "0612345678", "pickup": true })
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        maiwenn
            .patch(
                &format!("/household/guardians/{paul_id}"),
                json!({ "phone": "0700000000" })
            )
            .await
            .status(),
        404
    );
    // Paul's contact, out of Maïwenn's reach through his child's id and through her own.
    let r = paul
        .post(
            &format!("/children/{theo}/contacts"),
            json!({ "name": "Mamie Jeanne", "phone": "0655443322", "emergency": true }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let contact = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let erwan = maiwenn.child_id("Erwan").await;
    for child in [&theo, &erwan] {
        let path = format!("/children/{child}/contacts/{contact}");
        let r = maiwenn.patch(&path, json!({ "name": "Pirate" })).await;
        assert_eq!(
            status_and_code(r).await,
            (404, "not_found".into()),
            "PATCH {path}"
        );
        let r = maiwenn.delete(&path).await;
        assert_eq!(
            status_and_code(r).await,
            (404, "not_found".into()),
            "DELETE {path}"
        );
    }
    let contacts: Value = paul
        .get(&format!("/children/{theo}/contacts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts.as_array().unwrap().len(), 1);
    assert_eq!(contacts[0]["name"], "Mamie Jeanne");
    // Paul himself may change and remove it: the 404s above are about the household.
    let path = format!("/children/{theo}/contacts/{contact}");
    let r = paul
        .patch(&path, json!({ "name": "Mamie Jeanne B." }))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Mamie Jeanne B.");
    assert_eq!(paul.delete(&path).await.status(), 204);
    let again = paul.delete(&path).await;
    assert_eq!(status_and_code(again).await, (404, "not_found".into()));

    let page = maiwenn.page(&format!("/enfants/{theo}")).await;
    assert_eq!(page.status(), 404);
    let theo_now: Value = paul
        .get(&format!("/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theo_now["allergies"], "");
    assert!(theo_now["validated_at"].is_null());
    assert_eq!(first_names(&maiwenn).await, vec!["Erwan"]);
    f.cleanup().await;
}

/// The first names of the children a browser's household has.
async fn first_names(browser: &Browser) -> Vec<String> {
    let v = browser.json("/children").await;
    let children = v["children"].as_array().unwrap().iter();
    children
        .map(|c| c["first_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_same_ids_in_another_municipality_open_nothing_here() {
    let f = Town::build("twin-a").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let other = create_tenant_with_families(&f.db, "twin-b", "Mairie Jumelle").await;
    let theo = paul.child_id("Théo").await;
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
        paul.client
            .get(format!("{app_other}/children/{theo}"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let mine: Value = paul
        .get(&format!("/children/{theo}"))
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
    let f = Town::build("ids").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    for body in [
        json!({ "quotient_familial": 1 }),
        json!({ "household_id": theo }),
        json!({ "tenant": "autre" }),
    ] {
        let r = paul.patch("/household", body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
    }
    for body in [
        json!({ "validated_at": "2026-09-01T00:00:00Z" }),
        json!({ "household_id": theo }),
        json!({ "id": theo }),
    ] {
        assert_eq!(
            paul.patch(&format!("/children/{theo}"), body.clone())
                .await
                .status(),
            400,
            "{body}"
        );
    }
    let household: Value = paul.get("/household").await.json().await.unwrap();
    assert_eq!(household["quotient_familial"], 999);
    let child: Value = paul
        .get(&format!("/children/{theo}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(child["validated_at"].is_null());
    f.cleanup().await;
}

#[tokio::test]
async fn bad_values_get_field_level_french_messages_and_nothing_is_written() {
    let f = Town::build("bad").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sophie = household["guardians"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theo = paul.child_id("Théo").await;

    let r = paul
        .patch(
            &format!("/household/guardians/{paul_id}"),
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

    let r = paul
        .patch(
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

    let r = paul.patch(&format!("/children/{theo}"), json!({ "birth_date": "2099-01-01", "medical_notes": "x".repeat(10_000), "diets": ["halal"] })).await;
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

    let r = paul
        .post(
            &format!("/children/{theo}/contacts"),
            json!({ "name": "Sans rôle", "phone": "06 12 34 56 78" }),
        )
        .await;
    assert_eq!(
        r.status(),
        422,
        "a contact is for pick-up, emergency, or both"
    );

    let r = paul
        .patch(
            &format!("/household/guardians/{sophie}"),
            json!({ "email": "sophie.nouvelle@demo.example" }),
        )
        .await;
    assert_eq!(r.status(), 422, "only Sophie changes her sign-in address");
    let r = paul
        .patch(
            &format!("/household/guardians/{paul_id}"),
            json!({ "email": MAIWENN }),
        )
        .await;
    assert!(
        r.json::<Value>().await.unwrap()["fields"]["email"]
            .as_str()
            .unwrap()
            .contains("déjà utilisée")
    );

    let after: Value = paul.get("/household").await.json().await.unwrap();
    assert_eq!(after["postal_code"], "22300");
    assert_eq!(
        after["guardians"][0]["phone"],
        household["guardians"][0]["phone"]
    );
    f.cleanup().await;
}

#[tokio::test]
async fn consents_are_explicit_dated_and_can_be_withdrawn() {
    let f = Town::build("consent").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        household["guardians"][0]["consents"][0]["granted"].is_null(),
        "no choice made yet"
    );
    let r = paul
        .patch(
            &format!("/household/guardians/{paul_id}"),
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
    let v: Value = paul
        .patch(
            &format!("/household/guardians/{paul_id}"),
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
    let r = paul
        .patch(
            &format!("/household/guardians/{paul_id}"),
            json!({ "phone": "0611111111", "consents": [{ "code": "inconnu", "granted": true }] }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = paul.get("/household").await.json().await.unwrap();
    assert_ne!(
        v["guardians"][0]["phone"], "06 11 11 11 11",
        "nothing written when a consent is unknown"
    );
    f.cleanup().await;
}

#[tokio::test]
async fn the_audit_log_names_who_changed_which_fields_but_never_medical_values() {
    let f = Town::build("audit").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let r = paul
        .patch(
            &format!("/children/{theo}"),
            json!({ "allergies": "Kiwi et arachide", "pai": true }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = paul
        .post(&format!("/children/{theo}/validate"), json!({}))
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
    let f = Town::build("pages").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let page = paul.page("/foyer").await;
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
    let editing = paul
        .page(&format!("/foyer?modifier={paul_id}.phone"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        editing.contains(&format!("id=\"champ-{paul_id}-phone-form\" ")),
        "the field's form is open"
    );
    let csrf = csrf_of(&editing);

    let r = paul
        .post_form(
            "/foyer",
            &[
                ("csrf", csrf.as_str()),
                ("target", paul_id.as_str()),
                ("field", "phone"),
                ("value", "06 99 88 77 66"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let done = paul.page("/foyer?info=maj").await.text().await.unwrap();
    assert!(done.contains("Les informations ont été mises à jour"));
    assert!(done.contains("06 99 88 77 66"));

    let r = paul
        .post_form(
            "/foyer",
            &[
                ("csrf", csrf.as_str()),
                ("target", paul_id.as_str()),
                ("field", "phone"),
                ("value", "12"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Le numéro de téléphone n&#x27;est pas valide")
    );

    let r = paul
        .post_form(
            "/foyer",
            &[
                ("csrf", csrf.as_str()),
                ("target", paul_id.as_str()),
                ("field", "profession"),
                ("value", "<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = paul.page("/foyer").await.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let theo = paul.child_id("Théo").await;
    let child = paul
        .page(&format!("/enfants/{theo}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        child.contains("Fiche non validée")
            && child.contains("Valider cette fiche")
            && child.contains("?modifier=medical#medical")
    );
    assert!(child.contains("date de naissance : 7 juillet 2016 à Lannion"));
    let r = paul
        .post_form(
            &format!("/enfants/{theo}"),
            &[
                ("csrf", csrf.as_str()),
                ("section", "medical"),
                ("doctor_name", "Dr M. LEFEVRE"),
                ("doctor_phone", "02 96 00 00 00"),
                ("allergies", ""),
                ("pai", "non"),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = paul
        .post_form(
            &format!("/enfants/{theo}/valider"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let child = paul
        .page(&format!("/enfants/{theo}?info=validee"))
        .await
        .text()
        .await
        .unwrap();
    assert!(child.contains("Fiche validée le"));
    let without = paul
        .post_form(&format!("/enfants/{theo}/valider"), &[("section", "x")])
        .await;
    assert_eq!(without.status(), 403);
    f.cleanup().await;
}

#[tokio::test]
async fn the_consent_form_page_saves_an_explicit_yes_or_no_for_the_guardian_only_in_the_household()
{
    let f = Town::build("consent").named("Mairie Famille").start().await;
    let paul = f.parent(PAUL).await;
    let household: Value = paul.get("/household").await.json().await.unwrap();
    let paul_id = household["guardians"][0]["id"]
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

    let page = paul.page("/foyer").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("id=\"consentements-{paul_id}\"")));
    assert!(html.contains("Pas encore de choix."));
    let csrf = csrf_of(&html);
    let r = paul
        .post_form(
            "/foyer/consentements",
            &[
                ("csrf", csrf.as_str()),
                ("guardian", paul_id.as_str()),
                ("informations_email", "oui"),
                ("rappels_sms", "non"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/{}/foyer?info=maj#consentements-{paul_id}", f.tenant.slug).as_str()
    );
    let household: Value = paul.get("/household").await.json().await.unwrap();
    assert_eq!(consent(&household, "informations_email"), true);
    assert_eq!(consent(&household, "rappels_sms"), false);
    assert_eq!(
        consent(&household, "quotient_caf"),
        Value::Null,
        "no answer, no choice"
    );
    let html = paul.page("/foyer").await.text().await.unwrap();
    assert!(html.contains("Choix enregistré le"));

    // Another household's guardian: 404, and nothing changes for them.
    let maiwenn = f.parent(MAIWENN).await;
    let theirs: Value = maiwenn.get("/household").await.json().await.unwrap();
    let maiwenn_id = theirs["guardians"][0]["id"].as_str().unwrap().to_string();
    let r = paul
        .post_form(
            "/foyer/consentements",
            &[
                ("csrf", csrf.as_str()),
                ("guardian", maiwenn_id.as_str()),
                ("informations_email", "oui"),
            ],
        )
        .await;
    assert_eq!(r.status(), 404);
    let theirs: Value = maiwenn.get("/household").await.json().await.unwrap();
    assert_eq!(consent(&theirs, "informations_email"), Value::Null);

    // Without the form's token: nothing saved.
    let r = paul
        .post_form(
            "/foyer/consentements",
            &[
                ("guardian", paul_id.as_str()),
                ("informations_email", "non"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403, "refused without the CSRF token");
    let household: Value = paul.get("/household").await.json().await.unwrap();
    assert_eq!(consent(&household, "informations_email"), true);
    f.cleanup().await;
}
