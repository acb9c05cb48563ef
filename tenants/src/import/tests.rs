use super::*;
use chrono::NaiveDate;

const DEMO: &[u8] = include_bytes!("../../examples/families.csv");

fn prestations() -> Vec<String> {
    [
        "repas",
        "peri-matin",
        "peri-soir",
        "alsh-mercredi-matin",
        "alsh-mercredi-apres-midi",
        "repas-mercredi",
        "alsh-vacances",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn errors(bytes: &[u8]) -> Vec<String> {
    match parse(bytes, &prestations(), today()) {
        Err(ImportError::Invalid(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn header() -> String {
    HEADERS.join(";")
}

const ALAIN: &str = "F0001;ALAIN;Paul;paul.alain@demo.example;06 12 34 56 78;;;;;12 rue des Écoles;22300;Lannion;999;ALAIN;Théo;07/07/2016;Lannion;Jean Macé;CM1;sans porc;repas|peri-soir";

#[test]
fn the_demo_file_reads_with_the_alain_family_and_its_three_children() {
    let file = parse(DEMO, &prestations(), today()).unwrap();
    let alain: Vec<_> = file
        .rows
        .iter()
        .filter(|r| r.household.reference == "F0001")
        .collect();
    assert_eq!(alain.len(), 3);
    assert_eq!(alain[0].household.guardians.len(), 2);
    assert_eq!(alain[0].household.guardians[0].phone, "06 12 34 56 78");
    assert_eq!(
        alain[0].birth_date,
        NaiveDate::from_ymd_opt(2016, 7, 7).unwrap()
    );
    assert_eq!(alain[0].diets, vec!["sans porc"]);
    assert_eq!(
        alain[2].birth_date,
        NaiveDate::from_ymd_opt(2021, 9, 2).unwrap()
    );
}

#[test]
fn commas_are_detected_as_the_separator() {
    let text = format!("{}\n{}\n", HEADERS.join(","), ALAIN.replace(';', ","));
    let file = parse(text.as_bytes(), &prestations(), today()).unwrap();
    assert_eq!(file.rows[0].first_name, "Théo");
    assert_eq!(file.rows[0].prestations, vec!["repas", "peri-soir"]);
}

#[test]
fn every_bad_value_is_listed_with_its_line() {
    let bad_email = ALAIN.replace("paul.alain@demo.example", "paul.alain@");
    let bad_date = ALAIN
        .replace("F0001", "F0002")
        .replace("07/07/2016", "31/02/2016")
        .replace("paul.alain@", "x@");
    let bad_code = ALAIN
        .replace("F0001", "F0003")
        .replace("repas|peri-soir", "repas|piscine")
        .replace("paul.alain@", "y@");
    let bad_qf = ALAIN
        .replace("F0001", "F0004")
        .replace(";999;", ";beaucoup;")
        .replace("paul.alain@", "z@");
    let text = format!(
        "{}\n{bad_email}\n{bad_date}\n{bad_code}\n{bad_qf}\n",
        header()
    );
    assert_eq!(
        errors(text.as_bytes()),
        vec![
            r#"line 2: responsable_email: "paul.alain@" is not an e-mail address"#,
            r#"line 3: enfant_date_naissance: "31/02/2016" is not a date (JJ/MM/AAAA or AAAA-MM-JJ)"#,
            r#"line 4: prestations: unknown prestation code "piscine""#,
            r#"line 5: quotient_familial: "beaucoup" is not a whole number"#,
        ]
    );
}

#[test]
fn missing_required_cells_phones_postal_codes_and_future_births_are_refused() {
    let row = ALAIN
        .replace(";ALAIN;Théo;", ";ALAIN;;")
        .replace("06 12 34 56 78", "12345")
        .replace(";22300;", ";2230;")
        .replace("07/07/2016", "01/01/2030");
    let errors = errors(format!("{}\n{row}\n", header()).as_bytes());
    assert_eq!(
        errors,
        vec![
            "line 2: enfant_prenom: required",
            r#"line 2: responsable_telephone: "12345" is not a phone number"#,
            r#"line 2: code_postal: "2230" is not a postal code (5 digits)"#,
            "line 2: enfant_date_naissance: 01/01/2030 is in the future",
        ]
    );
}

#[test]
fn religious_diet_labels_are_refused() {
    let row = ALAIN.replace("sans porc", "halal");
    let errors = errors(format!("{}\n{row}\n", header()).as_bytes());
    assert!(
        errors[0].starts_with("line 2: regime: \"halal\" is not an allowed diet"),
        "{errors:?}"
    );
}

#[test]
fn unknown_and_missing_columns_are_named() {
    let text = format!(
        "{};couleur\n{ALAIN};bleu\n",
        header().replace(";classe", "")
    );
    let errors = errors(text.as_bytes());
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("line 1: unknown column \"couleur\"")),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"line 1: missing column \"classe\"".to_string()),
        "{errors:?}"
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_refused() {
    let text = format!("{}\n{}\n", header(), "F0001;ALAIN;Paul");
    assert_eq!(
        errors(text.as_bytes()),
        vec!["line 2: 3 fields, expected 21"]
    );
}

#[test]
fn rows_of_one_household_must_agree_and_a_child_appears_once() {
    let second = ALAIN
        .replace("12 rue des Écoles", "13 rue des Écoles")
        .replace("Théo", "Anna");
    let text = format!("{}\n{ALAIN}\n{second}\n{ALAIN}\n", header());
    let errors = errors(text.as_bytes());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line 3: household \"F0001\" differs from line 2"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with(
            "line 4: child ALAIN Théo of household \"F0001\" already appears on line 2"
        ),
        "{errors:?}"
    );
}

#[test]
fn one_email_for_two_households_is_refused() {
    let other = ALAIN.replace("F0001", "F0009").replace("Théo", "Zoé");
    let errors = errors(format!("{}\n{ALAIN}\n{other}\n", header()).as_bytes());
    assert_eq!(
        errors,
        vec![
            r#"line 3: e-mail paul.alain@demo.example is already used by a guardian of household "F0001" (line 2)"#
        ]
    );
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_advice() {
    let mut bytes = format!("{}\n", header()).into_bytes();
    bytes.extend_from_slice(b"F0001;ALAIN;Th\xe9o");
    let errors = errors(&bytes);
    assert!(errors[0].contains("not UTF-8"), "{errors:?}");
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(
        errors(format!("{}\n", header()).as_bytes()),
        vec!["the file has no family rows"]
    );
}
