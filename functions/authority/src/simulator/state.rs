//! What the simulated authority remembers, and its optional journal on disk.
//!
//! The journal is **append-only JSON lines**, one per accepted message (its 999, its replies
//! with the time each becomes visible, and what it changed: a registration, a code, uncoded data
//! received) or pre-registration. It is replayed at start, so `functions/dev run` keeps the
//! codes it granted across restarts, and a resubmission after a restart still gets its first
//! answers. A last line cut short by a crash is ignored; any other unreadable line is an error
//! (a journal that lies is worse than none).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// One invoice, as the authority keys it: one code per seller, form, symbol and number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceKey {
    pub tax_id: String,
    pub form: String,
    pub symbol: String,
    pub number: u64,
}

/// One reply and when it becomes visible (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reply {
    pub visible_at_ms: u64,
    pub xml: String,
}

/// A registration's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Registered {
    pub coded: bool,
    pub uncoded: bool,
}

/// A granted code: the `DLHDon` it was granted for and the coded `HDon` (byte-exact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Code {
    pub dlhdon_sha256: String,
    pub hdon: String,
}

/// What an accepted message changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub(crate) enum Effect {
    Registered {
        tax_id: String,
        coded: bool,
        uncoded: bool,
    },
    Coded {
        key: InvoiceKey,
        code: Code,
    },
    Uncoded {
        key: InvoiceKey,
        dlhdon_sha256: String,
    },
}

/// An accepted message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Recorded {
    /// `MTDiep`.
    pub id: String,
    /// SHA-256 (hex) of the exact bytes received: the same id with other bytes is refused.
    pub sha256: String,
    /// The 999.
    pub ack: String,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub(crate) enum Entry {
    Message(Recorded),
    /// A tax id registered by configuration (tests, `--register`).
    Preregistered {
        tax_id: String,
        coded: bool,
        uncoded: bool,
    },
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub messages: HashMap<String, Recorded>,
    pub registrations: HashMap<String, Registered>,
    pub coded: HashMap<InvoiceKey, Code>,
    pub uncoded: HashMap<InvoiceKey, String>,
    /// Submissions per `MTDiep` that were not recorded (for the transient faults' roll).
    pub attempts: HashMap<String, u32>,
}

impl State {
    pub fn apply(&mut self, e: &Entry) {
        match e {
            Entry::Message(m) => {
                for eff in &m.effects {
                    self.apply_effect(eff);
                }
                self.messages.insert(m.id.clone(), m.clone());
            }
            Entry::Preregistered {
                tax_id,
                coded,
                uncoded,
            } => self.apply_effect(&Effect::Registered {
                tax_id: tax_id.clone(),
                coded: *coded,
                uncoded: *uncoded,
            }),
        }
    }

    fn apply_effect(&mut self, e: &Effect) {
        match e {
            Effect::Registered {
                tax_id,
                coded,
                uncoded,
            } => {
                self.registrations.insert(
                    tax_id.clone(),
                    Registered {
                        coded: *coded,
                        uncoded: *uncoded,
                    },
                );
            }
            Effect::Coded { key, code } => {
                self.coded.insert(key.clone(), code.clone());
            }
            Effect::Uncoded { key, dlhdon_sha256 } => {
                self.uncoded.insert(key.clone(), dlhdon_sha256.clone());
            }
        }
    }
}

/// The journal file (`<data>/journal.jsonl`).
#[derive(Debug)]
pub(crate) struct Journal {
    file: File,
}

impl Journal {
    /// Opens (creating) the journal in `dir` and replays it into a new state.
    pub fn open(dir: &Path) -> std::io::Result<(Journal, State)> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("journal.jsonl");
        let mut state = State::default();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(line) {
                Ok(e) => state.apply(&e),
                Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
                Err(e) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} line {}: {e}", path.display(), i + 1),
                    ));
                }
            }
        }
        if !text.is_empty() && !text.ends_with('\n') {
            // Cut the torn line off, so the next entry starts a line of its own.
            let keep = text.rfind('\n').map_or(0, |i| i + 1);
            OpenOptions::new()
                .write(true)
                .open(&path)?
                .set_len(u64::try_from(keep).unwrap_or(u64::MAX))?;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok((Journal { file }, state))
    }

    /// Appends one entry (one `write` of one line, so a crash leaves at most a torn last line).
    pub fn append(&mut self, e: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(e).map_err(std::io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}
