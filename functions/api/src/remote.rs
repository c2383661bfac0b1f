//! A CA's remote signing service as the tenant's [`Signer`] (the adapter and its HTTP shape:
//! `hoadon_signing::remote`), and its settings: `--remote-*` flags of `hoadon-server`, the same
//! `HOADON_REMOTE_*` variables on Lambda (one declaration, read by clap in both).
//!
//! The composition root registers it as the tenant's signer (wrapped in
//! `signing_key::CertifiedSigner` like any other), so every invoice of the tenant is signed
//! through the CA's service. Secrets come from the environment (or flags, which show in the
//! process list) and never reach `Debug` or the logs.

use crate::ports::{SignError, Signer};
use async_trait::async_trait;
use hoadon_core::dsig::SignerCertificate;
use hoadon_signing::remote::{HashFormat, RemoteAuth, RemoteConfig, RemoteSigner, Secret};
use std::time::Duration;

#[async_trait]
impl Signer for RemoteSigner {
    fn certificate(&self) -> &SignerCertificate {
        RemoteSigner::certificate(self)
    }

    /// The service's typed error, as text that names the service (and no secret).
    async fn sign(&self, signed_info: Vec<u8>) -> Result<Vec<u8>, SignError> {
        RemoteSigner::sign(self, &signed_info)
            .await
            .map_err(|e| SignError(e.to_string()))
    }
}

/// The tenant's account at its CA's remote signing service.
#[derive(clap::Args, Clone, Default)]
pub struct RemoteArgs {
    /// The service's base address (`POST {endpoint}{sign path}`).
    #[arg(long, env = "HOADON_REMOTE_ENDPOINT")]
    pub remote_endpoint: Option<String>,
    /// Its name in errors and logs (e.g. "VNPT SmartCA").
    #[arg(long, env = "HOADON_REMOTE_SERVICE", default_value = "remote signing")]
    pub remote_service: String,
    /// The integrator's client id, as the CA issued it.
    #[arg(long, env = "HOADON_REMOTE_CLIENT_ID")]
    pub remote_client_id: Option<String>,
    /// Its secret: prefer the variable (a flag shows in the process list).
    #[arg(long, env = "HOADON_REMOTE_CLIENT_SECRET", hide_env_values = true)]
    pub remote_client_secret: Option<String>,
    /// `basic` (HTTP Basic) or `body` (client id and secret in the JSON body).
    #[arg(long, env = "HOADON_REMOTE_AUTH", default_value = "basic",
          value_parser = ["basic", "body"])]
    pub remote_auth: String,
    /// The account holder at the CA.
    #[arg(long, env = "HOADON_REMOTE_USER_ID")]
    pub remote_user_id: Option<String>,
    /// The account holder's own secret, for services that sign without a phone confirmation.
    #[arg(long, env = "HOADON_REMOTE_USER_SECRET", hide_env_values = true)]
    pub remote_user_secret: Option<String>,
    /// The certificate's id at the CA (serial number, credential id).
    #[arg(long, env = "HOADON_REMOTE_CREDENTIAL_ID")]
    pub remote_credential_id: Option<String>,
    /// The account's certificate: a PEM file, or the PEM text itself (Lambda variables).
    #[arg(long, env = "HOADON_REMOTE_CERTIFICATE", hide_env_values = true)]
    pub remote_certificate: Option<String>,
    /// What is sent: `digest_info` (DER DigestInfo) or `sha256` (the bare digest).
    #[arg(long, env = "HOADON_REMOTE_HASH", default_value = "digest_info",
          value_parser = ["digest_info", "sha256"])]
    pub remote_hash: String,
    #[arg(
        long,
        env = "HOADON_REMOTE_SIGN_PATH",
        default_value = "/signatures/sign-hash"
    )]
    pub remote_sign_path: String,
    /// The status call, with `{transaction_id}`.
    #[arg(
        long,
        env = "HOADON_REMOTE_STATUS_PATH",
        default_value = "/signatures/{transaction_id}"
    )]
    pub remote_status_path: String,
    /// The longest wait, in seconds, for the account holder's confirmation.
    #[arg(long, env = "HOADON_REMOTE_MAX_WAIT", default_value_t = 180)]
    pub remote_max_wait: u64,
}

impl std::fmt::Debug for RemoteArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteArgs")
            .field("remote_endpoint", &self.remote_endpoint)
            .field("remote_client_id", &self.remote_client_id)
            .field("remote_user_id", &self.remote_user_id)
            .finish_non_exhaustive()
    }
}

/// Only the `HOADON_REMOTE_*` variables, for the Lambda function (which has no command line).
#[derive(clap::Parser)]
struct FromEnv {
    #[command(flatten)]
    remote: RemoteArgs,
}

impl RemoteArgs {
    /// The settings from the environment alone.
    pub fn from_env() -> Result<Self, String> {
        use clap::Parser;
        FromEnv::try_parse_from(["hoadon"])
            .map(|f| f.remote)
            .map_err(|e| format!("HOADON_REMOTE_*: {}", e.kind()))
    }

    /// The adapter these settings describe; every missing setting is named.
    pub fn signer(&self) -> Result<RemoteSigner, String> {
        let need = |v: &Option<String>, flag: &str| {
            v.clone()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("the remote signer needs --{flag}"))
        };
        let cert = need(&self.remote_certificate, "remote-certificate")?;
        let pem = if cert.contains("-----BEGIN") {
            cert
        } else {
            std::fs::read_to_string(&cert)
                .map_err(|e| format!("--remote-certificate {cert}: {e}"))?
        };
        let der = hoadon_signing::pem_block(&pem, "CERTIFICATE")
            .ok_or("--remote-certificate holds no PEM CERTIFICATE block")?;
        let mut c = RemoteConfig::new(
            &need(&self.remote_endpoint, "remote-endpoint")?,
            &need(&self.remote_client_id, "remote-client-id")?,
            Secret::new(need(&self.remote_client_secret, "remote-client-secret")?),
            &need(&self.remote_user_id, "remote-user-id")?,
            &need(&self.remote_credential_id, "remote-credential-id")?,
        );
        c.service = self.remote_service.clone();
        c.auth = match self.remote_auth.as_str() {
            "body" => RemoteAuth::Body,
            _ => RemoteAuth::Basic,
        };
        c.hash_format = HashFormat::parse(&self.remote_hash).unwrap_or(HashFormat::DigestInfo);
        c.user_secret = self
            .remote_user_secret
            .clone()
            .filter(|s| !s.is_empty())
            .map(Secret::new);
        c.sign_path = self.remote_sign_path.clone();
        c.status_path = self.remote_status_path.clone();
        c.max_wait = Duration::from_secs(self.remote_max_wait);
        RemoteSigner::new(c, &der).map_err(|e| e.to_string())
    }
}
