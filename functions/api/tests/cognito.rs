//! The Cognito verifier with keys made in the test: a token signed by the pool's key is accepted
//! with its role; everything else a forger could try is refused.

use hoadon_api::auth::{AuthError, CognitoVerifier, Role, TokenVerifier};
use serde_json::{Value, json};
use support::{b64url, pool, token};

mod support;

const ISS: &str = "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_TEST";
const CLIENT: &str = "client-123";

fn claims(groups: &[&str]) -> Value {
    json!({"iss": ISS, "aud": CLIENT, "token_use": "id", "exp": 2_000, "sub": "u-1", "email": "lan@anphat.vn", "cognito:groups": groups})
}

#[test]
fn a_pool_token_gives_the_stacks_tenant_and_the_strongest_group() {
    let p = pool("k1");
    let v = CognitoVerifier::new(ISS, CLIENT, "anphat");
    assert_eq!(
        v.load_jwks(&json!({"keys": [p.jwk]}).to_string()).unwrap(),
        1
    );
    let c = v
        .verify(&token(&p, "k1", claims(&["sales", "accountant"])), 1_000)
        .unwrap();
    assert_eq!(
        (c.tenant.as_str(), c.role, c.sub.as_str()),
        ("anphat", Role::Accountant, "lan@anphat.vn")
    );
    assert_eq!(
        v.verify(&token(&p, "k1", claims(&["admin"])), 1_000)
            .unwrap()
            .role,
        Role::Admin
    );
}

#[test]
fn forged_foreign_expired_and_misdirected_tokens_are_refused() {
    let (p, other) = (pool("k1"), pool("k2"));
    let v = CognitoVerifier::new(ISS, CLIENT, "anphat");
    v.load_jwks(&json!({"keys": [p.jwk]}).to_string()).unwrap();
    let ok = claims(&["admin"]);
    // Signed by another key under our key id, or with an unknown key id.
    assert_eq!(
        v.verify(&token(&other, "k1", ok.clone()), 1_000),
        Err(AuthError::Invalid)
    );
    assert!(!v.knows_key_of(&token(&other, "k2", ok.clone())));
    assert_eq!(
        v.verify(&token(&other, "k2", ok.clone()), 1_000),
        Err(AuthError::Invalid)
    );
    // Another pool, another app client, an access token, no hoadon group, expired.
    for (field, value) in [
        ("iss", json!("https://cognito-idp.x.amazonaws.com/other")),
        ("aud", json!("other")),
        ("token_use", json!("access")),
        ("cognito:groups", json!(["viewers"])),
    ] {
        let mut c = ok.clone();
        c[field] = value;
        assert_eq!(
            v.verify(&token(&p, "k1", c), 1_000),
            Err(AuthError::Invalid),
            "{field}"
        );
    }
    assert_eq!(
        v.verify(&token(&p, "k1", ok.clone()), 2_000),
        Err(AuthError::Expired)
    );
    // A tampered body keeps the signature of the original: refused.
    let t = token(&p, "k1", claims(&["sales"]));
    let parts: Vec<&str> = t.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64url(claims(&["admin"]).to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(v.verify(&forged, 1_000), Err(AuthError::Invalid));
    // "alg": "none" is never accepted.
    let none = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","kid":"k1"}"#),
        b64url(ok.to_string().as_bytes())
    );
    assert_eq!(v.verify(&none, 1_000), Err(AuthError::Invalid));
}

#[test]
fn key_rotation_loads_the_new_jwks() {
    let (p1, p2) = (pool("k1"), pool("k2"));
    let v = CognitoVerifier::new(ISS, CLIENT, "anphat");
    v.load_jwks(&json!({"keys": [p1.jwk]}).to_string()).unwrap();
    let t2 = token(&p2, "k2", claims(&["sales"]));
    assert!(!v.knows_key_of(&t2));
    v.load_jwks(&json!({"keys": [p1.jwk, p2.jwk]}).to_string())
        .unwrap();
    assert!(v.knows_key_of(&t2));
    assert_eq!(v.verify(&t2, 1_000).unwrap().role, Role::Sales);
    assert!(v.load_jwks("{not json").is_err());
}
