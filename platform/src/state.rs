//! What every request can reach: pools, the tenant directory, sessions, metrics, settings.

use crate::http::metrics::Metrics;
use crate::sessions::SessionStore;
use crate::settings::Settings;
use crate::tenancy::TenantDirectory;
use sea_orm::DatabaseConnection;

pub struct AppState {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub redis: deadpool_redis::Pool,
    pub tenants: TenantDirectory,
    pub sessions: SessionStore,
    pub metrics: Metrics,
}
