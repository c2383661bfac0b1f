//! An ERP's webhook receiver on loopback, as a receiver written from the Standard Webhooks
//! specification would be: it verifies `webhook-signature` with its own HMAC (none of the
//! server's code), refuses a stale `webhook-timestamp`, deduplicates by `webhook-id`, and —
//! to make the sender retry — answers `500` to every tenth message it sees for the first time.
//! Paths can be put down (`503`) or gone (`410`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// How old a `webhook-timestamp` may be (or how far ahead), seconds.
pub const TOLERANCE: i64 = 300;

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Raw {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Raw {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A message the receiving application processed (once per `webhook-id`).
#[derive(Debug, Clone)]
pub struct Processed {
    pub id: String,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    /// Path → its endpoint's secret (`whsec_…`).
    secrets: HashMap<String, String>,
    down: HashSet<String>,
    gone: HashSet<String>,
    /// Every request, verified or not.
    raw: Vec<Raw>,
    /// `(path, id)` seen at least once with a valid signature.
    seen: HashSet<(String, String)>,
    /// Messages seen for the first time (the every-tenth count).
    firsts: usize,
    /// First attempts answered 500 on purpose.
    failed_firsts: usize,
    /// Valid messages arriving again after being processed.
    duplicates: usize,
    bad_signatures: usize,
    processed: HashMap<String, Vec<Processed>>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

/// Verifies a Standard Webhooks request: the signature (any `v1,` entry of the header) over
/// `id.timestamp.body` with the base64 key after `whsec_`, and the timestamp within
/// [`TOLERANCE`] of `now`.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), String> {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .ok_or(format!("no {n}"))
    };
    let id = h("webhook-id")?;
    let ts = h("webhook-timestamp")?;
    let sigs = h("webhook-signature")?;
    let t: i64 = ts.parse().map_err(|_| "bad timestamp")?;
    if (now - t).abs() > TOLERANCE {
        return Err(format!("timestamp {t} too far from {now}"));
    }
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|_| "bad secret")?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let mut signed = format!("{id}.{ts}.").into_bytes();
    signed.extend_from_slice(body);
    for sig in sigs.split(' ') {
        let Some(b64) = sig.strip_prefix("v1,") else {
            continue;
        };
        let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(b64) else {
            continue;
        };
        if hmac::verify(&key, &signed, &tag).is_ok() {
            return Ok(());
        }
    }
    Err("no valid signature".into())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let path = uri.path().to_owned();
    let mut s = inner.lock().unwrap();
    s.raw.push(Raw {
        path: path.clone(),
        headers: headers.clone(),
        body: body.clone(),
    });
    let Some(secret) = s.secrets.get(&path).cloned() else {
        return (StatusCode::NOT_FOUND, "no such hook".into());
    };
    if let Err(e) = verify(&secret, &headers, &body, now()) {
        s.bad_signatures += 1;
        return (StatusCode::UNAUTHORIZED, e);
    }
    if s.gone.contains(&path) {
        return (StatusCode::GONE, "this hook was retired".into());
    }
    if s.down.contains(&path) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "down for maintenance".into(),
        );
    }
    let id = headers["webhook-id"].to_str().unwrap().to_owned();
    if s.seen.insert((path.clone(), id.clone())) {
        s.firsts += 1;
        if s.firsts % 10 == 0 {
            s.failed_firsts += 1;
            return (StatusCode::INTERNAL_SERVER_ERROR, "try again later".into());
        }
    }
    let list = s.processed.entry(path).or_default();
    if list.iter().any(|p| p.id == id) {
        s.duplicates += 1;
        return (StatusCode::OK, "already had it".into());
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    list.push(Processed { id, body });
    (StatusCode::OK, "thanks".into())
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { addr, inner }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Takes hooks at `path` signed with `secret`.
    pub fn register(&self, path: &str, secret: &str) {
        let mut s = self.inner.lock().unwrap();
        s.secrets.insert(path.into(), secret.into());
    }

    pub fn set_down(&self, path: &str, down: bool) {
        let mut s = self.inner.lock().unwrap();
        if down {
            s.down.insert(path.into());
        } else {
            s.down.remove(path);
        }
    }

    pub fn set_gone(&self, path: &str) {
        self.inner.lock().unwrap().gone.insert(path.into());
    }

    pub fn processed(&self, path: &str) -> Vec<Processed> {
        let s = self.inner.lock().unwrap();
        s.processed.get(path).cloned().unwrap_or_default()
    }

    pub fn raw(&self, path: &str) -> Vec<Raw> {
        let s = self.inner.lock().unwrap();
        s.raw.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// `(first attempts failed on purpose, duplicates, bad signatures)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let s = self.inner.lock().unwrap();
        (s.failed_firsts, s.duplicates, s.bad_signatures)
    }
}
