//! No secret reaches a log: the real server runs at `debug` (every crate's debug events), is
//! signed into, issues an invoice, refuses a wrong password and a forged token, answers a query
//! string carrying the password, and then everything it wrote is searched for each secret of
//! the run — the password, the bearer token, the token secret, the private key, the signed
//! document and its contents.
//!
//! The one deliberate exception: the first start prints the admin password once on stdout.

mod server;

use hoadon_api::load::Client;
use serde_json::json;
use server::{free_port, issuable_draft, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verbose_run_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = start(
        dir.path(),
        port,
        &[("RUST_LOG", "debug"), ("HOADON_LOG", "")],
    );
    let password = server.password.clone().expect("first start prints it");
    let mut c = Client::new(&addr);

    // Refused: a wrong password, a forged token, the password in a query string.
    let wrong = format!("{password}x");
    assert!(c.login("admin@demo.local", &wrong).await.is_err());
    c.token = Some("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged".into());
    let (s, _) = c.call("GET", "/api/summary", &[], None).await.unwrap();
    assert_eq!(s, 401);

    c.login("admin@demo.local", &password).await.unwrap();
    let token = c.token.clone().unwrap();
    let query = format!("/api/invoices?password={password}&token={token}");
    let (s, _) = c.call("GET", &query, &[], None).await.unwrap();
    assert_eq!(s, 400, "unknown query parameters are refused");

    // A draft issued and its signed file read (the tenant registered elsewhere, so the local
    // simulator codes it).
    let body = json!({"registered_elsewhere": true});
    let (s, _) = c
        .call("PUT", "/api/authority/settings", &[], Some(&body))
        .await
        .unwrap();
    assert_eq!(s, 200);
    let doc = issuable_draft(&mut c).await;
    let buyer = doc["buyer"]["name"].as_str().unwrap().to_owned();
    let body = json!({"id": "secret-0001", "document": doc});
    let (s, _) = c
        .call(
            "POST",
            "/api/invoices",
            &[("idempotency-key", "secret-0001-k")],
            Some(&body),
        )
        .await
        .unwrap();
    assert_eq!(s, 201);
    let (s, v) = c
        .call("POST", "/api/invoices/secret-0001/issue", &[], None)
        .await
        .unwrap();
    assert_eq!(s, 200, "{v}");
    let (_, xml) = c
        .call("GET", "/api/invoices/secret-0001/xml", &[], None)
        .await
        .unwrap();
    let xml = xml.as_str().unwrap().to_owned();
    let signature = xml
        .split("<SignatureValue>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("signed")
        .to_owned();

    let (s, health) = c.call("GET", "/api/health", &[], None).await.unwrap();
    assert_eq!((s, &health["status"]), (200, &json!("ok")), "{health}");

    let (stdout, stderr) = server.stop();
    let token_secret = std::fs::read_to_string(dir.path().join("token-secret")).unwrap();
    let key_pem = std::fs::read_to_string(dir.path().join("keys/demo/key.pem")).unwrap();

    // The run was logged, verbosely: the events are there.
    for expected in [
        "invoice.draft_created",
        "invoice.numbered",
        "invoice.signed",
        "http.request",
        "route=/api/invoices/{id}/issue",
        "tenant=demo",
        "secret-0001",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected} missing from:\n{stderr}"
        );
    }
    assert!(stderr.contains("DEBUG"), "the filter was debug");

    let mut secrets = vec![
        ("the bearer token", token.as_str()),
        ("the token secret", token_secret.trim()),
        ("the signature value", signature.as_str()),
        ("the buyer's name", buyer.as_str()),
        ("the password in a query string", "password="),
    ];
    // Every line of the key's base64 body (any one would be a leak).
    secrets.extend(
        key_pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 16)
            .map(|l| ("the private key", l)),
    );
    for (what, secret) in &secrets {
        assert!(!secret.is_empty());
        assert!(!stderr.contains(secret), "{what} in stderr");
        assert!(!stdout.contains(secret), "{what} in stdout");
    }
    assert!(!stderr.contains(&password), "the password in stderr");
    assert!(!stdout.contains(&wrong), "the wrong password in stdout");
    assert_eq!(
        stdout.matches(&password).count(),
        1,
        "the password once, on the first start's line:\n{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("First start: tenant demo;") && l.ends_with(&password))
    );
}
