//! The composition root on AWS: the two Lambda functions of a tenant's stack, configured from
//! their environment (set by `infra/`), with the SDK configuration of the Lambda role.
//!
//! - The **API function** (`hoadon-lambda-api`): the same [`crate::http::router`] as the local
//!   system, over the DynamoDB store, the S3 archive, the Invoke signer and the tenant's Cognito
//!   pool. No `/api/login` (Cognito signs users in).
//! - The **signer function** (`hoadon-lambda-signer`): [`crate::kms::SignerFunction`], the only
//!   code that may use the tenant's KMS key.
//! - The API executable is also the **sweep function** (`HOADON_SWEEP=1`: [`sweep_and_pump`] on
//!   a schedule), the **outbox consumer** (`HOADON_OUTBOX=1`: [`outbox::Consumer`] on the
//!   tenant's SQS outbox queue) and the HTTP API's **authorizer** (`HOADON_AUTHORIZER=1`:
//!   [`authorizer::Authorizer`], pool tokens and personal access tokens).
//!
//! Cold start does no network I/O beyond one store query (the recovery sweep): the Cognito keys
//! are fetched on the first request that names a key the function does not have yet.

use crate::auth::CognitoVerifier;
use crate::http::{App, AppState};
use crate::invoices::{self, Services};
use crate::kms::{InvokeSigner, KmsKey, SignerFunction};
use crate::ports::{Clock, Signer, SystemClock};
use crate::s3_archive::S3Archive;
use crate::signing_key::CertifiedSigner;
use crate::sqs::SqsWake;
use crate::store::dynamodb::DynamoDbStore;
use crate::store::{Store, TenantStore};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use hoadon_core::dsig::SignerCertificate;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub mod authorizer;
pub mod delivery;
mod env;
pub mod outbox;

pub use env::ApiEnv;
use env::{check_url, required};

/// The application over the AWS adapters (DynamoDB, S3, the signer function, Cognito).
/// Also returns the Cognito verifier, whose keys the API function fetches when needed.
pub async fn app_state(
    env: &ApiEnv,
    sdk: &aws_config::SdkConfig,
) -> Result<(AppState, Arc<CognitoVerifier>), String> {
    let mut store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(sdk), &env.table);
    if let Some(n) = env.max_transaction_ops {
        store = store.with_max_transaction_ops(n);
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let mut signers: HashMap<String, Arc<dyn Signer>> = HashMap::new();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // The CA's remote signing service (HOADON_REMOTE_*): the signer of series in `remote` mode.
    let remote: Option<Arc<dyn Signer>> = if env.remote_signer {
        let inner = Arc::new(crate::remote::RemoteArgs::from_env()?.signer()?);
        Some(CertifiedSigner::adopting(inner, store.clone(), &env.tenant, clock.clone()).await?)
    } else {
        None
    };
    let inner: Option<Arc<dyn Signer>> = if let Some(pem) = &env.signer_certificate_pem {
        let der = hoadon_signing::pem_block(pem, "CERTIFICATE")
            .ok_or("HOADON_SIGNER_CERTIFICATE holds no PEM CERTIFICATE block")?;
        let certificate = SignerCertificate::from_der(&der)
            .map_err(|e| format!("HOADON_SIGNER_CERTIFICATE: {e}"))?;
        Some(Arc::new(InvokeSigner::new(
            aws_sdk_lambda::Client::new(sdk),
            &env.signer_function,
            &env.tenant,
            &env.kms_key_id,
            certificate,
        )))
    } else {
        None
    };
    if let Some(inner) = inner {
        // A CA's certificate registered for the key replaces the configured one.
        let signer = CertifiedSigner::adopting(inner, store.clone(), &env.tenant, clock.clone());
        signers.insert(env.tenant.clone(), signer.await?);
    }
    let s3 = aws_sdk_s3::Client::new(sdk);
    let verifier = Arc::new(CognitoVerifier::new(
        &env.cognito_issuer,
        &env.cognito_client_id,
        &env.tenant,
    ));
    let app = App {
        store,
        verifier: verifier.clone(),
        issuer: None,
        services: connect(
            env,
            {
                let services = Services::new(
                    clock,
                    Arc::new(S3Archive::new(s3, &env.archive_bucket)),
                    signers,
                );
                match remote {
                    Some(r) => services.with_remote_signer(&env.tenant, r),
                    None => services,
                }
            },
            sdk,
        )?,
    };
    Ok((AppState(Arc::new(app)), verifier))
}

/// The outbox's wake-ups through the tenant's queue, and the tenant's T-VAN. Only the T-VAN
/// adapter can be configured here: the local simulator of the authority has no constructor on
/// this path, so a production stack cannot send to it.
fn connect(
    env: &ApiEnv,
    services: Services,
    sdk: &aws_config::SdkConfig,
) -> Result<Services, String> {
    let mut services = services;
    if let Some(w) = outbox_wake(env, sdk) {
        services = services.with_wake(w);
    }
    if let Some(t) = &env.tvan {
        let client = hoadon_authority::TvanClient::new(t.clone()).map_err(|e| e.to_string())?;
        let pem = env.authority_certificate_pem.as_deref().unwrap_or_default();
        let cert = crate::outbox::TrustedAuthority::from_pem(pem, false)
            .map_err(|e| format!("HOADON_TVAN_AUTHORITY_CERT: {e}"))?;
        let link =
            crate::outbox::AuthorityLink::new(Arc::new(client), &t.sender_code).trusting(cert);
        services = services.with_authority(&env.tenant, link);
    }
    Ok(delivery::connect(&env.delivery, &env.tenant, services, sdk))
}

/// One pass of the recovery sweep over the stack's tenant: at cold start, and on the
/// EventBridge schedule (the sweep function, `HOADON_SWEEP=1`), so the promise of a `503
/// signing_pending` ("will be signed automatically") holds even when no request comes.
pub async fn sweep_once(state: &AppState, tenant: &str) -> Result<invoices::SweepReport, String> {
    let ts = TenantStore::new(tenant, state.0.store.clone());
    invoices::sweep(&state.0.services, &ts)
        .await
        .map_err(|e| e.to_string())
}

/// The sweep function's pass (`HOADON_SWEEP=1`, every five minutes): the recovery sweep, then
/// one [`crate::outbox::pump`] over the tenant's due outbox messages — the safety net under the
/// queue's wake-ups, so a lost wake-up delays a message by at most one schedule period. Both
/// run even if the first fails; either failing fails the invocation (the sweep errors alarm).
pub async fn sweep_and_pump(state: &AppState, tenant: &str) -> Result<serde_json::Value, String> {
    let sweep = sweep_once(state, tenant).await;
    let ts = TenantStore::new(tenant, state.0.store.clone());
    let pump = crate::outbox::pump(&state.0.services, &ts).await;
    match &pump {
        // An idle pass says nothing at the default level (one line every 5 minutes per tenant
        // would be most of the log).
        Ok(r) if r.attempted == 0 && r.open == 0 => tracing::debug!(event = "outbox.pump", tenant),
        Ok(r) => tracing::info!(
            event = "outbox.pump",
            tenant,
            attempted = r.attempted,
            done = r.done,
            failed = r.failed,
            open = r.open
        ),
        Err(e) => tracing::warn!(event = "outbox.pump_failed", tenant, error = %e),
    }
    let (sweep, pump) = (sweep?, pump.map_err(|e| format!("outbox pump: {e}"))?);
    Ok(serde_json::json!({
        "signed": sweep.signed, "failed": sweep.failed, "pending": sweep.pending,
        "outbox": {"attempted": pump.attempted, "done": pump.done, "failed": pump.failed, "open": pump.open}
    }))
}

/// The outbox's wake-ups for this stack: [`SqsWake`] on the tenant's queue, when configured.
pub fn outbox_wake(env: &ApiEnv, sdk: &aws_config::SdkConfig) -> Option<Arc<SqsWake>> {
    env.outbox_queue_url.as_ref().map(|url| {
        let wake = SqsWake::new(
            aws_sdk_sqs::Client::new(sdk),
            url,
            &env.tenant,
            Arc::new(SystemClock),
        );
        Arc::new(match &env.orders_queue_url {
            Some(orders) => wake.with_orders_queue(orders),
            None => wake,
        })
    })
}

/// The outbox consumer function (`HOADON_OUTBOX=1`) over the AWS adapters: the tenant's store
/// and services, and its queue for the next wake-ups. Its cold start does no network I/O.
pub async fn outbox_consumer(
    env: &ApiEnv,
    sdk: &aws_config::SdkConfig,
) -> Result<outbox::Consumer, String> {
    let wake = outbox_wake(env, sdk)
        .ok_or("HOADON_OUTBOX_QUEUE_URL is required by the outbox consumer (HOADON_OUTBOX=1)")?;
    let (state, _) = app_state(env, sdk).await?;
    let attempt = outbox::OutboxAttempt {
        services: state.0.services.clone(),
        store: TenantStore::new(&env.tenant, state.0.store.clone()),
    };
    Ok(outbox::Consumer::new(&env.tenant, Arc::new(attempt), wake))
}

/// The API function's Router: the application over the AWS adapters, behind the layer that
/// fetches the Cognito keys when a token names one the function does not have.
pub async fn api(env: &ApiEnv, sdk: &aws_config::SdkConfig) -> Result<axum::Router, String> {
    let (state, verifier) = app_state(env, sdk).await?;
    // Whatever a previous instance numbered and could not sign is signed now (issuing the same
    // invoice again does the same, so a failure here is logged, not fatal).
    // (The pass logs its own `sweep.pass` event.)
    if let Err(e) = sweep_once(&state, &env.tenant).await {
        tracing::warn!(event = "sweep.error", error = %e, "recovery sweep at cold start");
    }
    let jwks = Arc::new(JwksFetcher::new(verifier)?);
    Ok(crate::http::router(state)
        .layer(axum::middleware::from_fn_with_state(jwks, fetch_keys))
        .layer(axum::middleware::from_fn(lambda_request_id))
        .layer(axum::middleware::from_fn(delivery::client_addr)))
}

/// Lambda's request id becomes the request's [`crate::http::RequestId`]: the id in the API's
/// log lines, in the `x-request-id` header and in Lambda's own `REPORT` line are one.
async fn lambda_request_id(mut req: Request, next: Next) -> Response {
    use lambda_http::RequestExt;
    if let Some(ctx) = req.lambda_context_ref() {
        let id = crate::http::RequestId(ctx.request_id.clone());
        req.extensions_mut().insert(id);
    }
    next.run(req).await
}

/// The signer function over the tenant's KMS key (`HOADON_TENANT`, `HOADON_KMS_KEY_ID`).
pub fn signer(
    get: impl Fn(&str) -> Option<String>,
    sdk: &aws_config::SdkConfig,
) -> Result<SignerFunction, String> {
    Ok(SignerFunction {
        tenant: required(&get, "HOADON_TENANT")?,
        key: KmsKey::new(
            aws_sdk_kms::Client::new(sdk),
            required(&get, "HOADON_KMS_KEY_ID")?,
        ),
    })
}

/// At most one JWKS fetch per this interval, so tokens naming made-up key ids cannot turn the
/// function into a request amplifier against Cognito.
const JWKS_MIN_INTERVAL: Duration = Duration::from_secs(60);
/// A JWKS document is about 1 KB; anything past this is refused.
const JWKS_MAX_BYTES: usize = 64 * 1024;

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Empty<axum::body::Bytes>,
>;

/// Keeps the Cognito verifier's keys current: fetched on first need and on key rotation.
pub(crate) struct JwksFetcher {
    verifier: Arc<CognitoVerifier>,
    client: HttpsClient,
    last: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksFetcher {
    pub(crate) fn new(verifier: Arc<CognitoVerifier>) -> Result<Self, String> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| format!("TLS roots: {e}"))?
            // The issuer was checked: HTTPS, or HTTP to loopback only.
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        Ok(JwksFetcher {
            verifier,
            client,
            last: tokio::sync::Mutex::new(None),
        })
    }

    pub(crate) async fn ensure_key_of(&self, token: &str) {
        if self.verifier.knows_key_of(token) {
            return;
        }
        let mut last = self.last.lock().await;
        if self.verifier.knows_key_of(token)
            || last.is_some_and(|t| t.elapsed() < JWKS_MIN_INTERVAL)
        {
            return;
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(json) => {
                if let Err(e) = self.verifier.load_jwks(&json) {
                    tracing::warn!(event = "jwks.failed", url = self.verifier.jwks_url(), error = %e);
                }
            }
            Err(e) => {
                tracing::warn!(event = "jwks.failed", url = self.verifier.jwks_url(), error = %e)
            }
        }
    }

    async fn fetch(&self) -> Result<String, String> {
        use http_body_util::BodyExt;
        let uri: axum::http::Uri = self
            .verifier
            .jwks_url()
            .parse()
            .map_err(|e| format!("{e}"))?;
        let resp = tokio::time::timeout(Duration::from_secs(5), self.client.get(uri))
            .await
            .map_err(|_| "timed out".to_owned())?
            .map_err(|e| crate::ports::error_chain(&e))?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status()));
        }
        let body = http_body_util::Limited::new(resp.into_body(), JWKS_MAX_BYTES)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        String::from_utf8(body.to_vec()).map_err(|_| "not UTF-8".to_owned())
    }
}

async fn fetch_keys(State(jwks): State<Arc<JwksFetcher>>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = token {
        jwks.ensure_key_of(token).await;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let mut m: HashMap<String, String> = [
            ("HOADON_TENANT", "anphat"),
            ("HOADON_TABLE", "hoadon-anphat"),
            ("HOADON_ARCHIVE_BUCKET", "hoadon-anphat-archive"),
            ("HOADON_SIGNER_FUNCTION", "hoadon-anphat-signer"),
            ("HOADON_KMS_KEY_ID", "key-1"),
            (
                "HOADON_COGNITO_ISSUER",
                "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_X/",
            ),
            ("HOADON_COGNITO_CLIENT_ID", "client"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            if v.is_empty() {
                m.remove(*k);
            } else {
                m.insert(k.to_string(), v.to_string());
            }
        }
        move |k| m.get(k).cloned()
    }

    #[test]
    fn the_environment_is_read_and_each_problem_names_its_variable() {
        let env = ApiEnv::from_vars(vars(&[])).unwrap();
        assert_eq!(
            env.cognito_issuer,
            "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_X"
        );
        assert_eq!(
            (env.signer_certificate_pem, env.max_transaction_ops),
            (None, None)
        );
        for name in ApiEnv::VARS.iter().take(7) {
            let e = ApiEnv::from_vars(vars(&[(name, "")])).unwrap_err();
            assert!(e.contains(name), "{e}");
        }
        let e = ApiEnv::from_vars(vars(&[("HOADON_TENANT", "Bad Tenant")])).unwrap_err();
        assert!(e.contains("HOADON_TENANT"), "{e}");
        let e = ApiEnv::from_vars(vars(&[("HOADON_COGNITO_ISSUER", "http://cognito.example")]))
            .unwrap_err();
        assert!(e.contains("https://"), "{e}");
        assert!(
            ApiEnv::from_vars(vars(&[("HOADON_COGNITO_ISSUER", "http://127.0.0.1:9/p")])).is_ok()
        );
        let e = ApiEnv::from_vars(vars(&[("HOADON_MAX_TRANSACTION_OPS", "1000")])).unwrap_err();
        assert!(e.contains("HOADON_MAX_TRANSACTION_OPS"), "{e}");
    }

    #[test]
    fn the_tvan_settings_come_all_together_over_https() {
        assert!(ApiEnv::from_vars(vars(&[])).unwrap().tvan.is_none());
        let all = [
            ("HOADON_TVAN_ENDPOINT", "https://tvan.example/api"),
            ("HOADON_TVAN_USER", "acme"),
            ("HOADON_TVAN_SECRET", "s3cret-value"),
            ("HOADON_TVAN_SENDER", "V0309478306"),
            (
                "HOADON_TVAN_AUTHORITY_CERT",
                "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
            ),
        ];
        let env = ApiEnv::from_vars(vars(&all)).unwrap();
        let t = env.tvan.unwrap();
        assert_eq!(t.sender_code, "V0309478306");
        assert!(
            !format!("{t:?}").contains("s3cret-value"),
            "the secret stays out of Debug"
        );
        let err = ApiEnv::from_vars(vars(&all[..2])).unwrap_err();
        assert!(err.contains("go together"), "{err}");
        let err = ApiEnv::from_vars(vars(&all[..4])).unwrap_err();
        assert!(err.contains("HOADON_TVAN_AUTHORITY_CERT"), "{err}");
        let mut plain = all;
        plain[0].1 = "http://tvan.example/api";
        assert!(
            ApiEnv::from_vars(vars(&plain))
                .unwrap_err()
                .contains("https")
        );
    }

    #[test]
    fn the_outbox_queue_url_is_optional_and_https() {
        assert_eq!(ApiEnv::from_vars(vars(&[])).unwrap().outbox_queue_url, None);
        let url = "https://sqs.ap-southeast-1.amazonaws.com/123456789012/hoadon-anphat-outbox";
        let env = ApiEnv::from_vars(vars(&[("HOADON_OUTBOX_QUEUE_URL", url)])).unwrap();
        assert_eq!(env.outbox_queue_url.as_deref(), Some(url));
        let e = ApiEnv::from_vars(vars(&[(
            "HOADON_OUTBOX_QUEUE_URL",
            "http://sqs.example/1/q",
        )]))
        .unwrap_err();
        assert!(e.contains("HOADON_OUTBOX_QUEUE_URL"), "{e}");
        assert!(
            ApiEnv::from_vars(vars(&[(
                "HOADON_OUTBOX_QUEUE_URL",
                "http://127.0.0.1:5000/123456789012/q"
            )]))
            .is_ok()
        );
    }
}
