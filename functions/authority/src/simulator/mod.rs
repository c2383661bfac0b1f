//! A local simulator of the tax authority (as reached through a T-VAN): in-process, or over
//! HTTP ([`http`]) as the stand-alone binary `hoadon-authority`. **Everything it codes is test
//! data**: its `MCCQT`s start with `TEST`, its certificate's subject says `TEST`, and
//! [`TaxAuthority::is_test`] is `true`, so a production configuration can refuse it.
//!
//! # What it checks and answers
//!
//! `submit` answers the **999** at once; the outcome comes as replies (`replies(MTDiep)`):
//!
//! | sent | outcome |
//! |---|---|
//! | 200 (one coded invoice) | **202** (the invoice with `MCCQT` and the CQT signature, by the simulator's own test key) or **204** with errors |
//! | 203 (uncoded invoices) | **204**, valid or with errors |
//! | 300 (04/SS) | **301** (outcome 1 received, 2 refused with reasons) |
//! | 100 (registration) | **102** (receipt), then **103** (accepted, or refused with reasons) |
//!
//! The 999 carries errors (`TTTNhan` 1, nothing recorded) when the envelope breaks a rule:
//! `envelope.unreadable` (`TDiep::read` refused it), `envelope.receiver` (`MNNhan` ≠ `TCT`),
//! `envelope.sender` (`MNGui` is not `V` + a 10/13-digit tax id), `envelope.message_id`
//! (`MTDiep` does not start with `MNGui`), `envelope.version` (`PBan` not 2.x),
//! `envelope.reference` (`MTDTChieu` set), `envelope.mst`, `envelope.count` (`SLuong`
//! missing), `envelope.kind` (not 100/200/203/300), `envelope.duplicate_id` (an `MTDiep` already
//! accepted, with other bytes), `ack.injected` (fault). Bytes that are not a `TDiep` with a
//! readable `MTDiep` are `AuthorityError::Refused`.
//!
//! The 204 / 103 / 301 error codes (`MLoi`) are the simulator's own, listed in
//! [`rules::check_invoice`] (invoices), plus `count.one_invoice` (a 200 carries one invoice),
//! `invoice.cannot_code`, `registration.mst_mismatch`, `registration.nothing`,
//! `notice.mst_mismatch`, `notice.unsigned`, `signature.invalid` and `reject.injected`.
//!
//! **Decisions** (the reference is silent):
//! - *Idempotent by `MTDiep`*: the same bytes again get the first 999 back and nothing else
//!   happens (counted in [`Counters::duplicates`]); the same `MTDiep` with other bytes gets a
//!   999 error.
//! - *One code per invoice* (seller + form + symbol + number): the same `DLHDon` bytes under
//!   another `MTDiep` get the **same coded `HDon`** again (a new 202 envelope answering the new
//!   message, same `MCCQT`, same CQT signature); other content under a coded number is a 204
//!   `number.already_coded`. Uncoded data (203) likewise (`number.already_sent`).
//! - *Numbers*: duplicates are refused as above; **gaps and out-of-order arrivals are
//!   accepted** (the outbox may deliver out of order after retries).
//! - *The seller's certificate*: the provisional 100 carries no certificate list, so a
//!   certificate counts as registered when its subject carries the seller's `MST:` and it was
//!   valid at the signing time.
//! - *Registration*: with `require_registration`, a 200 (203) needs an accepted 100 with
//!   `CMa` (`KCMa`) = 1 for the envelope's `MST`, or a pre-registration ([`Simulator::register`]).
//! - *`MCCQT`*: `TEST` + 30 upper-case hex (34 characters, the limit), derived from the invoice's
//!   key, so it is stable and visibly not a real code; its `Id` is `Id-` + 32 hex.
//! - *Reply ids* are derived from the answered `MTDiep` ([`replies`]); the CQT signing time is
//!   the simulator's clock in Vietnam time (UTC+7).
//!
//! Fault modes: [`faults`].

pub mod faults;
pub mod http;
mod replies;
mod rules;
mod state;

pub use faults::{Fault, Faults};
pub use replies::Problem;
pub use state::InvoiceKey;

use crate::{AuthorityError, TaxAuthority};
use async_trait::async_trait;
use hoadon_core::DateTime;
use hoadon_core::dsig::verify_document;
use hoadon_core::tdiep::{AuthorityCode, Body, MessageId, MessageKind, SignedHDon, TDiep, grant};
use hoadon_core::xml::dom;
use hoadon_signing::LocalKeySigner;
use replies::{Answered, NoticeText, derived, hex};
use sha2::{Digest, Sha256};
use state::{Code, Effect, Entry, Journal, Recorded, Reply, State};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
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

/// What the simulator counted since it started (not persisted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

struct Inner {
    st: State,
    journal: Option<Journal>,
    faults: Faults,
    unavailable_until_ms: u64,
    counters: Counters,
}

/// The simulated authority. Share it as `Arc<Simulator>` (it is a `TaxAuthority`).
pub struct Simulator {
    inner: Mutex<Inner>,
    signer: LocalKeySigner,
    cert_pem: String,
    require_registration: bool,
    clock: Clock,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("require_registration", &self.require_registration)
            .finish_non_exhaustive()
    }
}

/// Vietnam time (UTC+7) of a Unix-milliseconds instant.
fn vietnam_time(unix_ms: u64) -> DateTime {
    let secs = i64::try_from(unix_ms / 1000).unwrap_or(i64::MAX / 2);
    DateTime::from_unix(secs, 7 * 3600)
        .or_else(|_| DateTime::from_unix(0, 7 * 3600))
        .expect("the epoch is a valid date-time")
}

fn load_or_make_key(config: &SimulatorConfig) -> Result<AuthorityKey, SimulatorError> {
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

impl Simulator {
    pub fn new(config: SimulatorConfig) -> Result<Self, SimulatorError> {
        let key = load_or_make_key(&config)?;
        let signer = LocalKeySigner::from_pem(&key.key_pem, &key.cert_pem)
            .map_err(|e| SimulatorError::Key(e.to_string()))?;
        let (journal, st) = match &config.data_dir {
            Some(d) => {
                let (j, s) = Journal::open(d)?;
                (Some(j), s)
            }
            None => (None, State::default()),
        };
        let now = config.clock.now_ms();
        let sim = Simulator {
            inner: Mutex::new(Inner {
                st,
                journal,
                faults: config.faults.clone(),
                unavailable_until_ms: config.unavailable_for.map_or(0, |d| {
                    now.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                }),
                counters: Counters::default(),
            }),
            signer,
            cert_pem: key.cert_pem,
            require_registration: config.require_registration,
            clock: config.clock,
        };
        for t in &config.registered {
            sim.register(t, true, true)?;
        }
        Ok(sim)
    }

    /// An in-memory simulator with a new key and no faults.
    pub fn in_memory() -> Result<Self, SimulatorError> {
        Self::new(SimulatorConfig::default())
    }

    /// The certificate its 202s are signed with (PEM): what a test trusts.
    pub fn certificate_pem(&self) -> &str {
        &self.cert_pem
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, AuthorityError> {
        self.inner
            .lock()
            .map_err(|_| AuthorityError::Unavailable("the simulator's state is poisoned".into()))
    }

    /// Registers `tax_id` (as an accepted 100 would) for coded and/or uncoded invoices.
    pub fn register(&self, tax_id: &str, coded: bool, uncoded: bool) -> Result<(), SimulatorError> {
        let tax_id = hoadon_core::model::TaxId::parse(tax_id)
            .map_err(|e| SimulatorError::Invalid(format!("tax id {tax_id:?}: {e}")))?;
        let e = Entry::Preregistered {
            tax_id: tax_id.as_str().replace('-', ""),
            coded,
            uncoded,
        };
        let mut g = self
            .inner
            .lock()
            .map_err(|_| SimulatorError::Invalid("poisoned".into()))?;
        if let Some(j) = g.journal.as_mut() {
            j.append(&e)?;
        }
        g.st.apply(&e);
        Ok(())
    }

    /// Replaces the fault configuration (from the next submission on).
    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut g) = self.inner.lock() {
            g.faults = faults;
        }
    }

    /// Everything answers `Unavailable` for `d` from now (zero ends an outage).
    pub fn unavailable_for(&self, d: Duration) {
        let until = self
            .clock
            .now_ms()
            .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        if let Ok(mut g) = self.inner.lock() {
            g.unavailable_until_ms = until;
        }
    }

    pub fn counters(&self) -> Counters {
        self.inner.lock().map(|g| g.counters).unwrap_or_default()
    }

    /// `submit`, synchronously (the HTTP mode and the trait both call it).
    pub fn handle(&self, message: &[u8]) -> Result<Vec<String>, AuthorityError> {
        let now = self.clock.now_ms();
        let mut g = self.lock()?;
        if now < g.unavailable_until_ms {
            g.counters.unavailable += 1;
            return Err(AuthorityError::Unavailable(
                "the simulated authority is down (fault unavailable_for)".into(),
            ));
        }
        g.counters.submissions += 1;
        let received = vietnam_time(now);
        let text = std::str::from_utf8(message)
            .map_err(|_| AuthorityError::Refused("the message is not UTF-8".into()))?;
        let msg = match TDiep::read(text) {
            Ok(m) => m,
            Err(e) => {
                let Some(id) = message_id_of(text) else {
                    return Err(AuthorityError::Refused(format!(
                        "not a TDiep with a readable MTDiep: {e}"
                    )));
                };
                g.counters.ack_errors += 1;
                let a = Answered::bare(id);
                return Ok(vec![
                    a.ack(received, &[("envelope.unreadable", e.to_string())]),
                ]);
            }
        };
        let id = msg.header.id.as_str().to_owned();
        let sha = hex(&Sha256::digest(message));
        let answered = Answered::of(&msg.header);
        if let Some(r) = g.st.messages.get(&id) {
            if r.sha256 == sha {
                let ack = r.ack.clone();
                g.counters.duplicates += 1;
                return Ok(vec![ack]);
            }
            g.counters.ack_errors += 1;
            return Ok(vec![answered.ack(
                received,
                &[(
                    "envelope.duplicate_id",
                    format!("MTDiep {id} was already received with other content"),
                )],
            )]);
        }
        let attempt = {
            let a = g.st.attempts.entry(id.clone()).or_insert(0);
            *a = a.saturating_add(1);
            *a
        };
        let mut errors: Vec<(&str, String)> = Vec::new();
        if g.faults.hits(Fault::AckError, &id, attempt) {
            errors.push((
                "ack.injected",
                "injected technical error (fault ack_error)".into(),
            ));
        } else {
            errors.extend(rules::envelope_problems(&msg.header));
        }
        if !errors.is_empty() {
            g.counters.ack_errors += 1;
            return Ok(vec![answered.ack(received, &errors)]);
        }

        let ack = answered.ack(received, &[]);
        let faults = g.faults.clone();
        let (finals, effects) = self.outcome(&mut g, (&msg, text), &answered, received, &faults);
        let delay = if faults.hits(Fault::Delay, &id, 0) {
            u64::try_from(faults.delay.as_millis()).unwrap_or(u64::MAX)
        } else {
            0
        };
        let visible_at_ms = now.saturating_add(delay);
        let mut replies: Vec<Reply> = finals
            .iter()
            .map(|(_, xml)| Reply {
                visible_at_ms,
                xml: xml.clone(),
            })
            .collect();
        if let Some((kind, last)) = finals.last()
            && faults.hits(Fault::DuplicateReply, &id, 0)
        {
            let first = replies::reply_id(&id, *kind, 0);
            let second = replies::reply_id(&id, *kind, 1);
            replies.push(Reply {
                visible_at_ms,
                xml: last.replacen(first.as_str(), second.as_str(), 1),
            });
        }
        let entry = Entry::Message(Recorded {
            id: id.clone(),
            sha256: sha,
            ack: ack.clone(),
            replies,
            effects,
        });
        if let Some(j) = g.journal.as_mut() {
            j.append(&entry).map_err(|e| {
                AuthorityError::Unavailable(format!("the simulator cannot write its journal: {e}"))
            })?;
        }
        g.st.apply(&entry);
        g.st.attempts.remove(&id);
        g.counters.accepted += 1;
        if faults.hits(Fault::TimeoutAfterAccept, &id, 0) {
            g.counters.timeouts += 1;
            return Err(AuthorityError::Timeout(
                "accepted, but the answer was lost (fault timeout_after_accept)".into(),
            ));
        }
        Ok(vec![ack])
    }

    /// Every reply to `message_id` visible now: its 999 first, then the outcome.
    pub fn replies_now(&self, message_id: &str) -> Result<Vec<String>, AuthorityError> {
        let now = self.clock.now_ms();
        let mut g = self.lock()?;
        if now < g.unavailable_until_ms {
            g.counters.unavailable += 1;
            return Err(AuthorityError::Unavailable(
                "the simulated authority is down (fault unavailable_for)".into(),
            ));
        }
        Ok(match g.st.messages.get(message_id) {
            None => Vec::new(),
            Some(r) => std::iter::once(r.ack.clone())
                .chain(
                    r.replies
                        .iter()
                        .filter(|x| x.visible_at_ms <= now)
                        .map(|x| x.xml.clone()),
                )
                .collect(),
        })
    }

    /// The final replies and the effects of an accepted message.
    fn outcome(
        &self,
        g: &mut Inner,
        (msg, raw): (&TDiep, &str),
        a: &Answered,
        now: DateTime,
        faults: &Faults,
    ) -> (Vec<(MessageKind, String)>, Vec<Effect>) {
        let id = msg.header.id.as_str();
        let mst = msg
            .header
            .tax_id
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default();
        let injected = || {
            faults
                .reject_codes()
                .iter()
                .map(|c| Problem::new(c, "injected rejection (fault reject)"))
                .collect::<Vec<_>>()
        };
        let c = &mut g.counters;
        match (&msg.header.kind, &msg.body) {
            (MessageKind::ForCode, Body::Invoices(v)) => {
                if faults.hits(Fault::Reject, id, 0) {
                    c.rejections += 1;
                    return (check(a, true, now, &injected()), Vec::new());
                }
                let [hdon] = v.as_slice() else {
                    c.rejections += 1;
                    let p = Problem::new(
                        "count.one_invoice",
                        format!("a 200 carries one invoice, this one {}", v.len()),
                    );
                    return (check(a, true, now, &[p]), Vec::new());
                };
                match rules::check_invoice(&g.st, &mst, hdon, true, self.require_registration) {
                    Err(problems) => {
                        c.rejections += 1;
                        (check(a, true, now, &problems), Vec::new())
                    }
                    Ok(p) => match p.before.as_deref().map(SignedHDon::from_document) {
                        Some(Ok(first)) => {
                            c.codes_repeated += 1;
                            let r = a.code_granted(0, first);
                            (vec![(MessageKind::CodeGranted, r)], Vec::new())
                        }
                        _ => match self.code(hdon, &p.key, now) {
                            Ok(coded) => {
                                c.codes_granted += 1;
                                let r = a.code_granted(0, coded.clone());
                                let effect = Effect::Coded {
                                    key: p.key,
                                    code: Code {
                                        dlhdon_sha256: p.dlhdon_sha256,
                                        hdon: coded.as_str().to_owned(),
                                    },
                                };
                                (vec![(MessageKind::CodeGranted, r)], vec![effect])
                            }
                            Err(why) => {
                                c.rejections += 1;
                                let p = Problem::new("invoice.cannot_code", why);
                                (check(a, true, now, &[p]), Vec::new())
                            }
                        },
                    },
                }
            }
            (MessageKind::UncodedData, Body::Invoices(v)) => {
                if faults.hits(Fault::Reject, id, 0) {
                    c.rejections += 1;
                    return (check(a, false, now, &injected()), Vec::new());
                }
                let mut problems = Vec::new();
                let mut effects = Vec::new();
                for (i, hdon) in v.iter().enumerate() {
                    match rules::check_invoice(&g.st, &mst, hdon, false, self.require_registration)
                    {
                        Ok(p) if p.before.is_none() => effects.push(Effect::Uncoded {
                            key: p.key,
                            dlhdon_sha256: p.dlhdon_sha256,
                        }),
                        Ok(_) => {}
                        Err(ps) => problems.extend(ps.into_iter().map(|mut p| {
                            p.text = format!("HDon[{}] ({}): {}", i + 1, hdon.data_id(), p.text);
                            p
                        })),
                    }
                }
                if !problems.is_empty() {
                    c.rejections += 1;
                }
                (check(a, false, now, &problems), effects)
            }
            (MessageKind::Registration, Body::Registration(r)) => {
                let mut problems = Vec::new();
                if r.common.tax_id.replace('-', "") != mst.replace('-', "") {
                    problems.push(Problem::new(
                        "registration.mst_mismatch",
                        format!(
                            "DLTKhai/MST {} is not the message's MST {mst}",
                            r.common.tax_id
                        ),
                    ));
                }
                if !r.coded && !r.uncoded {
                    problems.push(Problem::new(
                        "registration.nothing",
                        "neither CMa nor KCMa is 1: nothing to register",
                    ));
                }
                let text = |problems| NoticeText {
                    date: now,
                    taxpayer: &r.taxpayer_name,
                    problems,
                };
                let receipt = a.notice(MessageKind::RegistrationReceipt, 0, text(&[]));
                let decision = a.notice(MessageKind::RegistrationDecision, 0, text(&problems));
                let effects = if problems.is_empty() {
                    vec![Effect::Registered {
                        tax_id: mst.replace('-', ""),
                        coded: r.coded,
                        uncoded: r.uncoded,
                    }]
                } else {
                    c.rejections += 1;
                    Vec::new()
                };
                (
                    vec![
                        (MessageKind::RegistrationReceipt, receipt),
                        (MessageKind::RegistrationDecision, decision),
                    ],
                    effects,
                )
            }
            (MessageKind::ErrorNotice, Body::ErrorNotice(n)) => {
                let mut problems = notice_signature_problems(raw);
                if n.tax_id.as_ref().map(|t| t.as_str().replace('-', ""))
                    != Some(mst.replace('-', ""))
                {
                    problems.push(Problem::new(
                        "notice.mst_mismatch",
                        "DLTBao/MST is not the message's MST",
                    ));
                }
                if !problems.is_empty() {
                    c.rejections += 1;
                }
                let text = NoticeText {
                    date: now,
                    taxpayer: &n.taxpayer_name,
                    problems: &problems,
                };
                let r = a.notice(MessageKind::ErrorNoticeResult, 0, text);
                (vec![(MessageKind::ErrorNoticeResult, r)], Vec::new())
            }
            // The envelope rules let only these four kinds through.
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// Grants the code of `key` to `hdon`: `MCCQT`, CQT signature by the simulator's key.
    fn code(
        &self,
        hdon: &SignedHDon,
        key: &InvoiceKey,
        now: DateTime,
    ) -> Result<SignedHDon, String> {
        let n = key.number.to_be_bytes();
        let parts: [&[u8]; 5] = [
            b"MCCQT",
            key.tax_id.as_bytes(),
            key.form.as_bytes(),
            key.symbol.as_bytes(),
            &n,
        ];
        let d = derived(&parts);
        let mut more = parts;
        more[0] = b"MCCQT-Id";
        let code = AuthorityCode::new(
            &format!("Id-{}", hex(&derived(&more)).to_lowercase()),
            &format!("TEST{}", &hex(&d)[..30]),
        )
        .map_err(|e| e.to_string())?;
        let prepared =
            grant(hdon, &code, self.signer.certificate(), now).map_err(|e| e.to_string())?;
        let value = self
            .signer
            .sign_raw(prepared.signed_info())
            .map_err(|e| e.to_string())?;
        let coded = prepared.attach(&value).map_err(|e| e.to_string())?;
        SignedHDon::from_document(&coded).map_err(|e| e.to_string())
    }
}

fn check(
    a: &Answered,
    coded: bool,
    now: DateTime,
    problems: &[Problem],
) -> Vec<(MessageKind, String)> {
    vec![(
        MessageKind::CheckResult,
        a.check_result(0, coded, now, problems),
    )]
}

/// The `MTDiep` of a message `TDiep::read` refused, when its header still has a valid one.
fn message_id_of(text: &str) -> Option<MessageId> {
    let doc = dom::parse(text).ok()?;
    let id = doc.root.child("TTChung")?.child_text("MTDiep")?;
    MessageId::parse("TDiep/TTChung/MTDiep", id.trim()).ok()
}

/// The 04/SS's signature (`TBao/DSCKS/NNT`) must be there and verify.
fn notice_signature_problems(xml: &str) -> Vec<Problem> {
    match verify_document(xml) {
        Err(e) => vec![Problem::new("signature.invalid", e.to_string())],
        Ok(reports) => match reports
            .iter()
            .find(|r| r.location.ends_with("TBao/DSCKS/NNT"))
        {
            None => vec![Problem::new(
                "notice.unsigned",
                "the 04/SS has no signature in DSCKS/NNT",
            )],
            Some(r) => match &r.failure {
                Some(why) => vec![Problem::new("signature.invalid", why.clone())],
                None => Vec::new(),
            },
        },
    }
}

#[async_trait]
impl TaxAuthority for Simulator {
    async fn submit(&self, message: &[u8]) -> Result<Vec<String>, AuthorityError> {
        self.handle(message)
    }
    async fn replies(&self, message_id: &str) -> Result<Vec<String>, AuthorityError> {
        self.replies_now(message_id)
    }
    fn is_test(&self) -> bool {
        true
    }
}
