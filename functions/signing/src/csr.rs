//! A certificate request (PKCS#10, RFC 2986) for a key whoever holds it: the cloud key (KMS
//! `GetPublicKey` + `Sign`), the local key, or any signer that makes RSA-SHA256 signatures.
//! The subject is the company's as a Vietnamese CA writes it (`C=VN, CN=<name>,
//! UID=MST:<tax id>`); the request asks for keyUsage digitalSignature + nonRepudiation. The CA
//! checks the company's papers and issues the certificate; hoadon then imports it.
//!
//! Encoded here with the DER helpers of [`crate::selfsigned`] rather than with a certificate
//! crate: the request is three small structures around the same subject and key the
//! self-signed certificate already encodes, the signature comes from an outside signer (KMS
//! through the signer function) that the usual builders cannot call without a synchronous
//! key-pair adapter, and the result is checked here (the signature against the key) and by
//! `openssl req -verify` in the tests.

use crate::selfsigned::{SHA256_WITH_RSA, alg, key_usage, pem, seq, subject, tlv};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

/// pkcs-9 extensionRequest (1.2.840.113549.1.9.14).
const EXTENSION_REQUEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e];

/// Why no request was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    #[error("the public key is not a usable RSA SubjectPublicKeyInfo")]
    PublicKey,
    #[error("the signer failed: {0}")]
    Signer(String),
    /// The signer signed with another key than the request's: a request no CA would accept.
    #[error("the signature does not verify with the request's public key")]
    WrongKey,
}

/// The request (PEM `CERTIFICATE REQUEST`) for the RSA key whose SubjectPublicKeyInfo is
/// `spki_der`, signed by `sign` (RSA PKCS#1 v1.5 SHA-256 over the bytes it is given) and
/// checked against that key before it is returned.
pub fn request(
    spki_der: &[u8],
    name: &str,
    tax_id: &str,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
) -> Result<String, CsrError> {
    let info = request_info(spki_der, name, tax_id);
    let signature = sign(&info).map_err(CsrError::Signer)?;
    assemble(spki_der, info, &signature)
}

/// The `CertificationRequestInfo`: the bytes the key signs (for signers that sign
/// asynchronously; [`assemble`] completes the request).
pub fn request_info(spki_der: &[u8], name: &str, tax_id: &str) -> Vec<u8> {
    let extensions = seq(&[key_usage()]);
    let attribute = seq(&[tlv(0x06, EXTENSION_REQUEST), tlv(0x31, &extensions)]);
    seq(&[
        vec![0x02, 0x01, 0x00],
        subject(name, tax_id),
        spki_der.to_vec(),
        tlv(0xa0, &attribute),
    ])
}

/// The request in PEM from its info and the signature over it, once the signature verifies
/// with the request's own key.
pub fn assemble(spki_der: &[u8], info: Vec<u8>, signature: &[u8]) -> Result<String, CsrError> {
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki_der);
    if key.verify(&info, signature).is_err() {
        // Either the key is not RSA/SPKI or the signer holds another key; tell which.
        return Err(if rsa_key_bits(spki_der).is_none() {
            CsrError::PublicKey
        } else {
            CsrError::WrongKey
        });
    }
    let mut bits = vec![0u8];
    bits.extend_from_slice(signature);
    Ok(pem(
        "CERTIFICATE REQUEST",
        &seq(&[info, alg(SHA256_WITH_RSA), tlv(0x03, &bits)]),
    ))
}

/// The SubjectPublicKeyInfo of an RSA key given by its modulus and public exponent (big-endian,
/// as `dsig::cert` reads them from a certificate).
pub fn rsa_spki_from_parts(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        let mut content = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
            content.push(0); // positive (and zero is one 0x00 byte)
        }
        content.extend(trimmed);
        tlv(0x02, &content)
    }
    crate::selfsigned::rsa_spki(&seq(&[integer(modulus), integer(exponent)]))
}

/// The modulus size of an RSA SubjectPublicKeyInfo, if it is one aws-lc-rs accepts.
fn rsa_key_bits(spki_der: &[u8]) -> Option<usize> {
    aws_lc_rs::rsa::PublicKey::from_der(spki_der)
        .ok()
        .map(|k| k.modulus_len() * 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalKeySigner;

    fn data(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    }

    #[test]
    fn the_request_is_signed_by_the_key_it_names_and_nothing_else() {
        let signer =
            LocalKeySigner::from_pem(&data("seller.key.pem"), &data("seller.cert.pem")).unwrap();
        let c = hoadon_core::dsig::cert::parse(signer.certificate_der()).unwrap();
        let spki = rsa_spki_from_parts(&c.modulus, &c.exponent);
        let pem = request(&spki, "Công ty An Phát", "0109998883", |b| {
            signer.sign_raw(b).map_err(|e| e.to_string())
        })
        .unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));

        // Another key's signature: refused, typed.
        let other = data("other.key.pem");
        let der = crate::pem_block(&other, "PRIVATE KEY").unwrap();
        let other = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
        let e = request(&spki, "X", "0109998883", |b| {
            let mut sig = vec![0; other.public_modulus_len()];
            other
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    b,
                    &mut sig,
                )
                .unwrap();
            Ok(sig)
        })
        .unwrap_err();
        assert_eq!(e, CsrError::WrongKey);
        assert_eq!(
            request(b"junk", "X", "1", |_| Ok(vec![1; 256])).unwrap_err(),
            CsrError::PublicKey
        );
        assert_eq!(
            request(&spki, "X", "1", |_| Err("down".into())).unwrap_err(),
            CsrError::Signer("down".into())
        );
    }
}
