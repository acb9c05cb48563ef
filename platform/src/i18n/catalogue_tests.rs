//! The catalogue's own checks: both languages complete, every key a template or the code
//! names exists, no sentence left in a template outside the catalogue.

use super::{FILES, Locale, has_key};
use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn keys_of(text: &str) -> BTreeSet<String> {
    let resource = fluent_bundle::FluentResource::try_new(text.to_string())
        .unwrap_or_else(|(_, e)| panic!("unparsable catalogue: {e:?}"));
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_catalogue_file_on_disk_is_loaded_in_both_languages() {
    for locale in Locale::ALL {
        let dir = Path::new(ROOT).join("locales").join(locale.code());
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        on_disk.sort();
        let mut loaded: Vec<String> = FILES
            .iter()
            .filter(|(l, _, _)| *l == locale)
            .map(|(_, area, _)| format!("{area}.ftl"))
            .collect();
        loaded.sort();
        assert_eq!(on_disk, loaded, "locales/{locale}/ and i18n::FILES differ");
    }
}

#[test]
fn a_key_in_one_language_exists_in_the_other() {
    let areas: BTreeSet<&str> = FILES.iter().map(|(_, area, _)| *area).collect();
    let mut problems = Vec::new();
    for area in areas {
        let of = |locale: Locale| {
            FILES
                .iter()
                .find(|(l, a, _)| *l == locale && *a == area)
                .map(|(_, _, text)| keys_of(text))
                .unwrap_or_default()
        };
        let (fr, en) = (of(Locale::Fr), of(Locale::En));
        for missing in fr.difference(&en) {
            problems.push(format!(
                "{area}.ftl: {missing} is in French, not in English"
            ));
        }
        for missing in en.difference(&fr) {
            problems.push(format!(
                "{area}.ftl: {missing} is in English, not in French"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The keys named literally by templates (`{{t "key"}}`, `(t "key")`) and by the code
/// (`t("key")`, `t_args("key"`, `translate(…, "key"`).
#[test]
fn every_key_named_by_a_template_or_the_code_exists() {
    let mut files = Vec::new();
    files_under(&Path::new(ROOT).join("templates"), ".hbs", &mut files);
    files_under(&Path::new(ROOT).join("src"), ".rs", &mut files);
    files_under(&Path::new(ROOT).join("../tenants/src"), ".rs", &mut files);
    let patterns = ["{{t \"", "(t \"", "t(\"", "t_args(\"", "t_args(\n"];
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for pattern in patterns {
            for (at, _) in text.match_indices(pattern) {
                // `t(` alone, not the end of `get(` or `split(`.
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if pattern.starts_with('t') && (before.is_alphanumeric() || "_.".contains(before)) {
                    continue;
                }
                let rest = text[at + pattern.len()..]
                    .trim_start()
                    .trim_start_matches('"');
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if key.is_empty() || key == "key" {
                    continue;
                }
                seen += 1;
                for locale in Locale::ALL {
                    if !has_key(locale, &key) {
                        missing.push(format!("{}: {key} ({locale})", file.display()));
                    }
                }
            }
        }
    }
    assert!(
        seen > 300,
        "the scan found only {seen} keys: is it still reading the files?"
    );
    assert!(missing.is_empty(), "{missing:#?}");
}

/// What a template says outside `{{…}}`: the text between tags and the attributes people
/// hear or read (`aria-label`, `title`, `alt`, `placeholder`).
fn literal_words(template: &str, html: bool) -> Vec<String> {
    let mut bare = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        bare.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .map(|e| start + e + 2)
            .unwrap_or(rest.len());
        let end = if rest[end..].starts_with('}') {
            end + 1
        } else {
            end
        };
        bare.push('\u{1}');
        rest = &rest[end..];
    }
    bare.push_str(rest);
    let has_word = |s: &str| {
        s.split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() >= 2)
    };
    let mut found = Vec::new();
    if !html {
        for line in bare.lines() {
            if has_word(line) {
                found.push(line.trim().to_string());
            }
        }
        return found;
    }
    // Text between tags.
    for piece in bare.split('<').skip(1) {
        if let Some((tag, text)) = piece.split_once('>') {
            let text = text.replace("&nbsp;", " ");
            if has_word(&text) {
                found.push(text.trim().to_string());
            }
            for attribute in ["aria-label=\"", "title=\"", "alt=\"", "placeholder=\""] {
                if let Some(at) = tag.find(attribute) {
                    let value = &tag[at + attribute.len()..];
                    let value = &value[..value.find('"').unwrap_or(value.len())];
                    if has_word(value) {
                        found.push(format!("{attribute}{value}\""));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_template_holds_a_sentence_outside_the_catalogue() {
    let mut files = Vec::new();
    files_under(&Path::new(ROOT).join("templates"), ".hbs", &mut files);
    assert!(files.len() > 20);
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let html = !file.to_string_lossy().ends_with(".txt.hbs");
        for words in literal_words(&text, html) {
            problems.push(format!("{}: {words}", file.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "literal text in templates: {problems:#?}"
    );
}

#[test]
fn the_lint_finds_a_french_sentence() {
    assert_eq!(
        literal_words("<p>Bonjour {{name}}</p>", true),
        vec!["Bonjour \u{1}"]
    );
    assert_eq!(
        literal_words(r#"<a aria-label="Semaine précédente">◀</a>"#, true),
        vec![r#"aria-label="Semaine précédente""#]
    );
    assert_eq!(literal_words("Merci\n{{t \"x\"}}", false), vec!["Merci"]);
    assert!(literal_words(r#"<p class="x">{{t "common-yes" a=b}} ✓ – 🔒</p>"#, true).is_empty());
}

/// The words of the French messages, without keys, comments, placeables (`{ $x }`) and
/// variant keys (`[one]`): `(area, key, words)` per line.
fn french_words() -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (locale, area, text) in FILES {
        if *locale != Locale::Fr {
            continue;
        }
        let mut key = String::new();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            let value = match line.split_once('=') {
                Some((k, v)) if !line.starts_with(' ') && !k.contains('{') => {
                    key = k.trim().to_string();
                    v
                }
                _ => line,
            };
            out.push((*area, key.clone(), without_placeables(value)));
        }
    }
    out
}

fn without_placeables(value: &str) -> String {
    let mut words = String::new();
    let mut depth = 0usize;
    for c in value.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => words.push(c),
            _ => {}
        }
    }
    let words = words.trim_start();
    // A variant's key: `[one] 1 jour`, `*[other] …`.
    let words = match words.trim_start_matches('*').strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(_, w)| w),
        None => words,
    };
    words.to_string()
}

/// What parents must never read, and why (issue 14's wording pass): one term for e-mail
/// ("adresse e-mail", "e-mail"), counts through Fluent plurals rather than "(s)", neutral
/// wording rather than "(e)", no technical words, no long words in capitals.
fn wording_problems(key: &str, words: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    let lower = words.to_lowercase();
    let has_word = |w: &str| {
        lower
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .any(|x| x == w)
    };
    if has_word("courriel") || has_word("courriels") {
        problems.push("« Courriel » : dire « adresse e-mail » ou « e-mail »");
    }
    if has_word("email") || has_word("emails") || has_word("mail") || has_word("mails") {
        problems.push("« Email » / « mail » : dire « adresse e-mail » ou « e-mail »");
    }
    if lower.contains("(s)") || lower.contains("(x)") {
        problems.push("« (s) » : un pluriel Fluent (« 1 jour », « 3 jours »)");
    }
    if lower.contains("(e)") || lower.contains("(ne)") {
        problems.push("« (e) » : une tournure neutre (« Date de naissance »)");
    }
    if !key.starts_with("staff-")
        && words
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "API")
    {
        problems.push("« API » : un mot que les parents comprennent (« application »)");
    }
    // Acronyms are written in capitals (HTTP and JSON only in the API's messages).
    const ACRONYMS: [&str; 9] = [
        "AAAA", "CNIL", "RGAA", "WCAG", "JPEG", "PAYFIP", "HTML", "HTTP", "JSON",
    ];
    let shouting = words
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(|c| c.is_uppercase()))
        .any(|w| !ACRONYMS.contains(&w));
    if shouting {
        problems.push("mot en capitales : l'écrire en minuscules");
    }
    problems
}

#[test]
fn the_french_catalogue_keeps_one_wording() {
    let lines = french_words();
    assert!(lines.len() > 800, "only {} lines read", lines.len());
    let problems: Vec<String> = lines
        .iter()
        .flat_map(|(area, key, words)| {
            wording_problems(key, words)
                .into_iter()
                .map(move |p| format!("{area}.ftl {key}: {p} — {words}"))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_wording_check_finds_each_old_habit() {
    for bad in [
        "Courriel :",
        "Email",
        "votre adresse mail",
        "3 jour(s) réservé(s)",
        "né(e) le",
        "Depuis l'API",
        "< RETOUR A LA LISTE",
    ] {
        assert!(!wording_problems("x", bad).is_empty(), "{bad} passes");
    }
    for good in [
        "E-mail :",
        "Adresse e-mail",
        "3 jours réservés",
        "Date de naissance",
        "PDF, JPEG ou PNG",
        "AAAA-MM-JJ",
    ] {
        assert!(wording_problems("x", good).is_empty(), "{good} refused");
    }
    assert_eq!(without_placeables("Bonjour { $name },"), "Bonjour ,");
    assert_eq!(
        without_placeables("       *[other] { $n } jours").trim(),
        "jours"
    );
    assert_eq!(without_placeables("{ $count ->"), "");
}
