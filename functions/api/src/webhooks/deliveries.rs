//! An endpoint's deliveries (newest first) and their replay.

use super::{WebhookMessage, load};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::outbox::OutboxRecord;
use crate::ports::Ids;
use crate::store::{Key, TenantStore};
use hoadon_core::api::Page;
use hoadon_core::api::authority::OutboxState;
use hoadon_core::api::webhooks::WebhookDelivery;

/// The partition listing each endpoint's deliveries.
const PK: &str = "WHDEL";
/// Positions are inverted in the sort key, so the ascending order is newest first.
const TOP: u64 = 999_999_999_999;

/// The item that lists message `id` (carrying `w`) among its endpoint's deliveries: written with
/// the message (`outbox::enqueue_ops`).
pub(crate) fn index_key(ts: &TenantStore, w: &WebhookMessage, id: &str) -> Key {
    let inverted = TOP.saturating_sub(w.position);
    ts.key(PK, format!("{}#{inverted:012}#{id}", w.endpoint_id))
}

/// A webhook message as its endpoint's deliveries show it (`None`: not a webhook message).
pub fn view(m: &OutboxRecord) -> Option<WebhookDelivery> {
    let w = m.webhook.as_ref()?;
    Some(WebhookDelivery {
        id: m.id.clone(),
        webhook_id: w.endpoint_id.clone(),
        event: w.event.clone(),
        position: w.position,
        state: m.state,
        // Every attempt made (the outbox's own count restarts after a success or a retry).
        attempts: m.sends,
        next_at: matches!(m.state, OutboxState::Queued | OutboxState::AwaitingReply)
            .then_some(m.next_at_ms.div_euclid(1000)),
        last_status: w.last_status,
        last_response: w.last_response.clone(),
        last_error: m.last_error.clone(),
        delivered_at: w.delivered_at,
        replay_of: w.replay_of.clone(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Endpoint `endpoint_id`'s deliveries, newest first (by position; a replay beside the
/// delivery it replays), a page at a time.
pub async fn list(
    ts: &TenantStore,
    endpoint_id: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<WebhookDelivery>, ApiError> {
    load(ts, endpoint_id).await?;
    let prefix = format!("{endpoint_id}#");
    if cursor.is_some_and(|c| !c.starts_with(&prefix)) {
        return Err(ApiError::BadRequest(
            "cursor: not a cursor of this endpoint's deliveries".into(),
        ));
    }
    let page = ts.query(PK, &prefix, cursor, limit.clamp(1, 200)).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for entry in &page.items {
        let id = entry.key.sk.rsplit('#').next().unwrap_or_default();
        match crate::outbox::load(ts, id).await {
            Ok((m, _)) => items.extend(view(&m)),
            Err(ApiError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Page {
        items,
        next: page.next,
    })
}

/// "Replay": a delivery that needs attention is due again as it is (the same `webhook-id`);
/// a delivered one goes again as a new message with the same body (a new `webhook-id`, since
/// the receiver would drop the old one as a duplicate). One still being worked: `409`.
pub async fn replay(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<WebhookDelivery, ApiError> {
    let (m, _) = crate::outbox::load(ts, id).await?;
    let w = m.webhook.clone().ok_or(ApiError::NotFound)?;
    match load(ts, &w.endpoint_id).await {
        Ok(_) => {}
        Err(ApiError::NotFound) => {
            return Err(ApiError::Conflict(
                "webhook.endpoint_removed",
                "Địa chỉ webhook này đã bị xóa / this delivery's endpoint was removed".into(),
            ));
        }
        Err(e) => return Err(e),
    }
    let replayed = match m.state {
        OutboxState::NeedsAttention => {
            crate::outbox::retry_now(svc, ts, id).await?;
            crate::outbox::load(ts, id).await?.0
        }
        OutboxState::Done if w.delivered_at.is_some() => {
            let now_ms = svc.clock.now_ms();
            let new_id = crate::ports::RandomIds.new_id();
            let mut fresh =
                crate::outbox::blank(new_id, super::CHANNEL, m.subject, &m.subject_id, now_ms);
            fresh.webhook = Some(WebhookMessage {
                last_status: None,
                last_response: None,
                delivered_at: None,
                replay_of: Some(m.id.clone()),
                ..w
            });
            ts.transact(crate::outbox::enqueue_ops(ts, &fresh)).await?;
            crate::outbox::wake(svc, ts, &fresh).await;
            fresh
        }
        _ => {
            return Err(ApiError::Conflict(
                "webhook.delivery_open",
                "Lần gửi này đang được xử lý hoặc đã kết thúc / this delivery is still being \
                 worked on, or finished without being delivered"
                    .into(),
            ));
        }
    };
    tracing::info!(event = "webhook.replayed", tenant = ts.tenant(), delivery_id = %id, outbox_id = %replayed.id, actor);
    view(&replayed).ok_or_else(|| ApiError::Internal("a webhook message lost its webhook".into()))
}
