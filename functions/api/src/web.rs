//! Serves the web app (`app/dist`, built by `app/build`) on the same origin as the API, as
//! CloudFront does in AWS: hashed assets cached for a year, `index.html` never, and every path
//! without a file extension (a deep link into the app) answered with `index.html`.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The file a request path names inside `root`, refusing anything that could leave it.
fn resolve(root: &Path, uri_path: &str) -> Option<PathBuf> {
    let rel = uri_path.trim_start_matches('/');
    if rel.is_empty() {
        return Some(root.join("index.html"));
    }
    let safe = rel
        .split('/')
        .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\\'));
    if !safe {
        return None;
    }
    let has_extension = rel
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    Some(if has_extension {
        root.join(rel)
    } else {
        root.join("index.html")
    })
}

/// A fallback service for the Router: everything that is not `/api/…`.
pub async fn serve(root: PathBuf, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    let Some(file) = resolve(&root, path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            // Only content-hashed assets may be cached: the page, the service worker (which
            // names the current assets) and the manifest must be revalidated every time.
            let unhashed = file
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| matches!(n, "index.html" | "sw.js" | "manifest.webmanifest"));
            let cache = if unhashed {
                "no-cache"
            } else {
                "public, max-age=31536000, immutable"
            };
            let mut resp = bytes.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&file)),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            resp
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_app_and_deep_links_get_the_app() {
        let root = Path::new("/srv/app");
        assert_eq!(resolve(root, "/"), Some(root.join("index.html")));
        assert_eq!(
            resolve(root, "/hoadon-app-1234.wasm"),
            Some(root.join("hoadon-app-1234.wasm"))
        );
        assert_eq!(
            resolve(root, "/invoices/inv-1"),
            Some(root.join("index.html"))
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../x.js",
            "/a//b.js",
            "/..\\x.js",
            "/./a.js",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
    }
}
