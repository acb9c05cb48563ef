//! Which municipality a request is for: the first path segment, resolved against the registry.
//!
//! Invariants: there is no default tenant; an unknown slug answers 404 and a suspended one 503,
//! before any handler runs; a handler reaches tenant data only through the [`CurrentTenant`]
//! this module puts in the request, and through a `TenantTx` begun for it.

pub mod changes;
mod configs;
mod directory;
mod middleware;

pub use configs::{ConfigCache, current_config};
pub use directory::{Lookup, TenantDirectory};
pub use middleware::TenantResolution;

use portail_tenants::Tenant;
use std::sync::Arc;

/// The active municipality of the current request.
#[derive(Clone, Debug)]
pub struct CurrentTenant(pub Arc<Tenant>);

impl CurrentTenant {
    pub fn slug(&self) -> &str {
        &self.0.slug
    }
    pub fn schema(&self) -> &str {
        &self.0.schema_name
    }
}
