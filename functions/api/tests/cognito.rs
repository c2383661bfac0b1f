//! The Cognito verifier with keys made in the test: a token signed by the pool's key is accepted
//! with its role; everything else a forger could try is refused.

use hoadon_api::auth::{AuthError, COGNITO_LEEWAY_SECONDS, CognitoVerifier, Role, TokenVerifier};
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
        v.verify(&token(&p, "k1", ok.clone()), 2_000 + COGNITO_LEEWAY_SECONDS),
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

fn verifier_with(pools: &[&support::Pool]) -> CognitoVerifier {
    let v = CognitoVerifier::new(ISS, CLIENT, "anphat");
    let keys: Vec<&Value> = pools.iter().map(|p| &p.jwk).collect();
    assert_eq!(
        v.load_jwks(&json!({ "keys": keys }).to_string()).unwrap(),
        pools.len()
    );
    v
}

#[test]
fn clock_skew_is_allowed_on_exp_and_nbf_up_to_the_leeway() {
    let p = pool("k1");
    let v = verifier_with(&[&p]);
    let t = token(&p, "k1", claims(&["sales"])); // exp 2_000
    for now in [1_999, 2_000, 2_000 + COGNITO_LEEWAY_SECONDS - 1] {
        assert_eq!(v.verify(&t, now).unwrap().exp, 2_000, "now {now}");
    }
    assert_eq!(
        v.verify(&t, 2_000 + COGNITO_LEEWAY_SECONDS + 1),
        Err(AuthError::Expired)
    );
    let not_before = |nbf: i64| {
        let mut c = claims(&["sales"]);
        c["nbf"] = json!(nbf);
        token(&p, "k1", c)
    };
    assert!(
        v.verify(&not_before(1_000 + COGNITO_LEEWAY_SECONDS), 1_000)
            .is_ok()
    );
    assert_eq!(
        v.verify(&not_before(1_000 + COGNITO_LEEWAY_SECONDS + 1), 1_000),
        Err(AuthError::Invalid),
        "nbf in the future beyond the skew"
    );
}

#[test]
fn wrong_issuer_audience_or_key_id_and_missing_claims_are_refused() {
    let p = pool("k1");
    let v = verifier_with(&[&p]);
    // `None` leaves the claim out.
    for (field, value) in [
        ("iss", Some(json!(format!("{ISS}/")))),
        ("iss", None),
        ("aud", Some(json!(["other", "another"]))),
        ("aud", None),
        ("exp", None),
        ("exp", Some(json!("2000"))),
    ] {
        let mut c = claims(&["admin"]);
        match &value {
            Some(v) => c[field] = v.clone(),
            None => drop(c.as_object_mut().unwrap().remove(field)),
        }
        assert_eq!(
            v.verify(&token(&p, "k1", c), 1_000),
            Err(AuthError::Invalid),
            "{field} = {value:?}"
        );
    }
    // The audience may be a list, as RFC 7519 allows, when it names this app client.
    let mut c = claims(&["admin"]);
    c["aud"] = json!(["other", CLIENT]);
    assert!(v.verify(&token(&p, "k1", c), 1_000).is_ok());
    // A key id the JWKS does not have, even signed by the right key; a token without a key id.
    assert_eq!(
        v.verify(&token(&p, "k9", claims(&["admin"])), 1_000),
        Err(AuthError::Invalid)
    );
    let unsigned_kid = format!(
        "{}.{}.x",
        b64url(br#"{"alg":"RS256"}"#),
        b64url(claims(&["admin"]).to_string().as_bytes())
    );
    assert_eq!(v.verify(&unsigned_kid, 1_000), Err(AuthError::Invalid));
}

#[test]
fn during_a_rotation_tokens_of_both_keys_are_accepted() {
    let (old, new) = (pool("old"), pool("new"));
    let v = verifier_with(&[&old, &new]);
    for (p, kid) in [(&old, "old"), (&new, "new")] {
        let t = token(p, kid, claims(&["accountant"]));
        assert!(v.knows_key_of(&t));
        assert_eq!(v.verify(&t, 1_000).unwrap().role, Role::Accountant, "{kid}");
    }
    // Once the old key is retired from the JWKS, its tokens are refused.
    let v = verifier_with(&[&new]);
    assert_eq!(
        v.verify(&token(&old, "old", claims(&["accountant"])), 1_000),
        Err(AuthError::Invalid)
    );
}
