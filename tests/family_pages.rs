//! The family pages as a parent uses them on a phone: the child page is a read-only summary
//! whose sections open as forms on "Modifier", a contact's removal is confirmed first and said
//! as such, every confirmation is said where the action happened (next to the field or the
//! contact, the answer landing on its anchor), and every refused form follows the one error
//! pattern (summary linking to the fields, "Erreur : " in the title, values kept).

mod support;

use serde_json::{Value, json};
use support::*;

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// The page's `<title>`.
fn title(html: &str) -> &str {
    let start = html.find("<title>").unwrap() + "<title>".len();
    &html[start..start + html[start..].find("</title>").unwrap()]
}

#[tokio::test]
async fn a_foyer_field_is_confirmed_next_to_it_and_a_refusal_follows_the_error_pattern() {
    let f = Town::build("fampg-foyer")
        .named("Mairie Famille")
        .start()
        .await;
    let paul = f.parent(PAUL).await;
    let csrf = paul.csrf("/foyer").await;
    let slug = f.slug().to_string();

    let r = paul
        .post_form(
            "/foyer",
            &[
                ("csrf", csrf.as_str()),
                ("target", "foyer"),
                ("field", "city"),
                ("value", "Perros-Guirec"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert_eq!(
        to,
        format!("/{slug}/foyer?info=maj&champ=foyer.city#champ-foyer-city")
    );
    let html = paul.html(to.trim_start_matches(&format!("/{slug}"))).await;
    let row = html.find("id=\"champ-foyer-city\"").unwrap();
    let said = html.find("Les informations ont été mises à jour").unwrap();
    assert!(
        said > row && said < row + 600,
        "the message is in the field's row"
    );
    assert_eq!(
        html.matches("Les informations ont été mises à jour")
            .count(),
        1
    );
    assert!(html[row..said].contains("aria-live=\"polite\""));

    let r = paul
        .post_form(
            "/foyer",
            &[
                ("csrf", csrf.as_str()),
                ("target", "foyer"),
                ("field", "postal_code"),
                ("value", "22A"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        title(&html).starts_with("Erreur : Mon foyer"),
        "{}",
        title(&html)
    );
    assert!(html.contains("id=\"champ-foyer-postal_code-erreurs\""));
    assert!(html.contains("href=\"#champ-foyer-postal_code-input\""));
    assert!(html.contains("data-error-summary"));
    assert!(html.contains("value=\"22A\""), "the value typed is kept");
    assert!(
        html.contains("/foyer#champ-foyer-postal_code-erreurs\""),
        "the answer to the form opens at the field"
    );
    f.cleanup().await;
}

#[tokio::test]
async fn the_child_page_is_a_summary_whose_sections_open_on_modifier() {
    let f = Town::build("fampg-child")
        .named("Mairie Famille")
        .start()
        .await;
    let paul = f.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let page = format!("/enfants/{theo}");

    let html = paul.html(&page).await;
    assert!(!html.contains("name=\"section\""), "no form until asked");
    assert!(html.contains("?modifier=identite#identite"));
    assert!(
        !html.contains("value=\"PAI\""),
        "PAI is asked in the medical section only"
    );
    assert!(html.contains("Aucun document"));
    let validate = html.find(&format!("/enfants/{theo}/valider")).unwrap();
    for section in ["identite", "medical", "contacts", "autorisations"] {
        assert!(
            html.find(&format!("id=\"{section}\"")).unwrap() < validate,
            "Valider cette fiche comes after {section}"
        );
    }

    let html = paul.html(&format!("{page}?modifier=medical")).await;
    assert!(html.contains("name=\"section\" value=\"medical\""));
    assert_eq!(html.matches("name=\"pai\"").count(), 2);
    let csrf = csrf_of(&html);

    // A refused section: the summary links to the field, the title says "Erreur : ".
    let r = paul
        .post_form(
            &page,
            &[
                ("csrf", csrf.as_str()),
                ("section", "identite"),
                ("first_name", ""),
                ("last_name", "ALAIN"),
                ("birth_date", "2016-07-07"),
                ("birth_city", "Lannion"),
                ("school", "École <b>"),
                ("class", "CM1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(title(&html).starts_with("Erreur : "), "{}", title(&html));
    assert!(html.contains("id=\"identite-erreurs\"") && html.contains("href=\"#f-first_name\""));
    assert!(html.contains("value=\"École &lt;b&gt;\""), "values kept");

    let r = paul
        .post_form(
            &page,
            &[
                ("csrf", csrf.as_str()),
                ("section", "medical"),
                ("doctor_name", "Dr Lefèvre"),
                ("doctor_phone", "02 96 00 00 00"),
                ("allergies", ""),
                ("pai", "oui"),
                ("medical_notes", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("?info=maj&section=medical#medical"));
    let html = paul.html(&format!("{page}?info=maj&section=medical")).await;
    let section = html.find("id=\"medical\"").unwrap();
    let said = html.find("Les informations ont été mises à jour").unwrap();
    assert!(said > section && said < html.find("id=\"contacts\"").unwrap());
    assert!(html[section..].contains("Dr Lefèvre"));
    f.cleanup().await;
}

#[tokio::test]
async fn a_contact_is_removed_once_confirmed_and_its_changes_are_said_next_to_it() {
    let f = Town::build("fampg-contact")
        .named("Mairie Famille")
        .start()
        .await;
    let paul = f.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let page = format!("/enfants/{theo}");
    let r = paul
        .post(
            &format!("/children/{theo}/contacts"),
            json!({ "name": "Mamie Jeanne", "relation": "Grand-mère", "phone": "06 55 44 33 22", "emergency": true }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let contact: Value = r.json().await.unwrap();
    let id = contact["id"].as_str().unwrap().to_string();
    let csrf = paul.csrf(&page).await;
    let contacts = format!("{page}/contacts");

    // A change: said next to the contact, the answer landing on it.
    let r = paul
        .post_form(
            &contacts,
            &[
                ("csrf", csrf.as_str()),
                ("contact", id.as_str()),
                ("name", "Mamie Jeanne B."),
                ("relation", "Grand-mère"),
                ("phone", "06 55 44 33 22"),
                ("emergency", "oui"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.ends_with(&format!("contact={id}#contact-{id}")), "{to}");
    let html = paul
        .html(to.trim_start_matches(&format!("/{}", f.slug())))
        .await;
    let card = html.find(&format!("id=\"contact-{id}\"")).unwrap();
    let said = html.find("Contact enregistré").unwrap();
    assert!(said > card && said < card + 800);

    // A refused change: the summary inside the contact, linking to its inputs.
    let r = paul
        .post_form(
            &contacts,
            &[
                ("csrf", csrf.as_str()),
                ("contact", id.as_str()),
                ("name", "Mamie Jeanne B."),
                ("relation", "Grand-mère"),
                ("phone", "12"),
                ("emergency", "oui"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(title(&html).starts_with("Erreur : "));
    assert!(html.contains(&format!("href=\"#tel-{id}\"")));
    assert!(html.contains(&format!("id=\"tel-{id}\" name=\"phone\" value=\"12\"")));

    // The removal: first a confirmation, nothing removed yet.
    let html = paul.html(&format!("{page}?supprimer={id}")).await;
    assert!(html.contains("Supprimer Mamie Jeanne B. des contacts de l'enfant ?"));
    assert!(html.contains("name=\"confirme\" value=\"oui\""));
    let unconfirmed = paul
        .post_form(
            &contacts,
            &[
                ("csrf", csrf.as_str()),
                ("contact", id.as_str()),
                ("action", "supprimer"),
            ],
        )
        .await;
    assert_eq!(unconfirmed.status(), 303);
    assert!(location(&unconfirmed).ends_with(&format!("?supprimer={id}#contact-{id}")));
    let still: Value = paul.json(&format!("/children/{theo}/contacts")).await;
    assert_eq!(
        still.as_array().unwrap().len(),
        1,
        "not removed before the confirmation"
    );

    let r = paul
        .post_form(
            &contacts,
            &[
                ("csrf", csrf.as_str()),
                ("contact", id.as_str()),
                ("action", "supprimer"),
                ("confirme", "oui"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("info=contact-supprime&section=contacts#contacts"));
    let html = paul
        .html(&format!("{page}?info=contact-supprime&section=contacts"))
        .await;
    assert!(html.contains("Contact supprimé"));
    assert!(!html.contains("Les informations ont été mises à jour"));
    let gone: Value = paul.json(&format!("/children/{theo}/contacts")).await;
    assert!(gone.as_array().unwrap().is_empty());
    f.cleanup().await;
}

#[tokio::test]
async fn the_documents_form_opens_its_refusal_at_the_summary() {
    let f = Town::build("fampg-docs")
        .named("Mairie Famille")
        .start()
        .await;
    let paul = f.parent(PAUL).await;
    let html = paul.html("/documents").await;
    assert!(
        html.contains("/documents#ajout-erreurs\""),
        "a refusal opens at its summary"
    );
    assert!(!title(&html).starts_with("Erreur"));
    f.cleanup().await;
}
