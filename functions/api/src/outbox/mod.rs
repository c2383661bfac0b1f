//! The outbox: every side effect that leaves the system (tax-authority messages, e-mails,
//! webhooks) goes through here.
//!
//! A message is **persisted before its first attempt**, in the same transaction as the change
//! that causes it (the invoice's signature, the registration, the 04/SS), with the `MTDiep` it
//! carries on every attempt. A worker — [`pump`] locally, [`attempt`] per message from the SQS
//! consumer on AWS — takes a short lease on it, sends it (or, after a timeout, **looks it up
//! first**: the same bytes under the same `MTDiep` are resent only if the other side has no
//! trace of them), reads the replies matched by `MTDTChieu`, applies them ([`apply`]), and
//! otherwise schedules the next attempt ([`schedule`]: exponential backoff with jitter,
//! bounded); then the message *needs attention* until a person says "retry now".
//!
//! Items (tenant-scoped): `OUTBOX / <id>` the [`OutboxRecord`]; `OUTQ / <due ms>#<id>` while
//! open (the pump reads them in due order and stops at the first not yet due); `OUTATT / <id>`
//! while it needs attention (the home screen's count).
//!
//! Each pump (and the `events::WAKE_ID` wake-up) first sequences the tenant's pending invoice
//! events into the change feed and fans them out to the webhooks' endpoints
//! ([`crate::webhooks::fan_out`]), whose messages it then works like any other.

pub mod apply;
mod attempt;
mod message;
pub mod schedule;

pub use attempt::Handoff;
pub use attempt::attempt;
use attempt::work;
pub use schedule::RetryPolicy;

use crate::error::ApiError;
use crate::invoices::{Services, from_item};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_authority::TaxAuthority;
use hoadon_core::api::Page;
use hoadon_core::api::authority::{OutboxState, OutboxView, ReplyView, Subject};
use hoadon_core::tdiep::{MessageId, TDiep};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How a tenant reaches the tax authority: the port's adapter, the codes of the envelope, and
/// the certificates whose CQT signatures it accepts.
#[derive(Clone)]
pub struct AuthorityLink {
    pub authority: Arc<dyn TaxAuthority>,
    /// `MNGui`: the sending party's code (`V` + the T-VAN's tax id).
    pub sender: String,
    /// `MNNhan`: `TCT`.
    pub receiver: String,
    /// `PBan` of the envelopes hoadon writes.
    pub version: String,
    /// The authority's certificates (DER): a 202 whose CQT signature is made with another key
    /// is never adopted — a signature that verifies says nothing about who made it.
    pub trusted: Vec<TrustedAuthority>,
}

/// A certificate whose CQT signatures are the authority's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedAuthority {
    pub der: Vec<u8>,
    /// The local simulator's: what it codes is test data, whatever the link says.
    pub test: bool,
}

impl TrustedAuthority {
    /// The first `CERTIFICATE` block of `pem`.
    pub fn from_pem(pem: &str, test: bool) -> Result<Self, String> {
        let der = hoadon_signing::pem_block(pem, "CERTIFICATE")
            .ok_or("no PEM CERTIFICATE block for the authority's certificate")?;
        Ok(TrustedAuthority { der, test })
    }
}

impl AuthorityLink {
    pub fn new(authority: Arc<dyn TaxAuthority>, sender: &str) -> Self {
        AuthorityLink {
            authority,
            sender: sender.to_owned(),
            receiver: "TCT".into(),
            version: "2.0.0".into(),
            trusted: Vec::new(),
        }
    }

    /// Trusts `cert` as the authority's.
    pub fn trusting(mut self, cert: TrustedAuthority) -> Self {
        self.trusted.push(cert);
        self
    }
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub id: String,
    pub channel: String,
    /// `MLTDiep`.
    pub kind: u16,
    /// `MTDiep`, fixed before the first attempt.
    pub message_id: String,
    /// `TTChung/MST`: the taxpayer the message is about.
    pub tax_id: String,
    pub subject: Subject,
    pub subject_id: String,
    pub state: OutboxState,
    /// The other side has it (a submit was answered, or a look-up found it).
    #[serde(default)]
    pub received: bool,
    /// When the other side was first known to have it (ms).
    #[serde(default)]
    pub received_at_ms: i64,
    /// Failed attempts in a row.
    pub attempts: u32,
    /// Sends in total (what the measurements count as retries).
    #[serde(default)]
    pub sends: u32,
    /// Looks for an answer since the last reply.
    #[serde(default)]
    pub polls: u32,
    pub next_at_ms: i64,
    #[serde(default)]
    pub lease_until_ms: i64,
    /// The `OUTQ` sort key while open.
    #[serde(default)]
    pub queue_key: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    pub replies: Vec<ReplyView>,
    pub created_at: i64,
    pub updated_at: i64,
    pub test: bool,
    /// An e-mail's recipients and language (`channel = "email"`, see `delivery::email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<crate::delivery::email::EmailDelivery>,
    /// A webhook's endpoint, event, body and last answer (`channel = "webhook"`, see
    /// `webhooks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<crate::webhooks::WebhookMessage>,
}

impl OutboxRecord {
    pub fn view(&self, version: u64) -> OutboxView {
        OutboxView {
            id: self.id.clone(),
            channel: self.channel.clone(),
            kind: self.kind,
            message_id: self.message_id.clone(),
            subject: self.subject,
            subject_id: self.subject_id.clone(),
            state: self.state,
            attempts: self.attempts,
            next_at: matches!(self.state, OutboxState::Queued | OutboxState::AwaitingReply)
                .then_some(self.next_at_ms.div_euclid(1000)),
            last_error: self.last_error.clone(),
            replies: self.replies.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            test: self.test,
            version,
        }
    }
}

fn queue_key(due_ms: i64, id: &str) -> String {
    format!("{:013}#{id}", due_ms.max(0))
}

/// A new message for `subject`, due now. Its `MTDiep` is derived from `seed` (what the message
/// carries: the signed file's digest), so that racing attempts to cause it (a request and the
/// sweep signing the same invoice) build the same message, and only one transaction stores it.
pub fn new_message(
    link: &AuthorityLink,
    kind: u16,
    tax_id: &str,
    subject: Subject,
    subject_id: &str,
    seed: &str,
    now_ms: i64,
) -> Result<OutboxRecord, ApiError> {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{}|{kind}|{subject_id}|{seed}", link.sender).as_bytes(),
    );
    let mut random = [0u8; 16];
    random.copy_from_slice(&digest.as_ref()[..16]);
    let message_id = MessageId::new(&link.sender, random)
        .map_err(|e| ApiError::Internal(format!("sender code: {e}")))?;
    let id = message_id.as_str()[link.sender.len()..].to_ascii_lowercase();
    let mut rec = blank(id, "tax_authority", subject, subject_id, now_ms);
    rec.kind = kind;
    rec.message_id = message_id.as_str().to_owned();
    rec.tax_id = tax_id.to_owned();
    rec.test = link.authority.is_test();
    Ok(rec)
}

/// A new message on `channel` about `subject`, due now, with nothing channel-specific yet.
pub fn blank(
    id: String,
    channel: &str,
    subject: Subject,
    subject_id: &str,
    now_ms: i64,
) -> OutboxRecord {
    OutboxRecord {
        queue_key: Some(queue_key(now_ms, &id)),
        id,
        channel: channel.to_owned(),
        kind: 0,
        message_id: String::new(),
        tax_id: String::new(),
        subject,
        subject_id: subject_id.to_owned(),
        state: OutboxState::Queued,
        received: false,
        received_at_ms: 0,
        attempts: 0,
        sends: 0,
        polls: 0,
        next_at_ms: now_ms,
        lease_until_ms: 0,
        last_error: None,
        replies: Vec::new(),
        created_at: now_ms.div_euclid(1000),
        updated_at: now_ms.div_euclid(1000),
        test: false,
        email: None,
        webhook: None,
    }
}

/// The operations that persist a new message, for the transaction of the change causing it.
pub fn enqueue_ops(ts: &TenantStore, rec: &OutboxRecord) -> Vec<Op> {
    let qk = rec
        .queue_key
        .clone()
        .unwrap_or_else(|| queue_key(rec.next_at_ms, &rec.id));
    let mut ops = vec![
        Op::Put {
            key: ts.key("OUTBOX", &rec.id),
            data: serde_json::to_vec(rec).expect("records serialize"),
            condition: Condition::NotExists,
        },
        Op::Put {
            key: ts.key("OUTQ", qk),
            data: Vec::new(),
            condition: Condition::Always,
        },
        Op::Put {
            key: ts.key("OUTLOG", log_key(rec.created_at, &rec.id)),
            data: Vec::new(),
            condition: Condition::Always,
        },
    ];
    if rec.email.is_some() {
        // The invoice's e-mails (its screen lists them).
        ops.push(Op::Put {
            key: ts.key("MAILOF", format!("{}#{}", rec.subject_id, rec.id)),
            data: Vec::new(),
            condition: Condition::Always,
        });
    }
    if let Some(w) = &rec.webhook {
        // The endpoint's deliveries (its screen lists them).
        ops.push(Op::Put {
            key: crate::webhooks::deliveries::index_key(ts, w, &rec.id),
            data: Vec::new(),
            condition: Condition::Always,
        });
    }
    ops
}

/// Tells a worker about a message just stored (losing this only delays it: the pump finds it).
pub async fn wake(svc: &Services, ts: &TenantStore, rec: &OutboxRecord) {
    if let Err(e) = svc
        .wake
        .wake(ts.tenant(), &rec.id, rec.next_at_ms.div_euclid(1000))
        .await
    {
        tracing::warn!(event = "outbox.wake_failed", tenant = ts.tenant(), outbox_id = %rec.id, error = %e);
    }
}

pub async fn load(ts: &TenantStore, id: &str) -> Result<(OutboxRecord, u64), ApiError> {
    let item = ts.get("OUTBOX", id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

/// What one pass over a tenant's due messages did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PumpReport {
    /// Messages worked on.
    pub attempted: usize,
    /// Of them, finished (final answer applied).
    pub done: usize,
    /// Of them, now needing attention.
    pub failed: usize,
    /// Messages not done after the pass (queued or awaiting a reply).
    pub open: usize,
}

/// How many messages one pump works on at once.
const PARALLEL: usize = 32;

/// Works every message of the tenant that is due now, once each, up to [`PARALLEL`] at a time.
pub async fn pump(svc: &Services, ts: &TenantStore) -> Result<PumpReport, ApiError> {
    let mut report = PumpReport::default();
    events_out(svc, ts).await;
    let now = svc.clock.now_ms();
    let mut due = Vec::new();
    let mut cursor = None;
    'pages: loop {
        let page = ts.query("OUTQ", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let Some((at, id)) = item.key.sk.split_once('#') else {
                continue;
            };
            if at.parse::<i64>().unwrap_or(0) > now {
                report.open += 1;
                break 'pages;
            }
            due.push(id.to_owned());
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let mut set = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    for id in due {
        if set.len() >= PARALLEL
            && let Some(r) = set.join_next().await
        {
            results.push(r);
        }
        let (svc, ts) = (svc.clone(), ts.clone());
        set.spawn(async move { work(&svc, &ts, &id).await });
    }
    while let Some(r) = set.join_next().await {
        results.push(r);
    }
    for r in results {
        report.attempted += 1;
        match r {
            Ok(Ok(Some(OutboxState::Done))) => report.done += 1,
            Ok(Ok(Some(OutboxState::NeedsAttention))) => report.failed += 1,
            Ok(Ok(_)) => report.open += 1,
            Ok(Err(e)) => {
                report.open += 1;
                tracing::warn!(event = "outbox.error", tenant = ts.tenant(), error = %e);
            }
            Err(e) => tracing::error!(event = "outbox.panic", tenant = ts.tenant(), error = %e),
        }
    }
    Ok(report)
}

/// Sequences the tenant's pending invoice events and fans them out to its webhooks (failures
/// logged: the next pump tries again).
pub(crate) async fn events_out(svc: &Services, ts: &TenantStore) {
    if let Err(e) = crate::events::sequence(ts).await {
        tracing::warn!(event = "events.sequence_failed", tenant = ts.tenant(), error = %e);
    }
    if let Err(e) = crate::webhooks::fan_out(svc, ts).await {
        tracing::warn!(event = "webhook.fan_out_failed", tenant = ts.tenant(), error = %e);
    }
}

/// Stores the record after an attempt (lease released) and moves its queue entry.
pub(crate) async fn save(
    svc: &Services,
    ts: &TenantStore,
    rec: &mut OutboxRecord,
    version: u64,
) -> Result<(), ApiError> {
    save_with(svc, ts, rec, version, Vec::new()).await
}

/// [`save`], with `extra` operations in the same transaction (what the attempt's outcome
/// causes: an invoice's `invoice.delivered` event).
pub(crate) async fn save_with(
    svc: &Services,
    ts: &TenantStore,
    rec: &mut OutboxRecord,
    version: u64,
    extra: Vec<Op>,
) -> Result<(), ApiError> {
    rec.lease_until_ms = 0;
    rec.updated_at = svc.clock.now();
    let mut ops = extra;
    let old_q = rec.queue_key.take();
    let open = matches!(rec.state, OutboxState::Queued | OutboxState::AwaitingReply);
    let new_q = open.then(|| queue_key(rec.next_at_ms, &rec.id));
    if old_q != new_q {
        if let Some(q) = &old_q {
            ops.push(Op::Delete {
                key: ts.key("OUTQ", q.clone()),
                condition: Condition::Always,
            });
        }
        if let Some(q) = &new_q {
            ops.push(Op::Put {
                key: ts.key("OUTQ", q.clone()),
                data: Vec::new(),
                condition: Condition::Always,
            });
        }
    }
    rec.queue_key = new_q;
    let attention = ts.key("OUTATT", rec.id.clone());
    ops.push(if rec.state == OutboxState::NeedsAttention {
        Op::Put {
            key: attention,
            data: Vec::new(),
            condition: Condition::Always,
        }
    } else {
        Op::Delete {
            key: attention,
            condition: Condition::Always,
        }
    });
    ops.insert(
        0,
        Op::Put {
            key: ts.key("OUTBOX", &rec.id),
            data: serde_json::to_vec(&rec).expect("records serialize"),
            condition: Condition::Version(version),
        },
    );
    // No wake-up here: the local worker's tick finds the next due time, and the SQS consumer
    // sends its own wake-up with the time `attempt` returns (one message per retry, not two).
    match ts.transact(ops).await {
        Ok(_) => {}
        // Another worker took the message over after this one's lease ran out: its record
        // stands (what this attempt learnt, it will learn again from the authority).
        Err(StoreError::ConditionFailed { index: 0 }) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    if rec.state == OutboxState::NeedsAttention {
        crate::telemetry::outbox_needs_attention(
            ts.tenant(),
            &rec.id,
            rec.kind,
            rec.last_error.as_deref().unwrap_or_default(),
        );
    }
    Ok(())
}

/// "Retry now": a message that needs attention is due again, its failure count reset.
pub async fn retry_now(svc: &Services, ts: &TenantStore, id: &str) -> Result<OutboxView, ApiError> {
    let (mut rec, version) = load(ts, id).await?;
    if rec.state != OutboxState::NeedsAttention {
        return Err(ApiError::Conflict(
            "outbox_not_stuck",
            "only a message that needs attention is retried by hand; this one is done or \
             still being worked"
                .into(),
        ));
    }
    rec.state = if rec.received {
        OutboxState::AwaitingReply
    } else {
        OutboxState::Queued
    };
    rec.attempts = 0;
    rec.polls = 0;
    rec.lease_until_ms = 0;
    rec.next_at_ms = svc.clock.now_ms();
    if rec.received {
        // A fresh deadline for the answer.
        rec.received_at_ms = rec.next_at_ms;
    }
    save(svc, ts, &mut rec, version).await?;
    let (rec, version) = load(ts, id).await?;
    if rec.state == OutboxState::NeedsAttention {
        return Err(ApiError::Conflict(
            "outbox_not_stuck",
            "the message changed meanwhile; reload".into(),
        ));
    }
    wake(svc, ts, &rec).await;
    Ok(rec.view(version))
}

/// The tenant's messages, newest first, optionally in one state.
pub async fn list(
    ts: &TenantStore,
    state: Option<OutboxState>,
    cursor: Option<String>,
    limit: usize,
) -> Result<Page<OutboxView>, ApiError> {
    // Newest first through the `OUTLOG` index (the messages needing attention through their
    // own); each page reads at most `SCAN` index entries, so a state that is rare in a long
    // history answers with fewer items and a cursor rather than reading everything.
    const SCAN: usize = 1000;
    let pk = if state == Some(OutboxState::NeedsAttention) {
        "OUTATT"
    } else {
        "OUTLOG"
    };
    let mut items = Vec::new();
    let mut after = cursor;
    let mut scanned = 0;
    loop {
        let page = ts.query(pk, "", after.as_deref(), 200).await?;
        for entry in &page.items {
            scanned += 1;
            after = Some(entry.key.sk.clone());
            let id = entry.key.sk.rsplit('#').next().unwrap_or_default();
            let Some(item) = ts.get("OUTBOX", id).await? else {
                continue;
            };
            let rec: OutboxRecord = from_item(&item)?;
            if state.is_none_or(|s| s == rec.state) {
                items.push(rec.view(item.version));
            }
            if items.len() >= limit || scanned >= SCAN {
                return Ok(Page { items, next: after });
            }
        }
        if page.next.is_none() {
            return Ok(Page { items, next: None });
        }
    }
}

/// `OUTLOG` sort key: newest first (the creation second inverted), then the id.
fn log_key(created_at: i64, id: &str) -> String {
    format!("{:011}#{id}", (99_999_999_999 - created_at).max(0))
}

/// How many messages need attention (the home screen).
pub async fn attention_count(ts: &TenantStore) -> Result<u64, ApiError> {
    let mut n = 0;
    let mut c = None;
    loop {
        let page = ts.query("OUTATT", "", c.as_deref(), 500).await?;
        n += page.items.len() as u64;
        match page.next {
            Some(x) => c = Some(x),
            None => return Ok(n),
        }
    }
}

/// At most `max` characters of `s` (texts from the other side are bounded before they are
/// stored).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Reads a reply, or says why it cannot be used.
pub(crate) fn read_reply(raw: &str) -> Result<TDiep, String> {
    TDiep::read(raw).map_err(|e| e.to_string())
}
