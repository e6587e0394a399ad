//! The per-caller rate limit, priced by query complexity (DESIGN.md section
//! 5): each user or API token has a bucket of points that refills evenly over
//! a minute; an operation costs its complexity. Kept in each instance's
//! memory, like the login limits.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use uuid::Uuid;

/// Points per caller per minute, and the callers' buckets.
pub struct Budget {
    per_minute: f64,
    buckets: Mutex<HashMap<Uuid, (Instant, f64)>>,
}

/// The outcome of charging an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Charge {
    /// Allowed; this many points are left.
    Allowed {
        /// Points left in the bucket.
        remaining: u64,
    },
    /// Refused; enough points will be there after this long.
    Refused {
        /// When to retry.
        retry_after: Duration,
    },
}

impl Budget {
    /// A budget of `per_minute` points per caller; 0 means unlimited.
    pub fn new(per_minute: u32) -> Self {
        Budget {
            per_minute: f64::from(per_minute),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The bucket size.
    pub fn limit(&self) -> u64 {
        self.per_minute as u64
    }

    /// Charges `cost` points to `caller`.
    pub fn charge(&self, caller: Uuid, cost: usize) -> Charge {
        if self.per_minute <= 0.0 {
            return Charge::Allowed {
                remaining: u64::MAX,
            };
        }
        let now = Instant::now();
        let rate = self.per_minute / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            buckets.retain(|_, (at, _)| now.duration_since(*at) < Duration::from_secs(60));
        }
        let (last, points) = buckets.entry(caller).or_insert((now, self.per_minute));
        *points = (*points + now.duration_since(*last).as_secs_f64() * rate).min(self.per_minute);
        *last = now;
        let cost = cost as f64;
        if cost <= *points {
            *points -= cost;
            Charge::Allowed {
                remaining: *points as u64,
            }
        } else {
            Charge::Refused {
                retry_after: Duration::from_secs_f64(((cost - *points) / rate).clamp(1.0, 3600.0)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_what_it_cannot_pay_and_says_when_to_retry() {
        let budget = Budget::new(100);
        let caller = Uuid::now_v7();
        assert_eq!(budget.charge(caller, 60), Charge::Allowed { remaining: 40 });
        assert!(
            matches!(budget.charge(caller, 60), Charge::Refused { retry_after } if retry_after.as_secs() >= 1)
        );
        assert_eq!(
            budget.charge(Uuid::now_v7(), 100),
            Charge::Allowed { remaining: 0 }
        );
        assert!(matches!(
            Budget::new(0).charge(caller, 1_000_000),
            Charge::Allowed { .. }
        ));
    }
}
