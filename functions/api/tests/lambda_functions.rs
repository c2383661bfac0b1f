//! The two Lambda executables, run as Lambda runs them: a process started with the Lambda
//! environment that polls the Runtime API (here a stand-in on loopback) for events and posts
//! answers back. Behind them: DynamoDB Local, moto (S3, KMS), a stand-in for Lambda `Invoke`
//! and a stand-in for the Cognito pool's JWKS endpoint. Also measures the cold start (process
//! start → first poll for an event).
#![cfg(all(feature = "aws", feature = "testing"))]

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use base64::Engine;
use hoadon_api::emulators::{
    Emulator, invoke_stand_in, kms_certificate, kms_key, signed_by_certificate,
};
use hoadon_api::invoices;
use hoadon_api::kms::SignerFunction;
use hoadon_api::store::TenantStore;
use hoadon_api::store::dynamodb::DynamoDbStore;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{pool, token};
use tokio::sync::{mpsc, oneshot};

mod support;

/// The Lambda Runtime API as the executable sees it: `next` hands out one queued event at a
/// time; `response` and `error` answer it.
/// An event for the function and where its answer goes.
type Invocation = (Value, oneshot::Sender<(String, Value)>);

struct RuntimeApi {
    addr: String,
    events: mpsc::UnboundedSender<Invocation>,
    first_poll: Arc<Mutex<Option<Instant>>>,
}

type Pending = Arc<Mutex<std::collections::HashMap<String, oneshot::Sender<(String, Value)>>>>;

#[derive(Clone)]
struct RuntimeState {
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    pending: Pending,
    first_poll: Arc<Mutex<Option<Instant>>>,
    counter: Arc<AtomicUsize>,
}

async fn next(State(s): State<RuntimeState>) -> (HeaderMap, String) {
    s.first_poll
        .lock()
        .unwrap()
        .get_or_insert_with(Instant::now);
    let (event, reply) = s
        .queue
        .lock()
        .await
        .recv()
        .await
        .expect("test still running");
    let id = format!("req-{}", s.counter.fetch_add(1, Ordering::SeqCst));
    s.pending.lock().unwrap().insert(id.clone(), reply);
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 30_000;
    let mut h = HeaderMap::new();
    h.insert("lambda-runtime-aws-request-id", id.parse().unwrap());
    h.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    h.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:ap-southeast-1:123456789012:function:hoadon-anphat"
            .parse()
            .unwrap(),
    );
    h.insert("lambda-runtime-trace-id", "Root=1-0-0".parse().unwrap());
    (h, event.to_string())
}

async fn answer(
    State(s): State<RuntimeState>,
    Path((id, kind)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(tx) = s.pending.lock().unwrap().remove(&id) {
        let _ = tx.send((kind, v));
    }
    axum::http::StatusCode::ACCEPTED
}

impl RuntimeApi {
    async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let first_poll = Arc::new(Mutex::new(None));
        let state = RuntimeState {
            queue: Arc::new(tokio::sync::Mutex::new(rx)),
            pending: Default::default(),
            first_poll: first_poll.clone(),
            counter: Default::default(),
        };
        let app = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });
        RuntimeApi {
            addr,
            events: tx,
            first_poll,
        }
    }

    /// Hands the executable one event; returns ("response" | "error", the body it posted).
    async fn invoke(&self, event: Value) -> (String, Value) {
        let (tx, rx) = oneshot::channel();
        self.events.send((event, tx)).unwrap();
        tokio::time::timeout(Duration::from_secs(60), rx)
            .await
            .expect("the function answers within 60 s")
            .unwrap()
    }

    /// Waits for the executable's first `next` call: the end of its cold start.
    async fn ready_after(&self, started: Instant) -> Duration {
        for _ in 0..600 {
            if let Some(t) = *self.first_poll.lock().unwrap() {
                return t - started;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the function never polled for an event");
    }
}

/// A Lambda executable started as Lambda starts it; killed on drop.
struct Function(Child);

impl Function {
    /// `bin` is this build's executable, or the one named by `override_var` (to measure the
    /// packaged release `bootstrap`).
    fn start(bin: &str, override_var: &str, runtime: &RuntimeApi, env: &[(&str, String)]) -> Self {
        let bin = std::env::var(override_var).unwrap_or_else(|_| bin.to_owned());
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &runtime.addr)
            .env("AWS_LAMBDA_FUNCTION_NAME", "hoadon-anphat")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        Function(cmd.spawn().expect("the executable starts"))
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The SDK settings of a child process: credentials, region, and one endpoint per service.
fn aws_env(endpoints: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    for (service, url) in endpoints {
        let name = match *service {
            "dynamodb" => "AWS_ENDPOINT_URL_DYNAMODB",
            "s3" => "AWS_ENDPOINT_URL_S3",
            "kms" => "AWS_ENDPOINT_URL_KMS",
            "lambda" => "AWS_ENDPOINT_URL_LAMBDA",
            _ => unreachable!(),
        };
        env.push((name, url.to_string()));
    }
    env
}

/// An API Gateway HTTP API (payload 2.0, `$default` stage) event.
fn http_event(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({"host": "abc123.execute-api.ap-southeast-1.amazonaws.com", "content-type": "application/json"});
    if let Some(t) = token {
        headers["authorization"] = json!(format!("Bearer {t}"));
    }
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123",
            "domainName": "abc123.execute-api.ap-southeast-1.amazonaws.com", "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"},
            "requestId": "r-1", "routeKey": "$default", "stage": "$default",
            "time": "22/Nov/2026:09:30:12 +0000", "timeEpoch": 1_795_339_812_000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

/// The status and body of an HTTP answer the function posted.
fn http_answer(answer: (String, Value)) -> (u16, String) {
    let (kind, v) = answer;
    assert_eq!(kind, "response", "{v}");
    let body = v["body"].as_str().unwrap_or_default();
    let body = if v["isBase64Encoded"] == true {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap(),
        )
        .unwrap()
    } else {
        body.to_owned()
    };
    (v["statusCode"].as_u64().unwrap() as u16, body)
}

/// The pool's JWKS endpoint; counts how often it is fetched.
async fn jwks_endpoint(jwk: Value) -> (String, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    let app = axum::Router::new().route(
        "/pool/.well-known/jwks.json",
        get(move || {
            f.fetch_add(1, Ordering::SeqCst);
            let body = json!({"keys": [jwk.clone()]}).to_string();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/pool"), fetches)
}

/// The documented draft: what a client may send.
fn example() -> Value {
    serde_json::from_str(include_str!("../../../shared/examples/draft.json")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_api_function_issues_a_signed_invoice_through_its_real_adapters() {
    let (dynamo, moto) = (Emulator::dynamodb_local().await, Emulator::moto().await);
    // The tenant's stack as infra/ creates it: table, archive bucket, KMS key + certificate.
    let table = "hoadon-anphat";
    let store = DynamoDbStore::new(
        aws_sdk_dynamodb::Client::new(&dynamo.sdk_config().await),
        table,
    )
    .with_max_transaction_ops(10);
    store.create_table().await.unwrap();
    let ts = TenantStore::new("anphat", Arc::new(store));
    invoices::create_series(&ts, "1", "C25TAB").await.unwrap();
    // The company profile an admin fills in first (its tax id is the certificate's).
    let profile = hoadon_core::profile::CompanyProfile {
        name: "Công ty TNHH Thiết bị Văn phòng An Phát".into(),
        tax_id: "0109998883".into(),
        address: "12 Phố Huế, Hà Nội".into(),
        ..Default::default()
    };
    hoadon_api::profile::update(&ts, 0, 0, profile, "test")
        .await
        .unwrap();
    let s3 = aws_sdk_s3::Client::new(&moto.sdk_config().await);
    s3.create_bucket()
        .bucket("hoadon-anphat-archive")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    let key = kms_key(&moto).await;
    let (cert_pem, _) = kms_certificate(&key).await;
    let key_id = key.key_id().to_owned();
    let invoke = invoke_stand_in(Arc::new(SignerFunction {
        tenant: "anphat".into(),
        key,
    }))
    .await;
    let p = pool("k1");
    let (issuer, fetches) = jwks_endpoint(p.jwk.clone()).await;

    let runtime = RuntimeApi::start().await;
    let mut env = aws_env(&[
        ("dynamodb", &dynamo.endpoint),
        ("s3", &moto.endpoint),
        ("lambda", &invoke),
    ]);
    env.extend([
        ("HOADON_TENANT", "anphat".to_owned()),
        ("HOADON_TABLE", table.to_owned()),
        ("HOADON_ARCHIVE_BUCKET", "hoadon-anphat-archive".to_owned()),
        ("HOADON_SIGNER_FUNCTION", "hoadon-anphat-signer".to_owned()),
        ("HOADON_KMS_KEY_ID", key_id),
        ("HOADON_COGNITO_ISSUER", issuer.clone()),
        ("HOADON_COGNITO_CLIENT_ID", "web-client".to_owned()),
        ("HOADON_SIGNER_CERTIFICATE", cert_pem),
        ("HOADON_MAX_TRANSACTION_OPS", "10".to_owned()),
    ]);
    let started = Instant::now();
    let _f = Function::start(
        env!("CARGO_BIN_EXE_hoadon-lambda-api"),
        "HOADON_LAMBDA_API_BOOTSTRAP",
        &runtime,
        &env,
    );
    let cold = runtime.ready_after(started).await;
    eprintln!("API function cold start (sweep on DynamoDB Local included): {cold:?}");

    let claims = |groups: &[&str]| json!({"iss": issuer, "aud": "web-client", "token_use": "id", "exp": 4_000_000_000u64, "sub": "u-1", "email": "lan@anphat.vn", "cognito:groups": groups});
    let t = token(&p, "k1", claims(&["accountant"]));

    // No token: 401, typed.
    let (s, body) = http_answer(
        runtime
            .invoke(http_event("GET", "/api/invoices", None, None))
            .await,
    );
    assert_eq!(s, 401, "{body}");
    assert_eq!(fetches.load(Ordering::SeqCst), 0, "no token, no JWKS fetch");

    // The health check needs no token: DynamoDB, the S3 archive (the tenant's prefix) and the
    // configured certificate answer; the Lambda request id comes back as `x-request-id`.
    let (kind, v) = runtime
        .invoke(http_event("GET", "/api/health", None, None))
        .await;
    let request_id = v["headers"]["x-request-id"].as_str().unwrap_or_default();
    assert!(request_id.starts_with("req-"), "{v}");
    let (s, body) = http_answer((kind, v));
    assert_eq!(s, 200, "{body}");
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["signer"]["tenants"], 1, "{body}");

    // A draft: the first token fetches the pool's keys, once.
    let draft = json!({"id": "inv-lambda-01", "document": example()});
    let mut event = http_event("POST", "/api/invoices", Some(&t), Some(draft));
    event["headers"]["idempotency-key"] = json!("key-inv-lambda-01");
    let (s, body) = http_answer(runtime.invoke(event).await);
    assert_eq!(s, 201, "{body}");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // Issue: numbered in DynamoDB, signed through Invoke → signer → KMS, archived in S3.
    let (s, body) = http_answer(
        runtime
            .invoke(http_event(
                "POST",
                "/api/invoices/inv-lambda-01/issue",
                Some(&t),
                None,
            ))
            .await,
    );
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["number"].as_u64()),
        (Some("signed"), Some(1))
    );

    let (s, xml) = http_answer(
        runtime
            .invoke(http_event(
                "GET",
                "/api/invoices/inv-lambda-01/xml",
                Some(&t),
                None,
            ))
            .await,
    );
    assert_eq!(s, 200);
    let r = &hoadon_core::dsig::verify_document(&xml).unwrap()[0];
    assert!(
        r.valid && r.tax_id.as_deref() == Some("0109998883"),
        "{r:?}"
    );
    let archived = s3
        .list_objects_v2()
        .bucket("hoadon-anphat-archive")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = archived.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("anphat/sha256/"), "{keys:?}");
    let object = s3
        .get_object()
        .bucket("hoadon-anphat-archive")
        .key(keys[0])
        .send()
        .await
        .unwrap();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(
        bytes.as_ref(),
        xml.as_bytes(),
        "the archive holds the exact signed bytes"
    );

    // A token from another key (made-up key id): refused, and it does not make the function
    // fetch the JWKS again within the minute.
    let forged = token(&pool("k9"), "k9", claims(&["admin"]));
    let (s, _) = http_answer(
        runtime
            .invoke(http_event("GET", "/api/invoices", Some(&forged), None))
            .await,
    );
    assert_eq!(s, 401);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // No /api/login on AWS (Cognito signs users in).
    let (s, _) = http_answer(
        runtime
            .invoke(http_event(
                "POST",
                "/api/login",
                None,
                Some(json!({"email": "a", "password": "b"})),
            ))
            .await,
    );
    assert_ne!(s, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signer_function_signs_for_its_tenant_only() {
    let moto = Emulator::moto().await;
    let key = kms_key(&moto).await;
    let (cert_pem, _) = kms_certificate(&key).await;
    let runtime = RuntimeApi::start().await;
    let mut env = aws_env(&[("kms", &moto.endpoint)]);
    env.extend([
        ("HOADON_TENANT", "anphat".to_owned()),
        ("HOADON_KMS_KEY_ID", key.key_id().to_owned()),
    ]);
    let started = Instant::now();
    let _f = Function::start(
        env!("CARGO_BIN_EXE_hoadon-lambda-signer"),
        "HOADON_LAMBDA_SIGNER_BOOTSTRAP",
        &runtime,
        &env,
    );
    let cold = runtime.ready_after(started).await;
    eprintln!("signer function cold start: {cold:?}");

    let b64 = base64::engine::general_purpose::STANDARD;
    let message = b"<SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\">...</SignedInfo>";
    let request =
        json!({"tenant": "anphat", "key_id": key.key_id(), "message": b64.encode(message)});
    let (kind, v) = runtime.invoke(request.clone()).await;
    assert_eq!(kind, "response", "{v}");
    let signature = b64.decode(v["signature"].as_str().unwrap()).unwrap();
    assert!(signed_by_certificate(&cert_pem, message, &signature));

    let mut other = request.clone();
    other["tenant"] = json!("other");
    let (kind, v) = runtime.invoke(other).await;
    assert_eq!(
        (kind.as_str(), v["errorType"].as_str()),
        ("error", Some("SignError")),
        "{v}"
    );
    let (kind, _) = runtime.invoke(json!({"not": "a sign request"})).await;
    assert_eq!(kind, "error");
}
