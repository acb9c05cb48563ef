//! The rules of booking: the week's grid, one cell booked or cancelled, a period booked at
//! once. Every decision is taken server-side, in one transaction, with the day's count row
//! locked, so deadlines, closures, enrolment and capacity hold whatever the concurrency.

use super::repository::{self, ChildRow};
use super::rules::{self, Cell, Facts};
use crate::auth::session::SignedIn;
use crate::billing::cart;
use crate::family::is_validated;
use crate::http::errors::{
    FORBIDDEN, Failure, INTERNAL, NOT_FOUND, Problem, UNAUTHORIZED, UNAVAILABLE,
};
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use poem::http::StatusCode;
use portail_tenants::TenantConfig;
use portail_tenants::batch::Batch;
use portail_tenants::calendar::{WeekId, booking_deadline, runs_on};
use portail_tenants::config::{BillingMode, Prestation, Weekday};
use sea_orm::DbErr;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub prestation: String,
    pub name: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildGrid {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    pub week: WeekId,
    pub days: Vec<NaiveDate>,
    pub children: Vec<ChildGrid>,
    /// The municipality's booking notice and holiday zone, from the configuration read
    /// in the grid's own transaction.
    pub notice: String,
    pub zone: &'static str,
    /// The deadlines of the prestations the children may book this week, in words: the
    /// first lines of "Informations à votre attention", before the notice.
    pub rules: Vec<RuleNotice>,
}

/// A prestation's booking and cancellation deadlines, in words.
#[derive(Debug, Clone, Serialize)]
pub struct RuleNotice {
    pub name: String,
    pub booking: String,
    pub cancel: String,
}

/// The rules of the enrolled prestations that run on at least one day of the week, in
/// the configuration's order.
fn rule_notices(
    config: &TenantConfig,
    enrolments: &HashSet<(Uuid, String)>,
    week_rules: &super::availability::WeekRules,
) -> Vec<RuleNotice> {
    config
        .prestations
        .iter()
        .filter(|p| enrolments.iter().any(|(_, code)| *code == p.code))
        .filter(|p| {
            week_rules
                .get(&p.code)
                .is_some_and(|days| days.iter().any(|(_, r)| r.not_running.is_none()))
        })
        .map(|p| RuleNotice {
            name: p.name.clone(),
            booking: p.deadline.french(),
            cancel: p.cancel_deadline().french(),
        })
        .collect()
}

fn record_ok(config: &TenantConfig, child: &ChildRow, now: DateTime<Utc>) -> bool {
    !config.portal.require_validated_records || is_validated(child.validated_at, now)
}

fn full(p: &Prestation, booked: i32) -> bool {
    p.capacity.is_some_and(|c| booked >= c as i32)
}

pub async fn grid(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    week: WeekId,
) -> Result<Grid, DbErr> {
    Ok(read_grid(state, tenant, signed, week, false).await?.0)
}

/// The grid and the banner's unread count, read in the same transaction (the grid's page).
pub async fn grid_and_unread(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    week: WeekId,
) -> Result<(Grid, i64), DbErr> {
    let (grid, unread) = read_grid(state, tenant, signed, week, true).await?;
    Ok((grid, unread.unwrap_or(0)))
}

async fn read_grid(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    week: WeekId,
    count_unread: bool,
) -> Result<(Grid, Option<i64>), DbErr> {
    let now = state.clock.now();
    // Before the transaction: reading the registry takes a connection of its own.
    let calendar = state.school_calendars.current().await;
    let tx = tenant.begin_read(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let all_days = week.days();
    // The grid's queries in one round trip.
    let (from, to) = (all_days[0], all_days[6]);
    let mut batch = Batch::default();
    let facts = batch.add(repository::week_facts_query(signed.household_id, from, to));
    let held = batch.add(crate::billing::cart::held_days_query(
        signed.household_id,
        from,
        to,
    ));
    let unread =
        count_unread.then(|| batch.add(crate::messaging::unread_query(signed.guardian_id)));
    let mut answer = tx.batch(batch).await?;
    tx.end_read();
    let facts = repository::WeekFacts::of(answer.take(facts)?);
    let carted: HashSet<(Uuid, String, NaiveDate)> =
        crate::billing::cart::still_held(answer.take(held)?, now)
            .into_iter()
            .collect();
    let unread = match unread {
        Some(column) => Some(crate::messaging::UnreadCount::of(answer.take(column)?)),
        None => None,
    };
    let children = facts.children;
    let enrolments: HashSet<(Uuid, String)> = facts.enrolments.into_iter().collect();
    let booked: HashSet<(Uuid, String, NaiveDate)> = facts.booked.into_iter().collect();
    let counts: HashMap<(String, NaiveDate), i32> = facts
        .counts
        .into_iter()
        .map(|(p, d, n)| ((p, d), n))
        .collect();

    // Weekends appear only when an enrolled prestation runs on them.
    let enrolled_prestations: Vec<&Prestation> = config
        .prestations
        .iter()
        .filter(|p| enrolments.iter().any(|(_, code)| code == &p.code))
        .collect();
    let weekend = |d: &NaiveDate| {
        enrolled_prestations
            .iter()
            .any(|p| p.days.iter().any(|w| w.to_chrono() == d.weekday()))
    };
    let days: Vec<NaiveDate> = all_days
        .iter()
        .copied()
        .filter(|d| d.weekday().num_days_from_monday() < 5 || weekend(d))
        .collect();

    let week_rules = super::availability::week_rules(state, tenant, &config, &calendar, week).await;
    let rules = rule_notices(&config, &enrolments, &week_rules);
    let children = children
        .into_iter()
        .map(|child| {
            let rows = config
                .prestations
                .iter()
                .filter(|p| enrolments.contains(&(child.id, p.code.clone())))
                .map(|p| Row {
                    prestation: p.code.clone(),
                    name: p.name.clone(),
                    cells: days
                        .iter()
                        .map(|day| {
                            let facts = Facts {
                                enrolled: true,
                                reserved: booked.contains(&(child.id, p.code.clone(), *day)),
                                full: full(
                                    p,
                                    counts.get(&(p.code.clone(), *day)).copied().unwrap_or(0),
                                ),
                                record_ok: record_ok(&config, &child, now),
                            };
                            let cached = week_rules
                                .get(&p.code)
                                .and_then(|days| days.iter().find(|(d, _)| d == day))
                                .map(|(_, r)| r.clone());
                            let day_rules = cached.unwrap_or_else(|| {
                                rules::day_rules(
                                    p,
                                    &calendar.calendar,
                                    config.holiday_zone,
                                    &config.closures,
                                    *day,
                                )
                            });
                            let cell = rules::decide(*day, &day_rules, facts, now);
                            if carted.contains(&(child.id, p.code.clone(), *day)) {
                                rules::in_cart(cell, &day_rules, now)
                            } else {
                                cell
                            }
                        })
                        .collect(),
                })
                .collect();
            ChildGrid {
                id: child.id,
                first_name: child.first_name,
                last_name: child.last_name,
                rows,
            }
        })
        .collect();
    let grid = Grid {
        week,
        days,
        children,
        notice: config.portal.reservation_notice.clone(),
        zone: config.holiday_zone.as_str(),
        rules,
    };
    Ok((grid, unread))
}

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// Not a child of the household, or no such prestation: 404.
    #[error("not found")]
    NotFound,
    /// The rules refuse: 409 with the reason code (`deadline`, `full`, `closed`…).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// A date that does not exist.
    #[error("invalid date")]
    InvalidDate,
    /// Not an ISO week such as `2026-W04`.
    #[error("invalid week")]
    InvalidWeek,
    #[error("database")]
    Database(#[from] DbErr),
}

/// Why the rules refuse a day, in French, by reason code.
pub fn refusal_message(reason: &str) -> String {
    match reason {
        "deadline" => crate::i18n::t("refusal-deadline"),
        "full" => crate::i18n::t("refusal-full"),
        "closed" => crate::i18n::t("refusal-closed"),
        "holiday" | "public_holiday" => crate::i18n::t("refusal-holiday"),
        "school_period" => crate::i18n::t("refusal-school-period"),
        "not_running" => crate::i18n::t("refusal-not-running"),
        "not_enrolled" => crate::i18n::t("refusal-not-enrolled"),
        "record_not_validated" => crate::i18n::t("refusal-record"),
        "no_calendar" => crate::i18n::t("refusal-no-calendar"),
        "payment_pending" => crate::i18n::t("refusal-payment-pending"),
        "prepaid" => crate::i18n::t("refusal-prepaid"),
        _ => crate::i18n::t("refusal-other"),
    }
}

impl Problem for BookError {
    fn status(&self) -> StatusCode {
        match self {
            BookError::NotFound => Failure::NotFound.status(),
            BookError::Refused(_) => StatusCode::CONFLICT,
            BookError::InvalidDate | BookError::InvalidWeek => StatusCode::UNPROCESSABLE_ENTITY,
            BookError::Database(e) => Failure::of(e).status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BookError::NotFound => Failure::NotFound.code(),
            BookError::Refused(reason) => reason,
            BookError::InvalidDate => "invalid_date",
            BookError::InvalidWeek => "invalid_week",
            BookError::Database(e) => Failure::of(e).code(),
        }
    }

    fn message(&self) -> String {
        match self {
            BookError::NotFound => Failure::NotFound.message(),
            BookError::Refused(reason) => refusal_message(reason),
            BookError::InvalidDate => crate::i18n::t("book-invalid-date"),
            BookError::InvalidWeek => crate::i18n::t("book-invalid-week"),
            BookError::Database(e) => Failure::of(e).message(),
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            UNAUTHORIZED,
            FORBIDDEN,
            (404, "Not a child of the household, or no such prestation."),
            (
                409,
                "Refused by the rules; `code` says why (`deadline`, `full`, `closed`, `holiday`…).",
            ),
            (
                422,
                "A date that does not exist (`invalid_date`), or a week that is not an ISO week such as `2026-W04` (`invalid_week`).",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

/// Books (`want`) or cancels one cell. Idempotent: asking for the state it already has
/// answers that state.
#[allow(clippy::too_many_arguments)] // the cell's coordinates and who asks
pub async fn set(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child_id: Uuid,
    prestation: &str,
    day: NaiveDate,
    want: bool,
    source: &str,
) -> Result<Cell, BookError> {
    let now = state.clock.now();
    // Before the transaction: reading the registry takes a connection of its own.
    let calendar = state.school_calendars.current().await;
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let child = repository::child_for_update(&tx, signed.household_id, child_id)
        .await?
        .ok_or(BookError::NotFound)?;
    let p = config.prestation(prestation).ok_or(BookError::NotFound)?;
    if !repository::is_enrolled(&tx, child_id, prestation).await? {
        return Err(BookError::Refused("not_enrolled"));
    }
    if let Err(why) = runs_on(
        p,
        &calendar.calendar,
        config.holiday_zone,
        &config.closures,
        day,
    ) {
        return Err(BookError::Refused(rules::reason_of(&why)));
    }
    let booked = repository::is_booked(&tx, child_id, prestation, day).await?;
    let mut taken = repository::lock_count(&tx, prestation, day).await?;
    // A prepaid day is booked into the cart; unpaid holds that ran out give their place back.
    let prepaid = p.billing == BillingMode::Prepaid;
    let mut held = None;
    if prepaid {
        taken -= cart::release_day(&tx, prestation, day, now).await?;
        held = cart::held(&tx, child_id, prestation, day).await?;
    }
    if let (false, Some(true)) = (want, held) {
        return Err(BookError::Refused("payment_pending"));
    }
    let has = booked || held.is_some();
    if has != want {
        let deadline = if want {
            &p.deadline
        } else {
            p.cancel_deadline()
        };
        if now >= booking_deadline(deadline, day).with_timezone(&Utc) {
            return Err(BookError::Refused("deadline"));
        }
        if want && full(p, taken) {
            return Err(BookError::Refused("full"));
        }
        if want && !record_ok(&config, &child, now) {
            return Err(BookError::Refused("record_not_validated"));
        }
        if want && prepaid {
            cart::hold(&tx, signed, child_id, p, day, now).await?;
        } else if want {
            repository::book(&tx, child_id, prestation, day, signed.guardian_id, now).await?;
        } else if held.is_some() {
            cart::remove(&tx, child_id, prestation, day).await?;
        } else {
            repository::cancel(&tx, child_id, prestation, day).await?;
            if prepaid {
                cart::credit_cancelled(&tx, signed.household_id, child_id, prestation, day, now)
                    .await?;
            }
        }
        let action = if want { "book" } else { "cancel" };
        // The cart's comings and goings are not bookings: a paid cart records its days.
        let cart_only = (want && prepaid) || held.is_some();
        if !cart_only {
            repository::record_event(
                &tx,
                signed.household_id,
                signed.guardian_id,
                child_id,
                prestation,
                day,
                action,
                source,
                now,
            )
            .await?;
        }
    }
    let taken = if has == want {
        taken
    } else if want {
        taken + 1
    } else {
        taken - 1
    };
    tx.commit().await?;
    let in_cart = want && prepaid && !booked;
    let facts = Facts {
        enrolled: true,
        reserved: want && !in_cart,
        full: full(p, taken),
        record_ok: record_ok(&config, &child, now),
    };
    let cell = rules::cell(p, config.holiday_zone, &config.closures, day, facts, now);
    if in_cart {
        let day_rules = rules::day_rules(
            p,
            &calendar.calendar,
            config.holiday_zone,
            &config.closures,
            day,
        );
        return Ok(rules::in_cart(cell, &day_rules, now));
    }
    Ok(cell)
}

/// A period booked at once ("Réserver en masse").
#[derive(Debug, Clone)]
pub struct Bulk {
    pub prestation: String,
    pub children: Vec<Uuid>,
    pub weekdays: Vec<Weekday>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Replace: also cancel booked days of the period on other weekdays, where still allowed.
    pub replace: bool,
}

pub use super::rules::Decision;

#[derive(Debug, Default, Clone, Serialize)]
pub struct BulkResult {
    pub booked: Vec<Decision>,
    pub cancelled: Vec<Decision>,
    pub skipped: Vec<Decision>,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("not found")]
    NotFound,
    /// Bad dates, period, weekdays or mode, with its French message.
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("database")]
    Database(#[from] DbErr),
}

impl Problem for BulkError {
    fn status(&self) -> StatusCode {
        match self {
            BulkError::NotFound => Failure::NotFound.status(),
            BulkError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            BulkError::Database(e) => Failure::of(e).status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BulkError::NotFound => Failure::NotFound.code(),
            BulkError::Invalid(_) => "invalid_request",
            BulkError::Database(e) => Failure::of(e).code(),
        }
    }

    fn message(&self) -> String {
        match self {
            BulkError::NotFound => Failure::NotFound.message(),
            BulkError::Invalid(message) => message.clone(),
            BulkError::Database(e) => Failure::of(e).message(),
        }
    }

    fn statuses() -> &'static [(u16, &'static str)] {
        &[
            UNAUTHORIZED,
            FORBIDDEN,
            NOT_FOUND,
            (
                422,
                "Bad dates, period, weekdays or mode, with a French message (`invalid_request`).",
            ),
            UNAVAILABLE,
            INTERNAL,
        ]
    }
}

pub const MAX_PERIOD_DAYS: i64 = 400;

/// Decides every day of the period in memory, then writes the bookings, cancellations, counts
/// and history in a few set-based statements, the period's count rows locked in date order.
pub async fn bulk(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    request: Bulk,
    source: &str,
) -> Result<BulkResult, BulkError> {
    // Each child once: a repeated id would be booked twice in one statement.
    check_period(request.from, request.to, &request.children)?;
    if request.weekdays.is_empty() {
        return Err(BulkError::Invalid(crate::i18n::t("bulk-choose-weekday")));
    }
    let now = state.clock.now();
    // Before the transaction: reading the registry takes a connection of its own.
    let calendar = state.school_calendars.current().await;
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let p = config
        .prestation(&request.prestation)
        .ok_or(BulkError::NotFound)?
        .clone();
    // Prepaid days go through the cart, one day at a time, where they are paid.
    if p.billing == BillingMode::Prepaid {
        return Err(BulkError::Invalid(crate::i18n::t("refusal-prepaid")));
    }
    let mut children = Vec::new();
    for id in &request.children {
        children.push(
            repository::child_for_update(&tx, signed.household_id, *id)
                .await?
                .ok_or(BulkError::NotFound)?,
        );
    }
    let days: Vec<NaiveDate> = request
        .from
        .iter_days()
        .take_while(|d| *d <= request.to)
        .collect();
    let counts = repository::lock_counts(&tx, &p.code, &days).await?;
    let booked: HashSet<(Uuid, NaiveDate)> =
        repository::booked_for(&tx, &request.children, &p.code, request.from, request.to)
            .await?
            .into_iter()
            .collect();
    let enrolled = repository::enrolled_children(&tx, &request.children, &p.code).await?;
    let mut taken: HashMap<NaiveDate, i32> = counts;
    let mut result = BulkResult::default();
    let chosen = |d: &NaiveDate| {
        request
            .weekdays
            .iter()
            .any(|w| w.to_chrono() == d.weekday())
    };
    for child in &children {
        let ok_record = record_ok(&config, child, now);
        for day in &days {
            let is_booked = booked.contains(&(child.id, *day));
            let decision = |reason| Decision {
                child: child.id,
                date: *day,
                reason,
            };
            if !chosen(day) {
                // Replace: a booked day on another weekday is cancelled, where still allowed.
                if request.replace && is_booked {
                    if now < booking_deadline(p.cancel_deadline(), *day).with_timezone(&Utc) {
                        result.cancelled.push(decision(None));
                        *taken.entry(*day).or_default() -= 1;
                    } else {
                        result.skipped.push(decision(Some("deadline")));
                    }
                }
                continue;
            }
            if is_booked {
                continue;
            }
            let reason = if !enrolled.contains(&child.id) {
                Some("not_enrolled")
            } else if let Err(why) = runs_on(
                &p,
                &calendar.calendar,
                config.holiday_zone,
                &config.closures,
                *day,
            ) {
                Some(rules::reason_of(&why))
            } else if now >= booking_deadline(&p.deadline, *day).with_timezone(&Utc) {
                Some("deadline")
            } else if full(&p, taken.get(day).copied().unwrap_or(0)) {
                Some("full")
            } else if !ok_record {
                Some("record_not_validated")
            } else {
                None
            };
            match reason {
                // A weekday the prestation never runs on is not a refusal worth listing.
                Some("not_running") => {}
                Some(r) => result.skipped.push(decision(Some(r))),
                None => {
                    *taken.entry(*day).or_default() += 1;
                    result.booked.push(decision(None));
                }
            }
        }
    }
    repository::apply_bulk(
        &tx,
        signed,
        &p.code,
        &result.booked,
        &result.cancelled,
        source,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(result)
}

/// The household's latest booking events, newest first.
pub async fn history(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
    limit: i64,
) -> Result<Vec<repository::Event>, DbErr> {
    let tx = tenant.begin(state).await?;
    let events = repository::history(&tx, household, limit).await?;
    tx.commit().await?;
    Ok(events)
}

/// Books every day of the week still available for the child's prestation ("toute la
/// semaine"), or (`want` false) cancels every booked day that may still be cancelled
/// ("Annuler la semaine"); one day at a time. The days changed, for the confirmation and
/// its undo.
#[allow(clippy::too_many_arguments)] // the row's coordinates and who asks
pub async fn set_week(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child: Uuid,
    prestation: &str,
    week: WeekId,
    want: bool,
) -> Result<Vec<NaiveDate>, BookError> {
    let grid = grid(state, tenant, signed, week).await?;
    let from = if want {
        rules::State::Available
    } else {
        rules::State::Reserved
    };
    let days: Vec<NaiveDate> = grid
        .children
        .iter()
        .filter(|c| c.id == child)
        .flat_map(|c| c.rows.iter().filter(|r| r.prestation == prestation))
        .flat_map(|r| {
            r.cells
                .iter()
                .filter(|c| c.state == from && c.changeable)
                .map(|c| c.date)
        })
        .collect();
    set_days(state, tenant, signed, child, prestation, &days, want).await
}

/// Books or cancels the given days (the undo of a week's change); the days refused (deadline
/// passed since, full) are left as they are. The days changed.
pub async fn set_days(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    child: Uuid,
    prestation: &str,
    days: &[NaiveDate],
    want: bool,
) -> Result<Vec<NaiveDate>, BookError> {
    let mut changed = Vec::new();
    for day in days {
        match set(state, tenant, signed, child, prestation, *day, want, "page").await {
            Ok(_) => changed.push(*day),
            Err(BookError::Refused(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

/// What the period wizard offers: the configuration, the household's children and their
/// enrolments.
pub async fn household(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
) -> Result<(Arc<TenantConfig>, Vec<ChildRow>, Vec<(Uuid, String)>), DbErr> {
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    let children = repository::children(&tx, household).await?;
    let enrolments = repository::enrolments(&tx, household).await?;
    tx.commit().await?;
    Ok((config, children, enrolments))
}

/// Booked days cancelled at once over a period, for several prestations and children (a sick
/// child: the wizard's cancel mode, `POST /api/v1/reservations/cancel-period`).
#[derive(Debug, Clone)]
pub struct PeriodCancel {
    pub prestations: Vec<String>,
    pub children: Vec<Uuid>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One booked day of the period: cancelled, or kept with the reason (`deadline`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CancelDecision {
    pub child: Uuid,
    pub prestation: String,
    pub date: NaiveDate,
    pub reason: Option<&'static str>,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct CancelResult {
    pub cancelled: Vec<CancelDecision>,
    pub kept: Vec<CancelDecision>,
}

/// The period's checks shared by booking and cancelling: order, length, children once.
fn check_period(from: NaiveDate, to: NaiveDate, children: &[Uuid]) -> Result<(), BulkError> {
    if to < from {
        return Err(BulkError::Invalid(crate::i18n::t("bulk-end-before-start")));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(BulkError::Invalid(crate::i18n::t_args(
            "bulk-period-too-long",
            &[("max", MAX_PERIOD_DAYS.into())],
        )));
    }
    if children.is_empty() {
        return Err(BulkError::Invalid(crate::i18n::t("bulk-choose-child")));
    }
    let distinct: HashSet<&Uuid> = children.iter().collect();
    if distinct.len() != children.len() {
        return Err(BulkError::Invalid(crate::i18n::t("bulk-child-twice")));
    }
    Ok(())
}

/// Cancels every booked day of the period for the chosen prestations and children, each day
/// by its own cancellation deadline, in one transaction: the days whose deadline has passed
/// are kept and listed. The count rows of the booked days are locked in date order.
pub async fn cancel_period(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
    request: PeriodCancel,
    source: &str,
) -> Result<CancelResult, BulkError> {
    check_period(request.from, request.to, &request.children)?;
    if request.prestations.is_empty() {
        return Err(BulkError::Invalid(crate::i18n::t(
            "cancel-choose-prestation",
        )));
    }
    let now = state.clock.now();
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    // Each prestation once, in the municipality's order.
    let mut prestations: Vec<&Prestation> = Vec::new();
    for code in &request.prestations {
        let p = config.prestation(code).ok_or(BulkError::NotFound)?;
        if !prestations.iter().any(|q| q.code == p.code) {
            prestations.push(p);
        }
    }
    for id in &request.children {
        repository::child_for_update(&tx, signed.household_id, *id)
            .await?
            .ok_or(BulkError::NotFound)?;
    }
    let mut result = CancelResult::default();
    for p in prestations {
        let mut booked =
            repository::booked_for(&tx, &request.children, &p.code, request.from, request.to)
                .await?;
        booked.sort_by_key(|(child, day)| (*day, *child));
        let mut days: Vec<NaiveDate> = booked.iter().map(|(_, d)| *d).collect();
        days.dedup();
        repository::lock_counts(&tx, &p.code, &days).await?;
        let mut cancelled = Vec::new();
        for (child, day) in booked {
            let open = now < booking_deadline(p.cancel_deadline(), day).with_timezone(&Utc);
            let decision = CancelDecision {
                child,
                prestation: p.code.clone(),
                date: day,
                reason: (!open).then_some("deadline"),
            };
            if open {
                cancelled.push(Decision {
                    child,
                    date: day,
                    reason: None,
                });
                result.cancelled.push(decision);
            } else {
                result.kept.push(decision);
            }
        }
        repository::apply_bulk(&tx, signed, &p.code, &[], &cancelled, source, now).await?;
    }
    tx.commit().await?;
    Ok(result)
}
