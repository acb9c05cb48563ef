//! Internationalisation: every sentence through the Fluent catalogue of `platform/locales/`,
//! French first (the reference), English complete.
//!
//! - [`Locale`], [`translate`] and [`t`]/[`t_args`] (current locale) come from
//!   `portail_tenants::i18n`, where the catalogue lives so the calendar rules share it.
//! - [`negotiate`] picks a request's locale: the signed-in guardian's saved preference, then
//!   the `lang` cookie of the footer's language switch, then `Accept-Language`, then French;
//!   only among the municipality's `[portal] locales`.
//! - [`LocaleSelection`] (middleware) applies it to every request: handlers and templates read
//!   it with [`current`] (or `Data<&Locale>`), `<html lang>` follows.
//! - [`helper`] is the `{{t "key" name=value}}` template helper.

pub mod api;
#[cfg(test)]
mod catalogue_tests;
pub mod helper;
mod middleware;
pub mod pages;
pub mod repository;

pub use middleware::{LocaleSelection, switch_entries};
pub use portail_tenants::i18n::{
    Args, FILES, Locale, calendar, current, has_key, keep_locale, scope, sync_scope, t, t_args,
    translate,
};

/// The cookie set by the footer's language switch (per municipality path).
pub const LANG_COOKIE: &str = "lang";
/// The key of the guardian's saved preference in the session data.
pub const SESSION_KEY: &str = "locale";

/// The locale of a request, in order: `saved` (the guardian's preference), `cookie`, the
/// languages of `accept_language` by quality, then French; each only if `allowed`. When the
/// municipality does not offer French, its first language.
pub fn negotiate(
    saved: Option<Locale>,
    cookie: Option<&str>,
    accept_language: Option<&str>,
    allowed: &[Locale],
) -> Locale {
    let ok = |l: &Locale| allowed.contains(l);
    saved
        .filter(ok)
        .or_else(|| cookie.and_then(Locale::parse).filter(ok))
        .or_else(|| {
            accept_language
                .map(accepted)
                .unwrap_or_default()
                .into_iter()
                .find(ok)
        })
        .or_else(|| Some(Locale::Fr).filter(ok))
        .or_else(|| allowed.first().copied())
        .unwrap_or_default()
}

/// The languages of an `Accept-Language` header we speak, best first (`q=0` means "not").
fn accepted(header: &str) -> Vec<Locale> {
    let mut tags: Vec<(f32, usize, Locale)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let locale = Locale::parse(parts.next()?)?;
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, i, locale))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, l)| l).collect()
}

/// The language of a mail: the recipient's saved one, else the current request's.
pub fn for_recipient(saved: Option<&str>) -> Locale {
    saved.and_then(Locale::parse).unwrap_or_else(current)
}

/// A French title passed by a page handler, in the current locale: the catalogue's `title-*`
/// message whose French text it is. Titles carrying data (a child's name) stay as given.
pub fn localize_title(french: &str) -> String {
    let locale = current();
    if locale == Locale::Fr {
        return french.to_string();
    }
    title_keys()
        .iter()
        .find(|(fr, _)| fr == french)
        .map(|(_, key)| translate(locale, key, &[]))
        .unwrap_or_else(|| french.to_string())
}

fn title_keys() -> &'static [(String, String)] {
    static KEYS: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
        FILES
            .iter()
            .filter(|(l, _, _)| *l == Locale::Fr)
            .flat_map(|(_, _, text)| text.lines())
            .filter_map(|line| line.split_once(" = "))
            .filter(|(key, _)| key.starts_with("title-"))
            .map(|(key, fr)| (fr.trim().to_string(), key.trim().to_string()))
            .collect()
    });
    &KEYS
}

#[cfg(test)]
mod tests {
    use super::*;
    use Locale::{En, Fr};

    const BOTH: &[Locale] = &[Fr, En];

    #[test]
    fn the_saved_preference_comes_first() {
        assert_eq!(negotiate(Some(En), Some("fr"), Some("fr"), BOTH), En);
        assert_eq!(negotiate(Some(Fr), Some("en"), Some("en"), BOTH), Fr);
    }

    #[test]
    fn then_the_cookie_then_accept_language_then_french() {
        assert_eq!(negotiate(None, Some("en"), Some("fr"), BOTH), En);
        assert_eq!(
            negotiate(None, Some("de"), Some("en-GB,fr;q=0.5"), BOTH),
            En
        );
        assert_eq!(
            negotiate(None, None, Some("de, en;q=0.3, fr;q=0.8"), BOTH),
            Fr
        );
        assert_eq!(negotiate(None, None, Some("de, en;q=0.3"), BOTH), En);
        assert_eq!(negotiate(None, None, Some("en;q=0, de"), BOTH), Fr);
        assert_eq!(negotiate(None, None, None, BOTH), Fr);
        assert_eq!(negotiate(None, Some("garbage"), Some(";;,"), BOTH), Fr);
    }

    #[test]
    fn only_the_municipality_s_languages_are_chosen() {
        assert_eq!(negotiate(Some(En), Some("en"), Some("en"), &[Fr]), Fr);
        assert_eq!(negotiate(None, None, Some("fr"), &[En]), En);
        assert_eq!(negotiate(Some(Fr), None, None, &[En]), En);
    }

    #[test]
    fn titles_are_looked_up_by_their_french_text() {
        assert_eq!(localize_title("Mon foyer"), "Mon foyer");
        sync_scope(En, || {
            assert_eq!(localize_title("Mon foyer"), "My household");
            assert_eq!(localize_title("Théo Alain"), "Théo Alain");
        });
    }
}
