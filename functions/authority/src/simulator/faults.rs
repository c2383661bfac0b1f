//! The simulator's fault modes: what goes wrong between hoadon and the authority, on purpose,
//! so that the outbox's retries, look-ups and de-duplication can be tested and measured.
//!
//! Each fault has a **fraction** of the messages it hits: `0.0` never, `1.0` every message (a
//! fault "per run"), anything between picks messages **deterministically**: a message is hit when
//! SHA-256(seed, fault name, `MTDiep`[, attempt]) read as a number in [0, 1) is below the
//! fraction. The same seed and messages give the same faults on every run, so a failing
//! measurement can be replayed.
//!
//! Faults that record nothing (`ack_error`) roll again on every attempt of the same `MTDiep`
//! (the attempt number is in the hash): they are transient, as a real technical error is.
//! Faults that record (`timeout_after_accept`, `duplicate_reply`, `reject`, `delay`) are decided
//! once, when the message is first accepted; a resubmission of it only gets its first 999 back.
//! `unavailable_for` is not per message: everything is `Unavailable` until the time passes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The fault configuration (`Simulator::set_faults` changes it at run time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Seed of the per-message choice.
    pub seed: u64,
    /// Replies (everything after the 999) become visible only this long after acceptance.
    pub delay: Duration,
    /// Fraction of accepted messages whose replies are delayed by `delay` (when `delay` is not
    /// zero). `None` means every message.
    pub delay_fraction: Option<f64>,
    /// Fraction of messages accepted and recorded while `submit` answers
    /// `AuthorityError::Timeout` (over HTTP: the request is held, then 504).
    pub timeout_after_accept: f64,
    /// Fraction of messages whose final reply (202, 204, 103, 301) appears twice, under two
    /// reply `MTDiep`s.
    pub duplicate_reply: f64,
    /// Fraction of submissions answered with a 999 carrying an error (`ack.injected`); nothing
    /// is recorded.
    pub ack_error: f64,
    /// Fraction of invoice messages (200, 203) answered with a 204 carrying `reject_codes`
    /// instead of their real outcome.
    pub reject: f64,
    /// The `MLoi` codes of an injected rejection (`reject.injected` when empty).
    pub reject_codes: Vec<String>,
}

/// The faults, by name, for hashing and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Delay,
    TimeoutAfterAccept,
    DuplicateReply,
    AckError,
    Reject,
}

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Delay => "delay",
            Fault::TimeoutAfterAccept => "timeout_after_accept",
            Fault::DuplicateReply => "duplicate_reply",
            Fault::AckError => "ack_error",
            Fault::Reject => "reject",
        }
    }
}

impl Faults {
    /// No fault at all.
    pub fn none() -> Self {
        Self::default()
    }

    fn fraction(&self, fault: Fault) -> f64 {
        match fault {
            Fault::Delay if self.delay.is_zero() => 0.0,
            Fault::Delay => self.delay_fraction.unwrap_or(1.0),
            Fault::TimeoutAfterAccept => self.timeout_after_accept,
            Fault::DuplicateReply => self.duplicate_reply,
            Fault::AckError => self.ack_error,
            Fault::Reject => self.reject,
        }
    }

    /// Whether `fault` hits the message `message_id` (on its `attempt`-th submission, for the
    /// transient faults; pass 0 for the others).
    pub fn hits(&self, fault: Fault, message_id: &str, attempt: u32) -> bool {
        let f = self.fraction(fault);
        if f.is_nan() || f <= 0.0 {
            return false;
        }
        if f >= 1.0 {
            return true;
        }
        let mut h = Sha256::new();
        h.update(self.seed.to_be_bytes());
        h.update(fault.name().as_bytes());
        h.update([0]);
        h.update(message_id.as_bytes());
        h.update(attempt.to_be_bytes());
        let d = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        // 53 bits: exactly representable in an f64.
        let x = (u64::from_be_bytes(first) >> 11) as f64 / (1u64 << 53) as f64;
        x < f
    }

    /// The codes of an injected rejection.
    pub fn reject_codes(&self) -> Vec<String> {
        if self.reject_codes.is_empty() {
            vec!["reject.injected".into()]
        } else {
            self.reject_codes.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_pick_about_that_many_messages_and_always_the_same_ones() {
        let f = Faults {
            seed: 7,
            reject: 0.25,
            ..Faults::none()
        };
        let ids: Vec<String> = (0..4000).map(|i| format!("V0101234565{i:032X}")).collect();
        let hit: Vec<bool> = ids.iter().map(|id| f.hits(Fault::Reject, id, 0)).collect();
        let n = hit.iter().filter(|h| **h).count();
        assert!((800..1200).contains(&n), "{n}");
        let again: Vec<bool> = ids.iter().map(|id| f.hits(Fault::Reject, id, 0)).collect();
        assert_eq!(hit, again);
        let other_seed = Faults {
            seed: 8,
            ..f.clone()
        };
        let moved = ids
            .iter()
            .zip(&hit)
            .filter(|(id, h)| other_seed.hits(Fault::Reject, id, 0) != **h)
            .count();
        assert!(moved > 0);
        assert!(!f.hits(Fault::AckError, &ids[0], 0));
        let all = Faults {
            ack_error: 1.0,
            ..Faults::none()
        };
        assert!(ids.iter().all(|id| all.hits(Fault::AckError, id, 3)));
        let nan = Faults {
            ack_error: f64::NAN,
            ..Faults::none()
        };
        assert!(!nan.hits(Fault::AckError, &ids[0], 0));
    }
}
