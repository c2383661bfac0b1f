//! The API tests' harness: the Router in-process (no network) over a fresh store, the test
//! signing key, a fixed clock, two tenants with their company profiles.
#![allow(dead_code)]

pub mod authority;
pub mod books;
pub mod corrections;
pub mod delivery;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hoadon_api::auth::{Hs256, Role};
use hoadon_api::bootstrap;
use hoadon_api::http::{App, AppState, router};
use hoadon_api::invoices::Services;
use hoadon_api::ports::{FileArchive, FixedClock, LocalSigner, SignError, Signer};
use hoadon_api::store::Store;
use hoadon_api::store::redb::RedbStore;
use hoadon_core::dsig::SignerCertificate;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

pub const NOW: i64 = 1_763_800_000; // 2025-11-22

/// A signer that fails its first `fail` calls (a KMS or token outage).
pub struct Flaky {
    pub inner: LocalSigner,
    pub fail: AtomicUsize,
}

#[async_trait]
impl Signer for Flaky {
    fn certificate(&self) -> &SignerCertificate {
        self.inner.certificate()
    }
    async fn sign(&self, data: Vec<u8>) -> Result<Vec<u8>, SignError> {
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Err(SignError("the key service is down".into()));
        }
        self.inner.sign(data).await
    }
}

pub struct TestApp {
    pub state: AppState,
    pub _dir: tempfile::TempDir,
    pub flaky: Arc<Flaky>,
}

pub fn local_signer() -> LocalSigner {
    let d = concat!(env!("CARGO_MANIFEST_DIR"), "/../signing/tests/data");
    let read = |f: &str| std::fs::read_to_string(format!("{d}/{f}")).unwrap();
    LocalSigner(Arc::new(
        hoadon_signing::LocalKeySigner::from_pem(&read("seller.key.pem"), &read("seller.cert.pem"))
            .unwrap(),
    ))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|flaky| flaky).await
}

/// [`spawn_app`] with "anphat"'s signer replaced by `wrap(flaky)` (e.g. a [`Slow`] around the
/// [`Flaky`] one, which stays reachable as `TestApp::flaky`).
pub async fn spawn_app_with(wrap: impl FnOnce(Arc<Flaky>) -> Arc<dyn Signer>) -> TestApp {
    spawn_app_full(wrap, Arc::new(FixedClock(NOW)), |s| s).await
}

/// [`spawn_app_with`] on another clock, with the services changed by `configure` (e.g. a
/// tenant connected to the tax authority).
pub async fn spawn_app_full(
    wrap: impl FnOnce(Arc<Flaky>) -> Arc<dyn Signer>,
    clock: Arc<dyn hoadon_api::ports::Clock>,
    configure: impl FnOnce(Services) -> Services,
) -> TestApp {
    build_app(|flaky, _, _| wrap(flaky), clock, configure).await
}

/// [`spawn_app`] on `clock` with "anphat"'s signer wrapped as the composition roots wrap it:
/// a `CertifiedSigner`, which signs with a CA's certificate for its key once one is registered.
pub async fn spawn_app_certified(clock: Arc<dyn hoadon_api::ports::Clock>) -> TestApp {
    build_app(
        |flaky, store, clock| {
            Arc::new(
                hoadon_api::signing_key::CertifiedSigner::new(flaky, store, "anphat", clock)
                    .unwrap(),
            )
        },
        clock,
        |s| s,
    )
    .await
}

async fn build_app(
    wrap: impl FnOnce(Arc<Flaky>, Arc<dyn Store>, Arc<dyn hoadon_api::ports::Clock>) -> Arc<dyn Signer>,
    clock: Arc<dyn hoadon_api::ports::Clock>,
    configure: impl FnOnce(Services) -> Services,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(RedbStore::open(&dir.path().join("s.redb")).unwrap());
    for (t, email, role) in [
        ("anphat", "admin@anphat.vn", Role::Admin),
        ("anphat", "sales@anphat.vn", Role::Sales),
        ("other", "admin@other.vn", Role::Admin),
    ] {
        bootstrap::add_tenant(&*store, t, "0109998883")
            .await
            .unwrap();
        bootstrap::add_user(&*store, email, t, role, "secret-pass", [1; 16])
            .await
            .unwrap();
    }
    let flaky = Arc::new(Flaky {
        inner: local_signer(),
        fail: AtomicUsize::new(0),
    });
    let mut signers: HashMap<String, Arc<dyn Signer>> = HashMap::new();
    signers.insert(
        "anphat".into(),
        wrap(flaky.clone(), store.clone(), clock.clone()),
    );
    // A tenant with a key but no company profile yet (see `FRESH`): registered by the tests
    // that need it, so the other tests see two tenants.
    signers.insert(FRESH.into(), Arc::new(local_signer()));
    signers.insert("other".into(), Arc::new(local_signer()));
    for t in ["anphat", "other"] {
        let ts = hoadon_api::store::TenantStore::new(t, store.clone());
        hoadon_api::profile::update(&ts, NOW, 0, profile(), "test")
            .await
            .unwrap();
    }
    let hs = Arc::new(Hs256::new(b"test secret test secret test sec"));
    let app = App {
        store,
        verifier: hs.clone(),
        issuer: Some(hs),
        services: configure(Services::new(
            clock,
            Arc::new(FileArchive {
                root: dir.path().join("archive"),
            }),
            signers,
        )),
    };
    TestApp {
        state: AppState(Arc::new(app)),
        _dir: dir,
        flaky,
    }
}

impl TestApp {
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, v)
    }

    /// A GET with the caller's token and nothing else.
    pub async fn get(&self, token: &str, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, Some(token), &[], None).await
    }

    /// A POST with the caller's token and no body.
    pub async fn post(&self, token: &str, uri: &str) -> (StatusCode, Value) {
        self.call("POST", uri, Some(token), &[], None).await
    }

    /// Changes the company profile with `edit` (as an admin's form does: `If-Match` its version).
    pub async fn edit_profile(&self, token: &str, edit: impl FnOnce(&mut Value)) {
        let (_, current) = self.get(token, "/api/profile").await;
        let mut profile = current["profile"].clone();
        edit(&mut profile);
        let version = current["version"].to_string();
        let (s, v) = self
            .call(
                "PUT",
                "/api/profile",
                Some(token),
                &[("if-match", &version)],
                Some(profile),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    pub async fn login(&self, email: &str) -> String {
        let body = json!({"email": email, "password": "secret-pass"});
        let (s, v) = self.call("POST", "/api/login", None, &[], Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["token"].as_str().unwrap().to_owned()
    }

    pub async fn draft(&self, token: &str, id: &str, doc: &Value) -> (StatusCode, Value) {
        let key = format!("key-{id}");
        let body = json!({"id": id, "document": doc});
        self.call(
            "POST",
            "/api/invoices",
            Some(token),
            &[("idempotency-key", &key)],
            Some(body),
        )
        .await
    }

    pub async fn series(&self, token: &str, symbol: &str) -> (StatusCode, Value) {
        let body = json!({"form": "1", "symbol": symbol});
        self.call("POST", "/api/series", Some(token), &[], Some(body))
            .await
    }
}

/// The string `key` of every element of the array `v[array]`.
pub fn pluck<'a>(v: &'a Value, array: &str, key: &str) -> Vec<&'a str> {
    v[array]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap())
        .collect()
}

/// The company profile of both test tenants (the test certificate's tax id).
pub fn profile() -> hoadon_core::profile::CompanyProfile {
    hoadon_core::profile::CompanyProfile {
        name: "Công ty TNHH Thiết bị Văn phòng An Phát".into(),
        tax_id: "0109998883".into(),
        address: "12 Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội".into(),
        ..Default::default()
    }
}

/// The documented draft (`shared/examples/draft.json`): what a client may send.
pub fn example() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/examples/draft.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

impl TestApp {
    pub async fn csv(&self, token: &str, kind: &str, text: &str) -> (StatusCode, Value) {
        self.upload(token, kind, "text/csv", text.as_bytes().to_vec())
            .await
    }

    /// A catalog import of a file's bytes as a browser sends them.
    pub async fn upload(
        &self,
        token: &str,
        kind: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/catalogs/{kind}/import"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type)
            .body(Body::from(bytes))
            .unwrap();
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// A GET whose answer is a file: status, `(content-type, content-disposition)`, bytes.
    pub async fn download(
        &self,
        token: &str,
        uri: &str,
    ) -> (StatusCode, (String, String), Vec<u8>) {
        let req = Request::builder()
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let header = |name| {
            resp.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let headers = (header("content-type"), header("content-disposition"));
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }
}

/// A tenant that has a signing key but whose company profile was never saved; it exists once
/// [`TestApp::add_fresh_tenant`] registers it (user `admin@moi.vn`, admin).
pub const FRESH: &str = "moi";

/// A signer around another that takes `delay` per call and, while `stall_next` is set, holds
/// its next call until `release` is notified (`stalled` is notified when that call starts
/// waiting). Later calls go through: a key service that hangs once.
pub struct Slow {
    pub inner: Arc<dyn Signer>,
    pub delay: std::time::Duration,
    pub stall_next: std::sync::atomic::AtomicBool,
    pub stalled: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
    /// Calls started, and calls that returned.
    pub calls: AtomicUsize,
    pub returned: AtomicUsize,
}

impl Slow {
    pub fn new(inner: Arc<dyn Signer>, delay: std::time::Duration, stall_next: bool) -> Self {
        Slow {
            inner,
            delay,
            stall_next: stall_next.into(),
            stalled: tokio::sync::Notify::new(),
            release: tokio::sync::Notify::new(),
            calls: AtomicUsize::new(0),
            returned: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl Signer for Slow {
    fn certificate(&self) -> &SignerCertificate {
        self.inner.certificate()
    }
    async fn sign(&self, data: Vec<u8>) -> Result<Vec<u8>, SignError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.stall_next.swap(false, Ordering::SeqCst) {
            self.stalled.notify_one();
            self.release.notified().await;
        }
        tokio::time::sleep(self.delay).await;
        let r = self.inner.sign(data).await;
        self.returned.fetch_add(1, Ordering::SeqCst);
        r
    }
}

/// An answer read raw: status, `Content-Type` and the body (JSON when it parses, else text).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    /// Whether the body parsed as JSON (else `body` is its text as a JSON string).
    pub is_json: bool,
    pub body: Value,
}

impl Answer {
    /// What keeps this answer from being a typed JSON error (`Content-Type: application/json`,
    /// a body with a non-empty `code` and `message`), if anything.
    pub fn typed_error_problem(&self) -> Option<String> {
        let text = |k: &str| self.body[k].as_str().filter(|s| !s.is_empty()).is_some();
        if !self.is_json || !self.content_type.starts_with("application/json") {
            Some(format!("not JSON ({:?}): {}", self.content_type, self.body))
        } else if !text("code") || !text("message") {
            Some(format!("no code or message: {}", self.body))
        } else {
            None
        }
    }

    /// Asserts the answer is a typed JSON error; returns its code.
    pub fn assert_typed_error(&self) -> &str {
        if let Some(p) = self.typed_error_problem() {
            panic!("{}: {p}", self.status);
        }
        self.body["code"].as_str().unwrap()
    }
}

/// A request as the tests send it: bearer token, headers, and `body` as `content-type`.
pub fn request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    match body {
        Some((ct, bytes)) => req.header("content-type", ct).body(Body::from(bytes)),
        None => req.body(Body::empty()),
    }
    .unwrap()
}

/// The `(path, code)` of every finding of an error answer.
pub fn details(v: &Value) -> Vec<(String, String)> {
    v["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                    (s("path"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts `answer` is `422 validation_failed` with a finding `code` at `path`.
pub fn assert_finding(answer: &(StatusCode, Value), path: &str, code: &str) {
    let (s, v) = answer;
    assert_eq!(
        (*s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
        "{v}"
    );
    assert!(
        details(v).contains(&(path.to_owned(), code.to_owned())),
        "no {code} at {path}: {v}"
    );
}

/// The text of the first element `parent/child` (local names) of an XML document.
pub fn xml_text(xml: &str, parent: &str, child: &str) -> Option<String> {
    let doc = hoadon_core::xml::dom::parse(xml).unwrap();
    doc.root
        .find(&|e| e.local_name() == parent)
        .and_then(|e| e.child_text(child))
}

/// Waits until every task spawned on this runtime has ended (detached issue work included),
/// at most 20 s.
pub async fn wait_for_spawned_tasks() {
    let metrics = tokio::runtime::Handle::current().metrics();
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while metrics.num_alive_tasks() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("spawned tasks end");
}

impl TestApp {
    /// Sends a request built with [`request`] and reads the answer raw.
    pub async fn send(&self, req: Request<Body>) -> Answer {
        self.try_send(req).await.unwrap()
    }

    /// [`TestApp::send`] on a task of its own, so that a handler's panic is an `Err` naming
    /// it rather than the caller's panic.
    pub async fn try_send(&self, req: Request<Body>) -> Result<Answer, String> {
        let app = router(self.state.clone());
        let resp = tokio::spawn(app.oneshot(req))
            .await
            .map_err(|e| format!("the handler panicked: {e}"))?
            .unwrap();
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let parsed = serde_json::from_slice(&bytes);
        Ok(Answer {
            status,
            content_type,
            is_json: parsed.is_ok(),
            body: parsed.unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into()),
        })
    }

    /// `POST /api/invoices/{id}/issue`.
    pub async fn issue(&self, token: &str, id: &str) -> (StatusCode, Value) {
        self.post(token, &format!("/api/invoices/{id}/issue")).await
    }

    /// A new draft of `doc`, then issuing it.
    pub async fn draft_and_issue(&self, token: &str, id: &str, doc: &Value) -> (StatusCode, Value) {
        let (s, v) = self.draft(token, id, doc).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        self.issue(token, id).await
    }

    /// Asserts that the example draft, issued now as `id`, gets `number` and is signed: what
    /// shows that a refusal before it spent no number.
    pub async fn assert_next_number(&self, token: &str, id: &str, number: u64) {
        let (s, v) = self.draft_and_issue(token, id, &example()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["status"].as_str(), v["number"].as_u64()),
            (Some("signed"), Some(number)),
            "{v}"
        );
    }

    /// Every invoice `GET /api/invoices?{query}` lists, following the cursors.
    pub async fn list_all(&self, token: &str, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let uri = format!("/api/invoices?{query}&limit=50{cursor}");
            let (s, page) = self.get(token, &uri).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            out.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next"].as_str() {
                Some(n) => cursor = format!("&cursor={n}"),
                None => return out,
            }
        }
    }

    /// The recovery sweep over every tenant, as the server runs it.
    pub async fn sweep(&self) -> hoadon_api::invoices::SweepReport {
        hoadon_api::local::sweep_all(&self.state).await.unwrap()
    }

    /// The files of `tenant`'s archive (`archive/<tenant>/sha256/*.xml`).
    pub fn archive_files(&self, tenant: &str) -> Vec<std::path::PathBuf> {
        let dir = self._dir.path().join("archive").join(tenant).join("sha256");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "xml"));
        files
    }

    /// Registers [`FRESH`] and its admin `admin@moi.vn`, without a company profile.
    pub async fn add_fresh_tenant(&self) -> String {
        let store = &*self.state.0.store;
        bootstrap::add_tenant(store, FRESH, "0109998883")
            .await
            .unwrap();
        bootstrap::add_user(
            store,
            "admin@moi.vn",
            FRESH,
            Role::Admin,
            "secret-pass",
            [2; 16],
        )
        .await
        .unwrap();
        self.login("admin@moi.vn").await
    }
}
