//! A fixed-window attempt counter for logins, per e-mail and per client
//! address. It lives in each instance's memory: with N instances behind a
//! load balancer an attacker gets at most N times the budget.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counts attempts per key within a window.
pub struct RateLimiter {
    window: Duration,
    limit: u32,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// `limit` attempts per key per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            window,
            limit,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt for `key`; `false` when the key is over its limit.
    pub fn attempt(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() > 100_000 {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_above_the_limit_are_refused_until_the_window_passes() {
        let limiter = RateLimiter::new(2, Duration::from_millis(50));
        assert!(limiter.attempt("a"));
        assert!(limiter.attempt("a"));
        assert!(!limiter.attempt("a"));
        assert!(limiter.attempt("b"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.attempt("a"));
    }
}
