//! `/{slug}/reservations?semaine=2026-W04`: the weekly grid of the guide. Each cell is a
//! button in a form (it works without JavaScript); the prestation's name books every
//! available day of the week. Each change is confirmed on the page and announced to screen
//! readers (a status message after the redirect).

use super::api::parse_day;
use super::rules::{State, explain};
use super::service::refusal_message;
use super::service::{self, BookError};
use crate::auth::pages::see_other;
use crate::http::errors::{Failure, PageError};
use crate::http::page::{SignedInForm, SignedInPage, parse_id};
use crate::i18n::{calendar, t, t_args};
use chrono::{Datelike, NaiveDate};
use poem::web::Query;
use poem::{Response, handler};
use portail_tenants::calendar::{WeekId, paris_date};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn day_long(d: NaiveDate) -> String {
    calendar::day(d)
}

/// (full day name, abbreviated day name, "20 janv.")
fn day_short(d: NaiveDate) -> (String, String, String) {
    let i = d.weekday().num_days_from_monday() as usize;
    (
        calendar::weekday(i),
        calendar::weekday_short(i),
        calendar::day_month_short(d),
    )
}

#[derive(Deserialize)]
pub struct GridQuery {
    semaine: Option<String>,
    info: Option<String>,
    refus: Option<String>,
}

fn zone_calendar_url(zone: &str) -> String {
    format!(
        "https://www.education.gouv.fr/calendrier-scolaire-100148#zone-{}",
        zone.to_lowercase()
    )
}

#[handler]
pub async fn week_page(
    Query(q): Query<GridQuery>,
    ctx: SignedInPage<'_>,
) -> Result<Response, PageError> {
    let (state, tenant, frame, signed) = ctx.parts();
    let signed = &signed;
    let today = paris_date(state.clock.now());
    let week = match q.semaine.as_deref() {
        None | Some("") => WeekId::containing(today),
        Some(w) => match w.parse::<WeekId>() {
            Ok(w) => w,
            Err(_) => {
                let model = json!({ "invalid_week": t("grid-invalid-week") });
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
    let grid = service::grid(state, tenant, signed, week).await?;
    let days: Vec<Value> = grid
        .days
        .iter()
        .map(|d| {
            let (name, short, date) = day_short(*d);
            json!({ "name": name, "short": short, "date": date, "today": *d == today })
        })
        .collect();
    let children: Vec<Value> = grid
        .children
        .iter()
        .map(|c| {
            let rows: Vec<Value> = c
                .rows
                .iter()
                .map(|r| {
                    let cells: Vec<Value> = r
                        .cells
                        .iter()
                        .map(|cell| {
                            json!({
                                "date": cell.date.to_string(),
                                "state": format!("{:?}", cell.state).to_lowercase(),
                                "reserved": cell.state == State::Reserved,
                                "available": cell.state == State::Available,
                                "locked": cell.state == State::Locked,
                                "unavailable": cell.state == State::Unavailable,
                                "changeable": cell.changeable,
                                "want": if cell.state == State::Reserved { "annuler" } else { "reserver" },
                                "action": t_args(if cell.state == State::Reserved { "cell-cancel" } else { "cell-book" }, &[("prestation", r.name.as_str().into()), ("child", c.first_name.as_str().into()), ("day", day_long(cell.date).into())]),
                                "explain": explain(cell),
                                "label": t_args("cell-label", &[("prestation", r.name.as_str().into()), ("day", day_long(cell.date).into()), ("state", explain(cell).into())]),
                            })
                        })
                        .collect();
                    let any_available = r.cells.iter().any(|c| c.state == State::Available);
                    json!({ "prestation": r.prestation, "name": r.name, "cells": cells, "any_available": any_available, "week_action": t_args("cell-book-week", &[("prestation", r.name.as_str().into()), ("child", c.first_name.as_str().into())]) })
                })
                .collect();
            json!({ "id": c.id, "name": format!("{} {}", c.last_name, c.first_name), "rows": rows })
        })
        .collect();
    let info = match q.info.as_deref() {
        Some("reserve") => Some(t("grid-booked")),
        Some("annule") => Some(t("grid-cancelled")),
        Some(n) if n.starts_with("semaine-") => Some(t_args(
            "grid-booked-week",
            &[("count", n.trim_start_matches("semaine-").into())],
        )),
        _ => None,
    };
    let refusal = q.refus.as_deref().map(refusal_message);
    let model = json!({
        "week_label": week.label_fr(),
        "week": week.to_string(),
        "previous": week.previous().to_string(),
        "next": week.next().to_string(),
        "notice": grid.notice,
        "rules": grid.rules,
        "zone": grid.zone,
        "calendar_url": zone_calendar_url(grid.zone),
        "days": days,
        "children": children,
        "info": info,
        "refusal": refusal,
    });
    Ok(frame.render("reservations", "Réservations", "reservations", model))
}

/// One cell clicked: book or cancel, then back to the week with the outcome.
#[handler]
pub async fn toggle(ctx: SignedInForm<'_, HashMap<String, String>>) -> Result<Response, PageError> {
    let (state, tenant, _, signed, form) = ctx.parts();
    let signed = &signed;
    let child = parse_id(form.get("child").map_or("", String::as_str))?;
    let prestation = form.get("prestation").cloned().unwrap_or_default();
    let week = form.get("week").cloned().unwrap_or_default();
    let back = |query: String| {
        see_other(format!(
            "/{}/reservations?semaine={week}&{query}#enfant-{child}",
            tenant.slug()
        ))
    };
    if let Some(day) = form.get("date").and_then(|d| parse_day(d)) {
        let want = form.get("want").map(String::as_str) != Some("annuler");
        return match service::set(state, tenant, signed, child, &prestation, day, want, "page")
            .await
        {
            Ok(_) => Ok(back(format!(
                "info={}",
                if want { "reserve" } else { "annule" }
            ))),
            Err(BookError::Refused(reason)) => Ok(back(format!("refus={reason}"))),
            Err(e) => Err(e.into()),
        };
    }
    // The prestation's name: every available day of the week.
    let week_id = week
        .parse::<WeekId>()
        .map_err(|_| PageError::from(Failure::NotFound))?;
    let booked = service::book_week(state, tenant, signed, child, &prestation, week_id).await?;
    Ok(back(format!("info=semaine-{booked}")))
}
