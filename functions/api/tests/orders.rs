//! Orders → invoices (#19): upsert by the ERP's revision, invoicing keys (whole order,
//! deliveries, consolidation) that never make a second invoice, mapping, the ERP's amounts,
//! automatic issuing under a burst of concurrent clients, corrections proposed, the ERP's
//! token, the change feed.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

const SERIES: &str = "1K25TSO";

async fn setup(app: &TestApp, settings: Value) -> String {
    let t = app.login("admin@anphat.vn").await;
    assert_eq!(app.series(&t, "K25TSO").await.0, StatusCode::CREATED);
    for (kind, body) in [
        (
            "customers",
            json!({"code": "KH001", "name": "Công ty TNHH Minh Anh", "tax_id": "0312345673",
                   "address": "5 Lê Lợi, Quận 1, TP Hồ Chí Minh", "email": "ketoan@minhanh.vn"}),
        ),
        (
            "products",
            json!({"code": "SP01", "name": "Giấy A4 Double A", "unit": "Ram", "unit_price": "68500", "tax_rate": "10%"}),
        ),
        (
            "products",
            json!({"code": "SP02", "name": "Bút bi Thiên Long", "unit": "Hộp", "unit_price": "35000", "tax_rate": "8%"}),
        ),
    ] {
        let (s, v) = app
            .call(
                "POST",
                &format!("/api/catalogs/{kind}"),
                Some(&t),
                &[],
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let mut body = json!({"series": SERIES, "version": 0});
    for (k, v) in settings.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, v) = app
        .call("PUT", "/api/order-settings", Some(&t), &[], Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    t
}

fn order(version: u64, status: &str, customer: &str) -> Value {
    json!({
        "version": version,
        "status": status,
        "order_date": "2025-11-21",
        "customer": {"code": customer, "name": "Công ty TNHH Minh Anh", "tax_id": "0312345673"},
        "lines": [
            {"line_id": "1", "product_code": "SP01", "quantity": "10", "amount": "685000", "vat_amount": "68500"},
            {"line_id": "2", "product_code": "SP02", "quantity": "3", "unit_price": "35000", "amount": "105000", "vat_amount": "8400"}
        ],
        "total": "866900"
    })
}

async fn put(app: &TestApp, t: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        "PUT",
        &format!("/api/orders/{id}"),
        Some(t),
        &[],
        Some(body),
    )
    .await
}

async fn invoice(app: &TestApp, t: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/api/orders/{id}/invoice"),
        Some(t),
        &[],
        Some(body),
    )
    .await
}

#[tokio::test]
async fn an_order_is_invoiced_once_whatever_the_retries_and_races() {
    let app = spawn_app().await;
    let t = setup(&app, json!({})).await;
    // Upsert by the ERP's revision.
    let (s, v) = put(&app, &t, "SO-1001", order(1, "confirmed", "KH001")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = put(&app, &t, "SO-1001", order(1, "confirmed", "KH001")).await;
    assert_eq!(s, StatusCode::OK, "a replay is unchanged");
    let (s, v) = put(&app, &t, "SO-1001", order(1, "completed", "KH001")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.stale")),
        "{v}"
    );
    let (s, v) = put(&app, &t, "SO-1001", order(2, "completed", "KH001")).await;
    assert_eq!(
        (s, v["order"]["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );

    // Sixteen racing requests for the same invoice: one invoice, one number.
    let calls = (0..16).map(|_| invoice(&app, &t, "SO-1001", json!({})));
    let answers = futures_util::future::join_all(calls).await;
    let ids: std::collections::BTreeSet<&str> = answers
        .iter()
        .map(|(s, v)| {
            assert!(s.is_success(), "{v}");
            v["invoice"]["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one invoice for one order");
    assert_eq!(
        answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        1
    );
    let id = *ids.iter().next().unwrap();
    wait_for_spawned_tasks().await;
    let (_, inv) = app.get(&t, &format!("/api/invoices/{id}")).await;
    assert_eq!(
        (inv["status"].as_str(), inv["number"].as_u64()),
        (Some("signed"), Some(1)),
        "{inv}"
    );
    // The invoice carries the core's figures, the buyer and the products from the catalogs.
    let (s, xml) = app.get(&t, &format!("/api/invoices/{id}/xml")).await;
    assert_eq!(s, StatusCode::OK);
    let xml = xml.as_str().unwrap();
    assert_eq!(
        xml_text(xml, "TToan", "TgTTTBSo").as_deref(),
        Some("866900")
    );
    assert!(xml.contains("<MKHang>KH001</MKHang>") && xml.contains("<MHHDVu>SP02</MHHDVu>"));
    // Again later: the same invoice (200), and the order shows it both ways.
    let (s, v) = invoice(&app, &t, "SO-1001", json!({})).await;
    assert_eq!((s, v["invoice"]["id"].as_str()), (StatusCode::OK, Some(id)));
    let (_, o) = app.get(&t, "/api/orders/SO-1001").await;
    assert_eq!(o["invoices"][0]["invoice_id"], id);
    assert_eq!(o["invoices"][0]["number"], 1);
    assert_eq!(o["invoices"][0]["deliverable"], true);
    // A delivery now would invoice what is already invoiced.
    let (s, v) = invoice(
        &app,
        &t,
        "SO-1001",
        json!({"delivery": {"delivery_id": "GH1", "lines": [{"line_id": "1", "quantity": "1"}]}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_finding(&(s, v), "delivery.lines", "order.quantity");

    // Cancelled after invoicing: a correction is proposed, the invoice untouched.
    let (s, v) = put(&app, &t, "SO-1001", order(3, "cancelled", "KH001")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["correction"]["method"], "adjustment");
    assert_eq!(v["correction"]["invoice_ids"][0], id);
    let (_, inv) = app.get(&t, &format!("/api/invoices/{id}")).await;
    assert_eq!(inv["status"], "signed");
}

#[tokio::test]
async fn codes_map_to_the_catalogs_and_amounts_are_checked() {
    let app = spawn_app().await;
    let t = setup(&app, json!({})).await;
    // Unknown ERP codes: refused, naming them.
    let mut o = order(1, "confirmed", "C-000017");
    o["lines"][1]["product_code"] = json!("ERP-PEN");
    put(&app, &t, "SO-2001", o).await;
    let answer = invoice(&app, &t, "SO-2001", json!({})).await;
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    assert_finding(&answer, "customer.code", "order.unmapped");
    assert_finding(&answer, "lines[1].product_code", "order.unmapped");
    let (_, v) = app.get(&t, "/api/orders/SO-2001").await;
    assert_eq!(
        v["failure"]["code"], "order.unmapped",
        "the failure is on the order"
    );
    // Mapped: invoiced with the catalog's entries.
    let (s, v) = app
        .call(
            "PUT",
            "/api/order-mappings",
            Some(&t),
            &[],
            Some(json!({"mappings": [
                {"kind": "customer", "erp_code": "C-000017", "catalog_code": "KH001"},
                {"kind": "product", "erp_code": "ERP-PEN", "catalog_code": "SP02"}
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = invoice(&app, &t, "SO-2001", json!({"issue": false})).await;
    assert_eq!(
        (s, v["invoice"]["status"].as_str()),
        (StatusCode::CREATED, Some("draft")),
        "{v}"
    );
    let (_, v) = app.get(&t, "/api/orders/SO-2001").await;
    assert!(v.get("failure").is_none(), "{v}");

    // The ERP rounded VAT per line beyond the tolerance: refused with both figures…
    let mut o = order(1, "confirmed", "KH001");
    o["lines"][1]["vat_amount"] = json!("8410");
    put(&app, &t, "SO-2002", o).await;
    let answer = invoice(&app, &t, "SO-2002", json!({})).await;
    assert_finding(&answer, "lines[1].vat_amount", "order.amount");
    let text = answer.1.to_string();
    assert!(text.contains("8410") && text.contains("8400"), "{text}");
    // …one unit of difference is within it…
    let mut o = order(1, "confirmed", "KH001");
    o["lines"][1]["vat_amount"] = json!("8401");
    put(&app, &t, "SO-2003", o).await;
    let (s, v) = invoice(&app, &t, "SO-2003", json!({"issue": false})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["warnings"], json!([]));
    // …and accepted (with the warning) when the tenant chose it.
    let (_, cfg) = app.get(&t, "/api/order-settings").await;
    let mut cfg = cfg;
    cfg["amount_mismatch"] = json!("accept");
    cfg["unknown_codes"] = json!("create");
    let (s, v) = app
        .call("PUT", "/api/order-settings", Some(&t), &[], Some(cfg))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = invoice(&app, &t, "SO-2002", json!({"issue": false})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["warnings"][0]["path"], "lines[1].vat_amount");
    // Unknown codes are created from the order's data when the tenant chose it; a product the
    // order says too little about is refused with what is missing.
    let mut o = order(1, "confirmed", "KH-NEW");
    o["customer"]["name"] = json!("Hộ kinh doanh Bình An");
    o["customer"]["tax_id"] = json!(null);
    o["lines"][0]["product_code"] = json!("SP-NEW");
    o["lines"][0]["name"] = json!("Kẹp giấy");
    o["lines"][0]["unit_price"] = json!("68500");
    o["lines"][0]["tax_rate"] = json!("10%");
    put(&app, &t, "SO-2004", o.clone()).await;
    let answer = invoice(&app, &t, "SO-2004", json!({})).await;
    assert_finding(&answer, "lines[0].unit", "required");
    o["version"] = json!(2);
    o["lines"][0]["unit"] = json!("Hộp");
    put(&app, &t, "SO-2004", o).await;
    let (s, v) = invoice(&app, &t, "SO-2004", json!({})).await;
    assert_eq!(
        (s, v["invoice"]["status"].as_str()),
        (StatusCode::CREATED, Some("signed")),
        "{v}"
    );
    let (s, _) = app.get(&t, "/api/catalogs/customers/KH-NEW").await;
    assert_eq!(s, StatusCode::OK, "the customer was created");
    // Text XML cannot carry is refused when the order arrives.
    let mut o = order(1, "confirmed", "KH001");
    o["customer"]["name"] = json!("Minh\u{1}Anh");
    let answer = put(&app, &t, "SO-2005", o).await;
    assert_finding(&answer, "customer.name", "text.xml_char");
}

#[tokio::test]
async fn deliveries_and_consolidation_have_their_own_keys() {
    let app = spawn_app().await;
    let t = setup(&app, json!({})).await;
    put(&app, &t, "SO-3001", order(1, "confirmed", "KH001")).await;
    let d1 =
        json!({"delivery": {"delivery_id": "GH-1", "lines": [{"line_id": "1", "quantity": "4"}]}});
    let (s, a) = invoice(&app, &t, "SO-3001", d1.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (s, b) = invoice(&app, &t, "SO-3001", d1).await;
    assert_eq!(
        (s, &b["invoice"]["id"]),
        (StatusCode::OK, &a["invoice"]["id"]),
        "the same delivery again"
    );
    let d2 = json!({"delivery": {"delivery_id": "GH-2", "lines": [{"line_id": "1", "quantity": "6"}, {"line_id": "2", "quantity": "3"}]}});
    let (s, c) = invoice(&app, &t, "SO-3001", d2).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_ne!(c["invoice"]["id"], a["invoice"]["id"]);
    let d3 =
        json!({"delivery": {"delivery_id": "GH-3", "lines": [{"line_id": "1", "quantity": "1"}]}});
    let answer = invoice(&app, &t, "SO-3001", d3).await;
    assert_finding(&answer, "delivery.lines", "order.quantity");
    let (_, o) = app.get(&t, "/api/orders/SO-3001").await;
    assert_eq!(o["invoices"].as_array().unwrap().len(), 2);
    // The whole order cannot be invoiced once deliveries were.
    let (s, v) = invoice(&app, &t, "SO-3001", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.partly_invoiced"))
    );

    // Two orders of one customer in one invoice, under the ERP's key; again → the same.
    put(&app, &t, "SO-3002", order(1, "completed", "KH001")).await;
    put(&app, &t, "SO-3003", order(1, "completed", "KH001")).await;
    let body = json!({"key": "KH001-2025-11", "order_ids": ["SO-3002", "SO-3003"]});
    let (s, v) = app
        .call(
            "POST",
            "/api/order-invoices",
            Some(&t),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, w) = app
        .call("POST", "/api/order-invoices", Some(&t), &[], Some(body))
        .await;
    assert_eq!(
        (s, &w["invoice"]["id"]),
        (StatusCode::OK, &v["invoice"]["id"])
    );
    let id = v["invoice"]["id"].as_str().unwrap();
    let (_, xml) = app.get(&t, &format!("/api/invoices/{id}/xml")).await;
    assert_eq!(
        xml_text(xml.as_str().unwrap(), "TToan", "TgTTTBSo").as_deref(),
        Some("1733800")
    );
    // Either order alone is invoiced already.
    let (s, v) = invoice(&app, &t, "SO-3002", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.partly_invoiced")),
        "{v}"
    );
    // A draft order is not invoiced.
    put(&app, &t, "SO-3004", order(1, "draft", "KH001")).await;
    let (s, v) = invoice(&app, &t, "SO-3004", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.status"))
    );
}

#[tokio::test]
async fn a_burst_of_completed_orders_is_invoiced_once_each_gaplessly() {
    let app = spawn_app().await;
    let t = setup(&app, json!({"auto_issue": "completed"})).await;
    const CLIENTS: usize = 8;
    const PER_CLIENT: usize = 40;
    // Each client sends its orders as confirmed, then completed (the trigger), in batches; a
    // quarter of the completions is sent twice (an ERP's retry).
    let clients = (0..CLIENTS).map(|c| {
        let (app, t) = (&app, &t);
        async move {
            let ids: Vec<String> = (0..PER_CLIENT).map(|i| format!("B{c}-{i:03}")).collect();
            for status in ["confirmed", "completed"] {
                for chunk in ids.chunks(20) {
                    let mut orders: Vec<Value> = chunk
                        .iter()
                        .map(|id| {
                            let v = if status == "confirmed" { 1 } else { 2 };
                            json!({"order_id": id, "order": order(v, status, "KH001")})
                        })
                        .collect();
                    if status == "completed" {
                        orders.extend(orders.clone().into_iter().step_by(4));
                    }
                    let (s, v) = app
                        .call(
                            "POST",
                            "/api/orders",
                            Some(t),
                            &[],
                            Some(json!({"orders": orders})),
                        )
                        .await;
                    assert_eq!(s, StatusCode::OK, "{v}");
                    for r in v["results"].as_array().unwrap() {
                        assert!(r["status"].as_u64().unwrap() < 300, "{r}");
                    }
                }
            }
        }
    });
    futures_util::future::join_all(clients).await;
    wait_for_spawned_tasks().await;
    // Whatever a stopped process left: the sweep finishes it (nothing here).
    app.sweep().await;
    let all = app.list_all(&t, "").await;
    let total = CLIENTS * PER_CLIENT;
    assert_eq!(all.len(), total, "one invoice per order");
    let mut numbers: Vec<u64> = all.iter().map(|v| v["number"].as_u64().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=total as u64).collect::<Vec<_>>(), "gapless");
    for v in &all {
        assert_eq!(v["status"], "signed", "{v}");
    }
    // Every signature verifies (a sample: the core's verifier on the archived file).
    for v in all.iter().step_by(37) {
        let id = v["id"].as_str().unwrap();
        let (_, xml) = app.get(&t, &format!("/api/invoices/{id}/xml")).await;
        let reports = hoadon_core::dsig::verify_document(xml.as_str().unwrap()).unwrap();
        assert!(
            !reports.is_empty() && reports.iter().all(|r| r.valid),
            "{id}"
        );
    }
    let (_, o) = app.get(&t, "/api/orders/B3-017").await;
    assert_eq!(o["invoices"].as_array().unwrap().len(), 1, "{o}");
}

#[tokio::test]
async fn an_erp_token_orders_and_reads_but_manages_nothing() {
    let app = spawn_app().await;
    let admin = setup(&app, json!({})).await;
    let (s, v) = app
        .call(
            "POST",
            "/api/access-tokens",
            Some(&admin),
            &[],
            Some(json!({"name": "ERP", "role": "integration"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let erp = v["token"].as_str().unwrap().to_owned();
    let sales = app.login("sales@anphat.vn").await;
    let (s, _) = app
        .call(
            "POST",
            "/api/access-tokens",
            Some(&sales),
            &[],
            Some(json!({"name": "ERP", "role": "integration"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only admins connect an ERP");
    let (s, v) = put(&app, &erp, "SO-4001", order(1, "completed", "KH001")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = invoice(&app, &erp, "SO-4001", json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["invoice"]["id"].as_str().unwrap();
    for uri in [
        format!("/api/invoices/{id}"),
        format!("/api/invoices/{id}/xml"),
        format!("/api/invoices/{id}/pdf"),
        "/api/invoices/changes".into(),
    ] {
        let (s, _) = app.get(&erp, &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
    }
    for (method, uri, body) in [
        ("GET", "/api/profile", None),
        ("PUT", "/api/order-settings", Some(json!({"version": 1}))),
        ("GET", "/api/catalogs/customers", None),
        ("GET", "/api/access-tokens", None),
        ("GET", "/api/certificates", None),
        (
            "POST",
            "/api/invoices",
            Some(json!({"id": "x1234567", "document": example()})),
        ),
    ] {
        let (s, v) = app.call(method, uri, Some(&erp), &[], body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}: {v}");
    }
}

#[tokio::test]
async fn the_change_feed_gives_each_event_once_in_order() {
    let app = spawn_app().await;
    let t = setup(&app, json!({})).await;
    for i in 0..5 {
        let id = format!("SO-5{i:03}");
        put(&app, &t, &id, order(1, "confirmed", "KH001")).await;
        let (s, v) = invoice(&app, &t, &id, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    // A failure is an event too.
    put(&app, &t, "SO-5999", order(1, "confirmed", "NOBODY")).await;
    invoice(&app, &t, "SO-5999", json!({})).await;
    wait_for_spawned_tasks().await;
    let ts = hoadon_api::store::TenantStore::new("anphat", app.state.0.store.clone());
    hoadon_api::events::sequence(&ts).await.unwrap();
    let (s, feed) = app.get(&t, "/api/invoices/changes?after=0&limit=4").await;
    assert_eq!(s, StatusCode::OK, "{feed}");
    let mut all: Vec<Value> = feed["items"].as_array().unwrap().clone();
    let mut last = feed["last"].as_u64().unwrap();
    loop {
        let (_, more) = app
            .get(&t, &format!("/api/invoices/changes?after={last}&limit=4"))
            .await;
        let items = more["items"].as_array().unwrap();
        if items.is_empty() {
            assert_eq!(more["last"].as_u64(), Some(last));
            break;
        }
        all.extend(items.iter().cloned());
        last = more["last"].as_u64().unwrap();
    }
    let positions: Vec<u64> = all
        .iter()
        .map(|c| c["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, (1..=positions.len() as u64).collect::<Vec<_>>());
    let count = |e: &str| all.iter().filter(|c| c["event"] == e).count();
    assert_eq!((count("invoice.issued"), count("invoice.signed")), (5, 5));
    assert_eq!(count("order.invoicing_failed"), 1);
    let failed = all
        .iter()
        .find(|c| c["event"] == "order.invoicing_failed")
        .unwrap();
    assert_eq!(failed["order_ids"], json!(["SO-5999"]));
    for c in all.iter().filter(|c| c["event"] == "invoice.signed") {
        let order = c["order_ids"][0].as_str().unwrap();
        let (_, o) = app.get(&t, &format!("/api/orders/{order}")).await;
        assert_eq!(
            o["invoices"][0]["invoice_id"], c["invoice_id"],
            "the event names its order"
        );
    }
    // Sequencing again adds nothing.
    assert_eq!(hoadon_api::events::sequence(&ts).await.unwrap(), 0);
}

#[tokio::test]
async fn a_key_means_one_thing_and_a_cancelled_orders_draft_is_never_issued() {
    let app = spawn_app().await;
    let t = setup(&app, json!({})).await;
    put(&app, &t, "A:1", order(1, "confirmed", "KH001")).await;
    put(&app, &t, "A", order(1, "confirmed", "KH001")).await;
    // `A:1` delivery `2` and `A` delivery `1:2` are two keys.
    let d = |id: &str| json!({"delivery": {"delivery_id": id, "lines": [{"line_id": "1", "quantity": "1"}]}});
    let (s1, a) = invoice(&app, &t, "A:1", d("2")).await;
    let (s2, b) = invoice(&app, &t, "A", d("1:2")).await;
    assert_eq!(
        (s1, s2),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{a} {b}"
    );
    assert_ne!(a["invoice"]["id"], b["invoice"]["id"]);
    // The same delivery id with other quantities is not a retry.
    let other =
        json!({"delivery": {"delivery_id": "2", "lines": [{"line_id": "1", "quantity": "2"}]}});
    let (s, v) = invoice(&app, &t, "A:1", other).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.key_reused")),
        "{v}"
    );
    // Quantities past what a decimal holds: a finding, never a panic.
    let huge: Vec<Value> = (0..8)
        .map(|_| json!({"line_id": "1", "quantity": "9999999999999999999999999999"}))
        .collect();
    let answer = invoice(
        &app,
        &t,
        "A",
        json!({"delivery": {"delivery_id": "X", "lines": huge}}),
    )
    .await;
    assert_finding(&answer, "delivery.lines[0].quantity", "order.delivery");
    let (_, o) = app.get(&t, "/api/orders/A").await;
    assert!(
        o.get("failure").is_none(),
        "a request's mistake is not the order's failure: {o}"
    );
    // A draft made for review, then the order cancelled: issuing it is refused.
    put(&app, &t, "SO-6001", order(1, "confirmed", "KH001")).await;
    let (s, v) = invoice(&app, &t, "SO-6001", json!({"issue": false})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    put(&app, &t, "SO-6001", order(2, "cancelled", "KH001")).await;
    let (s, v) = invoice(&app, &t, "SO-6001", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("order.status")),
        "{v}"
    );
    let id = v["message"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.starts_with("ord-"))
        .unwrap();
    let (_, inv) = app.get(&t, &format!("/api/invoices/{id}")).await;
    assert_eq!(inv["status"], "draft");
}
