//! Queries of billing. Every function takes the tenant transaction.

use crate::household::repository::Household;
use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use portail_tenants::batch::Query;
use sea_orm::{DbErr, FromQueryResult, Value};
use uuid::Uuid;

/// Takes the municipality's billing lock until the transaction ends; `false` when another
/// run holds it. Two runs at once never both issue: the second is refused at once.
pub async fn try_run_lock(tx: &TenantTx) -> Result<bool, DbErr> {
    #[derive(FromQueryResult)]
    struct Locked {
        locked: bool,
    }
    let row: Option<Locked> = tx
        .one(
            "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || ':billing')) AS locked",
            [],
        )
        .await?;
    Ok(row.is_some_and(|r| r.locked))
}

/// The next number of a series (`FAC`, `AVO`) and year. The counter row stays locked until
/// the transaction ends: numbers are gap-free, and a rolled-back run gives its numbers back.
pub async fn next_number(tx: &TenantTx, series: &str, year: i32) -> Result<i32, DbErr> {
    #[derive(FromQueryResult)]
    struct Last {
        last: i32,
    }
    let row: Option<Last> = tx
        .one(
            "INSERT INTO invoice_counters (series, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (series, year) DO UPDATE SET last = invoice_counters.last + 1 \
             RETURNING last",
            [series.into(), year.into()],
        )
        .await?;
    Ok(row.map(|r| r.last).unwrap_or(1))
}

/// A household as bills address it: the household, its guardians' names and the first
/// guardian's e-mail address.
#[derive(Debug, Clone, FromQueryResult)]
pub struct HouseholdRow {
    #[sea_orm(nested)]
    pub household: Household,
    pub names: Option<String>,
    pub email: Option<String>,
}

const HOUSEHOLDS: &str = "SELECT h.id, h.reference, h.address, h.postal_code, h.city, h.quotient_familial, \
        string_agg(g.first_name || ' ' || upper(g.last_name), ', ' ORDER BY g.position) AS names, \
        (array_agg(g.email ORDER BY g.position) FILTER (WHERE g.email IS NOT NULL))[1] AS email \
     FROM households h LEFT JOIN guardians g ON g.household_id = h.id";

pub async fn households(tx: &TenantTx) -> Result<Vec<HouseholdRow>, DbErr> {
    tx.all(
        &format!("{HOUSEHOLDS} GROUP BY h.id ORDER BY h.reference"),
        [],
    )
    .await
}

/// One household, as [`households`] reads them.
pub async fn household(tx: &TenantTx, id: Uuid) -> Result<Option<HouseholdRow>, DbErr> {
    tx.one(
        &format!("{HOUSEHOLDS} WHERE h.id = $1 GROUP BY h.id"),
        [id.into()],
    )
    .await
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct ChildName {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
}

pub async fn children(tx: &TenantTx) -> Result<Vec<ChildName>, DbErr> {
    tx.all("SELECT id, first_name, last_name FROM children", [])
        .await
}

/// A day of a child at a prestation, with its household.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DayRow {
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub prestation_code: String,
    pub day: NaiveDate,
}

pub async fn booked_days(
    tx: &TenantTx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayRow>, DbErr> {
    tx.all(
        "SELECT c.household_id, r.child_id, r.prestation_code, r.day \
         FROM reservations r JOIN children c ON c.id = r.child_id \
         WHERE r.day >= $1 AND r.day < $2",
        [from.into(), to.into()],
    )
    .await
}

/// The last booking event of each day that ends cancelled, with when it was cancelled.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CancelRow {
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub prestation_code: String,
    pub day: NaiveDate,
    pub action: String,
    pub at: DateTime<Utc>,
}

pub async fn last_events(
    tx: &TenantTx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CancelRow>, DbErr> {
    tx.all(
        "SELECT DISTINCT ON (child_id, prestation_code, day) \
                household_id, child_id, prestation_code, day, action, at \
         FROM reservation_events WHERE day >= $1 AND day < $2 \
         ORDER BY child_id, prestation_code, day, at DESC, id DESC",
        [from.into(), to.into()],
    )
    .await
}

/// What invoices have billed of each day so far: the sum of +1/-1, and the last price.
#[derive(Debug, Clone, FromQueryResult)]
pub struct BilledRow {
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub prestation_code: String,
    pub day: NaiveDate,
    pub net: i64,
    pub unit_price_cents: i32,
}

pub async fn billed_days(
    tx: &TenantTx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BilledRow>, DbErr> {
    tx.all(
        "SELECT household_id, child_id, prestation_code, day, sum(units)::bigint AS net, \
                (array_agg(unit_price_cents ORDER BY id DESC) FILTER (WHERE units = 1))[1] AS unit_price_cents \
         FROM billed_days WHERE day >= $1 AND day < $2 \
         GROUP BY household_id, child_id, prestation_code, day HAVING sum(units) <> 0",
        [from.into(), to.into()],
    )
    .await
}

/// The months each household has a live (not cancelled) invoice for.
#[derive(Debug, Clone, FromQueryResult)]
pub struct InvoicedMonth {
    pub household_id: Uuid,
    pub period: NaiveDate,
}

pub async fn invoiced_months(tx: &TenantTx) -> Result<Vec<InvoicedMonth>, DbErr> {
    tx.all(
        "SELECT household_id, period FROM invoices \
         WHERE kind = 'invoice' AND cancelled_by IS NULL",
        [],
    )
    .await
}

pub struct NewInvoice<'a> {
    pub id: Uuid,
    pub number: &'a str,
    pub kind: &'a str,
    pub household_id: Uuid,
    pub period: NaiveDate,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub amount_cents: i64,
    pub credits: Option<Uuid>,
    pub pdf: Vec<u8>,
    pub now: DateTime<Utc>,
    pub created_by: &'a str,
}

pub async fn insert_invoice(tx: &TenantTx, i: NewInvoice<'_>) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO invoices (id, number, kind, household_id, period, issued_on, due_on, \
                               amount_cents, credits, pdf, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        [
            i.id.into(),
            i.number.into(),
            i.kind.into(),
            i.household_id.into(),
            i.period.into(),
            i.issued_on.into(),
            i.due_on.into(),
            i.amount_cents.into(),
            i.credits.into(),
            Value::Bytes(Some(i.pdf)),
            i.now.into(),
            i.created_by.into(),
        ],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct LineRow {
    pub child_id: Option<Uuid>,
    pub prestation_code: String,
    pub kind: String,
    pub days: i32,
    pub unit_price_cents: i32,
    pub amount_cents: i64,
    pub label: String,
}

pub async fn insert_line(
    tx: &TenantTx,
    invoice_id: Uuid,
    position: i32,
    line: &LineRow,
) -> Result<(), DbErr> {
    tx.run(
        "INSERT INTO invoice_lines (invoice_id, position, child_id, prestation_code, kind, days, \
                                    unit_price_cents, amount_cents, label) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            invoice_id.into(),
            position.into(),
            line.child_id.into(),
            line.prestation_code.clone().into(),
            line.kind.clone().into(),
            line.days.into(),
            line.unit_price_cents.into(),
            line.amount_cents.into(),
            line.label.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn lines_of(tx: &TenantTx, invoice_id: Uuid) -> Result<Vec<LineRow>, DbErr> {
    tx.all(
        "SELECT child_id, prestation_code, kind, days, unit_price_cents, amount_cents, label \
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
        [invoice_id.into()],
    )
    .await
}

/// A line with the invoice it belongs to.
#[derive(serde::Deserialize)]
pub struct OwnedLine {
    invoice_id: Uuid,
    child_id: Option<Uuid>,
    prestation_code: String,
    kind: String,
    days: i32,
    unit_price_cents: i32,
    amount_cents: i64,
    label: String,
}

/// The lines of the household's invoices and receipts, each with its invoice's id (sent with
/// the invoices in one batch).
pub fn household_lines_query(household_id: Uuid) -> Query<OwnedLine> {
    Query::new(
        "SELECT l.invoice_id, l.child_id, l.prestation_code, l.kind, l.days, \
                    l.unit_price_cents, l.amount_cents, l.label \
             FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
             WHERE i.household_id = $1 AND i.kind IN ('invoice', 'receipt') \
             ORDER BY l.invoice_id, l.position",
        [household_id.into()],
    )
}

impl OwnedLine {
    /// Each line with its invoice's id.
    pub fn pairs(rows: Vec<OwnedLine>) -> Vec<(Uuid, LineRow)> {
        rows.into_iter()
            .map(|r| {
                let line = LineRow {
                    child_id: r.child_id,
                    prestation_code: r.prestation_code,
                    kind: r.kind,
                    days: r.days,
                    unit_price_cents: r.unit_price_cents,
                    amount_cents: r.amount_cents,
                    label: r.label,
                };
                (r.invoice_id, line)
            })
            .collect()
    }
}

/// Records the days an invoice bills (+1) or credits (-1).
pub async fn insert_billed_days(
    tx: &TenantTx,
    invoice_id: Uuid,
    days: &[(DayRow, i16, i32)],
) -> Result<(), DbErr> {
    // One statement per 500 days: an invoice of a month holds at most a few hundred.
    for chunk in days.chunks(500) {
        let mut text = String::from(
            "INSERT INTO billed_days (invoice_id, household_id, child_id, prestation_code, day, \
                                      units, unit_price_cents) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
        for (i, (d, units, price)) in chunk.iter().enumerate() {
            let n = i * 7;
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            ));
            values.extend([
                invoice_id.into(),
                d.household_id.into(),
                d.child_id.into(),
                d.prestation_code.clone().into(),
                d.day.into(),
                (*units).into(),
                (*price).into(),
            ]);
        }
        tx.run(&text, values).await?;
    }
    Ok(())
}

/// The days an invoice billed, to credit them back.
pub async fn days_of(tx: &TenantTx, invoice_id: Uuid) -> Result<Vec<(DayRow, i16, i32)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        household_id: Uuid,
        child_id: Uuid,
        prestation_code: String,
        day: NaiveDate,
        units: i16,
        unit_price_cents: i32,
    }
    let rows: Vec<Row> = tx
        .all(
            "SELECT household_id, child_id, prestation_code, day, units, unit_price_cents \
             FROM billed_days WHERE invoice_id = $1 ORDER BY id",
            [invoice_id.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                DayRow {
                    household_id: r.household_id,
                    child_id: r.child_id,
                    prestation_code: r.prestation_code,
                    day: r.day,
                },
                r.units,
                r.unit_price_cents,
            )
        })
        .collect())
}

/// An invoice or credit note as lists show it.
#[derive(Debug, Clone, FromQueryResult, serde::Deserialize)]
pub struct InvoiceRow {
    pub id: Uuid,
    pub number: String,
    pub kind: String,
    pub household_id: Uuid,
    pub household_reference: String,
    pub period: NaiveDate,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub amount_cents: i64,
    pub paid_cents: i64,
    pub cancelled_by: Option<Uuid>,
    pub credit_note_number: Option<String>,
}

const INVOICE_COLUMNS: &str = "i.id, i.number, i.kind, i.household_id, h.reference AS household_reference, \
     i.period, i.issued_on, i.due_on, i.amount_cents, i.paid_cents, i.cancelled_by, \
     c.number AS credit_note_number \
     FROM invoices i JOIN households h ON h.id = i.household_id \
     LEFT JOIN invoices c ON c.id = i.cancelled_by";

/// The invoices of a household and the receipts of its paid carts (credit notes are reached
/// from the invoice they cancel).
pub async fn invoices_of(tx: &TenantTx, household_id: Uuid) -> Result<Vec<InvoiceRow>, DbErr> {
    invoices_of_query(household_id).all(tx).await
}

/// [`invoices_of`]'s query, to send with others.
pub fn invoices_of_query(household_id: Uuid) -> Query<InvoiceRow> {
    Query::new(
        format!(
            "SELECT {INVOICE_COLUMNS} WHERE i.household_id = $1 AND i.kind IN ('invoice', 'receipt') \
             ORDER BY i.issued_on DESC, i.number DESC"
        ),
        [household_id.into()],
    )
}

/// The latest invoices and credit notes of the municipality, for the régisseur.
pub async fn latest(tx: &TenantTx, limit: i64) -> Result<Vec<InvoiceRow>, DbErr> {
    let order = "ORDER BY i.created_at DESC, i.number DESC LIMIT $1";
    invoices(tx, order, [limit.into()]).await
}

/// One invoice or credit note; `for_update` locks its row.
pub async fn invoice(
    tx: &TenantTx,
    id: Uuid,
    for_update: bool,
) -> Result<Option<InvoiceRow>, DbErr> {
    let lock = if for_update { " FOR UPDATE OF i" } else { "" };
    let found = invoices(tx, &format!("WHERE i.id = $1{lock}"), [id.into()]).await?;
    Ok(found.into_iter().next())
}

/// The invoices `rest` (a condition, an order) selects, as lists show them.
async fn invoices(
    tx: &TenantTx,
    rest: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Vec<InvoiceRow>, DbErr> {
    tx.all(&format!("SELECT {INVOICE_COLUMNS} {rest}"), values)
        .await
}

pub async fn invoice_by_number(tx: &TenantTx, number: &str) -> Result<Option<Uuid>, DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        id: Uuid,
    }
    let row: Option<Id> = tx
        .one("SELECT id FROM invoices WHERE number = $1", [number.into()])
        .await?;
    Ok(row.map(|r| r.id))
}

pub async fn mark_cancelled(tx: &TenantTx, id: Uuid, by: Uuid) -> Result<(), DbErr> {
    tx.run(
        "UPDATE invoices SET cancelled_by = $2 WHERE id = $1",
        [id.into(), by.into()],
    )
    .await?;
    Ok(())
}

/// The stored PDF of an invoice, when `household` (if given) is its household.
pub async fn pdf(
    tx: &TenantTx,
    id: Uuid,
    household: Option<Uuid>,
) -> Result<Option<(String, Vec<u8>)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Pdf {
        number: String,
        pdf: Vec<u8>,
    }
    let row: Option<Pdf> = match household {
        Some(h) => {
            tx.one(
                "SELECT number, pdf FROM invoices WHERE id = $1 AND household_id = $2",
                [id.into(), h.into()],
            )
            .await?
        }
        None => {
            tx.one(
                "SELECT number, pdf FROM invoices WHERE id = $1",
                [id.into()],
            )
            .await?
        }
    };
    Ok(row.map(|r| (r.number, r.pdf)))
}
