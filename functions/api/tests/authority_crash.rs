//! A SIGKILL of the server while the outbox works loses no message: the real server binary
//! sends coded invoices through the T-VAN adapter to the simulator's HTTP mode (in this test's
//! process, so it outlives the server), with timeouts after accept and duplicate replies; it is
//! killed once a third are coded, restarted on the same data, and then every invoice must be
//! coded exactly once — no message lost, none coded twice. The T-VAN secret never reaches the
//! logs.

mod server;

use hoadon_api::load::{Client, run};
use hoadon_authority::simulator::http::{HttpOptions, HttpServer};
use hoadon_authority::simulator::{Faults, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use server::{free_port, issuable_draft, start};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOTAL: usize = 60;
const SECRET: &str = "tvan-secret-7c1e9b2f40d8";

async fn coded(c: &mut Client) -> u64 {
    let (_, home) = c.call("GET", "/api/summary", &[], None).await.unwrap();
    home["counts"]["coded"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_mid_run_loses_no_message_and_codes_nothing_twice() {
    let sim = Arc::new(
        Simulator::new(SimulatorConfig {
            registered: vec!["0109998883".into()],
            faults: Faults {
                seed: 7,
                timeout_after_accept: 0.10,
                duplicate_reply: 0.05,
                ..Faults::none()
            },
            ..SimulatorConfig::default()
        })
        .unwrap(),
    );
    let options = HttpOptions {
        credentials: Some(("anphat".into(), SECRET.into())),
        timeout_hold: Duration::from_millis(500),
    };
    let http = HttpServer::start(sim.clone(), options, "127.0.0.1:0")
        .await
        .unwrap();
    let endpoint = http.endpoint();
    let cert_dir = tempfile::tempdir().unwrap();
    let cert = cert_dir.path().join("authority.pem");
    std::fs::write(&cert, sim.certificate_pem()).unwrap();
    let env = [
        ("HOADON_AUTHORITY", "tvan"),
        ("HOADON_TVAN_ENDPOINT", endpoint.as_str()),
        ("HOADON_TVAN_USER", "anphat"),
        ("HOADON_TVAN_SECRET", SECRET),
        ("HOADON_TVAN_SENDER", "V0100109106"),
        ("HOADON_TVAN_AUTHORITY_CERT", cert.to_str().unwrap()),
        ("HOADON_OUTBOX_RETRY", "fast"),
        ("RUST_LOG", "debug"),
        ("HOADON_LOG", ""),
    ];
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = start(dir.path(), port, &env);
    let password = server.password.clone().expect("first start");
    let mut c = Client::new(&addr);
    c.login("admin@demo.local", &password).await.unwrap();
    let token = c.token.clone().unwrap();
    let body = json!({"registered_elsewhere": true});
    let (s, _) = c
        .call("PUT", "/api/authority/settings", &[], Some(&body))
        .await
        .unwrap();
    assert_eq!(s, 200);
    let doc = issuable_draft(&mut c).await;

    let load = {
        let (addr, token, doc) = (addr.clone(), token.clone(), doc.clone());
        tokio::spawn(async move { run(&addr, &token, &doc, "tvan", 8, TOTAL).await })
    };
    let started = Instant::now();
    while coded(&mut c).await < (TOTAL / 3) as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "nothing coded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SIGKILL (`Child::kill`): no shutdown code runs.
    let (first_out, first_err) = server.stop();
    let _ = load.await.unwrap();

    let server = start(dir.path(), port, &env);
    let second = run(&addr, &token, &doc, "tvan", 8, TOTAL).await;
    assert_eq!(second.errors, 0, "{second}");
    let started = Instant::now();
    while coded(&mut c).await < TOTAL as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "not all coded: {} of {TOTAL}",
            coded(&mut c).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut codes = HashSet::new();
    for i in 0..TOTAL {
        let (_, v): (_, Value) = c
            .call("GET", &format!("/api/invoices/tvan-{i:07}"), &[], None)
            .await
            .unwrap();
        assert_eq!(v["status"], "coded", "{v}");
        codes.insert(v["authority"]["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes.len(), TOTAL, "a code per invoice");
    let counters = sim.counters();
    assert_eq!(counters.codes_granted, TOTAL as u64, "{counters:?}");
    let (_, home) = c.call("GET", "/api/summary", &[], None).await.unwrap();
    assert_eq!(home["counts"]["outbox_attention"], 0, "{home}");
    let (out, err) = server.stop();
    for text in [first_out, first_err, out, err] {
        assert!(!text.contains(SECRET), "the T-VAN secret reached the logs");
    }
}
