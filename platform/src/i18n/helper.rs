//! `{{t "key" name=value}}`: a catalogue message in the page's language.
//!
//! The language is the render context's `lang` (set by `Templates::render` from the request's
//! locale). The message text is the catalogue's, trusted like the templates themselves (it may
//! hold markup such as `<strong>`); the arguments are data and escaped like any `{{value}}`,
//! so the French pages stay byte for byte what the literal templates produced. Used as a
//! subexpression (`label=(t "key")`), the helper gives the plain text to be escaped where it
//! is written.

use super::{Locale, current, translate};
use fluent_bundle::FluentValue;
use handlebars::{
    Context, Handlebars as Registry, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderError, RenderErrorReason, ScopedJson,
};
use serde_json::Value;

pub struct Translate;

fn message(
    h: &Helper<'_>,
    ctx: &Context,
    escape: &dyn Fn(&str) -> String,
) -> Result<String, RenderError> {
    let key = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
    let locale = ctx
        .data()
        .get("lang")
        .and_then(Value::as_str)
        .and_then(Locale::parse)
        .unwrap_or_else(current);
    let args: Vec<(&str, FluentValue<'_>)> = h
        .hash()
        .iter()
        .map(|(name, value)| {
            let value = match value.value() {
                Value::Number(n) if n.is_i64() => FluentValue::from(n.as_i64().unwrap_or(0)),
                Value::Number(n) => FluentValue::from(n.as_f64().unwrap_or(0.0)),
                Value::String(s) => FluentValue::from(escape(s)),
                Value::Null => FluentValue::from(String::new()),
                other => FluentValue::from(escape(&other.to_string())),
            };
            (*name, value)
        })
        .collect();
    Ok(translate(locale, key, &args))
}

impl HelperDef for Translate {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Registry<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let text = message(h, ctx, &|s: &str| s.to_string())?;
        Ok(ScopedJson::Derived(Value::String(text)))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Registry<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = if rc.is_disable_escape() {
            message(h, ctx, &|s: &str| s.to_string())?
        } else {
            message(h, ctx, r.get_escape_fn())?
        };
        out.write(&text)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registry() -> Registry<'static> {
        let mut r = Registry::new();
        r.set_strict_mode(true);
        r.register_helper("t", Box::new(Translate));
        r
    }

    #[test]
    fn the_message_follows_the_context_language_and_escapes_only_arguments() {
        let r = registry();
        let template = r#"{{t "home-hello" name=name}}"#;
        let fr = r
            .render_template(template, &json!({"lang": "fr", "name": "<b>O'Brien</b>"}))
            .unwrap();
        assert_eq!(
            fr,
            "Bonjour &lt;b&gt;O&#x27;Brien&lt;&#x2F;b&gt;, vous êtes connecté."
                .replace("&#x2F;", "/")
        );
        let en = r
            .render_template(template, &json!({"lang": "en", "name": "Ann"}))
            .unwrap();
        assert_eq!(en, "Hello Ann, you are signed in.");
    }

    #[test]
    fn as_a_subexpression_it_gives_plain_text() {
        let r = registry();
        let html = r
            .render_template(
                r#"{{#with (t "contact-relation")}}{{this}}{{/with}}"#,
                &json!({"lang": "fr"}),
            )
            .unwrap();
        assert_eq!(html, "Lien avec l&#x27;enfant");
    }
}
