//! The small ports: clock, ids, archive and signer, with their local adapters.
//! (The store port, larger, has its own module.)

use async_trait::async_trait;
use hoadon_core::DateTime;
use hoadon_core::dsig::SignerCertificate;
use std::path::PathBuf;
use std::sync::Arc;

/// Time comes only from here, so tests can fix it.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
    /// Milliseconds since the Unix epoch (the outbox's schedule).
    fn now_ms(&self) -> i64 {
        self.now() * 1000
    }
    /// Vietnam local time (UTC+7), how `SigningTime` and issue dates are written.
    fn now_vn(&self) -> DateTime {
        DateTime::from_unix(self.now(), 7 * 3600).expect("clock within 1900..9999")
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock stopped at one instant (tests).
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// Fresh identifiers (audit entries, users, catalog items, secrets).
pub trait Ids: Send + Sync {
    /// 128 random bits as 32 lower-case hex digits.
    fn new_id(&self) -> String;
}

pub struct RandomIds;

impl Ids for RandomIds {
    fn new_id(&self) -> String {
        use aws_lc_rs::rand::SecureRandom;
        let mut b = [0u8; 16];
        aws_lc_rs::rand::SystemRandom::new()
            .fill(&mut b)
            .expect("the system random generator works");
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("archive: {0}")]
pub struct ArchiveError(pub String);

/// Where signed invoices are kept byte-exact for ten years: content-addressed per tenant.
#[async_trait]
pub trait Archive: Send + Sync {
    /// Stores `bytes`; returns their key (`<tenant>/sha256/<hex>.xml`). Idempotent.
    async fn put(&self, tenant: &str, bytes: &[u8]) -> Result<String, ArchiveError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ArchiveError>;
    /// Whether `tenant`'s part of the archive can be reached, without storing anything that
    /// stays (`GET /api/health`).
    async fn health(&self, tenant: &str) -> Result<(), ArchiveError>;
}

/// Files under `<data dir>/archive`, written to a temporary name, synced, then renamed, so a
/// crash never leaves a partial file under the final name.
pub struct FileArchive {
    pub root: PathBuf,
}

/// An error with its causes, `a: b: c` (an SDK error's own `Display` says only "service
/// error"): the signing crate's, which its HTTP clients use too.
pub use hoadon_signing::error_chain;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

#[async_trait]
impl Archive for FileArchive {
    async fn put(&self, tenant: &str, bytes: &[u8]) -> Result<String, ArchiveError> {
        let key = format!("{tenant}/sha256/{}.xml", sha256_hex(bytes));
        let path = self.root.join(&key);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(key);
        }
        let dir = path.parent().expect("key has a directory").to_owned();
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            // Unique per write: concurrent writers must never share a temporary file.
            static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| ArchiveError(e.to_string()))?
        .map_err(|e| ArchiveError(e.to_string()))?;
        Ok(key)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        if key.contains("..") {
            return Err(ArchiveError("bad key".into()));
        }
        match tokio::fs::read(self.root.join(key)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ArchiveError(e.to_string())),
        }
    }

    /// The directory exists (or can be made) and a file can be created in it and removed.
    async fn health(&self, _tenant: &str) -> Result<(), ArchiveError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&root)?;
            let probe = root.join(format!(".health-{}", std::process::id()));
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(&probe)
        })
        .await
        .map_err(|e| ArchiveError(e.to_string()))?
        .map_err(|e| ArchiveError(format!("{}: {e}", self.root.display())))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("signer: {0}")]
pub struct SignError(pub String);

/// Whoever holds the seller's key: signs the canonical `SignedInfo` bytes (RSA-SHA256).
/// Local key now; KMS (`Sign`, `MessageType=RAW`) and tokens fit the same call.
#[async_trait]
pub trait Signer: Send + Sync {
    fn certificate(&self) -> &SignerCertificate;
    async fn sign(&self, signed_info: Vec<u8>) -> Result<Vec<u8>, SignError>;
    /// Looks again for the certificate to sign with (a CA's certificate for this key was
    /// uploaded or revoked): see `signing_key::CertifiedSigner`. Others have one certificate.
    async fn refresh_certificate(&self) {}
}

/// The local software key.
pub struct LocalSigner(pub Arc<hoadon_signing::LocalKeySigner>);

#[async_trait]
impl Signer for LocalSigner {
    fn certificate(&self) -> &SignerCertificate {
        self.0.certificate()
    }
    async fn sign(&self, signed_info: Vec<u8>) -> Result<Vec<u8>, SignError> {
        let key = self.0.clone();
        tokio::task::spawn_blocking(move || key.sign_raw(&signed_info))
            .await
            .map_err(|e| SignError(e.to_string()))?
            .map_err(|e| SignError(e.to_string()))
    }
}

/// How the outbox gets a worker to a message when it is due: locally a wake-up of the server's
/// pump loop; on AWS a message to the outbox queue (SQS, with a delay) read by the consumer
/// function. Losing a wake-up loses nothing (the message is in the store and the periodic
/// pump/sweep finds it); it only delays it.
#[async_trait]
pub trait Wake: Send + Sync {
    /// Message `id` of `tenant` is due at `at` (Unix seconds).
    async fn wake(&self, tenant: &str, id: &str, at: i64) -> Result<(), String>;
}

/// The local system's [`Wake`]: nudges the pump loop (which also runs on a timer).
#[derive(Debug, Default)]
pub struct LocalWake(pub tokio::sync::Notify);

#[async_trait]
impl Wake for LocalWake {
    async fn wake(&self, _tenant: &str, _id: &str, _at: i64) -> Result<(), String> {
        self.0.notify_one();
        Ok(())
    }
}

/// 32 bytes (256 bits) from the system's CSPRNG in base64url: the secret part of a token that
/// is stored only as its SHA-256 (access tokens, buyers' confirmation links).
pub fn random_base64url() -> String {
    use aws_lc_rs::rand::SecureRandom;
    use base64::Engine;
    let mut b = [0u8; 32];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut b)
        .expect("the system random generator works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
