//! The message catalogue (Project Fluent) and the locale of the current request.
//!
//! Every sentence a person reads comes from the `.ftl` files under `platform/locales/<lang>/`,
//! one file per feature area, French being the reference. The catalogue lives in this crate
//! so that the calendar rules (deadline labels) and the service (`portail::i18n`, which adds
//! the template helper and the negotiation) read the same words.
//!
//! The locale of the request being served is a task-local value set once per request by the
//! service's locale middleware ([`scope`]); code that formats text reads it with [`current`]
//! and never needs it passed down. Outside a request (CLI, background work) it is French.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::sync::LazyLock;

/// A language the portal speaks. French is the reference: every key exists in it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    /// The BCP 47 code, as in `<html lang>` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// A language tag's primary subtag (`en-GB` → English); `None` for a language we lack.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's own name, for the language switch ("English", "Français").
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Fr => "Français",
            Locale::En => "English",
        }
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The catalogue files: (language, area, text). A test checks that every `.ftl` file on disk
/// is listed here and that both languages have the same keys.
pub const FILES: &[(Locale, &str, &str)] = &[
    (
        Locale::Fr,
        "calendar",
        include_str!("../../platform/locales/fr/calendar.ftl"),
    ),
    (
        Locale::Fr,
        "common",
        include_str!("../../platform/locales/fr/common.ftl"),
    ),
    (
        Locale::Fr,
        "auth",
        include_str!("../../platform/locales/fr/auth.ftl"),
    ),
    (
        Locale::Fr,
        "family",
        include_str!("../../platform/locales/fr/family.ftl"),
    ),
    (
        Locale::Fr,
        "documents",
        include_str!("../../platform/locales/fr/documents.ftl"),
    ),
    (
        Locale::Fr,
        "reservations",
        include_str!("../../platform/locales/fr/reservations.ftl"),
    ),
    (
        Locale::Fr,
        "mail",
        include_str!("../../platform/locales/fr/mail.ftl"),
    ),
    (
        Locale::Fr,
        "errors",
        include_str!("../../platform/locales/fr/errors.ftl"),
    ),
    (
        Locale::Fr,
        "staff",
        include_str!("../../platform/locales/fr/staff.ftl"),
    ),
    (
        Locale::Fr,
        "billing",
        include_str!("../../platform/locales/fr/billing.ftl"),
    ),
    (
        Locale::Fr,
        "messaging",
        include_str!("../../platform/locales/fr/messaging.ftl"),
    ),
    (
        Locale::Fr,
        "library",
        include_str!("../../platform/locales/fr/library.ftl"),
    ),
    (
        Locale::Fr,
        "dashboard",
        include_str!("../../platform/locales/fr/dashboard.ftl"),
    ),
    (
        Locale::Fr,
        "staff_office",
        include_str!("../../platform/locales/fr/staff_office.ftl"),
    ),
    (
        Locale::Fr,
        "phone",
        include_str!("../../platform/locales/fr/phone.ftl"),
    ),
    (
        Locale::Fr,
        "cart",
        include_str!("../../platform/locales/fr/cart.ftl"),
    ),
    (
        Locale::En,
        "calendar",
        include_str!("../../platform/locales/en/calendar.ftl"),
    ),
    (
        Locale::En,
        "common",
        include_str!("../../platform/locales/en/common.ftl"),
    ),
    (
        Locale::En,
        "auth",
        include_str!("../../platform/locales/en/auth.ftl"),
    ),
    (
        Locale::En,
        "family",
        include_str!("../../platform/locales/en/family.ftl"),
    ),
    (
        Locale::En,
        "documents",
        include_str!("../../platform/locales/en/documents.ftl"),
    ),
    (
        Locale::En,
        "reservations",
        include_str!("../../platform/locales/en/reservations.ftl"),
    ),
    (
        Locale::En,
        "mail",
        include_str!("../../platform/locales/en/mail.ftl"),
    ),
    (
        Locale::En,
        "errors",
        include_str!("../../platform/locales/en/errors.ftl"),
    ),
    (
        Locale::En,
        "staff",
        include_str!("../../platform/locales/en/staff.ftl"),
    ),
    (
        Locale::En,
        "billing",
        include_str!("../../platform/locales/en/billing.ftl"),
    ),
    (
        Locale::En,
        "messaging",
        include_str!("../../platform/locales/en/messaging.ftl"),
    ),
    (
        Locale::En,
        "library",
        include_str!("../../platform/locales/en/library.ftl"),
    ),
    (
        Locale::En,
        "dashboard",
        include_str!("../../platform/locales/en/dashboard.ftl"),
    ),
    (
        Locale::En,
        "staff_office",
        include_str!("../../platform/locales/en/staff_office.ftl"),
    ),
    (
        Locale::En,
        "phone",
        include_str!("../../platform/locales/en/phone.ftl"),
    ),
    (
        Locale::En,
        "cart",
        include_str!("../../platform/locales/en/cart.ftl"),
    ),
];

/// One language of the catalogue.
struct Language {
    locale: Locale,
    bundle: FluentBundle<FluentResource>,
    /// The text of every message that takes no argument, formatted once: most of a page's
    /// words (labels, buttons, headings) are asked for on every request, and a page asks for
    /// dozens of them.
    plain: HashMap<String, String>,
}

static CATALOGUE: LazyLock<Vec<Language>> =
    LazyLock::new(|| Locale::ALL.into_iter().map(language).collect());

/// The bundle of `locale`'s files, and its messages without arguments formatted.
fn language(locale: Locale) -> Language {
    let id: unic_langid::LanguageIdentifier = locale.code().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the French pages must stay byte for byte
    // what they were, and our arguments are never right-to-left.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    for (lang, area, text) in FILES.iter().filter(|(l, _, _)| *l == locale) {
        let resource = FluentResource::try_new(text.to_string())
            .unwrap_or_else(|(_, e)| panic!("locales/{lang}/{area}.ftl: {e:?}"));
        ids.extend(resource.entries().filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        }));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("locales/{lang}/{area}.ftl: {e:?}"));
    }
    let plain = ids
        .into_iter()
        .filter_map(|id| {
            let pattern = bundle.get_message(&id)?.value()?;
            // A message that reads an argument reports it missing: it is formatted per call.
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned();
            errors.is_empty().then_some((id, text))
        })
        .collect();
    Language {
        locale,
        bundle,
        plain,
    }
}

/// The catalogue's entry for `locale`.
fn language_of(locale: Locale) -> &'static Language {
    CATALOGUE
        .iter()
        .find(|l| l.locale == locale)
        .expect("every locale is in the catalogue")
}

/// Arguments of a message: `&[("name", "Théo".into()), ("count", 3.into())]`.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

/// The message `key` in `locale` with `args`. A key missing in the catalogue is a programming
/// error (a test compares the catalogue with the templates): it is logged and shown as is.
pub fn translate(locale: Locale, key: &str, args: &Args<'_>) -> String {
    let language = language_of(locale);
    if args.is_empty()
        && let Some(text) = language.plain.get(key)
    {
        return text.clone();
    }
    let bundle = &language.bundle;
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        tracing::error!(
            key,
            locale = locale.code(),
            "message missing from the catalogue"
        );
        return key.to_string();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::error!(
            key,
            locale = locale.code(),
            ?errors,
            "message formatting failed"
        );
    }
    text.into_owned()
}

/// Whether `key` exists in `locale`.
pub fn has_key(locale: Locale, key: &str) -> bool {
    language_of(locale).bundle.has_message(key)
}

/// The message `key` in the current request's locale.
pub fn t(key: &str) -> String {
    translate(current(), key, &[])
}

/// The message `key` with arguments, in the current request's locale.
pub fn t_args(key: &str, args: &Args<'_>) -> String {
    translate(current(), key, args)
}

tokio::task_local! {
    static CURRENT: Locale;
}

/// The locale of the request being served; French outside a request.
pub fn current() -> Locale {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Runs `future` with `locale` as the current locale.
pub async fn scope<F: Future>(locale: Locale, future: F) -> F::Output {
    CURRENT.scope(locale, future).await
}

/// Runs `f` with `locale` as the current locale (tests, synchronous callers).
pub fn sync_scope<R>(locale: Locale, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(locale, f)
}

/// `future` carrying the current locale along, for work spawned from a request (mail).
pub fn keep_locale<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let locale = current();
    async move { CURRENT.scope(locale, future).await }
}

/// Words of the calendar, in the current locale: the one place day and month names and week
/// labels come from (keys `weekday-*`, `month-*`, `week-label` in `calendar.ftl`).
pub mod calendar {
    use super::{FluentValue, current, translate};
    use chrono::{Datelike, NaiveDate};

    const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];

    /// "lundi" / "Monday"; `index` counts from Monday (0) to Sunday (6).
    pub fn weekday(index: usize) -> String {
        translate(current(), &format!("weekday-{}", WEEKDAYS[index]), &[])
    }

    /// "lun." / "Mon".
    pub fn weekday_short(index: usize) -> String {
        translate(
            current(),
            &format!("weekday-short-{}", WEEKDAYS[index]),
            &[],
        )
    }

    /// "janvier" / "January"; `index` counts from January (0).
    pub fn month(index: usize) -> String {
        translate(current(), &format!("month-{}", MONTHS[index]), &[])
    }

    /// "janv." / "Jan".
    pub fn month_short(index: usize) -> String {
        translate(current(), &format!("month-short-{}", MONTHS[index]), &[])
    }

    fn day_args(d: NaiveDate) -> [(&'static str, FluentValue<'static>); 4] {
        [
            (
                "weekday",
                weekday(d.weekday().num_days_from_monday() as usize).into(),
            ),
            ("day", (d.day() as i64).into()),
            ("month", month(d.month0() as usize).into()),
            ("year", (d.year() as i64).into()),
        ]
    }

    /// "lundi 4 janvier", "mardi 1er décembre" / "Monday 4 January".
    pub fn day(d: NaiveDate) -> String {
        translate(current(), "date-day", &day_args(d))
    }

    /// "mardi 1er décembre 2026" / "Tuesday 1 December 2026".
    pub fn day_with_year(d: NaiveDate) -> String {
        translate(current(), "date-day-year", &day_args(d))
    }

    /// "7 juillet 2016", "1er septembre 2026" / "7 July 2016": a date far from today.
    pub fn long_date(d: NaiveDate) -> String {
        translate(current(), "date-long", &day_args(d))
    }

    /// "4 janv. 2027" / "4 Jan 2027".
    pub fn short_date(d: NaiveDate) -> String {
        translate(
            current(),
            "date-short-year",
            &[
                ("day", (d.day() as i64).into()),
                ("month", month_short(d.month0() as usize).into()),
                ("year", (d.year() as i64).into()),
            ],
        )
    }

    /// "20 janv." / "20 Jan".
    pub fn day_month_short(d: NaiveDate) -> String {
        translate(
            current(),
            "date-short",
            &[
                ("day", (d.day() as i64).into()),
                ("month", month_short(d.month0() as usize).into()),
            ],
        )
    }

    /// "Semaine 04 / 2027" / "Week 04 / 2027".
    pub fn week_label(year: i32, week: u32) -> String {
        translate(
            current(),
            "week-label",
            &[
                ("week", format!("{week:02}").into()),
                ("year", (year as i64).into()),
            ],
        )
    }

    /// "à 8h30" style time of a deadline: "8h30", "12h" / "8:30 am", "12 pm".
    pub fn time_of_day(hour: u32, minute: u32) -> String {
        translate(
            current(),
            "time-of-day",
            &[
                ("hour", (hour as i64).into()),
                ("minute", format!("{minute:02}").into()),
                ("has-minutes", if minute == 0 { "no" } else { "yes" }.into()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn french_is_the_default_and_dates_read_as_before() {
        assert_eq!(current(), Locale::Fr);
        assert_eq!(calendar::day(d(2027, 1, 4)), "lundi 4 janvier");
        assert_eq!(
            calendar::day_with_year(d(2026, 12, 1)),
            "mardi 1er décembre 2026"
        );
        assert_eq!(calendar::short_date(d(2027, 2, 14)), "14 févr. 2027");
        assert_eq!(calendar::long_date(d(2016, 7, 7)), "7 juillet 2016");
        assert_eq!(calendar::long_date(d(2026, 9, 1)), "1er septembre 2026");
        assert_eq!(calendar::week_label(2026, 4), "Semaine 04 / 2026");
        assert_eq!(calendar::time_of_day(8, 30), "8h30");
        assert_eq!(calendar::time_of_day(12, 0), "12h");
    }

    #[test]
    fn english_words_come_from_the_english_catalogue() {
        sync_scope(Locale::En, || {
            assert_eq!(calendar::day(d(2027, 1, 4)), "Monday 4 January");
            assert_eq!(
                calendar::day_with_year(d(2026, 12, 1)),
                "Tuesday 1 December 2026"
            );
            assert_eq!(calendar::week_label(2026, 4), "Week 04 / 2026");
            assert_eq!(calendar::weekday_short(6), "Sun");
            assert_eq!(calendar::time_of_day(8, 30), "8:30");
        });
    }

    #[test]
    fn plain_messages_are_kept_formatted_and_messages_with_arguments_are_not() {
        let plain = |locale: Locale| &language_of(locale).plain;
        assert_eq!(plain(Locale::Fr)["title-sign-in"], "Connexion");
        assert_eq!(translate(Locale::En, "sign-in-or", &[]), "or");
        assert!(plain(Locale::Fr).len() > 500, "{}", plain(Locale::Fr).len());
        // Read with its argument, each call.
        assert!(!plain(Locale::Fr).contains_key("dashboard-invoice-label"));
        assert_eq!(
            translate(
                Locale::Fr,
                "dashboard-invoice-label",
                &[("number", "FAC-2027-000042".into())]
            ),
            "Facture FAC-2027-000042"
        );
        // Every kept text is what formatting the message gives.
        for Language { bundle, plain, .. } in CATALOGUE.iter() {
            for (key, text) in plain {
                let pattern = bundle.get_message(key).and_then(|m| m.value()).unwrap();
                let mut errors = Vec::new();
                assert_eq!(&bundle.format_pattern(pattern, None, &mut errors), text);
            }
        }
    }

    #[test]
    fn a_language_tag_names_its_primary_language() {
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse(""), None);
    }
}
