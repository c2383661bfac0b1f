//! Orders over HTTP (#19): the ERP's orders (upsert by its id and revision, batches of up to
//! 1,000), invoicing them (whole, per delivery, consolidated), the mapping table, the settings,
//! and the invoice change feed. ERPs call these with an `integration` access token
//! ([`ErpCaller`]); people with the app. Handlers parse and answer; `crate::orders` does the
//! work.

use super::{AppState, Caller, ErpCaller, decode_cursor, encode_next};
use crate::auth::Role;
use crate::error::ApiError;
use crate::orders::{self, mapping};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hoadon_core::api::Page;
use hoadon_core::api::orders::{
    ConsolidateOrders, InvoiceChanges, InvoiceOrder, InvoicingAnswer, Mapping, MappingBatch,
    MappingKind, OrderBatch, OrderBatchAnswer, OrderInput, OrderSettings, OrderStatus, OrderView,
};
use serde::Deserialize;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    put_order,
    get_order,
    list_orders,
    put_orders,
    invoice_order,
    consolidate,
    get_order_settings,
    put_order_settings,
    list_mappings,
    put_mappings,
    delete_mapping,
    invoice_changes
))]
pub(super) struct Api;

/// Who works with orders: every role but signers (an ERP's token included).
const ORDERS: &[Role] = &[
    Role::Admin,
    Role::Accountant,
    Role::Sales,
    Role::Integration,
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/orders", get(list_orders).post(put_orders))
        .route("/api/orders/{order_id}", get(get_order).put(put_order))
        .route("/api/orders/{order_id}/invoice", post(invoice_order))
        .route("/api/order-invoices", post(consolidate))
        .route(
            "/api/order-settings",
            get(get_order_settings).put(put_order_settings),
        )
        .route("/api/order-mappings", get(list_mappings).put(put_mappings))
        .route(
            "/api/order-mappings/{kind}/{erp_code}",
            delete(delete_mapping),
        )
        .route("/api/invoices/changes", get(invoice_changes))
}

/// `PUT /api/orders/{order_id}`: the order as the ERP has it now, under its own id and
/// revision (`version`). New → `201`; a higher revision → `200` (replaced; a change that meets
/// the tenant's rule is invoiced automatically); the same revision and content → `200`
/// unchanged; an older revision, or the same with other content → `409 order.stale`.
#[utoipa::path(
    put,
    path = "/api/orders/{order_id}",
    security(("bearer" = [])),
    params(("order_id" = String, Path, pattern = "^[A-Za-z0-9_.:-]{1,64}$", description = "The ERP's order id")),
    request_body(content = OrderInput, example = json!({
        "version": 1, "status": "completed", "order_date": "2026-12-01",
        "customer": {"code": "KH001", "name": "Công ty TNHH Minh Anh", "tax_id": "0312345679"},
        "lines": [{"line_id": "1", "product_code": "SP01", "quantity": "2", "unit_price": "150000", "tax_rate": "10%", "amount": "300000", "vat_amount": "30000"}],
        "total": "330000"
    })),
    responses(
        (status = 200, description = "Replaced, or unchanged (a replay)", body = OrderView),
        (status = 201, description = "Created", body = OrderView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_order(
    State(state): State<AppState>,
    ErpCaller(caller): ErpCaller,
    Path(order_id): Path<String>,
    Json(body): Json<OrderInput>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    caller.require(ORDERS)?;
    let (view, put) = orders::put_order(&state.0.services, &caller.store, &order_id, body).await?;
    let status = if put == orders::store::Put::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// `POST /api/orders`: up to 1,000 orders, each stored as its own `PUT` would, each answered
/// with its own status (and order or error) in the request's order.
#[utoipa::path(
    post,
    path = "/api/orders",
    security(("bearer" = [])),
    request_body = OrderBatch,
    responses(
        (status = 200, description = "Each order's outcome", body = OrderBatchAnswer),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn put_orders(
    State(state): State<AppState>,
    ErpCaller(caller): ErpCaller,
    Json(body): Json<OrderBatch>,
) -> Result<Json<OrderBatchAnswer>, ApiError> {
    caller.require(ORDERS)?;
    Ok(Json(
        orders::put_batch(&state.0.services, &caller.store, body).await?,
    ))
}

/// `GET /api/orders/{order_id}`: the order with its invoices (numbers, states, documents).
#[utoipa::path(
    get,
    path = "/api/orders/{order_id}",
    security(("bearer" = [])),
    params(("order_id" = String, Path, pattern = "^[A-Za-z0-9_.:-]{1,64}$", description = "The ERP's order id")),
    responses(
        (status = 200, description = "The order", body = OrderView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn get_order(
    ErpCaller(caller): ErpCaller,
    Path(order_id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    caller.require(ORDERS)?;
    Ok(Json(orders::get(&caller.store, &order_id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    status: Option<OrderStatus>,
    /// Part of the order id, the customer's code or name (any case).
    q: Option<String>,
    cursor: Option<String>,
    /// How many (taken as 1–200; 50 when absent).
    #[param(maximum = 18446744073709551615_u64)]
    limit: Option<usize>,
}

/// `GET /api/orders?status&q`: orders by id, filtered.
#[utoipa::path(
    get,
    path = "/api/orders",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of orders", body = Page<OrderView>),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_orders(
    ErpCaller(caller): ErpCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    caller.require(ORDERS)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let page = orders::list(&caller.store, q.status, q.q.as_deref(), cursor, limit).await?;
    Ok(encode_next(page))
}

/// `POST /api/orders/{order_id}/invoice`: the invoice for the whole order (key `order/<id>`) or
/// for one delivery (key `delivery/<id>/<delivery id>`), issued unless `issue` is `false`.
/// `201` when this request made it, `200` when the key had (a retry: the same invoice).
#[utoipa::path(
    post,
    path = "/api/orders/{order_id}/invoice",
    security(("bearer" = [])),
    params(("order_id" = String, Path, pattern = "^[A-Za-z0-9_.:-]{1,64}$", description = "The ERP's order id")),
    request_body(content = InvoiceOrder, example = json!({"delivery": {"delivery_id": "GH-01", "lines": [{"line_id": "1", "quantity": "1"}]}})),
    responses(
        (status = 200, description = "Made before (the same invoice)", body = InvoicingAnswer),
        (status = 201, description = "Made now", body = InvoicingAnswer),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn invoice_order(
    State(state): State<AppState>,
    ErpCaller(caller): ErpCaller,
    Path(order_id): Path<String>,
    Json(body): Json<InvoiceOrder>,
) -> Result<(StatusCode, Json<InvoicingAnswer>), ApiError> {
    caller.require(ORDERS)?;
    let answer = orders::invoice_order(
        &state.0.services,
        &caller.store,
        &order_id,
        body,
        &caller.claims.sub,
    )
    .await?;
    Ok((created(&answer), Json(answer)))
}

fn created(a: &InvoicingAnswer) -> StatusCode {
    if a.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// `POST /api/order-invoices`: one customer's orders in one invoice (key `consolidated/<key>`).
#[utoipa::path(
    post,
    path = "/api/order-invoices",
    security(("bearer" = [])),
    request_body(content = ConsolidateOrders, example = json!({"key": "KH001-2026-11", "order_ids": ["SO-1001", "SO-1002"]})),
    responses(
        (status = 200, description = "Made before (the same invoice)", body = InvoicingAnswer),
        (status = 201, description = "Made now", body = InvoicingAnswer),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn consolidate(
    State(state): State<AppState>,
    ErpCaller(caller): ErpCaller,
    Json(body): Json<ConsolidateOrders>,
) -> Result<(StatusCode, Json<InvoicingAnswer>), ApiError> {
    caller.require(ORDERS)?;
    let answer =
        orders::consolidate(&state.0.services, &caller.store, body, &caller.claims.sub).await?;
    Ok((created(&answer), Json(answer)))
}

/// `GET /api/order-settings`: automatic issuing, the series, unknown codes, amount accuracy.
#[utoipa::path(
    get,
    path = "/api/order-settings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = OrderSettings),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn get_order_settings(caller: Caller) -> Result<Json<OrderSettings>, ApiError> {
    Ok(Json(orders::settings(&caller.store).await?))
}

/// `PUT /api/order-settings` (admins), at the version read (`409 version_conflict`).
#[utoipa::path(
    put,
    path = "/api/order-settings",
    security(("bearer" = [])),
    request_body = OrderSettings,
    responses(
        (status = 200, description = "Saved", body = OrderSettings),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_order_settings(
    caller: Caller,
    Json(body): Json<OrderSettings>,
) -> Result<Json<OrderSettings>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(orders::put_settings(&caller.store, body).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MappingQuery {
    kind: Option<MappingKind>,
    cursor: Option<String>,
    /// How many (taken as 1–500; 100 when absent).
    #[param(maximum = 18446744073709551615_u64)]
    limit: Option<usize>,
}

/// `GET /api/order-mappings?kind`: the ERP's codes and the catalog codes they stand for.
#[utoipa::path(
    get,
    path = "/api/order-mappings",
    security(("bearer" = [])),
    params(MappingQuery),
    responses(
        (status = 200, description = "A page of mappings", body = Page<Mapping>),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_mappings(
    caller: Caller,
    Query(q): Query<MappingQuery>,
) -> Result<Json<Page<Mapping>>, ApiError> {
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    Ok(encode_next(
        mapping::list(&caller.store, q.kind, cursor, limit).await?,
    ))
}

/// `PUT /api/order-mappings`: set rows (admins and accountants); each catalog code must exist.
#[utoipa::path(
    put,
    path = "/api/order-mappings",
    security(("bearer" = [])),
    request_body(content = MappingBatch, example = json!({"mappings": [{"kind": "customer", "erp_code": "C-000017", "catalog_code": "KH001"}]})),
    responses(
        (status = 200, description = "Saved", body = Vec<Mapping>),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_mappings(
    caller: Caller,
    Json(body): Json<MappingBatch>,
) -> Result<Json<Vec<Mapping>>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    Ok(Json(mapping::put(&caller.store, body).await?))
}

/// `DELETE /api/order-mappings/{kind}/{erp_code}` (admins and accountants).
#[utoipa::path(
    delete,
    path = "/api/order-mappings/{kind}/{erp_code}",
    security(("bearer" = [])),
    params(
        ("kind" = MappingKind, Path, description = "customer or product"),
        ("erp_code" = String, Path, pattern = "^[A-Za-z0-9_.:-]{1,50}$", description = "The ERP's code"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn delete_mapping(
    caller: Caller,
    Path((kind, erp_code)): Path<(MappingKind, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    mapping::delete(&caller.store, kind, &erp_code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/invoices/changes?after=N`: what happened to invoices after position `N` (issued,
/// signed, coded, rejected, corrected, delivered, delivery failed) and orders whose invoicing
/// failed, in order: an ERP that cannot receive webhooks polls with the last `last` it got
/// and misses nothing, repeats nothing.
#[utoipa::path(
    get,
    path = "/api/invoices/changes",
    security(("bearer" = [])),
    params(super::ChangesQuery),
    responses(
        (status = 200, description = "The changes", body = InvoiceChanges),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn invoice_changes(
    ErpCaller(caller): ErpCaller,
    Query(q): Query<super::ChangesQuery>,
) -> Result<Json<InvoiceChanges>, ApiError> {
    caller.require(ORDERS)?;
    Ok(Json(
        crate::events::changes(&caller.store, q.after()?, q.limit.unwrap_or(100)).await?,
    ))
}
