//! The tenant's signing key and the certificate it signs with (#15): a certificate request for
//! the key, and the CA's certificate used once it is registered.
//!
//! The cloud key (KMS; the local key locally) starts with a self-signed certificate, which the
//! tax authority does not accept. An admin asks for a **certificate request**
//! (`POST /api/certificates/request`): a PKCS#10 whose public key is the key's and whose
//! signature is made through the signer itself (KMS `Sign` through the signer function — the
//! API function never needs `kms:GetPublicKey`: the key is the one in the signer's current
//! certificate, and the request's signature is checked against it, so a signer holding another
//! key cannot slip through). The CA's certificate comes back through the registry
//! (`POST /api/certificates`, a PEM bundle with its chain).
//!
//! [`CertifiedSigner`] wraps the tenant's signer and makes **the registry's newest valid,
//! unrevoked certificate for the same key** the one `certificate()` answers; without one, the
//! configured certificate. It looks again when the registry changes on this instance
//! (`refresh_certificate`, called by the upload and revoke handlers), at start-up, and at most
//! once a minute while signing (other Lambda instances catch up that way). An invoice numbered
//! under the old certificate is re-planned by the signing step (`signing_replanned`), as with
//! any renewed certificate; the signature is the same key's either way.
//!
//! `Signer::certificate` returns a reference, so each distinct certificate adopted is kept for
//! the life of the process (leaked once, looked up by id afterwards): a handful per key.

use crate::certificates;
use crate::error::ApiError;
use crate::ports::{Clock, SignError, Signer, sha256_hex};
use crate::store::{Store, TenantStore};
use async_trait::async_trait;
use hoadon_core::DateTime;
use hoadon_core::api::certificates::CertificateRequestView;
use hoadon_core::dsig::{self, SignerCertificate, cert};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The longest a signing instance goes without looking at the registry.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// The RSA key of a certificate: (modulus, exponent).
fn key_of(c: &SignerCertificate) -> Result<(Vec<u8>, Vec<u8>), String> {
    let der = dsig::b64_decode(c.der_base64()).map_err(|_| "certificate DER".to_owned())?;
    let parsed = cert::parse(&der).map_err(|e| e.0)?;
    Ok((parsed.modulus, parsed.exponent))
}

/// A signer whose certificate follows the registry (module doc).
pub struct CertifiedSigner {
    inner: Arc<dyn Signer>,
    store: Arc<dyn Store>,
    tenant: String,
    clock: Arc<dyn Clock>,
    key: (Vec<u8>, Vec<u8>),
    current: RwLock<Option<&'static SignerCertificate>>,
    adopted: Mutex<HashMap<String, &'static SignerCertificate>>,
    checked: Mutex<Option<Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CertifiedSigner {
    /// Wraps `inner` (whose configured certificate names its key) for `tenant`'s registry.
    pub fn new(
        inner: Arc<dyn Signer>,
        store: Arc<dyn Store>,
        tenant: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let key = key_of(inner.certificate())?;
        Ok(CertifiedSigner {
            inner,
            store,
            tenant: tenant.to_owned(),
            clock,
            key,
            current: RwLock::new(None),
            adopted: Mutex::new(HashMap::new()),
            checked: Mutex::new(None),
        })
    }

    /// [`new`](Self::new), already holding the registry's certificate for the key (what the
    /// composition roots start with).
    pub async fn adopting(
        inner: Arc<dyn Signer>,
        store: Arc<dyn Store>,
        tenant: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<dyn Signer>, String> {
        let signer = Self::new(inner, store, tenant, clock)?;
        signer.refresh_certificate().await;
        Ok(Arc::new(signer))
    }

    /// The id (SHA-256 of the DER) of the registered certificate in use, if any.
    pub fn registered_certificate(&self) -> Option<String> {
        let current = *self.current.read().unwrap_or_else(|p| p.into_inner());
        current.and_then(|c| {
            dsig::b64_decode(c.der_base64())
                .ok()
                .map(|d| sha256_hex(&d))
        })
    }

    async fn look_again(&self) -> Result<(), ApiError> {
        *lock(&self.checked) = Some(Instant::now());
        let ts = TenantStore::new(&self.tenant, self.store.clone());
        let now = DateTime::from_unix(self.clock.now(), 0)
            .map_err(|e| ApiError::Internal(format!("clock: {e}")))?;
        let found = certificates::usable_for_key(&ts, &self.key.0, &self.key.1, now).await?;
        let next = match found {
            None => None,
            Some((id, der)) => {
                let mut adopted = lock(&self.adopted);
                match adopted.get(&id) {
                    Some(c) => Some(*c),
                    None => {
                        let c = SignerCertificate::from_der(&der)
                            .map_err(|e| ApiError::Internal(e.to_string()))?;
                        let c: &'static SignerCertificate = Box::leak(Box::new(c));
                        adopted.insert(id.clone(), c);
                        Some(c)
                    }
                }
            }
        };
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if current.map(|c| c.der_base64()) != next.map(|c| c.der_base64()) {
            tracing::info!(
                event = "signer.certificate_changed",
                tenant = %self.tenant,
                registered = next.is_some()
            );
        }
        *current = next;
        Ok(())
    }
}

#[async_trait]
impl Signer for CertifiedSigner {
    fn certificate(&self) -> &SignerCertificate {
        let current = *self.current.read().unwrap_or_else(|p| p.into_inner());
        current.unwrap_or_else(|| self.inner.certificate())
    }

    async fn sign(&self, signed_info: Vec<u8>) -> Result<Vec<u8>, SignError> {
        let due = lock(&self.checked).is_none_or(|t| t.elapsed() >= REFRESH_EVERY);
        if due {
            self.refresh_certificate().await;
        }
        self.inner.sign(signed_info).await
    }

    async fn refresh_certificate(&self) {
        if let Err(e) = self.look_again().await {
            tracing::warn!(event = "signer.certificate_lookup_failed", tenant = %self.tenant, error = %e);
        }
    }
}

/// A certificate request for the tenant's signing key, with the company profile's name and
/// tax id as the subject (`UID=MST:<tax id>`).
pub async fn certificate_request(
    svc: &crate::invoices::Services,
    ts: &TenantStore,
) -> Result<CertificateRequestView, ApiError> {
    let (profile, _) = crate::profile::current(ts).await?;
    let (name, tax_id) = (profile.name.trim(), profile.tax_id.trim());
    if name.is_empty() || tax_id.is_empty() {
        return Err(ApiError::Unprocessable(
            "certificate_request.profile_incomplete",
            "Hồ sơ doanh nghiệp cần tên và mã số thuế / the company profile needs its name and \
             tax id"
                .into(),
        ));
    }
    let signer = svc.signer(ts.tenant())?;
    let (modulus, exponent) = key_of(signer.certificate()).map_err(ApiError::Internal)?;
    let spki = hoadon_signing::csr::rsa_spki_from_parts(&modulus, &exponent);
    let info = hoadon_signing::csr::request_info(&spki, name, tax_id);
    let signature = signer.sign(info.clone()).await.map_err(|e| {
        ApiError::Upstream(
            "certificate_request.signer_failed",
            format!("the signing key could not sign the request: {}", e.0),
        )
    })?;
    let pem = hoadon_signing::csr::assemble(&spki, info, &signature).map_err(|e| {
        ApiError::Upstream(
            "certificate_request.signer_failed",
            format!("the signer's answer is not a signature of this key: {e}"),
        )
    })?;
    tracing::info!(event = "certificate.requested", tenant = ts.tenant());
    Ok(CertificateRequestView {
        pem,
        subject: format!("C=VN, CN={name}, UID=MST:{tax_id}"),
        key_id: sha256_hex(&spki),
    })
}
