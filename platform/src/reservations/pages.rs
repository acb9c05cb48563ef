//! `/{slug}/reservations?semaine=2026-W04`: the weekly grid of the guide. Each cell is a
//! button in a form (it works without JavaScript); the prestation's name books every
//! available day of the week, "Annuler la semaine" cancels a fully booked row. Each change
//! is confirmed in the child's card, where the parent tapped, with an undo button, and
//! announced to screen readers (a status region after the redirect to the card's anchor).
//! With JavaScript (`static/grid.js`), a cell changes in place through the JSON API and the
//! same confirmation, with its undo, is written in that status region: the words it needs
//! are on the cell's row, once (`data-t-*`, with `%day%`), and its day on the cell's form.

use super::api::parse_day;
use super::grid_html;
use super::rules::{Cell, State, explain};
use super::service::refusal_message;
use super::service::{self, BookError, ChildGrid, Grid};
use crate::auth::pages::see_other;
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, SignedInForm, UncountedSignedInPage, parse_id};
use crate::i18n::{calendar, t, t_args};
use chrono::{Datelike, NaiveDate};
use poem::web::Query;
use poem::{Response, handler};
use portail_tenants::calendar::{WeekId, deadline_label_fr, paris_date};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

pub fn day_long(d: NaiveDate) -> String {
    calendar::day(d)
}

#[derive(Deserialize)]
pub struct GridQuery {
    semaine: Option<String>,
    info: Option<String>,
    refus: Option<String>,
    /// The card the change happened in, and what changed (to say it there, with its undo).
    enfant: Option<String>,
    prestation: Option<String>,
    jours: Option<String>,
}

fn zone_calendar_url(zone: &str) -> String {
    format!(
        "https://www.education.gouv.fr/calendrier-scolaire-100148#zone-{}",
        zone.to_lowercase()
    )
}

/// The page model of `reservations.hbs`.
#[derive(Serialize)]
pub struct GridPage {
    /// "Semaine 50 · du 7 au 11 décembre".
    week_heading: String,
    previous: String,
    next: String,
    notice: String,
    /// "Informations à votre attention": each prestation's deadlines of the week, in words.
    rules: Vec<service::RuleNotice>,
    zone: &'static str,
    calendar_url: String,
    /// The children's cards, written by [`grid_html::cards`] (escaped there).
    cards: String,
    /// A refusal not tied to a card (none today: kept for an unknown child).
    refusal: Option<String>,
    /// "Mon panier (2)" when prepaid days of the week wait to be paid.
    cart_link: Option<String>,
}

/// A day of the grid's head.
pub(super) struct DayHead {
    pub name: String,
    pub short: String,
    pub date: String,
    pub today: bool,
}

/// A child's card: the typed model [`grid_html`] writes.
pub(super) struct ChildCard {
    pub id: Uuid,
    /// "Théo ALAIN": first name, then the family name in capitals.
    pub name: String,
    pub rows: Vec<RowModel>,
    /// The confirmation of the change just made in this card, with its undo.
    pub confirmation: Option<Confirmation>,
    pub refusal: Option<String>,
}

pub(super) struct Confirmation {
    pub message: String,
    pub undo: Option<Undo>,
}

/// The form that puts back what the change did.
pub(super) struct Undo {
    pub label: String,
    pub prestation: String,
    /// The days to change back, comma-separated.
    pub days: String,
    pub want: &'static str,
}

pub(super) struct RowModel {
    pub prestation: String,
    pub name: String,
    pub cells: Vec<CellModel>,
    pub any_available: bool,
    pub week_action: String,
    /// Every changeable day is booked: "Annuler la semaine" is offered.
    pub cancel_week: Option<String>,
    /// The words the grid's script needs to change a cell in place (with JavaScript), said
    /// once per row with `%day%` for the cell's day: both buttons' labels, both
    /// confirmations (`%until%` is the deadline the API answers), and the label of a cell
    /// that can no longer change (`%state%`).
    pub book_label: String,
    pub cancel_label: String,
    pub booked_message: String,
    pub cancelled_message: String,
    pub static_label: String,
}

pub(super) struct CellModel {
    pub date: String,
    /// The day in words ("lundi 18 janvier"), for the row's sentences.
    pub day: String,
    pub state: State,
    pub reserved: bool,
    /// A prepaid day in the cart, held until paid.
    pub in_cart: bool,
    pub locked: bool,
    pub unavailable: bool,
    pub changeable: bool,
    /// What the cell's button does, and its name: `reserver` or `annuler`.
    pub want: &'static str,
    pub action: String,
    pub explain: String,
    pub label: String,
}

/// "Théo ALAIN": one name order on every parents' page.
pub use crate::family::person_name as child_name;

/// "du 7 au 11 décembre", "du 30 novembre au 4 décembre".
fn week_heading(week: WeekId, days: &[NaiveDate]) -> String {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return week.label_fr();
    };
    let from = if first.month() == last.month() {
        first.day().to_string()
    } else {
        format!(
            "{} {}",
            first.day(),
            calendar::month(first.month0() as usize)
        )
    };
    t_args(
        "grid-week-heading",
        &[
            ("week", format!("{:02}", week.week()).into()),
            ("from", from.into()),
            (
                "to",
                format!("{} {}", last.day(), calendar::month(last.month0() as usize)).into(),
            ),
        ],
    )
}

/// The placeholder of the row's sentences that the grid's script replaces with a cell's day.
const DAY: &str = "%day%";
/// The placeholder of a row's cell label that the grid's script replaces with a cell's state.
const STATE: &str = "%state%";
/// The placeholder of the deadline in a row's confirmation, which the API answers.
const UNTIL: &str = "%until%";
const PRESTATION: &str = "%prestation%";
const CHILD: &str = "%child%";

/// The grid's sentences with placeholders for the prestation, the child, the day and the
/// state, asked of the catalogue once per grid: every row and cell fills them in
/// ([`fill`]), which is a fraction of a catalogue look-up.
struct Sentences {
    week_action: String,
    cancel_week: String,
    book: String,
    cancel: String,
    booked: String,
    cancelled: String,
    static_label: String,
}

impl Sentences {
    fn new() -> Self {
        let say = |key| {
            t_args(
                key,
                &[
                    ("prestation", PRESTATION.into()),
                    ("child", CHILD.into()),
                    ("day", DAY.into()),
                    ("until", UNTIL.into()),
                    ("state", STATE.into()),
                ],
            )
        };
        Sentences {
            week_action: say("cell-book-week"),
            cancel_week: say("grid-cancel-week-label"),
            book: say("cell-book"),
            cancel: say("cell-cancel"),
            booked: say("grid-booked-day"),
            cancelled: say("grid-cancelled-day"),
            static_label: say("cell-label"),
        }
    }
}

/// `sentence` with each of `values`' placeholders replaced, in one pass: a name that happens
/// to hold a placeholder is written as it is, never replaced in turn. Other placeholders stay.
fn fill(sentence: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(sentence.len() + 32);
    let mut rest = sentence;
    while let Some(at) = rest.find('%') {
        filled.push_str(&rest[..at]);
        rest = &rest[at..];
        match values.iter().find(|(p, _)| rest.starts_with(p)) {
            Some((placeholder, value)) => {
                filled.push_str(value);
                rest = &rest[placeholder.len()..];
            }
            None => {
                filled.push('%');
                rest = &rest[1..];
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// A cell's model: the grid's sentences with the row's names and the cell's day (and state),
/// the same words the grid's script writes when a cell changes in place.
fn cell_model(said: &Sentences, names: [(&str, &str); 2], cell: &Cell, day: &str) -> CellModel {
    let reserved = cell.state == State::Reserved;
    let in_cart = cell.state == State::Cart;
    let explain = explain(cell);
    let action = if reserved || in_cart {
        &said.cancel
    } else {
        &said.book
    };
    let [prestation, child] = names;
    CellModel {
        date: cell.date.to_string(),
        day: day.to_string(),
        state: cell.state,
        reserved,
        in_cart,
        locked: cell.state == State::Locked,
        unavailable: cell.state == State::Unavailable,
        changeable: cell.changeable,
        want: if reserved || in_cart {
            "annuler"
        } else {
            "reserver"
        },
        action: fill(action, &[prestation, child, (DAY, day)]),
        label: fill(
            &said.static_label,
            &[prestation, (DAY, day), (STATE, &explain)],
        ),
        explain,
    }
}

/// `days_long` holds each day of the week in words, as [`day_long`] says it.
fn row_model(
    said: &Sentences,
    child: &ChildGrid,
    row: &service::Row,
    days_long: &[(NaiveDate, String)],
) -> RowModel {
    let changeable: Vec<&Cell> = row.cells.iter().filter(|c| c.changeable).collect();
    let fully_booked =
        !changeable.is_empty() && changeable.iter().all(|c| c.state == State::Reserved);
    let names = [
        (PRESTATION, row.name.as_str()),
        (CHILD, child.first_name.as_str()),
    ];
    RowModel {
        prestation: row.prestation.clone(),
        name: row.name.clone(),
        cells: row
            .cells
            .iter()
            .map(|c| {
                let day = match days_long.iter().find(|(d, _)| *d == c.date) {
                    Some((_, words)) => words.clone(),
                    None => day_long(c.date),
                };
                cell_model(said, names, c, &day)
            })
            .collect(),
        any_available: row.cells.iter().any(|c| c.state == State::Available),
        week_action: fill(&said.week_action, &names),
        cancel_week: fully_booked.then(|| fill(&said.cancel_week, &names)),
        book_label: fill(&said.book, &names),
        cancel_label: fill(&said.cancel, &names),
        booked_message: fill(&said.booked, &names),
        cancelled_message: fill(&said.cancelled, &names),
        static_label: fill(&said.static_label, &names),
    }
}

/// The days a redirect names (`jours=2027-01-18,2027-01-19`), unreadable ones left out.
fn days_of(list: Option<&str>) -> Vec<NaiveDate> {
    list.unwrap_or("")
        .split(',')
        .filter_map(parse_day)
        .collect()
}

/// What the change just made in `child`'s card says, built from the grid (never from text
/// in the URL), with the form that undoes it.
fn confirmation(q: &GridQuery, child: &ChildGrid) -> Option<Confirmation> {
    let prestation = q.prestation.as_deref()?;
    let row = child.rows.iter().find(|r| r.prestation == prestation)?;
    let days = days_of(q.jours.as_deref());
    let joined = days
        .iter()
        .map(NaiveDate::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let undo = |key: &str, want| {
        (!days.is_empty()).then(|| Undo {
            label: t(key),
            prestation: prestation.to_string(),
            days: joined.clone(),
            want,
        })
    };
    let base = [
        ("prestation", row.name.as_str().into()),
        ("child", child.first_name.as_str().into()),
        ("count", (days.len() as i64).into()),
    ];
    let one_day = |key: &str| {
        let day = *days.first()?;
        let cell = row.cells.iter().find(|c| c.date == day);
        let until = cell
            .and_then(|c| c.deadline)
            .map(deadline_label_fr)
            .unwrap_or_default();
        let mut args = base.to_vec();
        args.push(("day", day_long(day).into()));
        args.push(("until", until.into()));
        Some(t_args(key, &args))
    };
    let (message, undo) = match q.info.as_deref()? {
        "reserve" => (
            one_day("grid-booked-day")?,
            undo("grid-undo-booking", "annuler"),
        ),
        "panier" => (
            one_day("grid-carted-day")?,
            undo("grid-undo-booking", "annuler"),
        ),
        "annule" => (
            one_day("grid-cancelled-day")?,
            undo("grid-undo-cancel", "reserver"),
        ),
        "semaine-reserve" => (
            t_args("grid-booked-week", &base),
            undo("grid-undo-booking", "annuler"),
        ),
        "semaine-annule" => (
            t_args("grid-cancelled-week", &base),
            undo("grid-undo-cancel", "reserver"),
        ),
        _ => return None,
    };
    Some(Confirmation { message, undo })
}

fn grid_model(grid: &Grid, q: &GridQuery, today: NaiveDate, frame: &Frame) -> GridPage {
    let week = grid.week;
    let days_long: Vec<(NaiveDate, String)> =
        grid.days.iter().map(|d| (*d, day_long(*d))).collect();
    let said = Sentences::new();
    let target = q.enfant.as_deref().and_then(|e| e.parse::<Uuid>().ok());
    let refusal = q.refus.as_deref().map(refusal_message);
    let children: Vec<ChildCard> = grid
        .children
        .iter()
        .map(|c| {
            let here = target == Some(c.id);
            ChildCard {
                id: c.id,
                name: child_name(&c.first_name, &c.last_name),
                rows: c
                    .rows
                    .iter()
                    .map(|r| row_model(&said, c, r, &days_long))
                    .collect(),
                confirmation: if here { confirmation(q, c) } else { None },
                refusal: if here { refusal.clone() } else { None },
            }
        })
        .collect();
    let shown_in_card = children.iter().any(|c| c.refusal.is_some());
    let carted = children
        .iter()
        .flat_map(|c| &c.rows)
        .flat_map(|r| &r.cells)
        .filter(|c| c.in_cart)
        .count();
    let days: Vec<DayHead> = grid
        .days
        .iter()
        .map(|d| {
            let i = d.weekday().num_days_from_monday() as usize;
            DayHead {
                name: calendar::weekday(i),
                short: calendar::weekday_short(i),
                date: calendar::day_month_short(*d),
                today: *d == today,
            }
        })
        .collect();
    let week_label = week.label_fr();
    let cards = grid_html::cards(
        &children,
        &grid_html::Shared {
            slug: &frame.slug,
            csrf: &frame.csrf,
            week: &week.to_string(),
            week_label: &week_label,
            days: &days,
        },
    );
    GridPage {
        week_heading: week_heading(week, &grid.days),
        previous: week.previous().to_string(),
        next: week.next().to_string(),
        notice: grid.notice.clone(),
        rules: grid.rules.clone(),
        zone: grid.zone,
        calendar_url: zone_calendar_url(grid.zone),
        cards,
        refusal: if shown_in_card { None } else { refusal },
        cart_link: (carted > 0).then(|| t_args("cart-link", &[("count", (carted as i64).into())])),
    }
}

/// The page model of `reservations_semaine_invalide.hbs`.
#[derive(Serialize)]
struct InvalidWeekPage {
    invalid_week: String,
}

#[handler]
pub async fn week_page(
    Query(q): Query<GridQuery>,
    ctx: UncountedSignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let today = paris_date(state.clock.now());
    let week = match q.semaine.as_deref() {
        None | Some("") => WeekId::containing(today),
        Some(w) => match w.parse::<WeekId>() {
            Ok(w) => w,
            Err(_) => {
                let model = InvalidWeekPage {
                    invalid_week: t("grid-invalid-week"),
                };
                let frame = Frame::load_count(frame, state, tenant).await;
                return Ok(frame.render_with_status(
                    "reservations_semaine_invalide",
                    "Réservations",
                    "reservations",
                    model,
                    400,
                ));
            }
        },
    };
    let (grid, unread) = service::grid_and_unread(state, tenant, &signed, week).await?;
    let frame = frame.counted(unread);
    let model = grid_model(&grid, &q, today, &frame);
    Ok(frame.render("reservations", "Réservations", "reservations", model))
}

/// A cell, a row ("toute la semaine", "Annuler la semaine") or an undo: change, then back to
/// the child's card with what changed.
#[handler]
pub async fn toggle(ctx: SignedInForm<'_, HashMap<String, String>>) -> Result<Response, PageError> {
    let (state, tenant, _, signed, form) = ctx.parts();
    let signed = &signed;
    let child = parse_id(form.get("child").map_or("", String::as_str))?;
    let prestation = form.get("prestation").cloned().unwrap_or_default();
    let week = form.get("week").cloned().unwrap_or_default();
    // A cell's button names its action and gives its day (`reserver=2027-01-18`); the row's
    // buttons and the undo say `want` (booking unless `annuler`).
    let cell = match (form.get("reserver"), form.get("annuler")) {
        (Some(day), _) => Some((true, day)),
        (None, Some(day)) => Some((false, day)),
        (None, None) => None,
    };
    let want = match cell {
        Some((want, _)) => want,
        None => form.get("want").map(String::as_str) != Some("annuler"),
    };
    let back = |info: &str, days: &[NaiveDate]| {
        let days = days
            .iter()
            .map(NaiveDate::to_string)
            .collect::<Vec<_>>()
            .join(",");
        see_other(format!(
            "/{}/reservations?semaine={week}&{info}&enfant={child}&prestation={}&jours={days}#enfant-{child}",
            tenant.slug(),
            // Prestation codes are plain words; anything else is left out of the address.
            prestation
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>(),
        ))
    };
    let listed = days_of(form.get("jours").map(String::as_str));
    // One day, from its cell or from the undo of a one-day change. A day that does not read
    // is refused: it must never fall through to the whole week.
    let single = match (
        listed.as_slice(),
        cell.map(|(_, day)| day).or(form.get("date")),
    ) {
        ([day], _) => Some(*day),
        (_, Some(day)) => Some(parse_day(day).ok_or_else(|| PageError::from(Failure::NotFound))?),
        (_, None) => None,
    };
    if let Some(day) = single {
        return match service::set(state, tenant, signed, child, &prestation, day, want, "page")
            .await
        {
            Ok(cell) => Ok(back(
                match (want, cell.state) {
                    (true, State::Cart) => "info=panier",
                    (true, _) => "info=reserve",
                    (false, _) => "info=annule",
                },
                &[day],
            )),
            Err(BookError::Refused(reason)) => Ok(back(&format!("refus={reason}"), &[])),
            Err(e) => Err(e.into()),
        };
    }
    let info = if want {
        "info=semaine-reserve"
    } else {
        "info=semaine-annule"
    };
    // An undo names its days; otherwise the whole week of the row.
    if !listed.is_empty() {
        let changed =
            service::set_days(state, tenant, signed, child, &prestation, &listed, want).await?;
        return Ok(back(info, &changed));
    }
    let week_id = week
        .parse::<WeekId>()
        .map_err(|_| PageError::from(Failure::NotFound))?;
    let changed =
        service::set_week(state, tenant, signed, child, &prestation, week_id, want).await?;
    Ok(back(info, &changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_placeholder_once_and_keeps_the_others() {
        let names = [(PRESTATION, "Repas %child%"), (CHILD, "Théo 100%")];
        assert_eq!(
            fill(
                "Réserver %prestation% pour %child% le %day% (%until%)",
                &names
            ),
            "Réserver Repas %child% pour Théo 100% le %day% (%until%)"
        );
        assert_eq!(fill("50 % et %%", &names), "50 % et %%");
        assert_eq!(
            fill("%child%%prestation%", &names),
            "Théo 100%Repas %child%"
        );
    }
}
