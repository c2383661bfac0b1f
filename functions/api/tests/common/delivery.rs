//! Delivery for API tests: a PDF's text through `pdftotext` (Debian `poppler-utils`, installed
//! by `functions/dev test`) and the public lookup's calls.

use super::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The text of a PDF as `pdftotext -layout` extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (functions/dev test installs poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A request as a browser sends it; answers status, content type, headers of note and bytes.
pub async fn raw(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    client: Option<&str>,
) -> (StatusCode, String, Option<String>, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    if let Some(c) = client {
        req.extensions_mut()
            .insert(hoadon_api::http::delivery::ClientAddr(c.to_owned()));
    }
    let resp = hoadon_api::http::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status();
    let header = |n: &str| {
        resp.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (ct, retry) = (
        header("content-type").unwrap_or_default(),
        header("retry-after"),
    );
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ct, retry, bytes)
}

/// The invoice's PDF (asserting a `200 application/pdf`).
pub async fn pdf(app: &TestApp, t: &str, id: &str) -> Vec<u8> {
    let (s, ct, _, bytes) = raw(
        app,
        "GET",
        &format!("/api/invoices/{id}/pdf"),
        Some(t),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(ct, "application/pdf");
    bytes
}

/// `POST /api/public/lookup` from `client`.
pub async fn lookup(
    app: &TestApp,
    tenant: &str,
    code: &str,
    client: &str,
) -> (StatusCode, Value, Option<String>) {
    let (s, _, retry, bytes) = raw(
        app,
        "POST",
        "/api/public/lookup",
        None,
        Some(json!({"tenant": tenant, "code": code})),
        Some(client),
    )
    .await;
    (
        s,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        retry,
    )
}

/// The lookup code an issued invoice's document carries.
pub fn code_of(invoice: &Value) -> String {
    invoice["document"]["extensions"]["general"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "MaTraCuu")
        .and_then(|e| e["value"].as_str())
        .unwrap()
        .to_owned()
}
