//! The one outgoing HTTP(S) client of the adapters that talk to other services (a CA's remote
//! signing service here, a T-VAN in `hoadon-authority`): hyper's client with rustls on
//! aws-lc-rs — the TLS stack the AWS SDK already brings, so there is no OpenSSL and no second
//! stack — and the system's root certificates.

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
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(connect_timeout));
    http.enforce_http(false);
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
    {
        Ok(b) => b,
        Err(_) if !https => {
            let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls)
        }
        Err(e) => return Err(format!("no TLS root certificates: {e}")),
    };
    let connector = builder.https_or_http().enable_http1().wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}
