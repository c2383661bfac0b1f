//! A CA-issued certificate for the tenant's own key (#15): the certificate request made through
//! the signer verifies with OpenSSL and names the company; the certificate a CA (OpenSSL here)
//! issues for it, uploaded with its chain, becomes the certificate invoices are signed with; a
//! certificate for another key never does; revoking it goes back to the configured one.
//! On the system clock: the test CA issues certificates valid from the real now.

mod common;

use axum::http::StatusCode;
use common::{example, profile, spawn_app, spawn_app_certified};
use hoadon_api::ports::SystemClock;
use hoadon_core::dsig;
use hoadon_signing::testing::{TestCa, openssl_req_verify};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

const SELLER_PEM: &str = include_str!("../../signing/tests/data/seller.cert.pem");

fn der_b64(pem: &str) -> String {
    dsig::b64_encode(&hoadon_signing::pem_block(pem, "CERTIFICATE").unwrap())
}

/// The certificate in the signed XML's `KeyInfo`, after checking that the signature verifies.
async fn signing_certificate(app: &common::TestApp, token: &str, id: &str) -> String {
    let (s, v) = app.draft_and_issue(token, id, &example()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, xml) = app.get(token, &format!("/api/invoices/{id}/xml")).await;
    assert_eq!(s, StatusCode::OK);
    let xml = xml.as_str().unwrap();
    let r = &dsig::verify_document(xml).unwrap()[0];
    assert!(r.valid, "{r:?}");
    assert_eq!(r.tax_id.as_deref(), Some("0109998883"));
    common::xml_text(xml, "X509Data", "X509Certificate").unwrap()
}

async fn request(app: &common::TestApp, token: &str) -> (StatusCode, Value) {
    app.call("POST", "/api/certificates/request", Some(token), &[], None)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ca_certificate_for_the_key_signs_from_its_upload_until_revoked() {
    let app = spawn_app_certified(Arc::new(SystemClock)).await;
    let admin = app.login("admin@anphat.vn").await;
    app.series(&admin, "C25TAB").await;
    let sales = app.login("sales@anphat.vn").await;
    assert_eq!(request(&app, &sales).await.0, StatusCode::FORBIDDEN);

    let (s, r) = request(&app, &admin).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let pem = r["pem"].as_str().unwrap();
    let text = openssl_req_verify(pem);
    assert!(text.contains("verify OK"), "{text}");
    assert!(text.contains("UID=MST:0109998883"), "{text}");
    assert!(text.contains(&format!("CN={}", profile().name)), "{text}");
    assert_eq!(
        r["subject"],
        format!("C=VN, CN={}, UID=MST:0109998883", profile().name)
    );
    assert_eq!(r["key_id"].as_str().unwrap().len(), 64);

    // Before any CA certificate: the configured (self-signed) one.
    assert_eq!(
        signing_certificate(&app, &admin, "inv-before-ca").await,
        der_b64(SELLER_PEM)
    );

    // The CA's answer as a bundle, CA first: the certificate is the block with the MST.
    let ca = TestCa::new();
    let issued = ca.issue(pem, 365);
    let bundle = format!("{}{issued}", ca.certificate_pem());
    let (s, v) = app
        .call(
            "POST",
            "/api/certificates",
            Some(&admin),
            &[],
            Some(json!({"pem": bundle})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(
        v["issuer"].as_str().unwrap().contains("TEST CA hoadon"),
        "{v}"
    );
    assert_eq!(
        signing_certificate(&app, &admin, "inv-with-ca").await,
        der_b64(&issued)
    );

    // Revoked: back to the configured certificate.
    let id = v["id"].as_str().unwrap();
    let (s, _) = app
        .post(&admin, &format!("/api/certificates/{id}/revoke"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        signing_certificate(&app, &admin, "inv-after-revoke").await,
        der_b64(SELLER_PEM)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_key_is_registered_but_never_signs_for_this_one() {
    let app = spawn_app_certified(Arc::new(SystemClock)).await;
    let admin = app.login("admin@anphat.vn").await;
    app.series(&admin, "C25TAB").await;
    // Another key's request (a token's, say), certified by the same kind of CA.
    let now = hoadon_api::ports::Clock::now(&SystemClock);
    let from = hoadon_core::DateTime::from_unix(now - 86_400, 0).unwrap();
    let until = hoadon_core::DateTime::from_unix(now + 86_400 * 365, 0).unwrap();
    let other =
        hoadon_signing::selfsigned::generate(&profile().name, "0109998883", from, until).unwrap();
    let (s, v) = app
        .call(
            "POST",
            "/api/certificates",
            Some(&admin),
            &[],
            Some(json!({"pem": other.cert_pem})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        signing_certificate(&app, &admin, "inv-other-key").await,
        der_b64(SELLER_PEM)
    );

    // A chain that does not hold the certificate's issuer is refused.
    let (_, r) = request(&app, &admin).await;
    let issued = TestCa::new().issue(r["pem"].as_str().unwrap(), 30);
    let wrong_chain = format!("{issued}{}", TestCa::new().certificate_pem());
    let answer = app
        .call(
            "POST",
            "/api/certificates",
            Some(&admin),
            &[],
            Some(json!({"pem": wrong_chain})),
        )
        .await;
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    assert_eq!(answer.1["code"], "certificate.chain_mismatch");
}

#[tokio::test]
async fn a_signer_that_cannot_sign_the_request_is_a_typed_503() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    app.flaky.fail.store(1, Ordering::SeqCst);
    let (s, v) = request(&app, &admin).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["code"], "certificate_request.signer_failed");
    assert!(v["message"].as_str().unwrap().contains("down"), "{v}");
}
