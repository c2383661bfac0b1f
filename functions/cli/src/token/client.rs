//! The desktop signer's HTTP client: JSON requests to hoadon's API with a bearer token.
//!
//! hyper's own client with rustls on aws-lc-rs — the TLS stack the workspace already builds for
//! the T-VAN adapter — so the CLI brings no second one. `https://` uses the system's root
//! certificates; plain `http://` is accepted only for a loopback host (the local server), since
//! the access token would otherwise cross the network in clear.
//!
//! The bearer token is a secret: [`Api`]'s `Debug` hides it and no error carries a header.

use hoadon_core::api::{Detail, ErrorBody};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// Largest answer read: a claim of 100 invoices is far smaller (each `SignedInfo` is ~1 KB).
const MAX_ANSWER_BYTES: usize = 16 << 20;
/// A claim numbers and prepares up to 100 invoices on the server: give it time.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Tries per request when the server could not be reached or answered 502/503/504. Claims and
/// signature uploads are both safe to repeat: a claim offers the same invoices again to the
/// same certificate, and a signature posted twice is `already_attached`.
const TRIES: u32 = 3;

/// Why a request failed.
#[derive(Debug)]
pub enum CallError {
    /// No usable answer (connection, TLS, timeout, a body that is not the expected JSON).
    Transport(String),
    /// The server answered with an error: its status and typed body.
    Api {
        status: u16,
        code: String,
        message: String,
        details: Vec<Detail>,
    },
}

impl CallError {
    /// The API's error code, if the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Api { code, .. } => Some(code),
            CallError::Transport(_) => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(m) => f.write_str(m),
            CallError::Api {
                status,
                code,
                message,
                details,
            } => {
                write!(f, "HTTP {status} {code}: {message}")?;
                for d in details {
                    write!(f, "; {} {}: {}", d.path, d.code, d.message_en)?;
                }
                Ok(())
            }
        }
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// hoadon's API at one base address, with one bearer token.
pub struct Api {
    base: String,
    authorization: String,
    client: HttpsClient,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Whether `host` (from a URL's authority, port removed) is this machine.
fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of `http://HOST[:PORT][/…]` (`rest` is what follows the scheme).
fn host_of(rest: &str) -> &str {
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rfind(':') {
        // `[::1]:8080` / `127.0.0.1:8080`; a bare IPv6 literal has its colons inside brackets.
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    }
}

impl Api {
    /// Checks `server` (`https://…`, or `http://` on a loopback host) and builds the client.
    pub fn new(server: &str, bearer: &str) -> Result<Api, String> {
        let base = server.trim_end_matches('/').to_owned();
        let tls = if let Some(rest) = base.strip_prefix("https://") {
            if host_of(rest).is_empty() {
                return Err(format!("--server {server:?} has no host"));
            }
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
                .map_err(|e| format!("no TLS root certificates on this system: {e}"))?
        } else if let Some(rest) = base.strip_prefix("http://") {
            if !loopback(host_of(rest)) {
                return Err(format!(
                    "--server {server:?}: plain http is only for this machine (localhost); \
                     use https:// so the access token does not travel in clear"
                ));
            }
            // Never used for http://, but the connector type wants a TLS configuration.
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        } else {
            return Err(format!("--server {server:?} is not an http(s):// address"));
        };
        if bearer.trim().is_empty() {
            return Err("the access token is empty".into());
        }
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.enforce_http(false);
        let connector = tls.https_or_http().enable_http1().wrap_connector(http);
        Ok(Api {
            base,
            authorization: format!("Bearer {}", bearer.trim()),
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST {base}{path}` with a JSON body; the status and the decoded answer. Retried (with
    /// the same body) when the server could not be reached or its gateway failed.
    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(u16, R), CallError> {
        let body =
            Bytes::from(serde_json::to_vec(body).map_err(|e| CallError::Transport(e.to_string()))?);
        let mut tries = 0;
        loop {
            tries += 1;
            match self.once(Method::POST, path, body.clone()).await {
                Err(CallError::Transport(_))
                | Err(CallError::Api {
                    status: 502..=504, ..
                }) if tries < TRIES => {
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(tries))).await;
                }
                other => return other,
            }
        }
    }

    async fn once<R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
    ) -> Result<(u16, R), CallError> {
        let uri = format!("{}{path}", self.base);
        let transport = |what: &str, e: &dyn std::fmt::Display| {
            CallError::Transport(format!("{uri}: {what}: {e}"))
        };
        let req = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::AUTHORIZATION, &self.authorization)
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .map_err(|e| transport("bad request", &e))?;
        let exchange = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| transport("cannot reach the server", &e))?;
            let status = resp.status().as_u16();
            let bytes = Limited::new(resp.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| transport("answer cut short", &e))?
                .to_bytes();
            Ok::<_, CallError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| transport("no answer", &format!("within {REQUEST_TIMEOUT:?}")))??;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map(|r| (status, r))
                .map_err(|e| transport("unexpected answer", &e));
        }
        Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(e) => CallError::Api {
                status,
                code: e.code,
                message: e.message,
                details: e.details,
            },
            Err(_) => CallError::Api {
                status,
                code: "http".into(),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                details: Vec::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_this_machine() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:8080/",
            "http://[::1]:9000",
            "http://127.0.0.1",
        ] {
            assert!(Api::new(ok, "t").is_ok(), "{ok}");
        }
        for bad in [
            "http://hoadon.example.vn",
            "http://10.0.0.2:8080",
            "ftp://127.0.0.1",
            "127.0.0.1:8080",
        ] {
            assert!(Api::new(bad, "t").is_err(), "{bad}");
        }
        assert!(Api::new("http://127.0.0.1:8080", " ").is_err());
    }

    #[test]
    fn debug_never_shows_the_access_token() {
        let api = Api::new("http://127.0.0.1:1", "hdp_secret").unwrap();
        assert!(!format!("{api:?}").contains("hdp_secret"));
    }
}
