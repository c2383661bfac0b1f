//! Signer adapters: whoever holds a private key turns the canonical `SignedInfo` that
//! [`hoadon_core::dsig::prepare`] returns into an RSA-SHA256 signature value.
//!
//! [`LocalKeySigner`] is a software RSA key, used by `hoadon sign` and by the local server.
//! With the `token` feature (only the CLI enables it), `token` signs on a PKCS#11 token (the
//! seller's USB token, #15) through the same two-phase interface. Private keys never leave this
//! crate (or the token); the core only ever sees public keys and signature bytes.
//!
//! With the `remote` feature, `remote` asks a CA's remote signing service ("HSM account") for
//! the signature of a digest; `csr` makes the certificate request (PKCS#10) for any of these
//! keys, whoever holds it.
//!
//! RSA signing uses aws-lc-rs (AWS-LC, the library the AWS SDK already links): about as fast as
//! OpenSSL, which the throughput goal needs; the pure-Rust `rsa` crate is several times slower
//! for private-key operations.

pub mod csr;
#[cfg(feature = "remote")]
pub mod http;
#[cfg(feature = "remote")]
pub mod remote;
pub mod selfsigned;
#[cfg(feature = "stand-in")]
pub mod testing;
#[cfg(feature = "token")]
pub mod token;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use hoadon_core::DateTime;
use hoadon_core::dsig::{self, DsigError};

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("key: {0}")]
    Key(String),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("{0}")]
    Document(#[from] DsigError),
    #[error("the RSA operation failed")]
    Crypto,
}

/// A software RSA key with its certificate.
pub struct LocalKeySigner {
    key: RsaKeyPair,
    cert_der: Vec<u8>,
    cert: dsig::SignerCertificate,
    rng: SystemRandom,
}

impl std::fmt::Debug for LocalKeySigner {
    /// Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeySigner")
            .field("key_bits", &(self.key.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

/// The DER bytes of the first PEM block labelled `label`.
pub fn pem_block(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    dsig::b64_decode(&pem[start..stop]).ok()
}

impl LocalKeySigner {
    /// From a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`) and a PEM
    /// certificate whose public key must be the key's.
    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, SignerError> {
        let key = if let Some(der) = pem_block(key_pem, "PRIVATE KEY") {
            RsaKeyPair::from_pkcs8(&der)
        } else if let Some(der) = pem_block(key_pem, "RSA PRIVATE KEY") {
            RsaKeyPair::from_der(&der)
        } else {
            return Err(SignerError::Key("no PEM private key found".into()));
        }
        .map_err(|e| SignerError::Key(e.to_string()))?;
        let cert_der = pem_block(cert_pem, "CERTIFICATE")
            .ok_or_else(|| SignerError::Certificate("no PEM certificate found".into()))?;
        let cert =
            dsig::cert::parse(&cert_der).map_err(|e| SignerError::Certificate(e.to_string()))?;
        let signer = LocalKeySigner {
            key,
            cert: dsig::SignerCertificate::from_der(&cert_der)?,
            cert_der,
            rng: SystemRandom::new(),
        };
        // The certificate must carry this key, or every signature would be refused later.
        if !public_key_matches(&signer.key, &cert.modulus) {
            return Err(SignerError::Certificate(
                "the certificate is not for this key".into(),
            ));
        }
        Ok(signer)
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn certificate(&self) -> &dsig::SignerCertificate {
        &self.cert
    }

    /// RSA PKCS#1 v1.5 with SHA-256 over `data` (the canonical SignedInfo).
    pub fn sign_raw(&self, data: &[u8]) -> Result<Vec<u8>, SignerError> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, data, &mut sig)
            .map_err(|_| SignerError::Crypto)?;
        Ok(sig)
    }

    /// Signs an unsigned `HDon` as its seller: prepare, sign, attach (which re-checks the value).
    pub fn sign_invoice(
        &self,
        unsigned: &str,
        signing_time: DateTime,
    ) -> Result<String, SignerError> {
        let prepared = dsig::prepare(unsigned, &self.cert, signing_time)?;
        let value = self.sign_raw(prepared.signed_info())?;
        Ok(prepared.attach(&value)?)
    }
}

/// Compares the key pair's modulus with the certificate's.
fn public_key_matches(key: &RsaKeyPair, cert_modulus: &[u8]) -> bool {
    // The public key is DER RSAPublicKey { modulus INTEGER, exponent INTEGER }.
    let der = key.public_key().as_ref();
    let needle: &[u8] = cert_modulus;
    der.windows(needle.len()).any(|w| w == needle)
}

/// An error with its causes, `a: b: c` (hyper's own `Display` says only "client error").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}
