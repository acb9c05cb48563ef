//! Several read-only queries of one page, sent to PostgreSQL as one statement.
//!
//! A page such as the signed-in home reads four lists that belong to four features. Sent one
//! by one, each costs a round trip (the server's and PostgreSQL's system calls and task
//! switches, more than the queries themselves). A [`Batch`] keeps each feature's SQL where it
//! is written, as a typed [`Query`], and sends them together: each query becomes a column of
//! one row holding its rows as JSON (`json_agg`), read back with serde.
//!
//! ```text
//! SELECT (SELECT coalesce(json_agg(q), '[]')::text FROM (<query 1>) q) AS c0,
//!        (SELECT coalesce(json_agg(q), '[]')::text FROM (<query 2, its $1 renumbered $2>) q) AS c1
//! ```
//!
//! Each column comes back as the JSON text PostgreSQL wrote, and serde reads the feature's
//! rows straight from it: no `serde_json::Value` tree is built and dropped in between (on the
//! busiest pages that tree was a twentieth of the server's time).
//!
//! Rows come back in the query's own `ORDER BY` (the aggregate reads its sorted subquery in
//! order). Column types must read back from JSON: dates, timestamps, UUIDs, text, integers,
//! booleans (no `bytea`, no `numeric` into an integer).

use crate::database::TenantTx;
use sea_orm::{DbErr, Value};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// One query and its parameters (`$1`, `$2`…), whose rows read as `T`.
pub struct Query<T> {
    sql: String,
    values: Vec<Value>,
    rows: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Query<T> {
    pub fn new(sql: impl Into<String>, values: impl IntoIterator<Item = Value>) -> Self {
        Self {
            sql: sql.into(),
            values: values.into_iter().collect(),
            rows: PhantomData,
        }
    }

    /// Runs the query alone: every row, read as `T`.
    pub async fn all(self, tx: &TenantTx) -> Result<Vec<T>, DbErr> {
        let mut batch = Batch::default();
        let rows = batch.add(self);
        tx.batch(batch).await?.take(rows)
    }
}

/// Where a query's rows are in the batch's answer.
pub struct Column<T> {
    index: usize,
    rows: PhantomData<fn() -> T>,
}

/// The queries to send together.
#[derive(Default)]
pub struct Batch {
    columns: Vec<String>,
    values: Vec<Value>,
}

impl Batch {
    /// Adds a query; its parameters are numbered after those of the queries added before.
    pub fn add<T: DeserializeOwned>(&mut self, query: Query<T>) -> Column<T> {
        let sql = renumber(&query.sql, self.values.len());
        let index = self.columns.len();
        self.columns.push(format!(
            "(SELECT coalesce(json_agg(q), '[]')::text FROM ({sql}) q) AS c{index}"
        ));
        self.values.extend(query.values);
        Column {
            index,
            rows: PhantomData,
        }
    }

    /// How many queries.
    pub(crate) fn len(&self) -> usize {
        self.columns.len()
    }

    /// The one statement and its parameters.
    pub(crate) fn into_statement(self) -> (String, Vec<Value>) {
        (format!("SELECT {}", self.columns.join(", ")), self.values)
    }
}

/// The answer of a batch: one JSON array per query, as text.
pub struct Answer {
    columns: Vec<String>,
}

impl Answer {
    pub(crate) fn new(columns: Vec<String>) -> Self {
        Self { columns }
    }

    /// The rows of one query.
    pub fn take<T: DeserializeOwned>(&mut self, column: Column<T>) -> Result<Vec<T>, DbErr> {
        let rows = std::mem::take(&mut self.columns[column.index]);
        serde_json::from_str(&rows)
            .map_err(|e| DbErr::Custom(format!("batch column {}: {e}", column.index)))
    }

    /// The first row of a query, if any.
    pub fn first<T: DeserializeOwned>(&mut self, column: Column<T>) -> Result<Option<T>, DbErr> {
        Ok(self.take(column)?.into_iter().next())
    }
}

/// Shifts every parameter `$n` of `sql` by `offset`, outside quoted text and identifiers.
/// The portal's SQL does not use dollar-quoted strings.
fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n: usize = digits.parse().expect("ASCII digits");
                out.push('$');
                out.push_str(&(n + offset).to_string());
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::renumber;

    #[test]
    fn parameters_are_shifted_outside_quotes() {
        assert_eq!(
            renumber("SELECT $1, $12 FROM t WHERE a = '$1' AND \"$2\" = $2", 3),
            "SELECT $4, $15 FROM t WHERE a = '$1' AND \"$2\" = $5"
        );
        assert_eq!(renumber("SELECT $1", 0), "SELECT $1");
    }
}
