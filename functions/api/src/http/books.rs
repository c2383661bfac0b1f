//! The books over HTTP (#18): imports, the revenue-recognition inbox, proposals and recording,
//! vouchers (list, change feed, files), settings and statistics. Admins and accountants only.
//! Handlers parse and answer; `crate::books` does the work.

use super::{AppState, Caller, decode_cursor, encode_next};
use crate::auth::Role;
use crate::books::{self, imports::Importer, source, stats, vouchers};
use crate::catalogs::{ExportFile, ExportFormat};
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::Page;
use hoadon_core::api::books::{
    BookAction, BookEntryView, BookFile, BookSettings, BulkItem, BulkRecordRequest, ImportReport,
    Proposal, PullRequest, RecordRequest, Stats, VoucherView,
};
use serde::Deserialize;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    import_files,
    pull,
    list_entries,
    sync,
    proposal,
    record,
    bulk_record,
    files,
    get_settings,
    put_settings,
    list_vouchers,
    voucher_changes,
    export_vouchers,
    get_stats,
    export_stats
))]
pub(super) struct Api;

const BOOKKEEPERS: &[Role] = &[Role::Admin, Role::Accountant];

/// Largest upload (a ZIP of a year's invoices). Behind API Gateway and Lambda the host's own
/// limit (6 MB) is lower: larger archives are imported on the local server or pulled.
pub const MAX_UPLOAD_BYTES: usize = 512 << 20;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/imports",
            post(import_files).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/imports/pull", post(pull))
        .route("/api/books", get(list_entries))
        .route("/api/books/sync", post(sync))
        .route("/api/books/files", get(files))
        .route("/api/books/settings", get(get_settings).put(put_settings))
        .route("/api/books/stats", get(get_stats))
        .route("/api/books/stats/export", get(export_stats))
        .route("/api/books/record", post(bulk_record))
        .route("/api/books/{id}/proposal", get(proposal))
        .route("/api/books/{id}/record", post(record))
        .route("/api/vouchers", get(list_vouchers))
        .route("/api/vouchers/changes", get(voucher_changes))
        .route("/api/vouchers/export", get(export_vouchers))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// The file's name, as the report and the entries show it.
    #[param(max_length = 200)]
    name: Option<String>,
}

/// `POST /api/imports?name=`: GDT XML invoices (bare `HDon`, `TDiep` 200/202/203), 04/SS notices
/// or a ZIP of them, as the raw body. Each file is read, verified and recorded once; a refused
/// file does not stop the rest.
#[utoipa::path(
    post,
    path = "/api/imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = Vec<u8>, description = "An XML file or a ZIP of them",
        content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "What the upload did", body = ImportReport),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn import_files(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "the body is the file (XML or ZIP), and it is empty".into(),
        ));
    }
    // The name only labels the report and the entries: control characters are dropped.
    let name = match q.name {
        Some(n) if n.chars().count() > 200 => {
            return Err(ApiError::BadRequest("name: at most 200 characters".into()));
        }
        Some(n) => n.chars().filter(|c| !c.is_control()).collect::<String>(),
        None => String::new(),
    };
    let name = if name.trim().is_empty() {
        "upload".into()
    } else {
        name
    };
    let mut importer = Importer::new(&state.0.services, &caller.store).await?;
    importer.file(&name, &body).await?;
    Ok(Json(importer.finish().await?))
}

/// `POST /api/imports/pull`: the invoices of a period from another hoadon (its address and one
/// of its access tokens, used for this pull only).
#[utoipa::path(
    post,
    path = "/api/imports/pull",
    security(("bearer" = [])),
    request_body = PullRequest,
    responses(
        (status = 200, description = "What the pull did", body = ImportReport),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PullRequest>,
) -> Result<Json<ImportReport>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let src = source::HoadonSource::new(&body.url, &body.token)?;
    let report = source::pull(&state.0.services, &caller.store, &src, &body.from, &body.to).await?;
    Ok(Json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// First day, `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: String,
    /// Last day, `YYYY-MM-DD` (inclusive).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: String,
    /// The `next` of the previous page (opaque).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Page size, 1–200 (other values are clamped).
    #[param(maximum = 18446744073709551615_u64)]
    limit: Option<usize>,
}

impl PeriodQuery {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(100).clamp(1, 200)
    }
}

/// `GET /api/books?from&to`: every invoice of the period in the books (issued here, with their
/// corrections, and imported), with platform and workflow status and the actions allowed.
#[utoipa::path(
    get,
    path = "/api/books",
    security(("bearer" = [])),
    params(PeriodQuery),
    responses(
        (status = 200, description = "A page of entries, by issue date", body = Page<BookEntryView>),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn list_entries(
    caller: Caller,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Page<BookEntryView>>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let page = books::list(&caller.store, &q.from, &q.to, cursor.as_deref(), q.limit()).await?;
    Ok(encode_next(page))
}

/// `POST /api/books/sync`: puts the valid invoices issued here before the books existed into
/// them; answers how many were added.
#[utoipa::path(
    post,
    path = "/api/books/sync",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many entries were added", body = u64,
            content_type = "application/json"),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn sync(State(state): State<AppState>, caller: Caller) -> Result<Json<u64>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(Json(books::sync(&state.0.services, &caller.store).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ActionQuery {
    action: BookAction,
}

/// `GET /api/books/{id}/proposal?action=`: the vouchers the action would write, mapped to the
/// catalogs, with a warning for each thing that could not be mapped.
#[utoipa::path(
    get,
    path = "/api/books/{id}/proposal",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,120}$", description = "The entry"), ActionQuery),
    responses(
        (status = 200, description = "The proposal", body = Proposal),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn proposal(
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ActionQuery>,
) -> Result<Json<Proposal>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(Json(
        vouchers::proposal(&caller.store, &id, q.action).await?,
    ))
}

/// `POST /api/books/{id}/record`: the action with the vouchers as confirmed, at the entry's
/// version; once per platform status (`409 books.already_recorded` after).
#[utoipa::path(
    post,
    path = "/api/books/{id}/record",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9._-]{1,120}$", description = "The entry")),
    request_body = RecordRequest,
    responses(
        (status = 200, description = "The entry, recorded", body = BookEntryView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RecordRequest>,
) -> Result<Json<BookEntryView>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let v = vouchers::record(
        &state.0.services,
        &caller.store,
        &id,
        body,
        &caller.claims.sub,
    )
    .await?;
    Ok(Json(v))
}

/// `POST /api/books/record`: one action on up to 200 entries, each with its proposal as is;
/// entries with something unmapped are left for review.
#[utoipa::path(
    post,
    path = "/api/books/record",
    security(("bearer" = [])),
    request_body = BulkRecordRequest,
    responses(
        (status = 200, description = "What happened to each entry", body = Page<BulkItem>),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn bulk_record(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<BulkRecordRequest>,
) -> Result<Json<Page<BulkItem>>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let r = vouchers::bulk(&state.0.services, &caller.store, body, &caller.claims.sub).await?;
    Ok(Json(r))
}

/// `GET /api/books/files?from&to`: the entries' files (signed, or coded, here; imported bytes
/// otherwise): what another hoadon pulls.
#[utoipa::path(
    get,
    path = "/api/books/files",
    security(("bearer" = [])),
    params(PeriodQuery),
    responses(
        (status = 200, description = "A page of files", body = Page<BookFile>),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn files(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Page<BookFile>>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let page = source::files(
        &state.0.services,
        &caller.store,
        &q.from,
        &q.to,
        cursor.as_deref(),
        q.limit().min(50),
    )
    .await?;
    Ok(encode_next(page))
}

/// `GET /api/books/settings`: the chart of accounts and default accounts, the voucher prefix.
#[utoipa::path(
    get,
    path = "/api/books/settings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = BookSettings),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn get_settings(caller: Caller) -> Result<Json<BookSettings>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(Json(books::settings(&caller.store).await?.0))
}

/// `PUT /api/books/settings`.
#[utoipa::path(
    put,
    path = "/api/books/settings",
    security(("bearer" = [])),
    request_body = BookSettings,
    responses(
        (status = 200, description = "Saved", body = BookSettings),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_settings(
    caller: Caller,
    Json(body): Json<BookSettings>,
) -> Result<Json<BookSettings>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    Ok(Json(books::put_settings(&caller.store, body).await?))
}

/// `GET /api/vouchers?from&to`: vouchers by date.
#[utoipa::path(
    get,
    path = "/api/vouchers",
    security(("bearer" = [])),
    params(PeriodQuery),
    responses(
        (status = 200, description = "A page of vouchers", body = Page<VoucherView>),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn list_vouchers(
    caller: Caller,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Page<VoucherView>>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let page = vouchers::list(&caller.store, &q.from, &q.to, cursor.as_deref(), q.limit()).await?;
    Ok(encode_next(page))
}

/// `GET /api/vouchers/changes?after=N`: every voucher change after position `N`, in order (a
/// voucher made, a voucher reversed); an accounting system polls it with the last `next` it
/// got and misses nothing, repeats nothing.
#[utoipa::path(
    get,
    path = "/api/vouchers/changes",
    security(("bearer" = [])),
    params(super::ChangesQuery),
    responses(
        (status = 200, description = "The changes; `next` is the position to ask after", body = Page<VoucherView>),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn voucher_changes(
    caller: Caller,
    Query(q): Query<super::ChangesQuery>,
) -> Result<Json<Page<VoucherView>>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    let page = vouchers::changes(&caller.store, q.after()?, q.limit.unwrap_or(100)).await?;
    Ok(Json(page))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: String,
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: String,
    #[serde(default)]
    format: ExportFormat,
}

fn download(file: ExportFile) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response()
}

/// `GET /api/vouchers/export?from&to&format=csv|xlsx`: one row per posting line, reversals
/// named both ways.
#[utoipa::path(
    get,
    path = "/api/vouchers/export",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The vouchers as a file",
            content(
                (Vec<u8> = "text/csv; charset=utf-8"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn export_vouchers(
    caller: Caller,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(download(
        vouchers::export(&caller.store, &q.from, &q.to, q.format).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: String,
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: String,
}

/// `GET /api/books/stats?from&to`: counts and VND amounts by status, series, rate, customer.
#[utoipa::path(
    get,
    path = "/api/books/stats",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The statistics", body = Stats),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn get_stats(caller: Caller, Query(q): Query<StatsQuery>) -> Result<Json<Stats>, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(Json(stats::stats(&caller.store, &q.from, &q.to).await?))
}

/// `GET /api/books/stats/export?from&to&format=csv|xlsx`.
#[utoipa::path(
    get,
    path = "/api/books/stats/export",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The statistics as a file",
            content(
                (Vec<u8> = "text/csv; charset=utf-8"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        super::openapi::SignedIn,
        super::openapi::PeriodRead,
    )
)]
async fn export_stats(caller: Caller, Query(q): Query<ExportQuery>) -> Result<Response, ApiError> {
    caller.require(BOOKKEEPERS)?;
    Ok(download(
        stats::export(&caller.store, &q.from, &q.to, q.format).await?,
    ))
}
