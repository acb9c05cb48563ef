//! The product guide's remaining details on the parents' pages: the child page's cursus and
//! group lines and its closed sections' summary lines; the booking grid's "Informations à
//! votre attention" computed from the week's rules, the municipality's notice after them.

mod support;

use chrono::{TimeZone, Utc};
use portail::clock::ManualClock;
use serde_json::Value;
use std::sync::Arc;
use support::*;

const GOOD: &str = "Vélo#Rouge42x";
const PAUL: &str = "paul.alain@demo.example";

#[tokio::test]
async fn the_child_page_and_the_grid_read_as_the_guide_shows() {
    let db = db(2).await;
    let t = create_tenant_with_families(&db, "guide", "Mairie Guide").await;
    let now = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2027, 1, 11, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let app = TestApp::spawn_with_clock(test_settings(), Arc::new(ManualClock::new(now))).await;
    let url = |path: &str| format!("{}/{}{path}", app.base, t.slug);
    let paul = signed_in(&app, &db, &t, PAUL, GOOD).await;
    let get = |path: String| {
        let paul = paul.clone();
        async move {
            let r = paul.get(path).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let children: Value = paul
        .get(url("/api/v1/children"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let theo = id_of_named(&children["children"], "Théo");
    // Two emergency contacts, one of whom may also pick Théo up, and a family doctor.
    {
        let tx = portail_tenants::TenantTx::begin(&db, &t.schema_name)
            .await
            .unwrap();
        tx.run(
            "UPDATE children SET doctor_name = 'Dr M. LEFEVRE' WHERE first_name = 'Théo'",
            [],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    for (name, pickup) in [("Mamie ALAIN", "oui"), ("Tonton ALAIN", "")] {
        let page = get(url(&format!("/enfants/{theo}"))).await;
        let mut form = vec![
            ("csrf", csrf_of(&page)),
            ("name", name.to_string()),
            ("relation", "Famille".to_string()),
            ("phone", "06 11 22 33 44".to_string()),
            ("emergency", "oui".to_string()),
        ];
        if !pickup.is_empty() {
            form.push(("pickup", pickup.to_string()));
        }
        let r = paul
            .post(url(&format!("/enfants/{theo}/contacts")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{:?}", r.text().await);
    }

    let page = get(url(&format!("/enfants/{theo}"))).await;
    let text = html::text_of(&page);
    for line in [
        "Cursus 2026-2027 : École élémentaire Jean Macé / CM1",
        "L'enfant n'est inscrit dans aucun groupe visible actuellement",
        "Médecin traitant : Dr M. LEFEVRE",
        "Urgence : 2 contacts  Sortie : 1 contact",
        "autorisation",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
    // The summary lines sit under the sections' titles, seen without opening a form.
    assert!(page.contains("<p class=\"summary-line\">Médecin traitant : Dr M. LEFEVRE</p>"));

    // A school week: each enrolled prestation's rules in words, then the notice.
    let grid = html::text_of(&get(url("/reservations?semaine=2027-W03")).await);
    let canteen = "Repas enfant : réservation et annulation avant 8h30 le jour même.";
    let wednesday = "ALSH mercredi matin : réservation et annulation 2 jours ouvrés avant, à 12h.";
    let notice = grid.find("Les réservations").expect("the notice");
    for rule in [canteen, wednesday] {
        let at = grid
            .find(rule)
            .unwrap_or_else(|| panic!("{rule:?} missing from {grid}"));
        assert!(at < notice, "the rules come before the notice");
    }
    // The holidays' prestation does not run this week: no line for it.
    assert!(!grid.contains("ALSH vacances :"));
    delete_tenant(&db, &t.slug).await;
}
