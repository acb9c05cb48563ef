//! The data of the four tiles, read in one tenant transaction.

use super::sources::{self, UnpaidInvoice};
use crate::auth::session::SignedIn;
use crate::library::repository::{self as library, Published};
use crate::reservations::availability::week_rules;
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use portail_tenants::batch::Batch;
use portail_tenants::calendar::WeekId;
use sea_orm::DbErr;
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// How many recent documents the tile lists.
pub const RECENT: usize = 3;

/// A booking of today.
#[derive(Debug, Clone, Serialize)]
pub struct TodayBooking {
    pub child_id: Uuid,
    pub child: String,
    pub prestation: String,
    pub prestation_name: String,
}

/// The next booking deadline of a prestation one of the children is enrolled in.
#[derive(Debug, Clone, Serialize)]
pub struct NextDeadline {
    pub prestation: String,
    pub prestation_name: String,
    /// The day it books.
    pub day: NaiveDate,
    pub deadline: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub documents_new: i64,
    pub recent: Vec<Published>,
    pub unpaid: Vec<UnpaidInvoice>,
    pub unread: i64,
    pub today: Vec<TodayBooking>,
    pub next_deadline: Option<NextDeadline>,
}

pub async fn load(
    state: &AppState,
    tenant: &CurrentTenant,
    who: &SignedIn,
) -> Result<Dashboard, DbErr> {
    let now = state.clock.now();
    let today = crate::library::service::today(state);
    // Before the transaction: reading the registry takes a connection of its own.
    let calendar = state.school_calendars.current().await;
    let tx = tenant.begin_read(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    // The four tiles' queries in one round trip.
    let mut batch = Batch::default();
    let documents = batch.add(library::visible_query(
        who.household_id,
        who.guardian_id,
        today,
    ));
    let facts = batch.add(sources::today_query(who.household_id, today));
    let invoices = batch.add(crate::billing::household_invoices_query(who.household_id));
    let unread = batch.add(crate::messaging::unread_query(who.guardian_id));
    let mut answer = tx.batch(batch).await?;
    tx.end_read();
    let documents = answer.take(documents)?;
    let facts = answer
        .take(facts)?
        .into_iter()
        .next()
        .expect("a row of aggregates");
    let unpaid = sources::unpaid_invoices(crate::billing::unpaid_of(answer.take(invoices)?));
    let unread = crate::messaging::UnreadCount::of(answer.take(unread)?);

    let name_of = |code: &str| {
        config
            .prestations
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    // Each child in the grid's order, then the prestations in the municipality's order.
    let mut today_bookings = Vec::new();
    for (i, (child_id, first_name, _)) in facts.booked.iter().enumerate() {
        if i > 0 && facts.booked[i - 1].0 == *child_id {
            continue;
        }
        for p in &config.prestations {
            if facts
                .booked
                .iter()
                .any(|(c, _, code)| c == child_id && *code == p.code)
            {
                today_bookings.push(TodayBooking {
                    child_id: *child_id,
                    child: first_name.clone(),
                    prestation: p.code.clone(),
                    prestation_name: p.name.clone(),
                });
            }
        }
    }

    // The soonest booking deadline still ahead, over this week and the next (their rules
    // are cached), for the prestations the children are enrolled in.
    let enrolled: HashSet<&str> = facts.enrolled.iter().map(String::as_str).collect();
    let this_week = WeekId::containing(today);
    let next_week = WeekId::containing(today + Duration::days(7));
    let mut next_deadline: Option<NextDeadline> = None;
    for week in [this_week, next_week] {
        let rules = week_rules(state, tenant, &config, &calendar, week).await;
        for (code, days) in rules.iter() {
            if !enrolled.contains(code.as_str()) {
                continue;
            }
            for (day, rule) in days {
                let sooner = next_deadline
                    .as_ref()
                    .is_none_or(|n| (rule.booking_deadline, code) < (n.deadline, &n.prestation));
                if rule.not_running.is_none() && rule.booking_deadline > now && sooner {
                    next_deadline = Some(NextDeadline {
                        prestation: code.clone(),
                        prestation_name: name_of(code),
                        day: *day,
                        deadline: rule.booking_deadline,
                    });
                }
            }
        }
        if next_deadline.is_some() {
            break;
        }
    }

    Ok(Dashboard {
        documents_new: documents.iter().filter(|d| d.new).count() as i64,
        recent: documents.into_iter().take(RECENT).collect(),
        unpaid,
        unread,
        today: today_bookings,
        next_deadline,
    })
}
