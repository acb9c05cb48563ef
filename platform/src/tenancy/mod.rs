//! Which municipality a request is for: the first path segment, resolved against the registry.
//!
//! Invariants: there is no default tenant; an unknown slug answers 404 and a suspended one 503,
//! before any handler runs; a handler reaches tenant data only through the [`CurrentTenant`]
//! this module puts in the request, and through a `TenantTx` begun for it.
//!
//! Who opens the transaction: a service function, never a handler (`pages.rs`, `api.rs`).
//! A public service function begins one with [`CurrentTenant::begin`] and commits it; the
//! steps it is made of take `&TenantTx`, so one use case can run two of them in one
//! transaction (`household::service::update_guardian` writes a guardian and their consents
//! together, or neither).
//!
//! A service reads tenant data like this (it compiles):
//!
//! ```no_run
//! # use portail::{state::AppState, tenancy::CurrentTenant};
//! # async fn f(state: &AppState, tenant: &CurrentTenant, id: uuid::Uuid) -> Result<(), sea_orm::DbErr> {
//! let tx = tenant.begin(state).await?;
//! let found = portail::household::repository::household(&tx, id).await?;
//! tx.commit().await?;
//! # Ok(()) }
//! ```
//!
//! A query without a tenant does not compile: the state's pool is private…
//!
//! ```compile_fail
//! # use portail::{state::AppState, tenancy::CurrentTenant};
//! # async fn f(state: &AppState, id: uuid::Uuid) -> Result<(), sea_orm::DbErr> {
//! let found = portail::household::repository::household(&state.db, id).await?;
//! # Ok(()) }
//! ```
//!
//! …and what it exposes runs no statement of its own:
//!
//! ```compile_fail
//! # use portail::state::AppState;
//! # use sea_orm::ConnectionTrait;
//! # async fn f(state: &AppState) -> Result<(), sea_orm::DbErr> {
//! state.pool().execute_unprepared("SELECT * FROM t_other_town.guardians").await?;
//! # Ok(()) }
//! ```
//!
//! Nor does a transaction in a schema named by a string:
//!
//! ```compile_fail
//! # use portail::state::AppState;
//! # async fn f(state: &AppState) -> Result<(), sea_orm::DbErr> {
//! let tx = state.pool().begin("t_other_town").await?;
//! # Ok(()) }
//! ```

pub mod changes;
mod configs;
mod directory;
mod middleware;

pub use configs::{ConfigCache, VersionCache, config, current_config};
pub use directory::{Lookup, TenantDirectory};
pub use middleware::TenantResolution;

use crate::state::AppState;
use portail_tenants::{SchemaName, Tenant, TenantTx};
use sea_orm::DbErr;
use std::sync::Arc;

/// The active municipality of the current request.
#[derive(Clone, Debug)]
pub struct CurrentTenant(pub Arc<Tenant>);

impl CurrentTenant {
    pub fn slug(&self) -> &str {
        &self.0.slug
    }
    pub fn schema(&self) -> &SchemaName {
        &self.0.schema_name
    }

    /// Begins a transaction inside this municipality's schema: the only way a request
    /// reaches tenant data.
    pub async fn begin(&self, state: &AppState) -> Result<TenantTx, DbErr> {
        state.pool().begin(&self.0.schema_name).await
    }

    /// As [`begin`](Self::begin), for a page that only reads: PostgreSQL refuses a write in
    /// it, and it ends with [`TenantTx::end_read`], without a round trip of its own.
    pub async fn begin_read(&self, state: &AppState) -> Result<TenantTx, DbErr> {
        state.pool().begin_read(&self.0.schema_name).await
    }
}
