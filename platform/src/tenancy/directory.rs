//! A short-lived in-process cache of the registry, so resolving a slug costs no round trip on
//! most requests. A change of a municipality (suspension, configuration update) is announced
//! by PostgreSQL (`LISTEN`, see [`super::changes`]) and forgets its entry at once on every
//! replica; `ttl` only bounds staleness while that notification channel is down.

use portail_tenants::{Tenant, registry};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Bumped by every change announced: a lookup that started before it does not keep what
    /// it read, which may predate the change.
    generation: AtomicU64,
}

impl TenantDirectory {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            entries: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// Forgets one municipality (a change was announced for it).
    pub fn forget(&self, slug: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.write().expect("not poisoned").remove(slug);
    }

    /// Forgets everything (announcements may have been missed).
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.write().expect("not poisoned").clear();
    }

    pub async fn lookup(&self, slug: &str) -> Result<Lookup, DbErr> {
        if let Some((at, entry)) = self.entries.read().expect("not poisoned").get(slug)
            && at.elapsed() < self.ttl
        {
            return Ok(entry.clone().map_or(Lookup::Unknown, Lookup::Found));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        // In a transaction, as every statement of the service: behind a transaction-mode
        // pooler a statement outside one may be prepared on one server and run on another.
        let tx = self.db.begin().await?;
        let found = registry::find(&tx, slug).await?.map(Arc::new);
        tx.commit().await?;
        let mut entries = self.entries.write().expect("not poisoned");
        if self.generation.load(Ordering::SeqCst) != generation {
            return Ok(found.map_or(Lookup::Unknown, Lookup::Found));
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(slug.to_string(), (Instant::now(), found.clone()));
        Ok(found.map_or(Lookup::Unknown, Lookup::Found))
    }
}
