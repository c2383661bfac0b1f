//! Personal access tokens, in-process: created once and shown once, used on a signer's route,
//! revoked → `401`; expiry by the test clock; only the hash at rest; last use written at most
//! once a minute; who may create, list and revoke; a signer token refused on ordinary routes;
//! tenant isolation; the audit chain `AUDIT#access-tokens`.

mod common;

use axum::http::StatusCode;
use common::{NOW, TestApp, spawn_app_full};
use hoadon_api::auth::Role;
use hoadon_api::bootstrap;
use hoadon_api::ports::Clock;
use hoadon_api::store::TenantStore;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the test moves.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

async fn app_with_clock() -> (TestApp, Arc<TestClock>) {
    let clock = Arc::new(TestClock(AtomicI64::new(NOW)));
    let app = spawn_app_full(|f| f, clock.clone(), |s| s).await;
    bootstrap::add_user(
        &*app.state.0.store,
        "ketoan@anphat.vn",
        "anphat",
        Role::Accountant,
        "secret-pass",
        [1; 16],
    )
    .await
    .unwrap();
    (app, clock)
}

async fn create(app: &TestApp, user: &str, body: Value) -> (StatusCode, Value) {
    app.call("POST", "/api/access-tokens", Some(user), &[], Some(body))
        .await
}

/// A signer token of `user`: (the token, its id).
async fn signer_token(app: &TestApp, user: &str, name: &str) -> (String, String) {
    let (s, v) = create(app, user, json!({"name": name, "role": "signer"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (
        v["token"].as_str().unwrap().to_owned(),
        v["record"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn revoke(app: &TestApp, user: &str, id: &str) -> (StatusCode, Value) {
    let uri = format!("/api/access-tokens/{id}");
    app.call("DELETE", &uri, Some(user), &[], None).await
}

fn assert_unauthorized(answer: &(StatusCode, Value)) {
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{}", answer.1);
    assert_eq!(answer.1["code"], "unauthorized", "{}", answer.1);
}

#[tokio::test]
async fn a_token_is_shown_once_works_on_the_signers_route_and_dies_when_revoked() {
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (s, v) = create(
        &app,
        &admin,
        json!({"name": " Máy ký ", "role": "signer", "expires_in_days": 30}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hdp_") && token.len() == 47, "{token}");
    let rec = &v["record"];
    assert_eq!(rec["name"], "Máy ký");
    assert_eq!(rec["role"], "signer");
    assert_eq!(rec["created_by"], "admin@anphat.vn");
    assert_eq!(rec["created_at"], NOW);
    assert_eq!(rec["expires_at"], NOW + 30 * 86_400);
    assert!(rec.get("last_used_at").is_none() && rec.get("revoked_at").is_none());
    let id = rec["id"].as_str().unwrap().to_owned();

    // The list never shows the token again.
    let (s, list) = app.get(&admin, "/api/access-tokens").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(!list.to_string().contains(&token));
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // The signer's route: who the token is.
    let (s, me) = app.get(&token, "/api/access-tokens/self").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["tenant"], "anphat");
    assert_eq!(me["record"]["id"], id.as_str());
    assert_eq!(me["record"]["last_used_at"], NOW);
    // A user's sign-in token is not an access token.
    assert_eq!(
        app.get(&admin, "/api/access-tokens/self").await.0,
        StatusCode::NOT_FOUND
    );

    let (s, revoked) = revoke(&app, &admin, &id).await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["revoked_at"], NOW);
    assert_unauthorized(&app.get(&token, "/api/access-tokens/self").await);
    // Still listed, marked; revoking again changes nothing.
    let (_, list) = app.get(&admin, "/api/access-tokens").await;
    assert_eq!(list["items"][0]["revoked_at"], NOW);
    let again = revoke(&app, &admin, &id).await;
    assert_eq!(again, (StatusCode::OK, revoked));

    // Both on the chain, which verifies.
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let report = hoadon_api::access_tokens::audit(&ts).await.unwrap();
    let report = serde_json::to_value(report).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    let actions: Vec<&str> = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["access_token_created", "access_token_revoked"]);
}

#[tokio::test]
async fn a_token_expires_by_the_clock_and_expiry_is_bounded() {
    let (app, clock) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (s, v) = create(&app, &admin, json!({"name": "a", "role": "signer"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["record"]["expires_at"],
        NOW + 90 * 86_400,
        "90 days by default"
    );
    let (token, _) = signer_token(&app, &admin, "one day").await;
    let body = |d: i64| json!({"name": "x", "role": "signer", "expires_in_days": d});
    let (_, v) = create(&app, &admin, body(1)).await;
    let one_day = v["token"].as_str().unwrap().to_owned();
    for bad in [0, 366] {
        let (s, v) = create(&app, &admin, body(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "access_token.bad_expiry");
        assert!(v["message"].as_str().unwrap().contains(" / "));
    }
    clock.0.store(NOW + 86_400 - 1, Ordering::SeqCst);
    assert_eq!(
        app.get(&one_day, "/api/access-tokens/self").await.0,
        StatusCode::OK
    );
    clock.0.store(NOW + 86_400, Ordering::SeqCst);
    let answer = app.get(&one_day, "/api/access-tokens/self").await;
    assert_unauthorized(&answer);
    assert_eq!(
        answer.1["message"],
        "authentication required: expired token"
    );
    assert_eq!(
        app.get(&token, "/api/access-tokens/self").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_store_holds_only_the_hash() {
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (token, id) = signer_token(&app, &admin, "hash").await;
    let secret = &token[4..];
    let store = &app.state.0.store;
    let hash = hoadon_api::ports::sha256_hex(token.as_bytes());
    let mut items = Vec::new();
    for pk in ["PAT", "T#anphat#PAT", "T#anphat#AUDIT#access-tokens"] {
        items.extend(store.query(pk, "", None, 100).await.unwrap().items);
    }
    assert!(
        items.iter().any(|i| i.key.sk == hash),
        "indexed by its SHA-256"
    );
    assert!(items.iter().any(|i| i.key.sk == id));
    for i in &items {
        let text = String::from_utf8_lossy(&i.data);
        assert!(
            !text.contains(secret) && !i.key.sk.contains(secret),
            "{text}"
        );
    }
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let (app, clock) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (token, id) = signer_token(&app, &admin, "touch").await;
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let version = || async { ts.get("PAT", &id).await.unwrap().unwrap().version };
    let v0 = version().await;
    for _ in 0..5 {
        assert_eq!(
            app.get(&token, "/api/access-tokens/self").await.0,
            StatusCode::OK
        );
    }
    assert_eq!(version().await, v0 + 1, "one write for five uses");
    clock.0.store(NOW + 59, Ordering::SeqCst);
    let (_, me) = app.get(&token, "/api/access-tokens/self").await;
    assert_eq!(me["record"]["last_used_at"], NOW);
    assert_eq!(version().await, v0 + 1);
    clock.0.store(NOW + 60, Ordering::SeqCst);
    let (_, me) = app.get(&token, "/api/access-tokens/self").await;
    assert_eq!(me["record"]["last_used_at"], NOW + 60);
    assert_eq!(version().await, v0 + 2);
}

#[tokio::test]
async fn roles_decide_who_creates_sees_and_revokes() {
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let accountant = app.login("ketoan@anphat.vn").await;
    let sales = app.login("sales@anphat.vn").await;
    let (s, v) = create(&app, &sales, json!({"name": "x", "role": "signer"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (_, mine) = signer_token(&app, &accountant, "kế toán").await;
    let (_, admins) = signer_token(&app, &admin, "admin").await;

    // An accountant sees only their own; the admin sees the tenant's; sales see none.
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&app.get(&accountant, "/api/access-tokens").await.1),
        std::slice::from_ref(&mine)
    );
    assert_eq!(ids(&app.get(&admin, "/api/access-tokens").await.1).len(), 2);
    assert!(ids(&app.get(&sales, "/api/access-tokens").await.1).is_empty());

    // Someone else's token does not exist for a non-admin; the admin may revoke any.
    assert_eq!(
        revoke(&app, &accountant, &admins).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(revoke(&app, &sales, &mine).await.0, StatusCode::NOT_FOUND);
    assert_eq!(revoke(&app, &admin, &mine).await.0, StatusCode::OK);
    assert_eq!(
        revoke(&app, &admin, "not-an-id").await.0,
        StatusCode::NOT_FOUND
    );

    // Bad names: typed 422.
    for name in ["", "   ", &"x".repeat(101), "a\u{7}b"] {
        let (s, v) = create(&app, &admin, json!({"name": name, "role": "signer"})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("access_token.bad_name")
            )
        );
    }
    let (s, v) = create(&app, &admin, json!({"name": "x", "role": "admin"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
}

#[tokio::test]
async fn a_signer_token_is_refused_on_ordinary_routes_and_cannot_make_tokens() {
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (token, id) = signer_token(&app, &admin, "signer").await;
    for uri in [
        "/api/profile",
        "/api/invoices",
        "/api/catalogs/customers",
        "/api/certificates",
        "/api/access-tokens",
    ] {
        let (s, v) = app.get(&token, uri).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{uri}"
        );
    }
    let (s, _) = create(&app, &token, json!({"name": "more", "role": "signer"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(revoke(&app, &token, &id).await.0, StatusCode::FORBIDDEN);
    // Unknown and malformed tokens: 401, typed.
    let forged = format!("hdp_{}", "A".repeat(43));
    for bad in [forged.as_str(), "hdp_", "hdp_x", &format!("{token}x")] {
        assert_unauthorized(&app.get(bad, "/api/access-tokens/self").await);
    }
}

#[tokio::test]
async fn a_token_of_one_tenant_reaches_nothing_of_another() {
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let other = app.login("admin@other.vn").await;
    let (token, id) = signer_token(&app, &admin, "anphat's").await;
    let (_, other_id) = signer_token(&app, &other, "other's").await;
    // The token acts in its own tenant, whatever the request says.
    let (_, me) = app.get(&token, "/api/access-tokens/self").await;
    assert_eq!(me["tenant"], "anphat");
    // Each admin sees their tenant's tokens only, and cannot revoke the other's.
    let (_, list) = app.get(&other, "/api/access-tokens").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], other_id.as_str());
    assert_eq!(revoke(&app, &other, &id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&token, "/api/access-tokens/self").await.0,
        StatusCode::OK
    );
    let ts = TenantStore::new("other", app.state.0.store.clone());
    assert_eq!(
        hoadon_api::access_tokens::get(&ts, &id)
            .await
            .unwrap_err()
            .to_string(),
        "not found"
    );
}

#[tokio::test]
async fn the_document_describes_the_routes() {
    let (app, _) = app_with_clock().await;
    let (s, doc) = app.call("GET", "/api/openapi.json", None, &[], None).await;
    assert_eq!(s, StatusCode::OK);
    for (path, method) in [
        ("/api/access-tokens", "get"),
        ("/api/access-tokens", "post"),
        ("/api/access-tokens/{id}", "delete"),
        ("/api/access-tokens/self", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let schema = &doc["components"]["schemas"]["CreateAccessToken"];
    assert_eq!(schema["additionalProperties"], false, "{schema}");
}

/// The gateway's authorizer (`HOADON_AUTHORIZER=1` on AWS) decides with the same code: a pool
/// token (here the local HS256 one) or an access token of the stack's tenant passes; another
/// tenant's, a revoked, an expired, an unknown or a missing token does not.
#[tokio::test]
async fn the_gateway_authorizer_lets_through_both_kinds_of_the_stacks_tenant_only() {
    use hoadon_api::gateway_auth::{AuthorizerEvent, decide};
    let (app, _) = app_with_clock().await;
    let admin = app.login("admin@anphat.vn").await;
    let (token, id) = signer_token(&app, &admin, "gateway").await;
    let (_, expired) = create(
        &app,
        &admin,
        json!({"name": "short", "role": "signer", "expires_in_days": 1}),
    )
    .await;
    let expired = expired["token"].as_str().unwrap().to_owned();
    let st = &app.state.0;
    let event = |bearer: &str| AuthorizerEvent {
        headers: [("authorization".to_owned(), format!("Bearer {bearer}"))].into(),
        route_key: Some("ANY /api/{proxy+}".into()),
    };
    let allowed = |tenant: &'static str, bearer: String, now: i64| {
        let e = event(&bearer);
        async move {
            decide(&st.store, &*st.verifier, tenant, now, &e)
                .await
                .is_authorized
        }
    };
    let answer = decide(&st.store, &*st.verifier, "anphat", NOW, &event(&token)).await;
    assert!(answer.is_authorized);
    assert_eq!(answer.context["tenant"], "anphat");
    assert_eq!(answer.context["role"], "signer");
    assert!(
        allowed("anphat", admin.clone(), NOW).await,
        "a user's token"
    );
    // Another tenant's stack: neither kind passes.
    assert!(!allowed("other", token.clone(), NOW).await);
    assert!(!allowed("other", admin.clone(), NOW).await);
    assert!(!allowed("anphat", expired.clone(), NOW + 86_400).await);
    assert!(!allowed("anphat", format!("hdp_{}", "B".repeat(43)), NOW).await);
    assert!(!allowed("anphat", "not a token".into(), NOW).await);
    let none = AuthorizerEvent::default();
    assert!(
        !decide(&st.store, &*st.verifier, "anphat", NOW, &none)
            .await
            .is_authorized
    );
    // The authorizer only reads: no last-use write.
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let rec = hoadon_api::access_tokens::get(&ts, &id).await.unwrap();
    assert_eq!(rec.last_used_at, None);
    // Revoked: refused at once.
    revoke(&app, &admin, &id).await;
    assert!(!allowed("anphat", token.clone(), NOW).await);
    // The event's Debug hides the token.
    assert!(!format!("{:?}", event(&token)).contains(&token[4..]));
}
