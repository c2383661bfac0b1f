//! The outbox under faults, in-process against the simulator: N coded invoices (100 in the test
//! command) while 10 % of the submissions time out after the authority accepted them, 5 % of
//! the final replies arrive twice, and the authority is down for a while in the middle. Every
//! invoice must end coded exactly once (one code each, no second code granted, nothing lost),
//! and the run reports its wall time and retries.
//!
//! The release measurement of issue #14 is the same test at scale:
//! `HOADON_FAULT_INVOICES=1000 HOADON_FAULT_OUTAGE_S=20 cargo test --release -p hoadon-api
//! --test authority_faults -- --nocapture`.

mod common;

use common::{example, spawn_app_full};
use hoadon_api::outbox::{AuthorityLink, OutboxRecord, RetryPolicy, TrustedAuthority};
use hoadon_api::ports::SystemClock;
use hoadon_api::store::TenantStore;
use hoadon_authority::simulator::{Faults, Simulator, SimulatorConfig};
use hoadon_core::api::authority::OutboxState;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_invoice_is_coded_exactly_once_through_timeouts_duplicates_and_an_outage() {
    let n = env("HOADON_FAULT_INVOICES", 100) as usize;
    let outage = Duration::from_secs(env("HOADON_FAULT_OUTAGE_S", 3));
    let sim = Arc::new(
        Simulator::new(SimulatorConfig {
            registered: vec!["0109998883".into()],
            faults: Faults {
                seed: 14,
                timeout_after_accept: 0.10,
                duplicate_reply: 0.05,
                ..Faults::none()
            },
            ..SimulatorConfig::default()
        })
        .unwrap(),
    );
    let link = AuthorityLink::new(sim.clone(), "V0100109106")
        .trusting(TrustedAuthority::from_pem(sim.certificate_pem(), true).unwrap());
    let app = Arc::new(
        spawn_app_full(
            |f| f,
            Arc::new(SystemClock),
            move |s| {
                // `HOADON_FAULT_RETRY=normal`: the production schedule (2 s doubling to 5 min).
                let retry = match std::env::var("HOADON_FAULT_RETRY").as_deref() {
                    Ok("normal") => RetryPolicy::default(),
                    _ => RetryPolicy::fast(),
                };
                s.with_authority("anphat", link).with_retry(retry)
            },
        )
        .await,
    );
    let t = app.login("admin@anphat.vn").await;
    let body = serde_json::json!({"registered_elsewhere": true});
    let (s, _) = app
        .call("PUT", "/api/authority/settings", Some(&t), &[], Some(body))
        .await;
    assert!(s.is_success());
    app.series(&t, "C25TAB").await;
    let started = Instant::now();

    // The outbox worker, as the local server runs it.
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let ts = TenantStore::new("anphat", app.state.0.store.clone());
            while !stop.load(Ordering::SeqCst) {
                hoadon_api::outbox::pump(&app.state.0.services, &ts)
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    // Issuing, 8 at a time; the authority goes down once a third is issued.
    let issued = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (app, t, issued, sim) = (app.clone(), t.clone(), issued.clone(), sim.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < n {
                let id = format!("fault-{i:06}");
                app.draft(&t, &id, &example()).await;
                let (s, v) = app.post(&t, &format!("/api/invoices/{id}/issue")).await;
                assert!(s.is_success(), "{id}: {v}");
                if issued.fetch_add(1, Ordering::SeqCst) + 1 == n / 3 {
                    sim.unavailable_for(outage);
                }
                i += 8;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Wait until every message is finished (or 10 minutes: a hang fails the test).
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let records = loop {
        let mut all: Vec<OutboxRecord> = Vec::new();
        let mut cursor = None;
        loop {
            let page = ts
                .query("OUTBOX", "", cursor.as_deref(), 1000)
                .await
                .unwrap();
            for item in &page.items {
                all.push(serde_json::from_slice(&item.data).unwrap());
            }
            match page.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        if all.len() == n && all.iter().all(|r| r.state == OutboxState::Done) {
            break all;
        }
        assert!(
            all.iter().all(|r| r.state != OutboxState::NeedsAttention),
            "a message needs attention: {:?}",
            all.iter().find(|r| r.state == OutboxState::NeedsAttention)
        );
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "not finished in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let wall = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    worker.await.unwrap();

    // Every invoice coded, each with its own code; the authority granted exactly n codes.
    let mut codes = HashSet::new();
    for i in 0..n {
        let (_, v) = app.get(&t, &format!("/api/invoices/fault-{i:06}")).await;
        assert_eq!(v["status"], "coded", "{v}");
        codes.insert(v["authority"]["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes.len(), n, "one code per invoice");
    let c = sim.counters();
    assert_eq!(
        c.codes_granted, n as u64,
        "no invoice got a second code: {c:?}"
    );
    let subjects: HashSet<&str> = records.iter().map(|r| r.subject_id.as_str()).collect();
    assert_eq!(subjects.len(), n, "one message per invoice");
    let sends: u64 = records.iter().map(|r| u64::from(r.sends)).sum();
    let repeated = records
        .iter()
        .filter(|r| r.replies.iter().any(|x| x.summary.contains("repeated")))
        .count();
    assert!(
        c.timeouts > 0 && repeated > 0 && c.unavailable > 0,
        "the faults happened: {c:?}"
    );
    println!(
        "fault run: {n} invoices coded exactly once in {:.1} s; {sends} submissions ({} resent), \
         {} timeouts after accept (looked up, {} resubmissions recognised by the authority), \
         {repeated} duplicate final replies applied once, {} calls refused during the {} s outage",
        wall.as_secs_f64(),
        sends - n as u64,
        c.timeouts,
        c.duplicates,
        c.unavailable,
        outage.as_secs(),
    );
}
