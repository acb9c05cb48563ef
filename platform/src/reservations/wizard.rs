//! `/{slug}/reservations/masse`: "+ RÉSERVER EN MASSE" (guide, section 4.2), a three-step
//! wizard that works without JavaScript. Step 1 chooses the prestation, step 2 the children
//! enrolled in it, step 3 the weekdays, the period and whether to add or replace; the booking
//! itself is a POST carrying the CSRF token. Steps 1 and 2 are plain GET forms; each step
//! carries the earlier choices in hidden fields, and every choice is checked again on the
//! server at every step. The confirmation lists what was booked, cancelled and skipped, and
//! why, per child. Step 3 proposes its period: the next bookable day to the end of the
//! prestation's period (`period`).
//!
//! The cancel mode (`?action=annuler`, a sick child) is one form: children, prestations and
//! a period (proposed: the next day still cancellable to the end of its week); each booked day
//! is cancelled by its own deadline, and the result lists what was cancelled and what was
//! kept. A refused form follows the one error pattern: a summary linking to the field (it
//! takes the focus), the message next to the field, "Erreur : " in the title, values kept.

use super::api::{parse_day, parse_weekday};
use super::period::Rules;
use super::repository::ChildRow;
use super::service::refusal_message;
use super::service::{
    self, Bulk, BulkError, BulkResult, CancelDecision, CancelResult, Decision, PeriodCancel,
};
use crate::auth::session::SignedIn;
use crate::http::errors::{Failure, PageError};
use crate::http::page::{Frame, SignedInForm, SignedInPage};
use crate::school_calendar::InForce;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::{DateTime, Utc};
use chrono::{Datelike, NaiveDate};
use poem::web::Query;
use poem::{Response, handler};
use portail_tenants::calendar::WeekId;
use portail_tenants::config::{Prestation, TenantConfig, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

const TITLE: &str = "Réserver en masse";
const CANCEL_TITLE: &str = "Annuler des réservations";
const TEMPLATE: &str = "reservations_masse";

/// "lundi 5 janvier", "mardi 1er décembre 2026" with the year.
pub fn day_fr(d: NaiveDate, with_year: bool) -> String {
    if with_year {
        crate::i18n::calendar::day_with_year(d)
    } else {
        crate::i18n::calendar::day(d)
    }
}

/// "1 jour réservé" / "3 jours réservés": `key` is the catalogue message, plural by `n`.
fn days_count(n: usize, key: &str) -> String {
    crate::i18n::t_args(key, &[("n", (n as i64).into())])
}

/// The choices made so far, as the forms send them (repeated fields for the lists).
#[derive(Debug, Default)]
struct Choices {
    step: Option<String>,
    prestation: Option<String>,
    children: Vec<String>,
    weekdays: Vec<String>,
    from: String,
    to: String,
    mode: Option<String>,
    csrf: Option<String>,
    /// `annuler`: the cancel mode (a sick child); anything else books.
    action: Option<String>,
    /// Every prestation sent (the cancel mode's checkboxes).
    prestations: Vec<String>,
}

impl Choices {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut c = Choices::default();
        for (key, value) in pairs {
            match key.as_str() {
                "etape" => c.step = Some(value),
                "prestation" if !value.is_empty() => {
                    c.prestations.push(value.clone());
                    c.prestation = Some(value)
                }
                "action" => c.action = Some(value),
                "enfant" => c.children.push(value),
                "jour" => c.weekdays.push(value),
                "du" => c.from = value,
                "au" => c.to = value,
                "mode" => c.mode = Some(value),
                "csrf" => c.csrf = Some(value),
                _ => {}
            }
        }
        c
    }

    fn cancelling(&self) -> bool {
        self.action.as_deref() == Some("annuler")
    }

    /// Shown for the first time: nothing was sent yet, so the proposals apply.
    fn fresh(&self) -> bool {
        self.csrf.is_none() && self.from.is_empty() && self.to.is_empty()
    }
}

/// What the wizard needs of the household: its children and their enrolments, and the
/// municipality's prestations.
struct Household {
    config: Arc<TenantConfig>,
    children: Vec<ChildRow>,
    enrolments: HashSet<(Uuid, String)>,
    /// For the proposed period.
    calendar: Arc<InForce>,
    now: DateTime<Utc>,
}

impl Household {
    async fn load(
        state: &AppState,
        tenant: &CurrentTenant,
        household_id: Uuid,
    ) -> Result<Self, PageError> {
        let calendar = state.school_calendars.current().await;
        let (config, children, enrolments) =
            service::household(state, tenant, household_id).await?;
        Ok(Self {
            config,
            children,
            enrolments: enrolments.into_iter().collect(),
            calendar,
            now: state.clock.now(),
        })
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            calendar: &self.calendar.calendar,
            zone: self.config.holiday_zone,
            closures: &self.config.closures,
            now: self.now,
        }
    }

    /// The prestations at least one child is enrolled in, in the municipality's order.
    fn prestations(&self) -> Vec<&Prestation> {
        self.config
            .prestations
            .iter()
            .filter(|p| self.enrolments.iter().any(|(_, code)| code == &p.code))
            .collect()
    }

    fn enrolled_children(&self, code: &str) -> Vec<&ChildRow> {
        self.children
            .iter()
            .filter(|c| self.enrolments.contains(&(c.id, code.to_string())))
            .collect()
    }

    fn first_name(&self, id: Uuid) -> String {
        self.children
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.first_name.clone())
            .unwrap_or_default()
    }
}

/// A step shown again with what is wrong, or a page that does not exist for this household.
enum Refusal {
    /// The step, the id of the field the summary links to, the message.
    Step(u8, &'static str, String),
    NotFound,
}

/// The ids of the wizard's fields (the first input of each group), for the error summary.
const PRESTATION: &str = "masse-prestation";
const CHILD: &str = "masse-enfant";
const WEEKDAY: &str = "masse-jour";
const FROM: &str = "masse-du";
const MODE: &str = "masse-mode";

/// The prestation chosen at step 1: one the household's children are enrolled in.
fn chosen_prestation<'a>(h: &'a Household, c: &Choices) -> Result<&'a Prestation, Refusal> {
    let Some(code) = c.prestation.as_deref() else {
        return Err(Refusal::Step(
            1,
            PRESTATION,
            crate::i18n::t("bulk-choose-prestation-error"),
        ));
    };
    h.prestations()
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| Refusal::Step(1, PRESTATION, crate::i18n::t("bulk-prestation-not-offered")))
}

/// The children chosen at step 2: children of the household (any other id is a 404, as if
/// it did not exist), each enrolled in the prestation.
fn chosen_children(h: &Household, p: &Prestation, c: &Choices) -> Result<Vec<Uuid>, Refusal> {
    if c.children.is_empty() {
        return Err(Refusal::Step(2, CHILD, crate::i18n::t("bulk-choose-child")));
    }
    let mut ids = Vec::new();
    for raw in &c.children {
        let id = raw.parse::<Uuid>().map_err(|_| Refusal::NotFound)?;
        let child = h
            .children
            .iter()
            .find(|child| child.id == id)
            .ok_or(Refusal::NotFound)?;
        if !h.enrolments.contains(&(id, p.code.clone())) {
            return Err(Refusal::Step(
                2,
                CHILD,
                crate::i18n::t_args(
                    "bulk-child-not-enrolled",
                    &[
                        ("child", child.first_name.as_str().into()),
                        ("prestation", p.name.as_str().into()),
                    ],
                ),
            ));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Step 3's weekdays, period and mode, checked before the booking rules run.
fn chosen_request(p: &Prestation, children: Vec<Uuid>, c: &Choices) -> Result<Bulk, Refusal> {
    if c.weekdays.is_empty() {
        return Err(Refusal::Step(
            3,
            WEEKDAY,
            crate::i18n::t("bulk-choose-weekday"),
        ));
    }
    let mut weekdays = Vec::new();
    for raw in &c.weekdays {
        match parse_weekday(raw) {
            Some(w) if p.days.contains(&w) => {
                if !weekdays.contains(&w) {
                    weekdays.push(w);
                }
            }
            _ => {
                return Err(Refusal::Step(
                    3,
                    WEEKDAY,
                    crate::i18n::t_args(
                        "bulk-choose-running-days",
                        &[("prestation", p.name.as_str().into())],
                    ),
                ));
            }
        }
    }
    let (Some(from), Some(to)) = (parse_day(c.from.trim()), parse_day(c.to.trim())) else {
        return Err(Refusal::Step(
            3,
            FROM,
            crate::i18n::t("bulk-period-invalid"),
        ));
    };
    let replace = match c.mode.as_deref() {
        Some("ajouter") => false,
        Some("remplacer") => true,
        _ => {
            return Err(Refusal::Step(3, MODE, crate::i18n::t("bulk-choose-mode")));
        }
    };
    Ok(Bulk {
        prestation: p.code.clone(),
        children,
        weekdays,
        from,
        to,
        replace,
    })
}

fn weekdays_label(p: &Prestation) -> String {
    p.days
        .iter()
        .map(|d| d.french())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The query string that brings back a step with the choices made before it.
fn back_link(slug: &str, step: u8, prestation: Option<&str>, children: &[String]) -> String {
    let mut url = format!("/{slug}/reservations/masse?etape={step}");
    if let Some(p) = prestation {
        url.push_str(&format!("&prestation={}", encode(p)));
    }
    for child in children {
        url.push_str(&format!("&enfant={}", encode(child)));
    }
    url
}

/// Percent-encodes a query value (prestation codes and ids are plain, but the request could
/// carry anything).
fn encode(value: &str) -> String {
    crate::http::url::percent_encode(value, b"")
}

/// The page model of `masse.hbs`: one step of the wizard, the choices made so far, the
/// options of this step and what is wrong, if anything. Fields of other steps stay empty.
#[derive(Serialize, Default)]
struct WizardPage {
    step: u8,
    step1: bool,
    step2: bool,
    step3: bool,
    /// What is wrong, and the id of the field the error summary links to.
    error: Option<String>,
    error_field: &'static str,
    grid: String,
    /// The cancel mode (a sick child): one form, children, prestations and period.
    cancel: bool,
    /// The way from one mode to the other.
    cancel_link: String,
    book_link: String,
    cancel_children: Vec<ChildOption>,
    cancel_prestations: Vec<PrestationOption>,
    /// Step 1: the prestations the children are enrolled in.
    prestations: Vec<PrestationOption>,
    /// Steps 2 and 3: the prestation chosen.
    prestation: Option<PrestationOption>,
    change_prestation: String,
    /// Step 2: the children enrolled in the prestation.
    children: Vec<ChildOption>,
    /// Step 3: the children chosen, their first names, the way back to step 2.
    chosen: Vec<String>,
    chosen_names: String,
    change_children: String,
    weekdays: Vec<WeekdayOption>,
    from: String,
    to: String,
    replace: bool,
    max_days: i64,
}

#[derive(Serialize, Clone)]
struct PrestationOption {
    code: String,
    name: String,
    /// The weekdays it runs on, in words.
    days: String,
    checked: bool,
}

#[derive(Serialize)]
struct ChildOption {
    id: String,
    name: String,
    first_name: String,
    checked: bool,
}

#[derive(Serialize)]
struct WeekdayOption {
    value: &'static str,
    label: String,
    checked: bool,
}

/// The model of a step: the choices made so far, the options of this step, the message.
fn step_model(
    slug: &str,
    h: &Household,
    step: u8,
    c: &Choices,
    error: Option<(&'static str, String)>,
) -> WizardPage {
    let prestation = c
        .prestation
        .as_deref()
        .and_then(|code| h.prestations().into_iter().find(|p| p.code == code));
    let step = match (step, prestation) {
        // Without a valid prestation, only step 1 makes sense.
        (2 | 3, None) => 1,
        (s, _) => s,
    };
    let option = |p: &Prestation| PrestationOption {
        code: p.code.clone(),
        name: p.name.clone(),
        days: weekdays_label(p),
        checked: prestation.is_some_and(|chosen| chosen.code == p.code),
    };
    let mut model = WizardPage {
        step,
        step1: step == 1,
        step2: step == 2,
        step3: step == 3,
        error_field: error.as_ref().map_or("", |(field, _)| field),
        error: error.map(|(_, message)| message),
        grid: format!("/{slug}/reservations"),
        cancel_link: format!("/{slug}/reservations/masse?action=annuler"),
        book_link: format!("/{slug}/reservations/masse"),
        ..WizardPage::default()
    };
    let Some(p) = prestation.filter(|_| step != 1) else {
        model.prestations = h.prestations().into_iter().map(option).collect();
        return model;
    };
    model.prestation = Some(option(p));
    model.change_prestation = back_link(slug, 1, Some(&p.code), &[]);
    let carried: Vec<&str> = c.children.iter().map(String::as_str).collect();
    let enrolled = h.enrolled_children(&p.code);
    let children: Vec<ChildOption> = enrolled
        .iter()
        .map(|child| {
            let id = child.id.to_string();
            ChildOption {
                checked: carried.contains(&id.as_str()) || enrolled.len() == 1,
                id,
                name: crate::family::person_name(&child.first_name, &child.last_name),
                first_name: child.first_name.clone(),
            }
        })
        .collect();
    if step == 2 {
        model.children = children;
        return model;
    }
    let chosen: Vec<&ChildOption> = children.iter().filter(|v| v.checked).collect();
    model.chosen = chosen.iter().map(|v| v.id.clone()).collect();
    model.chosen_names = chosen
        .iter()
        .map(|v| v.first_name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    model.change_children = back_link(slug, 2, Some(&p.code), &model.chosen);
    let carried_days: Vec<Option<Weekday>> = c.weekdays.iter().map(|w| parse_weekday(w)).collect();
    model.weekdays = p
        .days
        .iter()
        .map(|d| WeekdayOption {
            value: d.as_str(),
            label: d.french(),
            // Every day ticked when the step is first shown; what was sent when it is
            // shown again.
            checked: (c.csrf.is_none() && c.weekdays.is_empty())
                || carried_days.contains(&Some(*d)),
        })
        .collect();
    // First shown: from the next bookable day to the end of the prestation's period.
    let proposed = c.fresh().then(|| h.rules().booking_period(p)).flatten();
    (model.from, model.to) = match proposed {
        Some((from, to)) => (from.to_string(), to.to_string()),
        None => (c.from.clone(), c.to.clone()),
    };
    model.replace = c.mode.as_deref() == Some("remplacer");
    model.max_days = service::MAX_PERIOD_DAYS;
    model
}

/// The page of the cancel mode: the children with an enrolment, the prestations (all ticked
/// when first shown), the period (the rest of the week when first shown).
fn cancel_model(
    slug: &str,
    h: &Household,
    c: &Choices,
    error: Option<(&'static str, String)>,
) -> WizardPage {
    let mut model = step_model(slug, h, 1, &Choices::default(), error);
    model.step1 = false;
    model.cancel = true;
    model.prestations = Vec::new();
    let enrolled: Vec<&ChildRow> = h
        .children
        .iter()
        .filter(|child| h.enrolments.iter().any(|(id, _)| *id == child.id))
        .collect();
    model.cancel_children = enrolled
        .iter()
        .map(|child| {
            let id = child.id.to_string();
            ChildOption {
                checked: c.children.contains(&id) || enrolled.len() == 1,
                id,
                name: crate::family::person_name(&child.first_name, &child.last_name),
                first_name: child.first_name.clone(),
            }
        })
        .collect();
    let prestations = h.prestations();
    model.cancel_prestations = prestations
        .iter()
        .map(|p| PrestationOption {
            code: p.code.clone(),
            name: p.name.clone(),
            days: weekdays_label(p),
            checked: c.fresh() || c.prestations.contains(&p.code),
        })
        .collect();
    let proposed = c
        .fresh()
        .then(|| h.rules().cancel_period(&prestations))
        .flatten();
    (model.from, model.to) = match proposed {
        Some((from, to)) => (from.to_string(), to.to_string()),
        None => (c.from.clone(), c.to.clone()),
    };
    model
}

/// The cancel mode's choices, checked: children of the household (any other id is a 404),
/// prestations offered to them, a period whose dates exist.
fn chosen_cancel(h: &Household, c: &Choices) -> Result<PeriodCancel, Refusal> {
    if c.children.is_empty() {
        return Err(Refusal::Step(1, CHILD, crate::i18n::t("bulk-choose-child")));
    }
    let mut children = Vec::new();
    for raw in &c.children {
        let id = raw.parse::<Uuid>().map_err(|_| Refusal::NotFound)?;
        if !h.children.iter().any(|child| child.id == id) {
            return Err(Refusal::NotFound);
        }
        if !children.contains(&id) {
            children.push(id);
        }
    }
    if c.prestations.is_empty() {
        return Err(Refusal::Step(
            1,
            PRESTATION,
            crate::i18n::t("cancel-choose-prestation"),
        ));
    }
    let offered = h.prestations();
    if let Some(_unknown) = c
        .prestations
        .iter()
        .find(|code| !offered.iter().any(|p| &p.code == *code))
    {
        return Err(Refusal::Step(
            1,
            PRESTATION,
            crate::i18n::t("bulk-prestation-not-offered"),
        ));
    }
    let (Some(from), Some(to)) = (parse_day(c.from.trim()), parse_day(c.to.trim())) else {
        return Err(Refusal::Step(
            1,
            FROM,
            crate::i18n::t("bulk-period-invalid"),
        ));
    };
    Ok(PeriodCancel {
        prestations: c.prestations.clone(),
        children,
        from,
        to,
    })
}

fn refused(
    frame: &Frame,
    h: &Household,
    c: &Choices,
    refusal: Refusal,
) -> Result<Response, PageError> {
    match refusal {
        Refusal::NotFound => Err(PageError::from(Failure::NotFound)),
        Refusal::Step(step, field, message) => {
            let (title, model) = if c.cancelling() {
                (
                    CANCEL_TITLE,
                    cancel_model(&frame.slug, h, c, Some((field, message))),
                )
            } else {
                (
                    TITLE,
                    step_model(&frame.slug, h, step, c, Some((field, message))),
                )
            };
            Ok(frame.render_with_status(TEMPLATE, title, "reservations", model, 422))
        }
    }
}

/// Steps 1 to 3, as GET forms: `etape` says which step the form asks for, so the choices of
/// the steps before it are checked first. `action=annuler` is the cancel mode's one form.
#[handler]
pub async fn page(
    Query(pairs): Query<Vec<(String, String)>>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let signed = &signed;
    let h = Household::load(state, tenant, signed.household_id).await?;
    let c = Choices::from_pairs(pairs);
    if c.cancelling() {
        let model = cancel_model(&frame.slug, &h, &c, None);
        return Ok(frame.render(TEMPLATE, CANCEL_TITLE, "reservations", model));
    }
    let asked: u8 = match c.step.as_deref() {
        Some("2") => 2,
        Some("3") => 3,
        _ => 1,
    };
    if asked >= 2 {
        let p = match chosen_prestation(&h, &c) {
            Ok(p) => p,
            Err(r) => return refused(&frame, &h, &c, r),
        };
        if asked == 3
            && let Err(r) = chosen_children(&h, p, &c)
        {
            return refused(&frame, &h, &c, r);
        }
    } else if c
        .prestation
        .as_deref()
        .is_some_and(|code| !h.prestations().iter().any(|p| p.code == code))
    {
        return refused(
            &frame,
            &h,
            &Choices::default(),
            Refusal::Step(1, PRESTATION, crate::i18n::t("bulk-prestation-not-offered")),
        );
    }
    Ok(frame.render(
        TEMPLATE,
        TITLE,
        "reservations",
        step_model(&frame.slug, &h, asked, &c, None),
    ))
}

/// "Réserver": every choice checked again, the period booked in one transaction, then the
/// confirmation. In the cancel mode, "Annuler les réservations": the period cancelled.
#[handler]
pub async fn book(ctx: SignedInForm<'_, Vec<(String, String)>>) -> Result<Response, PageError> {
    let (state, tenant, frame, signed, pairs) = ctx.parts();
    let c = Choices::from_pairs(pairs);
    let signed = &signed;
    let h = Household::load(state, tenant, signed.household_id).await?;
    if c.cancelling() {
        return cancel(state, tenant, &frame, signed, &h, &c).await;
    }
    let checked = chosen_prestation(&h, &c).and_then(|p| {
        let children = chosen_children(&h, p, &c)?;
        Ok((p, chosen_request(p, children, &c)?))
    });
    let (p, request) = match checked {
        Ok(found) => found,
        Err(r) => return refused(&frame, &h, &c, r),
    };
    let (from, to) = (request.from, request.to);
    match service::bulk(state, tenant, signed, request, "masse").await {
        Ok(result) => {
            let model = confirmation(&frame.slug, &h, p, from, to, &result);
            Ok(frame.render(
                "reservations_masse_resultat",
                "Réservations enregistrées",
                "reservations",
                model,
            ))
        }
        Err(BulkError::Invalid(message)) => {
            refused(&frame, &h, &c, Refusal::Step(3, FROM, message))
        }
        Err(e) => Err(e.into()),
    }
}

async fn cancel(
    state: &AppState,
    tenant: &CurrentTenant,
    frame: &Frame,
    signed: &SignedIn,
    h: &Household,
    c: &Choices,
) -> Result<Response, PageError> {
    let request = match chosen_cancel(h, c) {
        Ok(request) => request,
        Err(r) => return refused(frame, h, c, r),
    };
    let (from, to) = (request.from, request.to);
    match service::cancel_period(state, tenant, signed, request, "masse").await {
        Ok(result) => Ok(frame.render(
            "reservations_masse_annulation",
            "Réservations annulées",
            "reservations",
            cancel_confirmation(&frame.slug, h, from, to, &result),
        )),
        Err(BulkError::Invalid(message)) => refused(frame, h, c, Refusal::Step(1, FROM, message)),
        Err(e) => Err(e.into()),
    }
}

/// The page model of `masse_annulation.hbs`: what the cancel mode did, per prestation and
/// child, and what it could not do.
#[derive(Serialize)]
struct CancelResultPage {
    period: String,
    cancelled_count: usize,
    kept_count: usize,
    cancelled: Vec<PrestationDays>,
    /// Booked days past their cancellation deadline: still booked.
    kept: Vec<PrestationDays>,
    grid: String,
    again: String,
}

#[derive(Serialize)]
struct PrestationDays {
    prestation: String,
    children: Vec<ChildDays>,
}

fn by_prestation(
    h: &Household,
    decisions: &[CancelDecision],
    with_year: bool,
    what: &str,
) -> Vec<PrestationDays> {
    h.config
        .prestations
        .iter()
        .filter_map(|p| {
            let days: Vec<Decision> = decisions
                .iter()
                .filter(|d| d.prestation == p.code)
                .map(|d| Decision {
                    child: d.child,
                    date: d.date,
                    reason: d.reason,
                })
                .collect();
            let refs: Vec<&Decision> = days.iter().collect();
            (!days.is_empty()).then(|| PrestationDays {
                prestation: p.name.clone(),
                children: per_child(h, &refs, with_year, what),
            })
        })
        .collect()
}

fn cancel_confirmation(
    slug: &str,
    h: &Household,
    from: NaiveDate,
    to: NaiveDate,
    r: &CancelResult,
) -> CancelResultPage {
    let with_year = from.year() != to.year();
    CancelResultPage {
        period: crate::i18n::t_args(
            "bulk-period-text",
            &[
                ("from", day_fr(from, true).into()),
                ("to", day_fr(to, true).into()),
            ],
        ),
        cancelled_count: r.cancelled.len(),
        kept_count: r.kept.len(),
        cancelled: by_prestation(h, &r.cancelled, with_year, "bulk-days-cancelled"),
        kept: by_prestation(h, &r.kept, with_year, "bulk-days-kept"),
        grid: format!("/{slug}/reservations?semaine={}", WeekId::containing(from)),
        again: format!("/{slug}/reservations/masse?action=annuler"),
    }
}

/// The page model of `masse_resultat.hbs`: what the period booking did, per child.
#[derive(Serialize)]
struct ResultPage {
    prestation: String,
    /// "du lundi 4 janvier 2027 au vendredi 2 juillet 2027".
    period: String,
    children_names: String,
    booked_count: usize,
    cancelled_count: usize,
    skipped_count: usize,
    booked: Vec<ChildDays>,
    cancelled: Vec<ChildDays>,
    /// The days not booked, grouped by reason.
    skipped: Vec<SkippedReason>,
    grid: String,
    again: String,
}

/// One child's days: "Théo : 3 jours réservés — lundi 4 janvier, …".
#[derive(Serialize)]
struct ChildDays {
    name: String,
    count: String,
    dates: String,
}

#[derive(Serialize)]
struct SkippedReason {
    reason: String,
    children: Vec<ChildDays>,
}

/// Per child, in the household's order: how many days and which.
fn per_child(
    h: &Household,
    decisions: &[&Decision],
    with_year: bool,
    what: &str,
) -> Vec<ChildDays> {
    let mut by_child: BTreeMap<usize, Vec<NaiveDate>> = BTreeMap::new();
    for d in decisions {
        let rank = h
            .children
            .iter()
            .position(|c| c.id == d.child)
            .unwrap_or(usize::MAX);
        by_child.entry(rank).or_default().push(d.date);
    }
    by_child
        .into_iter()
        .map(|(rank, mut days)| {
            days.sort();
            let name = h
                .children
                .get(rank)
                .map(|c| c.first_name.clone())
                .unwrap_or_default();
            ChildDays {
                name,
                count: days_count(days.len(), what),
                dates: days
                    .iter()
                    .map(|d| day_fr(*d, with_year))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect()
}

fn confirmation(
    slug: &str,
    h: &Household,
    p: &Prestation,
    from: NaiveDate,
    to: NaiveDate,
    r: &BulkResult,
) -> ResultPage {
    let with_year = from.year() != to.year();
    // Skipped days grouped by the French reason (the holiday codes share one), in the order
    // they first appear.
    let mut reasons: Vec<(String, Vec<&Decision>)> = Vec::new();
    for d in &r.skipped {
        let message = refusal_message(d.reason.unwrap_or(""));
        match reasons.iter_mut().find(|(m, _)| *m == message) {
            Some((_, list)) => list.push(d),
            None => reasons.push((message, vec![d])),
        }
    }
    let skipped = reasons
        .iter()
        .map(|(message, list)| SkippedReason {
            reason: message.clone(),
            children: per_child(h, list, with_year, "bulk-days-skipped"),
        })
        .collect();
    let booked: Vec<&Decision> = r.booked.iter().collect();
    let cancelled: Vec<&Decision> = r.cancelled.iter().collect();
    let children_names: Vec<String> = {
        let mut ids: Vec<Uuid> = Vec::new();
        for d in r.booked.iter().chain(&r.cancelled).chain(&r.skipped) {
            if !ids.contains(&d.child) {
                ids.push(d.child);
            }
        }
        ids.iter().map(|id| h.first_name(*id)).collect()
    };
    ResultPage {
        prestation: p.name.clone(),
        period: crate::i18n::t_args(
            "bulk-period-text",
            &[
                ("from", day_fr(from, true).into()),
                ("to", day_fr(to, true).into()),
            ],
        ),
        children_names: children_names.join(", "),
        booked_count: r.booked.len(),
        cancelled_count: r.cancelled.len(),
        skipped_count: r.skipped.len(),
        booked: per_child(h, &booked, with_year, "bulk-days-booked"),
        cancelled: per_child(h, &cancelled, with_year, "bulk-days-cancelled"),
        skipped,
        grid: format!("/{slug}/reservations?semaine={}", WeekId::containing(from)),
        again: format!("/{slug}/reservations/masse"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_days() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(day_fr(d(2027, 1, 4), false), "lundi 4 janvier");
        assert_eq!(day_fr(d(2026, 12, 1), true), "mardi 1er décembre 2026");
        assert_eq!(days_count(1, "bulk-days-booked"), "1 jour réservé");
        assert_eq!(days_count(3, "bulk-days-skipped"), "3 jours non réservés");
    }

    #[test]
    fn choices_keep_repeated_fields() {
        let c = Choices::from_pairs(vec![
            ("prestation".into(), "repas".into()),
            ("enfant".into(), "a".into()),
            ("enfant".into(), "b".into()),
            ("jour".into(), "monday".into()),
            ("jour".into(), "friday".into()),
            ("du".into(), "2027-01-04".into()),
            ("mode".into(), "remplacer".into()),
        ]);
        assert_eq!(c.prestation.as_deref(), Some("repas"));
        assert_eq!(c.children, ["a", "b"]);
        assert_eq!(c.weekdays, ["monday", "friday"]);
        assert_eq!(c.from, "2027-01-04");
        assert_eq!(c.mode.as_deref(), Some("remplacer"));
    }

    #[test]
    fn links_encode_values() {
        assert_eq!(
            back_link("demo", 2, Some("repas soir&x"), &["id-1".into()]),
            "/demo/reservations/masse?etape=2&prestation=repas%20soir%26x&enfant=id-1"
        );
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;
    use crate::http::page::render_sample;

    fn sample_step(step: u8) -> WizardPage {
        let repas = PrestationOption {
            code: "repas".into(),
            name: "Repas <enfant>".into(),
            days: "lundi, mardi".into(),
            checked: true,
        };
        WizardPage {
            step,
            step1: step == 1,
            step2: step == 2,
            step3: step == 3,
            error: Some("Choisissez <au moins> un jour.".into()),
            grid: "/demo/reservations".into(),
            prestations: vec![repas.clone()],
            prestation: Some(repas),
            change_prestation: "/demo/reservations/masse?etape=1&prestation=repas".into(),
            children: vec![ChildOption {
                id: "id-theo".into(),
                name: "Théo ALAIN".into(),
                first_name: "Théo".into(),
                checked: true,
            }],
            chosen: vec!["id-theo".into()],
            chosen_names: "Théo".into(),
            change_children: "/demo/reservations/masse?etape=2&prestation=repas".into(),
            weekdays: vec![WeekdayOption {
                value: "monday",
                label: "lundi".into(),
                checked: true,
            }],
            from: "2027-01-18".into(),
            to: "2027-07-02".into(),
            replace: true,
            max_days: service::MAX_PERIOD_DAYS,
            ..WizardPage::default()
        }
    }

    #[tokio::test]
    async fn every_step_of_the_wizard_renders_its_model_escaped() {
        let one = render_sample(TEMPLATE, sample_step(1)).await;
        assert!(one.contains("Étape 1 sur 3"));
        assert!(one.contains("name=\"prestation\" value=\"repas\" checked"));
        assert!(one.contains("Repas &lt;enfant&gt;"));
        assert!(one.contains("Choisissez &lt;au moins&gt; un jour."));
        let two = render_sample(TEMPLATE, sample_step(2)).await;
        assert!(two.contains("name=\"enfant\" value=\"id-theo\" checked"));
        let three = render_sample(TEMPLATE, sample_step(3)).await;
        assert!(three.contains("type=\"hidden\" name=\"enfant\" value=\"id-theo\""));
        assert!(three.contains("name=\"jour\" value=\"monday\" checked"));
        assert!(three.contains("value=\"2027-01-18\"") && three.contains("value=\"2027-07-02\""));
        assert!(
            three.contains("value=\"remplacer\" aria-describedby=\"mode-remplacer-aide\" checked")
        );
    }

    #[tokio::test]
    async fn the_result_renders_booked_cancelled_and_skipped_days() {
        let days = |name: &str, count: &str| ChildDays {
            name: name.into(),
            count: count.into(),
            dates: "lundi 18 janvier".into(),
        };
        let model = ResultPage {
            prestation: "Repas enfant".into(),
            period: "du lundi 18 janvier 2027 au vendredi 2 juillet 2027".into(),
            children_names: "Théo, <Anna>".into(),
            booked_count: 2,
            cancelled_count: 1,
            skipped_count: 1,
            booked: vec![days("Théo", "2 jours réservés")],
            cancelled: vec![days("Anna", "1 jour annulé")],
            skipped: vec![SkippedReason {
                reason: "La date limite pour ce jour est passée.".into(),
                children: vec![days("Théo", "1 jour non réservé")],
            }],
            grid: "/demo/reservations?semaine=2027-W03".into(),
            again: "/demo/reservations/masse".into(),
        };
        let html = render_sample("reservations_masse_resultat", &model).await;
        assert!(html.contains("2 jours réservés</strong>, 1 annulé, 1 non réservé."));
        assert!(html.contains("Théo, &lt;Anna&gt;"));
        assert!(html.contains("Anna : 1 jour annulé"));
        assert!(html.contains("<h3>La date limite pour ce jour est passée.</h3>"));
        assert!(html.contains("href=\"/demo/reservations?semaine&#x3D;2027-W03\""));
    }

    #[tokio::test]
    async fn the_cancel_mode_and_its_result_render_their_models() {
        let mut model = sample_step(1);
        model.step1 = false;
        model.cancel = true;
        model.error = Some("Choisissez au moins un enfant.".into());
        model.error_field = CHILD;
        model.cancel_children = std::mem::take(&mut model.children);
        model.cancel_prestations = std::mem::take(&mut model.prestations);
        model.book_link = "/demo/reservations/masse".into();
        let html = render_sample(TEMPLATE, &model).await;
        assert!(html.contains("name=\"action\" value=\"annuler\""));
        assert!(html.contains("<a href=\"#masse-enfant\">Choisissez au moins un enfant.</a>"));
        assert!(html.contains("id=\"masse-enfant\" name=\"enfant\" value=\"id-theo\" checked"));
        assert!(html.contains("id=\"masse-enfant-erreur\""));
        assert!(html.contains("name=\"prestation\" value=\"repas\" checked"));
        assert!(!html.contains("Étape 1 sur 3"));

        let days = |name: &str, count: &str| ChildDays {
            name: name.into(),
            count: count.into(),
            dates: "lundi 18 janvier".into(),
        };
        let result = CancelResultPage {
            period: "du lundi 18 janvier 2027 au vendredi 22 janvier 2027".into(),
            cancelled_count: 3,
            kept_count: 1,
            cancelled: vec![PrestationDays {
                prestation: "Repas <enfant>".into(),
                children: vec![days("Théo", "3 jours annulés")],
            }],
            kept: vec![PrestationDays {
                prestation: "Accueil du soir".into(),
                children: vec![days("Théo", "1 jour non annulé")],
            }],
            grid: "/demo/reservations".into(),
            again: "/demo/reservations/masse".into(),
        };
        let html = render_sample("reservations_masse_annulation", &result).await;
        assert!(html.contains("3 jours annulés</strong>, 1 jour non annulé."));
        assert!(html.contains("<h3>Repas &lt;enfant&gt;</h3>"));
        assert!(html.contains("Jours non annulés"));
        assert!(!html.contains("rien n'a changé"));
    }
}
