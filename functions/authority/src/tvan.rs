//! The T-VAN adapter: [`TaxAuthority`] over HTTP.
//!
//! T-VANs (the licensed carriers between taxpayers and the GDT) each publish their own API; what
//! they share is the exchange itself — a `TDiep` goes in, a 999 comes back at once, the
//! authority's replies (matched by `MTDTChieu`) come later. hoadon speaks **one shape**, the
//! simulator's HTTP mode speaks it too, and a T-VAN whose API differs gets a thin adapter of its
//! own behind the same port:
//!
//! | call | request | answer |
//! |---|---|---|
//! | `submit` | `POST {endpoint}/tdiep`, body = the `TDiep` bytes, `Content-Type: application/xml` | `200`, body = the 999 `TDiep` |
//! | `replies` | `GET {endpoint}/tdiep/{MTDiep}/replies` | `200`, `{"replies": ["<TDiep…>", …]}`, oldest first, the 999 included; `[]` = never seen |
//!
//! Every request carries `Authorization: Basic base64(username:secret)` — the tenant's account
//! at the T-VAN. The message's `MNGui` is the T-VAN's code (`V` + its tax id), which the outbox
//! takes from [`TvanConfig::sender_code`]; `submit` refuses (before sending) a message whose
//! `MNGui` is another.
//!
//! Errors, as the outbox needs them (it resends the same bytes under the same `MTDiep` after
//! `Unavailable`, and looks up before resending after `Timeout`):
//!
//! | what happened | error |
//! |---|---|
//! | connection refused, DNS, connect timeout, TLS failure; `503`, `429` | `Unavailable` (not accepted; a resend is safe, and idempotent by `MTDiep` anyway) |
//! | sent, but no complete answer within [`TvanConfig::timeout`]; connection lost after sending; `500`, `502`, `504` (a gateway may fail after the T-VAN stored it) | `Timeout` (it may have been received) |
//! | `400`, `401`, `403`, `404`, `413`, other `4xx`; an answer that is not what the shape says | `Refused` (resending will not help: a person must look) |
//!
//! Secrets never reach `Debug` or the logs: [`TvanConfig`]'s `Debug` hides the secret, and
//! errors carry status lines and the transport's message, never headers.

use crate::{AuthorityError, TaxAuthority};
use async_trait::async_trait;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use std::time::Duration;

/// Largest answer read (a 202 with a large invoice, or many replies).
const MAX_ANSWER_BYTES: usize = 64 << 20;

/// What a tenant configures to send through its T-VAN.
#[derive(Clone, PartialEq, Eq)]
pub struct TvanConfig {
    /// Base address, e.g. `https://api.tvan.example/einvoice` (no trailing `/`).
    pub endpoint: String,
    /// The tenant's account at the T-VAN.
    pub username: String,
    /// Its password or API secret. Never printed.
    pub secret: String,
    /// `MNGui` of the messages sent this way: `V` + the T-VAN's tax id.
    pub sender_code: String,
    /// How long a call may take from sending to the complete answer.
    pub timeout: Duration,
    /// How long connecting may take (past it: `Unavailable`, nothing was sent).
    pub connect_timeout: Duration,
    /// The endpoint is a test environment (a T-VAN's sandbox, or the local simulator's HTTP
    /// mode): what it codes is test data, and `is_test()` says so. The adapter cannot tell by
    /// itself; the tenant's configuration does.
    pub test: bool,
}

impl TvanConfig {
    /// A configuration with the default timeouts (30 s per call, 5 s to connect).
    pub fn new(endpoint: &str, username: &str, secret: &str, sender_code: &str) -> Self {
        TvanConfig {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            username: username.to_owned(),
            secret: secret.to_owned(),
            sender_code: sender_code.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            test: false,
        }
    }
}

impl std::fmt::Debug for TvanConfig {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TvanConfig")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .field("secret", &"<hidden>")
            .field("sender_code", &self.sender_code)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("test", &self.test)
            .finish()
    }
}

type HttpsClient = hoadon_signing::http::HttpsClient<Full<Bytes>>;

/// The adapter. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct TvanClient {
    config: TvanConfig,
    authorization: String,
    client: HttpsClient,
}

impl std::fmt::Debug for TvanClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TvanClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TvanClient {
    /// Checks the configuration (an `http(s)://` endpoint, a sender code `V` + digits) and
    /// builds the client (TLS: rustls on aws-lc-rs with the system's roots).
    pub fn new(config: TvanConfig) -> Result<Self, AuthorityError> {
        let refused = |m: String| Err(AuthorityError::Refused(m));
        let https = config.endpoint.starts_with("https://");
        if !https && !config.endpoint.starts_with("http://") {
            return refused(format!(
                "T-VAN endpoint {:?} is not an http(s) address",
                config.endpoint
            ));
        }
        let code_ok = config.sender_code.strip_prefix('V').is_some_and(|d| {
            !d.is_empty() && config.sender_code.len() <= 14 && d.bytes().all(|b| b.is_ascii_digit())
        });
        if !code_ok {
            return refused(format!(
                "T-VAN sender code {:?} is not V followed by the T-VAN's tax id",
                config.sender_code
            ));
        }
        let client = hoadon_signing::http::client(config.connect_timeout, https)
            .map_err(|e| AuthorityError::Refused(format!("T-VAN endpoint: {e}")))?;
        let authorization = format!(
            "Basic {}",
            hoadon_core::dsig::b64_encode(
                format!("{}:{}", config.username, config.secret).as_bytes()
            )
        );
        Ok(TvanClient {
            config,
            authorization,
            client,
        })
    }

    pub fn config(&self) -> &TvanConfig {
        &self.config
    }

    /// One request, its status and its whole body, with the error mapping of the module doc.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<(StatusCode, Bytes), AuthorityError> {
        let uri = format!("{}{path}", self.config.endpoint);
        let mut req = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::AUTHORIZATION, &self.authorization)
            .header(header::ACCEPT, "application/xml, application/json");
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/xml; charset=utf-8");
        }
        let req = req
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| AuthorityError::Refused(format!("bad request to {uri}: {e}")))?;
        let exchange = async {
            let resp = self.client.request(req).await.map_err(|e| {
                if e.is_connect() {
                    AuthorityError::Unavailable(format!("{uri}: cannot connect: {e}"))
                } else {
                    AuthorityError::Timeout(format!("{uri}: connection lost after sending: {e}"))
                }
            })?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        AuthorityError::Refused(format!(
                            "{uri}: the answer is larger than {MAX_ANSWER_BYTES} bytes"
                        ))
                    } else {
                        AuthorityError::Timeout(format!("{uri}: answer cut short: {e}"))
                    }
                })?
                .to_bytes();
            Ok::<_, AuthorityError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.config.timeout, exchange)
            .await
            .map_err(|_| {
                AuthorityError::Timeout(format!(
                    "{uri}: no answer within {:?}",
                    self.config.timeout
                ))
            })??;
        if status.is_success() {
            return Ok((status, bytes));
        }
        let detail: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
        let m = format!("{uri}: HTTP {status}: {detail}");
        Err(match status.as_u16() {
            // A gateway's 500/502 may come after the T-VAN stored the message: look up first.
            500 | 502 | 504 => AuthorityError::Timeout(m),
            429 | 503 => AuthorityError::Unavailable(m),
            _ => AuthorityError::Refused(m),
        })
    }
}

/// The `replies` answer.
#[derive(serde::Deserialize)]
struct Replies {
    replies: Vec<String>,
}

fn path_segment(id: &str) -> Result<&str, AuthorityError> {
    // An MTDiep is ASCII letters and digits; anything else would change the path.
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(AuthorityError::Refused(format!(
            "{id:?} is not a message id (MTDiep)"
        )))
    }
}

#[async_trait]
impl TaxAuthority for TvanClient {
    async fn submit(&self, message: &[u8]) -> Result<Vec<String>, AuthorityError> {
        // A message whose sender is not this T-VAN would be refused on the other side (or,
        // worse, misrouted): a configuration error a person must fix, caught before sending.
        let sender = format!("<MNGui>{}</MNGui>", self.config.sender_code);
        if !message
            .windows(sender.len())
            .any(|w| w == sender.as_bytes())
        {
            return Err(AuthorityError::Refused(format!(
                "the message's MNGui is not this T-VAN's code {}",
                self.config.sender_code
            )));
        }
        let (_, body) = self
            .call(
                Method::POST,
                "/tdiep",
                Some(Bytes::copy_from_slice(message)),
            )
            .await?;
        let text = String::from_utf8(body.to_vec())
            .map_err(|_| AuthorityError::Refused("the T-VAN's answer is not UTF-8".into()))?;
        Ok(if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![text]
        })
    }

    async fn replies(&self, message_id: &str) -> Result<Vec<String>, AuthorityError> {
        let path = format!("/tdiep/{}/replies", path_segment(message_id)?);
        let (_, body) = self.call(Method::GET, &path, None).await?;
        serde_json::from_slice::<Replies>(&body)
            .map(|r| r.replies)
            .map_err(|e| {
                AuthorityError::Refused(format!("the T-VAN's replies are not readable: {e}"))
            })
    }

    /// As configured ([`TvanConfig::test`]).
    fn is_test(&self) -> bool {
        self.config.test
    }
}
