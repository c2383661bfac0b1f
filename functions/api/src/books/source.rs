//! Pulling invoices of a period from another platform: the [`InvoiceSource`] port.
//!
//! A source hands out the files of the invoices issued in a date range, a page at a time; the
//! importer treats them exactly as uploaded files (so a pull repeated is a pull of duplicates:
//! nothing is recorded twice). Adapters:
//! - [`HoadonSource`]: another hoadon, through its `GET /api/books/files` with one of its API
//!   access tokens (an accountant's).
//! - a fake in the tests (any `InvoiceSource`).
//!
//! What an adapter for MISA meInvoice, Viettel SInvoice or VNPT Invoice needs (not built: their
//! APIs are given to partners under contract): the provider's API address and the tenant's
//! credentials (an app id/key or a user and password exchanged for a token), its call that lists
//! invoices by issue date with paging (MISA: by date range and status; Viettel: by date range,
//! 50 per page; VNPT: by date range through its web service), and its call that returns an
//! invoice's signed XML by its id (base64 in a JSON answer or a ZIP). Those map onto
//! [`InvoiceSource::page`] one to one; everything after the bytes is the importer's.

use super::imports::Importer;
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::TenantStore;
use async_trait::async_trait;
use hoadon_core::api::Page;
use hoadon_core::api::books::{BookFile, ImportReport};
use std::time::Duration;

/// One page of a source's files.
pub struct SourcePage {
    pub files: Vec<BookFile>,
    pub next: Option<String>,
}

/// Why a source failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The credentials were refused.
    #[error("the source refused the credentials (HTTP {0})")]
    Credentials(u16),
    /// The source could not be reached or answered badly; retry later.
    #[error("the source is unavailable: {0}")]
    Unavailable(String),
}

/// Where invoices issued elsewhere can be pulled from.
#[async_trait]
pub trait InvoiceSource: Send + Sync {
    /// The files of invoices issued `from..=to` (`YYYY-MM-DD`), after `cursor`.
    async fn page(
        &self,
        from: &str,
        to: &str,
        cursor: Option<&str>,
    ) -> Result<SourcePage, SourceError>;
}

/// Most pages one pull reads (a guard against a source that never ends).
const MAX_PAGES: usize = 10_000;

/// Imports everything a source has for the period.
pub async fn pull(
    svc: &Services,
    ts: &TenantStore,
    source: &dyn InvoiceSource,
    from: &str,
    to: &str,
) -> Result<ImportReport, ApiError> {
    let (from, to) = super::period(from, to)?;
    let mut importer = Importer::new(svc, ts).await?;
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = source
            .page(&from, &to, cursor.as_deref())
            .await
            .map_err(|e| match e {
                SourceError::Credentials(_) => {
                    ApiError::Unprocessable("books.source_credentials", e.to_string())
                }
                SourceError::Unavailable(_) => ApiError::Upstream("books.source", e.to_string()),
            })?;
        for f in &page.files {
            importer.file(&f.name, f.xml.as_bytes()).await?;
        }
        // An empty page is not the end (a page's entries may all lack a file); a cursor that
        // does not move is.
        match page.next {
            Some(n) if cursor.as_ref() != Some(&n) => cursor = Some(n),
            _ => break,
        }
    }
    importer.finish().await
}

/// Another hoadon, read with one of its access tokens.
pub struct HoadonSource {
    base: String,
    token: String,
    client: hoadon_signing::http::HttpsClient<http_body_util::Full<axum::body::Bytes>>,
}

impl std::fmt::Debug for HoadonSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HoadonSource")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Whether a pull may go to `base`: `(https, loopback)`, or `None`. The address comes from a
/// user, and the request carries a token: no user information (`http://localhost@10.0.0.5/`),
/// `https://` to a name or a public IP address, plain `http://` only to the loopback address
/// (a local hoadon, in builds without the AWS adapters). Names are not resolved here: a name that resolves to a private address is
/// the operator's network policy's to refuse (an egress rule), as for the T-VAN adapter.
fn address_allowed(base: &str) -> Option<(bool, bool)> {
    let uri: axum::http::Uri = base.parse().ok()?;
    let authority = uri.authority()?;
    if authority.as_str().contains('@') || base.len() > 300 {
        return None;
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    let loopback = ip.is_some_and(|ip| ip.is_loopback());
    match uri.scheme_str()? {
        // Lambda's own runtime API listens on loopback: builds with the AWS adapters never
        // pull over plain http.
        "http" if loopback && !cfg!(feature = "aws") => Some((false, true)),
        // An IP literal must be public (the classification webhooks use: not private,
        // loopback, link-local, CGNAT, unique-local, …).
        "https" => match ip.map(crate::webhooks::guard::classify) {
            None | Some(crate::webhooks::guard::Class::Public) => Some((true, loopback)),
            Some(_) => None,
        },
        _ => None,
    }
}

/// Largest page answer read (bytes).
const MAX_PAGE_BYTES: usize = 64 << 20;

impl HoadonSource {
    /// `base`: `https://…` (or `http://` on loopback, for a local instance).
    pub fn new(base: &str, token: &str) -> Result<Self, ApiError> {
        let base = base.trim_end_matches('/').to_owned();
        let (https, loopback) = address_allowed(&base).ok_or_else(|| {
            ApiError::Unprocessable(
                "books.source_url",
                "Địa chỉ nguồn: https:// tới một máy chủ công khai (http:// chỉ cho 127.0.0.1), \
                 không kèm tên đăng nhập / the source's address: https:// to a public host \
                 (http:// only to 127.0.0.1), without user information"
                    .into(),
            )
        })?;
        let client = hoadon_signing::http::client(Duration::from_secs(10), https && !loopback)
            .map_err(|e| ApiError::Upstream("books.source", e))?;
        Ok(HoadonSource {
            base,
            token: token.trim().to_owned(),
            client,
        })
    }
}

#[async_trait]
impl InvoiceSource for HoadonSource {
    async fn page(
        &self,
        from: &str,
        to: &str,
        cursor: Option<&str>,
    ) -> Result<SourcePage, SourceError> {
        use http_body_util::BodyExt;
        let mut uri = format!("{}/api/books/files?from={from}&to={to}", self.base);
        if let Some(c) = cursor {
            uri.push_str(&format!("&cursor={c}"));
        }
        let req = hyper::Request::get(&uri)
            .header("authorization", format!("Bearer {}", self.token))
            .header("accept", "application/json")
            .body(http_body_util::Full::new(axum::body::Bytes::new()))
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let exchange = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| SourceError::Unavailable(crate::ports::error_chain(&e)))?;
            let status = resp.status();
            let body = http_body_util::Limited::new(resp.into_body(), MAX_PAGE_BYTES)
                .collect()
                .await
                .map_err(|e| SourceError::Unavailable(format!("answer cut short: {e}")))?
                .to_bytes();
            Ok::<_, SourceError>((status, body))
        };
        let (status, body) = tokio::time::timeout(Duration::from_secs(120), exchange)
            .await
            .map_err(|_| SourceError::Unavailable("no answer within 120 s".into()))??;
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(SourceError::Credentials(status.as_u16()));
        }
        if !status.is_success() {
            return Err(SourceError::Unavailable(format!("HTTP {status}")));
        }
        let page: Page<BookFile> = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Unavailable(format!("not a page of files: {e}")))?;
        Ok(SourcePage {
            files: page.items,
            next: page.next,
        })
    }
}

/// `GET /api/books/files`: the files of the books' entries of a period, for another hoadon.
pub async fn files(
    svc: &Services,
    ts: &TenantStore,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<BookFile>, ApiError> {
    let (from, to) = super::period(from, to)?;
    let (entries, next) = super::entries(ts, &from, &to, cursor, limit).await?;
    let mut items = Vec::with_capacity(entries.len());
    for (e, _) in entries {
        let bytes = match (&e.invoice_id, e.archive_key.as_deref()) {
            (Some(id), _) => crate::invoices::signed_xml(svc, ts, id).await?,
            (None, Some(k)) => match k.strip_prefix("inline:") {
                Some(xml) => xml.as_bytes().to_vec(),
                None => svc
                    .archive
                    .get(k)
                    .await
                    .map_err(|e| ApiError::Unavailable(e.to_string()))?
                    .unwrap_or_default(),
            },
            (None, None) => continue,
        };
        items.push(BookFile {
            name: format!("{}.xml", super::entry_id(&e.key)),
            xml: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::address_allowed;

    #[test]
    fn a_pull_goes_only_where_it_should() {
        assert_eq!(
            address_allowed("https://hoadon.example.vn"),
            Some((true, false))
        );
        assert_eq!(
            address_allowed("https://203.0.113.7:8443"),
            Some((true, false))
        );
        for refused in [
            "http://hoadon.example.vn",
            "http://localhost@10.0.0.5:8080/x?",
            "https://user@hoadon.example.vn",
            "https://10.0.0.5",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1:8443",
            "https://0.0.0.0",
            "https://100.64.0.1",
            "https://[fd00:ec2::254]",
            "https://[::ffff:10.0.0.5]",
            "ftp://hoadon.example.vn",
            "hoadon.example.vn",
        ] {
            assert_eq!(address_allowed(refused), None, "{refused}");
        }
        let local = address_allowed("http://127.0.0.1:8080");
        assert_eq!(local.is_some(), !cfg!(feature = "aws"));
    }
}
