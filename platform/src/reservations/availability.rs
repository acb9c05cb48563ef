//! The week's calendar rules of a municipality (which prestation runs which day, and the
//! deadlines), cached in Redis under
//! `t:<slug>:availability:v<config version>:<calendar version>:<week>`. A `portail tenant
//! update` bumps the configuration version and `portail calendar import` the calendar's, so
//! neither is ever served from an old cache entry; old entries expire within a day. When Redis is down, the rules are computed
//! again for the request: the grid works, without the cache. Each process also remembers the
//! entries it has read (they never change), so the hot path costs no round trip. Each process also remembers the
//! entries it has read (they never change), so the hot path costs no round trip.

use super::rules::{DayRules, day_rules};
use crate::school_calendar::InForce;
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::NaiveDate;
use portail_tenants::TenantConfig;
use portail_tenants::calendar::{SchoolCalendar, WeekId};
use redis::AsyncCommands;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Prestation code → the rules of each day of the week.
pub type WeekRules = HashMap<String, Vec<(NaiveDate, DayRules)>>;

const TTL_SECONDS: u64 = 24 * 3600;

pub fn compute(config: &TenantConfig, calendar: &SchoolCalendar, week: WeekId) -> WeekRules {
    config
        .prestations
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                week.days()
                    .iter()
                    .map(|d| {
                        let rules =
                            day_rules(p, calendar, config.holiday_zone, &config.closures, *d);
                        (*d, rules)
                    })
                    .collect(),
            )
        })
        .collect()
}

fn key(tenant: &CurrentTenant, calendar: &InForce, week: WeekId) -> String {
    format!(
        "t:{}:availability:v{}:{}:{week}",
        tenant.slug(),
        tenant.0.config_version,
        calendar.version
    )
}

/// Entries are immutable (a new configuration has a new key), so each process also keeps the
/// ones it has read, bounded, and asks Redis only for weeks it has not seen.
static SEEN: LazyLock<Mutex<HashMap<String, Arc<WeekRules>>>> = LazyLock::new(Default::default);
const SEEN_MAX: usize = 10_000;

pub async fn week_rules(
    state: &AppState,
    tenant: &CurrentTenant,
    config: &TenantConfig,
    calendar: &InForce,
    week: WeekId,
) -> Arc<WeekRules> {
    let key = key(tenant, calendar, week);
    if let Some(rules) = SEEN.lock().expect("not poisoned").get(&key) {
        return rules.clone();
    }
    let rules =
        Arc::new(from_redis_or_compute(state, &key, config, &calendar.calendar, week).await);
    let mut seen = SEEN.lock().expect("not poisoned");
    if seen.len() >= SEEN_MAX {
        seen.clear();
    }
    seen.insert(key, rules.clone());
    rules
}

async fn from_redis_or_compute(
    state: &AppState,
    key: &str,
    config: &TenantConfig,
    calendar: &SchoolCalendar,
    week: WeekId,
) -> WeekRules {
    let mut conn = state.redis.connection();
    let cached: Option<String> = conn.get(key).await.ok().flatten();
    if let Some(rules) = cached.and_then(|raw| serde_json::from_str::<WeekRules>(&raw).ok()) {
        return rules;
    }
    let rules = compute(config, calendar, week);
    let _: Result<(), _> = conn
        .set_ex(
            key,
            serde_json::to_string(&rules).expect("plain data"),
            TTL_SECONDS,
        )
        .await;
    rules
}
