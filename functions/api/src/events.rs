//! What happened to invoices, for the ERP (#19): the **change feed** (`GET
//! /api/invoices/changes?after=N`) and, through it, the webhooks.
//!
//! A change is written in the very transaction that makes it (numbering, signing, coding, a
//! refusal, a correction, a delivery, an order's failure) as a *pending event* `EVT / <ms>#<id>`
//! — one item, on no shared counter, so issuing on many series never contends on it. The
//! outbox worker then **sequences** pending events: one transaction moves a few of them to
//! `ICHG / <position>` (12 digits) and the counter `ICHGSEQ / current` at the version it read,
//! deleting each pending item at its existence. Positions are therefore committed in order
//! (nothing a reader at position N has not seen can later appear below N) and each event gets
//! exactly one: racing sequencers lose on the counter and take the next ones. Webhooks read the
//! feed with a cursor per endpoint (`webhooks`), so both pull and push see one history.

use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services, from_item};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::orders::{InvoiceChange, InvoiceChanges};

const PENDING: &str = "EVT";
const FEED: &str = "ICHG";
const COUNTER: &str = "ICHGSEQ";

/// The wake-up id that asks a worker to sequence (and fan out) the tenant's events.
pub const WAKE_ID: &str = "@events";

/// The pending event for `rec` as it is now (status, number), for the transaction making it.
/// `discriminator` keeps two events of one kind apart (an audit sequence, an outbox id).
pub fn op(
    ts: &TenantStore,
    rec: &InvoiceRecord,
    event: &'static str,
    discriminator: &str,
    detail: Option<String>,
    now_ms: i64,
) -> Op {
    let change = InvoiceChange {
        position: 0,
        event: event.to_owned(),
        invoice_id: Some(rec.id.clone()),
        at: now_ms.div_euclid(1000),
        status: Some(rec.status),
        series: rec.series.clone(),
        number: rec.number,
        order_ids: rec
            .origin
            .as_ref()
            .map(|o| o.order_ids.clone())
            .unwrap_or_default(),
        detail: detail.map(|d| crate::outbox::truncate(&d, 300)),
    };
    pending(
        ts,
        &format!("{}#{event}#{discriminator}", rec.id),
        &change,
        now_ms,
    )
}

/// `order.invoicing_failed` for `order_ids`.
pub fn order_failed_op(ts: &TenantStore, order_ids: &[String], detail: &str, now_ms: i64) -> Op {
    let change = InvoiceChange {
        position: 0,
        event: "order.invoicing_failed".into(),
        invoice_id: None,
        at: now_ms.div_euclid(1000),
        status: None,
        series: None,
        number: None,
        order_ids: order_ids.to_vec(),
        detail: Some(crate::outbox::truncate(detail, 300)),
    };
    let id = crate::ports::sha256_hex(order_ids.join("\n").as_bytes());
    pending(
        ts,
        &format!("order#{}#{now_ms}", &id[..16]),
        &change,
        now_ms,
    )
}

fn pending(ts: &TenantStore, id: &str, change: &InvoiceChange, now_ms: i64) -> Op {
    Op::Put {
        key: ts.key(PENDING, format!("{:013}#{id}", now_ms.max(0))),
        data: serde_json::to_vec(change).expect("changes serialize"),
        condition: Condition::Always,
    }
}

/// Asks a worker to sequence the tenant's pending events soon (losing it only delays them:
/// every pump sequences).
pub async fn wake(svc: &Services, ts: &TenantStore) {
    if let Err(e) = svc.wake.wake(ts.tenant(), WAKE_ID, svc.clock.now()).await {
        tracing::warn!(event = "events.wake_failed", tenant = ts.tenant(), error = %e);
    }
}

/// Gives every pending event its position, oldest first. Returns how many were sequenced.
pub async fn sequence(ts: &TenantStore) -> Result<usize, ApiError> {
    // Counter, then (feed entry, pending delete) per event.
    let per_tx = (ts.max_transaction_ops().saturating_sub(1) / 2).clamp(1, 50);
    let mut done = 0;
    let mut conflicts = 0;
    loop {
        let page = ts.query(PENDING, "", None, per_tx).await?;
        if page.items.is_empty() {
            return Ok(done);
        }
        let counter = ts.get(COUNTER, "current").await?;
        let (mut last, version) = match &counter {
            Some(item) => (from_item::<u64>(item)?, Some(item.version)),
            None => (0, None),
        };
        let mut ops = vec![Op::Check {
            key: ts.key(COUNTER, "current"),
            condition: Condition::Always,
        }];
        for item in &page.items {
            let mut change: InvoiceChange = from_item(item)?;
            last += 1;
            change.position = last;
            ops.push(Op::Put {
                key: ts.key(FEED, format!("{last:012}")),
                data: serde_json::to_vec(&change).expect("changes serialize"),
                condition: Condition::NotExists,
            });
            ops.push(Op::Delete {
                key: item.key.clone(),
                condition: Condition::Exists,
            });
        }
        ops[0] = Op::Put {
            key: ts.key(COUNTER, "current"),
            data: serde_json::to_vec(&last).expect("numbers serialize"),
            condition: match version {
                Some(v) => Condition::Version(v),
                None => Condition::NotExists,
            },
        };
        match ts.transact(ops).await {
            Ok(_) => done += page.items.len(),
            // Another sequencer moved first: read again (bounded, it is making progress).
            Err(StoreError::ConditionFailed { .. }) if conflicts < 20 => conflicts += 1,
            Err(StoreError::ConditionFailed { .. }) => return Ok(done),
            Err(e) => return Err(e.into()),
        }
    }
}

/// The feed after position `after`, at most `limit` changes.
pub async fn changes(
    ts: &TenantStore,
    after: u64,
    limit: usize,
) -> Result<InvoiceChanges, ApiError> {
    let start = (after > 0).then(|| format!("{after:012}"));
    let page = ts
        .query(FEED, "", start.as_deref(), limit.clamp(1, 1000))
        .await?;
    let items: Vec<InvoiceChange> = page.items.iter().map(from_item).collect::<Result<_, _>>()?;
    let last = items.last().map_or(after, |c| c.position);
    Ok(InvoiceChanges { items, last })
}

/// The last position given (0 before any).
pub async fn head(ts: &TenantStore) -> Result<u64, ApiError> {
    Ok(match ts.get(COUNTER, "current").await? {
        Some(item) => from_item(&item)?,
        None => 0,
    })
}
