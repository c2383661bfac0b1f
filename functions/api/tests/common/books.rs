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

impl TestApp {
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
