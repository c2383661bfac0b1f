//! Corrections end to end, in-process, with the tax authority's simulator: a replacement that
//! waits for the buyer's confirmation, is coded and leaves its original replaced (xmlsec1
//! verifies it); two users racing to replace one invoice; adjustments whose figures add up;
//! cancellation on both sides of 1 June 2025 with its 04/SS (xmlsec1 verifies the notice).

mod common;

use axum::http::StatusCode;
use common::authority::*;
use common::{TestApp, example};
use hoadon_api::outbox::RetryPolicy;
use hoadon_authority::simulator::SimulatorConfig;
use serde_json::{Value, json};

fn seller_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signing/tests/data/seller.cert.pem"
    ))
    .unwrap()
}

async fn app() -> (TestApp, String) {
    let (app, t, _) = app_and_simulator().await;
    (app, t)
}

async fn app_and_simulator() -> (
    TestApp,
    String,
    std::sync::Arc<hoadon_authority::simulator::Simulator>,
) {
    let sim = simulator(SimulatorConfig {
        registered: vec!["0109998883".into()],
        ..SimulatorConfig::default()
    });
    let app = connected(sim.clone(), RetryPolicy::fast()).await;
    let t = app.login("admin@anphat.vn").await;
    registered_elsewhere(&app, &t).await;
    (app, t, sim)
}

/// The documented draft in series `symbol`, dated `date`; `business`: the buyer has a tax id.
fn invoice(symbol: &str, date: &str, business: bool) -> Value {
    let mut d = example();
    d["symbol"] = json!(symbol);
    d["issue_date"] = json!(date);
    if !business {
        d["buyer"]["tax_id"] = Value::Null;
    }
    d
}

/// Issues `doc` as `id` and waits until it is valid (coded, or signed for a `K` series).
async fn issued(app: &TestApp, t: &str, id: &str, doc: &Value) -> Value {
    let (s, v) = app.draft_and_issue(t, id, doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    valid(app, t, id).await
}

async fn valid(app: &TestApp, t: &str, id: &str) -> Value {
    settle(app, t, &format!("/api/invoices/{id}"), |v| {
        matches!(
            v["status"].as_str(),
            Some("coded" | "data_sent" | "data_accepted")
        )
    })
    .await
}

async fn correct(app: &TestApp, t: &str, original: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/api/invoices/{original}/corrections"),
        Some(t),
        &[],
        Some(body),
    )
    .await
}

async fn chain(app: &TestApp, t: &str, id: &str) -> Value {
    let (s, v) = app.get(t, &format!("/api/invoices/{id}/corrections")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn action<'a>(chain: &'a Value, method: &str) -> &'a Value {
    chain["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["method"] == method)
        .unwrap()
}

async fn xml(app: &TestApp, t: &str, uri: &str) -> Vec<u8> {
    app.download(t, uri).await.2
}

#[tokio::test]
async fn a_replacement_waits_for_the_buyer_is_coded_and_leaves_its_original_replaced() {
    let (app, t) = app().await;
    app.series(&t, "C25TAB").await;
    app.series(&t, "C26TAB").await;
    let original = issued(
        &app,
        &t,
        "orig-repl-01",
        &invoice("C25TAB", "2025-10-15", true),
    )
    .await;
    assert_eq!(original["standing"], "issued");

    let body = json!({"id": "repl-0000-01", "method": "replacement", "reason": "Sai đơn giá"});
    let (s, draft) = correct(&app, &t, "orig-repl-01", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    // Prefilled with the original's content; the related invoice composed by the server.
    assert_eq!(draft["document"]["lines"], original["document"]["lines"]);
    let related = &draft["document"]["related"];
    assert_eq!(
        (related["kind"].as_u64(), related["number"].as_str()),
        (Some(1), Some("1"))
    );
    let note = related["note"].as_str().unwrap();
    assert!(
        note.starts_with(
            "Thay thế cho hóa đơn Mẫu số 1 ký hiệu C25TAB số 1 ngày 15 tháng 10 năm 2025"
        ),
        "{note}"
    );
    assert_eq!(draft["corrects"]["invoice_id"], "orig-repl-01");
    // Made in 2026, it goes to this year's series of the same symbol.
    assert_eq!(draft["document"]["symbol"], "C26TAB");
    // The same request again answers the same draft; a client cannot set the related invoice.
    let (s, again) = correct(&app, &t, "orig-repl-01", body).await;
    assert_eq!((s, &again["id"]), (StatusCode::OK, &draft["id"]));
    let mut forged = invoice("C25TAB", "2025-10-16", true);
    forged["related"] = related.clone();
    let (s, v) = app.draft(&t, "forged-rel-01", &forged).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{v}"
    );

    // A second replacement is refused; so is an adjustment while the replacement is drafted.
    let (s, v) = correct(
        &app,
        &t,
        "orig-repl-01",
        json!({"id": "repl-0000-02", "method": "replacement", "reason": "x"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("correction.already_replaced")),
        "{v}"
    );

    // The buyer is a business: no issuing before its agreement.
    let (s, v) = app.issue(&t, "repl-0000-01").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.awaiting_confirmation")
        ),
        "{v}"
    );
    let (s, conf) = app
        .post(&t, "/api/invoices/repl-0000-01/confirmation")
        .await;
    assert_eq!(
        (s, conf["state"].as_str()),
        (StatusCode::OK, Some("awaiting_buyer")),
        "{conf}"
    );
    let link = conf["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/confirm/")
        .unwrap()
        .to_owned();
    let (_, listed) = app
        .get(&t, "/api/invoices?awaiting_confirmation=true")
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let (s, page) = app
        .call(
            "GET",
            &format!("/api/public/confirmations/{link}"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(
        (s, page["method"].as_str()),
        (StatusCode::OK, Some("replacement")),
        "{page}"
    );
    assert!(
        page["statement"]
            .as_str()
            .unwrap()
            .starts_with("Thay thế cho")
    );
    let (s, _) = app
        .call(
            "GET",
            "/api/public/confirmations/anphat.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, page) = app
        .call(
            "POST",
            &format!("/api/public/confirmations/{link}/confirm"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(
        (s, page["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "{page}"
    );

    let (s, v) = app.issue(&t, "repl-0000-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pending = chain(&app, &t, "orig-repl-01").await;
    assert!(
        matches!(
            pending["standing"].as_str(),
            Some("replacement_pending" | "replaced")
        ),
        "{pending}"
    );
    valid(&app, &t, "repl-0000-01").await;
    let done = chain(&app, &t, "orig-repl-01").await;
    assert_eq!(done["standing"], "replaced", "{done}");
    assert_eq!(done["links"][0]["id"], "repl-0000-01");
    assert_eq!(
        (
            done["links"][0]["state"].as_str(),
            done["links"][0]["confirmation"].as_str()
        ),
        (Some("valid"), Some("confirmed"))
    );
    let back = chain(&app, &t, "repl-0000-01").await;
    assert_eq!(back["corrects"]["invoice_id"], "orig-repl-01");
    for m in ["replacement", "adjustment", "explanation", "cancellation"] {
        assert_eq!(action(&done, m)["allowed"], false, "{m}: {done}");
    }
    let (_, listed) = app.get(&t, "/api/invoices?standing=replaced").await;
    assert_eq!(listed["items"][0]["id"], "orig-repl-01", "{listed}");

    // The coded replacement: both signatures verify with xmlsec1; read back, it names the original.
    let bytes = xml(&app, &t, "/api/invoices/repl-0000-01/xml").await;
    let (ok, out) = xmlsec1_verifies(&bytes, "NBan", &seller_pem());
    assert!(ok, "xmlsec1: {out}");
    let text = String::from_utf8(bytes).unwrap();
    let read = hoadon_core::xml::read_invoice(&text).unwrap();
    let r = read.related.unwrap();
    assert_eq!(
        (r.kind, r.symbol.as_str(), r.number.as_str()),
        (1, "C25TAB", "1")
    );
    // The audit chain of the original records each step.
    let (_, audit) = app.get(&t, "/api/invoices/orig-repl-01/audit").await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "correction_drafted",
        "correction_numbered",
        "correction_valid",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
}

#[tokio::test]
async fn two_users_racing_to_replace_one_invoice_get_one_replacement_and_one_refusal() {
    let (app, t) = app().await;
    app.series(&t, "K25TAB").await;
    issued(
        &app,
        &t,
        "orig-race-01",
        &invoice("K25TAB", "2025-10-15", false),
    )
    .await;
    let bodies = ["race-repl-a1", "race-repl-b2"]
        .map(|id| json!({"id": id, "method": "replacement", "reason": "Sai tên hàng"}));
    let (a, b) = tokio::join!(
        correct(&app, &t, "orig-race-01", bodies[0].clone()),
        correct(&app, &t, "orig-race-01", bodies[1].clone())
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let refusal = if a.0 == StatusCode::CONFLICT {
        &a.1
    } else {
        &b.1
    };
    assert_eq!(refusal["code"], "correction.already_replaced");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("replaced at most once"),
        "{refusal}"
    );
    assert_eq!(
        chain(&app, &t, "orig-race-01").await["links"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn adjustments_carry_their_signs_and_add_up_to_the_corrected_figures() {
    let (app, t) = app().await;
    // The seller reads negative amounts "Điều chỉnh giảm …" (a tenant setting).
    let (_, profile) = app.get(&t, "/api/profile").await;
    let mut p = profile["profile"].clone();
    p["negative_words"] = json!("dieu_chinh_giam");
    let version = profile["version"].to_string();
    let (s, v) = app
        .call(
            "PUT",
            "/api/profile",
            Some(&t),
            &[("if-match", &version)],
            Some(p),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
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
    let mut input = draft["document"].clone();
    for k in [
        "seller",
        "number",
        "related",
        "negative_words",
        "provider_tax_id",
    ] {
        input.as_object_mut().unwrap().remove(k);
    }
    // A decrease written positive is refused, naming the line.
    input["lines"] = json!([{"name": "Giảm giá máy tính", "amount": "1000000", "tax_rate": "10%"}]);
    let v0 = draft["version"].to_string();
    let (s, v) = app
        .call(
            "PUT",
            "/api/invoices/adj-dec-0001",
            Some(&t),
            &[("if-match", &v0)],
            Some(input.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.issue(&t, "adj-dec-0001").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    common::assert_finding(&(s, v.clone()), "lines[0].amount", "adjustment.sign");
    input["lines"] =
        json!([{"name": "Giảm giá máy tính", "amount": "-1000000", "tax_rate": "10%"}]);
    let v1 = v["current"]["version"].as_u64().map_or_else(
        || (v0.parse::<u64>().unwrap() + 1).to_string(),
        |x| x.to_string(),
    );
    let (s, v) = app
        .call(
            "PUT",
            "/api/invoices/adj-dec-0001",
            Some(&t),
            &[("if-match", &v1)],
            Some(input),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
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
    let mut profile = app.get(&t, "/api/profile").await.1;
    let version = profile["version"].to_string();
    profile["profile"]["tax_office_code"] = json!("10101");
    profile["profile"]["tax_office_name"] = json!("Thuế Thành phố Hà Nội");
    profile["profile"]["place_name"] = json!("Hà Nội");
    let (s, v) = app
        .call(
            "PUT",
            "/api/profile",
            Some(&t),
            &[("if-match", &version)],
            Some(profile["profile"].clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
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
            Some(json!({"reason": "Khách trả lại"})),
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

    // Issued up to 31 May 2025: cancelled with a 04/SS, as of today.
    let before = chain(&app, &t, "old-inv-0001").await;
    assert_eq!(action(&before, "cancellation")["allowed"], true, "{before}");
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/old-inv-0001/cancel",
            Some(&t),
            &[],
            Some(json!({"reason": "Dịch vụ trả trước bị hủy"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["standing"], "cancelled");
    let notice = v["notices"][0].as_str().unwrap().to_owned();
    assert_eq!(v["cancelled"]["notice_id"], notice.as_str());
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
async fn a_refused_replacement_gives_the_original_back_until_it_is_revised_and_coded() {
    use hoadon_authority::simulator::Faults;
    let (app, t, sim) = app_and_simulator().await;
    app.series(&t, "C26TAB").await;
    issued(
        &app,
        &t,
        "orig-rej-001",
        &invoice("C26TAB", "2026-11-30", false),
    )
    .await;
    let (s, draft) = correct(
        &app,
        &t,
        "orig-rej-001",
        json!({"id": "repl-rej-001", "method": "replacement", "reason": "Sai số lượng"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    sim.set_faults(Faults {
        reject: 1.0,
        reject_codes: vec!["40001".into()],
        ..Faults::none()
    });
    let (s, v) = app.issue(&t, "repl-rej-001").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let refused = settle(
        &app,
        &t,
        "/api/invoices/repl-rej-001",
        status_is("rejected"),
    )
    .await;
    let back = chain(&app, &t, "orig-rej-001").await;
    assert_eq!(back["standing"], "issued", "{back}");
    assert_eq!(back["links"][0]["state"], "rejected");
    // Still reserved: the refused replacement is fixed and sent again, not replaced by another.
    assert_eq!(
        action(&back, "replacement")["code"],
        "correction.already_replaced"
    );

    sim.set_faults(Faults::none());
    let version = refused["version"].as_u64().unwrap().to_string();
    let mut fixed = invoice(
        "C26TAB",
        refused["document"]["issue_date"].as_str().unwrap(),
        false,
    );
    fixed["lines"][0]["quantity"] = json!("1");
    let (s, r) = app
        .call(
            "POST",
            "/api/invoices/repl-rej-001/revise",
            Some(&t),
            &[("if-match", &version)],
            Some(json!({"document": fixed})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    valid(&app, &t, "repl-rej-001").await;
    assert_eq!(
        chain(&app, &t, "orig-rej-001").await["standing"],
        "replaced"
    );
    let (_, audit) = app.get(&t, "/api/invoices/orig-rej-001/audit").await;
    assert_eq!(audit["valid"], true, "{audit}");
}

#[tokio::test]
async fn before_june_2025_a_correction_is_declared_on_a_04ss_first() {
    // 2025-05-20 12:00 Vietnam time.
    let clock = std::sync::Arc::new(hoadon_api::ports::FixedClock(1_747_717_200));
    let sim = simulator(SimulatorConfig {
        registered: vec!["0109998883".into()],
        ..SimulatorConfig::default()
    });
    let app = connected_at(sim, RetryPolicy::fast(), clock).await;
    let t = app.login("admin@anphat.vn").await;
    registered_elsewhere(&app, &t).await;
    let mut profile = app.get(&t, "/api/profile").await.1;
    let version = profile["version"].to_string();
    profile["profile"]["tax_office_code"] = json!("10101");
    profile["profile"]["tax_office_name"] = json!("Thuế Thành phố Hà Nội");
    profile["profile"]["place_name"] = json!("Hà Nội");
    app.call(
        "PUT",
        "/api/profile",
        Some(&t),
        &[("if-match", &version)],
        Some(profile["profile"].clone()),
    )
    .await;
    app.series(&t, "K25TAB").await;
    issued(
        &app,
        &t,
        "may-inv-0001",
        &invoice("K25TAB", "2025-05-10", false),
    )
    .await;
    let (s, _) = correct(
        &app,
        &t,
        "may-inv-0001",
        json!({"id": "may-repl-001", "method": "replacement", "reason": "Sai tên hàng"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = app.issue(&t, "may-repl-001").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.notice_required")
        ),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("123/2020"), "{v}");
    let notice = json!({"rows": [{"invoice_id": "may-inv-0001", "action": 3, "reason": "Sai tên hàng, lập hóa đơn thay thế"}]});
    let (s, n) = app
        .call("POST", "/api/notices", Some(&t), &[], Some(notice))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (s, v) = app.issue(&t, "may-repl-001").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    valid(&app, &t, "may-repl-001").await;
    let done = chain(&app, &t, "may-inv-0001").await;
    assert_eq!(done["standing"], "replaced", "{done}");
    assert_eq!(done["notices"][0], n["id"]);
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
        "reason": "Chiết khấu thương mại tháng 11", "also": also})
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
    let mut input = draft["document"].clone();
    for k in [
        "seller",
        "number",
        "related",
        "negative_words",
        "provider_tax_id",
    ] {
        input.as_object_mut().unwrap().remove(k);
    }
    input["lines"] =
        json!([{"name": "Chiết khấu thương mại", "amount": "-1000000", "tax_rate": "10%"}]);
    let version = draft["version"].to_string();
    let (s, v) = app
        .call(
            "PUT",
            "/api/invoices/many-adj-001",
            Some(&t),
            &[("if-match", &version)],
            Some(input),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
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
    let mut profile = app.get(&t, "/api/profile").await.1;
    let version = profile["version"].to_string();
    profile["profile"]["tax_office_code"] = json!("10101");
    profile["profile"]["tax_office_name"] = json!("Thuế Thành phố Hà Nội");
    profile["profile"]["place_name"] = json!("Hà Nội");
    app.call(
        "PUT",
        "/api/profile",
        Some(&t),
        &[("if-match", &version)],
        Some(profile["profile"].clone()),
    )
    .await;
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
            Some(json!({"reason": "Hủy dịch vụ"})),
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
