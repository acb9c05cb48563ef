//! The children's cards of the booking grid, written straight into the page.
//!
//! The grid is the parents' busiest page and its cards are nearly all of its markup: with
//! three children and five prestations, 75 cells. Rendered by handlebars, each cell resolved
//! a dozen values by path through a JSON copy of the model, and that took two thirds of the
//! page's time. This writer emits the markup from the typed model in one pass;
//! `reservations.hbs` keeps the rest of the page and places the cards with `{{{cards}}}`.
//!
//! A cell is one button. What every cell of a row would repeat (the CSRF token, the child,
//! the prestation, the week) is said once, in the row's "toute la semaine" form (or a hidden
//! form of the row when nothing is left to book), which the buttons name with their `form`
//! attribute; the button adds its action and its day (`reserver=2027-01-18` or
//! `annuler=2027-01-18`). Without JavaScript the browser posts that form; with it, `grid.js`
//! reads the same fields. A third of the page's weight went with the six hidden fields each
//! cell used to carry.
//!
//! Every value goes through [`Html::text`], which escapes exactly as handlebars' `{{…}}`
//! does, so nothing a parent or a municipality typed can reach the page unescaped.

use super::pages::{ChildCard, Confirmation, DayHead, RowModel};
use crate::i18n::{t, t_args};
use std::fmt::Write;

/// What every form of the cards repeats: the tenant, the CSRF token and the week.
pub struct Shared<'a> {
    pub slug: &'a str,
    pub csrf: &'a str,
    pub week: &'a str,
    pub week_label: &'a str,
    pub days: &'a [DayHead],
}

/// The cards of every child, in order.
pub fn cards(children: &[ChildCard], shared: &Shared) -> String {
    // About 600 bytes a cell: one allocation for the common grid.
    let cells: usize = children
        .iter()
        .flat_map(|c| &c.rows)
        .map(|r| r.cells.len())
        .sum();
    let mut html = Html(String::with_capacity(4096 + cells * 640));
    for (n, child) in children.iter().enumerate() {
        card(&mut html, n, child, shared);
    }
    html.0
}

/// A string being written, with handlebars' escaping for values.
struct Html(String);

impl Html {
    /// Markup of our own, as is.
    fn raw(&mut self, markup: &str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// A value, escaped as handlebars' `{{…}}` escapes it (`handlebars::html_escape`): the
    /// runs between the characters to escape are copied whole.
    fn text(&mut self, value: &str) -> &mut Self {
        let mut rest = value;
        while let Some(at) = rest.find(['<', '>', '"', '&', '\'', '`', '=']) {
            self.0.push_str(&rest[..at]);
            self.0.push_str(match rest.as_bytes()[at] {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'&' => "&amp;",
                b'\'' => "&#x27;",
                b'`' => "&#x60;",
                _ => "&#x3D;",
            });
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        self
    }

    fn hidden(&mut self, name: &str, value: &str) -> &mut Self {
        self.raw("<input type=\"hidden\" name=\"")
            .raw(name)
            .raw("\" value=\"")
            .text(value)
            .raw("\">\n")
    }

    /// The start of a form that posts to the grid; its own attributes follow, then
    /// [`fields`](Self::fields).
    fn form(&mut self, shared: &Shared) -> &mut Self {
        self.raw("<form method=\"post\" action=\"/")
            .text(shared.slug)
            .raw("/reservations\"")
    }

    /// A form of a child's row ([`form`](Self::form), `attributes`, [`fields`](Self::fields))
    /// with the row's prestation and the week.
    fn row_form(
        &mut self,
        shared: &Shared,
        attributes: &str,
        child: &str,
        prestation: &str,
    ) -> &mut Self {
        self.form(shared)
            .raw(attributes)
            .fields(shared, child)
            .hidden("prestation", prestation)
            .hidden("week", shared.week)
    }

    /// The end of a form's opening tag and the fields every form of the grid has.
    fn fields(&mut self, shared: &Shared, child: &str) -> &mut Self {
        self.raw(">\n")
            .hidden("csrf", shared.csrf)
            .hidden("child", child)
    }
}

/// The card of the `n`th child.
fn card(html: &mut Html, n: usize, child: &ChildCard, shared: &Shared) {
    let id = child.id.to_string();
    html.raw("<article class=\"card child-week\" id=\"enfant-")
        .raw(&id)
        .raw("\" aria-labelledby=\"enfant-titre-")
        .raw(&id)
        .raw("\">\n<h2 id=\"enfant-titre-")
        .raw(&id)
        .raw("\">")
        .text(&child.name)
        .raw("</h2>\n<div role=\"status\" class=\"status-region\" data-t-undo-booking=\"")
        .text(&t("grid-undo-booking"))
        .raw("\" data-t-undo-cancel=\"")
        .text(&t("grid-undo-cancel"))
        .raw("\">\n");
    if let Some(confirmation) = &child.confirmation {
        confirmation_box(html, confirmation, &id, shared);
    }
    html.raw("</div>\n");
    if let Some(refusal) = &child.refusal {
        html.raw("<div class=\"message message-error\" role=\"alert\"><p>")
            .text(refusal)
            .raw("</p></div>\n");
    }
    if child.rows.is_empty() {
        html.raw("<p>")
            .text(&t_args(
                "grid-not-enrolled",
                &[("name", child.name.as_str().into())],
            ))
            .raw("</p>\n");
    } else {
        table(html, n, child, &id, shared);
        html.raw("<p class=\"cell-reason\" id=\"raison-")
            .raw(&id)
            .raw("\" aria-live=\"polite\"></p>\n");
    }
    html.raw("</article>\n");
}

fn confirmation_box(html: &mut Html, confirmation: &Confirmation, id: &str, shared: &Shared) {
    html.raw("<div class=\"message message-success confirmation\">\n<p>")
        .text(&confirmation.message)
        .raw("</p>\n");
    if let Some(undo) = &confirmation.undo {
        html.row_form(shared, " class=\"inline-form\"", id, &undo.prestation)
            .hidden("jours", &undo.days)
            .hidden("want", undo.want)
            .raw("<button type=\"submit\" class=\"button button-secondary undo\">")
            .text(&undo.label)
            .raw("</button>\n</form>\n");
    }
    html.raw("</div>\n");
}

fn table(html: &mut Html, n: usize, child: &ChildCard, id: &str, shared: &Shared) {
    html.raw("<div class=\"grid-scroll\">\n<table class=\"week-grid\">\n<caption class=\"visually-hidden\">")
        .text(&t_args(
            "grid-caption",
            &[
                ("name", child.name.as_str().into()),
                ("week", shared.week_label.into()),
            ],
        ))
        .raw("</caption>\n<thead><tr>");
    for day in shared.days {
        html.raw(if day.today {
            "<th scope=\"col\" class=\"today\">"
        } else {
            "<th scope=\"col\">"
        })
        .raw("<span class=\"day-name\"><span class=\"day-full\">")
        .text(&day.name)
        .raw("</span><span class=\"day-short\" aria-hidden=\"true\">")
        .text(&day.short)
        .raw("</span></span> <span class=\"day-date\">")
        .text(&day.date)
        .raw("</span></th>");
    }
    html.raw("</tr></thead>\n");
    for (r, row) in child.rows.iter().enumerate() {
        // The form of the page's row its cells' buttons name: digits, nothing to escape.
        row_body(html, row, id, &format!("cellules-{n}-{r}"), shared);
    }
    html.raw("</table>\n</div>\n");
}

fn row_body(html: &mut Html, row: &RowModel, id: &str, form_id: &str, shared: &Shared) {
    html.raw("<tbody data-t-book=\"")
        .text(&row.book_label)
        .raw("\" data-t-cancel=\"")
        .text(&row.cancel_label)
        .raw("\" data-t-booked=\"")
        .text(&row.booked_message)
        .raw("\" data-t-cancelled=\"")
        .text(&row.cancelled_message)
        .raw("\" data-t-static=\"")
        .text(&row.static_label)
        .raw("\">\n<tr class=\"prestation-row\">\n<th scope=\"rowgroup\" colspan=\"");
    // A number: nothing to escape.
    let _ = write!(html.0, "{}", shared.days.len());
    html.raw("\">\n<div class=\"prestation-head\">\n");
    let changeable = row.cells.iter().any(|c| c.changeable);
    if row.any_available {
        // The week's form has the row's fields: its cells' buttons name it.
        html.row_form(shared, &format!(" id=\"{form_id}\""), id, &row.prestation)
            .raw("<button type=\"submit\" class=\"prestation-button\" aria-label=\"")
            .text(&row.week_action)
            .raw("\">")
            .text(&row.name)
            .raw("</button>\n</form>\n");
    } else {
        html.raw("<span class=\"prestation-name\">")
            .text(&row.name)
            .raw("</span>\n");
        if changeable {
            // No day left to book, some to cancel: the row's fields in a form of their own.
            html.row_form(
                shared,
                &format!(" id=\"{form_id}\" hidden"),
                id,
                &row.prestation,
            )
            .raw("</form>\n");
        }
    }
    if let Some(cancel_week) = &row.cancel_week {
        html.row_form(shared, " class=\"inline-form\"", id, &row.prestation)
            .hidden("want", "annuler")
            .raw("<button type=\"submit\" class=\"button button-secondary cancel-week\" aria-label=\"")
            .text(cancel_week)
            .raw("\">")
            .text(&t("grid-cancel-week"))
            .raw("</button>\n</form>\n");
    }
    html.raw("</div>\n</th>\n</tr>\n<tr>\n");
    for cell in &row.cells {
        html.raw("<td class=\"cell cell-")
            .raw(cell.state.as_str())
            .raw("\">\n");
        if cell.changeable {
            html.raw("<button type=\"submit\" form=\"")
                .raw(form_id)
                .raw("\" name=\"")
                .raw(cell.want)
                .raw("\" value=\"")
                .text(&cell.date)
                .raw("\" data-cell data-day=\"")
                .text(&cell.day)
                .raw("\" class=\"cell-button\" aria-label=\"")
                .text(&cell.action)
                .raw("\" title=\"")
                .text(&cell.explain)
                .raw("\">")
                .raw(if cell.in_cart {
                    "🛒"
                } else if cell.reserved {
                    "✓"
                } else {
                    "+"
                })
                .raw("</button>\n");
        } else {
            html.raw("<span class=\"cell-static\" role=\"img\" aria-label=\"")
                .text(&cell.label)
                .raw("\" title=\"")
                .text(&cell.explain)
                .raw("\">");
            // A state has one mark; the template said each on its own condition.
            for (shown, mark) in [
                (cell.reserved, "✓"),
                (cell.in_cart, "🛒"),
                (cell.locked, "🔒"),
                (cell.unavailable, "–"),
            ] {
                if shown {
                    html.raw(mark);
                }
            }
            html.raw("</span>\n");
        }
        html.raw("</td>\n");
    }
    html.raw("</tr>\n</tbody>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reservations::pages::{CellModel, Undo};
    use crate::reservations::rules::State;
    use uuid::Uuid;

    fn cell(state: State, changeable: bool) -> CellModel {
        let booked = state == State::Reserved;
        CellModel {
            date: "2027-01-18".into(),
            day: "lundi 18 janvier".into(),
            state,
            reserved: booked,
            in_cart: state == State::Cart,
            locked: state == State::Locked,
            unavailable: state == State::Unavailable,
            changeable,
            want: if booked { "annuler" } else { "reserver" },
            action: "Réserver <Repas> le lundi".into(),
            explain: "Réservable jusqu'au vendredi".into(),
            label: "Repas le lundi : verrouillé".into(),
        }
    }

    fn sample_row() -> RowModel {
        RowModel {
            prestation: "repas".into(),
            name: "Repas \"midi\"".into(),
            cells: vec![
                cell(State::Available, true),
                cell(State::Reserved, true),
                cell(State::Locked, false),
            ],
            any_available: true,
            week_action: "Réserver toute la semaine".into(),
            cancel_week: Some("Annuler la semaine".into()),
            book_label: "Réserver le %day%".into(),
            cancel_label: "Annuler le %day%".into(),
            booked_message: "Réservé".into(),
            cancelled_message: "Annulé".into(),
            static_label: "%day% : %state%".into(),
        }
    }

    fn shared(days: &[DayHead]) -> Shared<'_> {
        Shared {
            slug: "stsouveur",
            csrf: "tok=en",
            week: "2027-W03",
            week_label: "semaine 03",
            days,
        }
    }

    fn sample() -> (Vec<ChildCard>, Vec<DayHead>) {
        let row = sample_row();
        let child = ChildCard {
            id: Uuid::nil(),
            name: "Théo <script>alert(1)</script> O'BRIEN".into(),
            rows: vec![row],
            confirmation: Some(Confirmation {
                message: "Repas réservé".into(),
                undo: Some(Undo {
                    label: "Annuler".into(),
                    prestation: "repas".into(),
                    days: "2027-01-18".into(),
                    want: "annuler",
                }),
            }),
            refusal: None,
        };
        let unenrolled = ChildCard {
            id: Uuid::from_u128(1),
            name: "Léa".into(),
            rows: vec![],
            confirmation: None,
            refusal: Some("Complet".into()),
        };
        let days = vec![DayHead {
            name: "lundi".into(),
            short: "lun.".into(),
            date: "18/01".into(),
            today: true,
        }];
        (vec![child, unenrolled], days)
    }

    fn written() -> String {
        let (children, days) = sample();
        crate::i18n::sync_scope(crate::i18n::Locale::default(), || {
            cards(&children, &shared(&days))
        })
    }

    #[test]
    fn text_escapes_exactly_as_handlebars() {
        for value in [
            "",
            "plain",
            "Théo O'Brien & <Léa> \"x\" `y` a=b",
            "<<>>&&==''",
            "fin=",
            "émoji 🛒 =",
        ] {
            let mut html = Html(String::new());
            html.text(value);
            assert_eq!(html.0, handlebars::html_escape(value), "{value}");
        }
    }

    #[test]
    fn values_are_escaped_as_handlebars_escapes_them() {
        let html = written();
        let name = "Théo <script>alert(1)</script> O'BRIEN";
        assert!(html.contains(&format!(
            "<h2 id=\"enfant-titre-{}\">{}</h2>",
            Uuid::nil(),
            handlebars::html_escape(name)
        )));
        assert!(!html.contains("<script>"));
        assert!(html.contains("value=\"tok&#x3D;en\""));
        assert!(html.contains(">Repas &quot;midi&quot;</button>"));
    }

    #[test]
    fn each_cell_is_a_button_of_its_rows_form_or_a_labelled_mark() {
        let html = written();
        // The row's fields are said once, in the week's form, which its cells' buttons name.
        assert!(html.contains(
            "<form method=\"post\" action=\"/stsouveur/reservations\" id=\"cellules-0-0\">\n\
             <input type=\"hidden\" name=\"csrf\" value=\"tok&#x3D;en\">\n\
             <input type=\"hidden\" name=\"child\" value=\"00000000-0000-0000-0000-000000000000\">\n\
             <input type=\"hidden\" name=\"prestation\" value=\"repas\">\n\
             <input type=\"hidden\" name=\"week\" value=\"2027-W03\">\n\
             <button type=\"submit\" class=\"prestation-button\""
        ));
        // Each changeable cell posts its action and its day with that form.
        assert!(html.contains("<td class=\"cell cell-available\">\n<button type=\"submit\" form=\"cellules-0-0\" name=\"reserver\" value=\"2027-01-18\" data-cell data-day=\"lundi 18 janvier\" class=\"cell-button\" aria-label=\"Réserver &lt;Repas&gt; le lundi\" title=\"Réservable jusqu&#x27;au vendredi\">+</button>\n</td>"));
        assert!(html.contains("<td class=\"cell cell-reserved\">\n<button type=\"submit\" form=\"cellules-0-0\" name=\"annuler\" value=\"2027-01-18\" data-cell"));
        assert_eq!(html.matches("data-cell").count(), 2);
        assert!(html.contains(
            "<span class=\"cell-static\" role=\"img\" aria-label=\"Repas le lundi : verrouillé\" title=\"Réservable jusqu&#x27;au vendredi\">🔒</span>"
        ));
        // A row with no day left to book but some to cancel has a form of its own.
        let mut booked = sample_row();
        booked.any_available = false;
        booked.cells.retain(|c| c.reserved);
        let mut own = Html(String::new());
        crate::i18n::sync_scope(crate::i18n::Locale::default(), || {
            row_body(&mut own, &booked, "id", "cellules-2-1", &shared(&[]))
        });
        assert!(own.0.contains("<span class=\"prestation-name\">"));
        assert!(
            own.0
                .contains("id=\"cellules-2-1\" hidden>\n<input type=\"hidden\" name=\"csrf\"")
        );
        assert!(own.0.contains("form=\"cellules-2-1\" name=\"annuler\""));
        // The row's sentences for the script, the week's buttons, the head and the undo.
        assert!(html.contains("<tbody data-t-book=\"Réserver le %day%\""));
        assert!(html.contains("colspan=\"1\""));
        assert!(html.contains("<th scope=\"col\" class=\"today\">"));
        assert!(html.contains(
            "class=\"button button-secondary cancel-week\" aria-label=\"Annuler la semaine\""
        ));
        assert!(html.contains("<input type=\"hidden\" name=\"jours\" value=\"2027-01-18\">"));
    }

    #[test]
    fn a_child_without_prestation_gets_a_sentence_and_its_refusal() {
        let html = written();
        let card = &html[html
            .find("enfant-00000000-0000-0000-0000-000000000001")
            .unwrap()..];
        assert!(
            card.contains(
                "<div class=\"message message-error\" role=\"alert\"><p>Complet</p></div>"
            )
        );
        assert!(card.contains("<p>Aucune prestation réservable pour Léa.</p>"));
        assert!(!card.contains("<table"));
    }
}
