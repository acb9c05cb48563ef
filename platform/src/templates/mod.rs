//! Server-rendered pages: handlebars in strict mode, templates embedded in the binary and
//! registered by name, one shared layout with the portal's banner and navigation.

use handlebars::Handlebars;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../templates/layout.hbs")),
    ("home", include_str!("../../templates/home.hbs")),
    ("error", include_str!("../../templates/error.hbs")),
    (
        "error_summary",
        include_str!("../../templates/error_summary.hbs"),
    ),
    (
        "accessibility",
        include_str!("../../templates/accessibility.hbs"),
    ),
    (
        "connexion",
        include_str!("../../templates/auth/connexion.hbs"),
    ),
    (
        "mot_de_passe_oublie",
        include_str!("../../templates/auth/mot_de_passe_oublie.hbs"),
    ),
    (
        "nouveau_mot_de_passe",
        include_str!("../../templates/auth/nouveau_mot_de_passe.hbs"),
    ),
    (
        "changer_mot_de_passe",
        include_str!("../../templates/auth/changer_mot_de_passe.hbs"),
    ),
    (
        "aide_connexion",
        include_str!("../../templates/auth/aide_connexion.hbs"),
    ),
    (
        "password_rules",
        include_str!("../../templates/auth/password_rules.hbs"),
    ),
    (
        "password_feedback_words",
        include_str!("../../templates/auth/password_feedback_words.hbs"),
    ),
    (
        "mon_compte",
        include_str!("../../templates/auth/mon_compte.hbs"),
    ),
    (
        "changer_adresse_email",
        include_str!("../../templates/auth/changer_adresse_email.hbs"),
    ),
    (
        "oidc_erreur",
        include_str!("../../templates/auth/oidc_erreur.hbs"),
    ),
    (
        "field_row",
        include_str!("../../templates/family/field_row.hbs"),
    ),
    ("foyer", include_str!("../../templates/family/foyer.hbs")),
    (
        "enfants",
        include_str!("../../templates/family/enfants.hbs"),
    ),
    ("enfant", include_str!("../../templates/family/enfant.hbs")),
    (
        "child_input",
        include_str!("../../templates/family/child_input.hbs"),
    ),
    (
        "mes_documents",
        include_str!("../../templates/documents/mes_documents.hbs"),
    ),
    (
        "reservations",
        include_str!("../../templates/reservations/reservations.hbs"),
    ),
    (
        "reservations_semaine_invalide",
        include_str!("../../templates/reservations/reservations_semaine_invalide.hbs"),
    ),
    (
        "reservations_masse",
        include_str!("../../templates/reservations/masse.hbs"),
    ),
    (
        "reservations_masse_resultat",
        include_str!("../../templates/reservations/masse_resultat.hbs"),
    ),
    (
        "reservations_masse_annulation",
        include_str!("../../templates/reservations/masse_annulation.hbs"),
    ),
    (
        "reservations_historique",
        include_str!("../../templates/reservations/historique.hbs"),
    ),
    (
        "calendrier",
        include_str!("../../templates/reservations/calendrier.hbs"),
    ),
    (
        "factures",
        include_str!("../../templates/billing/factures.hbs"),
    ),
    (
        "factures_retour",
        include_str!("../../templates/billing/retour.hbs"),
    ),
    ("panier", include_str!("../../templates/billing/panier.hbs")),
    (
        "staff_facturation",
        include_str!("../../templates/staff/facturation.hbs"),
    ),
    (
        "staff_connexion",
        include_str!("../../templates/staff/connexion.hbs"),
    ),
    (
        "staff_activation",
        include_str!("../../templates/staff/activation.hbs"),
    ),
    (
        "staff_accueil",
        include_str!("../../templates/staff/accueil.hbs"),
    ),
    (
        "staff_equipe",
        include_str!("../../templates/staff/equipe.hbs"),
    ),
    (
        "staff_familles",
        include_str!("../../templates/staff/familles.hbs"),
    ),
    (
        "staff_foyer",
        include_str!("../../templates/staff/foyer.hbs"),
    ),
    (
        "staff_enfant",
        include_str!("../../templates/staff/enfant.hbs"),
    ),
    (
        "staff_effectifs",
        include_str!("../../templates/staff/effectifs.hbs"),
    ),
    (
        "staff_liste",
        include_str!("../../templates/staff/liste.hbs"),
    ),
    (
        "messagerie",
        include_str!("../../templates/messaging/messagerie.hbs"),
    ),
    (
        "messagerie_nouveau",
        include_str!("../../templates/messaging/nouveau.hbs"),
    ),
    (
        "messagerie_conversation",
        include_str!("../../templates/messaging/conversation.hbs"),
    ),
    (
        "message_editor",
        include_str!("../../templates/messaging/editor.hbs"),
    ),
    (
        "staff_messagerie",
        include_str!("../../templates/staff/messagerie.hbs"),
    ),
    (
        "staff_conversation",
        include_str!("../../templates/staff/conversation.hbs"),
    ),
    (
        "staff_bibliotheque",
        include_str!("../../templates/staff/bibliotheque.hbs"),
    ),
    (
        "accueil_famille",
        include_str!("../../templates/dashboard/accueil.hbs"),
    ),
    (
        "staff_textes",
        include_str!("../../templates/staff/textes.hbs"),
    ),
    (
        "staff_journal",
        include_str!("../../templates/staff/journal.hbs"),
    ),
];

/// The stylesheet and the script, embedded; their URLs carry a digest so browsers may cache
/// them for long. Pages work without the script; it adds show/hide and live feedback.
pub const CSS: &str = include_str!("../../static/portail.css");
pub const JS: &str = concat!(
    include_str!("../../static/portail.js"),
    include_str!("../../static/grid.js")
);

pub struct Templates {
    registry: Handlebars<'static>,
    /// The pages written inside the layout (`{{#> layout}}…{{/layout}}`): registered without
    /// that wrapper, rendered alone, then set in the layout as `page_html` (see [`Templates::new`]).
    framed: std::collections::HashSet<&'static str>,
    /// How long each template's last rendering was: the next one writes into a buffer made at
    /// that size once, instead of one grown by doubling (each growth copies what was written;
    /// the booking grid's page is 47 KB).
    sizes: std::collections::HashMap<&'static str, std::sync::atomic::AtomicUsize>,
    css_url: String,
    js_url: String,
}

fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    }) & 0xffff_ffff
}

impl Templates {
    pub fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.set_dev_mode(false);
        registry.register_helper("t", Box::new(crate::i18n::helper::Translate));
        let mut framed = std::collections::HashSet::new();
        for (name, text) in TEMPLATES {
            // A page reads as it is drawn, inside the layout; but handlebars renders a partial
            // block on a copy of the whole context, and every `{{#each}}` inside it on copies
            // of each item (half the time of the booking grid's page). So the wrapper is taken
            // off here: the page renders alone on the context itself, and the layout takes the
            // result as `{{{page_html}}}`.
            let text = match unframed(text) {
                Some(inner) => {
                    framed.insert(*name);
                    inner
                }
                None => text,
            };
            // Partials are templates too: `{{> password_rules}}`.
            registry
                .register_template_string(name, text)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        Self {
            registry,
            framed,
            sizes: TEMPLATES
                .iter()
                .map(|(name, _)| (*name, Default::default()))
                .collect(),
            css_url: format!("/static/portail.css?v={:x}", digest(CSS)),
            js_url: format!("/static/portail.js?v={:x}", digest(JS)),
        }
    }

    pub fn css_url(&self) -> &str {
        &self.css_url
    }

    pub fn js_url(&self) -> &str {
        &self.js_url
    }

    /// Renders a page. A template error is a programming error: it is logged and the person
    /// gets a plain apology rather than a half page.
    pub fn render(&self, name: &str, data: &impl Serialize) -> String {
        self.try_render(name, data)
            .unwrap_or_else(|e| render_failed(name, e))
    }

    pub fn try_render(
        &self,
        name: &str,
        data: &impl Serialize,
    ) -> Result<String, handlebars::RenderError> {
        let value = serde_json::to_value(data)
            .map_err(|e| handlebars::RenderErrorReason::Other(e.to_string()))?;
        self.try_render_value(name, value)
    }

    /// As [`render`](Self::render), for data already made a JSON value: it is moved into the
    /// template's context, never copied (a page's data is the bulk of its rendering cost).
    pub fn render_value(&self, name: &str, data: serde_json::Value) -> String {
        self.try_render_value(name, data)
            .unwrap_or_else(|e| render_failed(name, e))
    }

    fn try_render_value(
        &self,
        name: &str,
        mut data: serde_json::Value,
    ) -> Result<String, handlebars::RenderError> {
        with_language(&mut data);
        let mut context = handlebars::Context::from(data);
        let mut html = self.render_sized(name, &context, 0)?;
        if self.framed.contains(name) {
            let page_len = html.len();
            if let serde_json::Value::Object(map) = context.data_mut() {
                map.insert("page_html".into(), html.into());
            }
            html = self.render_sized("layout", &context, page_len)?;
        }
        let mut rendered = RENDERED.lock().expect("not poisoned");
        if !rendered.contains(name) {
            rendered.insert(name.to_string());
        }
        Ok(html)
    }

    /// Renders `name` into a buffer of the size its last rendering took, plus `extra` (the
    /// page a layout takes in).
    fn render_sized(
        &self,
        name: &str,
        context: &handlebars::Context,
        extra: usize,
    ) -> Result<String, handlebars::RenderError> {
        use std::sync::atomic::Ordering::Relaxed;
        let size = self.sizes.get(name);
        let last = size.map_or(0, |s| s.load(Relaxed));
        // An eighth more: the same page for another household is a little longer or shorter.
        let hint = last + last / 8 + extra;
        let mut buffer = Vec::with_capacity(hint.max(1024));
        self.registry
            .render_with_context_to_write(name, context, &mut buffer)?;
        if let Some(size) = size {
            size.store(buffer.len().saturating_sub(extra), Relaxed);
        }
        // Every piece written is a `&str`: the buffer is UTF-8.
        String::from_utf8(buffer)
            .map_err(|e| handlebars::RenderErrorReason::Other(e.to_string()).into())
    }
}

/// The page inside `{{#> layout}}` … `{{/layout}}` (its first and last lines), if it is one.
fn unframed(text: &str) -> Option<&str> {
    text.strip_prefix("{{#> layout}}\n")?
        .trim_end()
        .strip_suffix("{{/layout}}")
}

/// The apology shown instead of a page whose template failed.
fn render_failed(name: &str, e: handlebars::RenderError) -> String {
    tracing::error!(template = name, error = %e, "template rendering failed");
    format!(
        "<!doctype html><html lang=\"{}\"><title>{}</title><p>{}</p></html>",
        crate::i18n::current(),
        crate::i18n::t("error-render-title"),
        crate::i18n::t("error-render-message")
    )
}

/// The page's data with what every page needs of the request's language: `lang` (for
/// `<html lang>` and the `t` helper), `languages` (the footer's switch), and the title in
/// that language.
fn with_language(data: &mut serde_json::Value) {
    if let serde_json::Value::Object(map) = data {
        map.entry("lang")
            .or_insert_with(|| crate::i18n::current().code().into());
        map.entry("languages")
            .or_insert_with(crate::i18n::switch_entries);
        if let Some(serde_json::Value::String(title)) = map.get_mut("title") {
            *title = crate::i18n::localize_title(title);
        }
    }
}

/// The templates this process rendered without error: the proof, in an end-to-end test, that
/// every page template renders with the data its handler gives it.
static RENDERED: std::sync::LazyLock<std::sync::Mutex<std::collections::BTreeSet<String>>> =
    std::sync::LazyLock::new(Default::default);

pub fn rendered() -> std::collections::BTreeSet<String> {
    RENDERED.lock().expect("not poisoned").clone()
}

/// The name of every registered template.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(name, _)| *name)
}

/// The templates, parsed once for the whole process.
pub fn global() -> &'static Templates {
    static TEMPLATES: std::sync::LazyLock<Templates> = std::sync::LazyLock::new(Templates::new);
    &TEMPLATES
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// The entries of the banner, as in the product guide. Signed in, "Se connecter" gives way to
/// the sign-out button the layout draws.
/// A page in the layout, as the parents' and the staff's frames send it: the frame's own keys
/// (`title`, `tenant`, `nav`, `account`, `csrf`) with the stylesheet and script addresses and
/// the page's model merged in. Pages may show personal data or carry form tokens: never
/// stored by a shared cache. The CSRF cookie goes out when the frame made one.
pub fn page_response(
    template: &str,
    mut frame: serde_json::Value,
    model: impl Serialize,
    status: u16,
    set_csrf_cookie: Option<&str>,
) -> poem::Response {
    use poem::IntoResponse;
    use poem::http::{HeaderValue, StatusCode};
    let t = global();
    if let serde_json::Value::Object(context) = &mut frame {
        context.insert("css".into(), t.css_url().into());
        context.insert("js".into(), t.js_url().into());
        if let Ok(serde_json::Value::Object(page)) = serde_json::to_value(model) {
            context.extend(page);
        }
    }
    let mut response = poem::web::Html(t.render_value(template, frame)).into_response();
    response.set_status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    let headers = response.headers_mut();
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    if let Some(Ok(cookie)) = set_csrf_cookie.map(HeaderValue::from_str) {
        headers.append("set-cookie", cookie);
    }
    response
}

pub fn navigation(slug: &str, current: &str, signed_in: bool) -> serde_json::Value {
    let entries = [
        ("accueil", "nav-home", ""),
        ("foyer", "nav-household", "foyer"),
        ("enfants", "nav-children", "enfants"),
        ("reservations", "nav-reservations", "reservations"),
        ("factures", "nav-invoices", "factures"),
        ("documents", "nav-documents", "documents"),
        ("messagerie", "nav-messages", "messagerie"),
        ("connexion", "nav-sign-in", "connexion"),
    ];
    entries
        .iter()
        .filter(|(key, _, _)| !(signed_in && *key == "connexion"))
        .map(|(key, label, path)| {
            serde_json::json!({
                "href": format!("/{slug}/{path}"),
                "label": crate::i18n::t(label),
                "current": *key == current,
                "primary": *key == "connexion",
                // The unread count the page's frame may add to "Messagerie".
                "badge": null,
                "badge_label": null,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_page_written_in_the_layout_is_rendered_inside_it() {
        let t = Templates::new();
        let pages: Vec<&str> = TEMPLATES
            .iter()
            .filter(|(_, text)| text.contains("{{#> layout}}"))
            .map(|(name, _)| *name)
            .collect();
        assert!(pages.len() > 40, "{pages:?}");
        for name in pages {
            assert!(t.framed.contains(name), "{name} keeps its wrapper");
        }
        let html = t
            .try_render(
                "error",
                &json!({"title": "T", "message": "<i>m</i>", "tenant_name": null, "tenant": null, "account": null, "css": "c", "js": "j"}),
            )
            .unwrap();
        let main = html
            .split("<main")
            .nth(1)
            .unwrap()
            .split("</main>")
            .next()
            .unwrap();
        assert!(main.contains("&lt;i&gt;m&lt;/i&gt;"), "{main}");
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn the_error_page_renders_and_escapes_what_it_is_given() {
        let t = Templates::new();
        let html = t.try_render(
            "error",
            &json!({"title": "<b>x</b>", "message": "m", "tenant_name": null, "tenant": null, "account": null, "css": t.css_url(), "js": t.js_url()}),
        )
        .unwrap();
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\">"));
    }

    #[test]
    fn every_template_is_registered() {
        let t = Templates::new();
        for (name, _) in TEMPLATES {
            assert!(t.registry.get_template(name).is_some(), "{name}");
        }
        for file in
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/auth")).unwrap()
        {
            let name = file
                .unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".hbs")
                .to_string();
            assert!(
                TEMPLATES.iter().any(|(n, _)| *n == name),
                "templates/auth/{name}.hbs is not registered"
            );
        }
    }

    #[test]
    fn strict_mode_refuses_a_missing_value() {
        let t = Templates::new();
        assert!(t.try_render("error", &json!({"css": "/x.css"})).is_err());
    }

    #[test]
    fn the_navigation_marks_the_current_page() {
        let nav = navigation("demo", "accueil", false);
        assert_eq!(nav[0]["href"], "/demo/");
        assert_eq!(nav[0]["current"], true);
        assert_eq!(nav[3]["label"], "Réservations");
        assert_eq!(nav.as_array().unwrap().len(), 8);
        assert_eq!(
            navigation("demo", "accueil", true)
                .as_array()
                .unwrap()
                .len(),
            7
        );
    }
}
