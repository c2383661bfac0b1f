//! Delivery end to end, in-process: the PDF drawn from the signed file (its text checked with
//! `pdftotext` against the XML's values), deliverable only once valid, the template version an
//! invoice was issued under, the converted copy in the audit chain, and the public lookup
//! (codes, wrong codes, the per-client limit, tenants kept apart).

mod common;

use axum::http::StatusCode;
use common::corrections::{app as connected_app, invoice, valid};
use common::delivery::*;
use common::*;
use serde_json::json;

const TENANT: &str = "anphat";

#[tokio::test]
async fn an_uncoded_invoice_prints_what_its_signed_file_says() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (s, v) = app.draft_and_issue(&t, "deliver-k-01", &doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["deliverable"].as_bool()),
        (Some("signed"), Some(true))
    );
    assert_eq!(v["template_version"], 0);

    // The lookup code and address are in the signed file itself.
    let code = code_of(&v);
    let xml =
        String::from_utf8(app.download(&t, "/api/invoices/deliver-k-01/xml").await.2).unwrap();
    assert!(
        xml.contains("<TTruong>MaTraCuu</TTruong>") && xml.contains(&code),
        "{xml}"
    );
    assert!(xml.contains("/lookup/anphat</DLieu>"), "{xml}");

    let text = pdf_text(&pdf(&app, &t, "deliver-k-01").await);
    for expected in [
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "Công ty Cổ phần Giải pháp Số Bình Minh",
        "Máy tính xách tay Dell Latitude 5440",
        "Nước tinh khiết đóng bình 20 lít",
        "K25TAB",
        "37.000.000",
        code.as_str(),
        "Ký bởi",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The grand total and its words, as the XML has them.
    let total = xml_text(&xml, "TToan", "TgTTTBSo").unwrap();
    let grouped = hoadon_core::money::format_vi(total.parse().unwrap());
    assert!(text.contains(&grouped), "{grouped} missing from:\n{text}");
    let words = xml_text(&xml, "TToan", "TgTTTBChu").unwrap();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat(&text).contains(&flat(&words)),
        "{words} missing from:\n{text}"
    );
}

#[tokio::test]
async fn a_client_cannot_write_the_lookup_fields() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    doc["extensions"] = json!({"general": [{"field": "MaTraCuu", "value": "AAAA-BBBB-CCCC-DDDD"}]});
    let answer = app.draft(&t, "forged-lookup-1", &doc).await;
    assert_finding(
        &answer,
        "extensions.general[0].field",
        "extension.server_owned",
    );
}

#[tokio::test]
async fn a_coded_invoice_is_deliverable_only_once_coded_and_says_test() {
    let (app, t) = connected_app().await;
    app.series(&t, "C25TAB").await;
    let (s, v) = app
        .draft_and_issue(&t, "deliver-c-01", &invoice("C25TAB", "2025-10-15", true))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Signed, not yet coded: nothing reaches the buyer.
    assert_eq!(v["deliverable"], false);
    let (s, _, _, body) = raw(
        &app,
        "GET",
        "/api/invoices/deliver-c-01/pdf",
        Some(&t),
        None,
        None,
    )
    .await;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (s, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_deliverable")),
        "{body}"
    );
    let code = code_of(&v);
    let (s, _, _) = lookup(&app, TENANT, &code, "198.51.100.7").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let v = valid(&app, &t, "deliver-c-01").await;
    assert_eq!(v["deliverable"], true);
    let mccqt = v["authority"]["code"].as_str().unwrap().to_owned();
    let text = pdf_text(&pdf(&app, &t, "deliver-c-01").await);
    assert!(text.contains(&mccqt), "MCCQT {mccqt} missing from:\n{text}");
    assert!(
        text.contains("TEST"),
        "the simulator's code is test data:\n{text}"
    );

    // Now the code answers, with the coded file; typed loosely it still does.
    let (s, found, _) = lookup(
        &app,
        TENANT,
        &code.to_lowercase().replace('-', " "),
        "198.51.100.7",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert!(found["xml"].as_str().unwrap().contains(&mccqt));
    assert_eq!(found["test"], true);
}

#[tokio::test]
async fn lookups_are_counted_per_client_and_wrong_codes_look_unknown() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (_, v) = app.draft_and_issue(&t, "deliver-k-02", &doc).await;
    let code = code_of(&v);

    let (s, found, _) = lookup(&app, TENANT, &code, "203.0.113.1").await;
    assert_eq!(s, StatusCode::OK, "{found}");
    // A wrong code, a malformed one and another tenant answer the same 404.
    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let wrong = String::from_utf8(wrong).unwrap();
    let a = lookup(&app, TENANT, &wrong, "203.0.113.1").await;
    let b = lookup(&app, TENANT, "not a code", "203.0.113.1").await;
    let c = lookup(&app, "other", &code, "203.0.113.1").await;
    let d = lookup(&app, "no such tenant!", &code, "203.0.113.1").await;
    assert_eq!(a.0, StatusCode::NOT_FOUND);
    assert_eq!((&a.0, &a.1), (&b.0, &b.1));
    assert_eq!((&a.0, &a.1), (&c.0, &c.1));
    assert_eq!((&a.0, &a.1), (&d.0, &d.1));

    // The limit counts in the store: past it, 429 with Retry-After, for this client only.
    let used = 3; // the calls above on this tenant (another tenant counts on its own)
    for _ in used..hoadon_api::delivery::lookup::PER_WINDOW {
        let (s, _, _) = lookup(&app, TENANT, &wrong, "203.0.113.1").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, body, retry) = lookup(&app, TENANT, &code, "203.0.113.1").await;
    assert_eq!(
        (s, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
    assert!(retry.unwrap().parse::<u64>().unwrap() > 0);
    let (s, _, _) = lookup(&app, TENANT, &code, "203.0.113.2").await;
    assert_eq!(s, StatusCode::OK);

    // The public PDF of the same code.
    let (s, ct, _, bytes) = raw(
        &app,
        "POST",
        "/api/public/lookup/pdf",
        None,
        Some(json!({"tenant": TENANT, "code": code})),
        Some("203.0.113.3"),
    )
    .await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf_text(&bytes).contains("Bình Minh"));
}

#[tokio::test]
async fn an_invoice_prints_with_the_template_version_it_was_issued_under() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let sales = app.login("sales@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let uri = "/api/series/1K25TAB/template";
    let (s, v) = app.get(&t, uri).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(0)), "{v}");

    let v1 = json!({"labels": "vi_en", "accent": "#8b0000", "footer": "Cảm ơn Quý khách – mẫu một",
        "columns": {"code": true, "discount": false}});
    let (s, v) = app
        .call("PUT", uri, Some(&sales), &[], Some(v1.clone()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let bad = json!({"accent": "red"});
    let answer = app.call("PUT", uri, Some(&t), &[], Some(bad)).await;
    assert_finding(&answer, "accent", "template.invalid");
    let (s, v) = app.call("PUT", uri, Some(&t), &[], Some(v1)).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(1)), "{v}");

    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (_, a) = app.draft_and_issue(&t, "tpl-first-01", &doc).await;
    assert_eq!(a["template_version"], 1);

    let v2 = json!({"labels": "vi", "footer": "Mẫu hai"});
    let (s, v) = app
        .call(
            "PUT",
            &format!("{uri}?expected=0"),
            Some(&t),
            &[],
            Some(v2.clone()),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a save over a version not seen: {v}"
    );
    let (s, v) = app
        .call("PUT", &format!("{uri}?expected=1"), Some(&t), &[], Some(v2))
        .await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    let (_, b) = app.draft_and_issue(&t, "tpl-second-1", &doc).await;
    assert_eq!(b["template_version"], 2);

    let first = pdf_text(&pdf(&app, &t, "tpl-first-01").await);
    let second = pdf_text(&pdf(&app, &t, "tpl-second-1").await);
    assert!(
        first.contains("mẫu một") && first.contains("Date"),
        "{first}"
    );
    assert!(
        first.contains("LAP-5440"),
        "the code column of version 1:\n{first}"
    );
    assert!(
        second.contains("Mẫu hai") && !second.contains("mẫu một"),
        "{second}"
    );
    let (_, versions) = app.get(&t, &format!("{uri}/versions")).await;
    let numbers: Vec<_> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64())
        .collect();
    assert_eq!(numbers, [Some(2), Some(1)]);

    // The preview draws a sample with an unsaved template.
    let (s, ct, _, bytes) = raw(
        &app,
        "POST",
        &format!("{uri}/preview"),
        Some(&t),
        Some(json!({"footer": "Xem trước chân trang"})),
        None,
    )
    .await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf_text(&bytes).contains("Xem trước chân trang"));
}

#[tokio::test]
async fn a_converted_copy_is_recorded_in_the_audit_chain() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let sales = app.login("sales@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    app.draft_and_issue(&t, "converted-01", &doc).await;
    let uri = "/api/invoices/converted-01/converted";
    let body = json!({"converter": "Lê Thị Hồng Nhung"});
    let (s, _, _, _) = raw(&app, "POST", uri, Some(&sales), Some(body.clone()), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, ct, _, bytes) = raw(&app, "POST", uri, Some(&t), Some(body), None).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&bytes);
    assert!(
        text.contains("CHUYỂN ĐỔI") && text.contains("Lê Thị Hồng Nhung"),
        "{text}"
    );
    let (s, audit) = app.get(&t, "/api/invoices/converted-01/audit").await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    assert!(audit.to_string().contains("converted"), "{audit}");
}
