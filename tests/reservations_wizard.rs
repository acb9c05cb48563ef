//! "Réserver en masse", the history and the calendar feed, end to end through the pages: the
//! wizard's forms book a period and the confirmation lists what was booked and what was not,
//! and why; replace mode cancels the other weekdays where still allowed; bad input gets the
//! step again with a French message (422), another household's child a 404; the history names
//! who changed what from where; the `.ics` feed holds exactly the household's booked days and
//! its address can be renewed.

mod support;

use chrono::{TimeZone, Utc};
use portail::clock::ManualClock;
use portail_tenants::calendar::WeekId;
use serde_json::Value;
use std::sync::Arc;
use support::*;

const PAUL: &str = "paul.alain@demo.example";
const SOPHIE: &str = "sophie.alain@demo.example";
const MAIWENN: &str = "maiwenn.legall@demo.example";
const PASSWORD: &str = "Vélo#Rouge42x";

fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

struct Portal {
    app: TestApp,
    db: sea_orm::DatabaseConnection,
    tenant: portail_tenants::registry::Tenant,
    clock: Arc<ManualClock>,
    paul: reqwest::Client,
}

/// A page's status and its text, the HTML entities of handlebars decoded.
struct Page {
    status: u16,
    html: String,
}

impl Page {
    fn has(&self, text: &str) -> bool {
        self.html.contains(text)
    }

    /// The French message of the `role="alert"` box.
    fn alert(&self) -> String {
        let start = self
            .html
            .find("role=\"alert\"")
            .unwrap_or_else(|| panic!("no alert in:\n{}", self.html));
        let rest = &self.html[start..];
        let end = rest.find("</div>").unwrap();
        strip_tags(&rest[..end])
    }

    fn csrf(&self) -> String {
        self.html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .expect("a form with its token")
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    /// The rows of the first table body, each as its cells' text.
    fn rows(&self) -> Vec<Vec<String>> {
        let Some(start) = self.html.find("<tbody>") else {
            return Vec::new();
        };
        let body = &self.html[start..self.html[start..].find("</tbody>").unwrap() + start];
        body.split("<tr>")
            .skip(1)
            .map(|row| {
                row.split("<td")
                    .skip(1)
                    .map(|cell| strip_tags(&cell[cell.find('>').unwrap() + 1..]))
                    .collect()
            })
            .collect()
    }
}

fn decode(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn page(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    Page {
        status,
        html: decode(&r.text().await.unwrap()),
    }
}

impl Portal {
    async fn new(prefix: &str, now: chrono::DateTime<Utc>) -> Self {
        let db = db(2).await;
        let tenant = create_tenant_with_families(&db, prefix, "Mairie de Démonstration").await;
        let clock = Arc::new(ManualClock::new(now));
        let app = TestApp::spawn_with_clock(test_settings(), clock.clone()).await;
        let paul = signed_in(&app, &db, &tenant, PAUL, PASSWORD).await;
        Portal {
            app,
            db,
            tenant,
            clock,
            paul,
        }
    }

    async fn sign_in(&self, email: &str) -> reqwest::Client {
        signed_in(&self.app, &self.db, &self.tenant, email, PASSWORD).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.app.base, self.tenant.slug)
    }

    async fn get(&self, client: &reqwest::Client, path: &str) -> Page {
        page(client.get(self.url(path)).send().await.unwrap()).await
    }

    async fn post(&self, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Page {
        page(client.post(self.url(path)).form(form).send().await.unwrap()).await
    }

    async fn csrf(&self, client: &reqwest::Client) -> String {
        self.get(client, "/reservations/masse").await.csrf()
    }

    async fn child(&self, client: &reqwest::Client, name: &str) -> String {
        let v: Value = client
            .get(self.url("/api/v1/children"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["first_name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The wizard's last step, posted as its form would be.
    #[allow(clippy::too_many_arguments)] // one argument per field of the form
    async fn book(
        &self,
        client: &reqwest::Client,
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
        self.post(client, "/reservations/masse", &form).await
    }

    /// The days of `prestation` reserved for `child` in `week`, from the JSON grid.
    async fn reserved(
        &self,
        client: &reqwest::Client,
        week: &str,
        child: &str,
        prestation: &str,
    ) -> Vec<String> {
        let v: Value = client
            .get(self.url(&format!("/api/v1/reservations?week={week}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let child = v["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["first_name"] == child)
            .unwrap();
        let row = child["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["prestation"] == prestation)
            .unwrap();
        row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["state"] == "reserved")
            .map(|c| c["date"].as_str().unwrap().to_string())
            .collect()
    }

    async fn cleanup(self) {
        delete_tenant(&self.db, &self.tenant.slug).await;
    }
}

#[tokio::test]
async fn the_wizard_books_a_period_and_lists_the_days_it_skipped_with_their_reasons() {
    // 1 December 2026, 10:00 in Paris: the day's meal can no longer be booked (8:30).
    let p = Portal::new("masse", paris(2026, 12, 1, 10, 0)).await;
    let theo = p.child(&p.paul, "Théo").await;
    let anna = p.child(&p.paul, "Anna").await;
    let david = p.child(&p.paul, "David").await;

    // Step 1: the prestations the children are enrolled in, and no other.
    let step1 = p.get(&p.paul, "/reservations/masse").await;
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
    let step2 = p
        .get(&p.paul, "/reservations/masse?etape=2&prestation=peri-matin")
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
    let step3 = p
        .get(
            &p.paul,
            &format!("/reservations/masse?etape=3&prestation=repas&enfant={theo}&enfant={anna}"),
        )
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
    let done = p
        .book(
            &p.paul,
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
        p.reserved(&p.paul, "2026-W50", "Théo", "repas").await,
        ["2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"]
    );
    assert_eq!(
        p.reserved(&p.paul, "2026-W49", "Anna", "repas").await,
        ["2026-12-03", "2026-12-04"]
    );
    assert!(
        p.reserved(&p.paul, "2026-W52", "Théo", "repas")
            .await
            .is_empty()
    );
    assert!(
        p.reserved(&p.paul, "2026-W50", "David", "repas")
            .await
            .is_empty(),
        "only the chosen children"
    );

    // Asking again books nothing more.
    let again = p
        .book(
            &p.paul,
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
    let p = Portal::new("remplace", paris(2026, 11, 30, 12, 0)).await;
    let david = p.child(&p.paul, "David").await;
    let csrf = p.csrf(&p.paul).await;
    let all = ["monday", "tuesday", "thursday", "friday"];
    let first = p
        .book(
            &p.paul,
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
    p.clock.set(paris(2026, 12, 1, 10, 0));
    let replaced = p
        .book(
            &p.paul,
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
        p.reserved(&p.paul, "2026-W49", "David", "repas").await,
        ["2026-12-01", "2026-12-03"]
    );
    assert_eq!(
        p.reserved(&p.paul, "2026-W50", "David", "repas").await,
        ["2026-12-07", "2026-12-10"]
    );
    assert_eq!(
        p.reserved(&p.paul, "2026-W51", "David", "repas").await,
        ["2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"],
        "outside the period: untouched"
    );

    // Adding never cancels.
    let added = p
        .book(
            &p.paul,
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
    assert_eq!(
        p.reserved(&p.paul, "2026-W51", "David", "repas")
            .await
            .len(),
        4
    );
    p.cleanup().await;
}

#[tokio::test]
async fn bad_input_shows_the_step_again_with_a_french_message_and_books_nothing() {
    let p = Portal::new("invalide", paris(2026, 11, 26, 10, 0)).await;
    let theo = p.child(&p.paul, "Théo").await;
    let csrf = p.csrf(&p.paul).await;
    let days = ["monday", "friday"];
    let cases: Vec<(&str, Page, &str)> = vec![
        (
            "end before start",
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.book(
                &p.paul,
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
            p.get(&p.paul, "/reservations/masse?etape=3&prestation=repas")
                .await,
            "Choisissez au moins un enfant.",
        ),
        (
            "unknown prestation",
            p.book(
                &p.paul,
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
            p.get(&p.paul, "/reservations/masse?etape=2&prestation=piscine")
                .await,
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            "a prestation no child is enrolled in",
            p.get(
                &p.paul,
                "/reservations/masse?etape=2&prestation=alsh-vacances",
            )
            .await,
            "Cette prestation n'est pas proposée à vos enfants.",
        ),
        (
            "no prestation chosen",
            p.get(&p.paul, "/reservations/masse?etape=2").await,
            "Choisissez une prestation.",
        ),
        (
            "a child not enrolled in the prestation",
            p.get(
                &p.paul,
                &format!(
                    "/reservations/masse?etape=3&prestation=peri-matin&enfant={}",
                    p.child(&p.paul, "David").await
                ),
            )
            .await,
            "David n'est pas inscrit(e) à « Accueil périscolaire matin ».",
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
    let none = p
        .book(
            &p.paul,
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
    let kept = p
        .book(
            &p.paul,
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
        assert!(p.reserved(&p.paul, week, "Théo", "repas").await.is_empty());
    }

    // Without the form's token: refused.
    let forged = p
        .book(
            &p.paul,
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
    let p = Portal::new("autre", paris(2026, 11, 26, 10, 0)).await;
    let maiwenn = p.sign_in(MAIWENN).await;
    let erwan = p.child(&maiwenn, "Erwan").await;
    let theo = p.child(&p.paul, "Théo").await;
    let csrf = p.csrf(&p.paul).await;
    let step3 = p
        .get(
            &p.paul,
            &format!("/reservations/masse?etape=3&prestation=repas&enfant={erwan}"),
        )
        .await;
    assert_eq!(step3.status, 404);
    assert!(!step3.has("Erwan"));
    let booked = p
        .book(
            &p.paul,
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
    let unknown = p
        .book(
            &p.paul,
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
    let garbage = p
        .book(
            &p.paul,
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
        p.reserved(&maiwenn, "2027-W02", "Erwan", "repas")
            .await
            .is_empty()
    );
    assert!(
        p.reserved(&p.paul, "2027-W02", "Théo", "repas")
            .await
            .is_empty(),
        "nothing of a refused request is kept"
    );
    // Signed out: to the sign-in page.
    let anonymous = p.app.other_client();
    let r = anonymous
        .get(p.url("/reservations/masse"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    p.cleanup().await;
}

#[tokio::test]
async fn the_history_lists_changes_from_the_grid_the_wizard_and_the_api_with_who() {
    let p = Portal::new("historique", paris(2026, 12, 1, 10, 0)).await;
    let sophie = p.sign_in(SOPHIE).await;
    let theo = p.child(&p.paul, "Théo").await;
    let anna = p.child(&p.paul, "Anna").await;
    let david = p.child(&p.paul, "David").await;

    // Paul, from the grid.
    let grid = p.get(&p.paul, "/reservations?semaine=2027-W02").await;
    let r = p
        .paul
        .post(p.url("/reservations"))
        .form(&[
            ("csrf", grid.csrf().as_str()),
            ("child", theo.as_str()),
            ("prestation", "repas"),
            ("date", "2027-01-11"),
            ("week", "2027-W02"),
            ("want", "reserver"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Sophie, through the API: booked, then cancelled.
    p.clock.advance(chrono::Duration::minutes(5));
    let api = |method: reqwest::Method| {
        sophie
            .request(
                method,
                p.url(&format!(
                    "/api/v1/children/{anna}/reservations/peri-soir/2027-01-12"
                )),
            )
            .send()
    };
    assert_eq!(api(reqwest::Method::PUT).await.unwrap().status(), 200);
    p.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(api(reqwest::Method::DELETE).await.unwrap().status(), 200);
    // Paul, with the wizard.
    p.clock.advance(chrono::Duration::minutes(5));
    let csrf = p.csrf(&p.paul).await;
    let done = p
        .book(
            &p.paul,
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

    let history = p.get(&sophie, "/reservations/historique").await;
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
            "API",
        ],
        vec![
            "01/12/2026 à 10:05",
            "Sophie ALAIN",
            "Anna",
            "Accueil périscolaire soir",
            "mardi 12 janvier 2027",
            "Réservation",
            "API",
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
    let maiwenn = p.sign_in(MAIWENN).await;
    let theirs = p.get(&maiwenn, "/reservations/historique").await;
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
    let p = Portal::new("agenda", paris(2026, 12, 1, 10, 0)).await;
    let slug = p.tenant.slug.clone();
    let theo = p.child(&p.paul, "Théo").await;
    let anna = p.child(&p.paul, "Anna").await;
    let csrf = p.csrf(&p.paul).await;
    let done = p
        .book(
            &p.paul,
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
    let put = |client: &reqwest::Client, child: &str, prestation: &str, day: &str| {
        client
            .put(p.url(&format!(
                "/api/v1/children/{child}/reservations/{prestation}/{day}"
            )))
            .send()
    };
    assert_eq!(
        put(&p.paul, &anna, "peri-soir", "2027-01-14")
            .await
            .unwrap()
            .status(),
        200
    );
    let maiwenn = p.sign_in(MAIWENN).await;
    let erwan = p.child(&maiwenn, "Erwan").await;
    assert_eq!(
        put(&maiwenn, &erwan, "repas", "2027-01-11")
            .await
            .unwrap()
            .status(),
        200
    );

    // The page: a visit changes nothing; the address is made by a POST and shown then.
    let visit = p.get(&p.paul, "/calendrier").await;
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
    let first = p
        .post(&p.paul, "/calendrier", &[("csrf", &visit.csrf())])
        .await;
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
    let r = p.paul.get(p.url("/calendrier")).send().await.unwrap();
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let second = page(r).await;
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
    let r = p
        .paul
        .delete(p.url(&format!(
            "/api/v1/children/{theo}/reservations/repas/2027-01-12"
        )))
        .send()
        .await
        .unwrap();
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
    let their_visit = p.get(&maiwenn, "/calendrier").await;
    let theirs = p
        .post(&maiwenn, "/calendrier", &[("csrf", &their_visit.csrf())])
        .await;
    let their_path = feed_path(&theirs, &slug).unwrap();
    assert_ne!(their_path, path);
    let their_ics = feed(their_path).await.unwrap().text().await.unwrap();
    assert_eq!(dtstarts(&their_ics), ["DTSTART;VALUE=DATE:20270111"]);
    assert!(their_ics.contains("SUMMARY:Repas enfant – Erwan\r\n"));
    assert!(!their_ics.contains("Théo") && !their_ics.contains("Anna"));

    // Renewing: a new address, the old one answers 404.
    let forged = p.post(&p.paul, "/calendrier", &[("csrf", "x")]).await;
    assert_eq!(forged.status, 403);
    let renewed = p
        .post(&p.paul, "/calendrier", &[("csrf", &first.csrf())])
        .await;
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
