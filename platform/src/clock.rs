//! Time comes from an injectable clock, so expiry and deadline rules are testable at any
//! instant.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a chosen instant and then runs at the normal pace: what `portail
/// serve --test-clock` uses, so browser tests book fixed school-year dates whatever the date
/// of the run. Never the default: only that explicit flag makes one.
pub struct OffsetClock(chrono::Duration);

impl OffsetClock {
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self(at - Utc::now())
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// A clock that stays where tests put it.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("not poisoned") = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().expect("not poisoned") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("not poisoned")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_offset_clock_starts_where_asked_and_then_runs() {
        let start = Utc.with_ymd_and_hms(2027, 1, 11, 8, 0, 0).unwrap();
        let clock = OffsetClock::starting_at(start);
        let first = clock.now();
        assert!((first - start).num_seconds().abs() < 2, "{first}");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() > first, "it runs");
    }
}
