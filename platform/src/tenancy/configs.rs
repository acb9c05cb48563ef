//! Parsed configurations of the municipalities, kept per version: the booking rules read
//! them on every request, and a `tenant update` bumps the version, so a new one is read.
//! The portal texts (welcome text, notice, contact) are kept the same way: they change only
//! with a new configuration version (`tenant update`, staff's "Textes du portail").

use super::CurrentTenant;
use crate::state::AppState;
use portail_tenants::{TenantConfig, TenantTx};
use sea_orm::DbErr;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The municipality's configuration, parsed once per version and process. `tx` is only
/// read when this version has not been parsed yet.
pub async fn current_config(
    state: &AppState,
    tenant: &CurrentTenant,
    tx: &TenantTx,
) -> Result<Arc<TenantConfig>, DbErr> {
    let version = tenant.0.config_version;
    if let Some(found) = state.configs.get(tenant.slug(), version) {
        return Ok(found);
    }
    let parsed = Arc::new(crate::portal::repository::tenant_config(tx).await?);
    state.configs.put(tenant.slug(), version, parsed.clone());
    Ok(parsed)
}

/// The parsed configurations, one per municipality.
pub type ConfigCache = VersionCache<TenantConfig>;

/// What one configuration version of each municipality holds, read once per process.
pub struct VersionCache<T> {
    entries: RwLock<HashMap<String, (i32, Arc<T>)>>,
}

impl<T> Default for VersionCache<T> {
    fn default() -> Self {
        Self {
            entries: RwLock::default(),
        }
    }
}

impl<T> VersionCache<T> {
    pub fn get(&self, slug: &str, version: i32) -> Option<Arc<T>> {
        let entries = self.entries.read().expect("not poisoned");
        entries
            .get(slug)
            .filter(|(v, _)| *v == version)
            .map(|(_, c)| c.clone())
    }

    pub fn put(&self, slug: &str, version: i32, config: Arc<T>) {
        let mut entries = self.entries.write().expect("not poisoned");
        // Bounded by the number of municipalities; one entry each.
        entries.insert(slug.to_string(), (version, config));
    }
}

/// The municipality's configuration, from the cache or else read in a transaction of its own.
pub async fn config(state: &AppState, tenant: &CurrentTenant) -> Result<Arc<TenantConfig>, DbErr> {
    if let Some(found) = state.configs.get(tenant.slug(), tenant.0.config_version) {
        return Ok(found);
    }
    let tx = tenant.begin(state).await?;
    let config = current_config(state, tenant, &tx).await?;
    tx.commit().await?;
    Ok(config)
}
