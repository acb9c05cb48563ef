//! The provisioning command line, run as the real binary: round trips, and every kind of bad
//! input answered with a clear message, a non-zero exit and nothing written.

mod support;

use portail_tenants::registry;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use support::*;

const CSV_HEADER: &str = "famille;responsable_nom;responsable_prenom;responsable_email;responsable_telephone;responsable2_nom;responsable2_prenom;responsable2_email;responsable2_telephone;adresse;code_postal;ville;quotient_familial;enfant_nom;enfant_prenom;enfant_date_naissance;enfant_lieu_naissance;ecole;classe;regime;prestations";

fn config_file(text: &str) -> String {
    temp_file("commune.toml", text.as_bytes())
        .to_string_lossy()
        .into_owned()
}

/// The JSON a successful command printed (the exit code is checked first).
fn json(o: &std::process::Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

async fn schema_exists(slug: &str) -> bool {
    let db = db(1).await;
    let schema = format!("t_{}", slug.replace('-', "_"));
    db.query_one_raw(portail_tenants::database::sql(
        "SELECT 1 AS one FROM pg_namespace WHERE nspname = $1",
        [schema.into()],
    ))
    .await
    .unwrap()
    .is_some()
}

#[tokio::test]
async fn create_update_list_show_suspend_resume_export_delete_round_trip() {
    db(1).await;
    let slug = random_slug("cli");
    let config = config_file(DEMO_CONFIG);

    let created = portail(&["tenant", "create", &slug, "--config", &config]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert!(
        stdout(&created).contains(&format!("created {slug} (Mairie de Démonstration)")),
        "{}",
        stdout(&created)
    );

    let list = json(&portail(&["tenant", "list", "--json"]));
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(mine["name"], "Mairie de Démonstration");
    assert_eq!(mine["status"], "active");

    let renamed =
        config_file(&DEMO_CONFIG.replacen("Mairie de Démonstration", "Mairie de Trégastel", 1));
    let updated = portail(&["tenant", "update", &slug, "--config", &renamed]);
    assert_eq!(updated.status.code(), Some(0), "{}", stderr(&updated));
    let shown = json(&portail(&["tenant", "show", &slug, "--json"]));
    assert_eq!(shown["name"], "Mairie de Trégastel");
    assert_eq!(shown["config_version"], 2);
    assert_eq!(shown["counts"]["prestations"], 7);
    assert_eq!(shown["url"], format!("http://portail.test/{slug}/"));

    let families = root().join("tenants/examples/families.csv");
    let imported = portail(&[
        "tenant",
        "import-families",
        &slug,
        families.to_str().unwrap(),
    ]);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));

    assert!(portail(&["tenant", "suspend", &slug]).status.code() == Some(0));
    let list = json(&portail(&["tenant", "list", "--json"]));
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug.as_str())
            .unwrap()["status"],
        "suspended"
    );
    assert!(portail(&["tenant", "resume", &slug]).status.code() == Some(0));
    assert_eq!(
        json(&portail(&["tenant", "show", &slug, "--json"]))["status"],
        "active"
    );

    let out = std::env::temp_dir().join(format!("{slug}.json"));
    let exported = portail(&["tenant", "export", &slug, "--out", out.to_str().unwrap()]);
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(document["tenant"]["slug"], slug.as_str());
    let tables = &document["tables"];
    assert_eq!(tables["households"].as_array().unwrap().len(), 5);
    assert_eq!(tables["children"].as_array().unwrap().len(), 8);
    assert_eq!(tables["settings"][0]["name"], "Mairie de Trégastel");
    assert!(
        tables["guardians"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["email"] == "paul.alain@demo.example")
    );
    let again = portail(&["tenant", "export", &slug, "--out", out.to_str().unwrap()]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an existing file is never overwritten"
    );
    std::fs::remove_file(&out).unwrap();

    let unconfirmed = portail(&["tenant", "delete", &slug, "--confirm", "other"]);
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert!(stderr(&unconfirmed).contains("--confirm must repeat the slug"));
    assert!(schema_exists(&slug).await);

    let deleted = portail(&["tenant", "delete", &slug, "--confirm", &slug]);
    assert_eq!(deleted.status.code(), Some(0), "{}", stderr(&deleted));
    assert!(!schema_exists(&slug).await);
    let list = json(&portail(&["tenant", "list", "--json"]));
    assert!(
        !list
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == slug.as_str())
    );
    let shown = portail(&["tenant", "show", &slug]);
    assert_eq!(shown.status.code(), Some(1));
    assert!(stderr(&shown).contains(&format!("no municipality has slug \"{slug}\"")));
}

#[tokio::test]
async fn bad_and_reserved_slugs_are_refused_and_nothing_is_written() {
    let db = db(1).await;
    let config = config_file(DEMO_CONFIG);
    for (slug, reason) in [
        ("Lannion", "may contain only lowercase letters"),
        ("st_malo", "may contain only lowercase letters"),
        ("ab", "must be 3 to 40 characters long"),
        ("api", "is reserved"),
        ("healthz", "is reserved"),
        ("static", "is reserved"),
        ("metrics", "is reserved"),
    ] {
        let o = portail(&["tenant", "create", slug, "--config", &config]);
        assert_eq!(o.status.code(), Some(1), "{slug}");
        assert!(stderr(&o).contains(reason), "{slug}: {}", stderr(&o));
        assert!(registry::find(&db, slug).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_duplicate_slug_is_refused_and_the_existing_municipality_is_untouched() {
    db(1).await;
    let slug = random_slug("dup");
    let first = config_file(DEMO_CONFIG);
    assert!(
        portail(&["tenant", "create", &slug, "--config", &first])
            .status
            .code()
            == Some(0)
    );
    let second = config_file(&DEMO_CONFIG.replacen("Mairie de Démonstration", "Autre Mairie", 1));
    let o = portail(&["tenant", "create", &slug, "--config", &second]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "a municipality with slug \"{slug}\" already exists"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json(&portail(&["tenant", "show", &slug, "--json"]))["name"],
        "Mairie de Démonstration"
    );
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}

#[tokio::test]
async fn every_kind_of_bad_configuration_is_explained_and_nothing_is_created() {
    db(1).await;
    let cases = [
        (
            "syntax",
            DEMO_CONFIG.replacen("name = \"Mairie de Démonstration\"", "name = \"Mairie", 1),
            "line 11:",
        ),
        (
            "unknown key",
            DEMO_CONFIG.replacen(
                "holiday_zone = \"B\"",
                "holiday_zone = \"B\"\ncolor = \"red\"",
                1,
            ),
            "color: unknown field `color`",
        ),
        (
            "missing key",
            DEMO_CONFIG.replacen("holiday_zone = \"B\"", "", 1),
            "missing field `holiday_zone`",
        ),
        (
            "bad time",
            DEMO_CONFIG.replacen("at = \"06:00\"", "at = \"25:00\"", 1),
            "prestations[1].deadline.at: \"25:00\" is not a time",
        ),
        (
            "bad reference",
            DEMO_CONFIG.replacen("structure = \"jeunesse\"", "structure = \"sport\"", 1),
            "prestations[3].structure: \"sport\" is not the code of a structure",
        ),
        (
            "bad value",
            DEMO_CONFIG.replacen("postal_code = \"22300\"", "postal_code = \"223\"", 1),
            "contact.postal_code: \"223\" is not a postal code",
        ),
    ];
    for (kind, text, expected) in cases {
        let slug = random_slug("badcfg");
        let o = portail(&["tenant", "create", &slug, "--config", &config_file(&text)]);
        assert_eq!(o.status.code(), Some(1), "{kind}");
        assert!(stderr(&o).contains(expected), "{kind}: {}", stderr(&o));
        assert!(!schema_exists(&slug).await, "{kind}");
    }
    let missing = portail(&[
        "tenant",
        "create",
        &random_slug("nofile"),
        "--config",
        "/nonexistent/commune.toml",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("/nonexistent/commune.toml: cannot be read"));
}

#[tokio::test]
async fn a_bad_update_keeps_the_previous_configuration() {
    db(1).await;
    let slug = random_slug("badupd");
    assert!(
        portail(&[
            "tenant",
            "create",
            &slug,
            "--config",
            &config_file(DEMO_CONFIG)
        ])
        .status
        .code()
            == Some(0)
    );
    let bad = config_file(
        &DEMO_CONFIG
            .replacen("Mairie de Démonstration", "Nouvelle", 1)
            .replacen("periods = \"school\"", "periods = \"sometimes\"", 1),
    );
    let o = portail(&["tenant", "update", &slug, "--config", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("prestations[0].periods: unknown variant `sometimes`"),
        "{}",
        stderr(&o)
    );
    let shown = json(&portail(&["tenant", "show", &slug, "--json"]));
    assert_eq!(shown["name"], "Mairie de Démonstration");
    assert_eq!(shown["config_version"], 1);
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}

fn csv(rows: &[&str]) -> String {
    let mut text = String::from(CSV_HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    temp_file("familles.csv", text.as_bytes())
        .to_string_lossy()
        .into_owned()
}

const ROW: &str = "F9;DURAND;Claire;claire.durand@example.fr;06 11 22 33 44;;;;;5 rue Neuve;22300;Lannion;720;DURAND;Léon;12/04/2017;Lannion;Jean Macé;CE2;;repas|peri-soir";

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_and_a_changed_row_updates() {
    db(1).await;
    let slug = random_slug("imp");
    assert!(
        portail(&[
            "tenant",
            "create",
            &slug,
            "--config",
            &config_file(DEMO_CONFIG)
        ])
        .status
        .code()
            == Some(0)
    );
    let families = root().join("tenants/examples/families.csv");
    let families = families.to_str().unwrap();

    let first = json(&portail(&[
        "tenant",
        "import-families",
        &slug,
        families,
        "--json",
    ]));
    assert_eq!(first["households"]["created"], 5);
    assert_eq!(first["guardians"]["created"], 8);
    assert_eq!(first["children"]["created"], 8);
    let second = portail(&["tenant", "import-families", &slug, families]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("nothing to change"),
        "{}",
        stdout(&second)
    );

    let changed = std::fs::read_to_string(families)
        .unwrap()
        .replace("4 impasse des Goélands", "6 impasse des Goélands")
        .replace(";LE GALL;Erwan;21/11/2017;", ";LE GALL;Erwan;22/11/2017;");
    let changed = temp_file("familles.csv", changed.as_bytes());
    let dry = json(&portail(&[
        "tenant",
        "import-families",
        &slug,
        changed.to_str().unwrap(),
        "--dry-run",
        "--json",
    ]));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["households"]["updated"], 1);
    let third = json(&portail(&[
        "tenant",
        "import-families",
        &slug,
        changed.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(
        third["households"]["updated"], 1,
        "the dry run wrote nothing, so the change is still to apply"
    );
    assert_eq!(third["households"]["unchanged"], 4);
    assert_eq!(third["children"]["updated"], 1);
    assert_eq!(third["guardians"]["updated"], 0);

    let added = csv(&[ROW]);
    let fourth = json(&portail(&[
        "tenant",
        "import-families",
        &slug,
        &added,
        "--json",
    ]));
    assert_eq!(fourth["households"]["created"], 1);
    assert_eq!(fourth["enrolments_added"], 2);
    let shown = json(&portail(&["tenant", "show", &slug, "--json"]));
    assert_eq!(
        shown["counts"]["households"], 6,
        "households absent from a later file are kept"
    );
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}

#[tokio::test]
async fn every_kind_of_bad_csv_is_listed_by_line_and_nothing_is_imported() {
    db(1).await;
    let slug = random_slug("badcsv");
    assert!(
        portail(&[
            "tenant",
            "create",
            &slug,
            "--config",
            &config_file(DEMO_CONFIG)
        ])
        .status
        .code()
            == Some(0)
    );
    let good_second = ROW
        .replace("F9", "F10")
        .replace("claire.durand@", "c2@")
        .replace("Léon", "Lou");
    let file = csv(&[
        &good_second,
        &ROW.replace("claire.durand@example.fr", "claire.durand@"),
        &ROW.replace("F9", "F11")
            .replace("12/04/2017", "2017-13-40")
            .replace("claire.durand@", "c3@"),
        &ROW.replace("F9", "F12")
            .replace("repas|peri-soir", "repas|piscine")
            .replace("claire.durand@", "c4@"),
        &ROW.replace("F9", "F13")
            .replace(";720;", ";7 cents;")
            .replace("claire.durand@", "c5@"),
        &ROW.replace("F9", "F14")
            .replace(";22300;", ";2230;")
            .replace("claire.durand@", "c6@"),
        &ROW.replace("F9", "F15")
            .replace("06 11 22 33 44", "0611")
            .replace("claire.durand@", "c7@"),
        "F16;trop;peu;de;colonnes",
    ]);
    let o = portail(&["tenant", "import-families", &slug, &file]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for expected in [
        "nothing was imported (7 problem(s))",
        "line 3: responsable_email: \"claire.durand@\" is not an e-mail address",
        "line 4: enfant_date_naissance: \"2017-13-40\" is not a date",
        "line 5: prestations: unknown prestation code \"piscine\"",
        "line 6: quotient_familial: \"7 cents\" is not a whole number",
        "line 7: code_postal: \"2230\" is not a postal code",
        "line 8: responsable_telephone: \"0611\" is not a phone number",
        "line 9: 5 fields, expected 21",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let shown = json(&portail(&["tenant", "show", &slug, "--json"]));
    assert_eq!(
        shown["counts"]["households"], 0,
        "the valid row was not written either"
    );

    let headerless = temp_file("x.csv", b"nom;prenom\nA;B\n");
    let o = portail(&[
        "tenant",
        "import-families",
        &slug,
        headerless.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 1: missing column \"famille\""),
        "{}",
        stderr(&o)
    );
    let latin1 = temp_file(
        "x.csv",
        &[CSV_HEADER.as_bytes(), b"\nF1;Th\xe9o\n"].concat(),
    );
    let o = portail(&["tenant", "import-families", &slug, latin1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
    let o = portail(&["tenant", "import-families", "no-such-town", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no municipality has slug \"no-such-town\""));
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}

#[tokio::test]
async fn an_email_already_used_in_the_portal_by_another_household_is_refused() {
    db(1).await;
    let slug = random_slug("mail");
    assert!(
        portail(&[
            "tenant",
            "create",
            &slug,
            "--config",
            &config_file(DEMO_CONFIG)
        ])
        .status
        .code()
            == Some(0)
    );
    assert!(
        portail(&["tenant", "import-families", &slug, &csv(&[ROW])])
            .status
            .code()
            == Some(0)
    );
    let other = ROW
        .replace("F9", "F20")
        .replace("Léon", "Zoé")
        .replace("claire.durand@example.fr", "CLAIRE.Durand@example.fr");
    let o = portail(&["tenant", "import-families", &slug, &csv(&[&other])]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 2: e-mail claire.durand@example.fr already belongs to guardian 1 of household \"F9\""), "{}", stderr(&o));
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}

#[tokio::test]
async fn migrate_check_reports_pending_migrations_and_migrate_applies_them() {
    let db = db(1).await;
    let slug = random_slug("mig");
    assert!(
        portail(&[
            "tenant",
            "create",
            &slug,
            "--config",
            &config_file(DEMO_CONFIG)
        ])
        .status
        .code()
            == Some(0)
    );
    let schema = format!("t_{}", slug.replace('-', "_"));
    // Take the schema back to before its last migration.
    db.execute_unprepared(&format!(
        "DROP TABLE \"{schema}\".outbox, \"{schema}\".oidc_identities, \"{schema}\".password_tokens, \"{schema}\".credentials;
         DELETE FROM \"{schema}\".seaql_migrations WHERE version = 'm20261126_000003_create_accounts'"
    ))
    .await
    .unwrap();

    let check = portail(&["migrate", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(
        stdout(&check).contains(&format!(
            "{slug}] 1 migration(s) pending: m20261126_000003_create_accounts"
        )),
        "{}",
        stdout(&check)
    );

    let applied = portail(&["migrate", "--parallel", "2"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(
        stdout(&applied).contains(&format!("{slug}] 1 migration(s) applied")),
        "{}",
        stdout(&applied)
    );
    let line = stdout(&applied)
        .lines()
        .find(|l| l.contains(&slug))
        .unwrap()
        .to_string();
    assert!(
        line.starts_with('['),
        "progress is shown as [i/N slug]: {line}"
    );

    let families = root().join("tenants/examples/families.csv");
    assert!(
        portail(&[
            "tenant",
            "import-families",
            &slug,
            families.to_str().unwrap()
        ])
        .status
        .code()
            == Some(0)
    );
    assert!(
        portail(&["tenant", "delete", &slug, "--confirm", &slug])
            .status
            .code()
            == Some(0)
    );
}
