//! Adjustments and cancellations end to end, with the simulator: signs and cumulative figures
//! with the seller's negative wording, one adjustment for several invoices (01/BK-ĐCTT), and
//! cancellation on both sides of 1 June 2025 with its 04/SS (xmlsec1 verifies the notice), a
//! refused cancellation taken back.

mod common;

use axum::http::StatusCode;
use common::authority::*;
use common::corrections::*;
use serde_json::{Value, json};

#[tokio::test]
async fn adjustments_carry_their_signs_and_add_up_to_the_corrected_figures() {
    let (app, t) = app().await;
    // The seller reads negative amounts "Điều chỉnh giảm …" (a tenant setting).
    app.edit_profile(&t, |p| p["negative_words"] = json!("dieu_chinh_giam"))
        .await;
    app.series(&t, "K25TAB").await;
    app.series(&t, "K26TAB").await;
    let original = issued(
        &app,
        &t,
        "orig-adj-001",
        &invoice("K25TAB", "2025-10-15", false),
    )
    .await;

    let (s, draft) = correct(&app, &t, "orig-adj-001", json!({"id": "adj-dec-0001", "method": "adjustment", "direction": "decrease", "reason": "Giảm giá sau bán"})).await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    assert!(draft["document"]["lines"].as_array().unwrap().is_empty());
    // A decrease written positive is refused, naming the line.
    let positive = json!([{"name": "Giảm giá máy tính", "amount": "1000000", "tax_rate": "10%"}]);
    let saved = edit_lines(&app, &t, &draft, positive).await;
    let (s, v) = app.issue(&t, "adj-dec-0001").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    common::assert_finding(&(s, v.clone()), "lines[0].amount", "adjustment.sign");
    let negative = json!([{"name": "Giảm giá máy tính", "amount": "-1000000", "tax_rate": "10%"}]);
    edit_lines(&app, &t, &saved, negative).await;
    let (s, v) = app.issue(&t, "adj-dec-0001").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    valid(&app, &t, "adj-dec-0001").await;

    let adjusted = chain(&app, &t, "orig-adj-001").await;
    assert_eq!(adjusted["standing"], "adjusted", "{adjusted}");
    let total = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    let original_total =
        hoadon_core::check(&serde_json::from_value(original["document"].clone()).unwrap())
            .invoice
            .unwrap()
            .totals()
            .total;
    assert_eq!(
        total(&adjusted["cumulative"]["total"]),
        original_total - rust_decimal::Decimal::from(1_100_000)
    );
    // Once adjusted, always adjusted: a replacement is refused, another adjustment is not.
    assert_eq!(
        action(&adjusted, "replacement")["code"],
        "correction.method_fixed"
    );
    assert_eq!(action(&adjusted, "adjustment")["allowed"], true);

    let bytes = xml(&app, &t, "/api/invoices/adj-dec-0001/xml").await;
    let (ok, out) = xmlsec1_verifies(&bytes, "NBan", &seller_pem());
    assert!(ok, "xmlsec1: {out}");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<TgTTTBSo>-1100000</TgTTTBSo>"), "{text}");
    assert!(
        text.contains("<TgTTTBChu>Điều chỉnh giảm một triệu một trăm nghìn đồng</TgTTTBChu>"),
        "{text}"
    );
    assert!(
        text.contains("<TCHDon>2</TCHDon>")
            && text.contains("Điều chỉnh giảm cho hóa đơn Mẫu số 1 ký hiệu K25TAB số 1"),
        "{text}"
    );
}

#[tokio::test]
async fn cancellation_only_for_invoices_of_the_decree_123_era_with_its_signed_04ss() {
    let (app, t) = app().await;
    with_tax_office(&app, &t).await;
    app.series(&t, "K25TAB").await;
    issued(
        &app,
        &t,
        "old-inv-0001",
        &invoice("K25TAB", "2025-05-31", false),
    )
    .await;
    issued(
        &app,
        &t,
        "new-inv-0001",
        &invoice("K25TAB", "2025-06-01", false),
    )
    .await;

    // Issued from 1 June 2025: no cancellation, and the refusal names Decree 70 in both languages.
    let after = chain(&app, &t, "new-inv-0001").await;
    let a = action(&after, "cancellation");
    assert_eq!(
        (a["allowed"].as_bool(), a["code"].as_str()),
        (Some(false), Some("correction.cancellation_not_allowed"))
    );
    assert!(
        a["why_vi"].as_str().unwrap().contains("70/2025")
            && a["why_en"].as_str().unwrap().contains("70/2025")
    );
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/new-inv-0001/cancel",
            Some(&t),
            &[],
            Some(json!({"ground": "not_sent_to_buyer", "reason": "Khách trả lại"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.cancellation_not_allowed")
        ),
        "{v}"
    );
    // Nor through a raw 04/SS row.
    let raw = json!({"rows": [{"invoice_id": "new-inv-0001", "action": 1, "reason": "Hủy"}]});
    let (s, v) = app
        .call("POST", "/api/notices", Some(&t), &[], Some(raw))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.cancellation_not_allowed")
        ),
        "{v}"
    );

    // Issued up to 31 May 2025: cancelled with a 04/SS, as of today, stating its legal ground
    // (a raw 04/SS row states none, so it cancels nothing).
    let before = chain(&app, &t, "old-inv-0001").await;
    assert_eq!(action(&before, "cancellation")["allowed"], true, "{before}");
    let raw = json!({"rows": [{"invoice_id": "old-inv-0001", "action": 1, "reason": "Hủy"}]});
    let (s, v) = app
        .call("POST", "/api/notices", Some(&t), &[], Some(raw))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.cancel_ground")
        ),
        "{v}"
    );
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/old-inv-0001/cancel",
            Some(&t),
            &[],
            Some(json!({"ground": "prepaid_service_cancelled", "reason": "Khách hủy gói bảo trì"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["standing"], "cancelled");
    let notice = v["notices"][0].as_str().unwrap().to_owned();
    assert_eq!(v["cancelled"]["notice_id"], notice.as_str());
    assert_eq!(v["cancelled"]["ground"], "prepaid_service_cancelled");
    let (s, v) = correct(&app, &t, "old-inv-0001", json!({"id": "late-adj-001", "method": "adjustment", "direction": "increase", "reason": "x"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("correction.cancelled")),
        "{v}"
    );

    // The notice: the profile's tax office and place, TCTBao 1, signed under DSCKS/NNT.
    let bytes = xml(&app, &t, &format!("/api/notices/{notice}/xml")).await;
    let text = String::from_utf8(bytes.clone()).unwrap();
    for part in [
        "<MCQT>10101</MCQT>",
        "<DDanh>Hà Nội</DDanh>",
        "<TCTBao>1</TCTBao>",
        "<Loai>1</Loai>",
        "<LDo>Dịch vụ thu tiền trước đã bị hủy: Khách hủy gói bảo trì</LDo>",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let (ok, out) = xmlsec1_verifies(&bytes, "NNT", &seller_pem());
    assert!(ok, "xmlsec1 on the 04/SS: {out}");
    settle(&app, &t, &format!("/api/notices/{notice}"), |v| {
        v["state"] == "accepted"
    })
    .await;
}

#[tokio::test]
async fn one_adjustment_covers_several_invoices_of_a_buyer_in_a_month_with_its_01bk_list() {
    let (app, t) = app().await;
    app.series(&t, "K26TAB").await;
    issued(
        &app,
        &t,
        "many-inv-001",
        &invoice("K26TAB", "2026-11-03", false),
    )
    .await;
    issued(
        &app,
        &t,
        "many-inv-002",
        &invoice("K26TAB", "2026-11-20", false),
    )
    .await;
    let mut other = invoice("K26TAB", "2026-11-21", false);
    other["buyer"]["name"] = json!("Bà Nguyễn Thị Hoa");
    issued(&app, &t, "many-inv-003", &other).await;
    issued(
        &app,
        &t,
        "many-inv-004",
        &invoice("K26TAB", "2026-12-01", false),
    )
    .await;
    let body = |also: Value| {
        json!({"id": "many-adj-001", "method": "adjustment", "direction": "decrease",
        "reason": "Chiết khấu thương mại tháng 11", "difference": "-550000", "also": also})
    };
    for (also, why) in [
        (json!([{"invoice_id": "many-inv-003"}]), "another buyer"),
        (json!([{"invoice_id": "many-inv-004"}]), "another month"),
        (json!([{"invoice_id": "many-inv-001"}]), "listed twice"),
    ] {
        let (s, v) = correct(&app, &t, "many-inv-001", body(also)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("correction.list")),
            "{why}: {v}"
        );
    }
    let (s, draft) = correct(
        &app,
        &t,
        "many-inv-001",
        body(json!([{"invoice_id": "many-inv-002", "difference": "-550000"}])),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    let list = draft["corrects"]["list"].as_array().unwrap();
    assert_eq!(pluck_ids(list), ["many-inv-001", "many-inv-002"]);
    assert_eq!(list[1]["difference"], "-550000");
    assert!(
        draft["document"]["related"]["note"]
            .as_str()
            .unwrap()
            .contains("01/BK-ĐCTT: 2 hóa đơn")
    );
    // The list's differences (−550,000 each) must add up to the correction's total.
    let wrong = json!([{"name": "Chiết khấu thương mại", "amount": "-2000000", "tax_rate": "10%"}]);
    let saved = edit_lines(&app, &t, &draft, wrong).await;
    let (s, v) = app.issue(&t, "many-adj-001").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.list_difference")
        ),
        "{v}"
    );
    let discount =
        json!([{"name": "Chiết khấu thương mại", "amount": "-1000000", "tax_rate": "10%"}]);
    edit_lines(&app, &t, &saved, discount).await;
    let (s, v) = app.issue(&t, "many-adj-001").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    valid(&app, &t, "many-adj-001").await;
    for id in ["many-inv-001", "many-inv-002"] {
        let c = chain(&app, &t, id).await;
        assert_eq!(
            (c["standing"].as_str(), c["links"][0]["id"].as_str()),
            (Some("adjusted"), Some("many-adj-001")),
            "{id}: {c}"
        );
        // Each invoice shows its own row of the list, not the whole correction.
        assert_eq!(c["links"][0]["listed_difference"], "-550000", "{c}");
        assert!(c.get("cumulative").is_none_or(Value::is_null), "{c}");
    }
    assert_eq!(chain(&app, &t, "many-inv-003").await["standing"], "issued");
}

fn pluck_ids(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|l| l["invoice_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_refused_cancellation_notice_leaves_the_invoice_standing() {
    use hoadon_authority::simulator::Faults;
    let (app, t, sim) = app_and_simulator().await;
    with_tax_office(&app, &t).await;
    app.series(&t, "K25TAB").await;
    issued(
        &app,
        &t,
        "old-inv-0009",
        &invoice("K25TAB", "2025-04-30", false),
    )
    .await;
    sim.set_faults(Faults {
        ack_error: 1.0,
        ..Faults::none()
    });
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/old-inv-0009/cancel",
            Some(&t),
            &[],
            Some(json!({"ground": "not_sent_to_buyer", "reason": "Sai đơn giá"})),
        )
        .await;
    assert_eq!(
        (s, v["standing"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{v}"
    );
    let notice = v["notices"][0].as_str().unwrap().to_owned();
    settle(&app, &t, &format!("/api/notices/{notice}"), |v| {
        v["state"] == "refused"
    })
    .await;
    let after = chain(&app, &t, "old-inv-0009").await;
    assert_eq!(after["standing"], "issued", "{after}");
    assert_eq!(action(&after, "cancellation")["allowed"], true);
    let (_, audit) = app.get(&t, "/api/invoices/old-inv-0009/audit").await;
    assert_eq!(audit["valid"], true, "{audit}");
}
