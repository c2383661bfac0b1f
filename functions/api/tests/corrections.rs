//! Replacements end to end, in-process, with the tax authority's simulator: one that waits for
//! the buyer's confirmation, is coded and leaves its original replaced (xmlsec1 verifies it); two
//! users racing to replace one invoice; a refused replacement; the 04/SS that declared a
//! correction before June 2025.

mod common;

use axum::http::StatusCode;
use common::authority::*;
use common::corrections::*;
use hoadon_api::outbox::RetryPolicy;
use hoadon_authority::simulator::SimulatorConfig;
use serde_json::json;

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
    // The key travels in the link's fragment, and in bodies: never in a path.
    let key = conf["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/confirm#")
        .unwrap()
        .to_owned();
    let (_, listed) = app
        .get(&t, "/api/invoices?awaiting_confirmation=true")
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let (s, page) = public(&app, "view", &key).await;
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
    let forged = "anphat.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(public(&app, "view", forged).await.0, StatusCode::NOT_FOUND);
    let (s, page) = public(&app, "confirm", &key).await;
    assert_eq!(
        (s, page["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "{page}"
    );
    let (_, conf) = app.get(&t, "/api/invoices/repl-0000-01/confirmation").await;
    let last = conf["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["by"].as_str(), last["actor"].as_str()),
        (Some("buyer"), Some("Trần Thị Lan (buyer's link)")),
        "{conf}"
    );
    // Edited after the buyer agreed: the agreement no longer covers it; asked and given again.
    let (_, current) = app.get(&t, "/api/invoices/repl-0000-01").await;
    let mut lines = current["document"]["lines"].clone();
    lines[0]["quantity"] = json!("1");
    edit_lines(&app, &t, &current, lines).await;
    let (s, v) = app.issue(&t, "repl-0000-01").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("correction.confirmation_outdated")
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
    let key = conf["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/confirm#")
        .unwrap();
    assert_eq!(public(&app, "confirm", key).await.0, StatusCode::OK);

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
    with_tax_office(&app, &t).await;
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

/// A call of the public confirmation page (no token), `what` = `view` or `confirm` (by
/// "Trần Thị Lan").
async fn public(app: &common::TestApp, what: &str, key: &str) -> (StatusCode, serde_json::Value) {
    let uri = format!("/api/public/confirmations/{what}");
    let body = match what {
        "confirm" => json!({ "key": key, "name": "Trần Thị Lan" }),
        _ => json!({ "key": key }),
    };
    app.call("POST", &uri, None, &[], Some(body)).await
}
