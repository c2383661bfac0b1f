//! Webhooks over HTTP (#19): an admin registers, lists and removes the endpoints an ERP takes
//! events at, reads each endpoint's deliveries and replays one. Admins only. Handlers parse and
//! answer; `crate::webhooks` does the work.

use super::{AppState, Caller, decode_cursor, encode_next};
use crate::auth::Role;
use crate::error::ApiError;
use crate::webhooks::{self, deliveries};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hoadon_core::api::Page;
use hoadon_core::api::webhooks::{CreatedWebhook, NewWebhook, WebhookDelivery, WebhookView};
use serde::Deserialize;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_webhooks,
    create_webhook,
    delete_webhook,
    list_webhook_deliveries,
    replay_webhook_delivery
))]
pub(super) struct Api;

const ADMINS: &[Role] = &[Role::Admin];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/webhooks", get(list_webhooks).post(create_webhook))
        .route("/api/webhooks/{id}", delete(delete_webhook))
        .route(
            "/api/webhooks/{id}/deliveries",
            get(list_webhook_deliveries),
        )
        .route(
            "/api/webhooks/deliveries/{id}/replay",
            post(replay_webhook_delivery),
        )
}

/// `GET /api/webhooks`: the tenant's endpoints, newest first (never their secrets).
#[utoipa::path(
    get,
    path = "/api/webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoints", body = Page<WebhookView>),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_webhooks(caller: Caller) -> Result<Json<Page<WebhookView>>, ApiError> {
    caller.require(ADMINS)?;
    Ok(Json(Page {
        items: webhooks::list(&caller.store).await?,
        next: None,
    }))
}

/// `POST /api/webhooks`: a new endpoint, and its signing secret **shown once** (`whsec_…`). It
/// receives the events that happen from now on. Refused: `422 validation_failed` with a
/// finding at `url` (`webhook.url`, `webhook.url_scheme`: `https://` only, and
/// `webhook.url_address`: a private, loopback, link-local, … address, also after resolving the
/// name), at `events` / `events[i]` (`webhook.events`, `webhook.event`) or at `description`;
/// `422 webhook.limit` past 20 endpoints.
#[utoipa::path(
    post,
    path = "/api/webhooks",
    security(("bearer" = [])),
    request_body(content = NewWebhook, content_type = "application/json",
        example = json!({"url": "https://erp.example.vn/hooks/hoadon", "events": ["invoice.signed", "invoice.coded"], "description": "ERP"})),
    responses(
        (status = 201, description = "Created: the endpoint and its secret, shown this once", body = CreatedWebhook),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn create_webhook(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<NewWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    caller.require(ADMINS)?;
    let created = webhooks::create(&st.0.services, &caller.store, body, &caller.claims.sub).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/webhooks/{id}`: the endpoint is removed; its deliveries still queued finish
/// without being sent ("endpoint removed").
#[utoipa::path(
    delete,
    path = "/api/webhooks/{id}",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The endpoint's id")),
    responses(
        (status = 204, description = "Removed"),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn delete_webhook(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(ADMINS)?;
    webhooks::delete(&st.0.services, &caller.store, &id, &caller.claims.sub).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeliveriesQuery {
    /// The `next` of the previous page (opaque; empty: the first).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Page size, 1–200 (other values are clamped; 50 by default).
    #[param(maximum = 18446744073709551615_u64)]
    limit: Option<usize>,
}

/// `GET /api/webhooks/{id}/deliveries?cursor=&limit=`: the endpoint's deliveries, newest event
/// first: state, attempts, the next attempt, the last answer's status and first characters or
/// the transport error.
#[utoipa::path(
    get,
    path = "/api/webhooks/{id}/deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The endpoint's id"), DeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_webhook_deliveries(
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Page<WebhookDelivery>>, ApiError> {
    caller.require(ADMINS)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    Ok(encode_next(
        deliveries::list(&caller.store, &id, cursor.as_deref(), limit).await?,
    ))
}

/// `POST /api/webhooks/deliveries/{id}/replay`: a delivery that needs attention is retried now
/// (the same `webhook-id`); a delivered one is sent again as a new delivery (a new
/// `webhook-id`, `replay_of` naming the first, the same body). `409 webhook.delivery_open` while
/// it is still being worked, `409 webhook.endpoint_removed` once its endpoint is gone.
#[utoipa::path(
    post,
    path = "/api/webhooks/deliveries/{id}/replay",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The delivery's id")),
    responses(
        (status = 200, description = "Due now: the delivery retried, or the new one", body = WebhookDelivery),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
    )
)]
async fn replay_webhook_delivery(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<WebhookDelivery>, ApiError> {
    caller.require(ADMINS)?;
    Ok(Json(
        deliveries::replay(&st.0.services, &caller.store, &id, &caller.claims.sub).await?,
    ))
}
