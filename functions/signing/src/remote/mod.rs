//! A CA's remote signing service ("HSM account", "ký số từ xa"): the seller's key stays in the
//! CA's HSM; hoadon sends the SHA-256 digest of the canonical `SignedInfo` with the tenant's
//! account and gets the RSA PKCS#1 v1.5 signature back — often only after the account holder
//! confirmed the request on a phone.
//!
//! ## What the real services look like (public material read in 2026; not a contract)
//!
//! - **VNPT SmartCA** (integration guide v4, as summarised in integrators' public repositories):
//!   base `…/sca/sp769` (UAT and production hosts differ), every call a JSON `POST` carrying
//!   the integrator's `sp_id`/`sp_password` *in the body* and the user's `user_id`;
//!   `/v1/credentials/get_certificate` lists the user's certificates with their chain;
//!   `/v1/signatures/sign` takes `transaction_id`, `serial_number` and `sign_files[]` with
//!   `sign_type: "hash"` and `data_to_be_signed` (the hash, hex) and answers
//!   `sig_wait_for_user_confirm` with a `tran_code`; the signature is fetched by polling
//!   `/v1/signatures/sign/{tran_code}/status` (or pushed to a webhook). Wrong `sp_id`/password
//!   is `401`, a certificate not usable `403`.
//! - **Viettel MySign** (ADSS RAS, the Cloud Signature Consortium's API shape): a login
//!   (`/adss/service/ras/v1/login` with `client_id`, `client_secret`, `user_id`, `profile_id`)
//!   returns a bearer token; then `credentials/list`, `credentials/info`,
//!   `credentials/authorize` (the SAD, after the user's confirmation) and
//!   `signatures/signHash` (`hash[]`, `hashAlgo`, `signAlgo`).
//! - Others (MISA eSign, EFY, BKAV) follow one of the two: credentials in the body or a login
//!   for a token, a hash in, a transaction to confirm on a phone, polling or a webhook.
//!
//! ## hoadon's one shape
//!
//! As for T-VANs (`hoadon_authority::tvan`), hoadon speaks **one generic shape**, configured by
//! [`RemoteConfig`]; a service whose API differs (MySign's login + SAD, SmartCA's field names)
//! gets a thin translating adapter behind the same [`RemoteSigner::sign`], or a gateway.
//!
//! | call | request | answer |
//! |---|---|---|
//! | sign | `POST {endpoint}{sign_path}`, JSON [`SignHashRequest`] | `200` `{"status":"signed","signature":"<base64>"}`, or `200`/`202` `{"status":"pending","transaction_id":"…","poll_after_ms":N?}` |
//! | status | `GET {endpoint}{status_path}` with `{transaction_id}` replaced | `{"status":"pending"}`, `{"status":"signed","signature":…}`, `{"status":"refused","message":…}`, `{"status":"expired"}` |
//!
//! The account: `client_id`/`client_secret` (the integrator's, from the CA) either as HTTP
//! Basic ([`RemoteAuth::Basic`]) or in the body ([`RemoteAuth::Body`], as SmartCA does), plus
//! the user's `user_id` (and `user_secret` when the service signs without a phone, SmartCA
//! "TH" style), and `credential_id`, the certificate at the CA. The hash goes as a
//! `DigestInfo` (what a raw `RSA_PKCS1` HSM operation needs) or as the bare SHA-256
//! ([`HashFormat`]); either way it is base64.
//!
//! **Assumptions** (no public spec fixes them, so they are configuration or documented here):
//! the field names of [`SignHashRequest`] and of the answers, JSON errors with a `message`, the
//! `{transaction_id}` placeholder, `GET` for the status (SmartCA uses `POST`), the
//! certificate configured rather than fetched (`get_certificate`/`credentials/info` would
//! return it; the tenant uploads it to the registry instead), and no webhook (hoadon polls).
//!
//! ## Errors
//!
//! Every failure is a [`RemoteError`] naming the service: the account refused (`401`/`403`),
//! the request refused (other `4xx`, or the user declined), unavailable (connection, `429`,
//! `5xx`), no final answer within [`RemoteConfig::max_wait`], the user's confirmation expired,
//! an unreadable answer, or a **signature that does not verify** with the configured
//! certificate (checked here before anyone uses it; `Prepared::attach` checks again).
//! Secrets never reach `Debug`, errors or logs: only status lines and the service's `message`.

mod wire;

pub use wire::{SignHashRequest, SignHashResponse};

use crate::http::HttpsClient;
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use hoadon_core::dsig::{self, SignerCertificate};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use std::time::{Duration, Instant};

/// Largest answer read: a signature and a little JSON (a chain, at most).
const MAX_ANSWER_BYTES: usize = 256 << 10;

/// The DER prefix of a SHA-256 `DigestInfo` (RFC 8017 §9.2, note 1).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A secret (the client secret, a user's password): never printed, compared or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

/// Where the integrator's `client_id`/`client_secret` go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteAuth {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    Basic,
    /// `client_id` and `client_secret` in the JSON body (VNPT SmartCA's `sp_id`/`sp_password`).
    Body,
}

/// What is sent as `hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    /// The DER `DigestInfo` (SHA-256 OID + digest, 51 bytes): for services that run a raw
    /// `RSA_PKCS1` operation on what they get, as tokens do.
    DigestInfo,
    /// The bare 32-byte SHA-256: for services that build the `DigestInfo` themselves.
    Sha256,
}

impl HashFormat {
    /// The wire name: `digest_info` or `sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashFormat::DigestInfo => "digest_info",
            HashFormat::Sha256 => "sha256",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "digest_info" | "digestinfo" => Some(HashFormat::DigestInfo),
            "sha256" | "raw" => Some(HashFormat::Sha256),
            _ => None,
        }
    }
}

/// A tenant's account at its CA's remote signing service.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// A name for errors and logs ("VNPT SmartCA", "stand-in").
    pub service: String,
    /// Base address, `https://…` (or `http://` to a stand-in on loopback); no trailing `/`.
    pub endpoint: String,
    /// Path of the sign call (default `/signatures/sign-hash`).
    pub sign_path: String,
    /// Path of the status call, with `{transaction_id}` (default
    /// `/signatures/{transaction_id}`).
    pub status_path: String,
    pub auth: RemoteAuth,
    pub client_id: String,
    pub client_secret: Secret,
    /// The account holder at the CA (SmartCA: the id number; MySign: `user_id`).
    pub user_id: String,
    /// The account holder's own secret, for services that sign without a phone confirmation.
    pub user_secret: Option<Secret>,
    /// The certificate at the CA (SmartCA: its serial number; MySign: `credentialID`).
    pub credential_id: String,
    pub hash_format: HashFormat,
    /// One HTTP call, sending to complete answer.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// The longest wait for a pending transaction (the user's confirmation) before
    /// [`RemoteError::Timeout`].
    pub max_wait: Duration,
    /// The first status poll's delay (unless the service says `poll_after_ms`); doubles up to
    /// [`Self::poll_max`].
    pub poll_initial: Duration,
    pub poll_max: Duration,
}

impl RemoteConfig {
    /// A configuration with the default paths, Basic auth, `DigestInfo`, 30 s per call, 5 s to
    /// connect, and up to 3 minutes for the user's confirmation (polls 1 s doubling to 10 s).
    pub fn new(
        endpoint: &str,
        client_id: &str,
        client_secret: Secret,
        user_id: &str,
        credential_id: &str,
    ) -> Self {
        RemoteConfig {
            service: "remote signing".into(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            sign_path: "/signatures/sign-hash".into(),
            status_path: "/signatures/{transaction_id}".into(),
            auth: RemoteAuth::Basic,
            client_id: client_id.to_owned(),
            client_secret,
            user_id: user_id.to_owned(),
            user_secret: None,
            credential_id: credential_id.to_owned(),
            hash_format: HashFormat::DigestInfo,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_wait: Duration::from_secs(180),
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(10),
        }
    }
}

/// Why a remote signature was not obtained. Each names the service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error("remote signing service {service}: the configuration is unusable: {detail}")]
    Config { service: String, detail: String },
    #[error("remote signing service {service} refused the account (HTTP {status})")]
    Credentials { service: String, status: u16 },
    #[error("remote signing service {service} refused the request: {detail}")]
    Refused { service: String, detail: String },
    #[error("remote signing service {service} is unavailable: {detail}")]
    Unavailable { service: String, detail: String },
    #[error(
        "remote signing service {service}: transaction {transaction_id} not confirmed within {waited:?}"
    )]
    Timeout {
        service: String,
        transaction_id: String,
        waited: Duration,
    },
    #[error("remote signing service {service}: the user's confirmation expired")]
    Expired { service: String },
    #[error("remote signing service {service} answered something unreadable: {detail}")]
    BadAnswer { service: String, detail: String },
    #[error(
        "remote signing service {service} returned a signature that does not verify with the certificate"
    )]
    BadSignature { service: String },
}

/// The adapter: one account, one certificate. Cheap to share (the connection pool inside).
pub struct RemoteSigner {
    config: RemoteConfig,
    certificate: SignerCertificate,
    cert_der: Vec<u8>,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    basic: String,
    client: HttpsClient<Full<Bytes>>,
}

impl std::fmt::Debug for RemoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSigner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RemoteSigner {
    /// The adapter for `config`, whose signatures must verify with `cert_der` (the account's
    /// certificate, as the CA issued it).
    pub fn new(config: RemoteConfig, cert_der: &[u8]) -> Result<Self, RemoteError> {
        let bad = |detail: String| RemoteError::Config {
            service: config.service.clone(),
            detail,
        };
        let https = config.endpoint.starts_with("https://");
        if !https && !config.endpoint.starts_with("http://") {
            return Err(bad(format!(
                "endpoint {:?} is not an http(s) address",
                config.endpoint
            )));
        }
        for (name, path) in [
            ("sign path", &config.sign_path),
            ("status path", &config.status_path),
        ] {
            if !path.starts_with('/') {
                return Err(bad(format!("{name} {path:?} does not start with /")));
            }
        }
        if !config.status_path.contains("{transaction_id}") {
            return Err(bad("the status path has no {transaction_id}".into()));
        }
        let cert = dsig::cert::parse(cert_der).map_err(|e| bad(format!("certificate: {e}")))?;
        let certificate =
            SignerCertificate::from_der(cert_der).map_err(|e| bad(format!("certificate: {e}")))?;
        let client = crate::http::client(config.connect_timeout, https).map_err(bad)?;
        let basic = format!(
            "Basic {}",
            dsig::b64_encode(
                format!("{}:{}", config.client_id, config.client_secret.expose()).as_bytes()
            )
        );
        Ok(RemoteSigner {
            config,
            certificate,
            cert_der: cert_der.to_vec(),
            modulus: cert.modulus,
            exponent: cert.exponent,
            basic,
            client,
        })
    }

    pub fn config(&self) -> &RemoteConfig {
        &self.config
    }

    pub fn certificate(&self) -> &SignerCertificate {
        &self.certificate
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// RSA-SHA256 over `message` (the canonical `SignedInfo`): the digest goes to the service,
    /// the answer is checked against the certificate before it is returned.
    pub async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, RemoteError> {
        let hash = digest(&SHA256, message);
        let sent = match self.config.hash_format {
            HashFormat::DigestInfo => [&SHA256_DIGEST_INFO_PREFIX[..], hash.as_ref()].concat(),
            HashFormat::Sha256 => hash.as_ref().to_vec(),
        };
        let request = SignHashRequest {
            client_id: (self.config.auth == RemoteAuth::Body)
                .then(|| self.config.client_id.clone()),
            client_secret: (self.config.auth == RemoteAuth::Body)
                .then(|| self.config.client_secret.expose().to_owned()),
            user_id: self.config.user_id.clone(),
            user_secret: self
                .config
                .user_secret
                .as_ref()
                .map(|s| s.expose().to_owned()),
            credential_id: self.config.credential_id.clone(),
            request_id: request_id(),
            hash_algorithm: "SHA-256".into(),
            hash_format: self.config.hash_format.as_str().into(),
            hash: dsig::b64_encode(&sent),
            description: "hoadon: e-invoice signature".into(),
        };
        let body = serde_json::to_vec(&request).map_err(|e| self.bad_answer(e.to_string()))?;
        let sign_path = self.config.sign_path.clone();
        let first = self.call(Method::POST, &sign_path, Some(body)).await?;
        let signature = self.follow(first).await?;
        if !self.verifies(message, &signature) {
            return Err(RemoteError::BadSignature {
                service: self.config.service.clone(),
            });
        }
        Ok(signature)
    }

    /// Takes an answer to its end: a signature at once, or polling a pending transaction with
    /// a doubling delay until it is final or [`RemoteConfig::max_wait`] has passed.
    async fn follow(&self, mut answer: SignHashResponse) -> Result<Vec<u8>, RemoteError> {
        let start = Instant::now();
        let mut delay = self.config.poll_initial;
        let mut transaction = None;
        loop {
            match answer {
                SignHashResponse::Signed { signature } => {
                    return dsig::b64_decode(&signature)
                        .map_err(|_| self.bad_answer("the signature is not base64".into()));
                }
                SignHashResponse::Refused { message } => {
                    return Err(RemoteError::Refused {
                        service: self.config.service.clone(),
                        detail: message.unwrap_or_else(|| "declined".into()),
                    });
                }
                SignHashResponse::Expired => {
                    return Err(RemoteError::Expired {
                        service: self.config.service.clone(),
                    });
                }
                SignHashResponse::Pending {
                    transaction_id,
                    poll_after_ms,
                } => {
                    if let Some(t) = transaction_id {
                        transaction = Some(t);
                    }
                    let Some(id) = transaction.clone() else {
                        return Err(self.bad_answer("pending without a transaction_id".into()));
                    };
                    let wait = poll_after_ms
                        .map(Duration::from_millis)
                        .unwrap_or(delay)
                        .min(self.config.poll_max);
                    let waited = start.elapsed();
                    if waited + wait > self.config.max_wait {
                        return Err(RemoteError::Timeout {
                            service: self.config.service.clone(),
                            transaction_id: id,
                            waited,
                        });
                    }
                    tokio::time::sleep(wait).await;
                    delay = (delay * 2).min(self.config.poll_max);
                    answer = match self.call(Method::GET, &self.status_path(&id)?, None).await {
                        // A poll that fails for a moment does not end the wait.
                        Err(RemoteError::Unavailable { .. }) => SignHashResponse::Pending {
                            transaction_id: None,
                            poll_after_ms: None,
                        },
                        other => other?,
                    };
                }
            }
        }
    }

    fn status_path(&self, id: &str) -> Result<String, RemoteError> {
        // The id comes from the service and goes into a path: only URL-safe characters.
        if id.is_empty()
            || id.len() > 200
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        {
            return Err(self.bad_answer(format!("transaction id {id:?} is not URL-safe")));
        }
        Ok(self.config.status_path.replace("{transaction_id}", id))
    }

    /// One call; the status mapped to [`RemoteError`]s, the body read as an answer.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<SignHashResponse, RemoteError> {
        let service = &self.config.service;
        let uri = format!("{}{path}", self.config.endpoint);
        let mut req = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::ACCEPT, "application/json");
        if self.config.auth == RemoteAuth::Basic {
            req = req.header(header::AUTHORIZATION, &self.basic);
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| RemoteError::Config {
                service: service.clone(),
                detail: format!("{uri}: {e}"),
            })?;
        let unavailable = |detail: String| RemoteError::Unavailable {
            service: service.clone(),
            detail,
        };
        let exchange = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| unavailable(format!("{uri}: {}", crate::error_chain(&e))))?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| unavailable(format!("{uri}: answer cut short: {e}")))?
                .to_bytes();
            Ok::<_, RemoteError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.config.timeout, exchange)
            .await
            .map_err(|_| {
                unavailable(format!("{uri}: no answer within {:?}", self.config.timeout))
            })??;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| self.bad_answer(format!("{uri}: {e}")));
        }
        let detail = format!("{uri}: HTTP {status}: {}", wire::message(&bytes));
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RemoteError::Credentials {
                service: service.clone(),
                status: status.as_u16(),
            },
            StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => unavailable(detail),
            s if s.is_server_error() => unavailable(detail),
            _ => RemoteError::Refused {
                service: service.clone(),
                detail,
            },
        })
    }

    fn bad_answer(&self, detail: String) -> RemoteError {
        RemoteError::BadAnswer {
            service: self.config.service.clone(),
            detail,
        }
    }

    /// RSA PKCS#1 v1.5 SHA-256 of `message` under the certificate's key.
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &self.modulus[..],
            e: &self.exponent[..],
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .is_ok()
    }
}

/// 16 random bytes in hex: the service's idempotency key for one signing request.
fn request_id() -> String {
    use aws_lc_rs::rand::SecureRandom;
    let mut b = [0u8; 16];
    // The system generator does not fail on the platforms hoadon runs on; an all-zero id would
    // only weaken the service's duplicate detection.
    let _ = aws_lc_rs::rand::SystemRandom::new().fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(feature = "stand-in")]
pub mod stand_in;
