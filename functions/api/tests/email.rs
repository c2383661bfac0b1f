//! E-mail to the buyer through the outbox, against a real SMTP server on loopback (aiosmtpd,
//! `hoadon_mail::testing`): the automatic delivery when an invoice becomes valid arrives once,
//! after the server refused it twice, with the PDF and the signed XML byte for byte (which
//! xmlsec1 verifies); "Resend" to another address in English; a recipient refused for good
//! needs attention (the invoice's deliveries and the home screen's count say so).

mod common;

use axum::http::StatusCode;
use common::authority::xmlsec1_verifies;
use common::corrections::seller_pem;
use common::*;
use hoadon_api::delivery::email::MailLink;
use hoadon_api::outbox::RetryPolicy;
use hoadon_api::ports::SystemClock;
use hoadon_api::store::TenantStore;
use hoadon_mail::testing::{Sink, python};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

async fn app_with_mail(sink: &Sink) -> TestApp {
    let link = MailLink {
        mailer: Arc::new(sink.mailer()),
        from: "Hóa đơn An Phát <hoadon@anphat.example>".into(),
    };
    spawn_app_full(
        |f| f,
        Arc::new(SystemClock),
        move |s| s.with_mail("anphat", link).with_retry(RetryPolicy::fast()),
    )
    .await
}

/// Works the outbox until the invoice's deliveries satisfy `done` (at most 20 s).
async fn deliveries_until(
    app: &TestApp,
    t: &str,
    id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let uri = format!("/api/invoices/{id}/deliveries");
    for _ in 0..1000 {
        hoadon_api::outbox::pump(&app.state.0.services, &ts)
            .await
            .unwrap();
        let (s, v) = app.get(t, &uri).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let list = v.as_array().unwrap().clone();
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries not settled: {}", app.get(t, &uri).await.1);
}

fn all_sent(n: usize) -> impl Fn(&[Value]) -> bool {
    move |l| l.len() == n && l.iter().all(|d| d["state"] == "sent")
}

#[tokio::test]
async fn the_buyer_receives_the_invoice_once_with_both_files_after_two_refusals() {
    let Some(py) = python() else { return };
    let sink = Sink::start(&py, 2);
    let app = app_with_mail(&sink).await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    app.edit_profile(&t, |p| p["email"] = json!("ketoan@anphat.example"))
        .await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (s, v) = app.draft_and_issue(&t, "mail-inv-0001", &doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Persisted with the signature, before any attempt.
    let (_, queued) = app.get(&t, "/api/invoices/mail-inv-0001/deliveries").await;
    assert_eq!(queued[0]["requested_by"], "auto", "{queued}");
    assert_eq!(queued[0]["to"], json!(["lan.tran@binhminh.example"]));

    let list = deliveries_until(&app, &t, "mail-inv-0001", all_sent(1)).await;
    assert!(list[0]["sent_at"].is_i64(), "{list:?}");
    let received = sink.received();
    assert_eq!(received.len(), 1, "refused twice, then recorded once");
    let (raw, rcpt) = &received[0];
    assert_eq!(rcpt, &["lan.tran@binhminh.example"]);
    let msg = MessageParser::default().parse(raw).unwrap();
    let message_id = list[0]["message_id"].as_str().unwrap();
    assert_eq!(
        msg.message_id().map(|m| format!("<{m}>")).as_deref(),
        Some(message_id)
    );
    assert!(
        msg.subject().unwrap().contains("An Phát"),
        "{:?}",
        msg.subject()
    );
    assert!(
        msg.body_text(0).unwrap().contains("K25TAB"),
        "{:?}",
        msg.body_text(0)
    );
    assert!(msg.body_text(0).is_some() && msg.body_html(0).is_some());
    // Replies go to the seller's own address (the company profile's).
    let reply = msg
        .reply_to()
        .and_then(|r| r.first())
        .and_then(|a| a.address());
    assert_eq!(reply, Some("ketoan@anphat.example"));
    let files: Vec<(String, Vec<u8>)> = msg
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_owned(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        files.len(),
        2,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let archived = app.download(&t, "/api/invoices/mail-inv-0001/xml").await.2;
    let xml = files.iter().find(|f| f.0.ends_with(".xml")).unwrap();
    assert_eq!(
        xml.1, archived,
        "the XML attachment is the archived file, byte for byte"
    );
    let (ok, out) = xmlsec1_verifies(&xml.1, "NBan", &seller_pem());
    assert!(ok, "{out}");
    let pdf = files.iter().find(|f| f.0.ends_with(".pdf")).unwrap();
    assert!(common::delivery::pdf_text(&pdf.1).contains("Bình Minh"));

    // "Resend" to another address, in English.
    let body = json!({"to": ["ketoan@binhminh.example"], "lang": "en"});
    let (s, v) = app
        .call(
            "POST",
            "/api/invoices/mail-inv-0001/deliveries",
            Some(&t),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::ACCEPTED, Some("queued")),
        "{v}"
    );
    deliveries_until(&app, &t, "mail-inv-0001", all_sent(2)).await;
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let msg = MessageParser::default().parse(&received[1].0).unwrap();
    assert!(
        msg.subject().unwrap().starts_with("E-invoice"),
        "{:?}",
        msg.subject()
    );
}

#[tokio::test]
async fn a_recipient_refused_for_good_needs_attention_and_bad_requests_are_refused() {
    let Some(py) = python() else { return };
    let sink = Sink::start(&py, 0);
    let app = app_with_mail(&sink).await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    doc["buyer"]["email"] = json!("nobody@binhminh.example");
    app.draft_and_issue(&t, "mail-inv-0002", &doc).await;
    let list = deliveries_until(&app, &t, "mail-inv-0002", |l| {
        l.len() == 1 && l[0]["state"] == "needs_attention"
    })
    .await;
    assert!(
        list[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("550")),
        "{list:?}"
    );
    assert!(sink.received().is_empty());
    let (_, summary) = app.get(&t, "/api/summary").await;
    assert!(
        summary["counts"]["outbox_attention"].as_u64().unwrap() >= 1,
        "{summary}"
    );

    // Not deliverable yet, bad addresses: refused, nothing queued.
    let (_, draft) = app.draft(&t, "mail-draft-01", &doc).await;
    assert_eq!(draft["deliverable"], false);
    let send = |id: &str, body: Value| {
        let uri = format!("/api/invoices/{id}/deliveries");
        let app = &app;
        let t = &t;
        async move { app.call("POST", &uri, Some(t), &[], Some(body)).await }
    };
    let (s, v) = send("mail-draft-01", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_deliverable")),
        "{v}"
    );
    let (s, v) = send("mail-inv-0002", json!({"to": ["not an address"]})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("mail.recipients")),
        "{v}"
    );
}
