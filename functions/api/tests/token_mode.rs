//! Token mode (#15), in-process: a series signed with the seller's USB token. Issuing freezes
//! the invoice without a number; a signing session claims (numbers, in claim order, and
//! prepares each `SignedInfo` for a registered certificate); the signatures posted back are
//! verified and attached, or refused by name with nothing changed. The "token" here is a software
//! key with its own certificate carrying the seller's MST (the SoftHSM2 run is in the CLI's
//! tests); what matters on this side is that only digests and signatures travel.

mod common;

use axum::http::StatusCode;
use common::{NOW, TestApp, example, spawn_app_full};
use hoadon_api::auth::{Claims, Role};
use hoadon_api::ports::Clock;
use hoadon_core::date::{Date, DateTime};
use hoadon_core::dsig;
use hoadon_signing::LocalKeySigner;
use hoadon_signing::selfsigned::generate;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the test moves (leases, certificate expiry).
struct Movable(AtomicI64);

impl Clock for Movable {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn at(year: u16, month: u8, day: u8) -> DateTime {
    DateTime::new(Date::new(year, month, day).unwrap(), 0, 0, 0).unwrap()
}

/// A "token": a key and its certificate for the seller's MST.
struct Token {
    key: LocalKeySigner,
    cert_pem: String,
    id: String,
}

fn token(name: &str, mst: &str, not_after: DateTime) -> Token {
    let g = generate(name, mst, at(2025, 1, 1), not_after).unwrap();
    let der = hoadon_signing::pem_block(&g.cert_pem, "CERTIFICATE").unwrap();
    Token {
        key: LocalKeySigner::from_pem(&g.key_pem, &g.cert_pem).unwrap(),
        id: hoadon_api::ports::sha256_hex(&der),
        cert_pem: g.cert_pem,
    }
}

/// A "token" of the seller (its MST), valid until `not_after`.
fn seller_token(not_after: DateTime) -> Token {
    token(
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        not_after,
    )
}

/// The answer is the typed refusal `code` with `status`.
fn assert_refused(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(
        (answer.0, answer.1["code"].as_str()),
        (status, Some(code)),
        "{}",
        answer.1
    );
}

struct Fixture {
    app: TestApp,
    clock: Arc<Movable>,
    admin: String,
}

async fn fixture() -> Fixture {
    let clock = Arc::new(Movable(AtomicI64::new(NOW)));
    let app = spawn_app_full(|f| f, clock.clone(), |s| s).await;
    let admin = app.login("admin@anphat.vn").await;
    let (s, v) = app.series(&admin, "C25TAB").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .call(
            "PUT",
            "/api/series/1C25TAB/signing",
            Some(&admin),
            &[],
            Some(json!({"mode": "token"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["signing_mode"], "token");
    Fixture { app, clock, admin }
}

impl Fixture {
    async fn upload(&self, pem: &str) -> (StatusCode, Value) {
        let body = json!({ "pem": pem });
        self.app
            .call(
                "POST",
                "/api/certificates",
                Some(&self.admin),
                &[],
                Some(body),
            )
            .await
    }

    async fn register(&self, t: &Token) {
        let (s, v) = self.upload(&t.cert_pem).await;
        assert!(s.is_success(), "{v}");
        assert_eq!(v["id"], t.id.as_str());
    }

    /// A draft issued in token mode.
    async fn frozen(&self, id: &str) -> Value {
        let (s, v) = self.app.draft_and_issue(&self.admin, id, &example()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "awaiting_token", "{v}");
        assert!(
            v.get("number").is_none_or(Value::is_null),
            "no number yet: {v}"
        );
        v
    }

    async fn claim(&self, who: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .call("POST", "/api/signing/claims", Some(who), &[], Some(body))
            .await
    }

    async fn post(&self, who: &str, signatures: Vec<Value>) -> Value {
        let (s, v) = self
            .app
            .call(
                "POST",
                "/api/signing/signatures",
                Some(who),
                &[],
                Some(json!({"signatures": signatures})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
}

/// The token's signature over a claimed invoice's `SignedInfo`.
fn sign(t: &Token, claimed: &Value) -> Value {
    let signed_info = dsig::b64_decode(claimed["signed_info_base64"].as_str().unwrap()).unwrap();
    assert_eq!(
        hoadon_api::ports::sha256_hex(&signed_info),
        claimed["digest_sha256"].as_str().unwrap(),
        "the digest is the SignedInfo's"
    );
    json!({
        "invoice": claimed["id"],
        "certificate": t.id,
        "signature_base64": dsig::b64_encode(&t.key.sign_raw(&signed_info).unwrap()),
    })
}

fn outcomes(v: &Value) -> Vec<&str> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn issuing_in_token_mode_freezes_without_a_number_and_the_server_never_signs_it() {
    let f = fixture().await;
    f.frozen("tok-0000001").await;
    // Frozen: not editable, listed and counted, untouched by the sweep.
    let (s, v) = f
        .app
        .call(
            "PUT",
            "/api/invoices/tok-0000001",
            Some(&f.admin),
            &[("if-match", "2")],
            Some(example()),
        )
        .await;
    assert_refused(&(s, v), StatusCode::CONFLICT, "awaiting_token");
    let listed = f.app.list_all(&f.admin, "status=awaiting_token").await;
    assert_eq!(listed.len(), 1);
    let (_, summary) = f.app.get(&f.admin, "/api/summary").await;
    assert_eq!(summary["counts"]["awaiting_token"], 1, "{summary}");
    assert_eq!(
        common::pluck(&summary, "awaiting_token", "id"),
        ["tok-0000001"]
    );
    assert_eq!(f.app.sweep().await.signed, 0);
    // Issuing again changes nothing; withdrawing makes it a draft again.
    let (s, v) = f.app.issue(&f.admin, "tok-0000001").await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("awaiting_token"))
    );
    let (s, v) = f
        .app
        .post(&f.admin, "/api/invoices/tok-0000001/withdraw")
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("draft")),
        "{v}"
    );
    let (s, v) = f
        .app
        .post(&f.admin, "/api/invoices/tok-0000001/withdraw")
        .await;
    assert_refused(&(s, v), StatusCode::CONFLICT, "not_awaiting_token");
    assert!(
        f.app
            .list_all(&f.admin, "status=awaiting_token")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_session_claims_numbers_in_order_and_signed_files_verify_with_the_tokens_certificate() {
    let f = fixture().await;
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    for i in 1..=5 {
        f.frozen(&format!("tok-000000{i}")).await;
    }
    // The registry says which series the token signs.
    let (_, certs) = f
        .app
        .get(&f.admin, &format!("/api/certificates/{}", t.id))
        .await;
    assert_eq!(certs["used_by_series"], json!(["1C25TAB"]), "{certs}");
    let (s, bundle) = f
        .claim(&f.admin, json!({"certificate": t.id, "limit": 3}))
        .await;
    assert_eq!(s, StatusCode::OK, "{bundle}");
    assert_eq!(bundle["format"], "hoadon-signing-bundle/1");
    assert_eq!(bundle["remaining"], 2);
    let claimed = bundle["invoices"].as_array().unwrap();
    // The oldest first, numbered in that order, gapless.
    assert_eq!(
        common::pluck(&bundle, "invoices", "id"),
        ["tok-0000001", "tok-0000002", "tok-0000003"]
    );
    let numbers: Vec<u64> = claimed
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    let signatures: Vec<Value> = claimed.iter().map(|c| sign(&t, c)).collect();
    let results = f.post(&f.admin, signatures.clone()).await;
    assert_eq!(outcomes(&results), ["attached"; 3], "{results}");
    for c in claimed {
        let id = c["id"].as_str().unwrap();
        let (_, v) = f.app.get(&f.admin, &format!("/api/invoices/{id}")).await;
        assert_eq!(v["status"], "signed", "{v}");
        let (s, _, xml) = f
            .app
            .download(&f.admin, &format!("/api/invoices/{id}/xml"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let reports = dsig::verify_document(&String::from_utf8(xml).unwrap()).unwrap();
        assert!(reports[0].valid, "{:?}", reports[0]);
        assert_eq!(reports[0].tax_id.as_deref(), Some("0109998883"));
        assert_eq!(
            reports[0].signing_time.as_deref(),
            c["signing_time"].as_str()
        );
    }
    // An upload retried: already attached, nothing changes.
    let again = f.post(&f.admin, signatures).await;
    assert_eq!(outcomes(&again), ["already_attached"; 3], "{again}");
    // The rest come next, continuing the numbers.
    let (_, rest) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    let numbers: Vec<u64> = rest["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect();
    assert_eq!((numbers, rest["remaining"].as_u64()), (vec![4, 5], Some(0)));
}

#[tokio::test]
async fn a_signature_over_another_invoice_or_from_another_certificate_is_refused_and_changes_nothing()
 {
    let f = fixture().await;
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    f.frozen("tok-0000001").await;
    f.frozen("tok-0000002").await;
    let (_, bundle) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    let claimed = bundle["invoices"].as_array().unwrap();
    // The signature of invoice 2 posted for invoice 1.
    let mut swapped = sign(&t, &claimed[1]);
    swapped["invoice"] = claimed[0]["id"].clone();
    // A key that is not the certificate's.
    let stranger = seller_token(at(2030, 1, 1));
    let mut foreign = sign(&stranger, &claimed[1]);
    foreign["certificate"] = json!(t.id);
    let results = f.post(&f.admin, vec![swapped, foreign]).await;
    let codes: Vec<&str> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["signature.invalid", "signature.invalid"],
        "{results}"
    );
    assert!(
        results["results"][0]["message_vi"]
            .as_str()
            .unwrap()
            .contains("Chữ ký")
    );
    for c in claimed {
        let (_, v) = f
            .app
            .get(
                &f.admin,
                &format!("/api/invoices/{}", c["id"].as_str().unwrap()),
            )
            .await;
        assert_eq!(v["status"], "numbered", "nothing changed: {v}");
    }
    // The right signatures still attach.
    let ok: Vec<Value> = claimed.iter().map(|c| sign(&t, c)).collect();
    assert_eq!(outcomes(&f.post(&f.admin, ok).await), ["attached"; 2]);
}

#[tokio::test]
async fn certificates_that_may_not_sign_are_refused_at_the_claim() {
    let f = fixture().await;
    f.frozen("tok-0000001").await;
    // Not registered (another company's certificate cannot even be registered).
    let other = token("Công ty khác", "0100109106", at(2030, 1, 1));
    let (s, v) = f.claim(&f.admin, json!({"certificate": other.id})).await;
    assert_refused(
        &(s, v),
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificate.not_registered",
    );
    let (s, v) = f.upload(&other.cert_pem).await;
    assert_refused(
        &(s, v),
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificate.other_tax_id",
    );
    // The cloud key's own certificate: no token holds that key.
    let cloud = include_str!("../../signing/tests/data/seller.cert.pem");
    let (s, v) = f.upload(cloud).await;
    assert!(s.is_success(), "{v}");
    let (s, v) = f.claim(&f.admin, json!({"certificate": v["id"]})).await;
    assert_refused(
        &(s, v),
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificate.server_key",
    );
    // Expired at the signing time: registered while valid, claimed after its end.
    let short = seller_token(at(2025, 12, 1));
    f.register(&short).await;
    f.clock.0.store(NOW + 20 * 86_400, Ordering::SeqCst); // 2025-12-12
    let admin = f.app.login("admin@anphat.vn").await;
    let f = Fixture { admin, ..f };
    let (s, v) = f.claim(&f.admin, json!({"certificate": short.id})).await;
    assert_refused(
        &(s, v),
        StatusCode::UNPROCESSABLE_ENTITY,
        "certificate.not_valid_now",
    );
    // Revoked between the claim and the signature: the signature is refused.
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    let (_, bundle) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    let (s, _) = f
        .app
        .post(&f.admin, &format!("/api/certificates/{}/revoke", t.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = f
        .post(&f.admin, vec![sign(&t, &bundle["invoices"][0])])
        .await;
    assert_eq!(r["results"][0]["code"], "certificate.revoked", "{r}");
    // Nothing was numbered twice: still number 1, still waiting.
    let (_, v) = f.app.get(&f.admin, "/api/invoices/tok-0000001").await;
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("numbered"), Some(1))
    );
}

#[tokio::test]
async fn a_session_that_never_answers_leaves_its_invoices_to_the_next_with_the_same_numbers() {
    let f = fixture().await;
    let seller = "Công ty TNHH Thiết bị Văn phòng An Phát";
    let t = token(seller, "0109998883", at(2030, 1, 1));
    let other = token(seller, "0109998883", at(2030, 1, 1));
    f.register(&t).await;
    f.register(&other).await;
    for i in 1..=3 {
        f.frozen(&format!("tok-000000{i}")).await;
    }
    let (_, first) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    // Claimed and unanswered: the sweep leaves them to a token (the server has no key for them).
    assert_eq!(f.app.sweep().await, Default::default());
    let (_, v) = f.app.get(&f.admin, "/api/invoices/tok-0000001").await;
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("numbered"), Some(1))
    );
    // During the claim's lease (10 minutes) another token's session gets nothing…
    f.clock.0.store(NOW + 60, Ordering::SeqCst);
    let (_, busy) = f.claim(&f.admin, json!({"certificate": other.id})).await;
    assert!(busy["invoices"].as_array().unwrap().is_empty(), "{busy}");
    assert_eq!(busy["remaining"], 3, "{busy}");
    // …and the same token gets the very same bytes (a session that died, run again).
    f.clock.0.store(NOW + 300, Ordering::SeqCst);
    let (_, again) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    assert_eq!(first["invoices"], again["invoices"]);
    // Past the lease the same token re-plans them: same numbers, a fresh signing time, and a
    // new lease that keeps the other token off again.
    f.clock.0.store(NOW + 3600, Ordering::SeqCst);
    let (_, later) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    let numbers = |b: &Value| -> Vec<u64> {
        b["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(numbers(&later), [1, 2, 3]);
    assert_ne!(
        later["invoices"][0]["signing_time"],
        first["invoices"][0]["signing_time"]
    );
    f.clock.0.store(NOW + 3660, Ordering::SeqCst);
    let (_, busy) = f.claim(&f.admin, json!({"certificate": other.id})).await;
    assert!(busy["invoices"].as_array().unwrap().is_empty(), "{busy}");
    // Past that lease another token's session re-plans them under the same numbers.
    f.clock.0.store(NOW + 3600 + 601, Ordering::SeqCst);
    let (_, fourth) = f.claim(&f.admin, json!({"certificate": other.id})).await;
    let claimed = fourth["invoices"].as_array().unwrap();
    assert_eq!(
        numbers(&fourth),
        [1, 2, 3],
        "the same numbers, re-planned: {fourth}"
    );
    // The first token's late signatures no longer fit: refused, nothing changed.
    let late: Vec<Value> = first["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| sign(&t, c))
        .collect();
    let r = f.post(&f.admin, late).await;
    assert_eq!(
        r["results"][0]["code"], "signature.other_certificate",
        "{r}"
    );
    let now: Vec<Value> = claimed.iter().map(|c| sign(&other, c)).collect();
    assert_eq!(outcomes(&f.post(&f.admin, now).await), ["attached"; 3]);
}

#[tokio::test]
async fn concurrent_sessions_never_number_an_invoice_twice_and_leave_no_gap() {
    let f = fixture().await;
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    for i in 0..12 {
        f.frozen(&format!("tok-conc-{i:02}")).await;
    }
    let body = json!({"certificate": t.id, "limit": 5});
    let (a, b, c) = tokio::join!(
        f.claim(&f.admin, body.clone()),
        f.claim(&f.admin, body.clone()),
        f.claim(&f.admin, body)
    );
    let mut numbers = Vec::new();
    for (s, v) in [a, b, c] {
        assert_eq!(s, StatusCode::OK, "{v}");
        let sigs: Vec<Value> = v["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| sign(&t, c))
            .collect();
        if !sigs.is_empty() {
            for r in f.post(&f.admin, sigs).await["results"].as_array().unwrap() {
                assert!(
                    matches!(r["outcome"].as_str(), Some("attached" | "already_attached")),
                    "{r}"
                );
                numbers.push(r["number"].as_u64().unwrap());
            }
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    let (_, rest) = f
        .claim(&f.admin, json!({"certificate": t.id, "limit": 100}))
        .await;
    let sigs: Vec<Value> = rest["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| sign(&t, c))
        .collect();
    if !sigs.is_empty() {
        for r in f.post(&f.admin, sigs).await["results"].as_array().unwrap() {
            numbers.push(r["number"].as_u64().unwrap());
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>());
}

#[tokio::test]
async fn a_signer_token_claims_and_signs_but_reaches_nothing_else() {
    let f = fixture().await;
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    f.frozen("tok-0000001").await;
    let issuer = f.app.state.0.issuer.clone().unwrap();
    let signer = issuer.issue(&Claims {
        sub: "ketoan@anphat.vn (token desktop)".into(),
        tenant: "anphat".into(),
        role: Role::Signer,
        exp: NOW + 3600,
    });
    let (s, bundle) = f.claim(&signer, json!({"certificate": t.id})).await;
    assert_eq!(s, StatusCode::OK, "{bundle}");
    let r = f
        .post(&signer, vec![sign(&t, &bundle["invoices"][0])])
        .await;
    assert_eq!(outcomes(&r), ["attached"]);
    for uri in [
        "/api/invoices",
        "/api/summary",
        "/api/certificates",
        "/api/catalogs/customers",
    ] {
        let (s, v) = f.app.get(&signer, uri).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{uri}: {v}"
        );
    }
    // Sales may not claim.
    let sales = f.app.login("sales@anphat.vn").await;
    assert_eq!(
        f.claim(&sales, json!({"certificate": t.id})).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_queue_is_numbered_by_issue_date_so_an_earlier_date_frozen_later_is_not_stranded() {
    let f = fixture().await;
    let t = seller_token(at(2030, 1, 1));
    f.register(&t).await;
    f.frozen("tok-late-15").await; // dated 2025-10-15, frozen first
    let mut earlier = example();
    earlier["issue_date"] = json!("2025-10-14");
    let (s, v) = f
        .app
        .draft_and_issue(&f.admin, "tok-early-14", &earlier)
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("awaiting_token")),
        "{v}"
    );
    let (_, bundle) = f.claim(&f.admin, json!({"certificate": t.id})).await;
    assert_eq!(
        common::pluck(&bundle, "invoices", "id"),
        ["tok-early-14", "tok-late-15"],
        "numbers follow dates: {bundle}"
    );
    assert!(bundle["skipped"].as_array().unwrap().is_empty(), "{bundle}");
}
