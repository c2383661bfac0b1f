//! Webhooks end to end, against an ERP's receiver on loopback (`webhook_support::receiver`) that checks
//! the Standard Webhooks signature with its own code and fails every tenth first attempt: every
//! event of the kinds an endpoint chose reaches the receiving application exactly once
//! (deduplicated by `webhook-id`) after retries; a tampered request fails the receiver's check;
//! an endpoint that keeps failing needs attention and "replay" delivers it; a removed endpoint's
//! queued deliveries finish unsent; addresses that could reach inside are refused when
//! registered and again at each attempt.

mod common;
mod webhook_support;

use axum::http::StatusCode;
use common::*;
use hoadon_api::invoices::Services;
use hoadon_api::ports::{Clock, SystemClock};
use hoadon_api::store::TenantStore;
use hoadon_core::api::orders::EVENTS;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;
use webhook_support::receiver::{Receiver, verify};
use webhook_support::*;

#[tokio::test]
async fn every_event_reaches_the_erp_once_signed_and_only_the_kinds_it_chose() {
    let rx = Receiver::start().await;
    let app = app(true, 6).await;
    let t = app.login("admin@anphat.vn").await;
    let ts = tenant(&app);
    let port = rx.port();
    let (all, all_secret) =
        create(&app, &t, &format!("http://127.0.0.1:{port}/all"), &EVENTS).await;
    // By name: resolved at each attempt, checked to be loopback, then connected to.
    let url = format!("http://localhost:{port}/signed?erp=1");
    let (signed, signed_secret) = create(&app, &t, &url, &["invoice.signed"]).await;
    rx.register("/all", &all_secret);
    rx.register("/signed", &signed_secret);
    let (all_id, signed_id) = (all["id"].as_str().unwrap(), signed["id"].as_str().unwrap());

    // Secrets are shown once: never listed, never the same.
    let (s, list) = app.get(&t, "/api/webhooks").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(pluck(&list, "items", "id").len(), 2);
    assert!(!list.to_string().contains(&all_secret[6..]), "{list}");
    assert_ne!(all_secret, signed_secret);
    assert!(all_secret.starts_with("whsec_") && all_secret.len() == 6 + 44);

    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    for i in 0..20 {
        let (s, v) = app
            .draft_and_issue(&t, &format!("wh-inv-{i:04}"), &doc)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    order_failed(&ts, "SO-1").await;
    order_failed(&ts, "SO-2").await;

    let changes = feed(&ts).await;
    let from = |v: &Value| v["position"].as_u64().unwrap();
    let expected = |start: u64, kinds: &[&str]| -> BTreeSet<(u64, String)> {
        changes
            .iter()
            .filter(|c| c.position > start && kinds.contains(&c.event.as_str()))
            .map(|c| (c.position, c.event.clone()))
            .collect()
    };
    let started = Instant::now();
    let want_all = expected(from(&all), &EVENTS);
    let want_signed = expected(from(&signed), &["invoice.signed"]);
    assert_eq!(want_signed.len(), 20, "{changes:?}");
    assert!(
        want_all.len() >= 42,
        "issued, signed, two orders: {want_all:?}"
    );

    let lists = pump_until(&app, &t, &[all_id, signed_id], |l| {
        l[0].len() == want_all.len()
            && l[1].len() == want_signed.len()
            && l.iter().flatten().all(|d| d["state"] == "done")
    })
    .await;
    let elapsed = started.elapsed();

    // The application processed each event once, and only the kinds chosen.
    let got = |path: &str| -> BTreeSet<(u64, String)> {
        let processed = rx.processed(path);
        let set: BTreeSet<_> = processed
            .iter()
            .map(|p| {
                (
                    p.body["data"]["position"].as_u64().unwrap(),
                    p.body["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(set.len(), processed.len(), "one webhook-id per event");
        set
    };
    assert_eq!(got("/all"), want_all);
    assert_eq!(got("/signed"), want_signed);
    let (failed_firsts, _duplicates, bad) = rx.counts();
    assert_eq!(bad, 0, "every signature verified");
    let total = want_all.len() + want_signed.len();
    assert_eq!(
        failed_firsts,
        total / 10,
        "every tenth first attempt failed"
    );
    // Those were retried under the same id: more attempts than deliveries, each recorded.
    let attempts: u64 = lists
        .iter()
        .flatten()
        .map(|d| d["attempts"].as_u64().unwrap())
        .sum();
    assert!(attempts >= (total + failed_firsts) as u64, "{attempts}");
    assert!(
        lists
            .iter()
            .flatten()
            .any(|d| d["attempts"].as_u64() >= Some(2))
    );
    for d in lists.iter().flatten() {
        assert_eq!(
            (d["last_status"].as_u64(), d["last_response"].as_str()),
            (Some(200), Some("thanks")),
            "{d}"
        );
        assert!(d["delivered_at"].is_i64(), "{d}");
    }
    // Newest first, one page or many.
    let positions: Vec<u64> = lists[0]
        .iter()
        .map(|d| d["position"].as_u64().unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] > w[1]), "{positions:?}");
    assert_eq!(deliveries(&app, &t, all_id, 7).await, lists[0]);

    // What went over the wire.
    let raw = rx.raw("/signed");
    let r = &raw[0];
    assert_eq!(r.header("host"), format!("localhost:{port}"));
    assert_eq!(r.header("content-type"), "application/json");
    assert!(r.header("user-agent").starts_with("hoadon-webhooks/"));
    assert_eq!(r.header("webhook-id").len(), 32);
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    let invoice = body["data"]["invoice_id"].as_str().unwrap();
    assert_eq!(body["type"], "invoice.signed");
    assert_eq!(body["data"]["event"], "invoice.signed");
    assert_eq!(body["data"]["status"], "signed");
    assert_eq!(body["links"]["xml"], format!("/api/invoices/{invoice}/xml"));
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
    let processed = rx.processed("/all");
    let orders: Vec<&Value> = processed
        .iter()
        .filter(|p| p.body["type"] == "order.invoicing_failed")
        .map(|p| &p.body)
        .collect();
    assert_eq!(orders.len(), 2);
    assert!(orders[0].get("links").is_none(), "{}", orders[0]);
    assert_eq!(orders[0]["data"]["detail"], "no such customer");

    // The receiver's own check catches any tampering.
    let now = SystemClock.now();
    assert_eq!(verify(&signed_secret, &r.headers, &r.body, now), Ok(()));
    let mut body = r.body.to_vec();
    let at = body.iter().position(|b| *b == b'7').unwrap_or(10);
    body[at] ^= 1;
    assert!(verify(&signed_secret, &r.headers, &body, now).is_err());
    let mut headers = r.headers.clone();
    let ts_header = r.header("webhook-timestamp").parse::<i64>().unwrap();
    headers.insert("webhook-timestamp", (ts_header + 1).into());
    assert!(verify(&signed_secret, &headers, &r.body, now).is_err());
    let mut headers = r.headers.clone();
    headers.insert(
        "webhook-id",
        "0123456789abcdef0123456789abcdef".parse().unwrap(),
    );
    assert!(verify(&signed_secret, &headers, &r.body, now).is_err());
    assert!(verify(&all_secret, &r.headers, &r.body, now).is_err());
    assert!(
        verify(&signed_secret, &r.headers, &r.body, now + 600).is_err(),
        "stale"
    );
    println!(
        "webhooks: {total} deliveries ({} attempts) of 20 invoices to 2 endpoints in {elapsed:?}",
        attempts
    );
}

#[tokio::test]
async fn a_failing_endpoint_needs_attention_and_replay_delivers_it() {
    let rx = Receiver::start().await;
    let app = app(true, 3).await;
    let t = app.login("admin@anphat.vn").await;
    let ts = tenant(&app);
    let base = format!("http://127.0.0.1:{}", rx.port());
    let (down, down_secret) = create(&app, &t, &format!("{base}/down"), &["invoice.signed"]).await;
    let (gone, gone_secret) = create(&app, &t, &format!("{base}/gone"), &["invoice.signed"]).await;
    let (removed, _) = create(&app, &t, &format!("{base}/removed"), &["invoice.signed"]).await;
    rx.register("/down", &down_secret);
    rx.register("/gone", &gone_secret);
    rx.set_down("/down", true);
    rx.set_gone("/gone");
    let ids = [
        down["id"].as_str().unwrap(),
        gone["id"].as_str().unwrap(),
        removed["id"].as_str().unwrap(),
    ];

    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (s, v) = app.draft_and_issue(&t, "wh-fail-0001", &doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Fanned out (persisted before any attempt), then the third endpoint removed.
    hoadon_api::events::sequence(&ts).await.unwrap();
    assert_eq!(
        hoadon_api::webhooks::fan_out(&app.state.0.services, &ts)
            .await
            .unwrap(),
        3
    );
    let orphan = deliveries(&app, &t, ids[2], 50).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = app
        .call(
            "DELETE",
            &format!("/api/webhooks/{}", ids[2]),
            Some(&t),
            &[],
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&t, &format!("/api/webhooks/{}/deliveries", ids[2]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let lists = pump_until(&app, &t, &ids[..2], |l| {
        l.iter()
            .all(|d| d.len() == 1 && d[0]["state"] == "needs_attention")
    })
    .await;
    let (d, g) = (&lists[0][0], &lists[1][0]);
    assert_eq!(
        (d["attempts"].as_u64(), d["last_status"].as_u64()),
        (Some(3), Some(503)),
        "{d}"
    );
    assert_eq!(d["last_response"], "down for maintenance");
    assert!(d["last_error"].as_str().unwrap().contains("503"), "{d}");
    // 410 Gone: no retry helps.
    assert_eq!(
        (g["attempts"].as_u64(), g["last_status"].as_u64()),
        (Some(1), Some(410)),
        "{g}"
    );
    // The removed endpoint's delivery finished unsent.
    let (_, outbox) = app.get(&t, "/api/outbox").await;
    let o = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == orphan.as_str())
        .unwrap();
    assert_eq!(
        (o["state"].as_str(), o["last_error"].as_str()),
        (Some("done"), Some("endpoint removed")),
        "{o}"
    );
    let (_, attention) = app.get(&t, "/api/outbox?state=needs_attention").await;
    assert_eq!(
        attention["items"].as_array().unwrap().len(),
        2,
        "{attention}"
    );
    assert!(rx.processed("/down").is_empty());

    // Replay: the same message, due now.
    rx.set_down("/down", false);
    let replay = |id: String| {
        let (app, t) = (&app, &t);
        async move {
            let uri = format!("/api/webhooks/deliveries/{id}/replay");
            app.post(t, &uri).await
        }
    };
    let first = d["id"].as_str().unwrap().to_owned();
    let (s, v) = replay(first.clone()).await;
    assert_eq!(
        (s, v["state"].as_str(), v["id"].as_str()),
        (StatusCode::OK, Some("queued"), Some(first.as_str())),
        "{v}"
    );
    let (s, v) = replay(first.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("webhook.delivery_open")),
        "{v}"
    );
    pump_until(&app, &t, &ids[..1], |l| l[0][0]["state"] == "done").await;
    let got = rx.processed("/down");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, first);

    // A delivered one goes again as a new message with the same body.
    let (s, v) = replay(first.clone()).await;
    assert_eq!(
        (s, v["replay_of"].as_str()),
        (StatusCode::OK, Some(first.as_str())),
        "{v}"
    );
    assert_ne!(v["id"], first.as_str());
    let lists = pump_until(&app, &t, &ids[..1], |l| {
        l[0].len() == 2 && l[0].iter().all(|d| d["state"] == "done")
    })
    .await;
    let got = rx.processed("/down");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(lists[0][0]["position"], lists[0][1]["position"]);
    // A removed endpoint's delivery is not replayed.
    let (s, v) = replay(orphan).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("webhook.endpoint_removed")),
        "{v}"
    );
    // Every creation and removal is on the chain.
    let report = hoadon_api::webhooks::audit(&ts).await.unwrap();
    assert!(report.valid, "{report:?}");
    let actions: Vec<&str> = report.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "webhook_created",
            "webhook_created",
            "webhook_created",
            "webhook_removed"
        ]
    );
}

#[tokio::test]
async fn addresses_that_could_reach_inside_are_refused_when_registered_and_when_sent() {
    let app = app(true, 3).await;
    let t = app.login("admin@anphat.vn").await;
    let refused = |url: &'static str, code: &'static str| {
        let (app, t) = (&app, &t);
        async move {
            let body = json!({"url": url, "events": ["invoice.signed"]});
            let answer = app
                .call("POST", "/api/webhooks", Some(t), &[], Some(body))
                .await;
            assert_finding(&answer, "url", code);
        }
    };
    refused("http://10.0.0.1/hook", "webhook.url_address").await;
    refused(
        "https://169.254.169.254/latest/meta-data",
        "webhook.url_address",
    )
    .await;
    refused("https://localhost/hook", "webhook.url_address").await;
    refused("https://127.0.0.1:8443/hook", "webhook.url_address").await;
    refused("https://[fd00:ec2::254]/", "webhook.url_address").await;
    refused("https://100.64.0.1/", "webhook.url_address").await;
    refused("ftp://erp.example.vn/hook", "webhook.url_scheme").await;
    refused("http://erp.example.vn/hook", "webhook.url_scheme").await;
    refused("https://user:pw@erp.example.vn/hook", "webhook.url").await;
    let body = json!({"url": "https://8.8.8.8/h", "events": ["invoice.nope", "invoice.signed"]});
    let answer = app
        .call("POST", "/api/webhooks", Some(&t), &[], Some(body))
        .await;
    assert_finding(&answer, "events[0]", "webhook.event");
    let body = json!({"url": "https://8.8.8.8/h", "events": []});
    let answer = app
        .call("POST", "/api/webhooks", Some(&t), &[], Some(body))
        .await;
    assert_finding(&answer, "events", "webhook.events");

    // Outside the local system, not even loopback over http.
    let remote = self::app(false, 3).await;
    let rt = remote.login("admin@anphat.vn").await;
    let body = json!({"url": "http://127.0.0.1:9/h", "events": ["invoice.signed"]});
    let answer = remote
        .call("POST", "/api/webhooks", Some(&rt), &[], Some(body))
        .await;
    assert_finding(&answer, "url", "webhook.url_scheme");

    // Checked again at each attempt: an endpoint registered on the local system, worked by
    // services that do not allow loopback, is never called.
    let rx = Receiver::start().await;
    let (hook, secret) = create(
        &app,
        &t,
        &format!("http://localhost:{}/h", rx.port()),
        &["order.invoicing_failed"],
    )
    .await;
    rx.register("/h", &secret);
    let ts = tenant(&app);
    order_failed(&ts, "SO-9").await;
    let dir = tempfile::tempdir().unwrap();
    let strict = Services::new(
        Arc::new(SystemClock),
        Arc::new(hoadon_api::ports::FileArchive {
            root: dir.path().into(),
        }),
        HashMap::new(),
    )
    .with_retry(policy(3));
    hoadon_api::outbox::pump(&strict, &ts).await.unwrap();
    let id = hook["id"].as_str().unwrap();
    let list = deliveries(&app, &t, id, 50).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["state"], "needs_attention", "{list:?}");
    assert!(
        list[0]["last_error"].as_str().unwrap().contains("https://"),
        "{list:?}"
    );
    assert!(rx.raw("/h").is_empty());

    // Admins only; another tenant's endpoints do not exist.
    let sales = app.login("sales@anphat.vn").await;
    assert_eq!(
        app.get(&sales, "/api/webhooks").await.0,
        StatusCode::FORBIDDEN
    );
    let body = json!({"url": "https://8.8.8.8/h", "events": ["invoice.signed"]});
    let answer = app
        .call("POST", "/api/webhooks", Some(&sales), &[], Some(body))
        .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    let other = app.login("admin@other.vn").await;
    assert_eq!(
        app.get(&other, &format!("/api/webhooks/{id}/deliveries"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let uri = format!("/api/webhooks/{id}");
    assert_eq!(
        app.call("DELETE", &uri, Some(&other), &[], None).await.0,
        StatusCode::NOT_FOUND
    );
    let replay = format!(
        "/api/webhooks/deliveries/{}/replay",
        list[0]["id"].as_str().unwrap()
    );
    assert_eq!(app.post(&other, &replay).await.0, StatusCode::NOT_FOUND);
    let (_, others) = app.get(&other, "/api/webhooks").await;
    assert_eq!(others["items"], json!([]));
    assert_eq!(
        app.call("DELETE", &uri, Some(&t), &[], None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call("DELETE", &uri, Some(&t), &[], None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call("DELETE", "/api/webhooks/nope", Some(&t), &[], None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn racing_fan_outs_on_a_ten_item_store_queue_each_event_once() {
    let app = app(true, 3).await;
    let t = app.login("admin@anphat.vn").await;
    let store: Arc<dyn hoadon_api::store::Store> = Arc::new(TenItems(app.state.0.store.clone()));
    let ts = TenantStore::new("anphat", store);
    let mut hooks = Vec::new();
    for path in ["a", "b", "c"] {
        let url = format!("http://127.0.0.1:9/{path}");
        hooks.push(create(&app, &t, &url, &["order.invoicing_failed"]).await.0);
    }
    for i in 0..25 {
        order_failed(&ts, &format!("SO-{i}")).await;
    }
    let svc = &app.state.0.services;
    let work = || async {
        hoadon_api::events::sequence(&ts).await.unwrap();
        hoadon_api::webhooks::fan_out(svc, &ts).await.unwrap()
    };
    let (a, b, c, d) = tokio::join!(work(), work(), work(), work());
    assert_eq!(a + b + c + d, 75, "each message stored by one of them");
    let head = hoadon_api::events::head(&ts).await.unwrap();
    assert_eq!(head, 25);
    let (_, list) = app.get(&t, "/api/webhooks").await;
    for hook in &hooks {
        let id = hook["id"].as_str().unwrap();
        let listed = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == id)
            .unwrap();
        assert_eq!(listed["position"].as_u64(), Some(head));
        let got = deliveries(&app, &t, id, 200).await;
        let positions: BTreeSet<u64> = got
            .iter()
            .map(|d| d["position"].as_u64().unwrap())
            .collect();
        assert_eq!(positions, (1..=25).collect(), "{got:?}");
        assert_eq!(got.len(), 25);
    }
}
