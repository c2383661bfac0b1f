//! The books' tests' calls: the import upload and the inbox of a period.

#[path = "books_files.rs"]
mod files;
#[allow(unused_imports)] // each test binary uses its own part of the shared harness
pub use files::*;

use super::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The period the tests' invoices are dated in.
pub const FROM: &str = "2025-01-01";
pub const TO: &str = "2025-12-31";
/// Three buyers with valid tax ids.
pub const BUYERS: [(&str, &str); 3] = [
    ("0100109106", "Công ty Cổ phần Khách Một"),
    ("0101234565", "Công ty TNHH Khách Hai"),
    ("0102030405", "Công ty Khách Ba"),
];

/// The buyer of invoice `n`.
pub fn buyer(n: u64) -> (&'static str, &'static str) {
    BUYERS[(n % 3) as usize]
}

/// The entry of invoice number `n`.
pub fn of_number(entries: &[Value], n: u64) -> &Value {
    entries.iter().find(|e| e["key"]["number"] == n).unwrap()
}

/// The id of invoice number `n`'s entry.
pub fn id_of(entries: &[Value], n: u64) -> String {
    of_number(entries, n)["id"].as_str().unwrap().to_owned()
}

/// A count of an import report.
pub fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

impl TestApp {
    /// `GET /api/books/{id}/proposal?action=`.
    pub async fn proposal(&self, token: &str, id: &str, action: &str) -> (StatusCode, Value) {
        self.get(token, &format!("/api/books/{id}/proposal?action={action}"))
            .await
    }

    /// `POST /api/books/{id}/record` with `body`.
    pub async fn record(&self, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            "POST",
            &format!("/api/books/{id}/record"),
            Some(token),
            &[],
            Some(body),
        )
        .await
    }

    /// Records the entry's proposal for `action` as proposed.
    pub async fn record_proposal(
        &self,
        token: &str,
        id: &str,
        action: &str,
    ) -> (StatusCode, Value) {
        let (s, p) = self.proposal(token, id, action).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let body = json!({"action": action, "version": p["version"], "vouchers": p["vouchers"]});
        self.record(token, id, body).await
    }

    /// `POST /api/imports?name=` with the raw bytes.
    pub async fn import(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/imports?name={name}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap();
        let resp = hoadon_api::http::router(self.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes))),
        )
    }

    /// Every entry of a period (all pages).
    pub async fn books(&self, token: &str, from: &str, to: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let (s, v) = self
                .get(
                    token,
                    &format!("/api/books?from={from}&to={to}&limit=200&cursor={cursor}"),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            out.extend(v["items"].as_array().unwrap().iter().cloned());
            match v["next"].as_str() {
                Some(n) => cursor = n.to_owned(),
                None => return out,
            }
        }
    }
}
