//! How a simulator is set up: its clock, its key, its configuration, its counters.

use super::Faults;
use hoadon_core::DateTime;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The simulator's clock: Unix milliseconds. Fixed in golden tests, the system's otherwise.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> u64 + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        }))
    }
    pub fn fixed(unix_ms: u64) -> Self {
        Clock(Arc::new(move || unix_ms))
    }
    pub fn from_fn(f: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }
    pub fn now_ms(&self) -> u64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_ms())
    }
}

/// The simulator's signing key and certificate (PEM). Debug never shows the key.
#[derive(Clone)]
pub struct AuthorityKey {
    pub key_pem: String,
    pub cert_pem: String,
}

impl std::fmt::Debug for AuthorityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorityKey").finish_non_exhaustive()
    }
}

/// The common name of the simulator's generated certificate.
pub const TEST_AUTHORITY_NAME: &str = "TEST Tổng cục Thuế - hoadon simulator, not the GDT";

/// How a simulator is set up.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Where its state survives restarts (`journal.jsonl`, and its key when generated). `None`:
    /// in memory only.
    pub data_dir: Option<PathBuf>,
    /// Whether a 200 / 203 needs an accepted registration (100) or a pre-registration.
    pub require_registration: bool,
    /// Tax ids registered for coded and uncoded invoices from the start.
    pub registered: Vec<String>,
    pub faults: Faults,
    /// Everything answers `Unavailable` for this long after start.
    pub unavailable_for: Option<Duration>,
    /// The signing key; `None`: the one in `data_dir` (`authority.key.pem`,
    /// `authority.cert.pem`), else a new RSA-2048 key with a self-signed certificate named
    /// [`TEST_AUTHORITY_NAME`] (saved in `data_dir` when there is one).
    pub key: Option<AuthorityKey>,
    pub clock: Clock,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            data_dir: None,
            require_registration: false,
            registered: Vec::new(),
            faults: Faults::none(),
            unavailable_for: None,
            key: None,
            clock: Clock::system(),
        }
    }
}

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("simulator data directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("simulator key: {0}")]
    Key(String),
    #[error("{0}")]
    Invalid(String),
}

/// What the simulator counted since it started (not persisted). Over HTTP: `GET /counters`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Calls to `submit` that reached it (not those refused as `Unavailable`).
    pub submissions: u64,
    /// Messages accepted and recorded (999 without error).
    pub accepted: u64,
    /// Submissions of an `MTDiep` already accepted, with the same bytes.
    pub duplicates: u64,
    /// 999s with errors (envelope, injected, `MTDiep` reused with other bytes).
    pub ack_errors: u64,
    /// Codes granted (first 202 of an invoice).
    pub codes_granted: u64,
    /// 202s repeated for an invoice coded before (same `DLHDon`, another `MTDiep`).
    pub codes_repeated: u64,
    /// 204s with errors and refused 103/301s.
    pub rejections: u64,
    /// Calls answered `Unavailable`.
    pub unavailable: u64,
    /// Accepted messages whose `submit` answered `Timeout` (fault).
    pub timeouts: u64,
}

/// Vietnam time (UTC+7) of a Unix-milliseconds instant.
pub(super) fn vietnam_time(unix_ms: u64) -> DateTime {
    let secs = i64::try_from(unix_ms / 1000).unwrap_or(i64::MAX / 2);
    DateTime::from_unix(secs, 7 * 3600)
        .or_else(|_| DateTime::from_unix(0, 7 * 3600))
        .expect("the epoch is a valid date-time")
}

pub(super) fn load_or_make_key(config: &SimulatorConfig) -> Result<AuthorityKey, SimulatorError> {
    if let Some(k) = &config.key {
        return Ok(k.clone());
    }
    let paths = config
        .data_dir
        .as_ref()
        .map(|d| (d.join("authority.key.pem"), d.join("authority.cert.pem")));
    if let Some((k, c)) = &paths
        && k.exists()
        && c.exists()
    {
        return Ok(AuthorityKey {
            key_pem: std::fs::read_to_string(k)?,
            cert_pem: std::fs::read_to_string(c)?,
        });
    }
    let now = vietnam_time(config.clock.now_ms());
    let from = DateTime::from_unix(
        i64::try_from(config.clock.now_ms() / 1000).unwrap_or(0) - 86_400,
        0,
    )
    .unwrap_or(now);
    let until = hoadon_core::Date::new(now.date.year().saturating_add(10), 1, 1)
        .ok()
        .and_then(|d| DateTime::new(d, 0, 0, 0).ok())
        .unwrap_or(now);
    let g = hoadon_signing::selfsigned::generate(TEST_AUTHORITY_NAME, "TEST", from, until)
        .map_err(SimulatorError::Key)?;
    let key = AuthorityKey {
        key_pem: g.key_pem,
        cert_pem: g.cert_pem,
    };
    if let (Some((k, c)), Some(dir)) = (&paths, &config.data_dir) {
        std::fs::create_dir_all(dir)?;
        std::fs::write(k, &key.key_pem)?;
        std::fs::write(c, &key.cert_pem)?;
    }
    Ok(key)
}
