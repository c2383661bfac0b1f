//! `ApiError`: the one error type of the HTTP boundary, mapped once to a status and a typed JSON
//! body `{code, message, details[], current?}`. Codes are stable; clients match on them.

use crate::auth::AuthError;
use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hoadon_core::Finding;
use hoadon_core::api::{Detail, ErrorBody, InvoiceView};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `401`: no valid bearer token.
    #[error("authentication required: {0}")]
    Unauthorized(AuthError),
    /// `401`: wrong e-mail or password (never says which).
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// `403`: the caller's role may not do this.
    #[error("your role does not allow this")]
    Forbidden,
    /// `404`: no such record in the caller's tenant (another tenant's looks the same).
    #[error("not found")]
    NotFound,
    /// `400`: the request itself is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// `422`: the document breaks rules; every finding is listed.
    #[error("the invoice has errors")]
    Validation(Vec<Finding>),
    /// `422`: the company profile lacks what every invoice's seller block needs.
    #[error("complete the company profile before issuing")]
    ProfileIncomplete(Vec<Finding>),
    /// `413`: the body or the record is larger than the API keeps.
    #[error("{0}")]
    TooLarge(String),
    /// `409`: the draft changed since the version the client edited; `current` is the server's.
    #[error("the draft was changed elsewhere")]
    DraftConflict(Box<InvoiceView>),
    /// `409`: the entry changed since the version the client edited; `current` is the server's.
    #[error("the entry was changed elsewhere")]
    VersionConflict(Box<Value>),
    /// `409`: only drafts can be edited.
    #[error("the invoice is issued and can no longer be edited")]
    NotEditable,
    /// `409`: another record already has this id.
    #[error("this id is already used by another invoice")]
    IdTaken,
    /// `409`: the `Idempotency-Key` already created another invoice (a well-formed request that
    /// collides with what the server holds, not a malformed one).
    #[error("this Idempotency-Key was used for invoice {0}")]
    IdempotencyKeyReused(String),
    /// `409`: the record exists already.
    #[error("already exists")]
    Exists,
    /// `422`: the invoice's form and symbol are not a series of this tenant.
    #[error("series {0} does not exist; create it first")]
    UnknownSeries(String),
    /// `409`: the record's state does not allow this (a stable code of its own).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// `422`: a rule of the tenant's setup refuses this (e.g. `registration_required`).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// `503`: numbered but not signed; the recovery sweep will sign it.
    #[error(
        "the invoice is numbered but could not be signed yet ({0}); it will be signed automatically"
    )]
    SigningFailed(String),
    /// `503`: the tenant has no signing key configured; nothing was numbered.
    #[error("no signing key is configured for this tenant; nothing was numbered")]
    NoSigningKey,
    /// `503`: a service this request needs (the signer, a CA's service) failed; a stable code
    /// of its own and a message that names the service (never a secret).
    #[error("{1}")]
    Upstream(&'static str, String),
    /// `503`: the store or archive failed; retry.
    #[error("temporarily unavailable")]
    Unavailable(String),
    /// `500`: a bug; logged, never detailed to the client.
    #[error("internal error")]
    Internal(String),
    /// `429 rate_limited`: too many attempts from this client; try again after this many
    /// seconds.
    #[error(
        "quá nhiều lần tra cứu, hãy thử lại sau {0} giây / too many attempts; try again in {0} s"
    )]
    RateLimited(u64),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Unauthorized(_) | InvalidCredentials => StatusCode::UNAUTHORIZED,
            Forbidden => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            BadRequest(_) => StatusCode::BAD_REQUEST,
            Validation(_) | ProfileIncomplete(_) | UnknownSeries(_) | Unprocessable(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            DraftConflict(_)
            | VersionConflict(_)
            | NotEditable
            | IdTaken
            | IdempotencyKeyReused(_)
            | Conflict(..)
            | Exists => StatusCode::CONFLICT,
            SigningFailed(_) | NoSigningKey | Unavailable(_) | Upstream(..) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Unauthorized(_) => "unauthorized",
            InvalidCredentials => "invalid_credentials",
            Forbidden => "forbidden",
            NotFound => "not_found",
            BadRequest(_) => "bad_request",
            Validation(_) => "validation_failed",
            ProfileIncomplete(_) => "profile_incomplete",
            TooLarge(_) => "payload_too_large",
            DraftConflict(_) => "draft_conflict",
            VersionConflict(_) => "version_conflict",
            NotEditable => "invoice_not_editable",
            IdTaken => "id_taken",
            IdempotencyKeyReused(_) => "idempotency_key_reused",
            Exists => "already_exists",
            UnknownSeries(_) => "unknown_series",
            Conflict(code, _) | Unprocessable(code, _) | Upstream(code, _) => code,
            SigningFailed(_) => "signing_pending",
            NoSigningKey => "signing_key_missing",
            Unavailable(_) => "unavailable",
            Internal(_) => "internal",
            RateLimited(_) => "rate_limited",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::TooLarge(m) => ApiError::TooLarge(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(m) => tracing::error!(code = self.code(), "{m}"),
            ApiError::Unavailable(m) | ApiError::Upstream(_, m) => {
                tracing::warn!(code = self.code(), "{m}")
            }
            _ => {}
        }
        let details = match &self {
            ApiError::Validation(f) | ApiError::ProfileIncomplete(f) => {
                f.iter().map(Detail::from).collect()
            }
            _ => Vec::new(),
        };
        let current = match &self {
            ApiError::DraftConflict(v) => serde_json::to_value(v).ok(),
            ApiError::VersionConflict(v) => Some((**v).clone()),
            _ => None,
        };
        let body = ErrorBody::<Value> {
            code: self.code().to_owned(),
            message: self.to_string(),
            details,
            current,
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::RateLimited(after) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(after),
            );
        }
        response
    }
}
