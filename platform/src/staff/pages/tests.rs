use super::activation::ActivationPage;
use super::audit::audit_model;
use super::children::child_model;
use super::counts::{AttendancePage, counts_model};
use super::families::{SearchPage, household_model};
use super::home::home_model;
use super::sign_in::SignInPage;
use super::team::team_model;
use super::texts::texts_model;
use crate::staff::Role;
use crate::staff::accounts::Member;
use crate::staff::auth::{self, StaffSigned};
use crate::staff::counts::{self, Attendance, PrestationCount};
use crate::staff::families::{self, HouseholdDetail};
use crate::staff::records::AuditEntry;
use crate::staff::records::ChildRecord;
use crate::staff::texts::{ServiceAddress, Texts};
use crate::templates::global;
use serde::Serialize;
use serde_json::{Value, json};

fn frame_with(page: &impl Serialize) -> Value {
    let t = global();
    let mut context = json!({
        "title": "Gestion",
        "css": t.css_url(),
        "js": t.js_url(),
        "tenant": { "slug": "demo", "name": "Mairie <de> Démo" },
        "nav": [],
        "account": { "name": "Anne <LEROUX>", "href": "/demo/gestion/", "signout": "/demo/gestion/deconnexion" },
        "csrf": "tok",
    });
    if let (Value::Object(c), Value::Object(d)) =
        (&mut context, serde_json::to_value(page).unwrap())
    {
        c.extend(d);
    }
    context
}

fn render(template: &str, page: &impl Serialize) -> String {
    global().try_render(template, &frame_with(page)).unwrap()
}

#[test]
fn the_sign_in_page_asks_for_the_code_and_escapes() {
    let html = render(
        "staff_connexion",
        &SignInPage {
            email: "<x>@y.fr".into(),
            info: None,
            error: Some("Erreur".into()),
        },
    );
    assert!(html.contains("name=\"code\""));
    assert!(html.contains("&lt;x&gt;@y.fr"));
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("/demo/gestion/deconnexion"));
}

#[test]
fn the_activation_steps_render() {
    let mut page = ActivationPage::password("tok123");
    assert!(render("staff_activation", &page).contains("name=\"password\""));
    page = ActivationPage::enrol(
        "tok123",
        auth::Enrolment {
            secret: "ABCDEF".into(),
            uri: "otpauth://totp/x:y?secret=ABCDEF".into(),
        },
    );
    let html = render("staff_activation", &page);
    assert!(html.contains("ABCDEF") && html.contains("<svg") && html.contains("name=\"code\""));
    page = ActivationPage {
        step: "codes",
        recovery_codes: vec!["AAAAA-BBBBB".into()],
        ..Default::default()
    };
    assert!(render("staff_activation", &page).contains("AAAAA-BBBBB"));
}

#[test]
fn the_home_team_and_family_pages_render() {
    let me = StaffSigned {
        session_id: "s".into(),
        id: uuid::Uuid::new_v4(),
        name: "Anne".into(),
        email: "a@b.fr".into(),
        role: Role::Admin,
    };
    let summary = families::Summary {
        awaiting_validation: 4,
        never_signed_in: 7,
    };
    let home_html = render("staff_accueil", &home_model(&me, summary, None));
    assert!(home_html.contains("/demo/gestion/equipe") && home_html.contains("7 responsables"));
    assert!(home_html.contains("/demo/gestion/textes"));
    let team_page = team_model(
        vec![Member {
            id: uuid::Uuid::new_v4(),
            email: "b@b.fr".into(),
            name: "Bruno <B>".into(),
            role: "gestionnaire".into(),
            status: "invited".into(),
        }],
        &me,
        "accueil",
    );
    let html = render("staff_equipe", &team_page);
    assert!(html.contains("Bruno &lt;B&gt;") && html.contains("name=\"role\""));
    let household = HouseholdDetail {
        id: uuid::Uuid::new_v4(),
        name: "ALAIN".into(),
        reference: "F1".into(),
        address: "1 rue".into(),
        postal_code: "22300".into(),
        city: "Lannion".into(),
        quotient_familial: Some(742),
        quotient_valid_from: None,
        quotient_document_id: Some(uuid::Uuid::nil()),
        guardians: vec![],
        children: vec![],
        criteria: vec![crate::household::repository::Criterion {
            id: uuid::Uuid::new_v4(),
            child_id: None,
            label: "Parent <isolé>".into(),
            decided_at: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        }],
        insurances: vec![crate::household::repository::Insurance {
            id: uuid::Uuid::new_v4(),
            child_id: None,
            company: "MAIF".into(),
            number: "123".into(),
            valid_from: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            valid_to: chrono::NaiveDate::from_ymd_opt(2027, 8, 31).unwrap(),
        }],
        consents: vec![crate::household::repository::Consent {
            guardian_id: uuid::Uuid::nil(),
            code: "rappels_sms".into(),
            granted: true,
            decided_at: chrono::Utc::now(),
        }],
        bookings: vec![families::BookingLine {
            child_id: uuid::Uuid::nil(),
            first_name: "Théo".into(),
            prestation_code: "repas".into(),
            prestation: "Repas <enfant>".into(),
            day: chrono::NaiveDate::from_ymd_opt(2027, 1, 18).unwrap(),
        }],
        documents: vec![families::DocumentLine {
            id: uuid::Uuid::nil(),
            person_name: Some("Théo ALAIN".into()),
            name: "Attestation <CAF>".into(),
            content_type: "application/pdf".into(),
            size: 2048,
            created_at: chrono::Utc::now(),
        }],
    };
    let html = render(
        "staff_foyer",
        &household_model(household, &me, &["Famille nombreuse".into()]),
    );
    assert!(html.contains("Parent &lt;isolé&gt; (décidé le 01/09/2026)"));
    assert!(html.contains("MAIF, contrat 123") && html.contains("Famille nombreuse"));
    assert!(html.contains("lundi 18 janvier 2027 : Théo, Repas &lt;enfant&gt;"));
    assert!(html.contains("Recevoir par SMS un rappel"));
    assert!(html.contains("<option value=\"00000000-0000-0000-0000-000000000000\" selected>"));
    assert!(html.contains("value=\"742\"") && html.contains("quotient_valid_from"));
    assert!(html.contains("/demo/gestion/documents/00000000-0000-0000-0000-000000000000"));
    assert!(html.contains("Attestation &lt;CAF&gt;") && html.contains("/journal"));
    let html = render(
        "staff_familles",
        &SearchPage {
            info: None,
            can_invite: true,
            q: "%_".into(),
            searched: true,
            households: vec![],
        },
    );
    assert!(html.contains("value=\"%_\""));
    let child = ChildRecord {
        id: uuid::Uuid::new_v4(),
        household_id: uuid::Uuid::new_v4(),
        first_name: "Théo".into(),
        last_name: "ALAIN".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(2016, 7, 7).unwrap(),
        birth_city: "Lannion".into(),
        school: "Jean Macé".into(),
        class: "CM1".into(),
        diets: vec!["sans porc".into()],
        doctor_name: "Dr <X>".into(),
        doctor_phone: "".into(),
        allergies: "arachide".into(),
        pai: true,
        medical_notes: "".into(),
        validated_at: None,
        contacts: vec![],
    };
    let html = render("staff_enfant", &child_model(child, &me));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let counted = counts_model(
        day,
        vec![PrestationCount {
            code: "repas".into(),
            name: "Repas".into(),
            booked: 3,
            capacity: Some(120),
            diets: [("sans porc".to_string(), 2)].into_iter().collect(),
            pai: 1,
            classes: vec![],
        }],
    );
    let counts_html = render("staff_effectifs", &counted);
    assert!(counts_html.contains("sans porc") && counts_html.contains("prestation=repas"));
    let list = AttendancePage {
        list: Attendance {
            date: day,
            prestation: "repas".into(),
            name: "Repas".into(),
            children: vec![counts::AttendanceLine {
                last_name: "ALAIN".into(),
                first_name: "<Théo>".into(),
                school: "École".into(),
                class: "CM1".into(),
                diets: vec![],
                pai: false,
                contacts: vec!["Mamie 06".into()],
            }],
        },
        date: "2026-12-01".into(),
        date_label: "01/12/2026".into(),
        csv_href: "/demo/gestion/effectifs/liste.csv?date=2026-12-01&prestation=repas".into(),
    };
    let list_html = render("staff_liste", &list);
    assert!(list_html.contains("&lt;Théo&gt;") && list_html.contains("liste.csv"));
    assert!(html.contains("Dr &lt;X&gt;") && html.contains("value=\"oui\""));
}

#[test]
fn the_texts_page_shows_the_texts_and_each_refused_field() {
    let mut page = texts_model(Texts {
        welcome_title: "Bienvenue <ici>".into(),
        welcome_text: "**Bonjour**".into(),
        reservation_notice: "Avant 8h30".into(),
        services: vec![ServiceAddress {
            code: "enfance".into(),
            name: "Service enfance".into(),
            email: "enfance@demo.example".into(),
        }],
        config_version: 3,
    });
    let html = render("staff_textes", &page);
    assert!(html.contains("Bienvenue &lt;ici&gt;") && html.contains("name=\"service_enfance\""));
    assert!(!html.contains("aria-invalid"));
    page.error = Some("Erreur".into());
    page.errors
        .insert("welcome_title".into(), "Obligatoire".into());
    page.services[0].error = Some("Adresse invalide".into());
    let html = render("staff_textes", &page);
    assert!(html.contains("role=\"alert\"") && html.contains("welcome_title-erreur"));
    assert!(html.contains("service_enfance-erreur"));
}

#[test]
fn the_audit_page_says_who_did_what() {
    let page = audit_model(
        uuid::Uuid::nil(),
        "ALAIN".into(),
        vec![AuditEntry {
            at: chrono::Utc::now(),
            actor: "staff:x".into(),
            actor_name: Some("Anne <L>".into()),
            action: "read".into(),
            entity: "document".into(),
            entity_id: "d".into(),
            fields: vec!["file".into()],
            origin: "page".into(),
        }],
    );
    let html = render("staff_journal", &page);
    assert!(html.contains("Anne &lt;L&gt;") && html.contains("consultation"));
    assert!(html.contains("document") && html.contains("<caption"));
}
