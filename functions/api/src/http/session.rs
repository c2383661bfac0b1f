//! Sign-in (local system) and the company profile.

use super::{AppState, Caller, if_match};
use crate::auth::{Claims, Role, verify_password};
use crate::error::ApiError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::api::{Login, LoginAnswer, ProfileView};
use hoadon_core::profile::CompanyProfile;

/// This router's part of the OpenAPI document (`openapi.rs` merges the parts).
#[derive(utoipa::OpenApi)]
#[openapi(paths(login, get_profile, put_profile, profile_audit))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/profile", get(get_profile).put(put_profile))
        .route("/api/profile/audit", get(profile_audit))
}

/// `POST /api/login`: e-mail and password → bearer token (12 h). The e-mail index is the only
/// store item outside every tenant; it names the tenant the token will carry.
#[utoipa::path(
    post,
    path = "/api/login",
    request_body(content = Login, content_type = "application/json",
        example = json!({"email": "admin@example.vn", "password": "correct horse battery staple"})),
    responses(
        (status = 200, description = "Signed in", body = LoginAnswer),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 404, response = super::openapi::NotFound),
    )
)]
async fn login(
    State(st): State<AppState>,
    Json(body): Json<Login>,
) -> Result<Json<LoginAnswer>, ApiError> {
    let app = &st.0;
    let issuer = app.issuer.as_ref().ok_or(ApiError::NotFound)?;
    let email = body.email.trim().to_lowercase();
    let item = app
        .store
        .get(&crate::store::Key::new("LOGIN", &email))
        .await?;
    let user: Option<crate::bootstrap::Login> = match item {
        Some(i) => {
            Some(serde_json::from_slice(&i.data).map_err(|e| ApiError::Internal(e.to_string()))?)
        }
        None => None,
    };
    // An unknown e-mail costs the same Argon2 work as a wrong password, so the answer's timing
    // does not tell which e-mails have an account.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => DUMMY
            .get_or_init(|| crate::auth::hash_password("not a password", &[7; 16]))
            .clone(),
    };
    let password = body.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::InvalidCredentials);
    };
    let claims = Claims {
        sub: email,
        tenant: user.tenant,
        role: user.role,
        exp: app.services.clock.now() + 12 * 3600,
    };
    Ok(Json(LoginAnswer {
        token: issuer.issue(&claims),
        tenant: claims.tenant.clone(),
        role: serde_json::to_value(claims.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        expires_at: claims.exp,
    }))
}

/// `GET /api/profile` (every role: the editor shows the seller block read-only).
#[utoipa::path(
    get,
    path = "/api/profile",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile and its version", body = ProfileView),
        super::openapi::SignedIn,
    )
)]
async fn get_profile(caller: Caller) -> Result<Json<ProfileView>, ApiError> {
    let (p, v) = crate::profile::current(&caller.store).await?;
    Ok(Json(crate::profile::view(p, v)))
}

/// `PUT /api/profile` (admins) with `If-Match` (0 for the first save).
#[utoipa::path(
    put,
    path = "/api/profile",
    security(("bearer" = [])),
    params(("If-Match" = u64, Header, description = "The version edited (0 for the first save)")),
    request_body(content = CompanyProfile, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = ProfileView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn put_profile(
    State(st): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<CompanyProfile>,
) -> Result<Json<ProfileView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let version = if_match(&headers)?;
    let now = st.0.services.clock.now();
    Ok(Json(
        crate::profile::update(&caller.store, now, version, body, &caller.claims.sub).await?,
    ))
}

/// `GET /api/profile/audit`: who changed the profile, when, which fields; the chain checked.
#[utoipa::path(
    get,
    path = "/api/profile/audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The chain, checked", body = crate::invoices::AuditReport),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn profile_audit(caller: Caller) -> Result<Json<crate::invoices::AuditReport>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    Ok(Json(crate::profile::audit(&caller.store).await?))
}
