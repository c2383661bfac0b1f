//! The one outgoing HTTP(S) client of the adapters that talk to other services (a CA's remote
//! signing service here, a T-VAN in `hoadon-authority`, webhooks in `hoadon-api`): hyper's
//! client with rustls on aws-lc-rs — the TLS stack the AWS SDK already brings, so there is no
//! OpenSSL and no second stack — and the system's root certificates.

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

/// A pooled client for `http://` and `https://` addresses.
pub type HttpsClient<B> = Client<hyper_rustls::HttpsConnector<HttpConnector>, B>;

/// Builds the client. `https` says whether the endpoint needs TLS: without system roots an
/// `http://` endpoint (a stand-in or simulator on loopback) still works, an `https://` one is
/// refused here rather than at the first call.
pub fn client<B>(connect_timeout: Duration, https: bool) -> Result<HttpsClient<B>, String>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
    {
        Ok(b) => b,
        Err(_) if !https => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(no_roots()?),
        Err(e) => return Err(format!("no TLS root certificates: {e}")),
    };
    let connector = builder
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector(connect_timeout));
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// A client for one request to an address the caller resolved and checked itself (a webhook:
/// the name's addresses are checked after resolution, then the request goes to the checked
/// address, so a second resolution cannot swap it). The request's URI names that address; TLS
/// still presents and verifies `server_name` (SNI and the certificate's name), and the caller
/// sets the `Host` header to the name. `https`: TLS only (an `http://` URI is refused); else
/// plain HTTP only. No connection is pooled beyond this client.
pub fn client_to<B>(
    connect_timeout: Duration,
    https: bool,
    server_name: &str,
) -> Result<HttpsClient<B>, String>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    let name = rustls::pki_types::ServerName::try_from(server_name.to_owned())
        .map_err(|e| format!("TLS server name {server_name:?}: {e}"))?;
    let tls = if https { native_roots()? } else { no_roots()? };
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
    let builder = if https {
        builder.https_only()
    } else {
        builder.https_or_http()
    };
    let connector = builder
        .with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
        .enable_http1()
        .wrap_connector(connector(connect_timeout));
    Ok(Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build(connector))
}

fn connector(connect_timeout: Duration) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(connect_timeout));
    http.enforce_http(false);
    http
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A TLS configuration trusting nothing (plain `http://` only, on loopback).
fn no_roots() -> Result<rustls::ClientConfig, String> {
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}

/// The system's roots, read once per process (a client per request must not read the
/// certificate store each time).
fn native_roots() -> Result<rustls::ClientConfig, String> {
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, String>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use hyper_rustls::ConfigBuilderExt;
            Ok(rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS: {e}"))?
                .with_native_roots()
                .map_err(|e| format!("no TLS root certificates: {e}"))?
                .with_no_client_auth())
        })
        .clone()
}
