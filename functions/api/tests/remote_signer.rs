//! The CA's remote signing service as the signer of a series in `remote` mode (the tenant's
//! cloud key signs its other series), end to end through the API: an invoice issued while the
//! service waits for the user's confirmation is signed once it is given; a service that answers with a wrong signature leaves the invoice numbered, unsigned,
//! with the reason naming the service (the sweep signs it once the service is right again).

mod common;

use axum::http::StatusCode;
use common::{NOW, example, spawn_app_full};
use hoadon_api::ports::FixedClock;
use hoadon_signing::remote::stand_in::{Account, Behaviour, StandIn};
use hoadon_signing::remote::{RemoteConfig, RemoteSigner, Secret};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = include_str!("../../signing/tests/data/seller.key.pem");
const CERT: &str = include_str!("../../signing/tests/data/seller.cert.pem");

async fn service() -> (StandIn, RemoteSigner) {
    let account = Account {
        client_id: "hoadon".into(),
        client_secret: "integrator-secret".into(),
        user_id: "0109998883".into(),
        credential_id: "cred-1".into(),
    };
    let s = StandIn::start(KEY, account).await.unwrap();
    let mut c = RemoteConfig::new(
        s.endpoint(),
        "hoadon",
        Secret::new("integrator-secret"),
        "0109998883",
        "cred-1",
    );
    c.service = "VNPT SmartCA (stand-in)".into();
    c.poll_initial = Duration::from_millis(10);
    c.max_wait = Duration::from_secs(5);
    let der = hoadon_signing::pem_block(CERT, "CERTIFICATE").unwrap();
    let signer = RemoteSigner::new(c, &der).unwrap();
    (s, signer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_are_signed_through_the_cas_service() {
    let (s, signer) = service().await;
    s.set(Behaviour::Async { pending_polls: 2 });
    let app = spawn_app_full(
        |f| f,
        Arc::new(FixedClock(NOW)),
        |svc| svc.with_remote_signer("anphat", Arc::new(signer)),
    )
    .await;
    let admin = app.login("admin@anphat.vn").await;
    app.series(&admin, "C25TAB").await;
    let (st, v) = app
        .call(
            "PUT",
            "/api/series/1C25TAB/signing",
            Some(&admin),
            &[],
            Some(json!({"mode": "remote"})),
        )
        .await;
    assert_eq!(
        (st, v["signing_mode"].as_str()),
        (StatusCode::OK, Some("remote")),
        "{v}"
    );
    let (st, v) = app
        .draft_and_issue(&admin, "inv-remote-1", &example())
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "signed", "{v}");
    let (_, xml) = app.get(&admin, "/api/invoices/inv-remote-1/xml").await;
    let r = &hoadon_core::dsig::verify_document(xml.as_str().unwrap()).unwrap()[0];
    assert!(r.valid, "{r:?}");
    assert!(s.status_calls() >= 3, "the pending transaction was polled");
    assert_eq!(v["signing_mode"], "remote");
    // Another tenant without a remote account cannot choose the mode.
    let other = app.login("admin@other.vn").await;
    app.series(&other, "C25TAB").await;
    let (st, v) = app
        .call(
            "PUT",
            "/api/series/1C25TAB/signing",
            Some(&other),
            &[],
            Some(json!({"mode": "remote"})),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("signing.remote_not_configured")
        )
    );

    // A wrong signature is never attached: numbered, not signed, the service named.
    s.set(Behaviour::WrongSignature);
    let (st, v) = app
        .draft_and_issue(&admin, "inv-remote-2", &example())
        .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["code"], "signing_pending");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("VNPT SmartCA (stand-in)"),
        "{v}"
    );
    s.set(Behaviour::Sync);
    let report = hoadon_api::invoices::sweep(
        &app.state.0.services,
        &hoadon_api::store::TenantStore::new("anphat", app.state.0.store.clone()),
    )
    .await
    .unwrap();
    assert_eq!(report.signed, 1, "{report:?}");
}
