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

/// This router's part of the OpenAPI document (`openapi.rs` merges the parts).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_series,
        create_series,
        list_catalog,
        create_catalog_entry,
        import_catalog,
        get_catalog_entry,
        update_catalog_entry,
        export_catalog
    ),
    components(schemas(crate::catalogs::ExportFormat, crate::catalogs::HeaderLang))
)]
pub(super) struct Api;

/// `{kind}` in the OpenAPI document (its values, `hoadon_core::catalog::KINDS`, are set in
/// `openapi.rs`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // read by the OpenAPI derive only; the handlers take `Path<String>`
struct KindPath {
    /// The catalog.
    kind: String,
}

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

/// `GET /api/series`: every series of the tenant (one page).
#[utoipa::path(
    get,
    path = "/api/series",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The series", body = Page<SeriesView>),
        super::openapi::SignedIn,
    )
)]
async fn list_series(caller: Caller) -> Result<Json<Page<SeriesView>>, ApiError> {
    Ok(Json(Page {
        items: invoices::list_series(&caller.store).await?,
        next: None,
    }))
}

/// `POST /api/series` (admin, accountant): a form + symbol whose numbers start at 1.
#[utoipa::path(
    post,
    path = "/api/series",
    security(("bearer" = [])),
    request_body(content = CreateSeries, content_type = "application/json",
        example = json!({"form": "1", "symbol": "C26TAA"})),
    responses(
        (status = 201, description = "Created", body = SeriesView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
    )
)]
async fn create_series(
    caller: Caller,
    Json(body): Json<CreateSeries>,
) -> Result<(StatusCode, Json<SeriesView>), ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let s = invoices::create_series(&caller.store, &body.form, &body.symbol).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CatalogQuery {
    /// Part of the code, the name or the tax id.
    q: Option<String>,
    /// The `next` of the previous page (opaque; nothing else is accepted; empty: the first).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Page size, 1–200 (other values are clamped).
    #[param(maximum = 18446744073709551615_u64)]
    limit: Option<usize>,
}

/// `GET /api/catalogs/{kind}?q=&cursor=&limit=`: search by code, name or tax id, a page at a time.
#[utoipa::path(
    get,
    path = "/api/catalogs/{kind}",
    security(("bearer" = [])),
    params(
        KindPath,
        CatalogQuery,
    ),
    responses(
        (status = 200, description = "A page of entries", body = Page<serde_json::Value>),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/catalogs/{kind}",
    security(("bearer" = [])),
    params(
        KindPath,
    ),
    request_body(content = Object, content_type = "application/json",
        description = "The entry: the kind's fields (`hoadon_core::catalog`), `code` required"),
    responses(
        (status = 201, description = "Created", body = Object),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::CatalogWrite,
        (status = 409, response = super::openapi::Conflict),
    )
)]
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

/// `GET /api/catalogs/{kind}/{code}`.
#[utoipa::path(
    get,
    path = "/api/catalogs/{kind}/{code}",
    security(("bearer" = [])),
    params(
        KindPath,
        ("code" = String, Path, description = "The entry's code"),
    ),
    responses(
        (status = 200, description = "The entry with its `version`", body = Object),
        super::openapi::SignedIn,
        (status = 404, response = super::openapi::NotFound),
    )
)]
async fn get_catalog_entry(
    caller: Caller,
    Path((kind, code)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        crate::catalogs::get(&caller.store, &kind, &code).await?,
    ))
}

/// `PUT /api/catalogs/{kind}/{code}` with `If-Match`: a stale version gets `409 version_conflict`.
#[utoipa::path(
    put,
    path = "/api/catalogs/{kind}/{code}",
    security(("bearer" = [])),
    params(
        KindPath,
        ("code" = String, Path, description = "The entry's code"),
        ("If-Match" = u64, Header, description = "The version edited"),
    ),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = Object),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::CatalogWrite,
        (status = 409, response = super::openapi::Conflict),
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/catalogs/{kind}/import",
    security(("bearer" = [])),
    params(
        KindPath,
    ),
    request_body(
        description = "A CSV file (UTF-8, UTF-16 or Windows-1258; `,`, `;` or tab) or an .xlsx \
                       workbook, as saved: a header row of field names or labels, then one \
                       entry per row; at most 5 MiB",
        content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ),
    responses(
        (status = 200, description = "How many entries were imported", body = Object),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::CatalogWrite,
    )
)]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    #[serde(default)]
    format: ExportFormat,
    lang: Option<HeaderLang>,
}

/// `GET /api/catalogs/{kind}/export?format=csv|xlsx&lang=vi|en` (every role that reads
/// catalogs): the whole catalog as a download; `lang` puts that language's labels in the header
/// instead of the field names.
#[utoipa::path(
    get,
    path = "/api/catalogs/{kind}/export",
    security(("bearer" = [])),
    params(KindPath, ExportQuery),
    responses(
        (status = 200, description = "The catalog as a file to download",
            content(
                (Vec<u8> = "text/csv; charset=utf-8"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
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
