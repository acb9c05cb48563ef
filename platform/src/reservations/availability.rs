//! The week's calendar rules of a municipality (which prestation runs which day, and the
//! deadlines), cached in Redis under `t:<slug>:availability:v<config version>:<week>`. A
//! `portail tenant update` bumps the version, so a changed configuration is never served from
//! the cache; old entries expire within a day. When Redis is down, the rules are computed
//! again for the request: the grid works, without the cache.

use super::rules::{DayRules, day_rules};
use crate::state::AppState;
use crate::tenancy::CurrentTenant;
use chrono::NaiveDate;
use portail_tenants::TenantConfig;
use portail_tenants::calendar::WeekId;
use redis::AsyncCommands;
use std::collections::HashMap;

/// Prestation code → the rules of each day of the week.
pub type WeekRules = HashMap<String, Vec<(NaiveDate, DayRules)>>;

const TTL_SECONDS: u64 = 24 * 3600;

pub fn compute(config: &TenantConfig, week: WeekId) -> WeekRules {
    config
        .prestations
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                week.days()
                    .iter()
                    .map(|d| (*d, day_rules(p, config.holiday_zone, &config.closures, *d)))
                    .collect(),
            )
        })
        .collect()
}

fn key(tenant: &CurrentTenant, week: WeekId) -> String {
    format!(
        "t:{}:availability:v{}:{week}",
        tenant.slug(),
        tenant.0.config_version
    )
}

pub async fn week_rules(
    state: &AppState,
    tenant: &CurrentTenant,
    config: &TenantConfig,
    week: WeekId,
) -> WeekRules {
    let key = key(tenant, week);
    let Ok(mut conn) = state.redis.get().await else {
        return compute(config, week);
    };
    let cached: Option<String> = conn.get(&key).await.ok().flatten();
    if let Some(rules) = cached.and_then(|raw| serde_json::from_str::<WeekRules>(&raw).ok()) {
        return rules;
    }
    let rules = compute(config, week);
    let _: Result<(), _> = conn
        .set_ex(
            &key,
            serde_json::to_string(&rules).expect("plain data"),
            TTL_SECONDS,
        )
        .await;
    rules
}
