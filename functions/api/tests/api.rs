//! The API end to end over the Router (no network): a fresh store, the test signing key, a fixed
//! clock, two tenants.

mod common;

use axum::http::StatusCode;
use common::*;
use hoadon_core::dsig::verify_document;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
#[tokio::test]
async fn login_and_tokens() {
    let app = spawn_app().await;
    for (email, password) in [("admin@anphat.vn", "nope"), ("ghost@x.vn", "nope")] {
        let body = json!({"email": email, "password": password});
        let (s, v) = app.call("POST", "/api/login", None, &[], Some(body)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
        );
    }
    let (s, v) = app.call("GET", "/api/series", None, &[], None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (s, _) = app
        .call("GET", "/api/series", Some("garbage.token.here"), &[], None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let t = app.login("admin@anphat.vn").await;
    let (s, _) = app.get(&t, "/api/series").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn draft_edit_issue_download_and_audit() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    assert_eq!(app.series(&t, "C25TAB").await.0, StatusCode::CREATED);
    let (s, v) = app.series(&t, "C25TAB").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_exists"))
    );

    // A draft, and a retry of the same request: one record.
    let (s, d) = app.draft(&t, "inv-00000001", &example()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["version"], 1);
    let (s, again) = app.draft(&t, "inv-00000001", &example()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["created_at"], d["created_at"]);
    let (_, list) = app.get(&t, "/api/invoices").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Edit with the right version; a stale version gets the server's copy.
    let mut doc = example();
    doc["payment_method"] = json!("CK");
    let uri = "/api/invoices/inv-00000001";
    let (s, v) = app
        .call(
            "PUT",
            uri,
            Some(&t),
            &[("if-match", "1")],
            Some(doc.clone()),
        )
        .await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)));
    let (s, v) = app
        .call("PUT", uri, Some(&t), &[("if-match", "1")], Some(doc))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("draft_conflict"))
    );
    assert_eq!(v["current"]["version"], 2);
    assert_eq!(v["current"]["document"]["payment_method"], "CK");

    // Issue: number 1, signed; the XML verifies and carries the number.
    let (s, v) = app.post(&t, "/api/invoices/inv-00000001/issue").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("signed"), Some(1))
    );
    let (s, xml) = app.get(&t, "/api/invoices/inv-00000001/xml").await;
    assert_eq!(s, StatusCode::OK);
    let xml = xml.as_str().unwrap();
    assert!(xml.contains("<SHDon>1</SHDon>"));
    let r = &verify_document(xml).unwrap()[0];
    assert!(
        r.valid && r.tax_id.as_deref() == Some("0109998883"),
        "{r:?}"
    );
    // Issued: no more edits; issuing again changes nothing.
    let (s, v) = app
        .call("PUT", uri, Some(&t), &[("if-match", "4")], Some(example()))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("invoice_not_editable"))
    );
    let (_, v) = app.post(&t, "/api/invoices/inv-00000001/issue").await;
    assert_eq!(v["number"], 1);

    // The audit chain: created, updated, numbered, signed; every link holds.
    let (_, a) = app.get(&t, "/api/invoices/inv-00000001/audit").await;
    assert_eq!(a["valid"], true);
    let actions = pluck(&a, "entries", "action");
    assert_eq!(
        actions,
        ["draft_created", "draft_updated", "numbered", "signed"]
    );
}

#[tokio::test]
async fn validation_errors_come_with_every_finding() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let mut doc = example();
    doc["buyer"]["tax_id"] = json!("0109998887");
    doc["lines"][0]["unit"] = Value::Null;
    app.draft(&t, "inv-bad-0001", &doc).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-bad-0001/issue").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed"))
    );
    let details = v["details"].as_array().unwrap();
    let paths = pluck(&v, "details", "path");
    assert_eq!(paths, ["buyer.tax_id", "lines[0].unit"]);
    assert!(
        details[0]["message_vi"]
            .as_str()
            .unwrap()
            .contains("Mã số thuế")
    );
    let (_, v) = app.post(&t, "/api/invoices/inv-bad-0001/validate").await;
    assert_eq!(v["valid"], false);
}

#[tokio::test]
async fn only_the_key_holders_own_invoices_are_issued_and_no_number_is_spent() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "C25TAB").await;
    // The profile names another company (valid tax id, but not the certificate's MST).
    let mut other = json!(profile());
    other["tax_id"] = json!("0312345673");
    let (s, v) = app
        .call(
            "PUT",
            "/api/profile",
            Some(&t),
            &[("if-match", "1")],
            Some(other),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.draft(&t, "inv-foreign-01", &example()).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-foreign-01/issue").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(pluck(&v, "details", "code"), ["seller.not_key_holder"]);
    assert_eq!(pluck(&v, "details", "path"), ["seller.tax_id"]);
    let (s, _) = app
        .call(
            "PUT",
            "/api/profile",
            Some(&t),
            &[("if-match", "2")],
            Some(json!(profile())),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    app.draft(&t, "inv-own-0001", &example()).await;
    let (_, v) = app.post(&t, "/api/invoices/inv-own-0001/issue").await;
    assert_eq!(v["number"], 1, "the refused invoice took no number");
}

#[tokio::test]
async fn another_tenants_invoice_is_indistinguishable_from_a_missing_one() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let o = app.login("admin@other.vn").await;
    app.draft(&t, "inv-secret-01", &example()).await;
    let missing = json!({"code": "not_found", "message": "not found", "details": []});
    for uri in ["/api/invoices/inv-secret-01", "/api/invoices/inv-nothing-1"] {
        let (s, v) = app.get(&o, uri).await;
        assert_eq!((s, &v), (StatusCode::NOT_FOUND, &missing), "{uri}");
    }
    let (_, list) = app.get(&o, "/api/invoices").await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn roles_limit_what_callers_do() {
    let app = spawn_app().await;
    let s = app.login("sales@anphat.vn").await;
    let (st, v) = app.series(&s, "C25TAC").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_issuers_get_exactly_one_to_n() {
    let app = Arc::new(spawn_app().await);
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "C25TAB").await;
    const N: usize = 64;
    for i in 0..N {
        app.draft(&t, &format!("inv-conc-{i:04}"), &example()).await;
    }
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let (app, t) = (app.clone(), t.clone());
            tokio::spawn(async move {
                let uri = format!("/api/invoices/inv-conc-{i:04}/issue");
                let (s, v) = app.post(&t, &uri).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                v["number"].as_u64().unwrap()
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=N as u64).collect::<Vec<_>>(),
        "gapless and unique"
    );
}

#[tokio::test]
async fn issue_dates_never_go_back_within_a_series() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "C25TAB").await;
    app.draft(&t, "inv-date-0001", &example()).await;
    app.post(&t, "/api/invoices/inv-date-0001/issue").await;
    let mut earlier = example();
    earlier["issue_date"] = json!("2025-10-14");
    app.draft(&t, "inv-date-0002", &earlier).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-date-0002/issue").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed"))
    );
    assert_eq!(pluck(&v, "details", "code"), ["issue_date.before_last"]);
    let mut unknown = example();
    unknown["symbol"] = json!("C25TZZ");
    app.draft(&t, "inv-date-0003", &unknown).await;
    let (_, v) = app.post(&t, "/api/invoices/inv-date-0003/issue").await;
    assert_eq!(v["code"], "unknown_series");
}

#[tokio::test]
async fn a_signer_outage_keeps_the_number_and_the_sweep_signs_later() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "C25TAB").await;
    app.draft(&t, "inv-flaky-001", &example()).await;
    app.flaky.fail.store(1, Ordering::SeqCst);
    let (s, v) = app.post(&t, "/api/invoices/inv-flaky-001/issue").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("signing_pending"))
    );
    let (_, v) = app.get(&t, "/api/invoices/inv-flaky-001").await;
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("numbered"), Some(1))
    );
    let (_, pending) = app.get(&t, "/api/invoices?status=numbered").await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 1);
    // The home screen lists it as awaiting its signature, beside a plain draft.
    app.draft(&t, "inv-draft-002", &example()).await;
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(
        home["counts"],
        json!({"draft": 1, "awaiting_token": 0, "numbered": 1, "signed": 0, "sent": 0, "coded": 0, "rejected": 0,
            "data_sent": 0, "data_accepted": 0, "needs_attention": 1, "outbox_attention": 0})
    );
    // It needs attention, with the reason the signer gave.
    assert_eq!(pluck(&home, "needs_attention", "id"), ["inv-flaky-001"]);
    assert!(
        home["needs_attention"][0]["attention"]["reason"]
            .as_str()
            .unwrap()
            .contains("the key service is down")
    );
    assert_eq!(
        pluck(&home, "recent", "id"),
        ["inv-draft-002", "inv-flaky-001"]
    );

    assert_eq!(
        hoadon_api::local::sweep_all(&app.state)
            .await
            .unwrap()
            .signed,
        1
    );
    let (_, v) = app.get(&t, "/api/invoices/inv-flaky-001").await;
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("signed"), Some(1))
    );
    assert_eq!(
        hoadon_api::local::sweep_all(&app.state).await.unwrap(),
        hoadon_api::invoices::SweepReport::default(),
        "nothing left"
    );
    let (_, a) = app.get(&t, "/api/invoices/inv-flaky-001/audit").await;
    assert_eq!(a["valid"], true);
}

#[tokio::test]
async fn requests_without_required_headers_are_refused_clearly() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let body = json!({"id": "inv-nokey-01", "document": example()});
    let (s, v) = app
        .call("POST", "/api/invoices", Some(&t), &[], Some(body))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    app.draft(&t, "inv-nokey-02", &example()).await;
    let (s, _) = app
        .call(
            "PUT",
            "/api/invoices/inv-nokey-02",
            Some(&t),
            &[],
            Some(example()),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn catalog_entries_are_created_searched_paged_and_edited_with_versions() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    for (code, name, tax) in [
        ("KH-001", "Công ty Bình Minh", "0312345673"),
        ("KH-002", "Nhà sách Hà Nội", ""),
        ("KH-003", "Bình An", ""),
    ] {
        let body = json!({"code": code, "name": name, "tax_id": tax, "address": "Hà Nội"});
        let (s, v) = app
            .call("POST", "/api/catalogs/customers", Some(&t), &[], Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = app
        .call(
            "POST",
            "/api/catalogs/customers",
            Some(&t),
            &[],
            Some(json!({"code": "KH-001", "name": "x"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_exists"))
    );
    let bad = json!({"code": "KH-009", "tax_id": "0109998887"});
    let (s, v) = app
        .call("POST", "/api/catalogs/customers", Some(&t), &[], Some(bad))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let paths = pluck(&v, "details", "path");
    assert_eq!(paths, ["name", "tax_id"]);

    // Search (case- and accent-exact substring of code, name, tax id) and pages of 2.
    let (_, v) = app.get(&t, "/api/catalogs/customers?q=b%C3%ACnh").await;
    let codes = pluck(&v, "items", "code");
    assert_eq!(codes, ["KH-001", "KH-003"]);
    let (_, p1) = app.get(&t, "/api/catalogs/customers?limit=2").await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let next = p1["next"].as_str().unwrap();
    let (_, p2) = app
        .get(
            &t,
            &format!("/api/catalogs/customers?limit=2&cursor={next}"),
        )
        .await;
    assert_eq!(p2["items"][0]["code"], "KH-003");
    assert!(p2["next"].is_null());
    // Cursors are opaque: no store key shows through, and a made-up one is refused.
    assert!(!next.contains("KH-"), "{next}");
    let (s, v) = app
        .get(&t, "/api/catalogs/customers?limit=2&cursor=KH-002")
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );

    // Edit at a version; a stale one is refused with the current entry.
    let uri = "/api/catalogs/customers/KH-002";
    let (s, v) = app
        .call(
            "PUT",
            uri,
            Some(&t),
            &[("if-match", "1")],
            Some(json!({"name": "Nhà sách Hà Nội 2"})),
        )
        .await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)));
    let (s, v) = app
        .call(
            "PUT",
            uri,
            Some(&t),
            &[("if-match", "1")],
            Some(json!({"name": "stale"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    assert_eq!(v["current"]["name"], "Nhà sách Hà Nội 2");
    let (s, _) = app.get(&t, "/api/catalogs/planets").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Sales reads catalogs but does not change them.
    let sales = app.login("sales@anphat.vn").await;
    assert_eq!(app.get(&sales, uri).await.0, StatusCode::OK);
    let (s, _) = app
        .call(
            "POST",
            "/api/catalogs/units",
            Some(&sales),
            &[],
            Some(json!({"code": "CAI", "name": "Cái"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_csv_import_reports_every_bad_row_and_imports_nothing_from_a_bad_file() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let bad = "code,name,unit,unit_price,tax_rate\nP1,Giấy A4,Ram,68500,8%\nP2,,Hộp,-5,7%\nP1,Bút,Cái,5000,10%\nP3,Mực,Hộp\n";
    let (s, v) = app.csv(&t, "products", bad).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed"))
    );
    let found: Vec<(&str, &str)> = v["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("rows[1].name", "required"),
            ("rows[1].unit_price", "decimal.invalid"),
            ("rows[1].tax_rate", "tax_rate.invalid"),
            ("rows[2].code", "csv.duplicate_code"),
            ("rows[3]", "csv.columns"),
        ]
    );
    let (_, list) = app.get(&t, "/api/catalogs/products").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing imported from a bad file"
    );

    let mut good = String::from("code,name,unit,unit_price,tax_rate\r\n");
    for i in 0..250 {
        good.push_str(&format!(
            "SP-{i:04},\"Hàng \"\"số\"\" {i}, loại A\",Cái,{}.5,10%\r\n",
            1000 + i
        ));
    }
    let (s, v) = app.csv(&t, "products", &good).await;
    assert_eq!(
        (s, v["imported"].as_u64()),
        (StatusCode::OK, Some(250)),
        "{v}"
    );
    let (_, e) = app.get(&t, "/api/catalogs/products/SP-0007").await;
    assert_eq!(
        (e["name"].as_str(), e["unit_price"].as_str()),
        (Some("Hàng \"số\" 7, loại A"), Some("1007.5"))
    );
}

/// The derived document and the router agree both ways: every path the routers register is
/// documented and every documented path is routed (the `.route("…")` calls of `http/`), and on
/// every path exactly the documented methods are routed (any other answers `405`).
#[tokio::test]
async fn the_openapi_document_matches_the_router() {
    let app = spawn_app().await;
    let (s, doc) = app.call("GET", "/api/openapi.json", None, &[], None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();

    let src = [
        include_str!("../src/http/invoices.rs"),
        include_str!("../src/http/catalogs.rs"),
        include_str!("../src/http/session.rs"),
        include_str!("../src/http/authority.rs"),
        include_str!("../src/http/certificates.rs"),
        include_str!("../src/http/signing.rs"),
        include_str!("../src/http/access_tokens.rs"),
        include_str!("../src/http/corrections.rs"),
        include_str!("../src/http/delivery.rs"),
        include_str!("../src/http/books.rs"),
        include_str!("../src/http/webhooks.rs"),
        include_str!("../src/http/orders.rs"),
        include_str!("../src/http/mod.rs"),
    ]
    .concat();
    // `.route(` is followed (on the same or the next line) by the path literal.
    let routed: std::collections::BTreeSet<&str> = src
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    let documented: std::collections::BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(routed, documented, "routed paths vs documented paths");

    const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];
    for (path, item) in paths {
        let uri = path
            .replace("{kind}", "customers")
            .replace("{id}", "no-such-invoice")
            .replace("{code}", "no-such-code");
        for method in METHODS {
            let (s, v) = app
                .call(&method.to_uppercase(), &uri, None, &[], None)
                .await;
            let documented = item.get(method).is_some();
            assert_eq!(
                s != StatusCode::METHOD_NOT_ALLOWED,
                documented,
                "{method} {path}: {s} {v}"
            );
            if documented {
                let op = &item[method];
                let declared = op["responses"]
                    .get(s.as_str())
                    .is_some_and(|r| !r.is_null());
                assert!(
                    declared,
                    "{method} {path} answered {s}, not in the document"
                );
            }
        }
    }
}
