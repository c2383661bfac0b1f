//! The tax authority for API tests: the API connected in-process to the local simulator, the
//! outbox worked until a record settles, and xmlsec1 as the independent verifier.

use super::{TestApp, spawn_app_full};
use axum::http::StatusCode;
use hoadon_api::outbox::{AuthorityLink, RetryPolicy, TrustedAuthority};
use hoadon_api::ports::SystemClock;
use hoadon_api::store::TenantStore;
use hoadon_authority::simulator::{Simulator, SimulatorConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub const SENDER: &str = "V0100109106";

pub async fn connected(sim: Arc<Simulator>, retry: RetryPolicy) -> TestApp {
    connected_at(sim, retry, Arc::new(SystemClock)).await
}

/// [`connected`] on another clock (dated rules on both sides of their dates).
pub async fn connected_at(
    sim: Arc<Simulator>,
    retry: RetryPolicy,
    clock: Arc<dyn hoadon_api::ports::Clock>,
) -> TestApp {
    spawn_app_full(
        |f| f,
        clock,
        move |s| {
            s.with_authority(
                "anphat",
                AuthorityLink::new(sim.clone(), SENDER)
                    .trusting(TrustedAuthority::from_pem(sim.certificate_pem(), true).unwrap()),
            )
            .with_retry(retry)
        },
    )
    .await
}

pub fn simulator(config: SimulatorConfig) -> Arc<Simulator> {
    Arc::new(Simulator::new(config).unwrap())
}

/// Works the outbox until `done` says so (checked on a GET of `uri`), at most 20 s.
pub async fn settle(app: &TestApp, t: &str, uri: &str, done: impl Fn(&Value) -> bool) -> Value {
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    for _ in 0..1000 {
        hoadon_api::outbox::pump(&app.state.0.services, &ts)
            .await
            .unwrap();
        let (_, v) = app.get(t, uri).await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, v) = app.get(t, uri).await;
    let (_, outbox) = app.get(t, "/api/outbox").await;
    panic!("not settled: {v}\noutbox: {outbox}");
}

pub fn status_is(s: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["status"] == s
}

pub async fn register(app: &TestApp, t: &str) {
    let body = json!({"coded": true, "uncoded": true, "contact_name": "Nguyễn Văn An",
        "contact_email": "ketoan@anphat.vn", "contact_phone": "024 3826 1234"});
    let (s, v) = app
        .call(
            "POST",
            "/api/authority/registration",
            Some(t),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("sent")),
        "{v}"
    );
    settle(app, t, "/api/authority/registration", |v| {
        v["state"] == "accepted"
    })
    .await;
}

/// The tenant says it registered through another provider (the simulator was told so).
pub async fn registered_elsewhere(app: &TestApp, t: &str) {
    let body = json!({"registered_elsewhere": true});
    let (s, v) = app
        .call("PUT", "/api/authority/settings", Some(t), &[], Some(body))
        .await;
    assert_eq!(
        (s, v["registered_elsewhere"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
}

/// xmlsec1 verifies the signature in `DSCKS/<slot>` of an HDon (or a TBao) with the certificate in `pem`.
pub fn xmlsec1_verifies(xml: &[u8], slot: &str, pem: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (file, cert) = (dir.path().join("hdon.xml"), dir.path().join("cert.pem"));
    std::fs::write(&file, xml).unwrap();
    std::fs::write(&cert, pem).unwrap();
    let out = std::process::Command::new("xmlsec1")
        .args([
            "--verify",
            "--id-attr:Id",
            "DLHDon",
            "--id-attr:Id",
            "MCCQT",
            "--id-attr:Id",
            "DLTBao",
        ])
        .args([
            "--id-attr:Id",
            "Object",
            "--id-attr:Id",
            "SignatureProperties",
        ])
        .args([
            "--node-xpath",
            &format!("//*[local-name()='{slot}']/*[local-name()='Signature']"),
        ])
        .arg("--pubkey-cert-pem")
        .arg(&cert)
        .args(["--enabled-key-data", "key-name"])
        .arg(&file)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (out.status.success() && text.contains("OK"), text)
}
