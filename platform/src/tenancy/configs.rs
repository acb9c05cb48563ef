//! Parsed configurations of the municipalities, kept per version: the booking rules read
//! them on every request, and a `tenant update` bumps the version, so a new one is read.

use portail_tenants::TenantConfig;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct ConfigCache {
    entries: RwLock<HashMap<String, (i32, Arc<TenantConfig>)>>,
}

impl ConfigCache {
    pub fn get(&self, slug: &str, version: i32) -> Option<Arc<TenantConfig>> {
        let entries = self.entries.read().expect("not poisoned");
        entries
            .get(slug)
            .filter(|(v, _)| *v == version)
            .map(|(_, c)| c.clone())
    }

    pub fn put(&self, slug: &str, version: i32, config: Arc<TenantConfig>) {
        let mut entries = self.entries.write().expect("not poisoned");
        // Bounded by the number of municipalities; one entry each.
        entries.insert(slug.to_string(), (version, config));
    }
}
