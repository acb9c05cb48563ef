//! Sign-in throttling in Redis, per account and per client address: after 5 failures in a row
//! each new attempt waits longer (30 s, 1 min, 2 min… at most 15 min), and at most 25 failures
//! are allowed per 24 h. Counters expire by themselves, so nobody can lock an account for good;
//! a successful sign-in clears the account's counter. If Redis is unreachable, sign-in refuses
//! (the caller answers 503) rather than skipping the limiter.

use crate::redis_connection::SharedRedis;
use redis::AsyncCommands;

const FREE_FAILURES: i64 = 5;
const MAX_FAILURES_PER_DAY: i64 = 25;
/// Many families share one address (town hall Wi-Fi, mobile carrier NAT): more room per address.
const ADDRESS_FACTOR: i64 = 4;
const WINDOW_SECONDS: i64 = 24 * 3600;

#[derive(Debug, thiserror::Error)]
#[error("throttle store unavailable: {0}")]
pub struct Unavailable(String);

impl From<redis::RedisError> for Unavailable {
    fn from(e: redis::RedisError) -> Self {
        Unavailable(e.to_string())
    }
}

pub struct Throttle {
    redis: SharedRedis,
}

fn account_key(slug: &str, email: &str) -> String {
    format!(
        "t:{slug}:throttle:account:{}",
        super::tokens::token_hash(&email.to_lowercase())
    )
}

fn address_key(slug: &str, address: &str) -> String {
    format!("t:{slug}:throttle:address:{address}")
}

/// How long to wait after `failures` failures, where `free` are allowed without waiting.
fn wait_seconds(failures: i64, free: i64, max: i64, window_left: i64) -> i64 {
    if failures >= max {
        return window_left.max(1);
    }
    if failures < free {
        return 0;
    }
    (30i64 << (failures - free).min(5)).min(15 * 60)
}

impl Throttle {
    pub fn new(redis: SharedRedis) -> Self {
        Self { redis }
    }

    /// Seconds to wait before this attempt may be judged (0: go ahead).
    pub async fn wait(
        &self,
        slug: &str,
        email: &str,
        address: &str,
        now: i64,
    ) -> Result<i64, Unavailable> {
        let mut conn = self.redis.connection();
        let mut longest = 0;
        for (key, factor) in [
            (account_key(slug, email), 1),
            (address_key(slug, address), ADDRESS_FACTOR),
        ] {
            let (failures, last, first): (Option<i64>, Option<i64>, Option<i64>) =
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("failures")
                    .arg("last")
                    .arg("first")
                    .query_async(&mut conn)
                    .await?;
            let failures = failures.unwrap_or(0);
            if failures == 0 {
                continue;
            }
            let window_left = first.unwrap_or(now) + WINDOW_SECONDS - now;
            let max = MAX_FAILURES_PER_DAY * factor;
            // Past the day's cap the wait ends with the day, counted from the first failure,
            // not from the last one.
            let remaining = if failures >= max {
                window_left
            } else {
                let wait = wait_seconds(failures, FREE_FAILURES * factor, max, window_left);
                last.unwrap_or(now) + wait - now
            };
            longest = longest.max(remaining);
        }
        Ok(longest.max(0))
    }

    pub async fn record_failure(
        &self,
        slug: &str,
        email: &str,
        address: &str,
        now: i64,
    ) -> Result<(), Unavailable> {
        let mut conn = self.redis.connection();
        for key in [account_key(slug, email), address_key(slug, address)] {
            let _: () = redis::pipe()
                .atomic()
                .hincr(&key, "failures", 1)
                .hset(&key, "last", now)
                .hset_nx(&key, "first", now)
                .cmd("EXPIRE")
                .arg(&key)
                .arg(WINDOW_SECONDS)
                .arg("NX")
                .query_async(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// Counts a reset mail to `email`; false past 5 in an hour.
    pub async fn allow_reset_mail(&self, slug: &str, email: &str) -> Result<bool, Unavailable> {
        let mut conn = self.redis.connection();
        let key = format!(
            "t:{slug}:reset-mail:{}",
            super::tokens::token_hash(&email.to_lowercase())
        );
        let (count,): (i64,) = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .cmd("EXPIRE")
            .arg(&key)
            .arg(3600)
            .arg("NX")
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(count <= 5)
    }

    pub async fn record_success(&self, slug: &str, email: &str) -> Result<(), Unavailable> {
        let mut conn = self.redis.connection();
        let _: () = conn.del(account_key(slug, email)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::wait_seconds;

    #[test]
    fn five_failures_are_free_then_the_wait_grows_to_fifteen_minutes() {
        assert_eq!(wait_seconds(4, 5, 25, 86_400), 0);
        assert_eq!(wait_seconds(5, 5, 25, 86_400), 30);
        assert_eq!(wait_seconds(6, 5, 25, 86_400), 60);
        assert_eq!(wait_seconds(9, 5, 25, 86_400), 480);
        assert_eq!(wait_seconds(12, 5, 25, 86_400), 900);
    }

    #[test]
    fn the_twenty_fifth_failure_waits_for_the_end_of_the_day() {
        assert_eq!(wait_seconds(25, 5, 25, 3_600), 3_600);
    }
}
