//! `GET /api/health`: whether the store, the signer and the archive can be reached — for the
//! local system and for `infra/deploy`'s post-deploy check. No token (a monitor has none), so
//! the answer says only ok / not ok and how long each probe took; why a probe failed goes to
//! the log (`health.probe_failed`), never to an anonymous caller.
//!
//! The signer probe never signs: a health check must not use the key. It checks that a
//! signing certificate is loaded for the tenants served (on AWS: the one tenant of the stack,
//! once `infra/deploy` configured its certificate).

use super::AppState;

/// This router module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(health))]
pub(super) struct Api;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::future::Future;
use std::time::{Duration, Instant};

/// The answer: `200` when every probe is ok, `503` otherwise.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    pub store: Probe,
    pub signer: SignerProbe,
    pub archive: Probe,
}

/// One probe's outcome and duration.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Probe {
    pub ok: bool,
    pub ms: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignerProbe {
    pub ok: bool,
    /// How many tenants have their signing certificate loaded (a count, not names: the
    /// endpoint answers anyone).
    pub tenants: usize,
}

/// A probe that has not answered by then counts as failed (API Gateway gives up at 29 s).
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

async fn probe<E: std::fmt::Display>(
    name: &str,
    work: impl Future<Output = Result<(), E>>,
) -> Probe {
    let started = Instant::now();
    let ok = match tokio::time::timeout(PROBE_TIMEOUT, work).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(event = "health.probe_failed", probe = name, error = %e);
            false
        }
        Err(_) => {
            tracing::warn!(
                event = "health.probe_failed",
                probe = name,
                error = "timed out"
            );
            false
        }
    };
    Probe {
        ok,
        ms: started.elapsed().as_millis() as u64,
    }
}

/// `GET /api/health` (no token).
#[utoipa::path(
    get,
    path = "/api/health",
    responses(
        (status = 200, description = "Every probe answered", body = Health),
        (status = 503, description = "A probe failed or timed out (`status: degraded`)", body = Health),
    )
)]
pub(super) async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Response {
    let app = &state.0;
    let tenants = app.services.signing_tenants();
    // A get of a key nobody writes: a round trip to the store, nothing else.
    let key = crate::store::Key::new("HEALTH", "probe");
    let store = probe("store", async { app.store.get(&key).await.map(|_| ()) }).await;
    let archive = probe("archive", async {
        if tenants.is_empty() {
            return Err("no tenant has a signing key, so no archive part to probe".to_owned());
        }
        for t in &tenants {
            app.services
                .archive
                .health(t)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
    .await;
    let signer = SignerProbe {
        ok: !tenants.is_empty(),
        tenants: tenants.len(),
    };
    let ok = store.ok && signer.ok && archive.ok;
    let body = Health {
        status: if ok { "ok" } else { "degraded" },
        store,
        signer,
        archive,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
