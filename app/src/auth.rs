//! Sign-in on AWS: the tenant's Cognito hosted UI, authorization code with PKCE (RFC 7636, S256).
//!
//! `infra/deploy` writes `/config.json` next to the app naming the hosted UI's domain, the app
//! client and the redirect address; without that file (the local system) the app signs in with
//! `POST /api/login`. The code verifier and a `state` value live in `sessionStorage` for the round
//! trip only; the answer's `state` must match (a forged redirect is refused), and the code is
//! exchanged for tokens at the hosted UI's token endpoint. The API takes the **id token** (its
//! verifier checks `aud` = the app client and `token_use` = id); roles are its `cognito:groups`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gloo_net::http::{Method, RequestBuilder};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const CONFIG_KEY: &str = "hoadon.auth";
const VERIFIER_KEY: &str = "hoadon.pkce.verifier";
const STATE_KEY: &str = "hoadon.pkce.state";

/// `/config.json` when the app is deployed with a Cognito user pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CognitoConfig {
    /// `https://<prefix>.auth.<region>.amazoncognito.com`
    pub domain: String,
    pub client_id: String,
    /// The app's own address, registered as the app client's callback URL.
    pub redirect_uri: String,
}

/// RFC 7636 §4.2: `BASE64URL(SHA256(verifier))`, no padding.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `n` random bytes from the browser's CSPRNG, base64url (a verifier of 32 bytes is 43 chars).
fn random(n: usize) -> Option<String> {
    let mut bytes = vec![0u8; n];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::api::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The hosted UI's authorize address for this round trip.
pub fn authorize_url(cfg: &CognitoConfig, state: &str, challenge: &str) -> String {
    let q = form_encode(&[
        ("response_type", "code"),
        ("client_id", &cfg.client_id),
        ("redirect_uri", &cfg.redirect_uri),
        ("scope", "openid email"),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]);
    format!("{}/oauth2/authorize?{q}", cfg.domain.trim_end_matches('/'))
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The deployment's Cognito settings; kept in `localStorage` so the app also knows them offline.
/// `None` on the local system (no `/config.json`).
pub async fn config() -> Option<CognitoConfig> {
    let fetched = RequestBuilder::new("/config.json")
        .method(Method::GET)
        .header("cache-control", "no-cache")
        .send()
        .await;
    match fetched {
        Ok(resp) if resp.ok() => {
            let cfg: Option<CognitoConfig> = resp.json().await.ok();
            if let (Some(s), Some(c)) = (crate::storage(), &cfg) {
                let _ = s.set_item(CONFIG_KEY, &serde_json::to_string(c).unwrap_or_default());
            }
            cfg
        }
        Ok(_) => None,
        // No answer: the last known settings.
        Err(_) => crate::storage()
            .and_then(|s| s.get_item(CONFIG_KEY).ok().flatten())
            .and_then(|j| serde_json::from_str(&j).ok()),
    }
}

/// Sends the browser to the hosted UI.
pub fn start(cfg: &CognitoConfig) -> Result<(), String> {
    let (verifier, state) = random(32)
        .zip(random(16))
        .ok_or("no secure random source")?;
    let store = session_storage().ok_or("no session storage")?;
    store
        .set_item(VERIFIER_KEY, &verifier)
        .and_then(|_| store.set_item(STATE_KEY, &state))
        .map_err(|_| "cannot keep the sign-in state")?;
    let url = authorize_url(cfg, &state, &challenge(&verifier));
    web_sys::window()
        .ok_or("no window")?
        .location()
        .assign(&url)
        .map_err(|_| "cannot open the sign-in page".to_owned())
}

#[derive(Deserialize)]
struct Tokens {
    id_token: String,
}

/// On the way back from the hosted UI (`?code=…&state=…`): checks `state`, exchanges the code
/// and returns the id token; `None` when this page load is not a sign-in answer. The address is
/// cleaned either way, so a reload does not replay the code.
pub async fn finish(cfg: &CognitoConfig) -> Option<Result<String, String>> {
    let window = web_sys::window()?;
    let search = window.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let error = params.get("error");
    let code = params.get("code");
    if code.is_none() && error.is_none() {
        return None;
    }
    if let Ok(h) = window.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"));
    }
    let store = session_storage()?;
    let expected = store.get_item(STATE_KEY).ok().flatten();
    let verifier = store.get_item(VERIFIER_KEY).ok().flatten();
    let _ = store.remove_item(STATE_KEY);
    let _ = store.remove_item(VERIFIER_KEY);
    if let Some(e) = error {
        return Some(Err(format!("Cognito: {e}")));
    }
    let (Some(code), Some(verifier)) = (code, verifier) else {
        return Some(Err("no sign-in in progress".into()));
    };
    if expected.is_none() || params.get("state") != expected {
        return Some(Err(
            "the sign-in answer does not match this browser's request".into(),
        ));
    }
    let body = form_encode(&[
        ("grant_type", "authorization_code"),
        ("client_id", &cfg.client_id),
        ("code", &code),
        ("redirect_uri", &cfg.redirect_uri),
        ("code_verifier", &verifier),
    ]);
    let url = format!("{}/oauth2/token", cfg.domain.trim_end_matches('/'));
    let sent = RequestBuilder::new(&url)
        .method(Method::POST)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    let resp = match sent {
        Ok(req) => req.send().await,
        Err(e) => return Some(Err(e.to_string())),
    };
    Some(match resp {
        Ok(r) if r.ok() => r
            .json::<Tokens>()
            .await
            .map(|t| t.id_token)
            .map_err(|e| e.to_string()),
        Ok(r) => Err(format!("Cognito refused the code (HTTP {})", r.status())),
        Err(e) => Err(e.to_string()),
    })
}

/// A role as the API knows it; the app uses it only to show or hide what the server would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Accountant,
    Sales,
}

/// Who a token names, read from its payload **without verifying it**: the server verifies every
/// request; the app needs this only to keep each user's drafts apart on a shared device and to
/// hide what the role cannot do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The local system's `tenant`; on AWS the user pool (`iss`) *is* the tenant.
    pub tenant: String,
    /// `sub`: the e-mail locally, Cognito's user id on AWS.
    pub subject: String,
    /// The name shown to people (the e-mail when the token has one).
    pub user: String,
    pub role: Role,
}

#[derive(Deserialize)]
struct Payload {
    sub: String,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
}

/// The claims of a JWT (`header.payload.signature`), or `None` when it is not one.
pub fn claims(token: &str) -> Option<Claims> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let p: Payload = serde_json::from_slice(&bytes).ok()?;
    let tenant = p.tenant.or(p.iss).filter(|t| !t.is_empty())?;
    let has = |r: &str| p.role.as_deref() == Some(r) || p.groups.iter().any(|g| g == r);
    // The strongest role wins, as on the server.
    let role = if has("admin") {
        Role::Admin
    } else if has("accountant") {
        Role::Accountant
    } else {
        Role::Sales
    };
    Some(Claims {
        user: p.email.unwrap_or_else(|| p.sub.clone()),
        subject: p.sub,
        tenant,
        role,
    })
}

impl Claims {
    /// The device database of this user of this tenant: the next user of a shared phone opens
    /// another one and never reads (or syncs) the previous user's drafts.
    pub fn partition(&self) -> String {
        format!("hoadon:{}:{}", self.tenant, self.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn the_partition_is_the_tenant_and_the_user() {
        let local = claims(&token(
            r#"{"sub":"a@demo.local","tenant":"demo","role":"sales","exp":1}"#,
        ))
        .unwrap();
        assert_eq!(local.partition(), "hoadon:demo:a@demo.local");
        assert_eq!(
            (local.role, local.user.as_str()),
            (Role::Sales, "a@demo.local")
        );
        let other = claims(&token(
            r#"{"sub":"b@demo.local","tenant":"demo","role":"admin","exp":1}"#,
        ))
        .unwrap();
        assert_ne!(other.partition(), local.partition());
        assert_eq!(other.role, Role::Admin);
        let cognito = claims(&token(r#"{"sub":"9f1c","iss":"https://cognito-idp.x/pool","email":"k@t.vn","cognito:groups":["sales","accountant"]}"#)).unwrap();
        assert_eq!(
            cognito.partition(),
            "hoadon:https://cognito-idp.x/pool:9f1c"
        );
        assert_eq!(
            (cognito.role, cognito.user.as_str()),
            (Role::Accountant, "k@t.vn")
        );
        assert_eq!(claims("not a token"), None);
        assert_eq!(
            claims(&token(r#"{"sub":"x"}"#)),
            None,
            "no tenant, no partition"
        );
    }

    #[test]
    fn the_challenge_is_rfc_7636s_s256() {
        // RFC 7636, Appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
