//! Probes for orchestrators: `/healthz` says the process answers; `/readyz` says it can serve,
//! i.e. PostgreSQL and Redis both answer within a second.

use super::metrics::Pools;
use crate::state::AppState;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[handler]
pub async fn readyz(Data(state): Data<&Arc<AppState>>) -> Response {
    let (postgres, redis) = tokio::join!(postgres_answers(state), redis_answers(state));
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    let body = Json(json!({
        "status": if postgres && redis { "ready" } else { "unavailable" },
        "postgres": word(postgres),
        "redis": word(redis),
    }));
    let status = if postgres && redis {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    body.with_status(status).into_response()
}

async fn postgres_answers(state: &AppState) -> bool {
    let probe = state.pool().ping();
    matches!(tokio::time::timeout(PROBE_TIMEOUT, probe).await, Ok(Ok(_)))
}

async fn redis_answers(state: &AppState) -> bool {
    let probe = async {
        let mut conn = state.redis.connection();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    };
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, probe).await,
        Ok(Some(_))
    )
}

#[handler]
pub async fn metrics(Data(state): Data<&Arc<AppState>>) -> Response {
    let (size, idle) = state.pool().connections();
    let pools = Pools {
        postgres: (size, idle, state.settings.database_max_connections),
    };
    let calendar = state.school_calendars.current().await;
    let today = portail_tenants::calendar::paris_date(state.clock.now());
    let mut out = state.metrics.render(pools);
    out.push_str(&crate::school_calendar::metrics(&calendar.calendar, today));
    out.with_content_type("text/plain; version=0.0.4; charset=utf-8")
        .into_response()
}
