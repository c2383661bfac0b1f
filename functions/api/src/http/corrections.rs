//! Corrections over HTTP: correction drafts (replacement, adjustment), the chain's view,
//! cancellation, discarding a correction draft, the buyer's confirmation (seller side), and the
//! public confirmation page's two calls (no account: the link's secret is the proof). Handlers
//! parse and answer; `crate::corrections` does the work. Admins and accountants correct.

use super::{AppState, Caller};
use crate::auth::Role;
use crate::corrections;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::InvoiceView;
use hoadon_core::api::corrections::{
    CancelRequest, ConfirmationView, CorrectionRequest, CorrectionsView, PublicConfirm,
    PublicConfirmation, PublicKey, RecordDocument,
};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_correction,
    get_corrections,
    cancel_invoice,
    discard_correction,
    request_confirmation,
    get_confirmation,
    record_agreement,
    revoke_confirmation,
    public_confirmation,
    public_confirm
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/invoices/{id}/corrections",
            get(get_corrections).post(create_correction),
        )
        .route("/api/invoices/{id}/cancel", post(cancel_invoice))
        .route("/api/invoices/{id}/discard", post(discard_correction))
        .route(
            "/api/invoices/{id}/confirmation",
            get(get_confirmation).post(request_confirmation),
        )
        .route("/api/confirmations/{id}/document", post(record_agreement))
        .route("/api/confirmations/{id}/revoke", post(revoke_confirmation))
        .route("/api/public/confirmations/view", post(public_confirmation))
        .route("/api/public/confirmations/confirm", post(public_confirm))
}

const CORRECTORS: &[Role] = &[Role::Admin, Role::Accountant];

/// `POST /api/invoices/{id}/corrections`: a replacement draft (the original's content) or an
/// adjustment draft (no lines, its direction), with `TTHDLQuan` composed from the original.
/// `201` when created, `200` for the same request again. Refusals name the rule:
/// `409 correction.already_replaced` / `correction.method_fixed` / `correction.cancelled`,
/// `422 correction.not_valid` / `correction.replacement_only` / `correction.direction`.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/corrections",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice to correct")),
    request_body(content = CorrectionRequest, content_type = "application/json",
        example = json!({"id": "repl-0001-abcd", "method": "replacement", "reason": "Sai đơn giá"})),
    responses(
        (status = 201, description = "The correction draft", body = InvoiceView),
        (status = 200, description = "The same request again: the draft it created", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn create_correction(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CorrectionRequest>,
) -> Result<(StatusCode, Json<InvoiceView>), ApiError> {
    caller.require(CORRECTORS)?;
    let (v, created) =
        corrections::create(&st.0.services, &caller.store, &id, &req, &caller.claims.sub).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(v)))
}

/// `GET /api/invoices/{id}/corrections`: the chain, the standing, the cumulative figures and
/// which corrections are available, each with one sentence saying why.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/corrections",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice")),
    responses(
        (status = 200, description = "The chain", body = CorrectionsView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_corrections(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CorrectionsView>, ApiError> {
    Ok(Json(
        corrections::view(&st.0.services, &caller.store, &id).await?,
    ))
}

/// `POST /api/invoices/{id}/cancel`: only where the dated rules allow it (invoices issued before
/// 1 June 2025, Decree 123): a 04/SS with `TCTBao` = 1 is signed and sent and the invoice is
/// cancelled as of its date. Otherwise `422 correction.cancellation_not_allowed` naming the rule.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/cancel",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice")),
    request_body(content = CancelRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Cancelled; the chain", body = CorrectionsView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn cancel_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CancelRequest>,
) -> Result<Json<CorrectionsView>, ApiError> {
    caller.require(CORRECTORS)?;
    Ok(Json(
        corrections::cancel(&st.0.services, &caller.store, &id, &req.reason, req.ground).await?,
    ))
}

/// `POST /api/invoices/{id}/discard`: gives up a correction draft (its original forgets it).
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/discard",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The correction draft")),
    responses(
        (status = 204, description = "Discarded"),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn discard_correction(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(CORRECTORS)?;
    corrections::discard(&st.0.services, &caller.store, &id, &caller.claims.sub).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/invoices/{id}/confirmation`: requests the buyer's agreement to a correction draft;
/// the answer carries the buyer's link once (a new request replaces the link).
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/confirmation",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The correction draft")),
    responses(
        (status = 200, description = "Requested; `link` is the buyer's page", body = ConfirmationView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn request_confirmation(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConfirmationView>, ApiError> {
    caller.require(CORRECTORS)?;
    Ok(Json(
        corrections::create_confirmation(&st.0.services, &caller.store, &id, &caller.claims.sub)
            .await?,
    ))
}

/// `GET /api/invoices/{id}/confirmation`: the correction's confirmation (`404` when none).
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/confirmation",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The correction")),
    responses(
        (status = 200, description = "The confirmation", body = ConfirmationView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_confirmation(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConfirmationView>, ApiError> {
    Ok(Json(
        corrections::get_confirmation(&caller.store, &id).await?,
    ))
}

/// `POST /api/confirmations/{id}/document`: the seller records the buyer's signed agreement (the
/// file is archived; at most 2 MB): the confirmation is confirmed.
#[utoipa::path(
    post,
    path = "/api/confirmations/{id}/document",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The confirmation")),
    request_body(content = RecordDocument, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded and confirmed", body = ConfirmationView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn record_agreement(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(doc): Json<RecordDocument>,
) -> Result<Json<ConfirmationView>, ApiError> {
    caller.require(CORRECTORS)?;
    Ok(Json(
        corrections::record_document(&st.0.services, &caller.store, &id, &doc, &caller.claims.sub)
            .await?,
    ))
}

/// `POST /api/confirmations/{id}/revoke`: the seller withdraws its request.
#[utoipa::path(
    post,
    path = "/api/confirmations/{id}/revoke",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The confirmation")),
    responses(
        (status = 200, description = "Revoked", body = ConfirmationView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn revoke_confirmation(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConfirmationView>, ApiError> {
    caller.require(CORRECTORS)?;
    Ok(Json(
        corrections::revoke_confirmation(&st.0.services, &caller.store, &id, &caller.claims.sub)
            .await?,
    ))
}

/// `POST /api/public/confirmations/view`: what the buyer is asked to agree to (no account; the
/// link's key in the body, never in a path).
#[utoipa::path(
    post,
    path = "/api/public/confirmations/view",
    request_body(content = PublicKey, content_type = "application/json"),
    responses(
        (status = 200, description = "The correction to confirm", body = PublicConfirmation),
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn public_confirmation(
    State(st): State<AppState>,
    Json(k): Json<PublicKey>,
) -> Result<Json<PublicConfirmation>, ApiError> {
    Ok(Json(
        corrections::public_confirmation(&st.0.services, &st.0.store, &k.key).await?,
    ))
}

/// `POST /api/public/confirmations/confirm`: the buyer confirms, naming who does.
#[utoipa::path(
    post,
    path = "/api/public/confirmations/confirm",
    request_body(content = PublicConfirm, content_type = "application/json"),
    responses(
        (status = 200, description = "Confirmed", body = PublicConfirmation),
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn public_confirm(
    State(st): State<AppState>,
    Json(c): Json<PublicConfirm>,
) -> Result<Json<PublicConfirmation>, ApiError> {
    Ok(Json(
        corrections::confirm_public(&st.0.services, &st.0.store, &c.key, &c.name).await?,
    ))
}
