//! The tenant's signing certificates over HTTP: admins upload and revoke, admins and
//! accountants read. Handlers parse and answer; `crate::certificates` does the work.

use super::{AppState, Caller};
use crate::auth::Role;
use crate::certificates;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::Page;
use hoadon_core::api::certificates::{CertificateRequestView, CertificateUpload, CertificateView};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_certificates,
    upload_certificate,
    get_certificate,
    revoke_certificate,
    request_certificate
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/certificates",
            get(list_certificates).post(upload_certificate),
        )
        .route("/api/certificates/request", post(request_certificate))
        .route("/api/certificates/{id}", get(get_certificate))
        .route("/api/certificates/{id}/revoke", post(revoke_certificate))
}

/// `GET /api/certificates`: every certificate, revoked ones included, newest first (a tenant
/// has a handful: one page).
#[utoipa::path(
    get,
    path = "/api/certificates",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every certificate of the tenant", body = Page<CertificateView>),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_certificates(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<Page<CertificateView>>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    Ok(Json(Page {
        items: certificates::with_series(
            &st.0.services,
            &caller.store,
            certificates::list(&caller.store).await?,
        )
        .await?,
        next: None,
    }))
}

/// `POST /api/certificates`: register a certificate (PEM or base64 DER). `201` when new, `200`
/// with the existing record when the same certificate is registered already. Refused with
/// `422`: `certificate.pem_or_der`, `certificate.unreadable`, `certificate.weak_key`,
/// `certificate.no_tax_id`, `certificate.other_tax_id`, `certificate.not_valid_now`,
/// `certificate.bad_label`.
#[utoipa::path(
    post,
    path = "/api/certificates",
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
async fn upload_certificate(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<CertificateUpload>,
) -> Result<(StatusCode, Json<CertificateView>), ApiError> {
    caller.require(&[Role::Admin])?;
    register(&st, &caller, body).await
}

/// Registers a certificate (`201`, or `200` when it is known) and lets the server's signers
/// adopt it if it is for their key: the admins' upload and the desktop signer's registration.
pub(super) async fn register(
    st: &AppState,
    caller: &Caller,
    body: CertificateUpload,
) -> Result<(StatusCode, Json<CertificateView>), ApiError> {
    let (v, created) =
        certificates::upload(&st.0.services, &caller.store, body, &caller.claims.sub).await?;
    refresh_signer(st, caller).await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(v)))
}

/// `GET /api/certificates/{id}`.
#[utoipa::path(
    get,
    path = "/api/certificates/{id}",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{64}$", description = "SHA-256 of the DER")),
    responses(
        (status = 200, description = "The certificate", body = CertificateView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn get_certificate(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let one = certificates::get(&caller.store, &id).await?;
    let mut with = certificates::with_series(&st.0.services, &caller.store, vec![one]).await?;
    Ok(Json(with.remove(0)))
}

/// `POST /api/certificates/{id}/revoke`: no longer used to sign; stays listed, marked.
/// Revoking a revoked certificate answers it unchanged.
#[utoipa::path(
    post,
    path = "/api/certificates/{id}/revoke",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{64}$", description = "SHA-256 of the DER")),
    responses(
        (status = 200, description = "Revoked", body = CertificateView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn revoke_certificate(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let v = certificates::revoke(&st.0.services, &caller.store, &id, &caller.claims.sub).await?;
    refresh_signer(&st, &caller).await;
    Ok(Json(v))
}

/// The registry changed: the tenant's signer looks again for the certificate to sign with (a
/// CA's certificate for its key, or none once revoked).
async fn refresh_signer(st: &AppState, caller: &Caller) {
    use hoadon_core::lifecycle::SigningMode;
    for mode in [SigningMode::Cloud, SigningMode::Remote] {
        if let Ok(signer) = st.0.services.signer_for(caller.store.tenant(), mode) {
            signer.refresh_certificate().await;
        }
    }
}

/// `POST /api/certificates/request`: a certificate request (PKCS#10, PEM) for the tenant's
/// signing key, subject `C=VN, CN=<company>, UID=MST:<tax id>`, signed through the signer.
/// Send it to a CA; upload the certificate it issues (with its chain) to
/// `POST /api/certificates`, and it is used for this key's signatures from then on. Refused:
/// `422 certificate_request.profile_incomplete`, `503 certificate_request.signer_failed`,
/// `503 signing_key_missing`.
#[utoipa::path(
    post,
    path = "/api/certificates/request",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The certificate request", body = CertificateRequestView),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn request_certificate(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Json<CertificateRequestView>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        crate::signing_key::certificate_request(&st.0.services, &caller.store).await?,
    ))
}
