//! Catalogs and series over HTTP.

use super::{AppState, Caller, decode_cursor, encode_next, if_match};
use crate::auth::Role;
use crate::catalogs::{ExportFormat, HeaderLang, MAX_FILE_BYTES};
use crate::error::ApiError;
use crate::invoices;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::{CreateSeries, Page, SeriesView};
use serde::Deserialize;
use serde_json::Value;

const CATALOG_WRITERS: &[Role] = &[Role::Admin, Role::Accountant];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/series", get(list_series).post(create_series))
        .route(
            "/api/catalogs/{kind}",
            get(list_catalog).post(create_catalog_entry),
        )
        .route(
            "/api/catalogs/{kind}/import",
            // The import's own limit is the one users meet (with its per-file message); the
            // transport allows a little more so that it is reachable.
            post(import_catalog).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + (64 << 10))),
        )
        .route("/api/catalogs/{kind}/export", get(export_catalog))
        .route(
            "/api/catalogs/{kind}/{code}",
            get(get_catalog_entry).put(update_catalog_entry),
        )
}

async fn list_series(caller: Caller) -> Result<Json<Page<SeriesView>>, ApiError> {
    Ok(Json(Page {
        items: invoices::list_series(&caller.store).await?,
        next: None,
    }))
}

/// `POST /api/series` (admin, accountant): a form + symbol whose numbers start at 1.
async fn create_series(
    caller: Caller,
    Json(body): Json<CreateSeries>,
) -> Result<(StatusCode, Json<SeriesView>), ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let s = invoices::create_series(&caller.store, body.form.trim(), body.symbol.trim()).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/catalogs/{kind}?q=&cursor=&limit=`: search by code, name or tax id, a page at a time.
async fn list_catalog(
    caller: Caller,
    Path(kind): Path<String>,
    Query(q): Query<CatalogQuery>,
) -> Result<Json<Page<Value>>, ApiError> {
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let page = crate::catalogs::list(
        &caller.store,
        &kind,
        q.q.as_deref(),
        cursor.as_deref(),
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(encode_next(page))
}

/// `POST /api/catalogs/{kind}` (admin, accountant): a new entry, keyed by its code.
async fn create_catalog_entry(
    caller: Caller,
    Path(kind): Path<String>,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(CATALOG_WRITERS)?;
    Ok((
        StatusCode::CREATED,
        Json(crate::catalogs::create(&caller.store, &kind, body).await?),
    ))
}

async fn get_catalog_entry(
    caller: Caller,
    Path((kind, code)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        crate::catalogs::get(&caller.store, &kind, &code).await?,
    ))
}

/// `PUT /api/catalogs/{kind}/{code}` with `If-Match`: a stale version gets `409 version_conflict`.
async fn update_catalog_entry(
    caller: Caller,
    Path((kind, code)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    caller.require(CATALOG_WRITERS)?;
    let version = if_match(&headers)?;
    Ok(Json(
        crate::catalogs::update(&caller.store, &kind, &code, version, body).await?,
    ))
}

/// `POST /api/catalogs/{kind}/import` with a CSV or `.xlsx` file as the body (its bytes, as
/// saved: the encoding, delimiter and format are detected): every bad row reported, nothing
/// imported from a bad file.
async fn import_catalog(
    caller: Caller,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(CATALOG_WRITERS)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Ok(Json(
        crate::catalogs::import(&caller.store, &kind, content_type, &body).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    #[serde(default)]
    format: ExportFormat,
    lang: Option<HeaderLang>,
}

/// `GET /api/catalogs/{kind}/export?format=csv|xlsx&lang=vi|en` (every role that reads
/// catalogs): the whole catalog as a download; `lang` puts that language's labels in the header
/// instead of the field names.
async fn export_catalog(
    caller: Caller,
    Path(kind): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let file = crate::catalogs::export(&caller.store, &kind, q.format, q.lang).await?;
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}
