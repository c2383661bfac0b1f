//! The simulator over HTTP, in the shape the T-VAN adapter ([`crate::tvan`]) speaks:
//!
//! - `POST /tdiep` — body: the `TDiep` XML; answer `200` with the 999 (`application/xml`);
//!   `503` while unavailable; `400` for bytes that are not a `TDiep`; `401` without the right
//!   Basic credentials. A message hit by `timeout_after_accept` is accepted and recorded, then
//!   the request is **held** for [`HttpOptions::timeout_hold`] and answered `504`: a client
//!   with a shorter timeout sees a real timeout.
//! - `GET /tdiep/{MTDiep}/replies` — `200` with `{"replies": ["<?xml …", …]}` (the 999
//!   first), an empty list when the message is unknown.
//! - `GET /counters` — the simulator's [`Counters`](super::Counters) as JSON (measurements).
//! - `GET /health` — `200 ok`.

use super::Simulator;
use crate::AuthorityError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Largest message taken: what `TDiep::read` parses under its default limits (past it: 413).
pub const MAX_MESSAGE_BYTES: usize = 8 << 20;

/// How the HTTP mode behaves.
#[derive(Clone)]
pub struct HttpOptions {
    /// Basic credentials (user name, secret) every request must carry; `None`: open.
    pub credentials: Option<(String, String)>,
    /// How long a request hit by `timeout_after_accept` is held before its `504`.
    pub timeout_hold: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            credentials: None,
            timeout_hold: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for HttpOptions {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("timeout_hold", &self.timeout_hold)
            .finish()
    }
}

#[derive(Clone)]
struct App {
    sim: Arc<Simulator>,
    options: Arc<HttpOptions>,
}

/// The simulator's router.
pub fn router(sim: Arc<Simulator>, options: HttpOptions) -> Router {
    Router::new()
        .route("/tdiep", post(submit))
        .route("/tdiep/{id}/replies", get(replies))
        .route("/counters", get(counters))
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
        .with_state(App {
            sim,
            options: Arc::new(options),
        })
}

/// Byte comparison whose time does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn authorised(app: &App, headers: &HeaderMap) -> bool {
    let Some((user, secret)) = &app.options.credentials else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| hoadon_core::dsig::b64_decode(b).ok())
        .unwrap_or_default();
    let expected = format!("{user}:{secret}");
    same(&given, expected.as_bytes())
}

fn unauthorised() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"hoadon-authority\"")],
        "bad credentials",
    )
        .into_response()
}

fn error(e: AuthorityError) -> Response {
    match e {
        AuthorityError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m).into_response(),
        AuthorityError::Refused(m) => (StatusCode::BAD_REQUEST, m).into_response(),
        AuthorityError::Timeout(m) => (StatusCode::GATEWAY_TIMEOUT, m).into_response(),
    }
}

async fn submit(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorised(&app, &headers) {
        return unauthorised();
    }
    let sim = app.sim.clone();
    let outcome = tokio::task::spawn_blocking(move || sim.handle(&body)).await;
    match outcome {
        Ok(Ok(replies)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            replies.concat(),
        )
            .into_response(),
        Ok(Err(AuthorityError::Timeout(m))) => {
            tokio::time::sleep(app.options.timeout_hold).await;
            (StatusCode::GATEWAY_TIMEOUT, m).into_response()
        }
        Ok(Err(e)) => error(e),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "simulator task failed").into_response(),
    }
}

async fn replies(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&app, &headers) {
        return unauthorised();
    }
    match app.sim.replies_now(&id) {
        Ok(v) => axum::Json(serde_json::json!({ "replies": v })).into_response(),
        Err(e) => error(e),
    }
}

async fn counters(State(app): State<App>, headers: HeaderMap) -> Response {
    if !authorised(&app, &headers) {
        return unauthorised();
    }
    axum::Json(app.sim.counters()).into_response()
}

/// The simulator served on a tokio listener, until dropped (tests) or shut down (binary).
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl HttpServer {
    /// Binds `listen` (`127.0.0.1:0` picks a free port) and serves in a background task.
    pub async fn start(
        sim: Arc<Simulator>,
        options: HttpOptions,
        listen: &str,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let app = router(sim, options);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "authority simulator server stopped");
            }
        });
        Ok(HttpServer { addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the endpoint a `TvanConfig` points at.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
