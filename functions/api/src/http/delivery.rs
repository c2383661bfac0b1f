//! Delivery over HTTP: the invoice's PDF ("Print", "Download PDF") and its converted paper
//! copy, its e-mails ("Send", "Resend"), the series' templates with a server-rendered preview,
//! and the public lookup (no account: the printed code is the proof, counted per client).
//! Handlers parse and answer; `crate::delivery` does the work.

use super::{AppState, Caller};
use crate::auth::Role;
use crate::delivery::{self, email, lookup, pdf, templates};
use crate::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hoadon_core::api::delivery::{
    ConvertRequest, DeliveryView, LookupRequest, LookupView, SendRequest, Template, TemplateView,
};
use serde::Deserialize;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_pdf,
    converted_copy,
    list_deliveries,
    send_invoice,
    get_template,
    put_template,
    template_versions,
    preview_template,
    public_lookup,
    public_lookup_pdf
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/invoices/{id}/pdf", get(get_pdf))
        .route("/api/invoices/{id}/converted", post(converted_copy))
        .route(
            "/api/invoices/{id}/deliveries",
            get(list_deliveries).post(send_invoice),
        )
        .route(
            "/api/series/{series}/template",
            get(get_template).put(put_template),
        )
        .route(
            "/api/series/{series}/template/versions",
            get(template_versions),
        )
        .route(
            "/api/series/{series}/template/preview",
            post(preview_template),
        )
        .route("/api/public/lookup", post(public_lookup))
        .route("/api/public/lookup/pdf", post(public_lookup_pdf))
}

/// Who the public lookup counts attempts against: the connection's address as the host saw it
/// (the local server's socket peer, API Gateway's `sourceIp`) — never a header a client sets.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

fn client(addr: Option<Extension<ClientAddr>>) -> String {
    addr.map_or_else(|| "unknown".to_owned(), |Extension(a)| a.0)
}

fn pdf_response(bytes: Vec<u8>, name: &str, inline: bool) -> Response {
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}.pdf\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PdfQuery {
    /// `1`: shown in the browser (print) rather than downloaded; any other value downloads.
    #[serde(default)]
    inline: Option<i64>,
}

/// `GET /api/invoices/{id}/pdf`: the invoice's PDF, drawn from its signed (coded) file with the
/// template version it was issued under. `409 not_deliverable` before it is valid.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/pdf",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice"), PdfQuery),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = String),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 409, response = super::openapi::Conflict),
    )
)]
async fn get_pdf(
    State(st): State<AppState>,
    super::ErpCaller(caller): super::ErpCaller,
    Path(id): Path<String>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, ApiError> {
    let (rec, _) = crate::invoices::load(&caller.store, &id).await?;
    let bytes = pdf::of_invoice(&st.0.services, &caller.store, &rec, None).await?;
    Ok(pdf_response(bytes, &id, q.inline == Some(1)))
}

/// `POST /api/invoices/{id}/converted`: the converted paper copy (hóa đơn chuyển đổi): the PDF
/// with the conversion heading, the converter's name, today's date and a signature line,
/// recorded in the invoice's audit chain (admins and accountants).
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/converted",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice")),
    request_body(content = ConvertRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The converted copy", content_type = "application/pdf", body = String),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn converted_copy(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ConvertRequest>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let bytes = delivery::convert(
        &st.0.services,
        &caller.store,
        &id,
        &body.converter,
        &caller.claims.sub,
    )
    .await?;
    Ok(pdf_response(bytes, &format!("{id}-chuyen-doi"), true))
}

/// `GET /api/invoices/{id}/deliveries`: the invoice's e-mails, newest first, with their state
/// (queued, sent, needs attention) and last error.
#[utoipa::path(
    get,
    path = "/api/invoices/{id}/deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice")),
    responses(
        (status = 200, description = "Its e-mails", body = [DeliveryView]),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn list_deliveries(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    // The invoice must exist: an unknown (or malformed) id is `404`, not an empty list.
    crate::invoices::load(&caller.store, &id).await?;
    Ok(Json(email::list(&caller.store, &id).await?))
}

/// `POST /api/invoices/{id}/deliveries`: send (again) by e-mail, to the buyer's address or the
/// ones given. `202`: persisted, sent by the outbox (at least once; every attempt carries the
/// same `Message-ID`).
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice")),
    request_body(content = SendRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "Queued", body = DeliveryView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn send_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<SendRequest>,
) -> Result<(StatusCode, Json<DeliveryView>), ApiError> {
    let v = email::send(
        &st.0.services,
        &caller.store,
        &id,
        &body,
        &caller.claims.sub,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(v)))
}

/// `GET /api/series/{series}/template`: the series' current template (version 0: built-in).
#[utoipa::path(
    get,
    path = "/api/series/{series}/template",
    security(("bearer" = [])),
    params(("series" = String, Path, pattern = "^[1-9][CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$", description = "`<form><symbol>`")),
    responses(
        (status = 200, description = "The current template", body = TemplateView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_template(
    caller: Caller,
    Path(series): Path<String>,
) -> Result<Json<TemplateView>, ApiError> {
    templates::require_series(&caller.store, &series).await?;
    Ok(Json(templates::current(&caller.store, &series).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Expected {
    /// The version the admin edited: another save in between answers `409`.
    #[serde(default)]
    expected: Option<u32>,
}

/// `PUT /api/series/{series}/template`: a new version of the series' template (admins). Issued
/// invoices keep printing with the version they were issued under.
#[utoipa::path(
    put,
    path = "/api/series/{series}/template",
    security(("bearer" = [])),
    params(("series" = String, Path, pattern = "^[1-9][CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$", description = "`<form><symbol>`"), Expected),
    request_body(content = Template, content_type = "application/json"),
    responses(
        (status = 200, description = "The new version", body = TemplateView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_template(
    State(st): State<AppState>,
    caller: Caller,
    Path(series): Path<String>,
    Query(q): Query<Expected>,
    Json(body): Json<Template>,
) -> Result<Json<TemplateView>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        templates::save(
            &st.0.services,
            &caller.store,
            &series,
            body,
            q.expected,
            &caller.claims.sub,
        )
        .await?,
    ))
}

/// `GET /api/series/{series}/template/versions`: every saved version, newest first.
#[utoipa::path(
    get,
    path = "/api/series/{series}/template/versions",
    security(("bearer" = [])),
    params(("series" = String, Path, pattern = "^[1-9][CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$", description = "`<form><symbol>`")),
    responses(
        (status = 200, description = "Its versions", body = [TemplateView]),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn template_versions(
    caller: Caller,
    Path(series): Path<String>,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    templates::require_series(&caller.store, &series).await?;
    Ok(Json(templates::history(&caller.store, &series).await?))
}

/// `POST /api/series/{series}/template/preview`: a sample invoice of the series drawn with the
/// template being edited (not saved).
#[utoipa::path(
    post,
    path = "/api/series/{series}/template/preview",
    security(("bearer" = [])),
    params(("series" = String, Path, pattern = "^[1-9][CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$", description = "`<form><symbol>`")),
    request_body(content = Template, content_type = "application/json"),
    responses(
        (status = 200, description = "The preview", content_type = "application/pdf", body = String),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn preview_template(
    State(st): State<AppState>,
    caller: Caller,
    Path(series): Path<String>,
    Json(body): Json<Template>,
) -> Result<Response, ApiError> {
    templates::require_series(&caller.store, &series).await?;
    let bytes = pdf::preview(&st.0.services, &caller.store, &series, body).await?;
    Ok(pdf_response(bytes, "preview", true))
}

/// `POST /api/public/lookup`: an invoice by the code printed on it (no account). A wrong code
/// answers exactly like an unknown one (`404`); attempts are limited per client (`429` with
/// `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/public/lookup",
    request_body(content = LookupRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The invoice's file", body = LookupView),
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 429, response = super::openapi::TooManyRequests),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn public_lookup(
    State(st): State<AppState>,
    addr: Option<Extension<ClientAddr>>,
    Json(req): Json<LookupRequest>,
) -> Result<Json<LookupView>, ApiError> {
    let svc = &st.0.services;
    let (ts, rec) = lookup::find(svc, &st.0.store, &client(addr), &req.tenant, &req.code).await?;
    let xml = crate::invoices::signed_xml(svc, &ts, &rec.id).await?;
    let standing = rec.corrections.standing();
    Ok(Json(LookupView {
        xml: String::from_utf8_lossy(&xml).into_owned(),
        test: rec.authority.as_ref().is_some_and(|a| a.test),
        standing: matches!(
            standing,
            hoadon_core::corrections::Standing::Replaced
                | hoadon_core::corrections::Standing::Cancelled
        )
        .then(|| standing.as_str().to_owned()),
    }))
}

/// `POST /api/public/lookup/pdf`: the PDF of the invoice with that code (no account; counted
/// like a lookup).
#[utoipa::path(
    post,
    path = "/api/public/lookup/pdf",
    request_body(content = LookupRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = String),
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
        (status = 429, response = super::openapi::TooManyRequests),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn public_lookup_pdf(
    State(st): State<AppState>,
    addr: Option<Extension<ClientAddr>>,
    Json(req): Json<LookupRequest>,
) -> Result<Response, ApiError> {
    let svc = &st.0.services;
    let (ts, rec) = lookup::find(svc, &st.0.store, &client(addr), &req.tenant, &req.code).await?;
    let bytes = pdf::of_invoice(svc, &ts, &rec, None).await?;
    let name = rec
        .number
        .map_or_else(|| rec.id.clone(), |n| format!("{n:08}"));
    Ok(pdf_response(bytes, &name, true))
}
