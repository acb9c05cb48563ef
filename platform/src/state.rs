//! What every request can reach: the tenant pool, the tenant directory, sessions,
//! throttling, the mail outboxes, metrics, the clock and settings.
//!
//! The PostgreSQL pool is private and held as a [`TenantPool`]: it opens tenant transactions
//! (through [`CurrentTenant::begin`](crate::tenancy::CurrentTenant::begin)) and nothing else,
//! so no request can query outside its municipality's schema.

use crate::auth::throttle::Throttle;
use crate::clock::Clock;
use crate::documents::gate::UploadGate;
use crate::http::metrics::Metrics;
use crate::mail::sender::Outboxes;
use crate::school_calendar::SchoolCalendars;
use crate::sessions::SessionStore;
use crate::settings::Settings;
use crate::tenancy::{ConfigCache, TenantDirectory, VersionCache};
use portail_tenants::TenantPool;
use std::sync::Arc;

pub struct AppState {
    pub settings: Settings,
    pool: TenantPool,
    pub redis: crate::redis_connection::SharedRedis,
    pub tenants: TenantDirectory,
    pub configs: ConfigCache,
    /// The portal texts of each municipality's configuration version.
    pub texts: VersionCache<crate::portal::repository::PortalTexts>,
    pub sessions: SessionStore,
    pub throttle: Throttle,
    pub outboxes: Arc<Outboxes>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
    pub school_calendars: SchoolCalendars,
    /// How many uploads are read and held at once.
    pub uploads: UploadGate,
}

/// What the state is made of, besides what it builds itself.
pub struct Parts {
    pub settings: Settings,
    pub pool: TenantPool,
    pub redis: crate::redis_connection::SharedRedis,
    pub tenants: TenantDirectory,
    pub clock: Arc<dyn Clock>,
    pub school_calendars: SchoolCalendars,
}

impl AppState {
    pub fn new(parts: Parts) -> Self {
        let Parts {
            settings,
            pool,
            redis,
            tenants,
            clock,
            school_calendars,
        } = parts;
        AppState {
            uploads: UploadGate::new(settings.upload_concurrency),
            settings,
            pool,
            tenants,
            configs: ConfigCache::default(),
            texts: VersionCache::default(),
            sessions: SessionStore::new(redis.clone()),
            throttle: Throttle::new(redis.clone()),
            outboxes: Arc::new(Outboxes::default()),
            metrics: Arc::new(Metrics::default()),
            redis,
            clock,
            school_calendars,
        }
    }

    /// The pool: tenant transactions (for `tenancy`), the readiness probe and the metrics.
    pub fn pool(&self) -> &TenantPool {
        &self.pool
    }
}
