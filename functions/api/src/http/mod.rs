//! The HTTP API: one axum `Router` that knows nothing of where it runs (the local server, the
//! Lambda function). One router per area — [`session`] (sign-in, company profile),
//! [`invoices`] (drafts, issuing, documents, summary), [`catalogs`] (catalogs and series) —
//! merged here with what every route shares: the verified [`Caller`], opaque cursors and
//! **typed JSON errors for every refusal**, including those axum makes itself (malformed JSON,
//! a wrong type, an unknown field, a body over the limit, a wrong method).

mod access_tokens;
mod authority;
mod books;
mod catalogs;
mod certificates;
mod corrections;
pub mod delivery;
mod health;
mod invoices;
mod openapi;
mod orders;
mod session;
mod signing;
mod webhooks;

pub use health::Health;

use crate::auth::{AuthError, Claims, Role, TokenVerifier};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::{Store, TenantStore};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequestParts, MatchedPath, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use hoadon_core::api::{ErrorBody, Page};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

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
    /// The personal access token's id when the caller came with one (`hdp_…`), `None` for a
    /// user's sign-in token. What a token may not do (create tokens) is refused on this.
    pub token_id: Option<String>,
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

/// A caller that may also be a desktop signer ([`Role::Signer`]): the extractor of the few
/// routes a signer uses (claims, signatures, its certificate). Every other route takes a
/// [`Caller`], which refuses signers: least privilege by default, not by each handler's care.
pub struct SigningCaller(pub Caller);

impl FromRequestParts<AppState> for SigningCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(SigningCaller(verified(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = verified(parts, state).await?;
        if matches!(caller.claims.role, Role::Signer | Role::Integration) {
            return Err(ApiError::Forbidden);
        }
        Ok(caller)
    }
}

/// A caller that may also be an ERP ([`Role::Integration`]): the extractor of the routes an
/// integration uses (orders, reading invoices and their documents, the change feed). Signers
/// are still refused.
pub struct ErpCaller(pub Caller);

impl FromRequestParts<AppState> for ErpCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = verified(parts, state).await?;
        if caller.claims.role == Role::Signer {
            return Err(ApiError::Forbidden);
        }
        Ok(ErpCaller(caller))
    }
}

/// The bearer token verified: the claims, and the store of the tenant they name. A personal
/// access token (`hdp_…`) is looked up in the store (and its last use recorded, at most once a
/// minute); anything else is a JWT for the configured verifier. The token is never logged.
async fn verified(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized(AuthError::Missing))?;
    let app = &state.0;
    let now = app.services.clock.now();
    let (claims, token_id) =
        crate::access_tokens::authenticate(&app.store, &*app.verifier, token, now, true).await?;
    // Only now is the tenant known to be the caller's: the request's log line names it.
    tracing::Span::current().record("tenant", tracing::field::display(&claims.tenant));
    let store = TenantStore::new(&claims.tenant, app.store.clone());
    Ok(Caller {
        claims,
        store,
        token_id,
    })
}

/// `?after=N&limit=M` of a change feed (the vouchers', the invoices'): positions are committed
/// in order, so a client passes the last one it read and misses nothing, repeats nothing.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ChangesQuery {
    /// The last position read (the previous answer's last); 0 for everything.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (taken within the feed's own bounds; 100 when absent).
    #[param(maximum = 18446744073709551615_u64)]
    pub limit: Option<usize>,
}

impl ChangesQuery {
    /// `after` as a position (a negative one is a `400`, like any malformed query).
    pub(super) fn after(&self) -> Result<u64, ApiError> {
        u64::try_from(self.after.unwrap_or(0))
            .map_err(|_| ApiError::BadRequest("after is a position from 0".into()))
    }
}

/// Largest JSON body: a draft of a few thousand lines; records themselves are bounded by the
/// store's item size (a larger one is a typed `413`).
const MAX_JSON_BYTES: usize = 2 << 20;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/openapi.json", get(openapi::openapi_document))
        .route("/api/health", get(health::health))
        .merge(session::routes())
        .merge(invoices::routes())
        .merge(catalogs::routes())
        .merge(authority::routes())
        .merge(certificates::routes())
        .merge(signing::routes())
        .merge(access_tokens::routes())
        .merge(corrections::routes())
        .merge(delivery::routes())
        .merge(books::routes())
        .merge(orders::routes())
        .merge(webhooks::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .layer(axum::middleware::map_response(typed_errors))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// The request id a host gives (Lambda's `aws_request_id`), put into the request's extensions
/// by the host's layer; without one (the local server) a fresh id is made.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The response header that tells a client which log lines are its request's.
const REQUEST_ID_HEADER: &str = "x-request-id";

/// One `request` span per request (request id, method, route template, and the tenant once the
/// [`Caller`] extractor verified the token) and one `http.request` line when it is answered
/// (status, latency). Only the matched route template is logged — never the URI with its ids
/// and query, a header or a body.
async fn log_request(mut req: Request, next: Next) -> Response {
    use crate::ports::Ids;
    let started = Instant::now();
    let request_id = match req.extensions().get::<RequestId>() {
        Some(id) => id.0.clone(),
        None => {
            let id = crate::ports::RandomIds.new_id();
            req.extensions_mut().insert(RequestId(id.clone()));
            id
        }
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", |p| p.as_str())
        .to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route,
        tenant = tracing::field::Empty,
    );
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    let latency_ms = started.elapsed().as_millis() as u64;
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(event = "http.request", status, latency_ms);
        } else {
            tracing::info!(event = "http.request", status, latency_ms);
        }
    });
    if let Ok(v) = header::HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Turns every error answer that is not already the typed JSON body (axum's own rejections
/// answer `text/plain`, a wrong method answers with no body) into one, keeping its headers
/// (`Allow` on a 405). axum answers a body that does not fit the type with 422; for clients
/// that is a malformed request like any other, so it becomes `400 bad_request`.
async fn typed_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let (status, code, fallback) = match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => (
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request is malformed",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (status, "payload_too_large", "the body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            status,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            status,
            "method_not_allowed",
            "this method is not allowed here",
        ),
        StatusCode::NOT_FOUND => (status, "not_found", "not found"),
        s if s.is_server_error() => (s, "internal", "internal error"),
        s => (s, "bad_request", "the request was refused"),
    };
    let body = ErrorBody::<()> {
        code: code.to_owned(),
        message: if text.is_empty() {
            fallback.to_owned()
        } else {
            text
        },
        details: Vec::new(),
        current: None,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    parts.status = status;
    let bytes = serde_json::to_vec(&body).expect("error bodies serialize");
    Response::from_parts(parts, Body::from(bytes))
}

/// Page cursors are opaque to clients (base64url of a versioned position), so the store's keys
/// are not an API contract and a hand-made cursor is refused rather than misread.
fn encode_next<T>(mut page: Page<T>) -> Json<Page<T>> {
    use base64::Engine;
    page.next = page
        .next
        .map(|n| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1:{n}")));
    Json(page)
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

/// The version an edit was based on (`If-Match`).
fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("the If-Match header (the version you edited) is required".into())
        })
}
