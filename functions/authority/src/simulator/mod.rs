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
//! The 204 / 103 / 301 error codes (`MLoi`) are the simulator's own, stable: for invoices
//! (`rules.rs`, `check_invoice`) `invoice.unreadable`, `invoice.<finding code>`,
//! `seller.mst_mismatch`, `invoice.kind`, `invoice.number_missing`, `mccqt.present`,
//! `registration.missing`, `signature.missing`, `signature.invalid`, `certificate.not_seller`,
//! `certificate.expired`, `number.already_coded`, `number.already_sent`; and
//! `count.one_invoice` (a 200 carries one invoice), `invoice.cannot_code`,
//! `registration.mst_mismatch`, `registration.nothing`, `notice.mst_mismatch`,
//! `notice.unsigned`, `signature.invalid` (04/SS) and `reject.injected`.
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
//! - *Reply ids* are derived from the answered `MTDiep` (`replies.rs`); the CQT signing time is
//!   the simulator's clock in Vietnam time (UTC+7).
//!
//! Fault modes: [`faults`].

mod config;
pub mod faults;
pub mod http;
mod outcome;
mod replies;
mod rules;
mod state;

pub use config::{
    AuthorityKey, Clock, Counters, SimulatorConfig, SimulatorError, TEST_AUTHORITY_NAME,
};
pub use faults::{Fault, Faults};
pub use replies::Problem;
pub use state::InvoiceKey;

use crate::{AuthorityError, TaxAuthority};
use async_trait::async_trait;
use config::{load_or_make_key, vietnam_time};
use hoadon_core::tdiep::{MessageId, TDiep};
use hoadon_core::xml::dom;
use hoadon_signing::LocalKeySigner;
use replies::{Answered, hex};
use sha2::{Digest, Sha256};
use state::{Entry, Journal, Recorded, Reply, State};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

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
}

/// The `MTDiep` of a message `TDiep::read` refused, when its header still has a valid one.
fn message_id_of(text: &str) -> Option<MessageId> {
    let doc = dom::parse(text).ok()?;
    let id = doc.root.child("TTChung")?.child_text("MTDiep")?;
    MessageId::parse("TDiep/TTChung/MTDiep", id.trim()).ok()
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
