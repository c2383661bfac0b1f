//! Races on the issue path, run on every store adapter (the embedded one here, DynamoDB Local
//! in the `aws` tests): a sweep racing an issue, a stalled signer, and requests dropped while
//! issuing. Each must leave **one signed file per number**, a valid audit chain with one
//! `signed` entry, and a series that keeps numbering gaplessly.

use super::{Status, create_draft, create_series, issue, load, sweep, verify_audit};
use crate::invoices::Services;
use crate::ports::{FileArchive, FixedClock, LocalSigner, SignError, Signer};
use crate::store::{Store, TenantStore};
use async_trait::async_trait;
use hoadon_core::dsig::SignerCertificate;
use hoadon_core::model::DraftInput;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

const NOW: i64 = 1_763_800_000; // 2025-11-22

/// A signer that can be slowed down, or whose first call blocks until released.
struct Gate {
    inner: LocalSigner,
    calls: AtomicUsize,
    delay: Duration,
    block_first: bool,
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Signer for Gate {
    fn certificate(&self) -> &SignerCertificate {
        self.inner.certificate()
    }
    async fn sign(&self, data: Vec<u8>) -> Result<Vec<u8>, SignError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if self.block_first && n == 0 {
            self.entered.notify_one();
            self.release.notified().await;
        } else {
            tokio::time::sleep(self.delay).await;
        }
        self.inner.sign(data).await
    }
}

fn gate(delay_ms: u64, block_first: bool) -> Arc<Gate> {
    let d = concat!(env!("CARGO_MANIFEST_DIR"), "/../signing/tests/data");
    let read = |f: &str| std::fs::read_to_string(format!("{d}/{f}")).unwrap();
    let key =
        hoadon_signing::LocalKeySigner::from_pem(&read("seller.key.pem"), &read("seller.cert.pem"))
            .unwrap();
    Arc::new(Gate {
        inner: LocalSigner(Arc::new(key)),
        calls: AtomicUsize::new(0),
        delay: Duration::from_millis(delay_ms),
        block_first,
        entered: Notify::new(),
        release: Notify::new(),
    })
}

struct Setup {
    svc: Services,
    ts: TenantStore,
    dir: tempfile::TempDir,
}

async fn setup(store: Arc<dyn Store>, tenant: &str, signer: Arc<Gate>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let archive = FileArchive {
        root: dir.path().join("archive"),
    };
    let mut signers: HashMap<String, Arc<dyn Signer>> = HashMap::new();
    signers.insert(tenant.to_owned(), signer);
    let svc = Services::new(Arc::new(FixedClock(NOW)), Arc::new(archive), signers);
    let ts = TenantStore::new(tenant, store);
    let profile = hoadon_core::profile::CompanyProfile {
        name: "Công ty TNHH Thiết bị Văn phòng An Phát".into(),
        tax_id: "0109998883".into(),
        address: "12 Phố Huế, Hà Nội".into(),
        ..Default::default()
    };
    crate::profile::update(&ts, NOW, 0, profile, "test")
        .await
        .unwrap();
    create_series(&ts, "1", "C25TAB").await.unwrap();
    Setup { svc, ts, dir }
}

async fn draft(s: &Setup, id: &str) {
    let input: DraftInput =
        serde_json::from_str(include_str!("../../../../shared/examples/draft.json")).unwrap();
    create_draft(&s.svc, &s.ts, id, &format!("key-{id}"), &input, "test")
        .await
        .unwrap();
}

/// The archive's files of the tenant.
fn archived(dir: &Path, tenant: &str) -> Vec<Vec<u8>> {
    let d = dir.join("archive").join(tenant).join("sha256");
    std::fs::read_dir(&d)
        .map(|r| {
            r.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".xml"))
                .map(|e| std::fs::read(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// One signed file, equal to the stored one; one `signed` entry; the chain holds.
async fn assert_signed_once(s: &Setup, id: &str) {
    let (rec, _) = load(&s.ts, id).await.unwrap();
    assert_eq!(rec.status, Status::Signed, "{id}");
    let xml = super::signed_xml(&s.svc, &s.ts, id).await.unwrap();
    let files = archived(s.dir.path(), s.ts.tenant());
    assert_eq!(
        files,
        vec![xml.clone()],
        "{id}: one archived file, the stored one"
    );
    let audit = verify_audit(&s.ts, id).await.unwrap();
    assert!(audit.valid, "{id}: {audit:?}");
    let signed = audit
        .entries
        .iter()
        .filter(|e| e.action == "signed")
        .count();
    assert_eq!(signed, 1, "{id}: one signed entry");
    let r = &hoadon_core::dsig::verify_document(std::str::from_utf8(&xml).unwrap()).unwrap()[0];
    assert!(r.valid, "{r:?}");
}

pub(crate) async fn run_all(store: Arc<dyn Store>) {
    a_renewed_certificate_replans_what_is_not_signed_yet(store.clone()).await;
    a_sweep_racing_an_issue_leaves_one_signed_file(store.clone()).await;
    a_stalled_signer_overtaken_by_the_sweep_leaves_one_signed_file(store.clone()).await;
    dropped_issue_requests_do_not_freeze_the_series(store).await;
}

/// A signer whose key service is down.
struct Down(Arc<Gate>);

#[async_trait]
impl Signer for Down {
    fn certificate(&self) -> &SignerCertificate {
        self.0.certificate()
    }
    async fn sign(&self, _: Vec<u8>) -> Result<Vec<u8>, SignError> {
        Err(SignError("the key service is down".into()))
    }
}

/// The seller's renewed certificate (a new key, the same MST).
fn renewed() -> Arc<dyn Signer> {
    let t = |y| hoadon_core::DateTime::new(hoadon_core::Date::new(y, 1, 1).unwrap(), 0, 0, 0);
    let g = hoadon_signing::selfsigned::generate(
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        t(2025).unwrap(),
        t(2030).unwrap(),
    )
    .unwrap();
    let key = hoadon_signing::LocalKeySigner::from_pem(&g.key_pem, &g.cert_pem).unwrap();
    Arc::new(LocalSigner(Arc::new(key)))
}

/// Numbered while the key service was down, then the certificate was renewed: the invoice is
/// signed with the new certificate (its plan replaced, audited), never left unsigned for good.
async fn a_renewed_certificate_replans_what_is_not_signed_yet(store: Arc<dyn Store>) {
    let s = setup(store, "races-renew", gate(0, false)).await;
    let down = {
        let mut signers: HashMap<String, Arc<dyn Signer>> = HashMap::new();
        signers.insert(s.ts.tenant().to_owned(), Arc::new(Down(gate(0, false))));
        let archive = FileArchive {
            root: s.dir.path().join("archive"),
        };
        Services::new(Arc::new(FixedClock(NOW)), Arc::new(archive), signers)
    };
    draft(&s, "renew-0001").await;
    assert!(issue(&down, &s.ts, "renew-0001", "test").await.is_err());
    let (rec, _) = load(&s.ts, "renew-0001").await.unwrap();
    assert_eq!((rec.status, rec.number), (Status::Numbered, Some(1)));
    let renewed = {
        let mut signers: HashMap<String, Arc<dyn Signer>> = HashMap::new();
        signers.insert(s.ts.tenant().to_owned(), renewed());
        let archive = FileArchive {
            root: s.dir.path().join("archive"),
        };
        Services::new(Arc::new(FixedClock(NOW)), Arc::new(archive), signers)
    };
    let report = sweep(&renewed, &s.ts).await.unwrap();
    assert_eq!((report.signed, report.failed), (1, 0));
    let s = Setup { svc: renewed, ..s };
    assert_signed_once(&s, "renew-0001").await;
    let audit = verify_audit(&s.ts, "renew-0001").await.unwrap();
    assert!(
        audit
            .entries
            .iter()
            .any(|e| e.action == "signing_replanned")
    );
}

async fn a_sweep_racing_an_issue_leaves_one_signed_file(store: Arc<dyn Store>) {
    let s = setup(store, "races-sweep", gate(300, false)).await;
    draft(&s, "race-00001").await;
    let issuing = {
        let (svc, ts) = (s.svc.clone(), s.ts.clone());
        tokio::spawn(async move { issue(&svc, &ts, "race-00001", "test").await })
    };
    // Numbered, signing in progress: the sweep signs the same invoice at the same time.
    while load(&s.ts, "race-00001").await.unwrap().0.status == Status::Draft {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sweep(&s.svc, &s.ts).await.unwrap();
    let v = issuing.await.unwrap().unwrap();
    assert_eq!((v.status, v.number), (Status::Signed, Some(1)));
    assert_signed_once(&s, "race-00001").await;
}

async fn a_stalled_signer_overtaken_by_the_sweep_leaves_one_signed_file(store: Arc<dyn Store>) {
    let g = gate(0, true);
    let s = setup(store, "races-stall", g.clone()).await;
    draft(&s, "stall-0001").await;
    let issuing = {
        let (svc, ts) = (s.svc.clone(), s.ts.clone());
        tokio::spawn(async move { issue(&svc, &ts, "stall-0001", "test").await })
    };
    g.entered.notified().await;
    // The request's signer call hangs; the sweep signs meanwhile.
    let report = sweep(&s.svc, &s.ts).await.unwrap();
    assert_eq!(report.signed, 1);
    assert_signed_once(&s, "stall-0001").await;
    // The stalled call comes back and finds the invoice signed: nothing is added.
    g.release.notify_one();
    let v = issuing.await.unwrap().unwrap();
    assert_eq!((v.status, v.number), (Status::Signed, Some(1)));
    assert_signed_once(&s, "stall-0001").await;
}

async fn dropped_issue_requests_do_not_freeze_the_series(store: Arc<dyn Store>) {
    let s = setup(store, "races-drop", gate(2, false)).await;
    let n = 24;
    let mut handles = Vec::new();
    for i in 0..n {
        let id = format!("drop-{i:05}");
        draft(&s, &id).await;
        let (svc, ts) = (s.svc.clone(), s.ts.clone());
        handles.push(tokio::spawn(
            async move { issue(&svc, &ts, &id, "test").await },
        ));
    }
    // Every request goes away while numbering or signing (the client hung up).
    for (i, h) in handles.into_iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(i as u64 % 3)).await;
        h.abort();
    }
    draft(&s, "drop-last1").await;
    let v = tokio::time::timeout(
        Duration::from_secs(30),
        issue(&s.svc, &s.ts, "drop-last1", "test"),
    )
    .await
    .expect("the series is not frozen")
    .unwrap();
    assert_eq!(v.status, Status::Signed);
    // The dropped ones finished on their own; the sweep has nothing left, or signs the rest.
    sweep(&s.svc, &s.ts).await.unwrap();
    let mut numbers = Vec::new();
    for i in 0..n {
        let (rec, _) = load(&s.ts, &format!("drop-{i:05}")).await.unwrap();
        if let Some(num) = rec.number {
            assert_eq!(rec.status, Status::Signed);
            numbers.push(num);
        }
    }
    numbers.push(v.number.unwrap());
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    assert_eq!(archived(s.dir.path(), s.ts.tenant()).len(), numbers.len());
}
