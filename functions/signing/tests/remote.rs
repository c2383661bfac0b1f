//! The remote-signing adapter against its loopback stand-in: invoices signed through it verify
//! with hoadon and with xmlsec1; every way the service can fail is a typed error.

use hoadon_core::dsig::{prepare, verify_document};
use hoadon_core::{DateTime, InvoiceDocument, check, xml};
use hoadon_signing::remote::stand_in::{Account, Behaviour, StandIn};
use hoadon_signing::remote::{
    HashFormat, RemoteAuth, RemoteConfig, RemoteError, RemoteSigner, Secret,
};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn account() -> Account {
    Account {
        client_id: "hoadon-rp".into(),
        client_secret: "s3cret-of-the-integrator".into(),
        user_id: "0109998883".into(),
        credential_id: "540101014e46".into(),
    }
}

fn cert_der() -> Vec<u8> {
    hoadon_signing::pem_block(&read(data("seller.cert.pem")), "CERTIFICATE").unwrap()
}

async fn stand_in() -> StandIn {
    StandIn::start(&read(data("seller.key.pem")), account())
        .await
        .unwrap()
}

fn config(s: &StandIn) -> RemoteConfig {
    let a = account();
    let mut c = RemoteConfig::new(
        s.endpoint(),
        &a.client_id,
        Secret::new(a.client_secret),
        &a.user_id,
        &a.credential_id,
    );
    c.service = "stand-in".into();
    c.poll_initial = Duration::from_millis(10);
    c.poll_max = Duration::from_millis(50);
    c.max_wait = Duration::from_secs(5);
    c.timeout = Duration::from_secs(2);
    c
}

fn unsigned_example() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/examples/invoice.json");
    let doc: InvoiceDocument = serde_json::from_str(&read(root)).unwrap();
    xml::render(&check(&doc).invoice.unwrap())
}

fn time() -> DateTime {
    "2025-10-15T09:30:12".parse().unwrap()
}

/// The invoice signed through the adapter.
async fn sign_invoice(signer: &RemoteSigner) -> Result<String, RemoteError> {
    let prepared = prepare(&unsigned_example(), signer.certificate(), time()).unwrap();
    let value = signer.sign(prepared.signed_info()).await?;
    Ok(prepared
        .attach(&value)
        .expect("the adapter checked the value"))
}

fn xmlsec1_verifies(xml: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("hoadon-remote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.xml", xml.len()));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmlsec1")
        .args(["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem"])
        .arg(data("seller.cert.pem"))
        .args(["--enabled-key-data", "key-name"])
        .arg(&file)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (out.status.success() && text.contains("OK"), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_through_the_service_verifies_with_hoadon_and_xmlsec1_in_every_shape() {
    let s = stand_in().await;
    for (auth, format) in [
        (RemoteAuth::Basic, HashFormat::DigestInfo),
        (RemoteAuth::Body, HashFormat::Sha256),
    ] {
        let mut c = config(&s);
        c.auth = auth;
        c.hash_format = format;
        let signer = RemoteSigner::new(c, &cert_der()).unwrap();
        let signed = sign_invoice(&signer).await.unwrap();
        let r = &verify_document(&signed).unwrap()[0];
        assert!(r.valid, "{r:?}");
        assert_eq!(r.tax_id.as_deref(), Some("0109998883"));
        let (ok, out) = xmlsec1_verifies(&signed);
        assert!(ok, "xmlsec1 refused ({auth:?}, {format:?}):\n{out}");
    }
    assert_eq!(s.status_calls(), 0, "a synchronous answer needs no polling");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_transaction_is_polled_until_signed() {
    let s = stand_in().await;
    s.set(Behaviour::Async { pending_polls: 3 });
    let signer = RemoteSigner::new(config(&s), &cert_der()).unwrap();
    let signed = sign_invoice(&signer).await.unwrap();
    assert!(verify_document(&signed).unwrap()[0].valid);
    assert_eq!(
        s.status_calls(),
        4,
        "three pending answers, then the signature"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_is_a_typed_error_naming_the_service() {
    let s = stand_in().await;
    let signer = |c: RemoteConfig| RemoteSigner::new(c, &cert_der()).unwrap();

    // Wrong integrator secret: the account is refused (and the secret is in no message).
    let mut c = config(&s);
    c.client_secret = Secret::new("wrong-secret");
    let e = sign_invoice(&signer(c.clone())).await.unwrap_err();
    assert_eq!(
        e,
        RemoteError::Credentials {
            service: "stand-in".into(),
            status: 401
        }
    );
    assert!(!format!("{e} {e:?} {c:?}").contains("wrong-secret"));
    c.auth = RemoteAuth::Body;
    assert!(matches!(
        sign_invoice(&signer(c)).await,
        Err(RemoteError::Credentials { status: 401, .. })
    ));
    // Another user's certificate: forbidden.
    let mut c = config(&s);
    c.credential_id = "someone-else".into();
    assert!(matches!(
        sign_invoice(&signer(c)).await,
        Err(RemoteError::Credentials { status: 403, .. })
    ));

    // A signature that does not verify with the certificate never leaves the adapter.
    s.set(Behaviour::WrongSignature);
    let e = sign_invoice(&signer(config(&s))).await.unwrap_err();
    assert_eq!(
        e,
        RemoteError::BadSignature {
            service: "stand-in".into()
        }
    );
    assert!(e.to_string().contains("stand-in"));

    // The user never confirms: a bounded wait, then a timeout with the transaction id.
    s.set(Behaviour::NeverConfirmed);
    let mut c = config(&s);
    c.max_wait = Duration::from_millis(300);
    let started = std::time::Instant::now();
    match sign_invoice(&signer(c)).await {
        Err(RemoteError::Timeout { transaction_id, .. }) => {
            assert!(transaction_id.starts_with("tx-"))
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));

    s.set(Behaviour::Declined);
    assert!(matches!(
        sign_invoice(&signer(config(&s))).await,
        Err(RemoteError::Refused { .. })
    ));
    s.set(Behaviour::Expired);
    assert!(matches!(
        sign_invoice(&signer(config(&s))).await,
        Err(RemoteError::Expired { .. })
    ));
    s.set(Behaviour::Status(503));
    assert!(matches!(
        sign_invoice(&signer(config(&s))).await,
        Err(RemoteError::Unavailable { .. })
    ));
    s.set(Behaviour::Status(400));
    assert!(matches!(
        sign_invoice(&signer(config(&s))).await,
        Err(RemoteError::Refused { .. })
    ));

    // No answer within the call's timeout.
    s.set(Behaviour::Hang);
    let mut c = config(&s);
    c.timeout = Duration::from_millis(200);
    match sign_invoice(&signer(c)).await {
        Err(RemoteError::Unavailable { detail, .. }) => {
            assert!(detail.contains("no answer"), "{detail}")
        }
        other => panic!("{other:?}"),
    }

    // Nobody listening.
    let mut c = config(&s);
    c.endpoint = "http://127.0.0.1:9".into();
    assert!(matches!(
        sign_invoice(&signer(c)).await,
        Err(RemoteError::Unavailable { .. })
    ));
}

#[test]
fn a_bad_configuration_is_refused_before_any_call() {
    let a = account();
    let c = RemoteConfig::new("ftp://x", &a.client_id, Secret::new("s"), &a.user_id, "c");
    assert!(matches!(
        RemoteSigner::new(c, &cert_der()),
        Err(RemoteError::Config { .. })
    ));
    let mut c = RemoteConfig::new(
        "https://ca.example",
        &a.client_id,
        Secret::new("s"),
        &a.user_id,
        "c",
    );
    c.status_path = "/status".into();
    assert!(matches!(
        RemoteSigner::new(c, &cert_der()),
        Err(RemoteError::Config { .. })
    ));
    let c = RemoteConfig::new(
        "https://ca.example",
        &a.client_id,
        Secret::new("s"),
        &a.user_id,
        "c",
    );
    assert!(matches!(
        RemoteSigner::new(c, b"not a certificate"),
        Err(RemoteError::Config { .. })
    ));
}
