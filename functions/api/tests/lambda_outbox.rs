//! The outbox's functions as Lambda runs them: the API executable started with
//! `HOADON_OUTBOX=1` (the consumer of the tenant's SQS outbox queue) and with `HOADON_SWEEP=1`
//! (the scheduled sweep, which also pumps the outbox), each polling a stand-in of the Lambda
//! Runtime API on loopback. Behind them: DynamoDB Local (the store) and moto (SQS).
#![cfg(all(feature = "aws", feature = "testing"))]

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use hoadon_api::emulators::Emulator;
use hoadon_api::store::dynamodb::DynamoDbStore;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<(String, Value)>;

/// The Runtime API: `next` hands out one queued event at a time; `response` / `error` answer it.
#[derive(Clone)]
struct Runtime {
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<(Value, Reply)>>>,
    pending: Arc<Mutex<Option<Reply>>>,
}

async fn next(State(r): State<Runtime>) -> (HeaderMap, String) {
    let (event, reply) = r.queue.lock().await.recv().await.expect("test running");
    *r.pending.lock().unwrap() = Some(reply);
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 60_000;
    let mut h = HeaderMap::new();
    h.insert("lambda-runtime-aws-request-id", "req-1".parse().unwrap());
    h.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    h.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:ap-southeast-1:123456789012:function:hoadon-anphat-outbox"
            .parse()
            .unwrap(),
    );
    (h, event.to_string())
}

async fn answer(
    State(r): State<Runtime>,
    Path((_id, kind)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(tx) = r.pending.lock().unwrap().take() {
        let _ = tx.send((kind, v));
    }
    axum::http::StatusCode::ACCEPTED
}

/// An executable under the stand-in Runtime API; killed on drop.
struct Function {
    child: Child,
    events: mpsc::UnboundedSender<(Value, Reply)>,
}

impl Function {
    async fn start(env: &[(&str, String)]) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let runtime = Runtime {
            queue: Arc::new(tokio::sync::Mutex::new(rx)),
            pending: Default::default(),
        };
        let app = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
            .with_state(runtime);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let child = command(&addr, env)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the executable starts");
        Function { child, events: tx }
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
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(runtime_addr: &str, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hoadon-lambda-api"));
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime_addr)
        .env("AWS_LAMBDA_FUNCTION_NAME", "hoadon-anphat-outbox")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd
}

/// The stack's emulated part: the tenant's table on DynamoDB Local, its outbox queue on moto.
struct Stack {
    _dynamo: Emulator,
    _moto: Emulator,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    env: Vec<(&'static str, String)>,
}

impl Stack {
    async fn new() -> Self {
        let (dynamo, moto) = (Emulator::dynamodb_local().await, Emulator::moto().await);
        let table = "hoadon-anphat";
        DynamoDbStore::new(
            aws_sdk_dynamodb::Client::new(&dynamo.sdk_config().await),
            table,
        )
        .create_table()
        .await
        .unwrap();
        let (sqs, queue_url) = moto.sqs_queue("hoadon-anphat-outbox").await;
        let env = vec![
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint.clone()),
            ("AWS_ENDPOINT_URL_SQS", moto.endpoint.clone()),
            ("HOADON_TENANT", "anphat".to_owned()),
            ("HOADON_TABLE", table.to_owned()),
            ("HOADON_ARCHIVE_BUCKET", "hoadon-anphat-archive".to_owned()),
            ("HOADON_SIGNER_FUNCTION", "hoadon-anphat-signer".to_owned()),
            ("HOADON_KMS_KEY_ID", "key-1".to_owned()),
            (
                "HOADON_COGNITO_ISSUER",
                "http://127.0.0.1:9/pool".to_owned(),
            ),
            ("HOADON_COGNITO_CLIENT_ID", "web-client".to_owned()),
            ("HOADON_MAX_TRANSACTION_OPS", "10".to_owned()),
            ("HOADON_OUTBOX_QUEUE_URL", queue_url.clone()),
        ];
        Stack {
            _dynamo: dynamo,
            _moto: moto,
            sqs,
            queue_url,
            env,
        }
    }

    fn env_with(&self, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        env
    }

    async fn queued(&self) -> Vec<String> {
        self.sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap()
            .messages()
            .iter()
            .filter_map(|m| m.body().map(str::to_owned))
            .collect()
    }
}

/// One SQS record as the event source mapping sends it.
fn record(message_id: &str, body: &str) -> Value {
    json!({
        "messageId": message_id, "receiptHandle": "AQEB…", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795339812000"},
        "messageAttributes": {}, "md5OfBody": "0", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:hoadon-anphat-outbox",
        "awsRegion": "ap-southeast-1"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_consumer_function_answers_a_batch_and_ignores_other_tenants_wake_ups() {
    let stack = Stack::new().await;
    let f = Function::start(&stack.env_with(&[("HOADON_OUTBOX", "1")])).await;
    let (kind, v) = f
        .invoke(json!({"Records": [
            // A message the store does not hold (sent, then finished elsewhere): nothing to do.
            record("m-1", r#"{"tenant":"anphat","id":"gone-1"}"#),
            record("m-2", r#"{"tenant":"bravo","id":"o-1"}"#),
            record("m-3", "not a wake-up"),
        ]}))
        .await;
    assert_eq!(kind, "response", "{v}");
    assert_eq!(v, json!({"batchItemFailures": []}));
    assert!(
        stack.queued().await.is_empty(),
        "nothing due again, nothing woken"
    );
    // Not an SQS event at all: the invocation fails (the mapping would retry the batch).
    let (kind, _) = f.invoke(json!({"Records": "nope"})).await;
    assert_eq!(kind, "error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_consumer_function_does_not_start_without_its_queue() {
    let stack = Stack::new().await;
    let env: Vec<_> = stack
        .env_with(&[("HOADON_OUTBOX", "1")])
        .into_iter()
        .filter(|(k, _)| *k != "HOADON_OUTBOX_QUEUE_URL")
        .collect();
    let mut child = command("127.0.0.1:9", &env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("the consumer started without HOADON_OUTBOX_QUEUE_URL");
    };
    assert!(!status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("HOADON_OUTBOX_QUEUE_URL"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_function_also_pumps_the_outbox() {
    let stack = Stack::new().await;
    let f = Function::start(&stack.env_with(&[("HOADON_SWEEP", "1")])).await;
    let (kind, v) = f
        .invoke(json!({"source": "aws.events", "detail-type": "Scheduled Event"}))
        .await;
    assert_eq!(kind, "response", "{v}");
    assert_eq!(v["pending"], 0, "{v}");
    assert_eq!(v["outbox"]["attempted"], 0, "{v}");
    assert_eq!(v["outbox"]["open"], 0, "{v}");
}
