//! The monthly billing run of `billing = "invoice"` prestations.
//!
//! Invariants:
//! - one transaction: everything the run issues is committed together or not at all;
//! - one run at a time per municipality (advisory lock; a second run is refused);
//! - one live invoice per household and month: a household already invoiced for the month is
//!   skipped (counted in `skipped`), its later changes go on its next invoice;
//! - a day is billed once: `billed_days` says what invoices billed, and each run bills the
//!   difference between that and what the bookings are now. Days of earlier invoiced months
//!   that changed since (booked after, cancelled in time after) become regularisation lines;
//! - numbers come from the locked counter row: gap-free, in order of issue.

use super::BillingError;
use super::issue::{self, Document};
use super::month::Month;
use super::repository::{self as repo, DayRow, HouseholdRow, LineRow};
use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use portail_tenants::calendar::booking_deadline;
use portail_tenants::config::{BillingMode, LateCancellation, TenantConfig};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// What a run issued (or would issue, dry).
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub month: String,
    pub issued: Vec<Issued>,
    /// Households with days in the month that already have its invoice: nothing is issued
    /// for them; what changed goes on their next invoice.
    pub skipped: usize,
}

#[derive(Debug, Serialize)]
pub struct Issued {
    pub number: String,
    pub household_id: Uuid,
    pub amount_cents: i64,
}

/// Why a day is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reason {
    Booked,
    LateCancellation,
    Regularisation,
}

impl Reason {
    fn kind(self) -> &'static str {
        match self {
            Reason::Booked => "booked",
            Reason::LateCancellation => "late_cancellation",
            Reason::Regularisation => "regularisation",
        }
    }
}

/// One day to bill (+1) or to credit back (-1) at a price.
struct Change {
    day: DayRow,
    units: i16,
    price: i32,
    reason: Reason,
}

/// Runs the billing of `month`: issues the invoices, or with `dry` only says what it would
/// issue (the transaction is then rolled back by the caller).
pub async fn run(
    tx: &TenantTx,
    config: &TenantConfig,
    month: Month,
    now: DateTime<Utc>,
    dry: bool,
    by: &str,
) -> Result<RunReport, BillingError> {
    let billing = config.billing.as_ref().ok_or(BillingError::NotConfigured)?;
    if !repo::try_run_lock(tx).await? {
        return Err(BillingError::RunInProgress);
    }
    let today = portail_tenants::calendar::paris_date(now);
    let (start, end) = (month.first_day(), month.end());

    // Which months each household may see regularised: those with a live invoice before
    // this one.
    let mut invoiced: HashMap<Uuid, HashSet<NaiveDate>> = HashMap::new();
    for m in repo::invoiced_months(tx).await? {
        invoiced.entry(m.household_id).or_default().insert(m.period);
    }
    let from = invoiced
        .values()
        .flatten()
        .copied()
        .filter(|p| *p < start)
        .min()
        .unwrap_or(start);
    let in_scope = |household: Uuid, day: NaiveDate| -> bool {
        if day >= start {
            return day < end;
        }
        invoiced
            .get(&household)
            .is_some_and(|months| months.contains(&Month::of(day).first_day()))
    };

    let invoiced_prestation = |code: &str| {
        config
            .prestation(code)
            .is_some_and(|p| p.billing == BillingMode::Invoice)
    };
    type Key = (Uuid, String, NaiveDate);
    // What should be billed now, and why.
    let mut wanted: HashMap<Key, (DayRow, Reason)> = HashMap::new();
    for d in repo::booked_days(tx, from, end).await? {
        if invoiced_prestation(&d.prestation_code) && in_scope(d.household_id, d.day) {
            let reason = if d.day >= start {
                Reason::Booked
            } else {
                Reason::Regularisation
            };
            wanted.insert((d.child_id, d.prestation_code.clone(), d.day), (d, reason));
        }
    }
    for e in repo::last_events(tx, from, end).await? {
        let Some(p) = config.prestation(&e.prestation_code) else {
            continue;
        };
        let late = e.action == "cancel"
            && p.billing == BillingMode::Invoice
            && p.late_cancellation == LateCancellation::Billed
            && e.at > booking_deadline(p.cancel_deadline(), e.day).with_timezone(&Utc);
        if late && in_scope(e.household_id, e.day) {
            let reason = if e.day >= start {
                Reason::LateCancellation
            } else {
                Reason::Regularisation
            };
            let day = DayRow {
                household_id: e.household_id,
                child_id: e.child_id,
                prestation_code: e.prestation_code,
                day: e.day,
            };
            wanted
                .entry((day.child_id, day.prestation_code.clone(), day.day))
                .or_insert((day, reason));
        }
    }
    let mut billed: HashMap<Key, repo::BilledRow> = HashMap::new();
    for b in repo::billed_days(tx, from, end).await? {
        billed.insert((b.child_id, b.prestation_code.clone(), b.day), b);
    }

    let households: HashMap<Uuid, HouseholdRow> = repo::households(tx)
        .await?
        .into_iter()
        .map(|h| (h.household.id, h))
        .collect();
    let mut changes: BTreeMap<(String, Uuid), Vec<Change>> = BTreeMap::new();
    let mut push = |change: Change| {
        let reference = households
            .get(&change.day.household_id)
            .map(|h| h.household.reference.clone())
            .unwrap_or_default();
        changes
            .entry((reference, change.day.household_id))
            .or_default()
            .push(change);
    };
    for (key, (day, reason)) in &wanted {
        if billed.get(key).is_some_and(|b| b.net > 0) {
            continue;
        }
        let quotient = households
            .get(&day.household_id)
            .and_then(|h| h.household.quotient_familial)
            .map(|q| q.max(0) as u32);
        let prestation = config
            .prestation(&day.prestation_code)
            .expect("only configured prestations are wanted");
        push(Change {
            day: day.clone(),
            units: 1,
            price: prestation.unit_price_cents(quotient) as i32,
            reason: *reason,
        });
    }
    for (key, b) in &billed {
        if b.net > 0 && !wanted.contains_key(key) && in_scope(b.household_id, b.day) {
            push(Change {
                day: DayRow {
                    household_id: b.household_id,
                    child_id: b.child_id,
                    prestation_code: b.prestation_code.clone(),
                    day: b.day,
                },
                units: -1,
                price: b.unit_price_cents,
                reason: Reason::Regularisation,
            });
        }
    }

    let names: HashMap<Uuid, String> = repo::children(tx)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.id,
                crate::family::person_name(&c.first_name, &c.last_name),
            )
        })
        .collect();
    let due_on = today + chrono::Days::new(billing.payment_due_days.into());
    let mut report = RunReport {
        month: month.to_string(),
        issued: Vec::new(),
        skipped: 0,
    };
    let already_billed = |household: &Uuid| {
        invoiced
            .get(household)
            .is_some_and(|months| months.contains(&start))
    };
    // Households with days in the month that already have its invoice.
    let in_month: HashSet<Uuid> = wanted
        .values()
        .map(|(d, _)| (d.household_id, d.day))
        .chain(billed.values().map(|b| (b.household_id, b.day)))
        .filter(|(_, day)| *day >= start)
        .map(|(household, _)| household)
        .collect();
    report.skipped = in_month.iter().filter(|h| already_billed(h)).count();
    for ((_, household_id), mut days) in changes {
        if already_billed(&household_id) {
            continue;
        }
        days.sort_by(|a, b| {
            (a.day.child_id, &a.day.prestation_code, a.reason, a.day.day).cmp(&(
                b.day.child_id,
                &b.day.prestation_code,
                b.reason,
                b.day.day,
            ))
        });
        let lines = lines_of(config, &names, month, &days);
        let amount: i64 = lines.iter().map(|l| l.amount_cents).sum();
        if lines.is_empty() {
            continue;
        }
        let number = issue::next_number(tx, &billing.invoice_prefix, today).await?;
        report.issued.push(Issued {
            number: number.clone(),
            household_id,
            amount_cents: amount,
        });
        if dry {
            continue;
        }
        let household = households
            .get(&household_id)
            .expect("the days' household exists")
            .clone();
        let invoice = Document {
            number,
            kind: "invoice",
            household,
            cancels: None,
            period: month,
            issued_on: today,
            due_on,
            lines,
            amount_cents: amount,
            paid_cents: 0,
            created_by: by,
        };
        let id = issue::issue(tx, config, invoice, now).await?;
        let billed: Vec<(DayRow, i16, i32)> = days
            .into_iter()
            .map(|c| (c.day, c.units, c.price))
            .collect();
        repo::insert_billed_days(tx, id, &billed).await?;
    }
    Ok(report)
}

/// One line per child, prestation, reason and price; in French, as the invoice itself.
fn lines_of(
    config: &TenantConfig,
    names: &HashMap<Uuid, String>,
    month: Month,
    days: &[Change],
) -> Vec<LineRow> {
    let mut grouped: BTreeMap<(Uuid, &str, Reason, i16, i32), i32> = BTreeMap::new();
    for c in days {
        *grouped
            .entry((
                c.day.child_id,
                &c.day.prestation_code,
                c.reason,
                c.units,
                c.price,
            ))
            .or_default() += 1;
    }
    crate::i18n::sync_scope(crate::i18n::Locale::Fr, || {
        grouped
            .into_iter()
            .map(|((child, code, reason, units, price), count)| {
                let prestation = config.prestation(code).map_or(code, |p| p.name.as_str());
                let child_name = names.get(&child).cloned().unwrap_or_default();
                let days = count * i32::from(units);
                let key = match (reason, units) {
                    (Reason::Booked, _) => "billing-line-booked",
                    (Reason::LateCancellation, _) => "billing-line-late",
                    (Reason::Regularisation, 1) => "billing-line-regularisation-added",
                    (Reason::Regularisation, _) => "billing-line-regularisation-removed",
                };
                let label = crate::i18n::t_args(
                    key,
                    &[
                        ("prestation", prestation.to_string().into()),
                        ("child", child_name.into()),
                        ("days", count.into()),
                        ("month", month.label().into()),
                    ],
                );
                LineRow {
                    child_id: Some(child),
                    prestation_code: code.to_string(),
                    kind: reason.kind().to_string(),
                    days,
                    unit_price_cents: price,
                    amount_cents: i64::from(days) * i64::from(price),
                    label,
                }
            })
            .collect()
    })
}
