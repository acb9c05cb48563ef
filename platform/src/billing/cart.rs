//! The prepaid meal cart of `billing = "prepaid"` prestations (guide, section 2: meals are
//! "pré-payés via votre panier par CB").
//!
//! Invariants:
//! - booking a prepaid day puts it in the household's cart: it holds its place (counted in
//!   `day_counts`, under the day's locked count row, like a booking) for [`HOLD_MINUTES`], or
//!   as long as a payment of it is pending at PayFiP;
//! - a hold that ran out is released (its place given back) by the sweep of every replica,
//!   and before any booking of the same day: capacity is never lost to an unpaid cart;
//! - the household's balance (credits of paid days cancelled in time) is spent first; a
//!   cart it covers is settled without PayFiP;
//! - paid (the PayFiP attempt of the checkout settled as paid, in its locked transaction),
//!   the days become reservations, a paid receipt (an invoice of kind `receipt`, numbered in
//!   the invoices' gap-free series) is issued and the receipt mail queued: once.

use super::issue::{self, Document};
use super::money::euros;
use super::month::Month;
use super::payfip::objet;
use super::payment::{Debt, Paying};
use super::repository::LineRow;
use super::{BillingError, payment};
use crate::auth::session::SignedIn;
use crate::http::tenant_tx::in_tx;
use crate::state::AppState;
use crate::tenancy::{CurrentTenant, current_config};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use portail_tenants::TenantConfig;
use portail_tenants::TenantTx;
use sea_orm::{DbErr, FromQueryResult};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How long a day stays in the cart unpaid.
pub const HOLD_MINUTES: i64 = 30;

/// Items whose hold ran out and no pending payment protects.
const EXPIRED: &str = "i.held_until <= $1 AND NOT EXISTS (SELECT 1 FROM payment_attempts a \
     WHERE a.checkout_id = i.checkout_id AND a.status = 'pending')";

/// Releases the expired holds among `scope` (an SQL condition on `i` whose parameters
/// follow `now`), giving their places back; how many.
async fn release(
    tx: &TenantTx,
    now: DateTime<Utc>,
    scope: &str,
    mut values: Vec<sea_orm::Value>,
) -> Result<i32, DbErr> {
    #[derive(FromQueryResult)]
    struct Released {
        n: Option<i64>,
    }
    values.insert(0, now.into());
    let row: Option<Released> = tx
        .one(
            &format!(
                "WITH gone AS (DELETE FROM cart_items i WHERE {EXPIRED} AND {scope} \
                               RETURNING prestation_code, day), \
                      n AS (SELECT prestation_code, day, count(*)::int AS n FROM gone GROUP BY 1, 2), \
                      counted AS (UPDATE day_counts c SET booked = c.booked - n.n FROM n \
                                  WHERE c.prestation_code = n.prestation_code AND c.day = n.day \
                                  RETURNING n.n) \
                 SELECT sum(n)::bigint AS n FROM counted"
            ),
            values,
        )
        .await?;
    Ok(row.and_then(|r| r.n).unwrap_or(0) as i32)
}

/// Releases the expired holds of one day, whose count row the caller holds locked; the
/// places given back.
pub async fn release_day(
    tx: &TenantTx,
    prestation: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    release(
        tx,
        now,
        "i.prestation_code = $2 AND i.day = $3",
        vec![prestation.into(), day.into()],
    )
    .await
}

/// Releases every expired hold of the municipality (the sweep); how many places.
pub async fn release_expired(tx: &TenantTx, now: DateTime<Utc>) -> Result<i32, DbErr> {
    release(tx, now, "true", vec![]).await
}

/// Releases the municipality's expired holds (run by every replica's reconciliation loop).
pub async fn sweep(state: &AppState, tenant: &CurrentTenant) -> Result<i32, BillingError> {
    let now = state.clock.now();
    Ok(in_tx(state, tenant, async |tx| release_expired(tx, now).await).await?)
}

/// Whether the day is in a cart: `Some(pending)` says whether a payment of it is pending.
pub async fn held(
    tx: &TenantTx,
    child: Uuid,
    prestation: &str,
    day: NaiveDate,
) -> Result<Option<bool>, DbErr> {
    #[derive(FromQueryResult)]
    struct Held {
        pending: bool,
    }
    let row: Option<Held> = tx
        .one(
            "SELECT EXISTS (SELECT 1 FROM payment_attempts a WHERE a.checkout_id = i.checkout_id \
                            AND a.status = 'pending') AS pending \
             FROM cart_items i WHERE child_id = $1 AND prestation_code = $2 AND day = $3",
            [child.into(), prestation.into(), day.into()],
        )
        .await?;
    Ok(row.map(|r| r.pending))
}

/// The price of a prepaid day for the household: its tariff band.
pub async fn price_of(
    tx: &TenantTx,
    p: &portail_tenants::config::Prestation,
    household: Uuid,
) -> Result<i32, DbErr> {
    #[derive(FromQueryResult)]
    struct Qf {
        quotient_familial: Option<i32>,
    }
    let qf: Option<Qf> = tx
        .one(
            "SELECT quotient_familial FROM households WHERE id = $1",
            [household.into()],
        )
        .await?;
    let quotient = qf
        .and_then(|q| q.quotient_familial)
        .map(|q| q.max(0) as u32);
    Ok(p.unit_price_cents(quotient) as i32)
}

/// Puts a day in the cart; the caller holds the day's count row locked and checked its rules.
pub async fn hold(
    tx: &TenantTx,
    signed: &SignedIn,
    child: Uuid,
    p: &portail_tenants::config::Prestation,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let price = price_of(tx, p, signed.household_id).await?;
    tx.run(
        "INSERT INTO cart_items (child_id, prestation_code, day, household_id, guardian_id, \
                                 price_cents, held_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            child.into(),
            p.code.clone().into(),
            day.into(),
            signed.household_id.into(),
            signed.guardian_id.into(),
            price.into(),
            (now + Duration::minutes(HOLD_MINUTES)).into(),
            now.into(),
        ],
    )
    .await?;
    count(tx, &p.code, day, 1).await
}

async fn count(tx: &TenantTx, prestation: &str, day: NaiveDate, n: i32) -> Result<(), DbErr> {
    tx.run(
        "UPDATE day_counts SET booked = booked + $3 WHERE prestation_code = $1 AND day = $2",
        [prestation.into(), day.into(), n.into()],
    )
    .await?;
    Ok(())
}

/// Takes a day out of the cart, giving its place back.
pub async fn remove(
    tx: &TenantTx,
    child: Uuid,
    prestation: &str,
    day: NaiveDate,
) -> Result<(), DbErr> {
    tx.run(
        "DELETE FROM cart_items WHERE child_id = $1 AND prestation_code = $2 AND day = $3",
        [child.into(), prestation.into(), day.into()],
    )
    .await?;
    count(tx, prestation, day, -1).await
}

/// A paid prepaid day cancelled in time: what was paid for it goes to the household's
/// balance. Nothing for a day that was not paid through the cart.
pub async fn credit_cancelled(
    tx: &TenantTx,
    household: Uuid,
    child: Uuid,
    prestation: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Paid {
        price_cents: i32,
    }
    let paid: Option<Paid> = tx
        .one(
            "DELETE FROM prepaid_days WHERE child_id = $1 AND prestation_code = $2 AND day = $3 \
             RETURNING price_cents",
            [child.into(), prestation.into(), day.into()],
        )
        .await?;
    if let Some(paid) = paid.filter(|p| p.price_cents > 0) {
        let label = crate::i18n::sync_scope(crate::i18n::Locale::Fr, || {
            crate::i18n::t_args(
                "cart-credit-label",
                &[("day", day.format("%d/%m/%Y").to_string().into())],
            )
        });
        tx.run(
            "INSERT INTO household_credits (household_id, amount_cents, reason, label, at) \
             VALUES ($1, $2, 'cancelled_day', $3, $4)",
            [
                household.into(),
                i64::from(paid.price_cents).into(),
                label.into(),
                now.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The household's balance, in cents.
pub async fn balance(tx: &TenantTx, household: Uuid) -> Result<i64, DbErr> {
    Ok(Balance::of(balance_query(household).all(tx).await?))
}

/// The household's credit, as [`balance_query`] reads it.
#[derive(serde::Deserialize)]
pub struct Balance {
    total: i64,
}

impl Balance {
    /// The sum out of the query's one row.
    pub fn of(rows: Vec<Balance>) -> i64 {
        rows.first().map_or(0, |r| r.total)
    }
}

/// [`balance`]'s query, to send with others.
pub fn balance_query(household: Uuid) -> portail_tenants::batch::Query<Balance> {
    portail_tenants::batch::Query::new(
        "SELECT coalesce(sum(amount_cents), 0)::bigint AS total FROM household_credits \
         WHERE household_id = $1",
        [household.into()],
    )
}

/// A day in the cart, as the cart lists it.
#[derive(Debug, Clone, FromQueryResult, serde::Deserialize)]
pub struct Item {
    pub child_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub prestation_code: String,
    pub day: NaiveDate,
    pub price_cents: i32,
    pub held_until: DateTime<Utc>,
    pub checkout_id: Option<Uuid>,
    pub pending: bool,
}

const ITEMS: &str = "SELECT i.child_id, c.first_name, c.last_name, i.prestation_code, i.day, \
            i.price_cents, i.held_until, i.checkout_id, \
            EXISTS (SELECT 1 FROM payment_attempts a WHERE a.checkout_id = i.checkout_id \
                    AND a.status = 'pending') AS pending \
     FROM cart_items i JOIN children c ON c.id = i.child_id";

/// The days of a household's cart, by day, after releasing its expired holds.
pub async fn items(tx: &TenantTx, household: Uuid, now: DateTime<Utc>) -> Result<Vec<Item>, DbErr> {
    release(tx, now, "i.household_id = $2", vec![household.into()]).await?;
    tx.all(
        &format!(
            "{ITEMS} WHERE i.household_id = $1 ORDER BY i.day, c.birth_date, c.first_name, \
             i.prestation_code"
        ),
        [household.into()],
    )
    .await
}

/// The cart's days between two dates (the grid sends it with its other queries): [`still_held`] keeps those that
/// still hold their place.
pub fn held_days_query(
    household: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> portail_tenants::batch::Query<Item> {
    portail_tenants::batch::Query::new(
        format!("{ITEMS} WHERE i.household_id = $1 AND i.day BETWEEN $2 AND $3"),
        [household.into(), from.into(), to.into()],
    )
}

/// The days of `items` whose hold has not run out (or whose payment is pending) at `now`.
pub fn still_held(items: Vec<Item>, now: DateTime<Utc>) -> Vec<(Uuid, String, NaiveDate)> {
    items
        .into_iter()
        .filter(|i| i.pending || i.held_until > now)
        .map(|i| (i.child_id, i.prestation_code, i.day))
        .collect()
}

/// The household's cart and balance, for the page and the API.
pub struct Cart {
    pub items: Vec<Item>,
    pub total_cents: i64,
    pub balance_cents: i64,
    /// What PayFiP would be asked: the total less the balance spent.
    pub to_pay_cents: i64,
    /// A payment of the cart is pending at PayFiP.
    pub pending: bool,
}

pub async fn cart(
    state: &AppState,
    tenant: &CurrentTenant,
    household: Uuid,
) -> Result<Cart, BillingError> {
    let now = state.clock.now();
    let (items, balance) = in_tx(state, tenant, async |tx| {
        let items = items(tx, household, now).await?;
        Ok::<_, DbErr>((items, balance(tx, household).await?))
    })
    .await?;
    let total: i64 = items.iter().map(|i| i64::from(i.price_cents)).sum();
    Ok(Cart {
        pending: items.iter().any(|i| i.pending),
        total_cents: total,
        balance_cents: balance,
        to_pay_cents: total - total.min(balance),
        items,
    })
}

/// PAYER of the cart: where to send the parent. A cart the balance covers is settled at once
/// (the parent goes back to the cart, which says so); otherwise one PayFiP payment for what
/// remains, its attempt stored before the answer. A live attempt of the cart is reused.
pub async fn checkout(
    state: &AppState,
    tenant: &CurrentTenant,
    signed: &SignedIn,
) -> Result<String, BillingError> {
    let now = state.clock.now();
    let household = signed.household_id;
    in_tx(state, tenant, async |tx| {
        let config = current_config(state, tenant, tx).await?;
        config.billing.as_ref().ok_or(BillingError::NotConfigured)?;
        // The household's row is locked: two PAYER at once make one checkout, and the balance
        // is spent once.
        tx.run(
            "SELECT id FROM households WHERE id = $1 FOR UPDATE",
            [household.into()],
        )
        .await?;
        let items = items(tx, household, now).await?;
        let of_cart = "checkout_id IN (SELECT checkout_id FROM cart_items WHERE household_id = $1)";
        if let Some(page) = payment::live_page(state, tx, of_cart, household, now).await? {
            return Ok(page);
        }
        let pending = items.iter().any(|i| i.pending);
        let items: Vec<Item> = items.into_iter().filter(|i| !i.pending).collect();
        if items.is_empty() {
            return Err(if pending {
                BillingError::CartPending
            } else {
                BillingError::EmptyCart
            });
        }
        let total: i64 = items.iter().map(|i| i64::from(i.price_cents)).sum();
        let from_balance = total.min(balance(tx, household).await?.max(0));
        let checkout_id = Uuid::new_v4();
        tx.run(
            "INSERT INTO cart_checkouts (id, household_id, guardian_id, amount_cents, balance_cents, \
                                         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                checkout_id.into(),
                household.into(),
                signed.guardian_id.into(),
                total.into(),
                from_balance.into(),
                now.into(),
            ],
        )
        .await?;
        tx.run(
            "UPDATE cart_items i SET checkout_id = $1 WHERE household_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM payment_attempts a WHERE a.checkout_id = i.checkout_id AND a.status = 'pending')",
            [checkout_id.into(), household.into()],
        )
        .await?;
        if from_balance == total {
            confirm(tx, &config, checkout_id, None, now).await?;
            let base = format!("{}/{}", state.settings.public_url, tenant.slug());
            return Ok(format!("{base}/panier?regle=1"));
        }
        let payfip = config
            .payfip
            .as_ref()
            .ok_or(BillingError::PaymentUnavailable)?;
        let debt = Debt {
            paying: Paying::Checkout(checkout_id),
            household_id: household,
            guardian_id: signed.guardian_id,
            exer: portail_tenants::calendar::paris_date(now)
                .year()
                .to_string(),
            // Unique per régie, as PayFiP asks: `PAN` and the checkout's id.
            refdet: format!("PAN{}", &checkout_id.simple().to_string()[..24]).to_uppercase(),
            montant: total - from_balance,
            objet: objet(&format!("Panier {}", config.name)),
        };
        payment::create(state, tenant, tx, &config, payfip, debt, now).await
    })
    .await
}

/// The checkout of a cart is paid (or covered by the balance): its days become reservations,
/// the balance it spends is debited, and a paid receipt is issued; the receipt's id and
/// number. `None` when the checkout holds no day any more (an anomaly for the régisseur).
pub async fn confirm(
    tx: &TenantTx,
    config: &TenantConfig,
    checkout_id: Uuid,
    paid_online: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>, BillingError> {
    let billing = config.billing.as_ref().ok_or(BillingError::NotConfigured)?;
    #[derive(FromQueryResult)]
    struct Checkout {
        household_id: Uuid,
        guardian_id: Option<Uuid>,
        balance_cents: i64,
    }
    let checkout: Checkout = tx
        .one(
            "SELECT household_id, guardian_id, balance_cents FROM cart_checkouts WHERE id = $1 \
             FOR UPDATE",
            [checkout_id.into()],
        )
        .await?
        .ok_or(BillingError::NotFound)?;
    let items: Vec<Item> = tx
        .all(
            &format!(
                "{ITEMS} WHERE i.checkout_id = $1 ORDER BY c.birth_date, c.first_name, \
                 i.prestation_code, i.day"
            ),
            [checkout_id.into()],
        )
        .await?;
    if items.is_empty() {
        return Ok(None);
    }
    let today = portail_tenants::calendar::paris_date(now);
    let total: i64 = items.iter().map(|i| i64::from(i.price_cents)).sum();
    // One line per child, prestation and price.
    let mut grouped: BTreeMap<(String, Uuid, String, i32), Vec<NaiveDate>> = BTreeMap::new();
    for i in &items {
        grouped
            .entry((
                crate::family::person_name(&i.first_name, &i.last_name),
                i.child_id,
                i.prestation_code.clone(),
                i.price_cents,
            ))
            .or_default()
            .push(i.day);
    }
    let lines: Vec<LineRow> = crate::i18n::sync_scope(crate::i18n::Locale::Fr, || {
        grouped
            .into_iter()
            .map(|((name, child, code, price), days)| {
                let prestation = config.prestation(&code).map_or(code.as_str(), |p| &p.name);
                let dates = days
                    .iter()
                    .map(|d| d.format("%d/%m").to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                LineRow {
                    child_id: Some(child),
                    label: crate::i18n::t_args(
                        "cart-receipt-line",
                        &[
                            ("prestation", prestation.to_string().into()),
                            ("child", name.into()),
                            ("days", dates.into()),
                        ],
                    ),
                    prestation_code: code,
                    kind: "booked".into(),
                    days: days.len() as i32,
                    unit_price_cents: price,
                    amount_cents: i64::from(price) * days.len() as i64,
                }
            })
            .collect()
    });
    let number = issue::next_number(tx, &billing.invoice_prefix, today).await?;
    let household = issue::addressee(tx, checkout.household_id).await?;
    let receipt = Document {
        number: number.clone(),
        kind: "receipt",
        household,
        cancels: None,
        period: Month::of(today),
        issued_on: today,
        due_on: today,
        lines,
        amount_cents: total,
        paid_cents: total,
        created_by: "panier",
    };
    let receipt_id = issue::issue(tx, config, receipt, now).await?;
    // What the balance paid is debited; PayFiP's part is recorded by the caller as a payment.
    let from_balance = total - paid_online.unwrap_or(0);
    let spent = from_balance.min(checkout.balance_cents).max(0);
    if spent > 0 {
        tx.run(
            "INSERT INTO household_credits (household_id, amount_cents, reason, label, at) \
             VALUES ($1, $2, 'cart', $3, $4)",
            [
                checkout.household_id.into(),
                (-spent).into(),
                crate::i18n::sync_scope(crate::i18n::Locale::Fr, || {
                    crate::i18n::t_args("cart-debit-label", &[("number", number.clone().into())])
                })
                .into(),
                now.into(),
            ],
        )
        .await?;
    }
    // PayFiP's part is added by the payment the caller records.
    tx.run(
        "UPDATE invoices SET paid_cents = $2 WHERE id = $1",
        [receipt_id.into(), from_balance.into()],
    )
    .await?;
    tx.run(
        "UPDATE cart_checkouts SET receipt_id = $2 WHERE id = $1",
        [checkout_id.into(), receipt_id.into()],
    )
    .await?;
    // The days become reservations; their places were already counted while held.
    tx.run(
        "WITH moved AS (DELETE FROM cart_items WHERE checkout_id = $1 \
                        RETURNING child_id, prestation_code, day, household_id, price_cents), \
              booked AS (INSERT INTO reservations (child_id, prestation_code, day, created_at, created_by) \
                         SELECT child_id, prestation_code, day, $2, $3 FROM moved \
                         ON CONFLICT DO NOTHING RETURNING 1), \
              events AS (INSERT INTO reservation_events (at, household_id, guardian_id, child_id, \
                                                         prestation_code, day, action, source) \
                         SELECT $2, household_id, $3, child_id, prestation_code, day, 'book', 'cart' \
                         FROM moved RETURNING 1) \
         INSERT INTO prepaid_days (child_id, prestation_code, day, household_id, price_cents, receipt_id) \
         SELECT child_id, prestation_code, day, household_id, price_cents, $4 FROM moved \
         ON CONFLICT DO NOTHING",
        [
            checkout_id.into(),
            now.into(),
            checkout.guardian_id.into(),
            receipt_id.into(),
        ],
    )
    .await?;
    Ok(Some((receipt_id, number)))
}

/// A payment of the checkout did not happen (refused, abandoned, expired, anomaly): its days
/// stay in the cart until their hold runs out, and may be paid again.
pub async fn unlock(tx: &TenantTx, checkout_id: Uuid) -> Result<(), DbErr> {
    tx.run(
        "UPDATE cart_items SET checkout_id = NULL WHERE checkout_id = $1",
        [checkout_id.into()],
    )
    .await?;
    Ok(())
}

/// The line "Repas enfant — Théo ALAIN, jeudi 3 décembre : 3,50 €" of the cart page.
pub fn item_label(config: &TenantConfig, i: &Item) -> (String, String) {
    let prestation = config
        .prestation(&i.prestation_code)
        .map_or(i.prestation_code.clone(), |p| p.name.clone());
    (
        crate::i18n::t_args(
            "cart-item",
            &[
                ("prestation", prestation.into()),
                (
                    "child",
                    crate::reservations::pages::child_name(&i.first_name, &i.last_name).into(),
                ),
                ("day", crate::i18n::calendar::day(i.day).into()),
            ],
        ),
        euros(i64::from(i.price_cents)),
    )
}
