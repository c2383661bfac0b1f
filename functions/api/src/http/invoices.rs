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

/// This router's part of the OpenAPI document (`openapi.rs` merges the parts).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    summary,
    list_invoices,
    create_invoice,
    get_invoice,
    update_invoice,
    validate_invoice,
    issue_invoice,
    get_invoice_xml,
    verify_invoice_audit
))]
pub(super) struct Api;

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
#[utoipa::path(
    post,
    path = "/api/invoices",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, pattern = "^[A-Za-z0-9_-]{8,64}$",
        description = "Makes a retry answer with the first record")),
    request_body(content = CreateDraft, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = InvoiceView, links(
            ("get" = (operation_id = "get_invoice", parameters(("id" = "$response.body#/id")))),
            ("issue" = (operation_id = "issue_invoice", parameters(("id" = "$response.body#/id")))),
            ("xml" = (operation_id = "get_invoice_xml", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 200, description = "A replay of the same Idempotency-Key: the first record", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 409, response = super::openapi::Conflict),
    )
)]
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
#[utoipa::path(
    put,
    path = "/api/invoices/{id}",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
        ("If-Match" = u64, Header, description = "The version edited"),
    ),
    request_body(content = DraftInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
    )
)]
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

/// `GET /api/invoices/{id}`.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
    ),
    responses(
        (status = 200, description = "The invoice", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_invoice(
    super::ErpCaller(caller): super::ErpCaller,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    let (rec, v) = invoices::load(&caller.store, &id).await?;
    Ok(Json(invoices::view(&rec, v)))
}

/// `GET /api/invoices`: newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/invoices",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page", body = Page<InvoiceView>),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
    )
)]
async fn list_invoices(
    super::ErpCaller(caller): super::ErpCaller,
    Query(mut q): Query<ListQuery>,
) -> Result<Json<Page<InvoiceView>>, ApiError> {
    q.cursor = decode_cursor(q.cursor.as_deref())?;
    Ok(encode_next(invoices::list(&caller.store, &q).await?))
}

/// The answer of `POST /api/invoices/{id}/validate`.
#[derive(Serialize, utoipa::ToSchema)]
struct Validation {
    valid: bool,
    findings: Vec<Detail>,
    totals: Option<hoadon_core::Totals>,
}

/// `POST /api/invoices/{id}/validate`: every finding, and the totals when valid.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/validate",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
    ),
    responses(
        (status = 200, description = "Findings, and the totals when valid", body = Validation),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn validate_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Validation>, ApiError> {
    let (rec, _) = invoices::load(&caller.store, &id).await?;
    // What issuing would check: a draft is composed again with the current company profile.
    let document = match rec.status {
        invoices::Status::Draft => invoices::recompose(&st.0.services, &caller.store, &rec).await?,
        _ => rec.document,
    };
    let c = hoadon_core::check(&document);
    Ok(Json(Validation {
        valid: c.invoice.is_some(),
        findings: c.findings.iter().map(Detail::from).collect(),
        totals: c.invoice.as_ref().map(|i| i.totals()),
    }))
}

/// `POST /api/invoices/{id}/issue`: number (gapless, in one transaction), sign, archive.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/issue",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
        ("If-Match" = Option<u64>, Header, nullable = false, description = "The draft version the issuer reviewed; a draft changed since answers 409 draft_conflict (optional: without it, the current draft is issued)"),
    ),
    responses(
        (status = 200, description = "Issued (or already issued): numbered and signed", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 413, response = super::openapi::PayloadTooLarge),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn issue_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<InvoiceView>, ApiError> {
    let expected = match headers.get(header::IF_MATCH) {
        None => None,
        Some(_) => Some(if_match(&headers)?),
    };
    let v = invoices::issue_at(
        &st.0.services,
        &caller.store,
        &id,
        &caller.claims.sub,
        expected,
    )
    .await?;
    Ok(Json(v))
}

/// `GET /api/invoices/{id}/xml`: the exact signed bytes.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/xml",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
    ),
    responses(
        (status = 200, description = "The signed GDT XML, byte for byte", content_type = "application/xml", body = String),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_invoice_xml(
    State(st): State<AppState>,
    super::ErpCaller(caller): super::ErpCaller,
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
#[utoipa::path(
    get,
    path = "/api/summary",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The home screen's figures", body = Summary),
        super::openapi::SignedIn,
    )
)]
async fn summary(caller: Caller) -> Result<Json<Summary>, ApiError> {
    Ok(Json(invoices::summary(&caller.store).await?))
}

/// `GET /api/invoices/{id}/audit`: the chain and whether every link holds.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/audit",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id the client chose"),
    ),
    responses(
        (status = 200, description = "The chain, checked", body = AuditReport),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn verify_invoice_audit(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AuditReport>, ApiError> {
    Ok(Json(invoices::verify_audit(&caller.store, &id).await?))
}
