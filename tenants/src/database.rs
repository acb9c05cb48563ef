//! Connections and the tenant transaction.
//!
//! Tenant data is reached only through a [`TenantTx`]: a transaction whose `search_path` is
//! the tenant's schema alone, set with `set_config(…, true)` so it ends with the transaction
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
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, FromQueryResult, Statement, TransactionTrait, Value,
};
use std::ops::Deref;
use std::time::Duration;

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
pub struct TenantTx {
    tx: DatabaseTransaction,
}

impl TenantTx {
    /// Begins a transaction and scopes its `search_path` to `schema`.
    pub async fn begin(db: &DatabaseConnection, schema: &SchemaName) -> Result<Self, DbErr> {
        let tx = db.begin().await?;
        scope_to_schema(&tx, schema).await?;
        Ok(Self { tx })
    }

    /// Scopes an already open transaction (provisioning creates the schema in the same one).
    pub async fn within(tx: DatabaseTransaction, schema: &SchemaName) -> Result<Self, DbErr> {
        scope_to_schema(&tx, schema).await?;
        Ok(Self { tx })
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }

    /// Every row of a query, read as `T`.
    pub async fn all<T: FromQueryResult>(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Vec<T>, DbErr> {
        self.tx
            .query_all_raw(sql(text, values))
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
        self.tx
            .query_one_raw(sql(text, values))
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
        Ok(self.tx.query_one_raw(sql(text, values)).await?.is_some())
    }

    /// Runs a statement; how many rows it touched.
    pub async fn run(
        &self,
        text: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<u64, DbErr> {
        Ok(self
            .tx
            .execute_raw(sql(text, values))
            .await?
            .rows_affected())
    }
}

impl Deref for TenantTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

async fn scope_to_schema(tx: &DatabaseTransaction, schema: &SchemaName) -> Result<(), DbErr> {
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('search_path', $1, true)",
        [quoted_schema(schema.as_str()).into()],
    ))
    .await?;
    Ok(())
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
