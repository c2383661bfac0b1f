//! Crash safety: the real server binary is killed with SIGKILL in the middle of a load run,
//! restarted on the same data directory, and the run finished. Then the numbers of the series
//! must be exactly 1…N, every invoice signed (the start-up sweep signs what was left numbered),
//! every archived XML must verify, and every audit chain must hold.

mod server;

use hoadon_api::load::{Client, numbers_of_series, run};
use server::{free_port, issuable_draft, start};
use std::time::Duration;

const TOTAL: usize = 300;
/// Numbering and signing only: the tax authority's part has its own kill test
/// (`authority_crash.rs`).
const OFF: &[(&str, &str)] = &[("HOADON_AUTHORITY", "off")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_stay_gapless_and_every_invoice_is_signed_after_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = start(dir.path(), port, OFF);
    let password = server
        .password
        .clone()
        .expect("first start prints the admin password");

    let mut c = Client::new(&addr);
    c.login("admin@demo.local", &password).await.unwrap();
    let token = c.token.clone().unwrap();
    let doc = issuable_draft(&mut c).await;
    let symbol = doc["symbol"].as_str().unwrap().to_owned();

    // Load, and a SIGKILL once part of it is done.
    let load = {
        let (addr, token, doc) = (addr.clone(), token.clone(), doc.clone());
        tokio::spawn(async move { run(&addr, &token, &doc, "crash", 16, TOTAL).await })
    };
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (numbers, _) = numbers_of_series(&addr, &token, &format!("1{symbol}"))
            .await
            .unwrap();
        if numbers.len() >= TOTAL / 3 {
            break;
        }
    }
    server.child.kill().unwrap(); // SIGKILL: no shutdown code runs
    server.child.wait().unwrap();
    let first = load.await.unwrap();
    assert!(first.errors > 0, "the kill interrupted the run");

    // Restart on the same data: the start-up sweep signs what was left numbered; the run is
    // finished by replaying it (drafts and issuing are idempotent).
    let server = start(dir.path(), port, OFF);
    assert!(server.password.is_none(), "not a first start");
    let second = run(&addr, &token, &doc, "crash", 16, TOTAL).await;
    assert_eq!(second.errors, 0, "{second}");

    let (numbers, signed) = numbers_of_series(&addr, &token, &format!("1{symbol}"))
        .await
        .unwrap();
    assert_eq!(
        numbers,
        (1..=TOTAL as u64).collect::<Vec<_>>(),
        "gapless and unique after the crash"
    );
    assert_eq!(signed.len(), TOTAL, "every invoice signed");

    // Every archived file is the stored XML and verifies; every audit chain holds.
    let mut c = Client::new(&addr);
    c.token = Some(token);
    for i in 0..TOTAL {
        let id = format!("crash-{i:07}");
        let (_, rec) = c
            .call("GET", &format!("/api/invoices/{id}"), &[], None)
            .await
            .unwrap();
        // The archive is content-addressed: `<tenant>/sha256/<hex>.xml`.
        let key = format!("demo/sha256/{}.xml", rec["xml_sha256"].as_str().unwrap());
        let archived = std::fs::read_to_string(dir.path().join("archive").join(key)).unwrap();
        let (_, stored) = c
            .call("GET", &format!("/api/invoices/{id}/xml"), &[], None)
            .await
            .unwrap();
        assert_eq!(
            stored.as_str().unwrap(),
            archived,
            "{id}: archive and store hold the same bytes"
        );
        let r = &hoadon_core::dsig::verify_document(&archived).unwrap()[0];
        assert!(r.valid, "{id}: {r:?}");
        let (_, audit) = c
            .call("GET", &format!("/api/invoices/{id}/audit"), &[], None)
            .await
            .unwrap();
        assert_eq!(audit["valid"], true, "{id}");
    }
    server.stop();
}
