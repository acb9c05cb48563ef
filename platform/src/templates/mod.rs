//! Server-rendered pages: handlebars in strict mode, templates embedded in the binary and
//! registered by name, one shared layout with the portal's banner and navigation.

use handlebars::Handlebars;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../templates/layout.hbs")),
    ("home", include_str!("../../templates/home.hbs")),
    ("error", include_str!("../../templates/error.hbs")),
    (
        "accessibility",
        include_str!("../../templates/accessibility.hbs"),
    ),
];

/// The stylesheet, embedded; its URL carries a digest so browsers may cache it for long.
pub const CSS: &str = include_str!("../../static/portail.css");

pub struct Templates {
    registry: Handlebars<'static>,
    css_url: String,
}

impl Templates {
    pub fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.set_dev_mode(false);
        for (name, text) in TEMPLATES {
            registry
                .register_template_string(name, *text)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        let digest = CSS.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        Self {
            registry,
            css_url: format!("/static/portail.css?v={:x}", digest & 0xffff_ffff),
        }
    }

    pub fn css_url(&self) -> &str {
        &self.css_url
    }

    /// Renders a page. A template error is a programming error: it is logged and the person
    /// gets a plain apology rather than a half page.
    pub fn render(&self, name: &str, data: &impl Serialize) -> String {
        self.try_render(name, data).unwrap_or_else(|e| {
            tracing::error!(template = name, error = %e, "template rendering failed");
            "<!doctype html><html lang=\"fr\"><title>Erreur</title><p>Une erreur inattendue est survenue. Merci de réessayer.</p></html>".to_string()
        })
    }

    pub fn try_render(
        &self,
        name: &str,
        data: &impl Serialize,
    ) -> Result<String, handlebars::RenderError> {
        self.registry.render(name, data)
    }
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

/// The entries of the banner, as in the product guide.
pub fn navigation(slug: &str, current: &str) -> serde_json::Value {
    let entries = [
        ("accueil", "Accueil", ""),
        ("foyer", "Mon foyer", "foyer"),
        ("enfants", "Mes enfants", "enfants"),
        ("reservations", "Réservations", "reservations"),
        ("factures", "Mes factures", "factures"),
        ("documents", "Mes documents", "documents"),
        ("messagerie", "Messagerie", "messagerie"),
        ("connexion", "Se connecter", "connexion"),
    ];
    entries
        .iter()
        .map(|(key, label, path)| {
            serde_json::json!({
                "href": format!("/{slug}/{path}"),
                "label": label,
                "current": *key == current,
                "primary": *key == "connexion",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_renders_and_escapes_what_it_is_given() {
        let t = Templates::new();
        let html = t.try_render(
            "error",
            &json!({"title": "<b>x</b>", "message": "m", "tenant_name": null, "tenant": null, "css": t.css_url()}),
        )
        .unwrap();
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\">"));
    }

    #[test]
    fn strict_mode_refuses_a_missing_value() {
        let t = Templates::new();
        assert!(t.try_render("error", &json!({"css": "/x.css"})).is_err());
    }

    #[test]
    fn the_navigation_marks_the_current_page() {
        let nav = navigation("demo", "accueil");
        assert_eq!(nav[0]["href"], "/demo/");
        assert_eq!(nav[0]["current"], true);
        assert_eq!(nav[3]["label"], "Réservations");
        assert_eq!(nav.as_array().unwrap().len(), 8);
    }
}
