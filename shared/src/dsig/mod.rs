//! XML signatures (XMLDSig) as Vietnamese e-invoices use them (vn-einvoice §3).
//!
//! - [`c14n`]: the one canonicalizer, for signing and verifying.
//! - [`sign`]: two-phase signing. `prepare` returns the exact canonical `SignedInfo` bytes;
//!   whoever holds the key (cloud KMS signing RAW bytes, a PKCS#11 token on the user's desktop,
//!   a local key) signs them; `attach` checks the signature and completes the document.
//! - [`verify`]: every signature of a document, with the reason when one fails.
//!
//! The core never holds a private key: it only ever sees public keys and signature bytes.

pub mod c14n;
pub mod cert;
pub mod rsa;
pub mod sign;
pub mod verify;

pub use sign::{Layout, Prepared, SignerCertificate, prepare, prepare_as};
pub use verify::{
    MAX_REFERENCES, MAX_SIGNATURES, Policy, ReferenceReport, SignatureCheck, SignatureReport,
    check_signatures, verify_document, verify_document_with, verify_parsed,
};

use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Why a document could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsigError {
    #[error("{0}")]
    Xml(#[from] crate::xml::XmlError),
    #[error("{0}")]
    Certificate(#[from] cert::CertError),
    #[error("not an invoice: {0}")]
    NotAnInvoice(String),
    #[error("the document already has a signature in this DSCKS slot (seller, notice or CQT)")]
    AlreadySigned,
    #[error("Id \"{0}\" is already used in the document")]
    IdTaken(String),
    #[error(
        "the signature does not verify with the certificate's key over the prepared SignedInfo"
    )]
    BadSignature,
}

/// Digest algorithms accepted in references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub fn from_uri(uri: &str) -> Option<Self> {
        Some(match uri {
            "http://www.w3.org/2000/09/xmldsig#sha1" => Self::Sha1,
            SHA256 => Self::Sha256,
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => Self::Sha384,
            "http://www.w3.org/2001/04/xmlenc#sha512" => Self::Sha512,
            _ => return None,
        })
    }
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Signature algorithms accepted in `SignatureMethod` (RSA PKCS#1 v1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlg {
    RsaSha1,
    RsaSha256,
    RsaSha384,
    RsaSha512,
}

impl SignatureAlg {
    pub fn from_uri(uri: &str) -> Option<Self> {
        Some(match uri {
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => Self::RsaSha1,
            RSA_SHA256 => Self::RsaSha256,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => Self::RsaSha384,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => Self::RsaSha512,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaSha1 => "rsa-sha1",
            Self::RsaSha256 => "rsa-sha256",
            Self::RsaSha384 => "rsa-sha384",
            Self::RsaSha512 => "rsa-sha512",
        }
    }
}

/// Base64 as XML carries it: whitespace (line breaks, `&#13;`) anywhere is ignored.
pub fn b64_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean)
}

pub fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// RSA PKCS#1 v1.5 verification of `signature` over `data`.
pub fn rsa_verify(
    modulus: &[u8],
    exponent: &[u8],
    alg: SignatureAlg,
    data: &[u8],
    signature: &[u8],
) -> bool {
    rsa::PublicKey::new(modulus, exponent).is_some_and(|k| verify_with(&k, alg, data, signature))
}

/// The same with a prepared key.
pub fn verify_with(key: &rsa::PublicKey, alg: SignatureAlg, data: &[u8], signature: &[u8]) -> bool {
    let (prefix, hash) = match alg {
        SignatureAlg::RsaSha1 => (rsa::SHA1_PREFIX, Sha1::digest(data).to_vec()),
        SignatureAlg::RsaSha256 => (rsa::SHA256_PREFIX, Sha256::digest(data).to_vec()),
        SignatureAlg::RsaSha384 => (rsa::SHA384_PREFIX, Sha384::digest(data).to_vec()),
        SignatureAlg::RsaSha512 => (rsa::SHA512_PREFIX, Sha512::digest(data).to_vec()),
    };
    key.verify_pkcs1v15(prefix, &hash, signature)
}
