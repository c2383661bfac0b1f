//! The integrity issue, case by case: what a client sends cannot change what the seller signs,
//! a refusal never spends a number, a number gives one signed file, and every refusal is typed
//! JSON. Each test names the case it proves.

mod common;

use axum::http::StatusCode;
use common::*;
use hoadon_api::store::Key;
use hoadon_core::dsig::verify_document;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tower::ServiceExt;

/// A `PUT /api/profile` with `If-Match: version`.
async fn put_profile(
    app: &TestApp,
    token: &str,
    version: u64,
    profile: &Value,
) -> (StatusCode, Value) {
    let v = version.to_string();
    app.call(
        "PUT",
        "/api/profile",
        Some(token),
        &[("if-match", &v)],
        Some(profile.clone()),
    )
    .await
}

/// The test profile as JSON, with `field` set to `value`.
fn profile_with(field: &str, value: &str) -> Value {
    let mut p = serde_json::to_value(profile()).unwrap();
    p[field] = json!(value);
    p
}

/// The series `1<symbol>` as `GET /api/series` lists it.
async fn series_view(app: &TestApp, token: &str, symbol: &str) -> Value {
    let (_, v) = app.get(token, "/api/series").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["symbol"] == symbol)
        .cloned()
        .unwrap()
}

/// An admin of "anphat" with the series C25TAB.
async fn anphat_with_series(app: &TestApp) -> String {
    let t = app.login("admin@anphat.vn").await;
    assert_eq!(app.series(&t, "C25TAB").await.0, StatusCode::CREATED);
    t
}

/// The example draft with `edit` applied.
fn example_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = example();
    edit(&mut doc);
    doc
}

/// Case 1: a client cannot put server-owned content in a draft. Each server-owned field is
/// refused (`400 bad_request` naming it) and nothing is stored.
#[tokio::test]
async fn a_client_cannot_set_server_owned_fields() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let owned = [
        ("unknown", json!([])),
        ("authority_code", json!("M1-25-ABCDE-00000000001")),
        ("qr_data", json!("000201")),
        ("data_id", json!("ID1")),
        (
            "seller",
            json!({"name": "Công ty Khác", "tax_id": "0312345673"}),
        ),
        ("number", json!(42)),
        ("provider_tax_id", json!("0100109106")),
    ];
    for (i, (field, value)) in owned.into_iter().enumerate() {
        let doc = example_with(|d| d[field] = value);
        let id = format!("inv-owned-{i:02}");
        let (s, v) = app.draft(&t, &id, &doc).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{field}: {v}"
        );
        let message = v["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("unknown field `{field}`")),
            "{field}: {message}"
        );
        assert_eq!(
            app.get(&t, &format!("/api/invoices/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
    }
    assert!(app.list_all(&t, "").await.is_empty(), "nothing stored");
}

/// Case 2: the seller block is the company profile's. A draft shows it; an admin's change
/// (with `If-Match`) is what an existing draft signs; sales cannot change it; a stale version
/// or an invalid tax id is refused; the profile's audit chain records the changed fields.
#[tokio::test]
async fn the_seller_block_comes_from_the_company_profile() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let (_, d) = app.draft(&t, "inv-seller-01", &example()).await;
    assert_eq!(
        d["document"]["seller"],
        serde_json::to_value(profile().seller()).unwrap()
    );

    let (s, p) = app.get(&t, "/api/profile").await;
    assert_eq!((s, p["version"].as_u64()), (StatusCode::OK, Some(1)), "{p}");
    let renamed = profile_with("name", "Công ty Cổ phần An Phát Mới");
    let sales = app.login("sales@anphat.vn").await;
    let (s, v) = put_profile(&app, &sales, 1, &renamed).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, v) = put_profile(&app, &t, 1, &renamed).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    let (s, v) = put_profile(&app, &t, 1, &profile_with("name", "stale")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    assert_eq!(v["current"]["version"], 2);
    assert_eq!(
        v["current"]["profile"]["name"],
        "Công ty Cổ phần An Phát Mới"
    );
    let (s, v) = put_profile(&app, &t, 2, &profile_with("tax_id", "0109998887")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        details(&v).iter().any(|(p, _)| p == "profile.tax_id"),
        "{v}"
    );

    // The draft was made under the old name; it is issued under the new one.
    let (s, v) = app.issue(&t, "inv-seller-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["document"]["seller"]["name"],
        "Công ty Cổ phần An Phát Mới"
    );
    let (_, xml) = app.get(&t, "/api/invoices/inv-seller-01/xml").await;
    let xml = xml.as_str().unwrap();
    assert_eq!(
        xml_text(xml, "NBan", "Ten").as_deref(),
        Some("Công ty Cổ phần An Phát Mới")
    );
    assert!(verify_document(xml).unwrap()[0].valid);

    let (s, a) = app.get(&t, "/api/profile/audit").await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["valid"], true, "{a}");
    let changes: Vec<&str> = pluck(&a, "entries", "detail");
    assert_eq!(changes, ["name,tax_id,address", "name"]);
}

/// Case 3: issuing refuses, spending no number, when the profile's tax id is not the signing
/// certificate's (`seller.not_key_holder`) and when the profile is incomplete
/// (`422 profile_incomplete`, a tenant whose profile was never saved).
#[tokio::test]
async fn issuing_needs_the_key_holders_complete_profile_and_spends_no_number_otherwise() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let foreign = profile_with("tax_id", "0312345673"); // valid, not the certificate's
    assert_eq!(put_profile(&app, &t, 1, &foreign).await.0, StatusCode::OK);
    app.draft(&t, "inv-foreign-01", &example()).await;
    let refused = app.issue(&t, "inv-foreign-01").await;
    assert_finding(&refused, "seller.tax_id", "seller.not_key_holder");
    let own = serde_json::to_value(profile()).unwrap();
    assert_eq!(put_profile(&app, &t, 2, &own).await.0, StatusCode::OK);
    app.assert_next_number(&t, "inv-own-00001", 1).await;

    let m = app.add_fresh_tenant().await;
    let (_, p) = app.get(&m, "/api/profile").await;
    assert_eq!(
        (p["version"].as_u64(), p["complete"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(app.series(&m, "C25TAB").await.0, StatusCode::CREATED);
    let (s, v) = app.draft_and_issue(&m, "inv-fresh-001", &example()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("profile_incomplete")),
        "{v}"
    );
    assert!(details(&v).iter().any(|(p, _)| p == "profile.name"), "{v}");
    assert_eq!(series_view(&app, &m, "C25TAB").await["last_number"], 0);
    assert_eq!(put_profile(&app, &m, 0, &own).await.0, StatusCode::OK);
    let (s, v) = app.issue(&m, "inv-fresh-001").await;
    assert_eq!((s, v["number"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
}

/// Case 4: a character XML 1.0 cannot carry (U+0001 in the buyer's name) is a finding at its
/// path (`text.xml_char`), not a broken file; no number is spent.
#[tokio::test]
async fn a_control_character_is_a_finding_and_spends_no_number() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let doc = example_with(|d| d["buyer"]["name"] = json!("Công ty\u{1} Bình Minh"));
    let refused = app.draft_and_issue(&t, "inv-ctrl-0001", &doc).await;
    assert_finding(&refused, "buyer.name", "text.xml_char");
    app.assert_next_number(&t, "inv-good-0001", 1).await;
}

/// Case 5: an empty tax rate on a goods line of form 1 is a missing one (`required`).
#[tokio::test]
async fn an_empty_tax_rate_is_required() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let doc = example_with(|d| d["lines"][0]["tax_rate"] = json!(""));
    let refused = app.draft_and_issue(&t, "inv-rate-0001", &doc).await;
    assert_finding(&refused, "lines[0].tax_rate", "required");
    app.assert_next_number(&t, "inv-good-0001", 1).await;
}

/// Case 6: amounts whose product overflows a decimal are a `422`, not a panic or a dropped
/// connection; no number is spent.
#[tokio::test]
async fn an_overflowing_amount_is_refused_not_a_panic() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let doc = example_with(|d| {
        d["lines"][0]["quantity"] = json!("999999999999999");
        d["lines"][0]["unit_price"] = json!("999999999999999");
    });
    let (s, v) = app.draft_and_issue(&t, "inv-huge-0001", &doc).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
        "{v}"
    );
    let (s, v) = app.post(&t, "/api/invoices/inv-huge-0001/validate").await;
    assert_eq!(
        (s, v["valid"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    app.assert_next_number(&t, "inv-good-0001", 1).await;
}

/// Case 7: an issue date after today (Vietnam time) is refused before numbering: the series'
/// last date does not move, so today's invoice still issues as number 1.
#[tokio::test]
async fn a_future_issue_date_is_refused_and_does_not_move_the_series() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let before = series_view(&app, &t, "C25TAB").await;
    let doc = example_with(|d| d["issue_date"] = json!("2025-11-23"));
    let refused = app.draft_and_issue(&t, "inv-future-01", &doc).await;
    assert_finding(&refused, "issue_date", "issue_date.future");
    assert_eq!(series_view(&app, &t, "C25TAB").await, before);
    let today = example_with(|d| d["issue_date"] = json!("2025-11-22"));
    let (s, v) = app.draft_and_issue(&t, "inv-today-001", &today).await;
    assert_eq!((s, v["number"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    assert_eq!(
        series_view(&app, &t, "C25TAB").await["last_date"],
        "2025-11-22"
    );
}

/// Case 8: clients that drop the connection mid-issue do not freeze the series: the next issue
/// completes, and after the sweep every number of the series is signed and they run 1..=N.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_connections_do_not_freeze_a_series() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    const N: usize = 40;
    for i in 0..=N {
        app.draft(&t, &format!("inv-drop-{i:04}"), &example()).await;
    }
    let mut dropped = Vec::new();
    for i in 0..N {
        let uri = format!("/api/invoices/inv-drop-{i:04}/issue");
        let req = request("POST", &uri, Some(&t), &[], None);
        let task = tokio::spawn(hoadon_api::http::router(app.state.clone()).oneshot(req));
        dropped.push((task, Duration::from_millis((i % 6) as u64)));
    }
    for (task, after) in dropped {
        tokio::time::sleep(after).await;
        task.abort();
    }
    let last = tokio::time::timeout(Duration::from_secs(20), app.issue(&t, "inv-drop-0040"))
        .await
        .expect("the series is not frozen");
    assert_eq!(last.0, StatusCode::OK, "{}", last.1);
    assert!(last.1["number"].as_u64().is_some());

    wait_for_spawned_tasks().await;
    app.sweep().await;
    let listed = app.list_all(&t, "series=1C25TAB").await;
    let mut numbers: Vec<u64> = listed
        .iter()
        .filter(|v| !v["number"].is_null())
        .inspect(|v| assert_eq!(v["status"], "signed", "{v}"))
        .map(|v| v["number"].as_u64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>());
    assert_eq!(
        series_view(&app, &t, "C25TAB").await["last_number"],
        numbers.len()
    );
}

/// One number, one signed file: the invoice is signed, its archive holds exactly one file whose
/// bytes are what `GET …/xml` returns (and verify), and its audit chain holds one `signed`
/// entry and is valid.
async fn assert_signed_once(app: &TestApp, token: &str, id: &str) {
    let (_, v) = app.get(token, &format!("/api/invoices/{id}")).await;
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("signed"), Some(1))
    );
    let files = app.archive_files("anphat");
    assert_eq!(files.len(), 1, "{files:?}");
    let (_, xml) = app.get(token, &format!("/api/invoices/{id}/xml")).await;
    let xml = xml.as_str().unwrap();
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), xml);
    assert!(verify_document(xml).unwrap()[0].valid);
    let (_, a) = app.get(token, &format!("/api/invoices/{id}/audit")).await;
    assert_eq!(a["valid"], true, "{a}");
    let signed = pluck(&a, "entries", "action")
        .into_iter()
        .filter(|a| *a == "signed")
        .count();
    assert_eq!(signed, 1, "{a}");
}

/// The test key behind a [`Slow`] signer.
fn slow_signer(delay: Duration, stall_next: bool) -> Arc<Slow> {
    Arc::new(Slow::new(Arc::new(local_signer()), delay, stall_next))
}

/// Case 9a: the sweep racing an issue that is signing (a signer taking 200 ms) signs the same
/// bytes; one attempt records them; both finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sweep_racing_an_issue_leaves_one_signed_file() {
    let slow = slow_signer(Duration::from_millis(200), false);
    let app = Arc::new(spawn_app_with(|_| slow.clone()).await);
    let t = anphat_with_series(&app).await;
    app.draft(&t, "inv-race-0001", &example()).await;
    let issuing = tokio::spawn({
        let (app, t) = (app.clone(), t.clone());
        async move { app.issue(&t, "inv-race-0001").await }
    });
    while slow.calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let report = app.sweep().await;
    let (s, v) = issuing.await.unwrap();
    assert_eq!((s, v["number"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    assert_eq!(report.failed, 0);
    assert_eq!(slow.calls.load(Ordering::SeqCst), 2, "both attempts signed");
    assert_signed_once(&app, &t, "inv-race-0001").await;
}

/// Case 9b: a signer call that stalls past the request's end, while the sweep signs the invoice,
/// still ends in one signed file when it finally returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_signer_returning_late_leaves_one_signed_file() {
    let slow = slow_signer(Duration::ZERO, true);
    let app = spawn_app_with(|_| slow.clone()).await;
    let t = anphat_with_series(&app).await;
    app.draft(&t, "inv-stall-001", &example()).await;
    let req = request(
        "POST",
        "/api/invoices/inv-stall-001/issue",
        Some(&t),
        &[],
        None,
    );
    let issuing = tokio::spawn(hoadon_api::http::router(app.state.clone()).oneshot(req));
    tokio::time::timeout(Duration::from_secs(20), slow.stalled.notified())
        .await
        .expect("the first signing call starts");
    issuing.abort();

    let report = app.sweep().await;
    assert_eq!((report.signed, report.failed), (1, 0));
    assert_signed_once(&app, &t, "inv-stall-001").await;

    slow.release.notify_one();
    wait_for_spawned_tasks().await;
    assert_eq!(
        slow.returned.load(Ordering::SeqCst),
        2,
        "the stalled call returned"
    );
    assert_signed_once(&app, &t, "inv-stall-001").await;
}

/// Case 10: the sweep goes on past an invoice it cannot sign, records why on it (the home
/// screen and `?attention=true` list it), and a later sweep signs it and clears the record.
#[tokio::test]
async fn the_sweep_goes_past_an_invoice_it_cannot_sign() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    app.flaky.fail.store(2, Ordering::SeqCst);
    for id in ["inv-stuck-001", "inv-stuck-002"] {
        let (s, v) = app.draft_and_issue(&t, id, &example()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("signing_pending"))
        );
    }
    // The sweep's first attempt (the first pending id) fails; the second signs.
    app.flaky.fail.store(1, Ordering::SeqCst);
    let report = app.sweep().await;
    assert_eq!((report.signed, report.failed), (1, 1));
    let (_, stuck) = app.get(&t, "/api/invoices/inv-stuck-001").await;
    assert_eq!(stuck["status"], "numbered");
    assert!(
        stuck["attention"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("down")),
        "{stuck}"
    );
    assert_eq!(
        stuck["attention"]["attempts"], 2,
        "the request's and the sweep's"
    );
    let (_, other) = app.get(&t, "/api/invoices/inv-stuck-002").await;
    assert_eq!(other["status"], "signed");
    assert!(other["attention"].is_null(), "{other}");
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(home["counts"]["needs_attention"], 1, "{home}");
    assert_eq!(pluck(&home, "needs_attention", "id"), ["inv-stuck-001"]);
    let flagged = app.list_all(&t, "attention=true").await;
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["id"], "inv-stuck-001");

    assert_eq!(app.sweep().await.signed, 1);
    let (_, v) = app.get(&t, "/api/invoices/inv-stuck-001").await;
    assert_eq!(v["status"], "signed");
    assert!(v["attention"].is_null(), "{v}");
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(home["counts"]["needs_attention"], 0);
    assert!(app.list_all(&t, "attention=true").await.is_empty());
}

/// Case 11: every refusal — axum's own included — is typed JSON (`code`, `message`), and the
/// CSV import's 5 MiB limit is the one users meet (a 3 MiB file imports, 6 MiB is a `413`).
#[tokio::test]
async fn every_rejection_is_typed_json() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let json_body = |v: &Value| Some(("application/json", v.to_string().into_bytes()));
    let key = [("idempotency-key", "key-typed-0001")];
    let wrong_type =
        json!({"id": "inv-typed-001", "document": example_with(|d| d["lines"] = json!(5))});
    let unknown_top = json!({"id": "inv-typed-001", "document": example(), "status": "signed"});
    let too_large =
        json!({"id": "inv-typed-001", "document": example(), "pad": "x".repeat(3 << 20)});
    let cases: Vec<(&str, _, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            request(
                "POST",
                "/api/invoices",
                Some(&t),
                &key,
                Some(("application/json", b"{\"id\": ".to_vec())),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "wrong type",
            request(
                "POST",
                "/api/invoices",
                Some(&t),
                &key,
                json_body(&wrong_type),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "unknown top-level field",
            request(
                "POST",
                "/api/invoices",
                Some(&t),
                &key,
                json_body(&unknown_top),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "body over the limit",
            request(
                "POST",
                "/api/invoices",
                Some(&t),
                &key,
                json_body(&too_large),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "not JSON",
            request(
                "POST",
                "/api/invoices",
                Some(&t),
                &key,
                Some(("text/plain", b"hi".to_vec())),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "wrong method",
            request("DELETE", "/api/invoices", Some(&t), &[], None),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "bad path parameter",
            request("GET", "/api/invoices/%FF%FE/audit", Some(&t), &[], None),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "bad query",
            request("GET", "/api/invoices?limit=abc", Some(&t), &[], None),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "unknown query parameter",
            request("GET", "/api/invoices?sort=desc", Some(&t), &[], None),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "unknown route",
            request("GET", "/api/nothing-here", Some(&t), &[], None),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (what, req, status, code) in cases {
        let a = app.send(req).await;
        assert_eq!(a.status, status, "{what}: {}", a.body);
        assert_eq!(a.assert_typed_error(), code, "{what}");
    }
    assert!(app.list_all(&t, "").await.is_empty(), "nothing stored");

    // The import's limit is reachable: 3 MiB imports, 6 MiB is refused as too large.
    let csv = |bytes: usize| {
        let mut s = String::from("code,name\n");
        let mut i = 0;
        while s.len() < bytes {
            s.push_str(&format!(
                "DVT-{i:08}-{},Đơn vị tính số {i:08} loại dài\n",
                "x".repeat(30)
            ));
            i += 1;
        }
        s
    };
    let import = |text: String| {
        request(
            "POST",
            "/api/catalogs/units/import",
            Some(&t),
            &[],
            Some(("text/csv", text.into_bytes())),
        )
    };
    let a = app.send(import(csv(3 << 20))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body["imported"].as_u64().unwrap() > 20_000);
    let a = app.send(import(csv(6 << 20))).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.body);
    assert_eq!(a.assert_typed_error(), "payload_too_large");
}

/// Case 12: a line's discount rate and amount must agree (`discount.mismatch` at the amount),
/// and a discount is not negative outside an adjustment (`discount.negative`).
#[tokio::test]
async fn discounts_agree_and_are_not_negative() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let doc = example_with(|d| {
        d["lines"][0]["discount_rate"] = json!("10");
        d["lines"][0]["discount_amount"] = json!("1000");
    });
    let refused = app.draft_and_issue(&t, "inv-disc-0001", &doc).await;
    assert_finding(&refused, "lines[0].discount_amount", "discount.mismatch");
    let doc = example_with(|d| {
        d["lines"][0]["discount_rate"] = Value::Null;
        d["lines"][0]["discount_amount"] = json!("-1000");
    });
    let (s, v) = app.draft_and_issue(&t, "inv-disc-0002", &doc).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        details(&v)
            .iter()
            .any(|(p, c)| p.starts_with("lines[0]") && c == "discount.negative"),
        "{v}"
    );
    app.assert_next_number(&t, "inv-good-0001", 1).await;
}

/// Case 13: a signed file larger than one store item (400 KB) issues; the `XML` item holds a
/// small pointer to the archive, and `GET …/xml` returns the whole file, which verifies.
#[tokio::test]
async fn a_signed_file_larger_than_a_store_item_is_kept_in_the_archive() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    let line = |i: usize| {
        json!({
            "code": format!("SP-{i:05}"),
            "name": format!("Hàng hóa số {i:05} — {}", "Giấy in A4 Double A 80gsm ".repeat(5)),
            "unit": "Ram",
            "quantity": "1",
            "unit_price": "68500",
            "tax_rate": "8%",
        })
    };
    // A record too large to be kept once signed is refused before it takes a number.
    let too_large = example_with(|d| d["lines"] = (0..1500).map(line).collect());
    app.draft(&t, "inv-huge-0001", &too_large).await;
    let (s, v) = app.issue(&t, "inv-huge-0001").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        "{v}"
    );
    let doc = example_with(|d| d["lines"] = (0..1400).map(line).collect());
    let (s, v) = app.draft(&t, "inv-large-001", &doc).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app.issue(&t, "inv-large-001").await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("signed")),
        "{v}"
    );

    let (s, xml) = app.get(&t, "/api/invoices/inv-large-001/xml").await;
    assert_eq!(s, StatusCode::OK);
    let xml = xml.as_str().unwrap();
    assert!(xml.len() > 400 * 1024, "{} bytes", xml.len());
    assert!(xml.contains("SP-01399"), "the file is whole");
    let reports = verify_document(xml).unwrap();
    assert!(reports.iter().all(|r| r.valid), "{reports:?}");
    let item = app
        .state
        .0
        .store
        .get(&Key::new("T#anphat#XML", "inv-large-001"))
        .await
        .unwrap()
        .unwrap();
    assert!(item.data.len() < 1024, "a pointer, not the file");
    assert_eq!(app.archive_files("anphat").len(), 1);
}

/// Issuing with `If-Match` pins the version the issuer reviewed: a draft edited since (by
/// someone else) is not signed (`409 draft_conflict` with the current draft, no number spent);
/// with the current version it issues.
#[tokio::test]
async fn issuing_with_if_match_signs_only_the_reviewed_version() {
    let app = spawn_app().await;
    let t = anphat_with_series(&app).await;
    app.draft(&t, "inv-pin-0001", &example()).await;
    let mut edited = example();
    edited["payment_method"] = json!("CK");
    let (s, _) = app
        .call(
            "PUT",
            "/api/invoices/inv-pin-0001",
            Some(&t),
            &[("if-match", "1")],
            Some(edited),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/inv-pin-0001/issue",
            Some(&t),
            &[("if-match", "1")],
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("draft_conflict")),
        "{v}"
    );
    assert_eq!(v["current"]["version"], 2);
    assert_eq!(v["current"]["status"], "draft", "nothing numbered");
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/inv-pin-0001/issue",
            Some(&t),
            &[("if-match", "2")],
            None,
        )
        .await;
    assert_eq!((s, v["number"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
}
