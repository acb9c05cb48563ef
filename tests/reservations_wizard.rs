//! "Réserver en masse", the history and the calendar feed, end to end through the pages: the
//! wizard's forms book a period and the confirmation lists what was booked and what was not,
//! and why; replace mode cancels the other weekdays where still allowed; bad input gets the
//! step again with a French message (422), another household's child a 404; the history names
//! who changed what from where; the `.ics` feed holds exactly the household's booked days and
//! its address can be renewed. A cell of the grid page is a button of its row's form: it books
//! and cancels its day without JavaScript, and a day that does not read changes nothing.

mod support;

use portail_tenants::calendar::WeekId;
use support::*;

/// The wizard's last step, posted as its form would be.
#[allow(clippy::too_many_arguments)] // one argument per field of the form
async fn book(
    parent: &Browser,
    csrf: &str,
    prestation: &str,
    children: &[&str],
    weekdays: &[&str],
    from: &str,
    to: &str,
    mode: &str,
) -> Page {
    let mut form = vec![("csrf", csrf), ("prestation", prestation)];
    form.extend(children.iter().map(|c| ("enfant", *c)));
    form.extend(weekdays.iter().map(|w| ("jour", *w)));
    form.extend([("du", from), ("au", to), ("mode", mode)]);
    parent.submit("/reservations/masse", &form).await
}

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

/// The wizard's form token.
async fn csrf(parent: &Browser) -> String {
    parent.view("/reservations/masse").await.csrf()
}

#[tokio::test]
async fn the_wizard_books_a_period_and_lists_the_days_it_skipped_with_their_reasons() {
    // 1 December 2026, 10:00 in Paris: the day's meal can no longer be booked (8:30).
    let p = Town::build("masse")
        .at(paris(2026, 12, 1, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    let david = paul.child_id("David").await;

    // Step 1: the prestations the children are enrolled in, and no other.
    let step1 = paul.view("/reservations/masse").await;
    assert_eq!(step1.status, 200);
    assert!(step1.has("Étape 1 sur 3"));
    for code in [
        "repas",
        "peri-matin",
        "peri-soir",
        "alsh-mercredi-matin",
        "alsh-mercredi-apres-midi",
    ] {
        assert!(
            step1.has(&format!("name=\"prestation\" value=\"{code}\"")),
            "{code} offered"
        );
    }
    assert!(
        !step1.has("value=\"alsh-vacances\""),
        "no child of the household is enrolled in ALSH vacances"
    );
    assert!(step1.has(">Suivant</button>"));

    // Step 2: only the children enrolled in that prestation.
    let step2 = paul
        .view("/reservations/masse?etape=2&prestation=peri-matin")
        .await;
    assert_eq!(step2.status, 200);
    assert!(step2.has(&format!("name=\"enfant\" value=\"{theo}\"")));
    assert!(step2.has(&format!("name=\"enfant\" value=\"{anna}\"")));
    assert!(
        !step2.has(&david),
        "David is not enrolled in the morning care"
    );
    assert!(step2.has("name=\"prestation\" value=\"peri-matin\""));

    // Step 3: the prestation's weekdays only, the choices carried in hidden fields.
    let step3 = paul
        .view(&format!(
            "/reservations/masse?etape=3&prestation=repas&enfant={theo}&enfant={anna}"
        ))
        .await;
    assert_eq!(step3.status, 200);
    for day in ["monday", "tuesday", "thursday", "friday"] {
        assert!(step3.has(&format!("name=\"jour\" value=\"{day}\"")));
    }
    assert!(!step3.has("value=\"wednesday\""), "no meal on Wednesdays");
    assert!(step3.has(&format!("type=\"hidden\" name=\"enfant\" value=\"{theo}\"")));
    assert!(step3.has(&format!("type=\"hidden\" name=\"enfant\" value=\"{anna}\"")));
    assert!(step3.has("type=\"date\" id=\"masse-du\" name=\"du\""));
    assert!(step3.has("value=\"ajouter\"") && step3.has("value=\"remplacer\""));
    assert!(step3.has(
        "annule aussi, sur la période, les jours déjà réservés les autres jours de la semaine"
    ));
    assert!(step3.has(">Réserver</button>"));

    // "Réserver": 1 December 2026 to 8 January 2027, every meal day, for Théo and Anna.
    let done = book(
        &paul,
        &step3.csrf(),
        "repas",
        &[&theo, &anna],
        &["monday", "tuesday", "thursday", "friday"],
        "2026-12-01",
        "2027-01-08",
        "ajouter",
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.html);
    // Per child: 3, 4, 7, 8, 10, 11, 14, 15, 17, 18 December and 4, 5, 7, 8 January.
    assert!(done.has("28 jours réservés"), "{}", done.html);
    assert!(done.has("0 annulé"));
    // Per child: 1 December (deadline), 24 December (closure), 21, 22, 28, 29, 31 December
    // (Christmas holidays), 25 December and 1 January (public holidays).
    assert!(done.has("18 non réservés"));
    assert!(done.has("Théo : 14 jours réservés"));
    assert!(done.has("Anna : 14 jours réservés"));
    let text = strip_tags(&done.html);
    // Each reason's part of the page: up to the next reason, or the links at the end.
    let section = |reason: &str| -> String {
        let start = text
            .find(reason)
            .unwrap_or_else(|| panic!("{reason} in {text}"))
            + reason.len();
        let rest = &text[start..];
        let end = [
            "La date limite",
            "Le service est fermé",
            "Pas de service",
            "Voir la grille",
        ]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let deadline = section("La date limite pour ce jour est passée.");
    assert!(
        deadline.contains("Théo : 1 jour non réservé — mardi 1er décembre 2026"),
        "{deadline}"
    );
    assert!(deadline.contains("Anna : 1 jour non réservé — mardi 1er décembre 2026"));
    let closed = section("Le service est fermé ce jour-là.");
    assert!(
        closed.contains("Théo : 1 jour non réservé — jeudi 24 décembre 2026"),
        "{closed}"
    );
    let holidays = section("Pas de service ce jour-là (jour férié ou vacances scolaires).");
    assert!(
        holidays.contains(
            "Théo : 7 jours non réservés — lundi 21 décembre 2026, mardi 22 décembre 2026, vendredi 25 décembre 2026, lundi 28 décembre 2026, mardi 29 décembre 2026, jeudi 31 décembre 2026, vendredi 1er janvier 2027"
        ),
        "{holidays}"
    );
    let first_week = WeekId::containing(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    assert!(done.has(&format!(
        "href=\"/{}/reservations?semaine={first_week}\"",
        p.tenant.slug
    )));

    // The grid agrees.
    assert_eq!(
        reserved(&paul, "2026-W50", "Théo", "repas").await,
        ["2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"]
    );
    assert_eq!(
        reserved(&paul, "2026-W49", "Anna", "repas").await,
        ["2026-12-03", "2026-12-04"]
    );
    assert!(
        reserved(&paul, "2026-W52", "Théo", "repas")
            .await
            .is_empty()
    );
    assert!(
        reserved(&paul, "2026-W50", "David", "repas")
            .await
            .is_empty(),
        "only the chosen children"
    );

    // Asking again books nothing more.
    let again = book(
        &paul,
        &step3.csrf(),
        "repas",
        &[&theo, &anna],
        &["monday", "tuesday", "thursday", "friday"],
        "2026-12-01",
        "2027-01-08",
        "ajouter",
    )
    .await;
    assert!(again.has("0 jour réservé"));
    p.cleanup().await;
}

#[tokio::test]
async fn replace_cancels_the_other_weekdays_of_the_period_where_still_allowed() {
    let p = Town::build("remplace")
        .at(paris(2026, 11, 30, 12, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let david = paul.child_id("David").await;
    let csrf = csrf(&paul).await;
    let all = ["monday", "tuesday", "thursday", "friday"];
    let first = book(
        &paul,
        &csrf,
        "repas",
        &[&david],
        &all,
        "2026-12-01",
        "2026-12-18",
        "ajouter",
    )
    .await;
    assert!(first.has("11 jours réservés"), "{}", first.html);

    // The next day, 1 December is past its cancellation deadline.
    p.clock().set(paris(2026, 12, 1, 10, 0));
    let replaced = book(
        &paul,
        &csrf,
        "repas",
        &[&david],
        &["monday", "thursday"],
        "2026-12-01",
        "2026-12-11",
        "remplacer",
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.html);
    assert!(replaced.has("0 jour réservé"), "{}", replaced.html);
    // Tuesday 8, Friday 4 and Friday 11 cancelled; Tuesday 1st too late to cancel.
    assert!(replaced.has("3 annulés"));
    assert!(replaced.has(
        "David : 3 jours annulés</strong> — vendredi 4 décembre, mardi 8 décembre, vendredi 11 décembre"
    ));
    assert!(replaced.has("La date limite pour ce jour est passée."));
    assert!(replaced.has("David : 1 jour non réservé</strong> — mardi 1er décembre"));
    assert_eq!(
        reserved(&paul, "2026-W49", "David", "repas").await,
        ["2026-12-01", "2026-12-03"]
    );
    assert_eq!(
        reserved(&paul, "2026-W50", "David", "repas").await,
        ["2026-12-07", "2026-12-10"]
    );
    assert_eq!(
        reserved(&paul, "2026-W51", "David", "repas").await,
        ["2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"],
        "outside the period: untouched"
    );

    // Adding never cancels.
    let added = book(
        &paul,
        &csrf,
        "repas",
        &[&david],
        &["tuesday"],
        "2026-12-14",
        "2026-12-18",
        "ajouter",
    )
    .await;
    assert!(added.has("0 jour réservé") && added.has("0 annulé"));
    assert_eq!(reserved(&paul, "2026-W51", "David", "repas").await.len(), 4);
    p.cleanup().await;
}

#[tokio::test]
async fn bad_input_shows_the_step_again_with_a_french_message_and_books_nothing() {
    let p = Town::build("invalide")
        .at(paris(2026, 11, 26, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let csrf = csrf(&paul).await;
    let days = ["monday", "friday"];
    let cases: Vec<(&str, Page, &str)> = vec![
        (
            "end before start",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &days,
                "2027-02-01",
                "2027-01-04",
                "ajouter",
            )
            .await,
            "La date de fin est avant la date de début.",
        ),
        (
            "more than 400 days",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &days,
                "2027-01-04",
                "2028-02-15",
                "ajouter",
            )
            .await,
            "La période ne peut dépasser 400 jours.",
        ),
        (
            "no weekday",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &[],
                "2027-01-04",
                "2027-01-29",
                "ajouter",
            )
            .await,
            "Choisissez au moins un jour de la semaine.",
        ),
        (
            "a weekday without the prestation",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &["wednesday"],
                "2027-01-04",
                "2027-01-29",
                "ajouter",
            )
            .await,
            "Choisissez des jours où « Repas enfant » a lieu.",
        ),
        (
            "a date that does not exist",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &days,
                "2027-02-30",
                "2027-03-05",
                "ajouter",
            )
            .await,
            "Indiquez la période : les dates « Du » et « Au » doivent exister",
        ),
        (
            "no mode",
            book(
                &paul,
                &csrf,
                "repas",
                &[&theo],
                &days,
                "2027-01-04",
                "2027-01-29",
                "",
            )
            .await,
            "Choisissez « Ajouter » ou « Remplacer ».",
        ),
        (
            "no child",
            book(
                &paul,
                &csrf,
                "repas",
                &[],
                &days,
                "2027-01-04",
                "2027-01-29",
                "ajouter",
            )
            .await,
            "Choisissez au moins un enfant.",
        ),
        (
            "no child, at step 2",
            paul.view("/reservations/masse?etape=3&prestation=repas")
                .await,
            "Choisissez au moins un enfant.",
        ),
        (
            "unknown prestation",
            book(
                &paul,
                &csrf,
                "piscine",
                &[&theo],
                &days,
                "2027-01-04",
                "2027-01-29",
                "ajouter",
            )
            .await,
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            "unknown prestation, at step 1",
            paul.view("/reservations/masse?etape=2&prestation=piscine")
                .await,
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            "a prestation no child is enrolled in",
            paul.view("/reservations/masse?etape=2&prestation=alsh-vacances")
                .await,
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            "no prestation chosen",
            paul.view("/reservations/masse?etape=2").await,
            "Choisissez une prestation.",
        ),
        (
            "a child not enrolled in the prestation",
            paul.view(&format!(
                "/reservations/masse?etape=3&prestation=peri-matin&enfant={}",
                paul.child_id("David").await
            ))
            .await,
            "« Accueil périscolaire matin » n'est pas proposé à David.",
        ),
    ];
    for (case, page, message) in cases {
        assert_eq!(page.status, 422, "{case}: {}", page.html);
        assert!(
            page.alert().contains(message),
            "{case}: {:?} should contain {message:?}",
            page.alert()
        );
        assert!(page.has("<form"), "{case}: the step is shown again");
    }
    // The step shown again keeps what was chosen, no weekday included.
    let none = book(
        &paul,
        &csrf,
        "repas",
        &[&theo],
        &[],
        "2027-01-04",
        "2027-01-29",
        "ajouter",
    )
    .await;
    assert_eq!(none.status, 422);
    for day in ["monday", "tuesday", "thursday", "friday"] {
        assert!(none.has(&format!("name=\"jour\" value=\"{day}\">")));
    }
    let kept = book(
        &paul,
        &csrf,
        "repas",
        &[&theo],
        &["friday"],
        "2027-02-01",
        "2027-01-04",
        "remplacer",
    )
    .await;
    assert!(kept.has("value=\"2027-02-01\"") && kept.has("value=\"2027-01-04\""));
    assert!(kept.has("value=\"friday\" checked") && !kept.has("value=\"monday\" checked"));
    assert!(kept.has("value=\"remplacer\" aria-describedby=\"mode-remplacer-aide\" checked"));

    // Nothing was booked by any of them.
    for week in ["2027-W01", "2027-W02", "2027-W03", "2027-W05"] {
        assert!(reserved(&paul, week, "Théo", "repas").await.is_empty());
    }

    // Without the form's token: refused.
    let forged = book(
        &paul,
        "",
        "repas",
        &[&theo],
        &days,
        "2027-01-04",
        "2027-01-29",
        "ajouter",
    )
    .await;
    assert_eq!(forged.status, 403);
    p.cleanup().await;
}

#[tokio::test]
async fn another_households_child_answers_404_and_is_never_booked() {
    let p = Town::build("autre")
        .at(paris(2026, 11, 26, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let maiwenn = p.parent(MAIWENN).await;
    let erwan = maiwenn.child_id("Erwan").await;
    let theo = paul.child_id("Théo").await;
    let csrf = csrf(&paul).await;
    let step3 = paul
        .view(&format!(
            "/reservations/masse?etape=3&prestation=repas&enfant={erwan}"
        ))
        .await;
    assert_eq!(step3.status, 404);
    assert!(!step3.has("Erwan"));
    let booked = book(
        &paul,
        &csrf,
        "repas",
        &[&theo, &erwan],
        &["monday"],
        "2027-01-04",
        "2027-01-29",
        "ajouter",
    )
    .await;
    assert_eq!(booked.status, 404);
    assert!(!booked.has("Erwan"));
    let unknown = book(
        &paul,
        &csrf,
        "repas",
        &[&uuid::Uuid::new_v4().to_string()],
        &["monday"],
        "2027-01-04",
        "2027-01-29",
        "ajouter",
    )
    .await;
    assert_eq!(unknown.status, 404);
    let garbage = book(
        &paul,
        &csrf,
        "repas",
        &["pas-un-id"],
        &["monday"],
        "2027-01-04",
        "2027-01-29",
        "ajouter",
    )
    .await;
    assert_eq!(garbage.status, 404);
    assert!(
        reserved(&maiwenn, "2027-W02", "Erwan", "repas")
            .await
            .is_empty()
    );
    assert!(
        reserved(&paul, "2027-W02", "Théo", "repas")
            .await
            .is_empty(),
        "nothing of a refused request is kept"
    );
    // Signed out: to the sign-in page.
    let r = p.visitor().page("/reservations/masse").await;
    assert_eq!(r.status(), 303);
    p.cleanup().await;
}

#[tokio::test]
async fn a_cell_posts_its_rows_form_with_its_action_and_day_and_an_unreadable_day_changes_nothing()
{
    let p = Town::build("cellule")
        .at(paris(2026, 12, 1, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let theo = paul.child_id("Théo").await;
    let grid = paul.view("/reservations?semaine=2027-W02").await;
    // Théo's meal row: its week form carries the row's fields and the id its cells name.
    let row_form = row_form_of(&grid.html, &theo, "repas");
    assert!(grid.has(&format!(
        "form=\"{row_form}\" name=\"reserver\" value=\"2027-01-11\""
    )));
    // What the browser posts for the button: the row's fields, then the button's own.
    let post = |action: &'static str, day: &'static str| {
        let (paul, theo, csrf) = (&paul, theo.clone(), grid.csrf());
        async move {
            let fields = [
                ("csrf", csrf.as_str()),
                ("child", theo.as_str()),
                ("prestation", "repas"),
                ("week", "2027-W02"),
                (action, day),
            ];
            paul.post_form("/reservations", &fields).await
        }
    };
    let r = post("reserver", "2027-01-11").await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("info=reserve"), "{}", location(&r));
    assert_eq!(
        reserved(&paul, "2027-W02", "Théo", "repas").await,
        ["2027-01-11"]
    );
    let grid = paul.view("/reservations?semaine=2027-W02").await;
    let row_form = row_form_of(&grid.html, &theo, "repas");
    assert!(grid.has(&format!(
        "form=\"{row_form}\" name=\"annuler\" value=\"2027-01-11\""
    )));
    let r = post("annuler", "2027-01-11").await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("info=annule"), "{}", location(&r));
    assert!(
        reserved(&paul, "2027-W02", "Théo", "repas")
            .await
            .is_empty()
    );
    // An unreadable day is refused: it never stands for the whole week.
    for day in ["2027-13-45", ""] {
        assert_eq!(post("reserver", day).await.status(), 404, "{day:?}");
    }
    assert!(
        reserved(&paul, "2027-W02", "Théo", "repas")
            .await
            .is_empty()
    );
    p.cleanup().await;
}

/// The id of the form of `child`'s `prestation` row: the form (`<form … id="…">`) whose
/// fields, in the child's card, name that prestation.
fn row_form_of(html: &str, child: &str, prestation: &str) -> String {
    let card = &html[html.find(&format!("id=\"enfant-{child}\"")).unwrap()..];
    let card = &card[..card.find("</article>").unwrap()];
    let field = card
        .find(&format!("name=\"prestation\" value=\"{prestation}\""))
        .unwrap();
    let form = &card[..field];
    let form = &form[form.rfind("<form ").unwrap()..];
    let id = &form[form.find(" id=\"").expect("the row's form has an id") + 5..];
    let id = id[..id.find('"').unwrap()].to_string();
    assert!(id.starts_with("cellules-"), "{id}");
    id
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_history_lists_changes_from_the_grid_the_wizard_and_the_api_with_who() {
    let p = Town::build("historique")
        .at(paris(2026, 12, 1, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let sophie = p.parent(SOPHIE).await;
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    let david = paul.child_id("David").await;

    // Paul, from the grid.
    let grid = paul.view("/reservations?semaine=2027-W02").await;
    let r = paul
        .post_form(
            "/reservations",
            &[
                ("csrf", grid.csrf().as_str()),
                ("child", theo.as_str()),
                ("prestation", "repas"),
                ("date", "2027-01-11"),
                ("week", "2027-W02"),
                ("want", "reserver"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // Sophie, through the API: booked, then cancelled.
    p.clock().advance(chrono::Duration::minutes(5));
    let day = (anna.as_str(), "peri-soir", "2027-01-12");
    assert_eq!(sophie.book(day.0, day.1, day.2).await.status(), 200);
    p.clock().advance(chrono::Duration::minutes(5));
    assert_eq!(sophie.unbook(day.0, day.1, day.2).await.status(), 200);
    // Paul, with the wizard.
    p.clock().advance(chrono::Duration::minutes(5));
    let csrf = csrf(&paul).await;
    let done = book(
        &paul,
        &csrf,
        "repas",
        &[&david],
        &["monday"],
        "2027-01-18",
        "2027-01-18",
        "ajouter",
    )
    .await;
    assert!(done.has("1 jour réservé"));

    let history = sophie.view("/reservations/historique").await;
    assert_eq!(history.status, 200);
    assert!(history.has("<h1 id=\"historique-titre\">Historique des réservations</h1>"));
    let rows = history.rows();
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "01/12/2026 à 10:15",
            "Paul ALAIN",
            "David",
            "Repas enfant",
            "lundi 18 janvier 2027",
            "Réservation",
            "Réservation en masse",
        ],
        vec![
            "01/12/2026 à 10:10",
            "Sophie ALAIN",
            "Anna",
            "Accueil périscolaire soir",
            "mardi 12 janvier 2027",
            "Annulation",
            "Application",
        ],
        vec![
            "01/12/2026 à 10:05",
            "Sophie ALAIN",
            "Anna",
            "Accueil périscolaire soir",
            "mardi 12 janvier 2027",
            "Réservation",
            "Application",
        ],
        vec![
            "01/12/2026 à 10:00",
            "Paul ALAIN",
            "Théo",
            "Repas enfant",
            "lundi 11 janvier 2027",
            "Réservation",
            "Grille",
        ],
    ];
    assert_eq!(rows, expected, "newest first");

    // Another household sees none of it.
    let maiwenn = p.parent(MAIWENN).await;
    let theirs = maiwenn.view("/reservations/historique").await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.rows().is_empty());
    assert!(theirs.has("Aucune réservation n'a encore été faite."));
    p.cleanup().await;
}

/// The feed's address shown on the page, if any.
fn feed_path(page: &Page, slug: &str) -> Option<String> {
    let marker = format!("http://portail.test/{slug}/calendrier/");
    let start = page.html.find(&marker)? + "http://portail.test".len();
    let rest = &page.html[start..];
    Some(rest[..rest.find('"').unwrap()].to_string())
}

fn dtstarts(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = ics
        .split("\r\n")
        .filter(|l| l.starts_with("DTSTART"))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn the_calendar_feed_holds_exactly_the_households_booked_days_and_can_be_renewed() {
    let p = Town::build("agenda")
        .at(paris(2026, 12, 1, 10, 0))
        .start()
        .await;
    let paul = p.parent(PAUL).await;
    let slug = p.tenant.slug.clone();
    let theo = paul.child_id("Théo").await;
    let anna = paul.child_id("Anna").await;
    let csrf = csrf(&paul).await;
    let done = book(
        &paul,
        &csrf,
        "repas",
        &[&theo],
        &["monday", "tuesday"],
        "2027-01-11",
        "2027-01-15",
        "ajouter",
    )
    .await;
    assert!(done.has("2 jours réservés"));
    assert_eq!(
        paul.book(&anna, "peri-soir", "2027-01-14").await.status(),
        200
    );
    let maiwenn = p.parent(MAIWENN).await;
    let erwan = maiwenn.child_id("Erwan").await;
    assert_eq!(
        maiwenn.book(&erwan, "repas", "2027-01-11").await.status(),
        200
    );

    // The page: a visit changes nothing; the address is made by a POST and shown then.
    let visit = paul.view("/calendrier").await;
    assert_eq!(visit.status, 200);
    assert!(visit.has("Ajouter à mon agenda"));
    assert!(
        visit.has("Vous n&#x27;avez pas encore d&#x27;adresse d&#x27;abonnement")
            || visit.has("Vous n'avez pas encore d'adresse d'abonnement")
    );
    assert!(
        feed_path(&visit, &slug).is_none(),
        "no address made by a GET"
    );
    let first = paul.submit("/calendrier", &[("csrf", &visit.csrf())]).await;
    assert_eq!(first.status, 200);
    assert!(
        first.has("Votre adresse d&#x27;abonnement est prête")
            || first.has("Votre adresse d'abonnement est prête")
    );
    let path = feed_path(&first, &slug).expect("the address once made");
    let token = path
        .trim_start_matches(&format!("/{slug}/calendrier/"))
        .trim_end_matches(".ics")
        .to_string();
    assert_eq!(token.len(), 43, "256 bits, URL-safe base64");
    assert!(first.has("webcal://portail.test/"));
    let r = paul.page("/calendrier").await;
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let second = read_page(r).await;
    assert!(
        feed_path(&second, &slug).is_none(),
        "only its hash is kept: shown once"
    );
    assert!(second.has("a été créée le 01/12/2026 à 10:00"));

    // The feed, without any session.
    let calendar_app = p.app.other_client();
    let feed = |path: String| calendar_app.get(format!("{}{path}", p.app.base)).send();
    let r = feed(path.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let ics = r.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "CRLF line endings");
    assert!(
        ics.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );
    assert!(ics.contains("X-WR-CALNAME:Réservations – Mairie de Démonstration\r\n"));
    assert_eq!(
        dtstarts(&ics),
        [
            "DTSTART;VALUE=DATE:20270111",
            "DTSTART;VALUE=DATE:20270112",
            "DTSTART;VALUE=DATE:20270114"
        ]
    );
    assert!(ics.contains("DTSTART;VALUE=DATE:20270111\r\nDTEND;VALUE=DATE:20270112\r\n"));
    assert!(ics.contains("SUMMARY:Repas enfant – Théo\r\n"));
    assert!(ics.contains("SUMMARY:Accueil périscolaire soir – Anna\r\n"));
    assert!(!ics.contains("Erwan"), "only the token's household");
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("UID:{theo}-repas-20270111@portail.test\r\n")));

    // A cancelled day leaves the feed; the UIDs stay the same.
    let r = paul.unbook(&theo, "repas", "2027-01-12").await;
    assert_eq!(r.status(), 200);
    let ics2 = feed(path.clone()).await.unwrap().text().await.unwrap();
    assert_eq!(
        dtstarts(&ics2),
        ["DTSTART;VALUE=DATE:20270111", "DTSTART;VALUE=DATE:20270114"]
    );
    assert!(
        ics2.replace("\r\n ", "")
            .contains(&format!("UID:{theo}-repas-20270111@portail.test\r\n"))
    );

    // Another household's token shows only theirs.
    let their_visit = maiwenn.view("/calendrier").await;
    let theirs = maiwenn
        .submit("/calendrier", &[("csrf", &their_visit.csrf())])
        .await;
    let their_path = feed_path(&theirs, &slug).unwrap();
    assert_ne!(their_path, path);
    let their_ics = feed(their_path).await.unwrap().text().await.unwrap();
    assert_eq!(dtstarts(&their_ics), ["DTSTART;VALUE=DATE:20270111"]);
    assert!(their_ics.contains("SUMMARY:Repas enfant – Erwan\r\n"));
    assert!(!their_ics.contains("Théo") && !their_ics.contains("Anna"));

    // Renewing: a new address, the old one answers 404.
    let forged = paul.submit("/calendrier", &[("csrf", "x")]).await;
    assert_eq!(forged.status, 403);
    let renewed = paul.submit("/calendrier", &[("csrf", &first.csrf())]).await;
    assert_eq!(renewed.status, 200);
    assert!(
        renewed
            .has("Votre nouvelle adresse d'abonnement est prête. L'ancienne ne fonctionne plus.")
    );
    let new_path = feed_path(&renewed, &slug).unwrap();
    assert_ne!(new_path, path);
    assert_eq!(feed(path.clone()).await.unwrap().status(), 404);
    let r = feed(new_path).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(dtstarts(&r.text().await.unwrap()).len(), 2);

    // Malformed, unknown, or another municipality's address: 404.
    let unknown = portail::auth::tokens::new_token();
    for bad in [
        format!("/{slug}/calendrier/{unknown}.ics"),
        format!("/{slug}/calendrier/{token}"),
        format!("/{slug}/calendrier/abc.ics"),
        format!("/{slug}/calendrier/{}.ics", &unknown[..42]),
        format!("/{slug}/calendrier/{}%27.ics", &unknown[..42]),
        format!("/{slug}/calendrier/.ics"),
    ] {
        assert_eq!(feed(bad.clone()).await.unwrap().status(), 404, "{bad}");
    }
    let elsewhere = create_tenant(&p.db, "ailleurs", "Mairie d'Ailleurs").await;
    let their_token = feed_path(&theirs, &slug)
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        feed(format!("/{}/calendrier/{their_token}", elsewhere.slug))
            .await
            .unwrap()
            .status(),
        404
    );
    delete_tenant(&p.db, &elsewhere.slug).await;
    p.cleanup().await;
}
