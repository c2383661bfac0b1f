//! Token mode over HTTP (#15): a desktop signing session claims invoices and posts their
//! signatures; a frozen invoice can be withdrawn to a draft; admins choose each series' signing
//! mode. The signer's routes take a [`SigningCaller`], so a signer's personal access token
//! reaches these and nothing else. Handlers parse and answer; `invoices::token` does the work.

use super::{AppState, Caller, SigningCaller};
use crate::auth::Role;
use crate::error::ApiError;
use crate::invoices::{self, token};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use hoadon_core::api::certificates::{CertificateUpload, CertificateView};
use hoadon_core::api::signing::{
    ClaimRequest, SeriesSigning, SignatureBatch, SignatureResults, SigningBundle,
};
use hoadon_core::api::{InvoiceView, SeriesView};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    claim,
    post_signatures,
    register_certificate,
    withdraw,
    set_series_signing
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/signing/claims", post(claim))
        .route("/api/signing/signatures", post(post_signatures))
        .route("/api/signing/certificates", post(register_certificate))
        .route("/api/invoices/{id}/withdraw", post(withdraw))
        .route("/api/series/{series}/signing", put(set_series_signing))
}

/// Who may sign with a token: admins, accountants, and signer access tokens.
const SIGNERS: &[Role] = &[Role::Admin, Role::Accountant, Role::Signer];

/// `POST /api/signing/claims`: claim invoices awaiting a token signature for a registered
/// certificate — they are numbered now (gapless, in claim order) and each one's exact
/// `SignedInfo` is returned with its SHA-256. An invoice claimed before and never answered comes
/// again with the same number and bytes. Refused with `422 certificate.*` when the certificate is
/// not registered, revoked, not the company's or not valid now.
#[utoipa::path(
    post,
    path = "/api/signing/claims",
    security(("bearer" = [])),
    request_body(content = ClaimRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The claimed invoices (also the bundle for offline signing)", body = SigningBundle),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn claim(
    State(st): State<AppState>,
    SigningCaller(caller): SigningCaller,
    Json(body): Json<ClaimRequest>,
) -> Result<Json<SigningBundle>, ApiError> {
    caller.require(SIGNERS)?;
    let svc = st.0.services.clone();
    let (ts, actor) = (caller.store.clone(), caller.claims.sub.clone());
    // Detached like issuing: numbering must not stop halfway because a client went away.
    let work = async move { token::claim(&svc, &ts, &body, &actor).await };
    let bundle = tokio::spawn(tracing::Instrument::in_current_span(work))
        .await
        .map_err(|e| ApiError::Internal(format!("claiming stopped: {e}")))??;
    Ok(Json(bundle))
}

/// `POST /api/signing/signatures`: one or many signatures (or a signed bundle). Each is attached
/// only if it verifies over the invoice's stored `SignedInfo` with the registered certificate it
/// was claimed for, the seller's and valid at the signing time; otherwise that invoice gets a
/// typed refusal and nothing of it changes. The same signature again: `already_attached`.
#[utoipa::path(
    post,
    path = "/api/signing/signatures",
    security(("bearer" = [])),
    request_body(content = SignatureBatch, content_type = "application/json"),
    responses(
        (status = 200, description = "One outcome per signature, in order", body = SignatureResults),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn post_signatures(
    State(st): State<AppState>,
    SigningCaller(caller): SigningCaller,
    Json(body): Json<SignatureBatch>,
) -> Result<Json<SignatureResults>, ApiError> {
    caller.require(SIGNERS)?;
    let svc = st.0.services.clone();
    let (ts, actor) = (caller.store.clone(), caller.claims.sub.clone());
    let work = async move { token::attach(&svc, &ts, &body, &actor).await };
    let results = tokio::spawn(tracing::Instrument::in_current_span(work))
        .await
        .map_err(|e| ApiError::Internal(format!("attaching stopped: {e}")))??;
    Ok(Json(results))
}

/// `POST /api/signing/certificates`: the desktop signer registers the token's certificate (the
/// same rules and audit as `POST /api/certificates`), **with an admin's session only**: a
/// registered certificate is what makes a signature the company's (and the server's signers
/// adopt one for their key), so a signer access token — a credential that travels to desktops —
/// may use registered certificates but never add one.
#[utoipa::path(
    post,
    path = "/api/signing/certificates",
    security(("bearer" = [])),
    request_body(content = CertificateUpload, content_type = "application/json"),
    responses(
        (status = 200, description = "Already registered: the record as it is", body = CertificateView),
        (status = 201, description = "Registered", body = CertificateView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn register_certificate(
    State(st): State<AppState>,
    SigningCaller(caller): SigningCaller,
    Json(body): Json<CertificateUpload>,
) -> Result<(StatusCode, Json<CertificateView>), ApiError> {
    caller.require(&[Role::Admin])?;
    super::certificates::register(&st, &caller, body).await
}

/// `POST /api/invoices/{id}/withdraw`: an invoice awaiting its token signature and not yet
/// claimed goes back to being a draft (no number was taken). `409 not_awaiting_token` otherwise.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/withdraw",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id")),
    responses(
        (status = 200, description = "A draft again", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
    )
)]
async fn withdraw(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    let v = token::withdraw(&st.0.services, &caller.store, &id, &caller.claims.sub).await?;
    Ok(Json(v))
}

/// `PUT /api/series/{series}/signing`: how the series' invoices are signed from now on (admins).
/// Invoices already issued keep the mode they were issued with.
#[utoipa::path(
    put,
    path = "/api/series/{series}/signing",
    security(("bearer" = [])),
    params(("series" = String, Path, pattern = "^[1-9][CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$", description = "`<form><symbol>`, e.g. `1C25TAA`")),
    request_body(content = SeriesSigning, content_type = "application/json"),
    responses(
        (status = 200, description = "The series with its mode", body = SeriesView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn set_series_signing(
    State(st): State<AppState>,
    caller: Caller,
    Path(series): Path<String>,
    Json(body): Json<SeriesSigning>,
) -> Result<Json<SeriesView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let v = invoices::set_signing_mode(
        &st.0.services,
        &caller.store,
        &series,
        body.mode,
        &caller.claims.sub,
    )
    .await?;
    Ok(Json(v))
}
