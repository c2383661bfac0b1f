//! Personal access tokens over HTTP: a signed-in user creates, lists and revokes them; a token
//! asks who it is. Handlers parse and answer; `crate::access_tokens` does the work.
//!
//! Who may do what: a signer token is created by admins and accountants
//! (`access_tokens::may_create`); everyone signed in lists their own tokens, admins the
//! tenant's; the creator or an admin revokes. A request made *with* an access token creates
//! none (`403 access_token.not_with_a_token`), whatever its role: a leaked token must not be
//! able to mint a longer-lived one.

use super::{AppState, Caller, SigningCaller};
use crate::access_tokens;
use crate::auth::Role;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use hoadon_core::api::Page;
use hoadon_core::api::access_tokens::{
    AccessTokenSelf, AccessTokenView, CreateAccessToken, CreatedAccessToken,
};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_access_tokens,
    create_access_token,
    revoke_access_token,
    access_token_self
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/access-tokens",
            get(list_access_tokens).post(create_access_token),
        )
        .route("/api/access-tokens/self", get(access_token_self))
        .route("/api/access-tokens/{id}", delete(revoke_access_token))
}

/// `GET /api/access-tokens`: the caller's own tokens (an admin: every token of the tenant),
/// revoked and expired ones included, newest first.
#[utoipa::path(
    get,
    path = "/api/access-tokens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens the caller may see", body = Page<AccessTokenView>),
        super::openapi::SignedIn,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_access_tokens(caller: Caller) -> Result<Json<Page<AccessTokenView>>, ApiError> {
    let of = (caller.claims.role != Role::Admin).then_some(caller.claims.sub.as_str());
    Ok(Json(Page {
        items: access_tokens::list(&caller.store, of).await?,
        next: None,
    }))
}

/// `POST /api/access-tokens`: a new token, **shown once** in the answer (the server keeps only
/// its SHA-256). Refused: `403` for a role that may not create this kind, or a request made
/// with an access token; `422 access_token.bad_name`, `access_token.bad_expiry`.
#[utoipa::path(
    post,
    path = "/api/access-tokens",
    security(("bearer" = [])),
    request_body(content = CreateAccessToken, content_type = "application/json",
        example = json!({"name": "Máy ký token — kế toán", "role": "signer", "expires_in_days": 90})),
    responses(
        (status = 201, description = "Created: the token, shown this once", body = CreatedAccessToken),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn create_access_token(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateAccessToken>,
) -> Result<(StatusCode, Json<CreatedAccessToken>), ApiError> {
    if caller.token_id.is_some() || !access_tokens::may_create(caller.claims.role, body.role) {
        return Err(ApiError::Forbidden);
    }
    let now = st.0.services.clock.now();
    let created =
        access_tokens::create(&st.0.store, &caller.store, now, body, &caller.claims.sub).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/access-tokens/{id}`: revoked at once (refused from the next request on); it
/// stays listed. Only its creator or an admin; to anyone else it does not exist (`404`).
/// Revoking a revoked token answers it unchanged.
#[utoipa::path(
    delete,
    path = "/api/access-tokens/{id}",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The token's id")),
    responses(
        (status = 200, description = "Revoked", body = AccessTokenView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn revoke_access_token(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccessTokenView>, ApiError> {
    let now = st.0.services.clock.now();
    let admin = caller.claims.role == Role::Admin;
    Ok(Json(
        access_tokens::revoke(
            &st.0.store,
            &caller.store,
            now,
            &id,
            &caller.claims.sub,
            admin,
        )
        .await?,
    ))
}

/// `GET /api/access-tokens/self`: the access token the request came with — its record and
/// tenant. How the desktop signer checks its token (and the server it reaches) before asking
/// for the PIN. A user's sign-in token is not an access token: `404`.
#[utoipa::path(
    get,
    path = "/api/access-tokens/self",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's record", body = AccessTokenSelf),
        super::openapi::SignedIn,
        (status = 404, response = super::openapi::NotFound),
    )
)]
async fn access_token_self(
    SigningCaller(caller): SigningCaller,
) -> Result<Json<AccessTokenSelf>, ApiError> {
    let id = caller.token_id.as_deref().ok_or(ApiError::NotFound)?;
    let record = access_tokens::get(&caller.store, id).await?;
    Ok(Json(AccessTokenSelf {
        record,
        tenant: caller.store.tenant().to_owned(),
    }))
}
