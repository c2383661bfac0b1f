//! One attempt on one message: claim it (a lease), send it or look it up, apply what came back,
//! schedule the next attempt.
//!
//! The rules that keep "never lost, never coded twice":
//! - the count of sends is stored **before** a send, so a worker that dies mid-send leaves a
//!   trace, and any later attempt on a message sent before and not known received **looks it
//!   up first** (the same bytes go out again under the same `MTDiep` only if the other side has
//!   no trace of them);
//! - a message is *received* only when a reply to its `MTDiep` was read (an empty or foreign
//!   answer is a failed attempt, looked up next time);
//! - a message whose subject moved on (a refused invoice revised: a newer message carries it)
//!   is finished as superseded, neither sent nor applied;
//! - a failure to apply a reply is a failed attempt like any other (counted, backed off, then
//!   *needs attention*), never a silent loop.
//!
//! Channels with no replies to read (e-mail, webhooks) go through [`hand_over`]: one attempt
//! by the channel's own function, then the same recording, backoff and saving.

use super::{AuthorityLink, OutboxRecord, apply, load, message, save, schedule};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_authority::AuthorityError;
use hoadon_core::api::authority::{OutboxState, Subject};

/// Works one message (the SQS consumer's unit). Returns when it should be worked again (Unix
/// seconds, rounded up), or `None` when this call has nothing to hand on: the message is
/// finished or needs a person, or another worker holds it (that worker schedules it).
pub async fn attempt(svc: &Services, ts: &TenantStore, id: &str) -> Result<Option<i64>, ApiError> {
    if id == crate::events::WAKE_ID {
        // Not a message: sequence the tenant's events and fan them out to its webhooks (each
        // message queued is woken on its own).
        super::events_out(svc, ts).await;
        return Ok(None);
    }
    if let Some(order) = id.strip_prefix(crate::orders::ORDER_WAKE) {
        // An order the automatic rule wants invoiced (`@order:<series>:<order id>`); its
        // marker stays for the sweep if this fails for an outage.
        let order_id = order.split_once(':').map_or(order, |(_, id)| id);
        crate::orders::automatic::auto(svc, ts, order_id).await?;
        return Ok(None);
    }
    let ceil = |ms: i64| (ms + 999).div_euclid(1000);
    let now = svc.clock.now_ms();
    match load(ts, id).await {
        Ok((rec, _)) if !open(&rec) || rec.lease_until_ms > now => return Ok(None),
        Ok((rec, _)) if rec.next_at_ms > now => return Ok(Some(ceil(rec.next_at_ms))),
        Ok(_) => {}
        Err(ApiError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    }
    if work(svc, ts, id).await?.is_none() {
        return Ok(None);
    }
    match load(ts, id).await {
        Ok((rec, _)) if open(&rec) => Ok(Some(ceil(rec.next_at_ms))),
        Ok(_) | Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn open(rec: &OutboxRecord) -> bool {
    matches!(rec.state, OutboxState::Queued | OutboxState::AwaitingReply)
}

/// What an attempt found out.
enum Outcome {
    /// All the replies the other side has to this message (at least one matches it).
    Replies(Vec<String>),
    Failed(AuthorityError),
}

/// Whether the subject still travels in this message (a revised invoice has a newer one).
async fn current(ts: &TenantStore, rec: &OutboxRecord) -> Result<bool, ApiError> {
    Ok(match rec.subject {
        Subject::Invoice => match crate::invoices::load(ts, &rec.subject_id).await {
            Ok((inv, _)) => inv
                .authority
                .and_then(|a| a.outbox_id)
                .is_some_and(|o| o == rec.id),
            Err(ApiError::NotFound) => false,
            Err(e) => return Err(e),
        },
        Subject::Registration => {
            crate::authority::registration::get(ts)
                .await?
                .outbox_id
                .as_deref()
                == Some(&rec.id)
        }
        Subject::Notice => true,
    })
}

/// One attempt on message `id`. Returns the state after it (`None`: not this worker's turn).
pub(super) async fn work(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
) -> Result<Option<OutboxState>, ApiError> {
    let now = svc.clock.now_ms();
    let (mut rec, version) = match load(ts, id).await {
        Ok(r) => r,
        Err(ApiError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !open(&rec) || rec.next_at_ms > now || rec.lease_until_ms > now {
        return Ok(None);
    }
    rec.lease_until_ms = now + svc.retry.lease_ms;
    let Some(mut version) = put(ts, &rec, version).await? else {
        return Ok(None); // another worker claimed it
    };
    if matches!(
        rec.channel.as_str(),
        crate::delivery::email::CHANNEL | crate::webhooks::CHANNEL
    ) {
        return hand_over(svc, ts, rec, version).await.map(Some);
    }
    if !current(ts, &rec).await? {
        rec.state = OutboxState::Done;
        rec.last_error = Some("superseded: a newer message carries its subject".into());
        save(svc, ts, &mut rec, version).await?;
        return Ok(Some(rec.state));
    }
    let Some(link) = svc.authority(ts.tenant()).cloned() else {
        rec.state = OutboxState::NeedsAttention;
        rec.last_error = Some("this tenant is not connected to the tax authority".into());
        save(svc, ts, &mut rec, version).await?;
        return Ok(Some(rec.state));
    };
    let outcome = match exchange(svc, ts, &link, &mut rec, &mut version).await? {
        Some(o) => o,
        None => return Ok(None), // lost the record to another worker while sending
    };
    let now = svc.clock.now_ms();
    // What went wrong, and whether the other side refused the request as such (no retry helps).
    let failure = match outcome {
        Outcome::Replies(replies) => {
            if !rec.received {
                rec.received = true;
                rec.received_at_ms = now;
            }
            let before = rec.replies.len();
            match apply::apply_all(svc, ts, &mut rec, &replies).await {
                Ok(verdict) => {
                    rec.attempts = 0;
                    rec.last_error = None;
                    if rec.replies.len() > before {
                        rec.polls = 0;
                    }
                    match verdict {
                        apply::Verdict::Finished => rec.state = OutboxState::Done,
                        apply::Verdict::Attention(why) => {
                            rec.state = OutboxState::NeedsAttention;
                            rec.last_error = Some(why);
                        }
                        apply::Verdict::Open => poll_again(svc, &mut rec, now),
                    }
                    None
                }
                Err(e) => Some((
                    format!("the authority's answer could not be applied: {e}"),
                    false,
                )),
            }
        }
        Outcome::Failed(e) => Some((e.to_string(), matches!(e, AuthorityError::Refused(_)))),
    };
    if let Some((why, refused)) = failure {
        rec.attempts += 1;
        rec.last_error = Some(super::truncate(&why, 500));
        // Polling what the other side owes is bounded by the answer's deadline, not by the
        // number of attempts (a T-VAN outage longer than the retries must not strand it).
        let exhausted = if rec.received {
            now - rec.received_at_ms > svc.retry.answer_deadline_ms
        } else {
            rec.attempts >= svc.retry.max_attempts
        };
        if refused || exhausted {
            rec.state = OutboxState::NeedsAttention;
        } else {
            rec.next_at_ms = now + svc.retry.backoff_ms(rec.attempts, schedule::jitter_unit());
        }
        tracing::warn!(
            event = "outbox.attempt_failed",
            tenant = ts.tenant(),
            outbox_id = %rec.id,
            attempts = rec.attempts,
            error = %why,
        );
    }
    save(svc, ts, &mut rec, version).await?;
    Ok(Some(rec.state))
}

/// What one attempt on a channel without replies to read (e-mail, webhooks) came to.
pub enum Handoff {
    /// The other side accepted it (the mail server, the webhook's endpoint).
    Delivered,
    /// Nothing to deliver to any more (a removed webhook endpoint): finished, saying why.
    Dropped(String),
    /// Not delivered: why, and whether retrying cannot help (`permanent`).
    Failed { why: String, permanent: bool },
}

/// One attempt on a message of a channel without replies (leased already): handed over, or
/// counted and backed off, or — refused for good or out of attempts — needing attention. The
/// channel's own function makes the attempt (and may note what it learnt on the record).
async fn hand_over(
    svc: &Services,
    ts: &TenantStore,
    mut rec: OutboxRecord,
    version: u64,
) -> Result<OutboxState, ApiError> {
    rec.sends += 1;
    let Some(version) = put(ts, &rec, version).await? else {
        return Ok(rec.state);
    };
    let outcome = match rec.channel.as_str() {
        crate::webhooks::CHANNEL => crate::webhooks::send::attempt(svc, ts, &mut rec).await,
        _ => match crate::delivery::email::attempt(svc, ts, &rec).await {
            Ok(()) => {
                if let Some(e) = rec.email.as_mut() {
                    e.sent_at = Some(svc.clock.now());
                }
                Handoff::Delivered
            }
            Err((why, permanent)) => Handoff::Failed { why, permanent },
        },
    };
    match outcome {
        Handoff::Delivered => {
            rec.state = OutboxState::Done;
            rec.attempts = 0;
            rec.last_error = None;
            tracing::info!(event = "delivery.sent", channel = %rec.channel, tenant = ts.tenant(), outbox_id = %rec.id, invoice_id = %rec.subject_id);
        }
        Handoff::Dropped(why) => {
            rec.state = OutboxState::Done;
            tracing::info!(event = "delivery.dropped", channel = %rec.channel, tenant = ts.tenant(), outbox_id = %rec.id, reason = %why);
            rec.last_error = Some(why);
        }
        Handoff::Failed { why, permanent } => {
            let now = svc.clock.now_ms();
            rec.attempts += 1;
            rec.last_error = Some(super::truncate(&why, 500));
            if permanent || rec.attempts >= svc.retry.max_attempts {
                rec.state = OutboxState::NeedsAttention;
            } else {
                rec.next_at_ms = now + svc.retry.backoff_ms(rec.attempts, schedule::jitter_unit());
            }
            tracing::warn!(event = "delivery.attempt_failed", channel = %rec.channel, tenant = ts.tenant(), outbox_id = %rec.id, attempts = rec.attempts, error = %why);
        }
    }
    let events = delivery_event(svc, ts, &rec).await;
    let announce = !events.is_empty();
    super::save_with(svc, ts, &mut rec, version, events).await?;
    if announce {
        crate::events::wake(svc, ts).await;
    }
    Ok(rec.state)
}

/// An e-mail's outcome as the invoice's event (`invoice.delivered`, or
/// `invoice.delivery_failed` once it needs a person), for the transaction that records it.
async fn delivery_event(svc: &Services, ts: &TenantStore, rec: &OutboxRecord) -> Vec<Op> {
    if rec.channel != crate::delivery::email::CHANNEL {
        return Vec::new();
    }
    let event = match rec.state {
        OutboxState::Done if rec.last_error.is_none() => "invoice.delivered",
        OutboxState::NeedsAttention => "invoice.delivery_failed",
        _ => return Vec::new(),
    };
    let Ok((invoice, _)) = crate::invoices::load(ts, &rec.subject_id).await else {
        return Vec::new();
    };
    let detail = match event {
        "invoice.delivered" => rec
            .email
            .as_ref()
            .map(|e| format!("e-mail to {}", e.to.join(", "))),
        _ => rec.last_error.clone(),
    };
    vec![crate::events::op(
        ts,
        &invoice,
        event,
        &format!("{}.{}", rec.id, rec.sends),
        detail,
        svc.clock.now_ms(),
    )]
}

/// Waiting for what the other side owes: look again later, within the answer's deadline.
fn poll_again(svc: &Services, rec: &mut OutboxRecord, now: i64) {
    if now - rec.received_at_ms > svc.retry.answer_deadline_ms {
        rec.state = OutboxState::NeedsAttention;
        rec.last_error = Some("no final answer from the tax authority in time".into());
    } else {
        rec.state = OutboxState::AwaitingReply;
        rec.polls += 1;
        rec.next_at_ms = now + svc.retry.poll_ms(rec.polls, schedule::jitter_unit());
    }
}

/// Stores `rec` at `version`; `None` when another worker changed it meanwhile.
async fn put(ts: &TenantStore, rec: &OutboxRecord, version: u64) -> Result<Option<u64>, ApiError> {
    let op = Op::Put {
        key: ts.key("OUTBOX", &rec.id),
        data: serde_json::to_vec(rec).expect("records serialize"),
        condition: Condition::Version(version),
    };
    match ts.transact(vec![op]).await {
        Ok(v) => Ok(Some(v[0])),
        Err(StoreError::ConditionFailed { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether `replies` hold an answer to `rec`'s message.
fn answers(rec: &OutboxRecord, replies: &[String]) -> bool {
    replies.iter().any(|r| {
        super::read_reply(r).is_ok_and(|m| {
            m.header.reference.as_ref().map(|x| x.as_str()) == Some(rec.message_id.as_str())
        })
    })
}

/// Reads the replies of a message the other side has, or looks up one sent before (its send
/// may have arrived), or sends it. `None`: the record was taken over meanwhile.
async fn exchange(
    svc: &Services,
    ts: &TenantStore,
    link: &AuthorityLink,
    rec: &mut OutboxRecord,
    version: &mut u64,
) -> Result<Option<Outcome>, ApiError> {
    let authority = &link.authority;
    if rec.received || rec.sends > 0 {
        match authority.replies(&rec.message_id).await {
            Ok(r) if answers(rec, &r) => return Ok(Some(Outcome::Replies(r))),
            Ok(_) if rec.received => return Ok(Some(Outcome::Replies(Vec::new()))),
            Ok(_) => {} // no trace of it: send it again (the same bytes, the same MTDiep)
            Err(e) => return Ok(Some(Outcome::Failed(e))),
        }
    }
    let bytes = match message::bytes(svc, ts, link, rec).await {
        Ok(b) => b,
        Err(e) => {
            return Ok(Some(Outcome::Failed(AuthorityError::Refused(format!(
                "the message cannot be built: {e}"
            )))));
        }
    };
    // The send is on record before it happens: a worker dying mid-send leaves the next one
    // looking up first.
    rec.sends += 1;
    match put(ts, rec, *version).await? {
        Some(v) => *version = v,
        None => return Ok(None),
    }
    Ok(Some(match authority.submit(&bytes).await {
        Ok(r) if answers(rec, &r) => Outcome::Replies(r),
        Ok(_) => Outcome::Failed(AuthorityError::Timeout(
            "the answer carried no acknowledgement of this message".into(),
        )),
        Err(e) => Outcome::Failed(e),
    }))
}
