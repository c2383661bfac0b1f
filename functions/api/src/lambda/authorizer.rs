//! The stack's **authorizer function**: the API executable with `HOADON_AUTHORIZER=1`, the HTTP
//! API's Lambda `REQUEST` authorizer for every `/api/*` route but the public two. What it
//! decides is [`crate::gateway_auth::decide`]; this is its wiring over the AWS adapters: the
//! tenant's table (read only: its role may `GetItem`, nothing else) and the pool's keys, fetched
//! like the API function's (on first need, at most once a minute).
//!
//! Settings: `HOADON_TENANT`, `HOADON_TABLE`, `HOADON_COGNITO_ISSUER`, `HOADON_COGNITO_CLIENT_ID`
//! — nothing of the archive, the signer or the queue, which it never touches.

use super::{JwksFetcher, check_url, required};
use crate::auth::CognitoVerifier;
use crate::gateway_auth::{AuthorizerEvent, AuthorizerResponse, bearer, decide};
use crate::ports::{Clock, SystemClock};
use crate::store::Store;
use crate::store::dynamodb::DynamoDbStore;
use std::sync::Arc;

pub struct Authorizer {
    tenant: String,
    store: Arc<dyn Store>,
    verifier: Arc<CognitoVerifier>,
    jwks: JwksFetcher,
}

impl Authorizer {
    /// From the environment (`get`) and the SDK configuration of the function's role. No
    /// network I/O.
    pub fn new(
        get: impl Fn(&str) -> Option<String>,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, String> {
        let tenant = required(&get, "HOADON_TENANT")?;
        let issuer = required(&get, "HOADON_COGNITO_ISSUER")?
            .trim_end_matches('/')
            .to_owned();
        check_url("HOADON_COGNITO_ISSUER", &issuer)?;
        let client_id = required(&get, "HOADON_COGNITO_CLIENT_ID")?;
        let table = required(&get, "HOADON_TABLE")?;
        let store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(sdk), &table);
        let verifier = Arc::new(CognitoVerifier::new(&issuer, &client_id, &tenant));
        Ok(Authorizer {
            jwks: JwksFetcher::new(verifier.clone())?,
            tenant,
            store: Arc::new(store),
            verifier,
        })
    }

    /// One authorizer event: the pool's keys fetched if a JWT names one not yet known, then the
    /// decision.
    pub async fn handle(&self, event: AuthorizerEvent) -> AuthorizerResponse {
        if let Some(token) = bearer(&event).filter(|t| !t.starts_with("hdp_")) {
            self.jwks.ensure_key_of(token).await;
        }
        let now = SystemClock.now();
        decide(&self.store, &*self.verifier, &self.tenant, now, &event).await
    }
}
