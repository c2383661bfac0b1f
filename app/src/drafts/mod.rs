//! Drafts live on the device first and reach the server when they can.
//!
//! A draft is a [`DraftInput`]: what a client may send (no seller, number or authority fields;
//! the server composes the signed document). Drafts stored by earlier versions of the app (a
//! whole `InvoiceDocument`) are converted when read ([`LocalDraft::from_stored`]), not lost.
//! They live in the signed-in user's own database ([`crate::db`]); signing out keeps them there
//! for that user, and the next user starts from their own.
//!
//! Every edit is written to IndexedDB at once (no save button, nothing lost to a dropped
//! connection or a closed tab) and marked as waiting. A sync pass sends each waiting draft: a
//! draft the server has never seen is created with `POST` under its client-generated id and
//! `Idempotency-Key` (a retry after a lost answer gets the same record, never a second one); a
//! known one is replaced with `PUT` + `If-Match` of the version the edits started from. A `409
//! draft_conflict` (someone changed it elsewhere) is kept with the server's record and put to the
//! user; nothing is overwritten silently. Edits made while a request is in flight stay waiting
//! and go in the next pass.

use crate::api::{self, Payload, Refusal};
use crate::{Session, db};
use gloo_net::http::Method;
use hoadon_core::api::{CreateDraft, InvoiceView};
use hoadon_core::model::DraftInput;
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

mod local;

use local::now;
pub use local::{Conflict, LocalDraft, new_id};

/// How one sync attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Synced,
    Conflict,
    /// The server refused (message shown on the draft).
    Refused(String),
    /// No answer (offline, server down): tried again when the connection returns.
    Unreachable,
    NotSignedIn,
}

/// The device's drafts and the connection state, shared through context.
#[derive(Clone, Copy)]
pub struct Outbox {
    pub drafts: RwSignal<BTreeMap<String, LocalDraft>>,
    /// The drafts were read from IndexedDB (screens wait for this before showing a draft).
    pub loaded: RwSignal<bool>,
    /// The browser says it is online and the last request reached the server.
    pub online: RwSignal<bool>,
    pub syncing: RwSignal<bool>,
    /// IndexedDB could not be used (e.g. a private window): drafts then live only in memory.
    pub storage_error: RwSignal<Option<String>>,
    token: RwSignal<Option<String>>,
    /// The database of the signed-in user ([`crate::auth::Claims::partition`]); `None` signed out.
    part: StoredValue<Option<String>>,
    /// Debounce generation of [`Outbox::sync_soon`].
    pending: StoredValue<u32>,
    /// Drafts changed since the last write to IndexedDB (see [`Outbox::flush`]).
    unstored: StoredValue<Vec<String>>,
}

/// Keystrokes within this many milliseconds are written to IndexedDB together: a burst of
/// typing costs one serialisation, not one per key, and the page leaving flushes at once.
const STORE_DELAY_MS: u64 = 250;

pub fn outbox() -> Outbox {
    expect_context::<Outbox>()
}

impl Outbox {
    /// Loads the signed-in user's drafts (again whenever another user signs in), follows the
    /// connection and syncs whenever it comes back.
    pub fn install(session: Session) -> Outbox {
        let token = session.token;
        let navigator_online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        let ob = Outbox {
            drafts: RwSignal::new(BTreeMap::new()),
            loaded: RwSignal::new(false),
            online: RwSignal::new(navigator_online),
            syncing: RwSignal::new(false),
            storage_error: RwSignal::new(None),
            token,
            part: StoredValue::new(None),
            pending: StoredValue::new(0),
            unstored: StoredValue::new(Vec::new()),
        };
        provide_context(ob);
        if let Some(w) = web_sys::window() {
            let on = Closure::<dyn Fn()>::new(move || {
                ob.online.set(true);
                ob.sync_soon(0);
            });
            let off = Closure::<dyn Fn()>::new(move || ob.online.set(false));
            // Leaving or hiding the page writes what is still in memory.
            let leave = Closure::<dyn Fn()>::new(move || ob.flush());
            let _ = w.add_event_listener_with_callback("pagehide", leave.as_ref().unchecked_ref());
            if let Some(doc) = w.document() {
                let _ = doc.add_event_listener_with_callback(
                    "visibilitychange",
                    leave.as_ref().unchecked_ref(),
                );
            }
            leave.forget();
            let _ = w.add_event_listener_with_callback("online", on.as_ref().unchecked_ref());
            let _ = w.add_event_listener_with_callback("offline", off.as_ref().unchecked_ref());
            on.forget();
            off.forget();
        }
        // Another user (or nobody): what is in memory goes to its owner's database first, then
        // the new user's drafts are read. Signing in (again) sends what waited for it.
        Effect::new(move |_| {
            let part = session.partition();
            if part == ob.part.get_value() {
                return;
            }
            ob.flush();
            ob.part.set_value(part.clone());
            ob.drafts.set(BTreeMap::new());
            ob.loaded.set(false);
            if let Some(p) = part {
                leptos::task::spawn_local(ob.load(p));
            }
        });
        ob
    }

    /// Reads user `part`'s drafts, and those of the app's single database from before it was
    /// kept per user that the server already has unchanged.
    async fn load(self, part: String) {
        let mut map = BTreeMap::new();
        match db::all(&part, db::DRAFTS).await {
            Ok(values) => {
                for d in values.iter().filter_map(|v| LocalDraft::from_stored(v)) {
                    map.insert(d.id.clone(), d);
                }
            }
            Err(e) => self.storage_error.set(Some(e)),
        }
        // Only drafts the server already has as they are: their owner is on record there. A
        // legacy draft with unsent edits has no known owner on a shared device, so it stays in
        // the old database, neither shown nor sent under this user's name.
        let legacy: Vec<LocalDraft> = db::all(db::LEGACY, db::DRAFTS)
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|v| LocalDraft::from_stored(v))
            .filter(|d| !d.waiting())
            .collect();
        if self.part.get_value().as_deref() != Some(part.as_str()) {
            return; // someone else signed in meanwhile
        }
        for d in &legacy {
            map.entry(d.id.clone()).or_insert_with(|| d.clone());
        }
        self.drafts.set(map);
        self.loaded.set(true);
        for d in legacy {
            let json = serde_json::to_string(&d).expect("drafts serialize");
            if db::put(&part, db::DRAFTS, &d.id, &json).await.is_ok() {
                let _ = db::delete(db::LEGACY, db::DRAFTS, &d.id).await;
            }
        }
        self.sync_soon(0);
    }

    /// Drafts with edits the server does not have yet.
    pub fn waiting(&self) -> usize {
        self.drafts
            .with(|m| m.values().filter(|d| d.waiting()).count())
    }

    pub fn get(&self, id: &str) -> Option<LocalDraft> {
        self.drafts.with_untracked(|m| m.get(id).cloned())
    }

    /// Changes a draft on the device (creating it if new) and writes it to IndexedDB.
    pub fn edit(&self, id: &str, f: impl FnOnce(&mut LocalDraft)) {
        let mut changed = false;
        self.drafts.update(|m| {
            let d = m
                .entry(id.to_owned())
                .or_insert_with(|| LocalDraft::new(id.to_owned(), DraftInput::default()));
            f(d);
            d.rev += 1;
            d.error = None;
            d.updated_at = now();
            changed = true;
        });
        if changed {
            self.store_soon(id);
            self.sync_soon(1500);
        }
    }

    fn store_soon(&self, id: &str) {
        let first = self.unstored.with_value(Vec::is_empty);
        self.unstored.update_value(|v| {
            if !v.iter().any(|x| x == id) {
                v.push(id.to_owned());
            }
        });
        if first {
            let ob = *self;
            set_timeout(move || ob.flush(), Duration::from_millis(STORE_DELAY_MS));
        }
    }

    /// Writes every draft changed since the last write.
    pub fn flush(&self) {
        let ids = std::mem::take(&mut *self.unstored.write_value());
        for id in ids {
            if let Some(d) = self.get(&id) {
                self.store(d);
            }
        }
    }

    /// Keeps a draft as the server holds it (opened from the server; nothing to send).
    pub fn adopt(&self, d: LocalDraft) {
        self.drafts.update(|m| {
            m.insert(d.id.clone(), d.clone());
        });
        self.store(d);
    }

    pub fn forget(&self, id: &str) {
        self.drafts.update(|m| {
            m.remove(id);
        });
        let (id, part) = (id.to_owned(), self.part.get_value());
        leptos::task::spawn_local(async move {
            if let Some(part) = part {
                let _ = db::delete(&part, db::DRAFTS, &id).await;
            }
        });
    }

    /// Writes a draft to the database of the user it belongs to (named now, before awaiting).
    fn store(&self, d: LocalDraft) {
        let ob = *self;
        let Some(part) = self.part.get_value() else {
            return;
        };
        let json = serde_json::to_string(&d).expect("drafts serialize");
        leptos::task::spawn_local(async move {
            match db::put(&part, db::DRAFTS, &d.id, &json).await {
                Ok(()) => ob.drafts.update(|m| {
                    if let Some(cur) = m.get_mut(&d.id) {
                        cur.stored_rev = cur.stored_rev.max(d.rev);
                    }
                }),
                Err(e) => ob.storage_error.set(Some(e)),
            }
        });
    }

    /// Updates a draft after a server answer without counting it as an edit.
    fn settle(&self, id: &str, f: impl FnOnce(&mut LocalDraft)) {
        let mut changed = None;
        self.drafts.update(|m| {
            if let Some(d) = m.get_mut(id) {
                f(d);
                changed = Some(d.clone());
            }
        });
        if let Some(d) = changed {
            self.store(d);
        }
    }

    /// Runs a sync pass after `ms` of quiet (typing postpones it).
    pub fn sync_soon(&self, ms: u64) {
        let ob = *self;
        let generation = self.pending.get_value().wrapping_add(1);
        self.pending.set_value(generation);
        set_timeout(
            move || {
                if ob.pending.get_value() == generation {
                    leptos::task::spawn_local(ob.sync_all());
                }
            },
            Duration::from_millis(ms),
        );
    }

    /// Sends every waiting draft without a conflict; one pass at a time.
    pub async fn sync_all(self) {
        if self.syncing.get_untracked() || !self.loaded.get_untracked() {
            return;
        }
        self.syncing.set(true);
        loop {
            let next = self.drafts.with_untracked(|m| {
                m.values()
                    .find(|d| d.waiting() && d.conflict.is_none() && d.error.is_none())
                    .map(|d| d.id.clone())
            });
            let Some(id) = next else { break };
            match self.sync_one(&id).await {
                Outcome::Synced | Outcome::Conflict | Outcome::Refused(_) => {}
                Outcome::Unreachable => {
                    // Try again later; the `online` event also restarts a pass.
                    self.sync_soon(10_000);
                    break;
                }
                Outcome::NotSignedIn => break,
            }
        }
        self.syncing.set(false);
    }

    /// Sends one draft now (also used before issuing it).
    pub async fn sync_one(&self, id: &str) -> Outcome {
        let Some(token) = self.token.get_untracked() else {
            return Outcome::NotSignedIn;
        };
        let Some(d) = self.get(id) else {
            return Outcome::Synced;
        };
        if d.conflict.is_some() {
            return Outcome::Conflict;
        }
        if !d.waiting() {
            return Outcome::Synced;
        }
        let sent_rev = d.rev;
        let document = api::json(&d.document);
        let mut version = d.version;
        if version.is_none() {
            let body = api::json(&CreateDraft {
                id: d.id.clone(),
                document: d.document.clone(),
            });
            let headers = [("idempotency-key", d.id.as_str())];
            let answer = api::call(
                Method::POST,
                "/api/invoices",
                Some(&token),
                &headers,
                Payload::Json(&body),
            )
            .await;
            match self.answer(id, answer) {
                Ok(record) => {
                    if DraftInput::from_document(&record.document) == d.document {
                        return self.accepted(id, &record, sent_rev);
                    }
                    // A replay of an earlier create answered with older content: update it.
                    version = Some(record.version);
                }
                Err(o) => return o,
            }
        }
        let path = format!("/api/invoices/{}", d.id);
        let v = version.unwrap_or_default().to_string();
        let answer = api::call(
            Method::PUT,
            &path,
            Some(&token),
            &[("if-match", &v)],
            Payload::Json(&document),
        )
        .await;
        match self.answer(id, answer) {
            Ok(record) => self.accepted(id, &record, sent_rev),
            Err(o) => o,
        }
    }

    fn accepted(&self, id: &str, record: &InvoiceView, sent_rev: u64) -> Outcome {
        let version = record.version;
        self.settle(id, |d| {
            d.version = Some(version);
            d.synced_rev = sent_rev;
        });
        self.online.set(true);
        Outcome::Synced
    }

    /// The record from a 2xx answer, or how the attempt ended (recorded on the draft).
    fn answer(
        &self,
        id: &str,
        answer: Result<(u16, String), String>,
    ) -> Result<InvoiceView, Outcome> {
        let Ok((status, text)) = answer else {
            self.online.set(false);
            return Err(Outcome::Unreachable);
        };
        self.online.set(true);
        let refused = |r: Refusal| {
            self.settle(id, |d| d.error = Some(r.message.clone()));
            Outcome::Refused(r.message)
        };
        if matches!(status, 200 | 201) {
            return api::parse(&text).map_err(refused);
        }
        let r = Refusal::from_answer(status, &text);
        match (status, r.code()) {
            (401, _) => {
                self.token.set(None);
                Err(Outcome::NotSignedIn)
            }
            (409, "draft_conflict") if r.current::<InvoiceView>().is_some() => {
                let answer = r.text().to_owned();
                self.settle(id, |d| d.conflict = Some(Conflict::Edited { answer }));
                Err(Outcome::Conflict)
            }
            (409, "invoice_not_editable") => {
                self.settle(id, |d| d.conflict = Some(Conflict::Issued));
                Err(Outcome::Conflict)
            }
            (502..=504, _) => Err(Outcome::Unreachable),
            _ => Err(refused(r)),
        }
    }

    /// Resolves a conflict by keeping the device's edits: they replace the server's version.
    pub fn keep_mine(&self, id: &str) {
        self.settle(id, |d| {
            if let Some(current) = d.conflict.take().and_then(|c| c.current()) {
                d.version = Some(current.version);
            }
        });
        self.sync_soon(0);
    }

    /// Resolves a conflict by taking the server's version; returns it for the editor.
    pub fn take_theirs(&self, id: &str) -> Option<DraftInput> {
        let mut taken = None;
        self.settle(id, |d| {
            if let Some(current) = d.conflict.take().and_then(|c| c.current()) {
                d.document = DraftInput::from_document(&current.document);
                d.version = Some(current.version);
                d.rev += 1;
                d.synced_rev = d.rev;
                taken = Some(d.document.clone());
            }
        });
        taken
    }

    /// Clears a refusal so the draft is sent again.
    pub fn retry(&self, id: &str) {
        self.settle(id, |d| d.error = None);
        self.sync_soon(0);
    }
}
