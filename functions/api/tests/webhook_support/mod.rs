//! What the webhook tests share: the app with webhooks (and loopback allowed, or not), the
//! calls they make, a worker loop, events written as the orders' invoicing writes them, a store
//! with DynamoDB Local's ten items per transaction, and the ERP's receiver ([`receiver`]).
#![allow(dead_code)]

pub mod receiver;

use crate::common::*;
use axum::http::StatusCode;
use hoadon_api::outbox::RetryPolicy;
use hoadon_api::ports::{Clock, SystemClock};
use hoadon_api::store::TenantStore;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        ..RetryPolicy::fast()
    }
}

pub async fn app(local: bool, max_attempts: u32) -> TestApp {
    spawn_app_full(
        |f| f,
        Arc::new(SystemClock),
        move |s| {
            let s = s.with_retry(policy(max_attempts));
            if local { s.with_local_webhooks() } else { s }
        },
    )
    .await
}

pub fn tenant(app: &TestApp) -> TenantStore {
    TenantStore::new("anphat", app.state.0.store.clone())
}

/// Registers an endpoint; its view and secret.
pub async fn create(app: &TestApp, t: &str, url: &str, events: &[&str]) -> (Value, String) {
    let body = json!({"url": url, "events": events, "description": "ERP"});
    let (s, v) = app
        .call("POST", "/api/webhooks", Some(t), &[], Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (
        v["webhook"].clone(),
        v["secret"].as_str().unwrap().to_owned(),
    )
}

/// Every delivery of endpoint `id`, following the cursors (`limit` per page).
pub async fn deliveries(app: &TestApp, t: &str, id: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let uri = format!("/api/webhooks/{id}/deliveries?limit={limit}{cursor}");
        let (s, page) = app.get(t, &uri).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(n) => cursor = format!("&cursor={n}"),
            None => return out,
        }
    }
}

/// Pumps the outbox (as the local worker does, twice at once) until `done` holds for the endpoints'
/// deliveries, at most 30 s.
pub async fn pump_until(
    app: &TestApp,
    t: &str,
    ids: &[&str],
    done: impl Fn(&[Vec<Value>]) -> bool,
) -> Vec<Vec<Value>> {
    let ts = tenant(app);
    let started = Instant::now();
    let svc = &app.state.0.services;
    while started.elapsed() < Duration::from_secs(30) {
        // Two workers at once, as two Lambda consumers or a pump and a consumer would be.
        let (a, b) = tokio::join!(
            hoadon_api::outbox::pump(svc, &ts),
            hoadon_api::outbox::pump(svc, &ts)
        );
        a.unwrap();
        b.unwrap();
        let mut lists = Vec::new();
        for id in ids {
            lists.push(deliveries(app, t, id, 200).await);
        }
        if done(&lists) {
            return lists;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries did not settle");
}

/// The change feed, sequenced now.
pub async fn feed(ts: &TenantStore) -> Vec<hoadon_core::api::orders::InvoiceChange> {
    hoadon_api::events::sequence(ts).await.unwrap();
    hoadon_api::events::changes(ts, 0, 1000)
        .await
        .unwrap()
        .items
}

/// An `order.invoicing_failed` event, as the orders' invoicing writes one.
pub async fn order_failed(ts: &TenantStore, order: &str) {
    let now_ms = SystemClock.now_ms();
    let op =
        hoadon_api::events::order_failed_op(ts, &[order.to_owned()], "no such customer", now_ms);
    ts.transact(vec![op]).await.unwrap();
}

/// A store that takes at most ten items per transaction, as DynamoDB Local does.
pub struct TenItems(pub Arc<dyn hoadon_api::store::Store>);

#[async_trait::async_trait]
impl hoadon_api::store::Store for TenItems {
    async fn get(
        &self,
        key: &hoadon_api::store::Key,
    ) -> Result<Option<hoadon_api::store::Item>, hoadon_api::store::StoreError> {
        self.0.get(key).await
    }
    async fn transact(
        &self,
        ops: Vec<hoadon_api::store::Op>,
    ) -> Result<Vec<u64>, hoadon_api::store::StoreError> {
        assert!(ops.len() <= 10, "{} operations", ops.len());
        self.0.transact(ops).await
    }
    async fn query(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<hoadon_api::store::Page, hoadon_api::store::StoreError> {
        self.0.query(pk, prefix, start_after, limit).await
    }
    fn max_transaction_ops(&self) -> usize {
        10
    }
}
