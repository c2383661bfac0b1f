//! The tenant's signing-certificate registry, in-process: upload as PEM and as DER (201, then
//! 200 for the same certificate), the fields read from it, tenant isolation, the refusals (another
//! MST, no MST, expired, unreadable, both or neither of pem/der), roles, revocation and the audit
//! chain `AUDIT#certificates`, and the OpenAPI document as strict as the server.

mod common;
/// `external_sample`: the real samples' certificates, read from outside the repository.
#[path = "../../../shared/tests/common/mod.rs"]
mod real;

use axum::http::StatusCode;
use common::{TestApp, spawn_app};
use hoadon_api::auth::Role;
use hoadon_api::bootstrap;
use hoadon_core::date::{Date, DateTime};
use hoadon_core::dsig;
use hoadon_signing::selfsigned::generate;
use serde_json::{Value, json};

const SELLER_PEM: &str = include_str!("../../signing/tests/data/seller.cert.pem");

fn at(year: u16, month: u8, day: u8) -> DateTime {
    DateTime::new(Date::new(year, month, day).unwrap(), 0, 0, 0).unwrap()
}

fn seller_der_b64() -> String {
    let der = hoadon_signing::pem_block(SELLER_PEM, "CERTIFICATE").unwrap();
    dsig::b64_encode(&der)
}

async fn upload(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.call("POST", "/api/certificates", Some(token), &[], Some(body))
        .await
}

fn assert_refused(answer: &(StatusCode, Value), code: &str) {
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    let message = answer.1["message"].as_str().unwrap();
    assert!(message.contains(" / "), "vi / en: {message}");
}

#[tokio::test]
async fn a_pem_upload_is_registered_once_with_what_the_certificate_says() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let (s, v) = upload(&app, &admin, json!({"pem": SELLER_PEM, "label": " Token "})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 64);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(v["tax_id"], "0109998883");
    assert_eq!(v["label"], "Token");
    let subject = v["subject"].as_str().unwrap();
    assert!(subject.contains("MST:0109998883"), "{subject}");
    assert!(subject.contains("An Phát"), "{subject}");
    assert!(v["issuer"].as_str().unwrap().contains("C=VN"), "{v}");
    assert_eq!(
        v["issuer"], v["subject"],
        "the test certificate is self-signed"
    );
    assert_eq!(v["not_before"], "2025-01-01T00:00:00Z");
    assert_eq!(v["not_after"], "2035-12-31T23:59:59Z");
    assert!(v["key_bits"].as_u64().unwrap() >= 2048);
    assert_eq!(v["uploaded_at"], common::NOW);
    assert_eq!(v["revoked"], false);
    assert_eq!(v["used_by_series"], json!([]));

    // The same certificate as DER: the same record, 200.
    let (s, again) = upload(&app, &admin, json!({"der_base64": seller_der_b64()})).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again, v);

    let (s, list) = app.get(&admin, "/api/certificates").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["items"], json!([v.clone()]));
    let (s, one) = app.get(&admin, &format!("/api/certificates/{id}")).await;
    assert_eq!((s, &one), (StatusCode::OK, &v));
}

#[tokio::test]
async fn a_der_upload_is_created_then_answered_again() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let body = json!({"der_base64": seller_der_b64()});
    let (s, first) = upload(&app, &admin, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, second) = upload(&app, &admin, body).await;
    assert_eq!((s, &second), (StatusCode::OK, &first));
    let (s, pem) = upload(&app, &admin, json!({"pem": SELLER_PEM})).await;
    assert_eq!((s, &pem["id"]), (StatusCode::OK, &first["id"]));
}

#[tokio::test]
async fn another_tenant_does_not_see_the_certificate() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let (_, v) = upload(&app, &admin, json!({"pem": SELLER_PEM})).await;
    let other = app.login("admin@other.vn").await;
    let (s, list) = app.get(&other, "/api/certificates").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"], json!([]));
    let uri = format!("/api/certificates/{}", v["id"].as_str().unwrap());
    assert_eq!(app.get(&other, &uri).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&other, &format!("{uri}/revoke")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn certificates_that_cannot_sign_the_companys_invoices_are_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let (nb, na) = (at(2025, 1, 1), at(2030, 1, 1));
    let other_mst = generate("Công ty khác", "0100109106", nb, na).unwrap();
    assert_refused(
        &upload(&app, &admin, json!({"pem": other_mst.cert_pem})).await,
        "certificate.other_tax_id",
    );
    let no_mst = generate("Không có MST", "", nb, na).unwrap();
    assert_refused(
        &upload(&app, &admin, json!({"pem": no_mst.cert_pem})).await,
        "certificate.no_tax_id",
    );
    let expired = generate("Hết hạn", "0109998883", at(2020, 1, 1), at(2024, 12, 31)).unwrap();
    assert_refused(
        &upload(&app, &admin, json!({"pem": expired.cert_pem})).await,
        "certificate.not_valid_now",
    );
    let future = generate("Chưa hiệu lực", "0109998883", at(2026, 1, 1), na).unwrap();
    assert_refused(
        &upload(&app, &admin, json!({"pem": future.cert_pem})).await,
        "certificate.not_valid_now",
    );
    // Real CA certificates (skipped when the real samples are absent): a 1024-bit key (refused
    // before anything else), another company.
    if let Some(weak) =
        real::external_sample("certs/02-vina-smartsign-hdon-pban100-2021-05-28.sig1.pem")
    {
        assert_refused(
            &upload(&app, &admin, json!({"pem": weak})).await,
            "certificate.weak_key",
        );
    }
    if let Some(vnpt) = real::external_sample("certs/09-vnpt-hdon-k22tba-16-2022-07-21.sig1.pem") {
        let answer = upload(&app, &admin, json!({"pem": vnpt})).await;
        assert_refused(&answer, "certificate.other_tax_id");
        assert!(
            answer.1["message"]
                .as_str()
                .unwrap()
                .contains("0106869738-012")
        );
    }
    for garbage in [
        json!({"pem": "hello"}),
        json!({"pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}),
        json!({"der_base64": "not base64!"}),
        json!({"der_base64": "MAA="}),
        json!({"pem": format!("{SELLER_PEM}{}", " ".repeat(65536))}),
    ] {
        assert_refused(
            &upload(&app, &admin, garbage).await,
            "certificate.unreadable",
        );
    }
    for shape in [
        json!({}),
        json!({"pem": SELLER_PEM, "der_base64": seller_der_b64()}),
    ] {
        assert_refused(&upload(&app, &admin, shape).await, "certificate.pem_or_der");
    }
    assert_refused(
        &upload(
            &app,
            &admin,
            json!({"pem": SELLER_PEM, "label": "x".repeat(101)}),
        )
        .await,
        "certificate.bad_label",
    );
    let (s, _) = upload(&app, &admin, json!({"pem": SELLER_PEM, "extra": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, list) = app.get(&admin, "/api/certificates").await;
    assert_eq!(list["items"], json!([]), "nothing refused was kept");
}

#[tokio::test]
async fn only_admins_upload_and_revoke() {
    let app = spawn_app().await;
    let sales = app.login("sales@anphat.vn").await;
    let (s, v) = upload(&app, &sales, json!({"pem": SELLER_PEM})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        app.get(&sales, "/api/certificates").await.0,
        StatusCode::FORBIDDEN
    );
    let admin = app.login("admin@anphat.vn").await;
    let (_, v) = upload(&app, &admin, json!({"pem": SELLER_PEM})).await;
    let uri = format!("/api/certificates/{}/revoke", v["id"].as_str().unwrap());
    assert_eq!(app.post(&sales, &uri).await.0, StatusCode::FORBIDDEN);
    let unknown = format!("/api/certificates/{}", "0".repeat(64));
    assert_eq!(app.get(&admin, &unknown).await.0, StatusCode::NOT_FOUND);
    let malformed = format!("/api/certificates/{}", "A".repeat(64));
    assert_eq!(app.get(&admin, &malformed).await.0, StatusCode::NOT_FOUND);

    // An accountant reads, and only reads.
    bootstrap::add_user(
        &*app.state.0.store,
        "kt@anphat.vn",
        "anphat",
        Role::Accountant,
        "secret-pass",
        [2; 16],
    )
    .await
    .unwrap();
    let accountant = app.login("kt@anphat.vn").await;
    let (s, list) = app.get(&accountant, "/api/certificates").await;
    assert_eq!(
        (s, list["items"].as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    let one = format!("/api/certificates/{}", v["id"].as_str().unwrap());
    assert_eq!(app.get(&accountant, &one).await.0, StatusCode::OK);
    assert_eq!(app.post(&accountant, &uri).await.0, StatusCode::FORBIDDEN);
    let (s, _) = upload(&app, &accountant, json!({"pem": SELLER_PEM})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn concurrent_uploads_share_one_unbroken_chain() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let pems: Vec<String> = (0..4)
        .map(|i| {
            generate(
                &format!("Token {i}"),
                "0109998883",
                at(2025, 1, 1),
                at(2030, 1, 1),
            )
            .unwrap()
            .cert_pem
        })
        .collect();
    let (a, b, c, d) = tokio::join!(
        upload(&app, &admin, json!({"pem": pems[0]})),
        upload(&app, &admin, json!({"pem": pems[1]})),
        upload(&app, &admin, json!({"pem": pems[2]})),
        upload(&app, &admin, json!({"pem": pems[3]})),
    );
    let answers = [a, b, c, d];
    for (s, v) in &answers {
        assert_eq!(*s, StatusCode::CREATED, "{v}");
    }
    let (_, list) = app.get(&admin, "/api/certificates").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    let ts = hoadon_api::store::TenantStore::new("anphat", app.state.0.store.clone());
    let report = hoadon_api::certificates::audit(&ts).await.unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(report.entries.len(), 4);
}

#[tokio::test]
async fn a_revoked_certificate_stays_listed_and_every_change_is_audited() {
    let app = spawn_app().await;
    let admin = app.login("admin@anphat.vn").await;
    let (_, v) = upload(&app, &admin, json!({"pem": SELLER_PEM})).await;
    let id = v["id"].as_str().unwrap();
    let (s, revoked) = app
        .post(&admin, &format!("/api/certificates/{id}/revoke"))
        .await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["revoked"], true);
    // Again: unchanged, not audited twice.
    let (s, again) = app
        .post(&admin, &format!("/api/certificates/{id}/revoke"))
        .await;
    assert_eq!((s, &again), (StatusCode::OK, &revoked));
    let (_, list) = app.get(&admin, "/api/certificates").await;
    assert_eq!(list["items"], json!([revoked.clone()]));
    // Uploading it again answers the record as it is: still revoked.
    let (s, re) = upload(&app, &admin, json!({"pem": SELLER_PEM})).await;
    assert_eq!((s, &re["revoked"]), (StatusCode::OK, &json!(true)));

    let ts = hoadon_api::store::TenantStore::new("anphat", app.state.0.store.clone());
    let report = hoadon_api::certificates::audit(&ts).await.unwrap();
    assert!(report.valid, "{report:?}");
    let actions: Vec<(&str, Option<&str>)> = report
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.detail.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("certificate_uploaded", Some(id)),
            ("certificate_revoked", Some(id))
        ]
    );
    let other = hoadon_api::store::TenantStore::new("other", app.state.0.store.clone());
    assert!(
        hoadon_api::certificates::audit(&other)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
}

#[tokio::test]
async fn the_document_is_as_strict_as_the_server() {
    let app = spawn_app().await;
    let (s, doc) = app.call("GET", "/api/openapi.json", None, &[], None).await;
    assert_eq!(s, StatusCode::OK);
    let upload = &doc["components"]["schemas"]["CertificateUpload"];
    assert_eq!(upload["additionalProperties"], false, "{upload}");
    assert_eq!(upload["properties"]["pem"]["maxLength"], 65536, "{upload}");
    assert_eq!(upload["properties"]["label"]["maxLength"], 100, "{upload}");
    for path in ["/api/certificates/{id}", "/api/certificates/{id}/revoke"] {
        let op = doc["paths"][path]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        assert_eq!(
            op["parameters"][0]["schema"]["pattern"], "^[0-9a-f]{64}$",
            "{op}"
        );
    }
    let post = &doc["paths"]["/api/certificates"]["post"];
    assert_eq!(post["operationId"], "upload_certificate");
    for status in ["200", "201", "403", "422"] {
        assert!(post["responses"][status].is_object(), "{status}: {post}");
    }
}
