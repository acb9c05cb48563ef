//! A short-lived in-process cache of the registry, so resolving a slug costs no round trip on
//! most requests. Entries live `ttl`; a suspension made by the CLI therefore reaches every
//! replica within that time (2 s by default).

use portail_tenants::{Tenant, registry};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Unknown slugs are remembered too (so random paths cannot hammer PostgreSQL), but the cache
/// never grows past this many entries.
const MAX_ENTRIES: usize = 20_000;

pub enum Lookup {
    Found(Arc<Tenant>),
    Unknown,
}

/// When it was read, and the tenant (`None`: no such slug).
type Entry = (Instant, Option<Arc<Tenant>>);

pub struct TenantDirectory {
    db: DatabaseConnection,
    ttl: Duration,
    entries: RwLock<HashMap<String, Entry>>,
}

impl TenantDirectory {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub async fn lookup(&self, slug: &str) -> Result<Lookup, DbErr> {
        if let Some((at, entry)) = self.entries.read().expect("not poisoned").get(slug)
            && at.elapsed() < self.ttl
        {
            return Ok(entry.clone().map_or(Lookup::Unknown, Lookup::Found));
        }
        let found = registry::find(&self.db, slug).await?.map(Arc::new);
        let mut entries = self.entries.write().expect("not poisoned");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(slug.to_string(), (Instant::now(), found.clone()));
        Ok(found.map_or(Lookup::Unknown, Lookup::Found))
    }
}
