//! What every request can reach: pools, the tenant directory, sessions, throttling, the mail
//! outboxes, metrics, the clock and settings.

use crate::auth::throttle::Throttle;
use crate::clock::Clock;
use crate::http::metrics::Metrics;
use crate::mail::sender::Outboxes;
use crate::school_calendar::SchoolCalendars;
use crate::sessions::SessionStore;
use crate::settings::Settings;
use crate::tenancy::{ConfigCache, TenantDirectory};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub struct AppState {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub redis: deadpool_redis::Pool,
    pub tenants: TenantDirectory,
    pub configs: ConfigCache,
    pub sessions: SessionStore,
    pub throttle: Throttle,
    pub outboxes: Arc<Outboxes>,
    pub metrics: Metrics,
    pub clock: Arc<dyn Clock>,
    pub school_calendars: SchoolCalendars,
}
