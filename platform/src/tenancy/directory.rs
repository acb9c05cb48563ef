//! A short-lived in-process cache of the registry, so resolving a slug costs no round trip on
//! most requests. A change of a municipality (suspension, configuration update) is announced
//! by PostgreSQL (`LISTEN`, see [`super::changes`]) and forgets its entry at once on every
//! replica; `ttl` only bounds staleness while that notification channel is down. While it is
//! up, a municipality found is kept for [`LISTENING_TTL`]: with many municipalities a short
//! TTL would send a large share of requests to the registry (a transaction of three round
//! trips) for nothing.

use portail_tenants::{Tenant, registry};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Unknown slugs are remembered too (so random paths cannot hammer PostgreSQL), but the cache
/// never grows past this many entries.
const MAX_ENTRIES: usize = 20_000;

/// How long a municipality found is trusted while the change notifications are received
/// (a bound in case one is lost all the same). Unknown slugs keep the short `ttl`: creating a
/// municipality announces nothing.
pub const LISTENING_TTL: Duration = Duration::from_secs(300);

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
    /// Whether the change notifications are being received ([`super::changes::follow`]).
    listening: AtomicBool,
}

impl TenantDirectory {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            entries: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
        }
    }

    /// Says whether changes are being received: while they are, municipalities found are
    /// kept for [`LISTENING_TTL`]. Stopping also forgets everything (announcements may have
    /// been missed); starting must follow a successful `LISTEN` and a [`forget_all`](Self::forget_all).
    pub fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::SeqCst);
        if !listening {
            self.forget_all();
        }
    }

    /// Whether an entry read at `at` (`found`: a municipality, not an unknown slug) holds.
    fn fresh(&self, at: Instant, found: bool) -> bool {
        let ttl = match found && self.listening.load(Ordering::SeqCst) {
            true => LISTENING_TTL.max(self.ttl),
            false => self.ttl,
        };
        at.elapsed() < ttl
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
            && self.fresh(*at, entry.is_some())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipalities_found_are_kept_longer_only_while_changes_are_received() {
        let directory = TenantDirectory::new(DatabaseConnection::default(), Duration::from_secs(2));
        let read = Instant::now() - Duration::from_secs(10);
        assert!(
            !directory.fresh(read, true),
            "the short TTL without the listener"
        );
        directory.set_listening(true);
        assert!(directory.fresh(read, true));
        assert!(
            !directory.fresh(read, false),
            "an unknown slug keeps the short TTL"
        );
        assert!(!directory.fresh(Instant::now() - LISTENING_TTL, true));
        directory.set_listening(false);
        assert!(
            !directory.fresh(read, true),
            "back to the short TTL when listening stops"
        );
    }
}
