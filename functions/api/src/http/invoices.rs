//! Invoices over HTTP: drafts, validation, issuing, the signed XML, the audit chain, the list
//! and the home summary. Handlers parse and answer; `crate::invoices` does the work.

use super::{AppState, Caller, decode_cursor, encode_next, if_match};
use crate::error::ApiError;
use crate::invoices::{self, AuditReport, ListQuery};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::{CreateDraft, Detail, InvoiceView, Page, Summary};
use hoadon_core::model::DraftInput;
use serde::Serialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/summary", get(summary))
        .route("/api/invoices", get(list_invoices).post(create_invoice))
        .route("/api/invoices/{id}", get(get_invoice).put(update_invoice))
        .route("/api/invoices/{id}/validate", post(validate_invoice))
        .route("/api/invoices/{id}/issue", post(issue_invoice))
        .route("/api/invoices/{id}/xml", get(get_invoice_xml))
        .route("/api/invoices/{id}/audit", get(verify_invoice_audit))
}

/// `POST /api/invoices`: a draft with the client's id; `Idempotency-Key` required, so a retried
/// request never creates a second record (201 when created, 200 when replayed).
async fn create_invoice(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<CreateDraft>,
) -> Result<(StatusCode, Json<InvoiceView>), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("the Idempotency-Key header is required".into()))?;
    let (v, created) = invoices::create_draft(
        &st.0.services,
        &caller.store,
        &body.id,
        key,
        &body.document,
        &caller.claims.sub,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(v)))
}

/// `PUT /api/invoices/{id}` with `If-Match: <version>`: a stale version gets
/// `409 draft_conflict` with the server's copy; nothing is overwritten.
async fn update_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(input): Json<DraftInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    let version = if_match(&headers)?;
    let v = invoices::update_draft(
        &st.0.services,
        &caller.store,
        &id,
        version,
        &input,
        &caller.claims.sub,
    )
    .await?;
    Ok(Json(v))
}

async fn get_invoice(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    let (rec, v) = invoices::load(&caller.store, &id).await?;
    Ok(Json(invoices::view(&rec, v)))
}

async fn list_invoices(
    caller: Caller,
    Query(mut q): Query<ListQuery>,
) -> Result<Json<Page<InvoiceView>>, ApiError> {
    q.cursor = decode_cursor(q.cursor.as_deref())?;
    Ok(encode_next(invoices::list(&caller.store, &q).await?))
}

/// The answer of `POST /api/invoices/{id}/validate`.
#[derive(Serialize)]
struct Validation {
    valid: bool,
    findings: Vec<Detail>,
    totals: Option<hoadon_core::Totals>,
}

/// `POST /api/invoices/{id}/validate`: every finding, and the totals when valid.
async fn validate_invoice(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Validation>, ApiError> {
    let (rec, _) = invoices::load(&caller.store, &id).await?;
    let c = hoadon_core::check(&rec.document);
    Ok(Json(Validation {
        valid: c.invoice.is_some(),
        findings: c.findings.iter().map(Detail::from).collect(),
        totals: c.invoice.as_ref().map(|i| i.totals()),
    }))
}

/// `POST /api/invoices/{id}/issue`: number (gapless, in one transaction), sign, archive.
async fn issue_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(
        invoices::issue(&st.0.services, &caller.store, &id, &caller.claims.sub).await?,
    ))
}

/// `GET /api/invoices/{id}/xml`: the exact signed bytes.
async fn get_invoice_xml(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = invoices::signed_xml(&st.0.services, &caller.store, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.xml\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/summary`: counts per status, recent invoices, those awaiting signature and those
/// needing attention.
async fn summary(caller: Caller) -> Result<Json<Summary>, ApiError> {
    Ok(Json(invoices::summary(&caller.store).await?))
}

/// `GET /api/invoices/{id}/audit`: the chain and whether every link holds.
async fn verify_invoice_audit(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AuditReport>, ApiError> {
    Ok(Json(invoices::verify_audit(&caller.store, &id).await?))
}
