//! Queries of bookings: the week's reservations and counts, booking and cancelling with the
//! day's count row locked, the history, the calendar feed.

use chrono::{DateTime, NaiveDate, Utc};
use portail_tenants::TenantTx;
use portail_tenants::database::sql;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, FromQueryResult)]
pub struct ChildRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub validated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Booked {
    pub child_id: Uuid,
    pub prestation_code: String,
    pub day: NaiveDate,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Count {
    pub prestation_code: String,
    pub day: NaiveDate,
    pub booked: i32,
}

pub async fn children(tx: &TenantTx, household_id: Uuid) -> Result<Vec<ChildRow>, DbErr> {
    tx.all("SELECT id, first_name, last_name, validated_at FROM children WHERE household_id = $1 ORDER BY birth_date, first_name",
        [household_id.into()]).await
}

/// The child, if it belongs to the household, locked for this transaction.
pub async fn child_for_update(
    tx: &TenantTx,
    household_id: Uuid,
    id: Uuid,
) -> Result<Option<ChildRow>, DbErr> {
    tx.one("SELECT id, first_name, last_name, validated_at FROM children WHERE household_id = $1 AND id = $2 FOR UPDATE",
            [household_id.into(), id.into()]).await
}

/// (child, prestation) pairs of the household's enrolments.
pub async fn enrolments(tx: &TenantTx, household_id: Uuid) -> Result<Vec<(Uuid, String)>, DbErr> {
    Ok(tx
        .query_all_raw(sql(
            "SELECT e.child_id, e.prestation_code FROM enrolments e JOIN children c ON c.id = e.child_id WHERE c.household_id = $1",
            [household_id.into()],
        ))
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get::<Uuid>("", "child_id").ok()?, r.try_get::<String>("", "prestation_code").ok()?)))
        .collect())
}

pub async fn is_enrolled(tx: &TenantTx, child_id: Uuid, prestation: &str) -> Result<bool, DbErr> {
    tx.exists(
        "SELECT 1 AS one FROM enrolments WHERE child_id = $1 AND prestation_code = $2",
        [child_id.into(), prestation.into()],
    )
    .await
}

pub async fn booked_between(
    tx: &TenantTx,
    household_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Booked>, DbErr> {
    tx.all("SELECT r.child_id, r.prestation_code, r.day FROM reservations r JOIN children c ON c.id = r.child_id
         WHERE c.household_id = $1 AND r.day BETWEEN $2 AND $3",
        [household_id.into(), from.into(), to.into()]).await
}

pub async fn counts_between(
    tx: &TenantTx,
    prestations: Vec<String>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Count>, DbErr> {
    tx.all("SELECT prestation_code, day, booked FROM day_counts WHERE prestation_code = ANY($1) AND day BETWEEN $2 AND $3",
        [prestations.into(), from.into(), to.into()]).await
}

pub async fn is_booked(
    tx: &TenantTx,
    child_id: Uuid,
    prestation: &str,
    day: NaiveDate,
) -> Result<bool, DbErr> {
    tx.exists("SELECT 1 AS one FROM reservations WHERE child_id = $1 AND prestation_code = $2 AND day = $3",
            [child_id.into(), prestation.into(), day.into()]).await
}

/// Places taken that day, the count row locked until commit: concurrent bookings of the same
/// prestation and day queue here, so capacity can never be exceeded.
pub async fn lock_count(tx: &TenantTx, prestation: &str, day: NaiveDate) -> Result<i32, DbErr> {
    tx.run("INSERT INTO day_counts (prestation_code, day, booked) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
        [prestation.into(), day.into()])
    .await?;
    let row = tx
        .query_one_raw(sql(
            "SELECT booked FROM day_counts WHERE prestation_code = $1 AND day = $2 FOR UPDATE",
            [prestation.into(), day.into()],
        ))
        .await?
        .expect("inserted above");
    row.try_get("", "booked")
}

pub async fn book(
    tx: &TenantTx,
    child_id: Uuid,
    prestation: &str,
    day: NaiveDate,
    guardian: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO reservations (child_id, prestation_code, day, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        [child_id.into(), prestation.into(), day.into(), now.into(), guardian.into()])
    .await?;
    tx.run(
        "UPDATE day_counts SET booked = booked + 1 WHERE prestation_code = $1 AND day = $2",
        [prestation.into(), day.into()],
    )
    .await?;
    Ok(())
}

pub async fn cancel(
    tx: &TenantTx,
    child_id: Uuid,
    prestation: &str,
    day: NaiveDate,
) -> Result<(), DbErr> {
    tx.run(
        "DELETE FROM reservations WHERE child_id = $1 AND prestation_code = $2 AND day = $3",
        [child_id.into(), prestation.into(), day.into()],
    )
    .await?;
    tx.run(
        "UPDATE day_counts SET booked = booked - 1 WHERE prestation_code = $1 AND day = $2",
        [prestation.into(), day.into()],
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one column each
pub async fn record_event(
    tx: &TenantTx,
    household: Uuid,
    guardian: Uuid,
    child: Uuid,
    prestation: &str,
    day: NaiveDate,
    action: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tx.run("INSERT INTO reservation_events (at, household_id, guardian_id, child_id, prestation_code, day, action, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [now.into(), household.into(), guardian.into(), child.into(), prestation.into(), day.into(), action.into(), source.into()])
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub guardian: Option<String>,
    pub child: String,
    pub prestation: String,
    pub day: NaiveDate,
    pub action: String,
    pub source: String,
}

pub async fn history(tx: &TenantTx, household_id: Uuid, limit: i64) -> Result<Vec<Event>, DbErr> {
    tx.all("SELECT e.at, g.first_name || ' ' || upper(g.last_name) AS guardian, c.first_name AS child, coalesce(p.name, e.prestation_code) AS prestation,
                e.day, e.action, e.source
         FROM reservation_events e
         JOIN children c ON c.id = e.child_id
         LEFT JOIN guardians g ON g.id = e.guardian_id
         LEFT JOIN prestations p ON p.code = e.prestation_code
         WHERE e.household_id = $1 ORDER BY e.id DESC LIMIT $2",
        [household_id.into(), limit.into()]).await
}

/// Locks the count rows of `days` in date order (no deadlock between two bulk bookings) and
/// returns the places taken each day.
pub async fn lock_counts(
    tx: &TenantTx,
    prestation: &str,
    days: &[NaiveDate],
) -> Result<std::collections::HashMap<NaiveDate, i32>, DbErr> {
    let days: Vec<NaiveDate> = days.to_vec();
    tx.run("INSERT INTO day_counts (prestation_code, day, booked) SELECT $1, d, 0 FROM unnest($2::date[]) AS d ON CONFLICT DO NOTHING",
        [prestation.into(), days.clone().into()])
    .await?;
    Ok(tx
        .query_all_raw(sql(
            "SELECT day, booked FROM day_counts WHERE prestation_code = $1 AND day = ANY($2) ORDER BY day FOR UPDATE",
            [prestation.into(), days.into()],
        ))
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get::<NaiveDate>("", "day").ok()?, r.try_get::<i32>("", "booked").ok()?)))
        .collect())
}

pub async fn booked_for(
    tx: &TenantTx,
    children: &[Uuid],
    prestation: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, NaiveDate)>, DbErr> {
    Ok(tx
        .query_all_raw(sql(
            "SELECT child_id, day FROM reservations WHERE child_id = ANY($1) AND prestation_code = $2 AND day BETWEEN $3 AND $4",
            [children.to_vec().into(), prestation.into(), from.into(), to.into()],
        ))
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get::<Uuid>("", "child_id").ok()?, r.try_get::<NaiveDate>("", "day").ok()?)))
        .collect())
}

pub async fn enrolled_children(
    tx: &TenantTx,
    children: &[Uuid],
    prestation: &str,
) -> Result<std::collections::HashSet<Uuid>, DbErr> {
    Ok(tx
        .query_all_raw(sql(
            "SELECT child_id FROM enrolments WHERE child_id = ANY($1) AND prestation_code = $2",
            [children.to_vec().into(), prestation.into()],
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<Uuid>("", "child_id").ok())
        .collect())
}

/// Writes a bulk booking's decisions: reservations, counts and history, set-based.
pub async fn apply_bulk(
    tx: &TenantTx,
    signed: &crate::auth::session::SignedIn,
    prestation: &str,
    booked: &[super::rules::Decision],
    cancelled: &[super::rules::Decision],
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let split = |ds: &[super::rules::Decision]| -> (Vec<Uuid>, Vec<NaiveDate>) {
        (
            ds.iter().map(|d| d.child).collect(),
            ds.iter().map(|d| d.date).collect(),
        )
    };
    let (book_children, book_days) = split(booked);
    let (cancel_children, cancel_days) = split(cancelled);
    if !booked.is_empty() {
        tx.run(
            "INSERT INTO reservations (child_id, prestation_code, day, created_at, created_by)
             SELECT c, $3, d, $4, $5 FROM unnest($1::uuid[], $2::date[]) AS t(c, d)",
            [
                book_children.clone().into(),
                book_days.clone().into(),
                prestation.into(),
                now.into(),
                signed.guardian_id.into(),
            ],
        )
        .await?;
    }
    if !cancelled.is_empty() {
        tx.run(
            "DELETE FROM reservations r USING unnest($1::uuid[], $2::date[]) AS t(c, d)
             WHERE r.child_id = t.c AND r.day = t.d AND r.prestation_code = $3",
            [
                cancel_children.clone().into(),
                cancel_days.clone().into(),
                prestation.into(),
            ],
        )
        .await?;
    }
    // Net change of each day's count.
    let mut delta: std::collections::BTreeMap<NaiveDate, i32> = std::collections::BTreeMap::new();
    for d in &book_days {
        *delta.entry(*d).or_default() += 1;
    }
    for d in &cancel_days {
        *delta.entry(*d).or_default() -= 1;
    }
    let (days, changes): (Vec<NaiveDate>, Vec<i32>) =
        delta.into_iter().filter(|(_, n)| *n != 0).unzip();
    if !days.is_empty() {
        tx.run("UPDATE day_counts c SET booked = c.booked + t.n FROM unnest($2::date[], $3::int[]) AS t(d, n)
             WHERE c.prestation_code = $1 AND c.day = t.d",
            [prestation.into(), days.into(), changes.into()])
        .await?;
    }
    for (children, days, action) in [
        (book_children, book_days, "book"),
        (cancel_children, cancel_days, "cancel"),
    ] {
        if children.is_empty() {
            continue;
        }
        tx.run("INSERT INTO reservation_events (at, household_id, guardian_id, child_id, prestation_code, day, action, source)
             SELECT $3, $4, $5, c, $6, d, $7, $8 FROM unnest($1::uuid[], $2::date[]) AS t(c, d)",
            [children.into(), days.into(), now.into(), signed.household_id.into(), signed.guardian_id.into(), prestation.into(), action.into(), source.into()])
        .await?;
    }
    Ok(())
}

/// Everything the week's grid needs from the database, in one round trip: the household's
/// children, their enrolments, their bookings of the week, and the places taken those days.
pub struct WeekFacts {
    pub children: Vec<ChildRow>,
    pub enrolments: Vec<(Uuid, String)>,
    pub booked: Vec<(Uuid, String, NaiveDate)>,
    pub counts: Vec<(String, NaiveDate, i32)>,
}

#[derive(serde::Deserialize)]
struct ChildJson {
    id: Uuid,
    first_name: String,
    last_name: String,
    validated_at: Option<DateTime<Utc>>,
}

/// Everything the week's grid needs from the database ([`WeekFacts`]): one row of four JSON
/// arrays, sent with the page's other queries.
pub fn week_facts_query(
    household_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> portail_tenants::batch::Query<FactsRow> {
    portail_tenants::batch::Query::new(
            "WITH kids AS (SELECT * FROM children WHERE household_id = $1),
                  enrolled AS (SELECT e.child_id, e.prestation_code FROM enrolments e JOIN kids k ON k.id = e.child_id)
             SELECT
               (SELECT coalesce(json_agg(json_build_object('id', id, 'first_name', first_name, 'last_name', last_name, 'validated_at', validated_at)
                        ORDER BY birth_date, first_name), '[]') FROM kids) AS children,
               (SELECT coalesce(json_agg(json_build_array(child_id, prestation_code)), '[]') FROM enrolled) AS enrolments,
               (SELECT coalesce(json_agg(json_build_array(r.child_id, r.prestation_code, r.day)), '[]')
                  FROM reservations r JOIN kids k ON k.id = r.child_id WHERE r.day BETWEEN $2 AND $3) AS booked,
               (SELECT coalesce(json_agg(json_build_array(d.prestation_code, d.day, d.booked)), '[]')
                  FROM day_counts d WHERE d.day BETWEEN $2 AND $3 AND d.prestation_code IN (SELECT prestation_code FROM enrolled)) AS counts",
            [household_id.into(), from.into(), to.into()],
        )
}

/// The one row of [`week_facts_query`].
#[derive(serde::Deserialize)]
pub struct FactsRow {
    children: Vec<ChildJson>,
    enrolments: Vec<(Uuid, String)>,
    booked: Vec<(Uuid, String, NaiveDate)>,
    counts: Vec<(String, NaiveDate, i32)>,
}

impl WeekFacts {
    /// The facts out of the query's one row (always there: it is made of aggregates).
    pub fn of(rows: Vec<FactsRow>) -> Self {
        let row = rows.into_iter().next().expect("a row of aggregates");
        WeekFacts {
            children: row
                .children
                .into_iter()
                .map(|c| ChildRow {
                    id: c.id,
                    first_name: c.first_name,
                    last_name: c.last_name,
                    validated_at: c.validated_at,
                })
                .collect(),
            enrolments: row.enrolments,
            booked: row.booked,
            counts: row.counts,
        }
    }
}
