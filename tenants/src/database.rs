//! Connections and the tenant transaction.
//!
//! Tenant data is reached only through a [`TenantTx`]: a transaction whose `search_path` is
//! the tenant's schema alone, set with `set_config(…, true)` so it ends with the transaction
//! (commit, rollback, or a dropped future) and never leaks to the next user of a pooled
//! connection, even behind a pooler in transaction mode. Repositories take `&TenantTx`, so a
//! query without a tenant does not compile.

use crate::slug::quoted_schema;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, Statement, TransactionTrait,
};
use std::ops::Deref;
use std::time::Duration;

/// Opens the pool, checking that PostgreSQL answers. `max_connections` bounds what one
/// process holds.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    Database::connect(options(url, max_connections)).await
}

/// Opens the pool without connecting yet: the service starts (not ready) while PostgreSQL is
/// down and connects when it returns.
pub async fn connect_lazy(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(url, max_connections);
    options.connect_lazy(true);
    Database::connect(options).await
}

fn options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
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
    /// Begins a transaction and scopes its `search_path` to `schema` (a registry schema name).
    pub async fn begin(db: &DatabaseConnection, schema: &str) -> Result<Self, DbErr> {
        let tx = db.begin().await?;
        scope_to_schema(&tx, schema).await?;
        Ok(Self { tx })
    }

    /// Scopes an already open transaction (provisioning creates the schema in the same one).
    pub async fn within(tx: DatabaseTransaction, schema: &str) -> Result<Self, DbErr> {
        scope_to_schema(&tx, schema).await?;
        Ok(Self { tx })
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

impl Deref for TenantTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

async fn scope_to_schema(tx: &DatabaseTransaction, schema: &str) -> Result<(), DbErr> {
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('search_path', $1, true)",
        [quoted_schema(schema).into()],
    ))
    .await?;
    Ok(())
}

/// Shorthand for a PostgreSQL statement with positional values.
pub fn sql<I>(text: &str, values: I) -> Statement
where
    I: IntoIterator<Item = sea_orm::Value>,
{
    Statement::from_sql_and_values(DbBackend::Postgres, text, values)
}
