//! Corrections for API tests: a tenant connected to the simulator, issuing until valid, the
//! corrections routes and xmlsec1's certificate.

use super::TestApp;
use super::authority::*;
use axum::http::StatusCode;
use hoadon_api::outbox::RetryPolicy;
use hoadon_authority::simulator::SimulatorConfig;
use serde_json::{Value, json};

pub fn seller_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signing/tests/data/seller.cert.pem"
    ))
    .unwrap()
}

pub async fn app() -> (TestApp, String) {
    let (app, t, _) = app_and_simulator().await;
    (app, t)
}

pub async fn app_and_simulator() -> (
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
pub fn invoice(symbol: &str, date: &str, business: bool) -> Value {
    let mut d = super::example();
    d["symbol"] = json!(symbol);
    d["issue_date"] = json!(date);
    if !business {
        d["buyer"]["tax_id"] = Value::Null;
    }
    d
}

/// Issues `doc` as `id` and waits until it is valid (coded, or signed for a `K` series).
pub async fn issued(app: &TestApp, t: &str, id: &str, doc: &Value) -> Value {
    let (s, v) = app.draft_and_issue(t, id, doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    valid(app, t, id).await
}

pub async fn valid(app: &TestApp, t: &str, id: &str) -> Value {
    settle(app, t, &format!("/api/invoices/{id}"), |v| {
        matches!(
            v["status"].as_str(),
            Some("coded" | "data_sent" | "data_accepted")
        )
    })
    .await
}

pub async fn correct(app: &TestApp, t: &str, original: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/api/invoices/{original}/corrections"),
        Some(t),
        &[],
        Some(body),
    )
    .await
}

pub async fn chain(app: &TestApp, t: &str, id: &str) -> Value {
    let (s, v) = app.get(t, &format!("/api/invoices/{id}/corrections")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

pub fn action<'a>(chain: &'a Value, method: &str) -> &'a Value {
    chain["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["method"] == method)
        .unwrap()
}

pub async fn xml(app: &TestApp, t: &str, uri: &str) -> Vec<u8> {
    app.download(t, uri).await.2
}

/// The company profile's tax office and place (what a 04/SS carries).
pub async fn with_tax_office(app: &TestApp, t: &str) {
    app.edit_profile(t, |p| {
        p["tax_office_code"] = json!("10101");
        p["tax_office_name"] = json!("Thuế Thành phố Hà Nội");
        p["place_name"] = json!("Hà Nội");
    })
    .await;
}

/// Saves `lines` into correction draft `draft` (as the editor sends it: no server-owned field).
pub async fn edit_lines(app: &TestApp, t: &str, draft: &Value, lines: Value) -> Value {
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
    input["lines"] = lines;
    let id = draft["id"].as_str().unwrap();
    let version = draft["version"].to_string();
    let (s, v) = app
        .call(
            "PUT",
            &format!("/api/invoices/{id}"),
            Some(t),
            &[("if-match", &version)],
            Some(input),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}
