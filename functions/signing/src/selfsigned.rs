//! A new RSA-2048 key and a self-signed certificate for the local system, whose subject carries
//! the seller's tax id the way Vietnamese CAs write it (`UID=MST:<tax id>`), so that verifiers
//! match it against `NBan/MST`.
//!
//! The certificate is encoded here (a few DER structures) rather than with a certificate crate:
//! the local signer needs one fixed shape, and the result is checked by hoadon's own reader and,
//! in the tests, by OpenSSL.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use hoadon_core::DateTime;
use hoadon_core::dsig::b64_encode;

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub(crate) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub(crate) const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const USER_ID: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01];
pub(crate) const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];

pub(crate) fn alg(oid: &[u8]) -> Vec<u8> {
    seq(&[tlv(0x06, oid), vec![0x05, 0x00]])
}

fn rdn(oid: &[u8], tag: u8, value: &str) -> Vec<u8> {
    tlv(0x31, &seq(&[tlv(0x06, oid), tlv(tag, value.as_bytes())]))
}

/// `C=VN, CN=<name>, UID=MST:<tax id>`: how Vietnamese CAs name a company's signing
/// certificate (`dsig::cert` reads the `MST:` back), for the self-signed certificate and the
/// certificate request alike.
pub(crate) fn subject(name: &str, tax_id: &str) -> Vec<u8> {
    seq(&[
        rdn(COUNTRY, 0x13, "VN"),
        rdn(COMMON_NAME, 0x0c, name),
        rdn(USER_ID, 0x0c, &format!("MST:{tax_id}")),
    ])
}

/// The keyUsage extension (critical): digitalSignature + nonRepudiation, what a signing
/// certificate of invoices needs.
pub(crate) fn key_usage() -> Vec<u8> {
    seq(&[
        tlv(0x06, KEY_USAGE),
        vec![0x01, 0x01, 0xff],
        tlv(0x04, &[0x03, 0x02, 0x06, 0xc0]),
    ])
}

fn time(t: DateTime) -> Vec<u8> {
    let d = t.date;
    let body = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        d.month(),
        d.day(),
        t.hour,
        t.minute,
        t.second
    );
    if (1950..2050).contains(&d.year()) {
        tlv(0x17, format!("{:02}{body}", d.year() % 100).as_bytes())
    } else {
        tlv(0x18, format!("{:04}{body}", d.year()).as_bytes())
    }
}

pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    let b64 = b64_encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// A generated key (PKCS#8 PEM) and its self-signed certificate (PEM).
pub struct GeneratedKey {
    pub key_pem: String,
    pub cert_pem: String,
}

/// A self-signed certificate (PEM) for the RSA key whose SubjectPublicKeyInfo is `spki_der`,
/// with subject `C=VN, CN=<name>, UID=MST:<tax_id>`, signed by `sign` (RSA-SHA256 PKCS#1 v1.5
/// over the bytes it is given) — a local key, or KMS for a key that never leaves it.
pub fn certificate_for(
    spki_der: &[u8],
    name: &str,
    tax_id: &str,
    not_before: DateTime,
    not_after: DateTime,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
) -> Result<String, String> {
    let mut serial = [0u8; 16];
    SystemRandom::new()
        .fill(&mut serial)
        .map_err(|e| e.to_string())?;
    serial[0] &= 0x7f; // positive
    serial[0] |= 0x01; // no leading zero byte
    let subject = subject(name, tax_id);
    let key_usage = key_usage();
    let tbs = seq(&[
        tlv(0xa0, &[0x02, 0x01, 0x02]),
        tlv(0x02, &serial),
        alg(SHA256_WITH_RSA),
        subject.clone(),
        seq(&[time(not_before), time(not_after)]),
        subject,
        spki_der.to_vec(),
        tlv(0xa3, &seq(&[key_usage])),
    ]);
    let mut sig_bits = vec![0u8];
    sig_bits.extend(sign(&tbs)?);
    Ok(pem(
        "CERTIFICATE",
        &seq(&[tbs, alg(SHA256_WITH_RSA), tlv(0x03, &sig_bits)]),
    ))
}

/// The SubjectPublicKeyInfo of an RSA public key given as DER `RSAPublicKey`.
pub fn rsa_spki(rsa_public_key_der: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(rsa_public_key_der);
    seq(&[alg(RSA_ENCRYPTION), tlv(0x03, &bits)])
}

/// Generates an RSA-2048 key and a certificate for `name` with `UID=MST:<tax_id>`.
pub fn generate(
    name: &str,
    tax_id: &str,
    not_before: DateTime,
    not_after: DateTime,
) -> Result<GeneratedKey, String> {
    let key = KeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
    let pkcs8 = key.as_der().map_err(|e| e.to_string())?;
    let rng = SystemRandom::new();
    let cert_pem = certificate_for(
        &rsa_spki(key.public_key().as_ref()),
        name,
        tax_id,
        not_before,
        not_after,
        |tbs| {
            let mut sig = vec![0u8; key.public_modulus_len()];
            key.sign(&RSA_PKCS1_SHA256, &rng, tbs, &mut sig)
                .map_err(|e| e.to_string())?;
            Ok(sig)
        },
    )?;
    Ok(GeneratedKey {
        key_pem: pem("PRIVATE KEY", pkcs8.as_ref()),
        cert_pem,
    })
}
