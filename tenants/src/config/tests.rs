use super::*;

const DEMO: &str = include_str!("../../examples/demo.toml");

/// The shape the product brief promises to accept, verbatim.
const BRIEF: &str = r#"
name = "Mairie de Démonstration"
holiday_zone = "B"
[contact]
address = "1 place de la mairie"
postal_code = "22300"
city = "Lannion"
phone = "02 02 02 02 02"
email = "enfance@demo.example"
[portal]
welcome_title = "Bienvenue sur votre portail famille"
welcome_text = "Pour faciliter votre quotidien, ..."
reservation_notice = "Les réservations sont à effectuer avant 8h30 le jour même pour le repas."
[[services]]
code = "enfance"
name = "Service enfance"
email = "service.enfance@demo.example"
[[structures]]
code = "resto-peri"
name = "RESTAURATION et PERISCOLAIRE"
[[prestations]]
code = "repas"
name = "Repas enfant"
structure = "resto-peri"
days = ["monday", "tuesday", "thursday", "friday"]
periods = "school"
deadline = { kind = "same_day", at = "08:30" }
cancel_deadline = { kind = "same_day", at = "08:30" }
capacity = 120
price_cents = 350
tariffs = [ { qf_max = 500, price_cents = 100 }, { qf_max = 1000, price_cents = 250 } ]
[[closures]]
from = "2026-12-24"
to = "2026-12-26"
label = "Fermeture de fin d'année"
"#;

fn errors_of(text: &str) -> Vec<String> {
    TenantConfig::from_toml(text).unwrap_err().errors
}

#[test]
fn the_shape_of_the_brief_is_accepted() {
    let config = TenantConfig::from_toml(BRIEF).unwrap();
    assert_eq!(config.name, "Mairie de Démonstration");
    assert_eq!(config.holiday_zone, HolidayZone::B);
    let repas = config.prestation("repas").unwrap();
    assert_eq!(
        repas.deadline,
        Deadline::SameDay {
            at: TimeOfDay {
                hour: 8,
                minute: 30
            }
        }
    );
    assert_eq!(repas.capacity, Some(120));
    assert_eq!(repas.tariffs[1].price_cents, 250);
    assert_eq!(config.closures[0].label, "Fermeture de fin d'année");
}

#[test]
fn the_documented_example_is_valid_and_uses_every_deadline_kind() {
    let config = TenantConfig::from_toml(DEMO).unwrap();
    let kinds: Vec<_> = config
        .prestations
        .iter()
        .map(|p| std::mem::discriminant(&p.deadline))
        .collect();
    assert!(kinds.contains(&std::mem::discriminant(&Deadline::SameDay {
        at: TimeOfDay { hour: 0, minute: 0 }
    })));
    assert!(config.prestations.iter().any(|p| matches!(
        p.deadline,
        Deadline::DaysBefore {
            working_days: true,
            ..
        }
    )));
    assert!(
        config
            .prestations
            .iter()
            .any(|p| matches!(p.deadline, Deadline::PreviousWeek { .. }))
    );
}

#[test]
fn a_time_that_does_not_exist_is_named_with_its_key_path() {
    let text = DEMO.replacen(
        r#"deadline = { kind = "days_before", days = 2, at = "12:00""#,
        r#"deadline = { kind = "days_before", days = 2, at = "25:00""#,
        1,
    );
    assert_eq!(
        errors_of(&text),
        vec![r#"prestations[3].deadline.at: "25:00" is not a time (expected HH:MM, e.g. "08:30")"#]
    );
}

#[test]
fn an_unknown_key_is_refused_with_its_path() {
    let text = BRIEF.replace("capacity = 120", "capacity = 120\ncolour = \"blue\"");
    let errors = errors_of(&text);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("prestations[0].colour: unknown field `colour`"),
        "{errors:?}"
    );
}

#[test]
fn an_unknown_top_level_section_is_refused() {
    let errors = errors_of(&format!("{BRIEF}\n[invoicing]\nregie = 1\n"));
    assert!(
        errors[0].contains("unknown field `invoicing`"),
        "{errors:?}"
    );
}

#[test]
fn a_missing_key_is_named() {
    let errors = errors_of(&BRIEF.replace("holiday_zone = \"B\"\n", ""));
    assert!(
        errors[0].contains("missing field `holiday_zone`"),
        "{errors:?}"
    );
}

#[test]
fn a_wrong_zone_a_wrong_period_and_an_unknown_weekday_are_refused() {
    assert!(
        errors_of(&BRIEF.replace("holiday_zone = \"B\"", "holiday_zone = \"D\""))[0]
            .starts_with("holiday_zone: unknown variant `D`")
    );
    assert!(
        errors_of(&BRIEF.replace("periods = \"school\"", "periods = \"weekends\""))[0]
            .starts_with("prestations[0].periods: unknown variant `weekends`")
    );
    assert!(
        errors_of(&BRIEF.replace("\"monday\", \"tuesday\"", "\"monday\", \"mardi\""))[0]
            .starts_with("prestations[0].days[1]: unknown variant `mardi`")
    );
}

#[test]
fn an_unknown_deadline_kind_and_a_stray_deadline_key_are_refused() {
    let errors = errors_of(&BRIEF.replacen("kind = \"same_day\"", "kind = \"yesterday\"", 1));
    assert!(
        errors[0].starts_with("prestations[0].deadline"),
        "{errors:?}"
    );
    assert!(errors[0].contains("yesterday"), "{errors:?}");
    let errors = errors_of(&BRIEF.replacen(
        "{ kind = \"same_day\", at = \"08:30\" }",
        "{ kind = \"same_day\", at = \"08:30\", days = 2 }",
        1,
    ));
    assert_eq!(
        errors,
        vec!["prestations[0].deadline: `days` does not apply to kind same_day"]
    );
    let errors = errors_of(&BRIEF.replacen(
        "{ kind = \"same_day\", at = \"08:30\" }",
        "{ kind = \"previous_week\", at = \"08:30\" }",
        1,
    ));
    assert_eq!(
        errors,
        vec!["prestations[0].deadline: kind previous_week needs `weekday`"]
    );
}

#[test]
fn a_type_error_names_the_key() {
    let errors = errors_of(&BRIEF.replace("capacity = 120", "capacity = \"cent vingt\""));
    assert!(
        errors[0].starts_with("prestations[0].capacity: invalid type"),
        "{errors:?}"
    );
    let errors = errors_of(&BRIEF.replace("price_cents = 350", "price_cents = -5"));
    assert!(
        errors[0].starts_with("prestations[0].price_cents"),
        "{errors:?}"
    );
}

#[test]
fn a_toml_syntax_error_gives_its_line() {
    let errors = errors_of("name = \"Mairie\nholiday_zone = \"B\"");
    assert!(errors[0].starts_with("line 1:"), "{errors:?}");
}

#[test]
fn every_rule_violation_is_reported_at_once() {
    let text = BRIEF
        .replace("postal_code = \"22300\"", "postal_code = \"2230\"")
        .replace("email = \"enfance@demo.example\"", "email = \"enfance\"")
        .replace("structure = \"resto-peri\"", "structure = \"cantine\"")
        .replace("to = \"2026-12-26\"", "to = \"2026-12-20\"")
        .replace(
            "{ qf_max = 500, price_cents = 100 }, { qf_max = 1000",
            "{ qf_max = 1000, price_cents = 100 }, { qf_max = 500",
        );
    assert_eq!(
        errors_of(&text),
        vec![
            r#"contact.postal_code: "2230" is not a postal code (5 digits)"#,
            r#"contact.email: "enfance" is not an e-mail address"#,
            r#"prestations[0].structure: "cantine" is not the code of a structure"#,
            "prestations[0].tariffs[1].qf_max: tariffs must be in ascending qf_max order, each band once",
            "closures[0].to: 2026-12-20 is before from (2026-12-24)",
        ]
    );
}

#[test]
fn duplicate_codes_and_empty_weekdays_are_refused() {
    let text = format!("{BRIEF}\n[[structures]]\ncode = \"resto-peri\"\nname = \"Bis\"\n").replace(
        "days = [\"monday\", \"tuesday\", \"thursday\", \"friday\"]",
        "days = []",
    );
    assert_eq!(
        errors_of(&text),
        vec![
            r#"structures[1].code: "resto-peri" is used twice"#,
            "prestations[0].days: must name at least one weekday",
        ]
    );
}

#[test]
fn cancel_deadline_defaults_to_the_booking_deadline() {
    let config = TenantConfig::from_toml(&BRIEF.replace(
        "cancel_deadline = { kind = \"same_day\", at = \"08:30\" }\n",
        "",
    ))
    .unwrap();
    let repas = config.prestation("repas").unwrap();
    assert_eq!(repas.cancel_deadline(), &repas.deadline);
}

#[test]
fn deadlines_are_described_in_french() {
    let config = TenantConfig::from_toml(DEMO).unwrap();
    assert_eq!(
        config.prestation("repas").unwrap().deadline.french(),
        "avant 8h30 le jour même"
    );
    assert_eq!(
        config
            .prestation("alsh-mercredi-matin")
            .unwrap()
            .deadline
            .french(),
        "2 jours ouvrés avant, à 12h"
    );
    assert_eq!(
        config
            .prestation("alsh-vacances")
            .unwrap()
            .deadline
            .french(),
        "le jeudi de la semaine précédente à 23h59"
    );
}

#[test]
fn a_secret_is_never_written_in_the_file_only_its_variable_name() {
    let text = format!(
        "{BRIEF}\n[oidc]\nissuer = \"https://auth.example\"\nclient_id = \"x\"\nclient_secret_env = \"s3cr3t value\"\nlabel = \"S'identifier\"\n"
    );
    assert_eq!(
        errors_of(&text),
        vec!["oidc.client_secret_env: must be the name of an environment variable (A-Z, 0-9, _)"]
    );
}

#[test]
fn the_languages_default_to_both_and_may_be_restricted() {
    use crate::i18n::Locale;
    let config = TenantConfig::from_toml(BRIEF).unwrap();
    assert_eq!(config.portal.locales, vec![Locale::Fr, Locale::En]);
    let text = BRIEF.replace("[portal]\n", "[portal]\nlocales = [\"fr\"]\n");
    assert_eq!(
        TenantConfig::from_toml(&text).unwrap().portal.locales,
        vec![Locale::Fr]
    );
    let errors = errors_of(&BRIEF.replace("[portal]\n", "[portal]\nlocales = [\"fr\", \"de\"]\n"));
    assert!(
        errors[0].starts_with("portal.locales[1]: unknown variant `de`"),
        "{errors:?}"
    );
    let errors = errors_of(&BRIEF.replace("[portal]\n", "[portal]\nlocales = []\n"));
    assert_eq!(
        errors,
        vec!["portal.locales: must name at least one language"]
    );
    let errors = errors_of(&BRIEF.replace("[portal]\n", "[portal]\nlocales = [\"en\", \"en\"]\n"));
    assert_eq!(errors, vec![r#"portal.locales[1]: "en" is listed twice"#]);
}

#[test]
fn the_secret_variable_must_be_an_oidc_one_so_no_other_secret_can_be_sent_out() {
    for name in ["DATABASE_URL", "REDIS_URL", "SMTP_URL", "HOME"] {
        let text = format!(
            "{BRIEF}\n[oidc]\nissuer = \"https://auth.example\"\nclient_id = \"x\"\nclient_secret_env = \"{name}\"\nlabel = \"S'identifier\"\n"
        );
        assert_eq!(
            errors_of(&text),
            vec![
                "oidc.client_secret_env: must be a variable named OIDC_<SLUG>_… (e.g. OIDC_LANNION_SECRET)"
            ],
            "{name}"
        );
    }
}

fn with_billing(extra: &str) -> String {
    format!(
        "{BRIEF}\n[billing]\nregie = \"Régie enfance\"\npayment_due_days = 30\ninvoice_prefix = \"FAC\"\nlegal_mentions = \"Avis des sommes à payer.\"\n{extra}"
    )
}

#[test]
fn the_billing_and_payfip_sections_of_the_demo_are_read() {
    let config = TenantConfig::from_toml(DEMO).unwrap();
    let billing = config.billing.as_ref().unwrap();
    assert_eq!(billing.invoice_prefix, "FAC");
    assert_eq!(billing.payment_due_days, 30);
    let payfip = config.payfip.as_ref().unwrap();
    assert_eq!(
        (payfip.numcli.as_str(), payfip.saisie),
        ("123456", Saisie::T)
    );
    let repas = config.prestation("repas").unwrap();
    assert_eq!(repas.billing, BillingMode::Invoice);
    assert_eq!(repas.late_cancellation, LateCancellation::Billed);
    let soir = config.prestation("peri-soir").unwrap();
    assert_eq!(soir.late_cancellation, LateCancellation::Free);
}

#[test]
fn the_tariff_is_the_lowest_band_at_or_above_the_quotient_else_the_full_price() {
    let config = TenantConfig::from_toml(BRIEF).unwrap();
    let repas = config.prestation("repas").unwrap();
    assert_eq!(repas.unit_price_cents(Some(0)), 100);
    assert_eq!(repas.unit_price_cents(Some(500)), 100);
    assert_eq!(repas.unit_price_cents(Some(501)), 250);
    assert_eq!(repas.unit_price_cents(Some(1000)), 250);
    assert_eq!(repas.unit_price_cents(Some(1001)), 350);
    assert_eq!(repas.unit_price_cents(None), 350);
}

#[test]
fn billing_keys_are_strict_and_checked() {
    let unknown = errors_of(&with_billing("colour = \"blue\""));
    assert!(unknown[0].starts_with("billing"), "{unknown:?}");
    assert!(unknown[0].contains("colour"), "{unknown:?}");
    let errors = errors_of(
        &with_billing("[payfip]\nnumcli = \"12a\"\nsaisie = \"T\"")
            .replace("payment_due_days = 30", "payment_due_days = 0")
            .replace("invoice_prefix = \"FAC\"", "invoice_prefix = \"AVO\""),
    );
    assert_eq!(
        errors,
        vec![
            "billing.payment_due_days: must be between 1 and 90".to_string(),
            "billing.invoice_prefix: \"AVO\" is the prefix of credit notes".to_string(),
            "payfip.numcli: \"12a\" is not a PayFiP client number (6 digits)".to_string(),
        ]
    );
    let saisie = errors_of(&with_billing(
        "[payfip]\nnumcli = \"123456\"\nsaisie = \"Q\"",
    ));
    assert!(saisie[0].starts_with("payfip.saisie"), "{saisie:?}");
    let mode = errors_of(&BRIEF.replace(
        "price_cents = 350\n",
        "price_cents = 350\nbilling = \"monthly\"\n",
    ));
    assert!(mode[0].starts_with("prestations[0].billing"), "{mode:?}");
    let lonely = errors_of(&format!(
        "{BRIEF}\n[payfip]\nnumcli = \"123456\"\nsaisie = \"T\""
    ));
    assert_eq!(
        lonely,
        vec!["payfip: needs a [billing] section".to_string()]
    );
}

#[test]
fn rubriques_default_to_menus_activities_and_information() {
    let config = TenantConfig::from_toml(BRIEF).unwrap();
    let codes: Vec<_> = config.rubriques.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["menus", "activites", "informations"]);
    let configured = format!(
        "{BRIEF}\n[[rubriques]]\ncode = \"menus\"\nname = \"Menus de la cantine\"\n[[rubriques]]\ncode = \"menus\"\nname = \"\"\n"
    );
    let errors = errors_of(&configured);
    assert!(
        errors.contains(&"rubriques[1].code: \"menus\" is used twice".to_string()),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("rubriques[1].name")),
        "{errors:?}"
    );
}

#[test]
fn criteria_default_to_none_and_are_listed_once_each() {
    assert!(TenantConfig::from_toml(BRIEF).unwrap().criteria.is_empty());
    let demo = TenantConfig::from_toml(DEMO).unwrap();
    assert!(demo.criteria.iter().any(|c| c == "Parent isolé"));
    let text = BRIEF.replacen(
        "holiday_zone = \"B\"",
        "holiday_zone = \"B\"\ncriteria = [\"Parent isolé\", \" \", \"parent isolé\"]",
        1,
    );
    assert_eq!(
        errors_of(&text),
        vec![
            "criteria[1]: must not be empty",
            r#"criteria[2]: "parent isolé" is listed twice"#,
        ]
    );
}
