//! The one error pattern of the parents' forms (the documents page's, made shared): a summary
//! above the form saying it was refused, each refused field a link to its input, the summary
//! taking the focus (`data-error-summary`, moved by `portail.js`), the page's title prefixed
//! with "Erreur : " (by [`Frame`](super::page::Frame) for every refusal status), the form's
//! action ending with its anchor so the answer opens at the form, and the values kept by each
//! page model. Rendered by the `error_summary` partial: `{{#with summary}}{{> error_summary}}{{else}}{{/with}}` (strict mode wants the `else`).

use crate::validation::FieldErrors;
use serde::Serialize;

/// The summary of a refused form.
#[derive(Serialize, Debug, Clone)]
pub struct ErrorSummary {
    /// The element's id, for links and tests.
    pub id: String,
    /// What happened, in one sentence.
    pub intro: String,
    /// One line per refused field, in the form's order.
    pub items: Vec<ErrorLink>,
}

#[derive(Serialize, Debug, Clone)]
pub struct ErrorLink {
    /// `#` and the input's id.
    pub href: String,
    /// "Label : message".
    pub text: String,
}

/// A field of a form: the key of its error, the id of its input and its label.
pub struct FormField<'a> {
    pub key: &'a str,
    pub input: String,
    pub label: String,
}

impl ErrorSummary {
    /// The summary of `errors` over `fields` (their order); `None` when nothing was refused.
    /// An error of a field not in `fields` is said without a link.
    pub fn of(
        id: &str,
        intro: String,
        errors: &FieldErrors,
        fields: &[FormField<'_>],
    ) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let mut items: Vec<ErrorLink> = fields
            .iter()
            .filter_map(|f| {
                errors.0.get(f.key).map(|message| ErrorLink {
                    href: format!("#{}", f.input),
                    text: line(&f.label, message),
                })
            })
            .collect();
        let known = |key: &str| fields.iter().any(|f| f.key == key);
        items.extend(
            errors
                .0
                .iter()
                .filter(|(key, _)| !known(key))
                .map(|(_, message)| ErrorLink {
                    href: String::new(),
                    text: message.clone(),
                }),
        );
        Some(ErrorSummary {
            id: id.to_string(),
            intro,
            items,
        })
    }

    /// A refusal that is no field's: the sentence alone.
    pub fn sentence(id: &str, intro: String) -> Self {
        ErrorSummary {
            id: id.to_string(),
            intro,
            items: Vec::new(),
        }
    }
}

fn line(label: &str, message: &str) -> String {
    crate::i18n::t_args(
        "form-error-item",
        &[("label", label.into()), ("message", message.into())],
    )
}

/// The statuses of a refused form: its page's title starts with "Erreur : ".
pub fn is_refusal(status: u16) -> bool {
    matches!(status, 413 | 415 | 422)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_links_each_refused_field_in_the_form_order() {
        let mut errors = FieldErrors::default();
        errors.add("phone", "Numéro incomplet.");
        errors.add("name", "Indiquez un nom.");
        errors.add("other", "Autre chose.");
        let fields = [
            FormField {
                key: "name",
                input: "f-name".into(),
                label: "Nom".into(),
            },
            FormField {
                key: "phone",
                input: "f-phone".into(),
                label: "Téléphone".into(),
            },
        ];
        let s = ErrorSummary::of("x", "Refusé".into(), &errors, &fields).unwrap();
        let hrefs: Vec<&str> = s.items.iter().map(|i| i.href.as_str()).collect();
        assert_eq!(hrefs, ["#f-name", "#f-phone", ""]);
        assert_eq!(s.items[0].text, "Nom : Indiquez un nom.");
        assert!(ErrorSummary::of("x", "Refusé".into(), &FieldErrors::default(), &fields).is_none());
        assert!(is_refusal(422) && !is_refusal(200) && !is_refusal(404));
    }
}
