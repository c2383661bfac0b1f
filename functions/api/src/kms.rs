//! Signing with a cloud key: KMS behind a signer function, reached with Lambda `Invoke`.
//!
//! The tenant's KMS key (RSA_2048, SIGN_VERIFY) may be used by one function only, the signer
//! function, whose role alone has `kms:Sign` (see `infra/`). The API function holds the
//! certificate and asks the signer function to sign the canonical `SignedInfo` bytes:
//!
//! ```text
//! API function ── Invoke {tenant, key_id, message: base64} ──► signer function ── kms:Sign RAW ──► KMS
//!              ◄─────────────── {signature: base64} ───────────┘
//! ```
//!
//! KMS signs with `MessageType=RAW` and `RSASSA_PKCS1_V1_5_SHA_256`, i.e. it hashes the message
//! itself — the same value as a local key's RSA-SHA256 (and what moto, the test emulator, does
//! correctly; its `DIGEST` mode does not). Every SDK type stays in this file.

use crate::ports::{SignError, Signer};
use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use base64::Engine;
use hoadon_core::dsig::SignerCertificate;
use serde::{Deserialize, Serialize};

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// The SDK's error with its cause chain.
fn error<E: std::error::Error>(e: E) -> SignError {
    SignError(crate::ports::error_chain(&e))
}

/// A KMS key that signs.
pub struct KmsKey {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsKey {
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        KmsKey {
            client,
            key_id: key_id.into(),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// RSA PKCS#1 v1.5 with SHA-256 over `message` (KMS hashes it: `MessageType=RAW`).
    pub async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let out = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message.to_vec()))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::RsassaPkcs1V15Sha256)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .signature()
            .ok_or_else(|| SignError("KMS returned no signature".into()))?
            .as_ref()
            .to_vec())
    }

    /// The key's SubjectPublicKeyInfo (DER), for its certificate.
    pub async fn public_key_der(&self) -> Result<Vec<u8>, SignError> {
        let out = self
            .client
            .get_public_key()
            .key_id(&self.key_id)
            .send()
            .await
            .map_err(error)?;
        Ok(out
            .public_key()
            .ok_or_else(|| SignError("KMS returned no public key".into()))?
            .as_ref()
            .to_vec())
    }
}

/// What the API function sends the signer function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignRequest {
    pub tenant: String,
    pub key_id: String,
    /// The canonical SignedInfo, base64.
    pub message: String,
}

/// What the signer function answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignResponse {
    /// RSA-SHA256 signature value, base64.
    pub signature: String,
}

/// The signer function: signs for its own tenant with its own key, and nothing else.
pub struct SignerFunction {
    pub tenant: String,
    pub key: KmsKey,
}

/// The largest message the signer function signs (a SignedInfo is under 2 KB).
const MAX_MESSAGE: usize = 64 * 1024;

impl SignerFunction {
    /// Signs, logging `signer.signed` (the message's length) or `signer.failed` (the reason);
    /// never the message or the signature.
    pub async fn handle(&self, req: SignRequest) -> Result<SignResponse, SignError> {
        let result = self.sign_request(&req).await;
        match &result {
            Ok(_) => tracing::info!(
                event = "signer.signed",
                tenant = %self.tenant,
                message_b64_len = req.message.len()
            ),
            Err(e) => tracing::warn!(event = "signer.failed", tenant = %self.tenant, reason = %e.0),
        }
        result
    }

    async fn sign_request(&self, req: &SignRequest) -> Result<SignResponse, SignError> {
        if req.tenant != self.tenant || req.key_id != self.key.key_id() {
            return Err(SignError(
                "this signer signs only for its own tenant and key".into(),
            ));
        }
        let message = b64()
            .decode(&req.message)
            .map_err(|_| SignError("message is not base64".into()))?;
        if message.is_empty() || message.len() > MAX_MESSAGE {
            return Err(SignError("message must be 1 byte to 64 KiB".into()));
        }
        let signature = self.key.sign(&message).await?;
        Ok(SignResponse {
            signature: b64().encode(signature),
        })
    }
}

/// How a refusal reaches the caller of `Invoke`: `errorType` `SignError`, the message as is.
impl From<SignError> for lambda_http::lambda_runtime::Diagnostic {
    fn from(e: SignError) -> Self {
        lambda_http::lambda_runtime::Diagnostic {
            error_type: "SignError".into(),
            error_message: e.0,
        }
    }
}

/// The `Signer` port in the API function: the certificate from configuration, the signature
/// from the signer function through Lambda `Invoke`.
pub struct InvokeSigner {
    client: aws_sdk_lambda::Client,
    function: String,
    tenant: String,
    key_id: String,
    certificate: SignerCertificate,
}

impl InvokeSigner {
    pub fn new(
        client: aws_sdk_lambda::Client,
        function: &str,
        tenant: &str,
        key_id: &str,
        certificate: SignerCertificate,
    ) -> Self {
        InvokeSigner {
            client,
            function: function.to_owned(),
            tenant: tenant.to_owned(),
            key_id: key_id.to_owned(),
            certificate,
        }
    }
}

#[async_trait]
impl Signer for InvokeSigner {
    fn certificate(&self) -> &SignerCertificate {
        &self.certificate
    }

    async fn sign(&self, signed_info: Vec<u8>) -> Result<Vec<u8>, SignError> {
        invoke_sign(
            &self.client,
            &self.function,
            &self.tenant,
            &self.key_id,
            &signed_info,
        )
        .await
    }
}

/// One signature from the signer function, through Lambda `Invoke`.
pub async fn invoke_sign(
    client: &aws_sdk_lambda::Client,
    function: &str,
    tenant: &str,
    key_id: &str,
    message: &[u8],
) -> Result<Vec<u8>, SignError> {
    let req = SignRequest {
        tenant: tenant.to_owned(),
        key_id: key_id.to_owned(),
        message: b64().encode(message),
    };
    let payload = serde_json::to_vec(&req).map_err(|e| SignError(e.to_string()))?;
    let out = client
        .invoke()
        .function_name(function)
        .payload(aws_sdk_lambda::primitives::Blob::new(payload))
        .send()
        .await
        .map_err(error)?;
    let body = out
        .payload()
        .map(|p| p.as_ref().to_vec())
        .unwrap_or_default();
    if let Some(kind) = out.function_error() {
        return Err(SignError(format!(
            "signer function {kind}: {}",
            String::from_utf8_lossy(&body)
        )));
    }
    let resp: SignResponse =
        serde_json::from_slice(&body).map_err(|e| SignError(format!("signer answer: {e}")))?;
    b64()
        .decode(resp.signature)
        .map_err(|_| SignError("signature is not base64".into()))
}

/// A self-signed certificate (PEM, subject `UID=MST:<tax id>`) for a key that stays in KMS:
/// `public_key_der` from `GetPublicKey`, the signature from `sign` (the signer function in a
/// stack, where nobody else may use the key). For staging and tests: invoices filed with the
/// tax authority need a certificate from a licensed CA. Needs a multi-threaded runtime.
pub async fn self_signed_certificate<F, Fut>(
    public_key_der: &[u8],
    name: &str,
    tax_id: &str,
    valid: (hoadon_core::DateTime, hoadon_core::DateTime),
    sign: F,
) -> Result<String, String>
where
    F: Fn(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, SignError>>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        hoadon_signing::selfsigned::certificate_for(
            public_key_der,
            name,
            tax_id,
            valid.0,
            valid.1,
            |tbs| {
                handle
                    .block_on(sign(tbs.to_vec()))
                    .map_err(|e| e.to_string())
            },
        )
    })
}

/// A certificate request (PKCS#10 PEM, subject `C=VN, CN=<name>, UID=MST:<tax id>`) for a key
/// that stays in KMS: `public_key_der` from `GetPublicKey`, the signature from `sign` (KMS `Sign`
/// `RSASSA_PKCS1_V1_5_SHA_256`, directly or through the signer function), checked against that
/// public key before it is returned. What a licensed CA needs to issue the key's certificate.
pub async fn certificate_request<F, Fut>(
    public_key_der: &[u8],
    name: &str,
    tax_id: &str,
    sign: F,
) -> Result<String, String>
where
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, SignError>>,
{
    let info = hoadon_signing::csr::request_info(public_key_der, name, tax_id);
    let signature = sign(info.clone()).await.map_err(|e| e.0)?;
    hoadon_signing::csr::assemble(public_key_der, info, &signature).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulators::{
        Emulator, invoke_stand_in, kms_certificate, kms_key, loopback_sdk_config,
        signed_by_certificate,
    };
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_signer_function_signs_raw_bytes_that_verify_outside_kms() {
        let moto = Emulator::moto().await;
        let key = kms_key(&moto).await;
        let (pem, _) = kms_certificate(&key).await;
        let id = key.key_id().to_owned();
        let f = SignerFunction {
            tenant: "anphat".into(),
            key,
        };
        let message = b"<SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\">...</SignedInfo>";
        let req = SignRequest {
            tenant: "anphat".into(),
            key_id: id.clone(),
            message: b64().encode(message),
        };
        let sig = b64()
            .decode(f.handle(req.clone()).await.unwrap().signature)
            .unwrap();
        // Verified by hoadon's own RSA code with the public key from the certificate: not by moto.
        assert!(signed_by_certificate(&pem, message, &sig));
        // Another tenant's request, or another key, is refused.
        let other = SignRequest {
            tenant: "other".into(),
            ..req.clone()
        };
        assert!(f.handle(other).await.is_err());
        let wrong_key = SignRequest {
            key_id: "another-key".into(),
            ..req
        };
        assert!(f.handle(wrong_key).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_certificate_request_of_a_kms_key_verifies_with_openssl() {
        let moto = Emulator::moto().await;
        let key = kms_key(&moto).await;
        let spki = key.public_key_der().await.unwrap();
        let pem = certificate_request(&spki, "Công ty An Phát", "0109998883", |info| {
            let key = &key;
            async move { key.sign(&info).await }
        })
        .await
        .unwrap();
        let text = hoadon_signing::testing::openssl_req_verify(&pem);
        assert!(text.contains("verify OK"), "{text}");
        assert!(text.contains("UID=MST:0109998883"), "{text}");
        assert!(text.contains("CN=Công ty An Phát"), "{text}");
        // A signer holding another key is caught before anything is returned.
        let other = kms_key(&moto).await;
        let e = certificate_request(&spki, "X", "0109998883", |info| {
            let other = &other;
            async move { other.sign(&info).await }
        })
        .await
        .unwrap_err();
        assert!(e.contains("does not verify"), "{e}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_invoice_signed_through_invoke_and_kms_verifies() {
        let moto = Emulator::moto().await;
        let key = kms_key(&moto).await;
        let (_, cert) = kms_certificate(&key).await;
        let key_id = key.key_id().to_owned();
        let endpoint = invoke_stand_in(Arc::new(SignerFunction {
            tenant: "anphat".into(),
            key,
        }))
        .await;
        let signer = InvokeSigner::new(
            aws_sdk_lambda::Client::new(&loopback_sdk_config(&endpoint).await),
            "hoadon-anphat-signer",
            "anphat",
            &key_id,
            cert,
        );

        let doc: hoadon_core::InvoiceDocument =
            serde_json::from_str(include_str!("../../../shared/examples/invoice.json")).unwrap();
        let unsigned = hoadon_core::xml::render(&hoadon_core::check(&doc).invoice.unwrap());
        let prepared = hoadon_core::dsig::prepare(
            &unsigned,
            signer.certificate(),
            "2025-10-15T09:30:12".parse().unwrap(),
        )
        .unwrap();
        let value = signer.sign(prepared.signed_info().to_vec()).await.unwrap();
        let signed = prepared.attach(&value).unwrap();
        let r = &hoadon_core::dsig::verify_document(&signed).unwrap()[0];
        assert!(r.valid, "{r:?}");
        assert_eq!(r.tax_id.as_deref(), Some("0109998883"));

        // A signer function for another tenant answers with a function error, surfaced as such.
        let wrong = InvokeSigner::new(
            aws_sdk_lambda::Client::new(&loopback_sdk_config(&endpoint).await),
            "f",
            "other",
            &key_id,
            signer.certificate().clone(),
        );
        let e = wrong.sign(b"x".to_vec()).await.unwrap_err();
        assert!(e.0.contains("signer function Unhandled"), "{}", e.0);
    }
}
