//! Cancelling a period at once (a sick child), from the mass wizard's cancel mode and from
//! the JSON API: every booked day of the chosen prestations and children is cancelled where
//! its own cancellation deadline allows, the others are kept and listed; the wizard proposes
//! its period (Du/Au) and its forms follow the one error pattern (summary linking to the
//! field, "Erreur : " in the title, values kept).

mod support;

use serde_json::{Value, json};
use support::*;

/// The days of `prestation` reserved for `child` in `week`, from the JSON grid.
async fn reserved(parent: &Browser, week: &str, child: &str, prestation: &str) -> Vec<String> {
    let v = parent.json(&format!("/reservations?week={week}")).await;
    let children = v["children"].as_array().unwrap();
    let child = children.iter().find(|c| c["first_name"] == child).unwrap();
    let rows = child["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["prestation"] == prestation).unwrap();
    let cells = row["cells"].as_array().unwrap().iter();
    cells
        .filter(|c| c["state"] == "reserved")
        .map(|c| c["date"].as_str().unwrap().to_string())
        .collect()
}

async fn book_all(parent: &Browser, child: &str, prestation: &str, days: &[&str]) {
    for day in days {
        let r = parent.book(child, prestation, day).await;
        assert_eq!(r.status(), 200, "{prestation} {day}");
    }
}

/// The cancel mode's form, posted as the page sends it.
async fn cancel(
    parent: &Browser,
    csrf: &str,
    children: &[&str],
    prestations: &[&str],
    from: &str,
    to: &str,
) -> Page {
    let mut form = vec![("csrf", csrf), ("action", "annuler")];
    form.extend(children.iter().map(|c| ("enfant", *c)));
    form.extend(prestations.iter().map(|p| ("prestation", *p)));
    form.extend([("du", from), ("au", to)]);
    parent.submit("/reservations/masse", &form).await
}

fn title(page: &Page) -> String {
    let start = page.html.find("<title>").unwrap() + "<title>".len();
    let end = page.html[start..].find("</title>").unwrap();
    decode(&page.html[start..start + end])
}

#[tokio::test]
async fn the_cancel_mode_cancels_what_its_deadlines_allow_and_lists_the_rest() {
    // Monday 11 January 2027, 8:00: the week's meals and evening care are booked.
    let p = Town::build("malade")
        .at(paris(2027, 1, 11, 8, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    book_all(
        &paul,
        &theo,
        "repas",
        &["2027-01-11", "2027-01-12", "2027-01-14", "2027-01-15"],
    )
    .await;
    book_all(&paul, &theo, "peri-soir", &["2027-01-12", "2027-01-14"]).await;
    book_all(&paul, &anna, "repas", &["2027-01-12"]).await;

    // Tuesday 7:00, Théo is sick. The meal's cancel deadline is 8:30 the same day, the evening
    // care's 6:00: Tuesday's care can no longer be cancelled, nor Monday's meal.
    p.clock().set(paris(2027, 1, 12, 7, 0));
    let form = paul.view("/reservations/masse?action=annuler").await;
    assert_eq!(form.status, 200);
    assert!(form.has("<title>Annuler des réservations"));
    assert!(!form.has("Étape 1 sur 3"));
    // Proposed: the next day still cancellable, to the end of its week.
    assert!(
        form.has("id=\"masse-du\" name=\"du\" value=\"2027-01-12\""),
        "{}",
        form.html
    );
    assert!(form.has("id=\"masse-au\" name=\"au\" value=\"2027-01-15\""));
    for code in ["repas", "peri-matin", "peri-soir"] {
        assert!(
            form.has(&format!("name=\"prestation\" value=\"{code}\" checked")),
            "{code}"
        );
    }
    let done = cancel(
        &paul,
        &form.csrf(),
        &[&theo],
        &["repas", "peri-soir"],
        "2027-01-11",
        "2027-01-15",
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.html);
    assert!(done.has("<title>Réservations annulées"));
    assert!(
        done.has("4 jours annulés</strong>, 2 jours non annulés."),
        "{}",
        done.html
    );
    let text = strip_tags(&done.html);
    assert!(
        text.contains("Repas enfant Théo : 3 jours annulés — mardi 12 janvier, jeudi 14 janvier, vendredi 15 janvier"),
        "{text}"
    );
    assert!(
        text.contains("Théo : 1 jour annulé — jeudi 14 janvier"),
        "{text}"
    );
    let kept = &text[text.find("Jours non annulés").expect("the kept days")..];
    assert!(
        kept.contains("Théo : 1 jour non annulé — lundi 11 janvier"),
        "{kept}"
    );
    assert!(
        kept.contains("Théo : 1 jour non annulé — mardi 12 janvier"),
        "{kept}"
    );

    // The grid agrees; Anna, not chosen, keeps her meal.
    assert_eq!(
        reserved(&paul, "2027-W02", "Théo", "repas").await,
        ["2027-01-11"]
    );
    assert_eq!(
        reserved(&paul, "2027-W02", "Théo", "peri-soir").await,
        ["2027-01-12"]
    );
    assert_eq!(
        reserved(&paul, "2027-W02", "Anna", "repas").await,
        ["2027-01-12"]
    );
    // The history says where the cancellations came from.
    let history = paul.html("/reservations/historique").await;
    assert!(history.contains("Réservation en masse"));

    // Nothing left to cancel: said as such.
    let again = cancel(
        &paul,
        &form.csrf(),
        &[&theo],
        &["repas"],
        "2027-01-14",
        "2027-01-15",
    )
    .await;
    assert_eq!(again.status, 200);
    assert!(again.has("Aucun jour annulé"));
    assert!(again.has("rien n'a changé"), "{}", again.html);
    p.cleanup().await;
}

#[tokio::test]
async fn the_wizard_proposes_its_period_and_refuses_bad_input_with_the_error_pattern() {
    let p = Town::build("erreurs")
        .at(paris(2027, 1, 11, 9, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;

    // Booking: from the next bookable day (Monday's meal closed at 8:30) to the end of the
    // school year (zone B's summer holidays start on 3 July 2027).
    let step3 = paul
        .view(&format!(
            "/reservations/masse?etape=3&prestation=repas&enfant={theo}"
        ))
        .await;
    assert!(
        step3.has("id=\"masse-du\" name=\"du\" value=\"2027-01-12\""),
        "{}",
        step3.html
    );
    assert!(step3.has("id=\"masse-au\" name=\"au\" value=\"2027-07-02\""));

    // A booking refused: the summary links to the field, the title says "Erreur", the field
    // carries its message, the values stay.
    let mut form = vec![("csrf", step3.csrf()), ("prestation", "repas".into())];
    form.extend([
        ("enfant", theo.clone()),
        ("du", "2027-01-18".into()),
        ("au", "2027-01-29".into()),
        ("mode", "remplacer".into()),
    ]);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = paul.submit("/reservations/masse", &fields).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        title(&refused),
        format!("Erreur : Réserver en masse – {}", p.tenant.name)
    );
    assert!(refused.has("data-error-summary"));
    assert!(refused.has("<a href=\"#masse-jour\">Choisissez au moins un jour de la semaine.</a>"));
    assert!(refused.has("id=\"masse-jour\" name=\"jour\""));
    assert!(refused.has("id=\"masse-jour-erreur\""));
    assert!(refused.has("value=\"2027-01-18\"") && refused.has("value=\"2027-01-29\""));

    // The cancel mode's refusals, each linked to its field.
    let csrf = paul.view("/reservations/masse?action=annuler").await.csrf();
    let cases = [
        (
            cancel(&paul, &csrf, &[], &["repas"], "2027-01-18", "2027-01-22").await,
            "masse-enfant",
            "Choisissez au moins un enfant.",
        ),
        (
            cancel(&paul, &csrf, &[&theo], &[], "2027-01-18", "2027-01-22").await,
            "masse-prestation",
            "Choisissez au moins une prestation.",
        ),
        (
            cancel(
                &paul,
                &csrf,
                &[&theo],
                &["piscine"],
                "2027-01-18",
                "2027-01-22",
            )
            .await,
            "masse-prestation",
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            cancel(
                &paul,
                &csrf,
                &[&theo],
                &["repas"],
                "2027-02-30",
                "2027-03-05",
            )
            .await,
            "masse-du",
            "Indiquez la période",
        ),
        (
            cancel(
                &paul,
                &csrf,
                &[&theo],
                &["repas"],
                "2027-01-22",
                "2027-01-18",
            )
            .await,
            "masse-du",
            "La date de fin est avant la date de début.",
        ),
    ];
    for (page, field, message) in cases {
        assert_eq!(page.status, 422, "{message}: {}", page.html);
        assert_eq!(
            title(&page),
            format!("Erreur : Annuler des réservations – {}", p.tenant.name)
        );
        assert!(
            page.alert().contains(message),
            "{message}: {}",
            page.alert()
        );
        assert!(
            page.has(&format!("<a href=\"#{field}\">")),
            "{message} links to {field}"
        );
        assert!(
            page.has(&format!("id=\"{field}-erreur\"")),
            "{message} next to {field}"
        );
        assert!(
            page.has("name=\"action\" value=\"annuler\""),
            "the cancel form again"
        );
    }
    // Values kept: the period as typed, the prestation as ticked.
    let kept = cancel(
        &paul,
        &csrf,
        &[],
        &["peri-soir"],
        "2027-01-18",
        "2027-01-22",
    )
    .await;
    assert!(kept.has("value=\"2027-01-18\"") && kept.has("value=\"2027-01-22\""));
    assert!(kept.has("name=\"prestation\" value=\"peri-soir\" checked"));
    assert!(!kept.has("name=\"prestation\" value=\"repas\" checked"));

    // Another household's child is a 404, as if it did not exist.
    let maiwenn = p.parent(MAIWENN).await;
    let other: Value = maiwenn.json("/children").await;
    let stranger = other["children"][0]["id"].as_str().unwrap().to_string();
    let page = cancel(
        &paul,
        &csrf,
        &[&stranger],
        &["repas"],
        "2027-01-18",
        "2027-01-22",
    )
    .await;
    assert_eq!(page.status, 404);
    p.cleanup().await;
}

#[tokio::test]
async fn the_api_cancels_a_period_and_refuses_bad_input_with_stable_codes() {
    let p = Town::build("annulapi")
        .at(paris(2027, 1, 11, 8, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    book_all(&paul, &theo, "repas", &["2027-01-18", "2027-01-19"]).await;
    book_all(&paul, &anna, "repas", &["2027-01-11", "2027-01-12"]).await;
    // A cell says its deadline in words too (the grid's script writes it in confirmations).
    let cell: Value = paul
        .book(&theo, "repas", "2027-01-18")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cell["until"], "lundi 18 janvier à 8h30");
    // 9:00: Monday's meal can no longer be cancelled.
    p.clock().set(paris(2027, 1, 11, 9, 0));

    let r = paul
        .post(
            "/reservations/cancel-period",
            json!({ "prestations": ["repas", "peri-soir"], "children": [theo, anna], "from": "2027-01-11", "to": "2027-01-22" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let days = |list: &Value| -> Vec<(String, String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let name = if d["child"] == json!(theo) {
                    "Théo"
                } else {
                    "Anna"
                };
                (
                    name.to_string(),
                    d["prestation"].as_str().unwrap().to_string(),
                    d["date"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut cancelled = days(&body["cancelled"]);
    cancelled.sort();
    let own = |c: &str, p: &str, d: &str| (c.to_string(), p.to_string(), d.to_string());
    assert_eq!(
        cancelled,
        [
            own("Anna", "repas", "2027-01-12"),
            own("Théo", "repas", "2027-01-18"),
            own("Théo", "repas", "2027-01-19")
        ]
    );
    assert_eq!(days(&body["kept"]), [own("Anna", "repas", "2027-01-11")]);
    assert_eq!(body["kept"][0]["reason"], "deadline");
    assert!(body["cancelled"][0]["reason"].is_null());
    assert_eq!(
        reserved(&paul, "2027-W02", "Anna", "repas").await,
        ["2027-01-11"]
    );
    assert!(
        reserved(&paul, "2027-W03", "Théo", "repas")
            .await
            .is_empty()
    );

    // Bad input: 422 with a French message, 404 for what is not the household's.
    let maiwenn = p.parent(MAIWENN).await;
    let other: Value = maiwenn.json("/children").await;
    let stranger = other["children"][0]["id"].as_str().unwrap().to_string();
    let cases = [
        (
            json!({ "prestations": ["repas"], "children": [theo], "from": "2027-02-30", "to": "2027-03-05" }),
            422,
            "invalid_request",
            "AAAA-MM-JJ",
        ),
        (
            json!({ "prestations": ["repas"], "children": [theo], "from": "2027-01-22", "to": "2027-01-18" }),
            422,
            "invalid_request",
            "avant la date de début",
        ),
        (
            json!({ "prestations": ["repas"], "children": [theo], "from": "2027-01-04", "to": "2028-03-01" }),
            422,
            "invalid_request",
            "400 jours",
        ),
        (
            json!({ "prestations": [], "children": [theo], "from": "2027-01-18", "to": "2027-01-22" }),
            422,
            "invalid_request",
            "au moins une prestation",
        ),
        (
            json!({ "prestations": ["repas"], "children": [], "from": "2027-01-18", "to": "2027-01-22" }),
            422,
            "invalid_request",
            "au moins un enfant",
        ),
        (
            json!({ "prestations": ["repas"], "children": [theo, theo], "from": "2027-01-18", "to": "2027-01-22" }),
            422,
            "invalid_request",
            "qu'une fois",
        ),
        (
            json!({ "prestations": ["piscine"], "children": [theo], "from": "2027-01-18", "to": "2027-01-22" }),
            404,
            "not_found",
            "",
        ),
        (
            json!({ "prestations": ["repas"], "children": [stranger], "from": "2027-01-18", "to": "2027-01-22" }),
            404,
            "not_found",
            "",
        ),
    ];
    for (body, status, code, words) in cases {
        let r = paul.post("/reservations/cancel-period", body.clone()).await;
        assert_eq!(r.status(), status, "{body}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["code"], code, "{body}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(words),
            "{body}: {answer}"
        );
    }
    // A body that is not the documented shape, and a visitor without a session.
    let r = paul
        .post(
            "/reservations/cancel-period",
            json!({ "prestations": ["repas"] }),
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = p.visitor().post("/reservations/cancel-period", json!({ "prestations": ["repas"], "children": [theo], "from": "2027-01-18", "to": "2027-01-22" })).await;
    assert_eq!(r.status(), 401);
    // Nothing changed by any of them.
    assert_eq!(
        reserved(&paul, "2027-W02", "Anna", "repas").await,
        ["2027-01-11"]
    );
    p.cleanup().await;
}
