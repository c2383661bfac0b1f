//! The HTTP API: one axum `Router` that knows nothing of where it runs (the local server now,
//! the Lambda function next). Handlers are verb + noun; each names the rule it implements.

use crate::auth::{AuthError, Claims, Role, TokenVerifier, verify_password};
use crate::error::ApiError;
use crate::invoices::{self, ListQuery, Services};
use crate::store::{Store, TenantStore};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::InvoiceDocument;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Everything a handler may use. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

pub struct App {
    pub store: Arc<dyn Store>,
    pub verifier: Arc<dyn TokenVerifier>,
    /// Issues tokens at `POST /api/login` (local system only; Cognito does it in AWS).
    pub issuer: Option<Arc<crate::auth::Hs256>>,
    pub services: Services,
}

/// The verified caller: the tenant and role come from the token, never from the request.
pub struct Caller {
    pub claims: Claims,
    pub store: TenantStore,
}

impl Caller {
    fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.claims.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized(AuthError::Missing))?;
        let app = &state.0;
        let claims = app
            .verifier
            .verify(token, app.services.clock.now())
            .map_err(ApiError::Unauthorized)?;
        let store = TenantStore::new(&claims.tenant, app.store.clone());
        Ok(Caller { claims, store })
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/login", post(login))
        .route("/api/series", get(list_series).post(create_series))
        .route(
            "/api/catalogs/{kind}",
            get(list_catalog).post(create_catalog_entry),
        )
        .route("/api/catalogs/{kind}/import", post(import_catalog))
        .route(
            "/api/catalogs/{kind}/{code}",
            get(get_catalog_entry).put(update_catalog_entry),
        )
        .route("/api/summary", get(summary))
        .route("/api/invoices", get(list_invoices).post(create_invoice))
        .route("/api/invoices/{id}", get(get_invoice).put(update_invoice))
        .route("/api/invoices/{id}/validate", post(validate_invoice))
        .route("/api/invoices/{id}/issue", post(issue_invoice))
        .route("/api/invoices/{id}/xml", get(get_invoice_xml))
        .route("/api/invoices/{id}/audit", get(verify_invoice_audit))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/login`: e-mail and password → bearer token (12 h). The e-mail index is the only
/// store item outside every tenant; it names the tenant the token will carry.
async fn login(
    State(st): State<AppState>,
    Json(body): Json<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let app = &st.0;
    let issuer = app.issuer.as_ref().ok_or(ApiError::NotFound)?;
    let email = body.email.trim().to_lowercase();
    let item = app
        .store
        .get(&crate::store::Key::new("LOGIN", &email))
        .await?;
    let user: crate::bootstrap::Login = match item {
        Some(i) => {
            serde_json::from_slice(&i.data).map_err(|e| ApiError::Internal(e.to_string()))?
        }
        None => return Err(ApiError::InvalidCredentials),
    };
    let (password, hash) = (body.password, user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !ok {
        return Err(ApiError::InvalidCredentials);
    }
    let claims = Claims {
        sub: email,
        tenant: user.tenant,
        role: user.role,
        exp: app.services.clock.now() + 12 * 3600,
    };
    Ok(Json(
        json!({ "token": issuer.issue(&claims), "tenant": claims.tenant, "role": claims.role, "expires_at": claims.exp }),
    ))
}

async fn list_series(caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "items": invoices::list_series(&caller.store).await? }),
    ))
}

#[derive(Deserialize)]
struct SeriesBody {
    form: String,
    symbol: String,
}

/// `POST /api/series` (admin, accountant): a form + symbol whose numbers start at 1.
async fn create_series(
    caller: Caller,
    Json(body): Json<SeriesBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let s = invoices::create_series(&caller.store, body.form.trim(), body.symbol.trim()).await?;
    Ok((StatusCode::CREATED, Json(json!(s))))
}

const CATALOG_WRITERS: &[Role] = &[Role::Admin, Role::Accountant];

#[derive(Deserialize)]
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
) -> Result<Json<Value>, ApiError> {
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let v = crate::catalogs::list(
        &caller.store,
        &kind,
        q.q.as_deref(),
        cursor.as_deref(),
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(encode_next(v)))
}

/// Page cursors are opaque to clients (base64url of a versioned position), so the store's keys
/// are not an API contract and a hand-made cursor is refused rather than misread.
fn encode_next(mut page: Value) -> Value {
    use base64::Engine;
    if let Some(next) = page["next"].as_str() {
        page["next"] = Value::String(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1:{next}")),
        );
    }
    page
}

fn decode_cursor(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    use base64::Engine;
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("v1:").map(str::to_owned))
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("cursor: not a cursor this API returned".into()))
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

/// `POST /api/catalogs/{kind}/import` with a CSV body: every bad row reported, nothing imported
/// from a bad file.
async fn import_catalog(
    caller: Caller,
    Path(kind): Path<String>,
    body: String,
) -> Result<Json<Value>, ApiError> {
    caller.require(CATALOG_WRITERS)?;
    Ok(Json(
        crate::catalogs::import_csv(&caller.store, &kind, &body).await?,
    ))
}

fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("the If-Match header (the version you edited) is required".into())
        })
}

#[derive(Deserialize)]
struct CreateBody {
    id: String,
    document: InvoiceDocument,
}

/// `POST /api/invoices`: a draft with the client's id; `Idempotency-Key` required, so a retried
/// request never creates a second record (201 when created, 200 when replayed).
async fn create_invoice(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("the Idempotency-Key header is required".into()))?;
    let (v, created) = invoices::create_draft(
        &st.0.services,
        &caller.store,
        &body.id,
        key,
        body.document,
        &caller.claims.sub,
    )
    .await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(v),
    ))
}

/// `PUT /api/invoices/{id}` with `If-Match: <version>`: a stale version gets
/// `409 draft_conflict` with the server's copy; nothing is overwritten.
async fn update_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(document): Json<InvoiceDocument>,
) -> Result<Json<Value>, ApiError> {
    let version = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("the If-Match header (the version you edited) is required".into())
        })?;
    let v = invoices::update_draft(
        &st.0.services,
        &caller.store,
        &id,
        version,
        document,
        &caller.claims.sub,
    )
    .await?;
    Ok(Json(v))
}

async fn get_invoice(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (rec, v) = invoices::load(&caller.store, &id).await?;
    Ok(Json(invoices::view(&rec, v)))
}

async fn list_invoices(
    caller: Caller,
    Query(mut q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    q.cursor = decode_cursor(q.cursor.as_deref())?;
    Ok(Json(encode_next(invoices::list(&caller.store, &q).await?)))
}

/// `POST /api/invoices/{id}/validate`: every finding, and the totals when valid.
async fn validate_invoice(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (rec, _) = invoices::load(&caller.store, &id).await?;
    let c = hoadon_core::check(&rec.document);
    let totals = c.invoice.as_ref().map(|i| i.totals());
    Ok(Json(
        json!({ "valid": c.invoice.is_some(), "findings": c.findings, "totals": totals }),
    ))
}

/// `POST /api/invoices/{id}/issue`: number (gapless, in one transaction), sign, archive.
async fn issue_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        invoices::issue(&st.0.services, &caller.store, &id, &caller.claims.sub).await?,
    ))
}

/// `GET /api/invoices/{id}/xml`: the exact signed bytes.
async fn get_invoice_xml(caller: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let item = caller
        .store
        .get("XML", &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.xml\""),
            ),
        ],
        item.data,
    )
        .into_response())
}

/// `GET /api/summary`: counts per status, recent invoices, those awaiting signature.
async fn summary(caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(invoices::summary(&caller.store).await?))
}

/// `GET /api/invoices/{id}/audit`: the chain and whether every link holds.
async fn verify_invoice_audit(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(invoices::verify_audit(&caller.store, &id).await?))
}
