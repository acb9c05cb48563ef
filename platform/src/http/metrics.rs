//! Prometheus metrics in text format: requests by route and status, a latency histogram by
//! route, and the use of the PostgreSQL and Redis pools. Routes are the router's patterns
//! (`/:slug/`), never raw paths, so the number of series stays bounded.

use poem::{Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
/// Past this many distinct routes, the rest are counted under `other`.
const MAX_ROUTES: usize = 200;

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// What the pools hold when the metrics are read.
pub struct Pools {
    /// PostgreSQL: connections held, of which idle, and the bound.
    pub postgres: (u32, usize, u32),
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

impl Metrics {
    pub fn record(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().expect("not poisoned");
        let route = if routes.contains_key(route) || routes.len() < MAX_ROUTES {
            route
        } else {
            "other"
        };
        let stats = routes.entry(route.to_string()).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                stats.buckets[i] += 1;
            }
        }
        stats.count += 1;
        stats.sum += seconds;
    }

    pub fn render(&self, pools: Pools) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().expect("not poisoned");
        out.push_str("# HELP portail_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE portail_http_requests_total counter\n");
        for (route, stats) in routes.iter() {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "portail_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP portail_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE portail_http_request_duration_seconds histogram\n");
        for (route, stats) in routes.iter() {
            let route = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "portail_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    stats.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "portail_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "portail_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                stats.sum
            );
            let _ = writeln!(
                out,
                "portail_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            );
        }
        drop(routes);
        let (pg_size, pg_idle, pg_max) = pools.postgres;
        out.push_str("# HELP portail_pool_connections Connections held by the pools, by state.\n");
        out.push_str("# TYPE portail_pool_connections gauge\n");
        let (pg_size, pg_idle) = (pg_size as u64, pg_idle as u64);
        let _ = writeln!(
            out,
            "portail_pool_connections{{pool=\"postgres\",state=\"idle\"}} {pg_idle}"
        );
        let _ = writeln!(
            out,
            "portail_pool_connections{{pool=\"postgres\",state=\"busy\"}} {}",
            pg_size.saturating_sub(pg_idle)
        );
        out.push_str("# HELP portail_pool_max_connections Upper bound of each pool.\n");
        out.push_str("# TYPE portail_pool_max_connections gauge\n");
        let _ = writeln!(
            out,
            "portail_pool_max_connections{{pool=\"postgres\"}} {}",
            pg_max
        );
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Records every response, and logs it at `debug` with its route and tenant.
pub struct RecordMetrics {
    pub metrics: Arc<Metrics>,
}

impl<E: Endpoint> Middleware<E> for RecordMetrics {
    type Output = RecordMetricsEndpoint<E>;
    fn transform(&self, inner: E) -> Self::Output {
        RecordMetricsEndpoint {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

pub struct RecordMetricsEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
}

impl<E: Endpoint> Endpoint for RecordMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let started = Instant::now();
        let method = req.method().clone();
        let response = match self.inner.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        let route = response
            .data::<PathPattern>()
            .map(|p| p.0.to_string())
            .map(|p| if p.is_empty() { "/".to_string() } else { p })
            .unwrap_or_else(|| "unmatched".to_string());
        let status = response.status().as_u16();
        let seconds = started.elapsed().as_secs_f64();
        self.metrics.record(&route, status, seconds);
        tracing::debug!(http.method = %method, http.route = %route, http.status = status, duration_ms = seconds * 1000.0, "request");
        Ok(response)
    }
}
