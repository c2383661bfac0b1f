//! Helpers shared by integration tests: a Cognito user pool stand-in (an RSA key and its JWK)
//! and the ID tokens it would issue.
#![allow(dead_code)] // each test file uses its own subset

use hoadon_core::DateTime;
use hoadon_signing::LocalKeySigner;
use serde_json::{Value, json};

pub fn b64url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A user pool's signing key with its JWK (as in the pool's `jwks.json`).
pub struct Pool {
    pub signer: LocalKeySigner,
    pub jwk: Value,
}

pub fn pool(kid: &str) -> Pool {
    let t = |s: &str| s.parse::<DateTime>().unwrap();
    let g = hoadon_signing::selfsigned::generate(
        "pool",
        "0109998883",
        t("2025-01-01T00:00:00"),
        t("2030-01-01T00:00:00"),
    )
    .unwrap();
    let signer = LocalKeySigner::from_pem(&g.key_pem, &g.cert_pem).unwrap();
    let cert = hoadon_core::dsig::cert::parse(signer.certificate_der()).unwrap();
    let jwk = json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": b64url(&cert.modulus), "e": b64url(&cert.exponent)});
    Pool { signer, jwk }
}

/// An RS256 token with `kid` in its header, signed by the pool's key.
pub fn token(p: &Pool, kid: &str, claims: Value) -> String {
    let input = format!(
        "{}.{}",
        b64url(json!({"alg": "RS256", "kid": kid}).to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    format!(
        "{input}.{}",
        b64url(&p.signer.sign_raw(input.as_bytes()).unwrap())
    )
}
