//! A stand-in of a CA's remote signing service on loopback, speaking the generic shape of the
//! module doc: it holds an RSA key (a test certificate with `MST:` goes with it), checks the
//! account, signs the hash it is sent, and can be told to answer at once, after some polls,
//! or to fail in the ways real services do. For tests only (feature `stand-in`).

use super::SHA256_DIGEST_INFO_PREFIX;
use super::wire::{SignHashRequest, SignHashResponse};
use aws_lc_rs::digest::{Digest, SHA256};
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hoadon_core::dsig;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The account the stand-in accepts.
#[derive(Debug, Clone)]
pub struct Account {
    pub client_id: String,
    pub client_secret: String,
    pub user_id: String,
    pub credential_id: String,
}

/// How the stand-in answers the next sign requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// The signature in the answer to the sign call.
    Sync,
    /// `pending` with a transaction id; signed after this many status polls.
    Async { pending_polls: u32 },
    /// Pending forever (the user never confirms).
    NeverConfirmed,
    /// Pending, then the user declines.
    Declined,
    /// Pending, then the confirmation expires.
    Expired,
    /// This HTTP status to the sign call.
    Status(u16),
    /// No answer at all (the client's call times out).
    Hang,
    /// A well-formed signature over another digest.
    WrongSignature,
}

struct Transaction {
    polls_left: u32,
    outcome: SignHashResponse,
}

struct Inner {
    key: RsaKeyPair,
    account: Account,
    behaviour: Mutex<Behaviour>,
    transactions: Mutex<HashMap<String, Transaction>>,
    signs: AtomicU32,
    polls: AtomicU32,
}

/// The running stand-in; stops when dropped.
pub struct StandIn {
    endpoint: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Answer = (StatusCode, Json<serde_json::Value>);

fn error(status: StatusCode, message: &str) -> Answer {
    (status, Json(serde_json::json!({ "message": message })))
}

fn answer(status: StatusCode, r: &SignHashResponse) -> Response {
    (status, Json(r)).into_response()
}

impl StandIn {
    /// Starts on `127.0.0.1:<free port>` with the PKCS#8 PEM key `key_pem`.
    pub async fn start(key_pem: &str, account: Account) -> Result<Self, String> {
        let der = crate::pem_block(key_pem, "PRIVATE KEY").ok_or("no PKCS#8 PEM key")?;
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| e.to_string())?;
        let inner = Arc::new(Inner {
            key,
            account,
            behaviour: Mutex::new(Behaviour::Sync),
            transactions: Mutex::new(HashMap::new()),
            signs: AtomicU32::new(0),
            polls: AtomicU32::new(0),
        });
        let app = Router::new()
            .route("/signatures/sign-hash", post(sign))
            .route("/signatures/{id}", get(status))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let endpoint = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn {
            endpoint,
            inner,
            task,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn set(&self, b: Behaviour) {
        *lock(&self.inner.behaviour) = b;
    }

    /// Sign calls received (accepted or not).
    pub fn sign_calls(&self) -> u32 {
        self.inner.signs.load(Ordering::SeqCst)
    }

    /// Status calls received.
    pub fn status_calls(&self) -> u32 {
        self.inner.polls.load(Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    /// The integrator's account: Basic, or in the body when no `Authorization` came.
    fn client_ok(&self, headers: &HeaderMap, body: Option<&SignHashRequest>) -> bool {
        let a = &self.account;
        match headers.get(header::AUTHORIZATION) {
            Some(h) => {
                let want = format!(
                    "Basic {}",
                    dsig::b64_encode(format!("{}:{}", a.client_id, a.client_secret).as_bytes())
                );
                h.as_bytes() == want.as_bytes()
            }
            None => body.is_some_and(|b| {
                b.client_id.as_deref() == Some(&a.client_id)
                    && b.client_secret.as_deref() == Some(&a.client_secret)
            }),
        }
    }

    /// RSA PKCS#1 v1.5 over a SHA-256 digest as sent (`DigestInfo` or bare).
    fn sign_hash(&self, req: &SignHashRequest, wrong: bool) -> Result<String, &'static str> {
        let sent = dsig::b64_decode(&req.hash).map_err(|_| "hash is not base64")?;
        let mut hash = match req.hash_format.as_str() {
            "digest_info" => sent
                .strip_prefix(&SHA256_DIGEST_INFO_PREFIX[..])
                .filter(|h| h.len() == 32)
                .ok_or("not a SHA-256 DigestInfo")?
                .to_vec(),
            "sha256" if sent.len() == 32 => sent,
            _ => return Err("hash_format/hash length mismatch"),
        };
        if wrong {
            hash[0] ^= 1;
        }
        let digest = Digest::import_less_safe(&hash, &SHA256).map_err(|_| "bad digest")?;
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign_digest(&RSA_PKCS1_SHA256, &digest, &mut sig)
            .map_err(|_| "RSA failed")?;
        Ok(dsig::b64_encode(&sig))
    }
}

async fn sign(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    s.signs.fetch_add(1, Ordering::SeqCst);
    let Ok(req) = serde_json::from_slice::<SignHashRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "unreadable request").into_response();
    };
    if !s.client_ok(&headers, Some(&req)) {
        return error(StatusCode::UNAUTHORIZED, "SP_CREDENTIAL_INVALID").into_response();
    }
    if req.user_id != s.account.user_id || req.credential_id != s.account.credential_id {
        return error(StatusCode::FORBIDDEN, "CREDENTIAL_STATUS_INVALID").into_response();
    }
    let behaviour = *lock(&s.behaviour);
    if let Behaviour::Status(code) = behaviour {
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return error(code, "stand-in failure").into_response();
    }
    if behaviour == Behaviour::Hang {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
    let signature = match s.sign_hash(&req, behaviour == Behaviour::WrongSignature) {
        Ok(sig) => sig,
        Err(m) => return error(StatusCode::BAD_REQUEST, m).into_response(),
    };
    let (polls_left, outcome) = match behaviour {
        Behaviour::Async { pending_polls } => {
            (pending_polls, SignHashResponse::Signed { signature })
        }
        Behaviour::NeverConfirmed => (u32::MAX, SignHashResponse::Expired),
        Behaviour::Declined => (
            1,
            SignHashResponse::Refused {
                message: Some("the user declined".into()),
            },
        ),
        Behaviour::Expired => (1, SignHashResponse::Expired),
        _ => return answer(StatusCode::OK, &SignHashResponse::Signed { signature }),
    };
    let id = format!("tx-{}", req.request_id);
    lock(&s.transactions).insert(
        id.clone(),
        Transaction {
            polls_left,
            outcome,
        },
    );
    answer(
        StatusCode::ACCEPTED,
        &SignHashResponse::Pending {
            transaction_id: Some(id),
            poll_after_ms: Some(20),
        },
    )
}

async fn status(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    s.polls.fetch_add(1, Ordering::SeqCst);
    // The status call has no body: with body credentials, the transaction id is the capability.
    if headers.contains_key(header::AUTHORIZATION) && !s.client_ok(&headers, None) {
        return error(StatusCode::UNAUTHORIZED, "SP_CREDENTIAL_INVALID").into_response();
    }
    let mut txs = lock(&s.transactions);
    let Some(tx) = txs.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "unknown transaction").into_response();
    };
    if tx.polls_left > 0 {
        tx.polls_left -= 1;
        return answer(
            StatusCode::OK,
            &SignHashResponse::Pending {
                transaction_id: None,
                poll_after_ms: None,
            },
        );
    }
    answer(StatusCode::OK, &tx.outcome)
}
