//! One attempt at a webhook: the Standard Webhooks signature and the HTTP request, to an
//! address checked after resolution (`guard`).

use super::guard::{self, ResolveError};
use super::{Endpoint, PK, SECRET_PREFIX};
use crate::invoices::{Services, from_item};
use crate::outbox::{Handoff, OutboxRecord};
use crate::store::TenantStore;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::Duration;

/// Connecting (TCP, then TLS) to one address.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole request: resolution aside, connection, sending and the answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Resolving the name.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes of an answer read (the rest is not waited for).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Characters of an answer kept on the delivery.
pub const KEPT_RESPONSE_CHARS: usize = 500;
/// Addresses of one name tried in turn when connecting fails.
const MAX_ADDRESSES: usize = 3;

/// `v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, `key` being the base64 after
/// `whsec_` (Standard Webhooks). `Err` when the secret is not one.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| "the endpoint's secret is not base64".to_owned())?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    let tag = ctx.sign();
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    ))
}

/// What came back.
struct Answer {
    status: u16,
    text: String,
}

/// One attempt at `m` (leased already). Records the answer's status and first characters on
/// the message; `Delivered` on `2xx`.
pub(crate) async fn attempt(svc: &Services, ts: &TenantStore, m: &mut OutboxRecord) -> Handoff {
    let failed = |why: String, permanent: bool| Handoff::Failed { why, permanent };
    let Some(w) = m.webhook.clone() else {
        return failed("not a webhook message".into(), true);
    };
    let ep: Endpoint = match ts.get(PK, &w.endpoint_id).await {
        Ok(Some(item)) => match from_item(&item) {
            Ok(e) => e,
            Err(e) => return failed(format!("the endpoint cannot be read: {e}"), false),
        },
        Ok(None) => return Handoff::Dropped("endpoint removed".into()),
        Err(e) => return failed(format!("the endpoint cannot be read: {e}"), false),
    };
    let (target, addrs) =
        match guard::resolve(&ep.url, svc.allow_local_webhooks, RESOLVE_TIMEOUT).await {
            Ok(t) => t,
            Err(ResolveError::Lookup(why)) => return failed(why, false),
            Err(ResolveError::Refused(r)) => return failed(r.en, true),
        };
    let timestamp = svc.clock.now();
    let signature = match sign(ep.secret.expose(), &m.id, timestamp, w.payload.as_bytes()) {
        Ok(s) => s,
        Err(why) => return failed(why, true),
    };
    let request = Request {
        target: &target,
        id: &m.id,
        timestamp,
        signature: &signature,
        body: Bytes::from(w.payload.clone()),
    };
    let outcome = tokio::time::timeout(REQUEST_TIMEOUT, request.send(&addrs)).await;
    let hook = m.webhook.as_mut().expect("checked above");
    match outcome {
        Err(_) => failed(
            format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
            false,
        ),
        Ok(Err(why)) => failed(why, false),
        Ok(Ok(answer)) => {
            hook.last_status = Some(answer.status);
            hook.last_response = Some(answer.text).filter(|t| !t.is_empty());
            match answer.status {
                200..=299 => {
                    hook.delivered_at = Some(svc.clock.now());
                    Handoff::Delivered
                }
                // The receiver says the endpoint is gone for good: no retry helps.
                410 => failed("the endpoint answered 410 Gone".into(), true),
                s => failed(format!("the endpoint answered HTTP {s}"), false),
            }
        }
    }
}

/// One request, ready to go to any of the checked addresses.
struct Request<'a> {
    target: &'a guard::Target,
    id: &'a str,
    timestamp: i64,
    signature: &'a str,
    body: Bytes,
}

impl Request<'_> {
    /// Sends to the first address that accepts a connection (the next only when connecting
    /// failed: nothing was sent then).
    async fn send(&self, addrs: &[std::net::SocketAddr]) -> Result<Answer, String> {
        let mut last = String::from("no address");
        for addr in addrs.iter().take(MAX_ADDRESSES) {
            match self.to(*addr).await {
                Ok(a) => return Ok(a),
                Err((why, connect)) => {
                    last = why;
                    if !connect {
                        break;
                    }
                }
            }
        }
        Err(last)
    }

    /// The request to `addr`; on failure why, and whether it failed while connecting.
    async fn to(&self, addr: std::net::SocketAddr) -> Result<Answer, (String, bool)> {
        let t = self.target;
        let client =
            hoadon_signing::http::client_to::<Full<Bytes>>(CONNECT_TIMEOUT, t.https, &t.host)
                .map_err(|e| (e, false))?;
        let scheme = if t.https { "https" } else { "http" };
        let req = hyper::Request::post(format!("{scheme}://{addr}{}", t.path))
            .header(hyper::header::HOST, &t.authority)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                concat!("hoadon-webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("webhook-id", self.id)
            .header("webhook-timestamp", self.timestamp.to_string())
            .header("webhook-signature", self.signature)
            .body(Full::new(self.body.clone()))
            .map_err(|e| (format!("the request cannot be built: {e}"), false))?;
        let resp = client.request(req).await.map_err(|e| {
            let why = format!("{}: {}", t.host, crate::ports::error_chain(&e));
            (why, e.is_connect())
        })?;
        let status = resp.status().as_u16();
        let mut body = resp.into_body();
        let mut bytes = Vec::new();
        // At most MAX_RESPONSE_BYTES: what is beyond is neither read nor waited for. A body
        // cut short after the status still counts as the answer.
        while bytes.len() < MAX_RESPONSE_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        bytes.extend_from_slice(&data);
                    }
                }
                Some(Err(_)) | None => break,
            }
        }
        bytes.truncate(MAX_RESPONSE_BYTES);
        let text = crate::outbox::truncate(&String::from_utf8_lossy(&bytes), KEPT_RESPONSE_CHARS);
        Ok(Answer { status, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published test vector of the Standard Webhooks specification (and of its reference
    /// libraries): reproducing it is what says a receiver's library accepts ours.
    #[test]
    fn the_standard_webhooks_test_vector() {
        assert_eq!(
            sign(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#,
            )
            .unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn any_change_changes_the_signature() {
        let s = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let base = sign(s, "msg_1", 1_614_265_330, b"{}").unwrap();
        assert_ne!(base, sign(s, "msg_2", 1_614_265_330, b"{}").unwrap());
        assert_ne!(base, sign(s, "msg_1", 1_614_265_331, b"{}").unwrap());
        assert_ne!(base, sign(s, "msg_1", 1_614_265_330, b"{ }").unwrap());
        let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx";
        assert_ne!(base, sign(other, "msg_1", 1_614_265_330, b"{}").unwrap());
        assert!(sign("whsec_not base64!", "msg_1", 1, b"{}").is_err());
    }
}
