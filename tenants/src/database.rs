//! Connections and the tenant transaction.
//!
//! Tenant data is reached only through a [`TenantTx`]: a transaction whose `search_path` is
//! the tenant's schema alone, set with `SET LOCAL` so it ends with the transaction
//! (commit, rollback, or a dropped future) and never leaks to the next user of a pooled
//! connection, even behind a pooler in transaction mode. Repositories take `&TenantTx`, so a
//! query without a tenant does not compile.
//!
//! A `TenantTx` begins only for a [`SchemaName`], which only the registry (a row of
//! `public.tenants`) and [`Slug::schema_name`](crate::Slug::schema_name) make; a name typed
//! as a string is refused by the compiler:
//!
//! ```compile_fail
//! # async fn f(db: &sea_orm::DatabaseConnection) {
//! let tx = portail_tenants::TenantTx::begin(db, "t_other_town").await;
//! # }
//! ```
//!
//! ```compile_fail
//! let schema = portail_tenants::SchemaName("t_other_town".to_string());
//! ```
//!
//! The service holds its pool as a [`TenantPool`], which runs no statement of its own: the
//! only thing it opens is a tenant transaction. The one exception lives in this crate, out of
//! the service's reach: [`crate::configuration::update_texts`] writes a new configuration
//! version of one municipality (its registry row and its `settings`), as staff's portal texts.

use crate::slug::{SchemaName, quoted_schema};
use sea_orm::sqlx;
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, ExecResult, FromQueryResult, QueryResult, RuntimeErr,
    Statement, Value,
};
use sea_query_sqlx::SqlxValues;
use std::time::Duration;
use tokio::sync::Mutex;

/// What stands between the service and PostgreSQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler in session mode: a connection is ours for as long as we
    /// hold it, so each statement is prepared once per connection and kept.
    #[default]
    Direct,
    /// A pooler in transaction mode (PgBouncer before 1.21, which does not track prepared
    /// statements): a server connection is ours only for one transaction. No prepared statement
    /// is kept past it: the statement cache is off, every statement of the service runs inside
    /// a transaction, and the pooler drops what was prepared when it hands the connection on
    /// (`server_reset_query = DEALLOCATE ALL` with `server_reset_query_always = 1`).
    Transaction,
}

/// Opens the pool, checking that PostgreSQL answers. `max_connections` bounds what one
/// process holds.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    connect_through(url, max_connections, Pooler::Direct).await
}

/// As [`connect`], through a pooler.
pub async fn connect_through(
    url: &str,
    max_connections: u32,
    pooler: Pooler,
) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url, max_connections, pooler)).await
}

/// Opens the pool without connecting yet: the service starts (not ready) while PostgreSQL is
/// down and connects when it returns.
pub async fn connect_lazy(
    url: &str,
    max_connections: u32,
    pooler: Pooler,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(url, max_connections, pooler);
    options.connect_lazy(true);
    Database::connect(options).await
}

fn options(url: &str, max_connections: u32, pooler: Pooler) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    if pooler == Pooler::Transaction {
        options.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(0));
    }
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        // A ping before every checkout would cost a round trip per request: only connections
        // idle for 30 s, which a firewall or a restart may have cut, are checked.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    options
}

/// A transaction inside one tenant's schema.
///
/// The service's transactions begin with `BEGIN` and the transaction-local `search_path` in
/// one simple-protocol message, so scoping costs no round trip of its own. The schema name
/// is a [`SchemaName`] (validated, then quoted), so it can stand as a literal there.
/// Provisioning scopes a sea-orm transaction it began itself ([`TenantTx::within`]).
pub struct TenantTx {
    inner: Inner,
}

enum Inner {
    Pooled(Mutex<sqlx::Transaction<'static, sqlx::Postgres>>),
    Provisioning(DatabaseTransaction),
}

impl TenantTx {
    /// Begins a transaction and scopes its `search_path` to `schema`.
    pub async fn begin(db: &DatabaseConnection, schema: &SchemaName) -> Result<Self, DbErr> {
        Self::begin_as(db, schema, "BEGIN").await
    }

    /// Begins a transaction that only reads (a page's queries): PostgreSQL refuses any write
    /// in it, and it ends with [`end_read`](Self::end_read), without a round trip of its own.
    pub async fn begin_read(db: &DatabaseConnection, schema: &SchemaName) -> Result<Self, DbErr> {
        Self::begin_as(db, schema, "BEGIN READ ONLY").await
    }

    async fn begin_as(
        db: &DatabaseConnection,
        schema: &SchemaName,
        begin: &str,
    ) -> Result<Self, DbErr> {
        // `SET LOCAL` ends with the transaction, and PostgreSQL runs it without planning it
        // (a `SELECT set_config(…)` is planned on every request).
        let begin = format!(
            "{begin}; SET LOCAL search_path TO {}",
            quoted_schema(schema.as_str())
        );
        let tx = db
            .get_postgres_connection_pool()
            .begin_with(sqlx::AssertSqlSafe(begin))
            .await
            .map_err(begin_error)?;
        Ok(Self {
            inner: Inner::Pooled(Mutex::new(tx)),
        })
    }

    /// Scopes an already open transaction (provisioning creates the schema in the same one).
    pub async fn within(tx: DatabaseTransaction, schema: &SchemaName) -> Result<Self, DbErr> {
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('search_path', $1, true)",
            [quoted_schema(schema.as_str()).into()],
        ))
        .await?;
        Ok(Self {
            inner: Inner::Provisioning(tx),
        })
    }

    /// The sea-orm transaction of provisioning, for the migrator and the registry's rows.
    pub(crate) fn provisioning(&self) -> &DatabaseTransaction {
        match &self.inner {
            Inner::Provisioning(tx) => tx,
            Inner::Pooled(_) => unreachable!("only TenantTx::within scopes a sea-orm transaction"),
        }
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self.inner {
            Inner::Pooled(tx) => tx.into_inner().commit().await.map_err(query_error),
            Inner::Provisioning(tx) => tx.commit().await,
        }
    }

    /// Ends a transaction begun with [`begin_read`](Self::begin_read). It is dropped: sqlx then
    /// queues its `ROLLBACK` (its documented behaviour for a dropped transaction), which goes to
    /// PostgreSQL in the same write as the check the pool makes of every connection it takes
    /// back, after the answer has left. Nothing was written, so rolling back is committing.
    pub fn end_read(self) {
        drop(self);
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        match self.inner {
            Inner::Pooled(tx) => tx.into_inner().rollback().await.map_err(query_error),
            Inner::Provisioning(tx) => tx.rollback().await,
        }
    }

    /// Every row of a query, read as `T`.
    pub async fn all<T: FromQueryResult>(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Vec<T>, DbErr> {
        self.query_all_raw(sql(text, values))
            .await?
            .iter()
            .map(|r| T::from_query_result(r, ""))
            .collect()
    }

    /// The first row of a query, if any, read as `T`.
    pub async fn one<T: FromQueryResult>(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Option<T>, DbErr> {
        self.query_one_raw(sql(text, values))
            .await?
            .map(|r| T::from_query_result(&r, ""))
            .transpose()
    }

    /// Whether a query finds a row.
    pub async fn exists(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<bool, DbErr> {
        Ok(self.query_one_raw(sql(text, values)).await?.is_some())
    }

    /// Sends a [`Batch`](crate::batch::Batch) of queries as one statement: one round trip.
    pub async fn batch(&self, batch: crate::batch::Batch) -> Result<crate::batch::Answer, DbErr> {
        let queries = batch.len();
        let (text, values) = batch.into_statement();
        let row = self
            .query_one_raw(sql(&text, values))
            .await?
            .ok_or_else(|| DbErr::Custom("a batch answers one row".into()))?;
        let columns = (0..queries)
            .map(|i| row.try_get_by_index::<String>(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(crate::batch::Answer::new(columns))
    }

    /// Runs a statement; how many rows it touched.
    pub async fn run(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<u64, DbErr> {
        Ok(self.execute_raw(sql(text, values)).await?.rows_affected())
    }
}

/// A transaction that cannot begin is the database's unavailability (503), as sea-orm says it.
fn begin_error(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}

/// Whether an error is PostgreSQL being out of reach rather than a fault of the statement:
/// no connection to be had, the connection cut (a restart, a failover, a network fault), or
/// the server shutting down or starting up. What was running then is rolled back by
/// PostgreSQL, so the service answers 503 and the person may try again.
pub fn is_unavailable(e: &DbErr) -> bool {
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            cut_off(e)
        }
        _ => false,
    }
}

fn cut_off(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57P01-57P03: the server is shutting down or
        // starting (`admin_shutdown`, `crash_shutdown`, `cannot_connect_now`).
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

fn query_error(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e.into()))
}

fn exec_error(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}

/// A sea-orm statement as sqlx runs it (what sea-orm's own driver does).
fn bound(stmt: &Statement) -> sqlx::query::Query<'_, sqlx::Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for TenantTx {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match &self.inner {
            Inner::Pooled(tx) => bound(&stmt)
                .execute(&mut **tx.lock().await)
                .await
                .map(Into::into)
                .map_err(exec_error),
            Inner::Provisioning(tx) => tx.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, text: &str) -> Result<ExecResult, DbErr> {
        match &self.inner {
            Inner::Pooled(tx) => {
                let mut tx = tx.lock().await;
                sqlx::Executor::execute(&mut **tx, sqlx::AssertSqlSafe(text.to_owned()))
                    .await
                    .map(Into::into)
                    .map_err(exec_error)
            }
            Inner::Provisioning(tx) => tx.execute_unprepared(text).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.inner {
            Inner::Pooled(tx) => bound(&stmt)
                .fetch_optional(&mut **tx.lock().await)
                .await
                .map(|row| row.map(Into::into))
                .map_err(query_error),
            Inner::Provisioning(tx) => tx.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.inner {
            Inner::Pooled(tx) => bound(&stmt)
                .fetch_all(&mut **tx.lock().await)
                .await
                .map(|rows| rows.into_iter().map(Into::into).collect())
                .map_err(query_error),
            Inner::Provisioning(tx) => tx.query_all_raw(stmt).await,
        }
    }
}

/// The service's pool: it opens tenant transactions, answers a liveness probe and counts its
/// connections, and runs nothing else (but the narrow services of [`crate::configuration`]).
#[derive(Clone)]
pub struct TenantPool(DatabaseConnection);

impl TenantPool {
    pub fn new(db: DatabaseConnection) -> Self {
        Self(db)
    }

    pub async fn begin(&self, schema: &SchemaName) -> Result<TenantTx, DbErr> {
        TenantTx::begin(&self.0, schema).await
    }

    /// A transaction that only reads ([`TenantTx::begin_read`]).
    pub async fn begin_read(&self, schema: &SchemaName) -> Result<TenantTx, DbErr> {
        TenantTx::begin_read(&self.0, schema).await
    }

    /// The registry side, for the narrow services of this crate that write a new
    /// configuration version ([`crate::configuration`]); never handed out.
    pub(crate) fn registry(&self) -> &DatabaseConnection {
        &self.0
    }

    /// `SELECT 1`: whether PostgreSQL answers.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.0.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    /// (connections held, of which idle).
    pub fn connections(&self) -> (u32, usize) {
        let pool = self.0.get_postgres_connection_pool();
        (pool.size(), pool.num_idle())
    }
}

/// Shorthand for a PostgreSQL statement with positional values.
pub fn sql<I>(text: &str, values: I) -> Statement
where
    I: IntoIterator<Item = sea_orm::Value>,
{
    Statement::from_sql_and_values(DbBackend::Postgres, text, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn query(e: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
    }

    #[test]
    fn a_cut_connection_is_unavailability_and_a_bad_statement_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_unavailable(&query(sqlx::Error::Io(reset))));
        assert!(is_unavailable(&query(sqlx::Error::PoolTimedOut)));
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            ConnAcquireErr::Timeout
        )));
        assert!(!is_unavailable(&query(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
    }
}
