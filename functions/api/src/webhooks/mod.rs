//! Webhooks for ERPs (#19): the tenant's endpoints, and every change-feed event an endpoint
//! subscribed to POSTed to it through **the outbox** (`channel = "webhook"`), signed the
//! [Standard Webhooks](https://www.standardwebhooks.com/) way.
//!
//! **One history.** Events are the invoice change feed ([`crate::events`]): each endpoint keeps
//! the last feed position handed to it, and [`fan_out`] (run by every outbox pump, and by the
//! `@events` wake-up) reads the feed after it and creates one outbox message per subscribed
//! event **in the transaction that advances the position** (pinned to the endpoint's version),
//! so an event is queued for an endpoint exactly once; the message id is derived from the
//! endpoint and the position, so racing fan-outs build the same message and one of them
//! stores it. A new endpoint starts at the feed's head: it gets the events from its creation
//! on. From there the outbox does what it does for e-mail: leased attempts, backoff with
//! jitter (`svc.retry`), bounded, then *needs attention* until a person replays it.
//!
//! **At least once.** A receiver that answered `2xx` after hoadon gave up waiting (10 s) gets
//! the same message again; every attempt of one message carries the same `webhook-id`, which is
//! the receiver's idempotency key.
//!
//! **The request** (`send`): `POST <url>` with `content-type: application/json`,
//! `user-agent: hoadon-webhooks/<version>`, `webhook-id: <message id>` (32 hex digits),
//! `webhook-timestamp: <Unix seconds of this attempt>`, `webhook-signature: v1,<base64 of
//! HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` where `key` is the base64-decoded part of the
//! endpoint's secret after `whsec_`. `2xx` is delivered; anything else, a transport error or no
//! answer within 10 s is a failed attempt (`410 Gone`: needs attention at once). Redirects are
//! not followed. The first 500 characters of the answer are kept on the delivery.
//!
//! **The body** (stable; fields are only ever added):
//!
//! ```json
//! {
//!   "type": "invoice.signed",
//!   "timestamp": "2025-11-22T08:26:40Z",
//!   "data": { "position": 42, "event": "invoice.signed", "invoice_id": "…", "at": 1763800000,
//!             "status": "signed", "series": "1C25TAA", "number": 7, "order_ids": ["SO-1"] },
//!   "links": { "invoice": "/api/invoices/…", "xml": "/api/invoices/…/xml",
//!              "pdf": "/api/invoices/…/pdf" }
//! }
//! ```
//!
//! `type` is the event (`hoadon_core::api::orders::EVENTS`), `timestamp` when it happened (RFC
//! 3339, UTC), `data` the change-feed entry (`InvoiceChange`, the same JSON as `GET
//! /api/invoices/changes`), `links` the API paths of the invoice, its signed XML and its PDF
//! (only for events about an invoice; `order.invoicing_failed` names orders instead).
//!
//! **Where it may go** (`guard`): `https://` to public addresses only, checked when the URL is
//! registered and again after resolution at every attempt, connecting to the checked address;
//! plain `http://` to loopback only on the local system (`Services::with_local_webhooks`).
//!
//! **Replay** (`deliveries::replay`): a delivery that needs attention is retried as it is (the
//! same message, the same `webhook-id`); a delivered one is sent again as a *new* message (a
//! new `webhook-id`, `replay_of` naming the first, the same body), since a receiver would
//! rightly drop the same id as a duplicate. A delivery still being worked is not replayed.
//!
//! Items: `WHEP / <id>` an [`Endpoint`] (the secret included: an HMAC key must be usable, so it
//! cannot be stored hashed; it is never logged, never in `Debug`, shown once when created);
//! `WHEP / head` the head of the chain `AUDIT#webhooks` (every creation and removal);
//! `WHDEL / <endpoint>#<inverted position>#<message>` an endpoint's deliveries, newest first.

pub mod deliveries;
mod fan_out;
pub mod guard;
pub mod send;

pub use fan_out::{fan_out, payload};

use crate::error::ApiError;
use crate::invoices::{Services, from_item};
use crate::ports::Ids;
use crate::side_chain::SideChain;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::orders::EVENTS;
use hoadon_core::api::webhooks::{CreatedWebhook, NewWebhook, WebhookView};
use hoadon_core::validate::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The outbox channel of webhook deliveries.
pub const CHANNEL: &str = "webhook";
/// What every secret starts with (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";
/// Most endpoints a tenant may have.
pub const MAX_ENDPOINTS: usize = 20;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 100;

const PK: &str = "WHEP";
/// The chain `AUDIT#webhooks`, headed at `WHEP / head`.
const CHAIN: SideChain = SideChain {
    pk: PK,
    chain: "webhooks",
};

/// An endpoint's signing secret (`whsec_…`): redacted in `Debug`, never logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A fresh secret: `whsec_` + standard base64 of 32 bytes from the system's CSPRNG.
    fn generate() -> Self {
        use aws_lc_rs::rand::SecureRandom;
        use base64::Engine;
        let mut b = [0u8; 32];
        aws_lc_rs::rand::SystemRandom::new()
            .fill(&mut b)
            .expect("the system random generator works");
        Secret(format!(
            "{SECRET_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(b)
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `WHEP / <id>`: an endpoint as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub secret: Secret,
    pub created_at: i64,
    pub created_by: String,
    /// The last change-feed position handed to it (fanned out).
    pub position: u64,
}

/// What a webhook message of the outbox carries besides the common fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookMessage {
    pub endpoint_id: String,
    pub event: String,
    /// The change-feed position it carries.
    pub position: u64,
    /// The body, byte for byte the same on every attempt (the signature covers it).
    pub payload: String,
    /// The last answer's status and first characters (bounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<i64>,
    /// A replay of a delivered message: that message's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn view(id: &str, e: &Endpoint) -> WebhookView {
    WebhookView {
        id: id.to_owned(),
        url: e.url.clone(),
        events: e.events.clone(),
        description: e.description.clone(),
        created_at: e.created_at,
        created_by: e.created_by.clone(),
        position: e.position,
    }
}

fn finding(code: &'static str, path: String, vi: &str, en: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        code,
        path,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }
}

/// Checks a new endpoint: every problem at once, as findings at `url`, `events`,
/// `events[i]`, `description`. Returns the URL, events (duplicates dropped) and description
/// as kept.
async fn check(
    input: &NewWebhook,
    allow_local: bool,
) -> Result<(String, Vec<String>, Option<String>), ApiError> {
    let mut out = Vec::new();
    let url = input.url.trim().to_owned();
    let url_refusal = |r: guard::Refusal| Finding {
        severity: Severity::Error,
        code: r.code,
        path: "url".into(),
        message_vi: r.vi,
        message_en: r.en,
    };
    match guard::parse(&url, allow_local) {
        Err(r) => out.push(url_refusal(r)),
        // A name is resolved now too, to refuse at once one that points inside (the attempts
        // check again: what a name resolves to may change). A name that does not resolve yet
        // is accepted.
        Ok(t) if t.host.parse::<std::net::IpAddr>().is_err() => {
            if let Err(guard::ResolveError::Refused(r)) =
                guard::resolve(&url, allow_local, Duration::from_secs(2)).await
            {
                out.push(url_refusal(r));
            }
        }
        Ok(_) => {}
    }
    let mut events: Vec<String> = Vec::new();
    if input.events.is_empty() {
        out.push(finding(
            "webhook.events",
            "events".into(),
            "Chọn ít nhất một sự kiện",
            "choose at least one event",
        ));
    }
    for (i, e) in input.events.iter().enumerate() {
        if !EVENTS.contains(&e.as_str()) {
            out.push(finding(
                "webhook.event",
                format!("events[{i}]"),
                &format!("Không có sự kiện này; các sự kiện: {}", EVENTS.join(", ")),
                &format!("no such event; the events are {}", EVENTS.join(", ")),
            ));
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    let description = input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if description.is_some_and(|d| {
        d.chars().count() > MAX_DESCRIPTION_CHARS || d.chars().any(char::is_control)
    }) {
        out.push(finding(
            "webhook.description",
            "description".into(),
            "Mô tả: tối đa 100 ký tự, không có ký tự điều khiển",
            "description: at most 100 characters, no control characters",
        ));
    }
    if !out.is_empty() {
        return Err(ApiError::Validation(out));
    }
    Ok((url, events, description.map(str::to_owned)))
}

/// Every endpoint of the tenant with its version, in id order.
pub(crate) async fn endpoints(ts: &TenantStore) -> Result<Vec<(String, Endpoint, u64)>, ApiError> {
    let items = CHAIN.items(ts).await?;
    items
        .iter()
        .filter(|i| is_id(&i.key.sk))
        .map(|i| Ok((i.key.sk.clone(), from_item(i)?, i.version)))
        .collect()
}

/// One endpoint and its version.
pub(crate) async fn load(ts: &TenantStore, id: &str) -> Result<(Endpoint, u64), ApiError> {
    if !is_id(id) {
        return Err(ApiError::NotFound);
    }
    let item = ts.get(PK, id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

/// Registers an endpoint; the answer is the only place its secret is ever shown. It starts at
/// the feed's head (events sequenced before now are not sent to it).
pub async fn create(
    svc: &Services,
    ts: &TenantStore,
    input: NewWebhook,
    actor: &str,
) -> Result<CreatedWebhook, ApiError> {
    let (url, events, description) = check(&input, svc.allow_local_webhooks).await?;
    if endpoints(ts).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::Unprocessable(
            "webhook.limit",
            format!(
                "Tối đa {MAX_ENDPOINTS} địa chỉ webhook / at most {MAX_ENDPOINTS} webhook \
                 endpoints; remove one first"
            ),
        ));
    }
    // What happened before now has its position before the head read next.
    if let Err(e) = crate::events::sequence(ts).await {
        tracing::warn!(event = "events.sequence_failed", tenant = ts.tenant(), error = %e);
    }
    let now = svc.clock.now();
    let id = crate::ports::RandomIds.new_id();
    let mut rec = Endpoint {
        url,
        events,
        description,
        secret: Secret::generate(),
        created_at: now,
        created_by: actor.to_owned(),
        position: 0,
    };
    for _ in 0..5 {
        rec.position = crate::events::head(ts).await?;
        let head = CHAIN.head(ts).await?;
        let [h, a] = CHAIN.append(ts, head, now, actor, "webhook_created", &id);
        let ops = vec![
            Op::Put {
                key: ts.key(PK, &id),
                data: serde_json::to_vec(&rec).expect("records serialize"),
                condition: Condition::NotExists,
            },
            h,
            a,
        ];
        match ts.transact(ops).await {
            Ok(_) => {
                let host = guard::parse(&rec.url, true)
                    .map(|t| t.host)
                    .unwrap_or_default();
                tracing::info!(event = "webhook.created", tenant = ts.tenant(), webhook_id = %id, host, actor);
                return Ok(CreatedWebhook {
                    webhook: view(&id, &rec),
                    secret: rec.secret.expose().to_owned(),
                });
            }
            Err(StoreError::ConditionFailed { index: 1 | 2 }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the webhooks kept changing; retry".into(),
    ))
}

/// The tenant's endpoints, newest first (never their secrets).
pub async fn list(ts: &TenantStore) -> Result<Vec<WebhookView>, ApiError> {
    let mut out: Vec<WebhookView> = endpoints(ts)
        .await?
        .iter()
        .map(|(id, e, _)| view(id, e))
        .collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Removes an endpoint (with its entry on the chain). Its queued deliveries finish as done,
/// "endpoint removed", when next attempted; its delivery list goes with it.
pub async fn delete(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<(), ApiError> {
    let now = svc.clock.now();
    for _ in 0..5 {
        let (_, version) = load(ts, id).await?;
        let head = CHAIN.head(ts).await?;
        let [h, a] = CHAIN.append(ts, head, now, actor, "webhook_removed", id);
        let ops = vec![
            Op::Delete {
                key: ts.key(PK, id),
                condition: Condition::Version(version),
            },
            h,
            a,
        ];
        match ts.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "webhook.removed", tenant = ts.tenant(), webhook_id = %id, actor);
                return Ok(());
            }
            // Moved on by a fan-out, or the chain by another change: read again.
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the webhooks kept changing; retry".into(),
    ))
}

/// The chain of creations and removals, checked against its head.
pub async fn audit(ts: &TenantStore) -> Result<crate::invoices::AuditReport, ApiError> {
    CHAIN.audit(ts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_whsec_and_32_random_bytes_and_never_debugged() {
        use base64::Engine;
        let s = Secret::generate();
        let b64 = s.expose().strip_prefix(SECRET_PREFIX).unwrap();
        let key = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(key.len(), 32);
        assert_ne!(s, Secret::generate());
        let rec = Endpoint {
            url: "https://erp.example.vn/h".into(),
            events: vec!["invoice.signed".into()],
            description: None,
            secret: s.clone(),
            created_at: 0,
            created_by: "a".into(),
            position: 0,
        };
        let debugged = format!("{rec:?}");
        assert!(!debugged.contains(b64), "{debugged}");
        assert!(debugged.contains("<redacted>"));
        // Stored as the string itself.
        let json = serde_json::to_value(&rec).unwrap();
        assert_eq!(json["secret"], s.expose());
    }

    #[tokio::test]
    async fn every_problem_of_a_new_endpoint_at_once() {
        let input = NewWebhook {
            url: "ftp://erp.example.vn/h".into(),
            events: vec!["invoice.signed".into(), "invoice.nope".into()],
            description: Some("x".repeat(101)),
        };
        let Err(ApiError::Validation(f)) = check(&input, false).await else {
            panic!("refused");
        };
        let got: Vec<(&str, &str)> = f.iter().map(|f| (f.path.as_str(), f.code)).collect();
        assert_eq!(
            got,
            [
                ("url", "webhook.url_scheme"),
                ("events[1]", "webhook.event"),
                ("description", "webhook.description")
            ]
        );
        let ok = NewWebhook {
            url: " https://8.8.8.8/h ".into(),
            events: vec!["invoice.signed".into(), "invoice.signed".into()],
            description: Some("  ".into()),
        };
        let (url, events, description) = check(&ok, false).await.unwrap();
        assert_eq!(url, "https://8.8.8.8/h");
        assert_eq!(events, ["invoice.signed"]);
        assert_eq!(description, None);
    }
}
