//! When the next attempt is due: exponential backoff with jitter, bounded.
//!
//! Sending: after the `n`-th failure in a row the next attempt waits a random time in
//! `[d/2, d]` with `d = min(base · 2^(n-1), cap)` ("equal jitter": never hammering, never
//! synchronised across messages after an outage), and after `max_attempts` failures the message
//! needs a person. Waiting for an answer the other side owes (a code after its 999) is polling,
//! not failing: the interval grows the same way from `poll_base` to `poll_cap`, and the message
//! needs a person only when no answer came within `answer_deadline`.

use serde::{Deserialize, Serialize};

/// The outbox's retry schedule (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub base_ms: i64,
    pub cap_ms: i64,
    /// Failed attempts in a row before the message needs attention.
    pub max_attempts: u32,
    pub poll_base_ms: i64,
    pub poll_cap_ms: i64,
    /// How long an answer may be awaited after the message was received.
    pub answer_deadline_ms: i64,
    /// How long a worker holds a message it is working on (a crashed worker's lease expires).
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    /// Production: 2 s doubling to 5 min, 12 attempts (≈ 35 min of trying), polls from 1 s to
    /// 1 min, an answer within 24 h.
    fn default() -> Self {
        RetryPolicy {
            base_ms: 2_000,
            cap_ms: 300_000,
            max_attempts: 12,
            poll_base_ms: 1_000,
            poll_cap_ms: 60_000,
            answer_deadline_ms: 24 * 3_600_000,
            // Longer than one attempt: a look-up and a send of 30 s each (the T-VAN adapter's
            // timeout), then applying the replies.
            lease_ms: 120_000,
        }
    }
}

impl RetryPolicy {
    /// A fast schedule for tests and measurements against the simulator.
    pub fn fast() -> Self {
        RetryPolicy {
            base_ms: 50,
            cap_ms: 2_000,
            max_attempts: 30,
            poll_base_ms: 20,
            poll_cap_ms: 500,
            answer_deadline_ms: 600_000,
            lease_ms: 5_000,
        }
    }

    /// The wait after the `failures`-th failure in a row; `unit` ∈ [0, 1) is the jitter draw.
    pub fn backoff_ms(&self, failures: u32, unit: f64) -> i64 {
        grow(self.base_ms, self.cap_ms, failures, unit)
    }

    /// The wait before the `polls`-th look for an answer.
    pub fn poll_ms(&self, polls: u32, unit: f64) -> i64 {
        grow(self.poll_base_ms, self.poll_cap_ms, polls, unit)
    }
}

fn grow(base: i64, cap: i64, n: u32, unit: f64) -> i64 {
    let exp = n.saturating_sub(1).min(40);
    let d = base.saturating_mul(1i64 << exp.min(62)).min(cap).max(1);
    let half = d / 2;
    half + ((d - half) as f64 * unit.clamp(0.0, 1.0)) as i64
}

/// A uniform draw in [0, 1) from the system's random generator (jitter needs no more).
pub fn jitter_unit() -> f64 {
    use aws_lc_rs::rand::SecureRandom;
    let mut b = [0u8; 8];
    if aws_lc_rs::rand::SystemRandom::new().fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_then_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ms(1, 1.0), 2_000);
        assert_eq!(p.backoff_ms(2, 1.0), 4_000);
        assert_eq!(p.backoff_ms(3, 0.0), 4_000);
        assert_eq!(p.backoff_ms(30, 1.0), 300_000);
        assert_eq!(p.backoff_ms(u32::MAX, 0.0), 150_000);
    }

    proptest! {
        #[test]
        fn always_within_half_to_full_of_the_capped_delay(n in 0u32..200, u in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let d = p.backoff_ms(n, u);
            let full = (p.base_ms << n.saturating_sub(1).min(20)).min(p.cap_ms);
            prop_assert!(d >= full / 2 && d <= full, "{n} {u} {d}");
        }
    }
}
