//! Webhooks (#19): the tenant's endpoints and each delivery, sent through the outbox and
//! signed with the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`).

use serde::{Deserialize, Serialize};

/// `POST /api/webhooks` (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://` (plain `http://` only to loopback on the local system); never a private,
    /// loopback or link-local address once resolved.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 2000))]
    pub url: String,
    /// Which events (`crate::api::orders::EVENTS`); at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 8))]
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub description: Option<String>,
}

/// An endpoint as listed (never its secret, which is shown once, when created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    /// The last change-feed position handed to it.
    pub position: u64,
}

/// `201` to `POST /api/webhooks`: the endpoint and its signing secret (`whsec_` + base64 of 32
/// random bytes), shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    pub secret: String,
}

/// One delivery of one event to one endpoint (an outbox message on the `webhook` channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// The outbox message's id; also the `webhook-id` header (the receiver's idempotency key).
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    /// The change-feed position it carries.
    pub position: u64,
    pub state: crate::api::authority::OutboxState,
    /// Attempts made (sends), the successful one included.
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<i64>,
    /// The last response's status and its first bytes (bounded), or the transport error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the endpoint answered `2xx` (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<i64>,
    /// A replay of a delivered message sends a new one (a new `webhook-id`): the first's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}
