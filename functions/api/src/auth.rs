//! Authentication and tenancy.
//!
//! Callers present a bearer token; a [`TokenVerifier`] (local HS256 now, the tenant's Cognito
//! JWKS in AWS) turns it into [`Claims`]. **The tenant comes from the verified token only**:
//! handlers receive it through the [`Caller`] extractor and reach data through a `TenantStore`
//! built from it. Passwords are hashed with Argon2id.

use serde::{Deserialize, Serialize};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including series and users.
    Admin,
    /// Catalogs and invoices.
    Accountant,
    /// Drafts and issuing at the counter; reads catalogs.
    Sales,
}

/// The verified content of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user (e-mail).
    pub sub: String,
    pub tenant: String,
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    Missing,
    #[error("invalid token")]
    Invalid,
    #[error("expired token")]
    Expired,
}

/// Verifies tokens. Local: [`Hs256`]. AWS: Cognito JWKS (RS256), in the AWS issue.
pub trait TokenVerifier: Send + Sync {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError>;
}

/// HS256 JWTs signed with a secret kept in the data directory (the local system issues its own
/// tokens at `POST /api/login`).
pub struct Hs256 {
    key: aws_lc_rs::hmac::Key,
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn b64url_decode(s: &str) -> Result<Vec<u8>, AuthError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AuthError::Invalid)
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// A compact JWT's header, body and signature (base64url), or `Invalid`.
fn split_jwt(token: &str) -> Result<(&str, &str, &str), AuthError> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(b), Some(s), None) => Ok((h, b, s)),
        _ => Err(AuthError::Invalid),
    }
}

impl Hs256 {
    pub fn new(secret: &[u8]) -> Self {
        Hs256 {
            key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret),
        }
    }

    pub fn issue(&self, claims: &Claims) -> String {
        let body = serde_json::to_vec(claims).expect("claims serialize");
        let signing_input = format!("{}.{}", b64url(HEADER.as_bytes()), b64url(&body));
        let tag = aws_lc_rs::hmac::sign(&self.key, signing_input.as_bytes());
        format!("{signing_input}.{}", b64url(tag.as_ref()))
    }
}

impl TokenVerifier for Hs256 {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError> {
        let (h, b, s) = split_jwt(token)?;
        if b64url_decode(h)? != HEADER.as_bytes() {
            return Err(AuthError::Invalid); // only HS256: no "alg":"none" or key confusion
        }
        let tag = b64url_decode(s)?;
        aws_lc_rs::hmac::verify(&self.key, format!("{h}.{b}").as_bytes(), &tag)
            .map_err(|_| AuthError::Invalid)?;
        let claims: Claims =
            serde_json::from_slice(&b64url_decode(b)?).map_err(|_| AuthError::Invalid)?;
        if claims.exp <= now {
            return Err(AuthError::Expired);
        }
        Ok(claims)
    }
}

/// Verifies the ID tokens of a tenant's Cognito user pool (RS256, keys from the pool's JWKS).
///
/// Each tenant stack has its own user pool, so the pool that signed a token *is* the tenant:
/// `tenant` is configuration of the stack, never a claim a client could choose. Roles come from
/// `cognito:groups` (`admin`, `accountant`, `sales`; the strongest wins). The JWKS document is
/// fetched by the binary (at cold start, and again when a token names an unknown key id) and
/// handed to [`CognitoVerifier::load_jwks`]; verification itself does no I/O.
pub struct CognitoVerifier {
    issuer: String,
    client_id: String,
    tenant: String,
    keys: std::sync::RwLock<std::collections::HashMap<String, hoadon_core::dsig::rsa::PublicKey>>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: String,
    kty: String,
    #[serde(default)]
    alg: Option<String>,
    n: String,
    e: String,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
    kid: String,
}

#[derive(Deserialize)]
struct CognitoClaims {
    iss: String,
    aud: String,
    token_use: String,
    exp: i64,
    #[serde(default)]
    email: Option<String>,
    sub: String,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
}

impl CognitoVerifier {
    /// `issuer` is `https://cognito-idp.<region>.amazonaws.com/<pool id>`; `client_id` the app
    /// client the tokens are for.
    pub fn new(issuer: &str, client_id: &str, tenant: &str) -> Self {
        CognitoVerifier {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            tenant: tenant.to_owned(),
            keys: Default::default(),
        }
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer)
    }

    /// Replaces the cached keys with those of a JWKS document; returns how many RSA keys it had.
    pub fn load_jwks(&self, json: &str) -> Result<usize, AuthError> {
        let jwks: Jwks = serde_json::from_str(json).map_err(|_| AuthError::Invalid)?;
        let mut keys = std::collections::HashMap::new();
        for k in jwks
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA" && k.alg.as_deref().is_none_or(|a| a == "RS256"))
        {
            let key = hoadon_core::dsig::rsa::PublicKey::new(
                &b64url_decode(&k.n)?,
                &b64url_decode(&k.e)?,
            )
            .ok_or(AuthError::Invalid)?;
            keys.insert(k.kid, key);
        }
        let n = keys.len();
        *self.keys.write().expect("not poisoned") = keys;
        Ok(n)
    }

    /// Whether a token names a key this verifier does not have (time to fetch the JWKS again).
    pub fn knows_key_of(&self, token: &str) -> bool {
        let kid = token
            .split('.')
            .next()
            .and_then(|h| b64url_decode(h).ok())
            .and_then(|h| serde_json::from_slice::<JwtHeader>(&h).ok())
            .map(|h| h.kid);
        kid.is_some_and(|k| self.keys.read().expect("not poisoned").contains_key(&k))
    }
}

impl TokenVerifier for CognitoVerifier {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError> {
        let (h, b, s) = split_jwt(token)?;
        let header: JwtHeader =
            serde_json::from_slice(&b64url_decode(h)?).map_err(|_| AuthError::Invalid)?;
        if header.alg != "RS256" {
            return Err(AuthError::Invalid);
        }
        let verified = {
            let keys = self.keys.read().expect("not poisoned");
            let key = keys.get(&header.kid).ok_or(AuthError::Invalid)?;
            hoadon_core::dsig::verify_with(
                key,
                hoadon_core::dsig::SignatureAlg::RsaSha256,
                format!("{h}.{b}").as_bytes(),
                &b64url_decode(s)?,
            )
        };
        if !verified {
            return Err(AuthError::Invalid);
        }
        let c: CognitoClaims =
            serde_json::from_slice(&b64url_decode(b)?).map_err(|_| AuthError::Invalid)?;
        if c.iss != self.issuer || c.aud != self.client_id || c.token_use != "id" {
            return Err(AuthError::Invalid);
        }
        if c.exp <= now {
            return Err(AuthError::Expired);
        }
        let has = |g: &str| c.groups.iter().any(|x| x == g);
        let role = if has("admin") {
            Role::Admin
        } else if has("accountant") {
            Role::Accountant
        } else if has("sales") {
            Role::Sales
        } else {
            return Err(AuthError::Invalid); // a user in no hoadon group may do nothing
        };
        Ok(Claims {
            sub: c.email.unwrap_or(c.sub),
            tenant: self.tenant.clone(),
            role,
            exp: c.exp,
        })
    }
}

/// Argon2id hash in PHC string form.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> String {
    use argon2::PasswordHasher;
    let salt = argon2::password_hash::SaltString::encode_b64(salt).expect("16 bytes");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::password_hash::PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A tenant id: `^[a-z][a-z0-9-]{2,20}$`, so it fits S3, DynamoDB and every naming rule.
pub fn valid_tenant_id(t: &str) -> bool {
    let b = t.as_bytes();
    (3..=21).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "a@b.vn".into(),
            tenant: "anphat".into(),
            role: Role::Admin,
            exp,
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let k = Hs256::new(b"0123456789abcdef0123456789abcdef");
        let t = k.issue(&claims(100));
        assert_eq!(k.verify(&t, 99).unwrap(), claims(100));
        assert_eq!(k.verify(&t, 100), Err(AuthError::Expired));
    }

    #[test]
    fn forged_or_foreign_tokens_are_refused() {
        let k = Hs256::new(b"0123456789abcdef0123456789abcdef");
        let other = Hs256::new(b"another secret, another server..");
        assert_eq!(
            k.verify(&other.issue(&claims(100)), 1),
            Err(AuthError::Invalid)
        );
        let t = k.issue(&claims(100));
        let (head, rest) = t.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let evil = format!(
            "{head}.{}.{sig}",
            b64url(br#"{"sub":"x","tenant":"victim","role":"admin","exp":100}"#)
        );
        assert_eq!(k.verify(&evil, 1), Err(AuthError::Invalid));
        let none = format!("{}.{}.", b64url(br#"{"alg":"none"}"#), b64url(br#"{}"#));
        assert_eq!(k.verify(&none, 1), Err(AuthError::Invalid));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("mật khẩu", &[7; 16]);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu", &h));
        assert!(!verify_password("mat khau", &h));
    }

    #[test]
    fn tenant_ids_fit_every_naming_rule() {
        assert!(valid_tenant_id("anphat"));
        assert!(valid_tenant_id("an-phat-2"));
        for bad in ["An", "ab", "1abc", "a_b_c", "abcdefghijklmnopqrstuv"] {
            assert!(!valid_tenant_id(bad), "{bad}");
        }
    }
}
