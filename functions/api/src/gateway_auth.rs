//! The gateway's check of a bearer token, for the stack's **authorizer function** (the API
//! executable with `HOADON_AUTHORIZER=1`, an HTTP API Lambda `REQUEST` authorizer, payload 2.0,
//! simple responses; wired in `lambda::authorizer`).
//!
//! Why a Lambda authorizer and not the JWT authorizer the stack had: a JWT authorizer can only
//! check the pool's tokens, and a personal access token (`hdp_…`) is no JWT — it is known only by
//! its hash in the tenant's table. This function accepts either, with the same code the API
//! function runs ([`access_tokens::authenticate`]), so the two cannot disagree on what a valid
//! token is. The API function still verifies every request itself (defence in depth: a cached
//! gateway answer or a misrouted request never reaches data unverified), and only the API
//! function records a token's last use: the authorizer only reads.
//!
//! A token of another tenant is refused even if the store knew it (the stack serves one tenant;
//! on AWS its table holds no other tenant's index anyway).

use crate::access_tokens;
use crate::auth::TokenVerifier;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// What API Gateway sends a `REQUEST` authorizer (payload 2.0; the fields read). Header names
/// arrive in lower case.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerEvent {
    #[serde(default)]
    pub headers: HashMap<String, String>,
    #[serde(default)]
    pub route_key: Option<String>,
}

/// The event holds the token: its `Debug` shows only the route.
impl std::fmt::Debug for AuthorizerEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizerEvent")
            .field("route_key", &self.route_key)
            .field("headers", &"(redacted)")
            .finish()
    }
}

/// The simple response (`EnableSimpleResponses`): allowed or not, and what the request's
/// `$context.authorizer` carries (the tenant and role, never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerResponse {
    pub is_authorized: bool,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub context: HashMap<String, String>,
}

impl AuthorizerResponse {
    fn deny() -> Self {
        AuthorizerResponse {
            is_authorized: false,
            context: HashMap::new(),
        }
    }
}

/// The bearer token of an event, if any.
pub fn bearer(event: &AuthorizerEvent) -> Option<&str> {
    event
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.strip_prefix("Bearer "))
}

/// Allows the request when its bearer token is a valid pool token or access token of `tenant`.
/// Every failure (no token, unknown, revoked, expired, another tenant, the store unreachable)
/// denies; the reason is logged without the token.
pub async fn decide(
    store: &Arc<dyn Store>,
    verifier: &dyn TokenVerifier,
    tenant: &str,
    now: i64,
    event: &AuthorizerEvent,
) -> AuthorizerResponse {
    let Some(token) = bearer(event) else {
        return AuthorizerResponse::deny();
    };
    match access_tokens::authenticate(store, verifier, token, now, false).await {
        Ok((claims, _)) if claims.tenant == tenant => {
            let role = serde_json::to_value(claims.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            AuthorizerResponse {
                is_authorized: true,
                context: HashMap::from([
                    ("tenant".to_owned(), claims.tenant),
                    ("role".to_owned(), role),
                ]),
            }
        }
        Ok((claims, _)) => {
            tracing::warn!(event = "authorizer.other_tenant", tenant, token_tenant = %claims.tenant);
            AuthorizerResponse::deny()
        }
        Err(e) => {
            tracing::info!(event = "authorizer.denied", tenant, reason = %e);
            AuthorizerResponse::deny()
        }
    }
}
