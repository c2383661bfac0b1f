//! The same Router behind Lambda: real API Gateway HTTP API (`$default` stage) and Function URL
//! event JSON, turned into requests by `lambda_http::request::from_str`, answered by the Router.
#![cfg(feature = "aws")]

use axum::body::Body;
use hoadon_api::auth::{Hs256, Role};
use hoadon_api::bootstrap;
use hoadon_api::http::{App, AppState, router};
use hoadon_api::invoices::Services;
use hoadon_api::ports::{FileArchive, FixedClock};
use hoadon_api::store::Store;
use hoadon_api::store::redb::RedbStore;
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

async fn app(dir: &std::path::Path) -> AppState {
    let store: Arc<dyn Store> = Arc::new(RedbStore::open(&dir.join("s.redb")).unwrap());
    bootstrap::add_tenant(&*store, "anphat", "0109998883")
        .await
        .unwrap();
    bootstrap::add_user(
        &*store,
        "admin@anphat.vn",
        "anphat",
        Role::Admin,
        "secret-pass",
        [1; 16],
    )
    .await
    .unwrap();
    let hs = Arc::new(Hs256::new(b"lambda test secret lambda test s"));
    AppState(Arc::new(App {
        store,
        verifier: hs.clone(),
        issuer: Some(hs),
        services: Services::new(
            Arc::new(FixedClock(1_763_800_000)),
            Arc::new(FileArchive {
                root: dir.join("a"),
            }),
            HashMap::new(),
        ),
    }))
}

async fn handle(state: &AppState, event: &str) -> (u16, Value) {
    let req = lambda_http::request::from_str(event).expect("a valid Lambda HTTP event");
    let (parts, body) = req.into_parts();
    let req = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn http_api_and_function_url_events_reach_the_router() {
    let dir = tempfile::tempdir().unwrap();
    let state = app(dir.path()).await;
    let (s, login) = handle(&state, include_str!("events/http-api-login.json")).await;
    assert_eq!(s, 200, "{login}");
    assert_eq!(login["tenant"], "anphat");
    let token = login["token"].as_str().unwrap();

    let list = include_str!("events/function-url-list-invoices.json").replace("TOKEN", token);
    let (s, v) = handle(&state, &list).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"], serde_json::json!([]));
    // Without the token, the same event is refused as on any other transport.
    let (s, v) = handle(
        &state,
        &list.replace(&format!("Bearer {token}"), "Bearer nope"),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
}
