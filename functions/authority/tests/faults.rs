//! The simulator's fault modes, one by one, and the outbox's recovery moves against them:
//! look up after a timeout, resend the same bytes after an outage or a technical error.

mod common;
use common::*;
use hoadon_authority::AuthorityError;
use hoadon_authority::simulator::{Clock, Faults, SimulatorConfig};
use hoadon_core::tdiep::{TDiep, accept_code};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn with(faults: Faults) -> hoadon_authority::Simulator {
    simulator(SimulatorConfig {
        faults,
        clock: Clock::fixed(FIXED_MS),
        ..SimulatorConfig::default()
    })
}

#[test]
fn timeout_after_accept_records_the_message_and_the_look_up_finds_it() {
    let sim = with(Faults {
        timeout_after_accept: 1.0,
        ..Faults::none()
    });
    let hdon = invoice("C25TAB", 1);
    let (id, m) = for_code(&hdon);
    let err = sim.handle(m.as_bytes()).unwrap_err();
    assert!(
        matches!(err, AuthorityError::Timeout(_)) && err.maybe_received(),
        "{err}"
    );
    // The outbox looks up before resending: the 999 and the 202 are there.
    let found = sim.replies_now(id.as_str()).unwrap();
    assert_eq!(kinds(&found), [999, 202]);
    accept_code(&[hdon], &found[1]).unwrap();
    // A resend of the same bytes is a duplicate: the same 999, no timeout, no second code.
    assert_eq!(sim.handle(m.as_bytes()).unwrap(), [found[0].clone()]);
    let c = sim.counters();
    assert_eq!(
        (c.accepted, c.timeouts, c.duplicates, c.codes_granted),
        (1, 1, 1, 1)
    );
}

#[test]
fn delay_hides_the_replies_until_their_time() {
    let now = Arc::new(AtomicU64::new(FIXED_MS));
    let clock = {
        let now = now.clone();
        Clock::from_fn(move || now.load(Ordering::SeqCst))
    };
    let sim = simulator(SimulatorConfig {
        faults: Faults {
            delay: Duration::from_millis(1500),
            ..Faults::none()
        },
        clock,
        ..SimulatorConfig::default()
    });
    let (id, m) = for_code(&invoice("C25TAB", 2));
    sim.handle(m.as_bytes()).unwrap();
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999]);
    now.fetch_add(1499, Ordering::SeqCst);
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999]);
    now.fetch_add(1, Ordering::SeqCst);
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999, 202]);
}

#[test]
fn duplicate_reply_shows_the_final_reply_twice_under_two_ids() {
    let sim = with(Faults {
        duplicate_reply: 1.0,
        ..Faults::none()
    });
    let hdon = invoice("C25TAB", 3);
    let (id, m) = for_code(&hdon);
    sim.handle(m.as_bytes()).unwrap();
    let r = sim.replies_now(id.as_str()).unwrap();
    assert_eq!(kinds(&r), [999, 202, 202]);
    let a = TDiep::read(&r[1]).unwrap().header;
    let b = TDiep::read(&r[2]).unwrap().header;
    assert_ne!(a.id, b.id);
    assert_eq!(a.reference, b.reference);
    let x = accept_code(std::slice::from_ref(&hdon), &r[1]).unwrap();
    let y = accept_code(std::slice::from_ref(&hdon), &r[2]).unwrap();
    assert_eq!(x[0].code, y[0].code);
    assert_eq!(sim.counters().codes_granted, 1);
}

#[test]
fn ack_error_records_nothing_and_a_later_attempt_rolls_again() {
    let sim = with(Faults {
        ack_error: 1.0,
        ..Faults::none()
    });
    let (id, m) = for_code(&invoice("C25TAB", 4));
    let r = sim.handle(m.as_bytes()).unwrap();
    assert_eq!(codes(&r[0]), ["ack.injected"]);
    assert!(sim.replies_now(id.as_str()).unwrap().is_empty());
    // Half the attempts fail: resending the same bytes gets through within a few attempts.
    sim.set_faults(Faults {
        ack_error: 0.5,
        seed: 3,
        ..Faults::none()
    });
    let mut attempts = 1;
    while !codes(&sim.handle(m.as_bytes()).unwrap()[0]).is_empty() {
        attempts += 1;
        assert!(attempts < 30, "never accepted");
    }
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999, 202]);
    assert!(sim.counters().ack_errors >= 1);
}

#[test]
fn reject_answers_a_204_with_the_given_codes_and_keeps_the_number_free() {
    let sim = with(Faults {
        reject: 1.0,
        reject_codes: vec!["20001".into(), "20002".into()],
        ..Faults::none()
    });
    let hdon = invoice("C25TAB", 5);
    let (id, m) = for_code(&hdon);
    sim.handle(m.as_bytes()).unwrap();
    let r = sim.replies_now(id.as_str()).unwrap();
    assert_eq!(codes(&r[1]), ["20001", "20002"]);
    sim.set_faults(Faults::none());
    let (id, m) = for_code(&hdon);
    sim.handle(m.as_bytes()).unwrap();
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999, 202]);
}

#[test]
fn unavailable_for_a_while_then_the_same_bytes_go_through() {
    let now = Arc::new(AtomicU64::new(FIXED_MS));
    let clock = {
        let now = now.clone();
        Clock::from_fn(move || now.load(Ordering::SeqCst))
    };
    let sim = simulator(SimulatorConfig {
        unavailable_for: Some(Duration::from_secs(60)),
        clock,
        ..SimulatorConfig::default()
    });
    let (id, m) = for_code(&invoice("C25TAB", 6));
    assert!(matches!(
        sim.handle(m.as_bytes()),
        Err(AuthorityError::Unavailable(_))
    ));
    assert!(matches!(
        sim.replies_now(id.as_str()),
        Err(AuthorityError::Unavailable(_))
    ));
    now.fetch_add(60_000, Ordering::SeqCst);
    sim.handle(m.as_bytes()).unwrap();
    assert_eq!(kinds(&sim.replies_now(id.as_str()).unwrap()), [999, 202]);
    sim.unavailable_for(Duration::from_secs(1));
    assert!(sim.handle(m.as_bytes()).is_err());
    let c = sim.counters();
    assert_eq!((c.unavailable, c.submissions, c.accepted), (3, 1, 1));
}

/// Per-message faults by fraction and seed: the same seed picks the same messages again.
#[test]
fn fractions_are_deterministic_per_seed() {
    let faults = Faults {
        seed: 42,
        reject: 0.3,
        ..Faults::none()
    };
    let run = || {
        let sim = with(faults.clone());
        (1..=40)
            .map(|n| {
                let id = hoadon_core::tdiep::MessageId::new(TVAN, [n as u8; 16]).unwrap();
                let m = TDiep::new(
                    header(
                        hoadon_core::tdiep::MessageKind::ForCode,
                        id.clone(),
                        SELLER_MST,
                    ),
                    hoadon_core::tdiep::Body::Invoices(vec![invoice("C25TAB", n)]),
                )
                .unwrap()
                .to_xml();
                sim.handle(m.as_bytes()).unwrap();
                kinds(&sim.replies_now(id.as_str()).unwrap())[1]
            })
            .collect::<Vec<u16>>()
    };
    let first = run();
    let rejected = first.iter().filter(|k| **k == 204).count();
    assert!((4..=20).contains(&rejected), "{rejected} of 40");
    assert_eq!(run(), first);
}
