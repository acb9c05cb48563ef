//! The process's Redis connection: one multiplexed connection shared by every request.
//!
//! Requests pipeline their commands on it, so a session read costs one round trip and no
//! connection check-out (a pool pings each connection it hands out: a second round trip on
//! every request). It is made lazily, so the service starts (and says it is not ready) while
//! Redis is down; once Redis answers again it reconnects by itself. A command sent while Redis
//! is unreachable fails within the timeouts below, and callers refuse the request (503).

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

/// How long connecting, or waiting for an answer, may take before the command fails.
const TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct SharedRedis {
    manager: ConnectionManager,
}

impl SharedRedis {
    /// Prepares the connection to `url` without connecting yet.
    pub fn lazy(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            // One quick retry of the connection per command: a down Redis fails the request
            // fast instead of holding it through a long backoff.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
        Ok(Self { manager })
    }

    /// A handle on the shared connection (a cheap clone) to send commands with.
    pub fn connection(&self) -> ConnectionManager {
        self.manager.clone()
    }
}
