//! From the change feed to the outbox: one message per endpoint and subscribed event, queued in
//! the transaction that moves the endpoint's position past it.

use super::{CHANNEL, Endpoint, PK, WebhookMessage, endpoints};
use crate::error::ApiError;
use crate::invoices::{Services, from_item};
use crate::outbox::OutboxRecord;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::authority::Subject;
use hoadon_core::api::orders::InvoiceChange;
use hoadon_core::date::DateTime;
use serde::Serialize;

/// Changes read from the feed at a time.
const PAGE: usize = 100;
/// Store items one message takes: the record, its queue entry, its log entry, its entry in the
/// endpoint's deliveries.
const ITEMS_PER_MESSAGE: usize = 4;

/// The body of a webhook (see the module documentation of `webhooks`).
#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: &'a InvoiceChange,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Links>,
}

#[derive(Serialize)]
struct Links {
    invoice: String,
    xml: String,
    pdf: String,
}

/// The exact JSON sent for `change`.
pub fn payload(change: &InvoiceChange) -> String {
    let timestamp = DateTime::from_unix(change.at, 0)
        .map(|t| format!("{t}Z"))
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into());
    let links = change.invoice_id.as_ref().map(|id| Links {
        invoice: format!("/api/invoices/{id}"),
        xml: format!("/api/invoices/{id}/xml"),
        pdf: format!("/api/invoices/{id}/pdf"),
    });
    let body = Body {
        kind: &change.event,
        timestamp,
        data: change,
        links,
    };
    serde_json::to_string(&body).expect("webhook bodies serialize")
}

/// The message id of `position` for endpoint `endpoint_id`: the same for every fan-out.
fn message_id(endpoint_id: &str, position: u64) -> String {
    crate::ports::sha256_hex(format!("{endpoint_id}|{position}").as_bytes())[..32].to_owned()
}

/// A new message carrying `change` to an endpoint, due now.
pub(super) fn message(
    endpoint_id: &str,
    id: String,
    change: &InvoiceChange,
    payload: String,
    now_ms: i64,
) -> OutboxRecord {
    // The subject is the invoice (the outbox screen links to it); an order's event has none,
    // and names the endpoint.
    let subject_id = change.invoice_id.as_deref().unwrap_or(endpoint_id);
    let mut m = crate::outbox::blank(id, CHANNEL, Subject::Invoice, subject_id, now_ms);
    m.webhook = Some(WebhookMessage {
        endpoint_id: endpoint_id.to_owned(),
        event: change.event.clone(),
        position: change.position,
        payload,
        last_status: None,
        last_response: None,
        delivered_at: None,
        replay_of: None,
    });
    m
}

/// Queues what every endpoint has not been handed yet, and wakes a worker for each message.
/// Returns how many messages it queued. An endpoint that fails is logged and skipped (the next
/// pump tries it again).
pub async fn fan_out(svc: &Services, ts: &TenantStore) -> Result<usize, ApiError> {
    let mut queued = 0;
    for (id, _, _) in endpoints(ts).await? {
        match endpoint(svc, ts, &id).await {
            Ok(messages) => {
                queued += messages.len();
                for m in &messages {
                    crate::outbox::wake(svc, ts, m).await;
                }
            }
            Err(e) => {
                tracing::warn!(event = "webhook.fan_out_failed", tenant = ts.tenant(), webhook_id = %id, error = %e);
            }
        }
    }
    if queued > 0 {
        tracing::info!(
            event = "webhook.fanned_out",
            tenant = ts.tenant(),
            messages = queued
        );
    }
    Ok(queued)
}

/// Fans out to one endpoint until it is at the feed's end; the messages it stored.
async fn endpoint(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
) -> Result<Vec<OutboxRecord>, ApiError> {
    let per_tx = (ts.max_transaction_ops().saturating_sub(1) / ITEMS_PER_MESSAGE).clamp(1, 24);
    let mut stored = Vec::new();
    let mut conflicts = 0;
    loop {
        let Some(item) = ts.get(PK, id).await? else {
            return Ok(stored); // removed meanwhile
        };
        let mut ep: Endpoint = from_item(&item)?;
        let feed = crate::events::changes(ts, ep.position, PAGE).await?;
        if feed.items.is_empty() {
            return Ok(stored);
        }
        let now_ms = svc.clock.now_ms();
        let mut ops = Vec::new();
        let mut messages = Vec::new();
        let mut last = ep.position;
        for change in &feed.items {
            if ep.events.contains(&change.event) {
                if messages.len() == per_tx {
                    break;
                }
                let m = message(
                    id,
                    message_id(id, change.position),
                    change,
                    payload(change),
                    now_ms,
                );
                ops.extend(crate::outbox::enqueue_ops(ts, &m));
                messages.push(m);
            }
            last = change.position;
        }
        ep.position = last;
        ops.insert(
            0,
            Op::Put {
                key: item.key.clone(),
                data: serde_json::to_vec(&ep).expect("records serialize"),
                condition: Condition::Version(item.version),
            },
        );
        match ts.transact(ops).await {
            Ok(_) => stored.extend(messages),
            // Another fan-out moved it (or it was removed): read it again. Bounded: each
            // conflict means another worker made progress.
            Err(StoreError::ConditionFailed { .. }) if conflicts < 20 => conflicts += 1,
            Err(StoreError::ConditionFailed { .. }) => return Ok(stored),
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(invoice: Option<&str>) -> InvoiceChange {
        InvoiceChange {
            position: 42,
            event: if invoice.is_some() {
                "invoice.signed".into()
            } else {
                "order.invoicing_failed".into()
            },
            invoice_id: invoice.map(str::to_owned),
            at: 1_763_800_000,
            status: invoice.map(|_| hoadon_core::lifecycle::Status::Signed),
            series: invoice.map(|_| "1C25TAA".into()),
            number: invoice.map(|_| 7),
            order_ids: vec!["SO-1".into()],
            detail: invoice.is_none().then(|| "no such customer".into()),
        }
    }

    #[test]
    fn the_body_is_stable() {
        assert_eq!(
            payload(&change(Some("inv-1"))),
            r#"{"type":"invoice.signed","timestamp":"2025-11-22T08:26:40Z","data":{"position":42,"event":"invoice.signed","invoice_id":"inv-1","at":1763800000,"status":"signed","series":"1C25TAA","number":7,"order_ids":["SO-1"]},"links":{"invoice":"/api/invoices/inv-1","xml":"/api/invoices/inv-1/xml","pdf":"/api/invoices/inv-1/pdf"}}"#
        );
        assert_eq!(
            payload(&change(None)),
            r#"{"type":"order.invoicing_failed","timestamp":"2025-11-22T08:26:40Z","data":{"position":42,"event":"order.invoicing_failed","at":1763800000,"order_ids":["SO-1"],"detail":"no such customer"}}"#
        );
    }

    #[test]
    fn racing_fan_outs_build_the_same_message() {
        let a = message_id("0f0f", 42);
        assert_eq!(a, message_id("0f0f", 42));
        assert_eq!(a.len(), 32);
        assert_ne!(a, message_id("0f0f", 43));
        assert_ne!(a, message_id("0f0e", 42));
    }
}
