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
    /// A desktop signer's personal access token: claims invoices awaiting a token signature and
    /// posts their signatures, nothing else. Refused by every route but those (see
    /// `http::SigningCaller`), so a stolen signer token cannot read catalogs or issue.
    Signer,
    /// An ERP's personal access token (#19): orders, and reading invoices, their documents and
    /// the change feed (see `http::ErpCaller`); refused by every other route.
    Integration,
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

/// Verifies tokens. Local: [`Hs256`]. AWS: [`CognitoVerifier`] (RS256, the pool's JWKS).
///
/// `now` is the caller's clock (seconds since the epoch), not the system's, so the API's `Clock`
/// port decides time for tokens too and tests can fix it.
pub trait TokenVerifier: Send + Sync {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError>;
}

/// Signature, algorithm, `iss` and `aud` are checked by `jsonwebtoken`; its `exp`/`nbf` checks
/// are off because it reads the system clock, and [`check_times`] applies the caller's `now`.
fn validation(alg: jsonwebtoken::Algorithm, required: &[&str]) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.leeway = 0;
    v.set_required_spec_claims(required);
    v
}

/// `nbf` later than `now` (or `exp` at or before it) by more than `leeway` seconds is refused.
fn check_times(exp: i64, nbf: Option<i64>, now: i64, leeway: i64) -> Result<(), AuthError> {
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(AuthError::Invalid);
    }
    if exp.saturating_add(leeway) <= now {
        return Err(AuthError::Expired);
    }
    Ok(())
}

/// HS256 JWTs signed with a secret kept in the data directory (the local system issues its own
/// tokens at `POST /api/login`). The same clock issues and checks them, so no clock skew is
/// allowed: a token expires exactly at `exp`.
pub struct Hs256 {
    encoding: jsonwebtoken::EncodingKey,
    decoding: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

impl Hs256 {
    /// Panics on an empty secret: anyone could forge tokens with it.
    pub fn new(secret: &[u8]) -> Self {
        assert!(
            !secret.is_empty(),
            "the HS256 token secret must not be empty"
        );
        Hs256 {
            encoding: jsonwebtoken::EncodingKey::from_secret(secret).expect("non-empty secret"),
            decoding: jsonwebtoken::DecodingKey::from_secret(secret).expect("non-empty secret"),
            // Only HS256: "alg": "none" and key confusion are refused.
            validation: validation(jsonwebtoken::Algorithm::HS256, &["exp"]),
        }
    }

    pub fn issue(&self, claims: &Claims) -> String {
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("HS256 with an HMAC key")
    }
}

impl TokenVerifier for Hs256 {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthError::Invalid)?
            .claims;
        check_times(claims.exp, None, now, 0)?;
        Ok(claims)
    }
}

/// Clock skew allowed between Cognito's clock and the function's, on `exp` and `nbf`.
pub const COGNITO_LEEWAY_SECONDS: i64 = 60;

/// Verifies the ID tokens of a tenant's Cognito user pool (RS256, keys from the pool's JWKS).
///
/// Each tenant stack has its own user pool, so the pool that signed a token *is* the tenant:
/// `tenant` is configuration of the stack, never a claim a client could choose. Roles come from
/// `cognito:groups` (`admin`, `accountant`, `sales`; the strongest wins). The JWKS document is
/// fetched by the binary (at cold start, and again when a token names an unknown key id) and
/// handed to [`CognitoVerifier::load_jwks`]; verification itself does no I/O. Every key of the
/// document is kept, so during a rotation tokens signed by the old and the new key both verify.
pub struct CognitoVerifier {
    issuer: String,
    tenant: String,
    validation: jsonwebtoken::Validation,
    keys: std::sync::RwLock<std::collections::HashMap<String, jsonwebtoken::DecodingKey>>,
}

/// One key of a JWKS document. Read by hand rather than as `jsonwebtoken::jwk::Jwk` so that a key
/// of another type in the document is skipped instead of failing the whole document.
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

/// What hoadon reads of an ID token once `jsonwebtoken` has checked its signature, `iss` and
/// `aud`.
#[derive(Deserialize)]
struct CognitoClaims {
    token_use: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
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
        let issuer = issuer.trim_end_matches('/').to_owned();
        let mut validation = validation(
            jsonwebtoken::Algorithm::RS256,
            &["exp", "iss", "aud", "sub"],
        );
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[client_id]);
        CognitoVerifier {
            issuer,
            tenant: tenant.to_owned(),
            validation,
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
            let key = jsonwebtoken::DecodingKey::from_rsa_components(&k.n, &k.e)
                .map_err(|_| AuthError::Invalid)?;
            keys.insert(k.kid, key);
        }
        let n = keys.len();
        *self.keys.write().expect("not poisoned") = keys;
        Ok(n)
    }

    /// Whether a token names a key this verifier does not have (time to fetch the JWKS again).
    pub fn knows_key_of(&self, token: &str) -> bool {
        let kid = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid);
        kid.is_some_and(|k| self.keys.read().expect("not poisoned").contains_key(&k))
    }
}

impl TokenVerifier for CognitoVerifier {
    fn verify(&self, token: &str, now: i64) -> Result<Claims, AuthError> {
        let kid = jsonwebtoken::decode_header(token)
            .map_err(|_| AuthError::Invalid)?
            .kid
            .ok_or(AuthError::Invalid)?;
        let c = {
            let keys = self.keys.read().expect("not poisoned");
            let key = keys.get(&kid).ok_or(AuthError::Invalid)?;
            jsonwebtoken::decode::<CognitoClaims>(token, key, &self.validation)
                .map_err(|_| AuthError::Invalid)?
                .claims
        };
        if c.token_use != "id" {
            return Err(AuthError::Invalid); // an access token has no e-mail and no audience
        }
        check_times(c.exp, c.nbf, now, COGNITO_LEEWAY_SECONDS)?;
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

    fn b64url(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

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
        // The same secret under another HMAC algorithm: refused, only HS256 is ours.
        let hs384 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS384),
            &claims(100),
            &jsonwebtoken::EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        )
        .unwrap();
        assert_eq!(k.verify(&hs384, 1), Err(AuthError::Invalid));
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
