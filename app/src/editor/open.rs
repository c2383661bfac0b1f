//! Opening the editor: a revised invoice from the server; a draft from the device (then, when
//! nothing waits to be sent, the server's newer copy if it has one); else from the server; else a
//! new invoice. Once, when the device's drafts are loaded.

use super::parts::new_document;
use super::revise::{self, Revision, Unrevisable};
use crate::Session;
use crate::api::{self, Payload};
use crate::drafts::{LocalDraft, Outbox};
use crate::route::{Route, Router};
use gloo_net::http::Method;
use hoadon_core::api::{Detail, InvoiceView};
use hoadon_core::lifecycle::Event;
use hoadon_core::model::{DraftInput, RelatedInvoiceDocument};
use leptos::prelude::*;

/// What opening fills in.
#[derive(Clone, Copy)]
pub(super) struct Signals {
    pub doc: RwSignal<DraftInput>,
    /// A correction draft's related invoice (the server's): checked with, never sent.
    pub related: RwSignal<Option<RelatedInvoiceDocument>>,
    pub ready: RwSignal<bool>,
    /// Bumped when the fields must be built again from the document.
    pub reset: RwSignal<u64>,
    pub error: RwSignal<Option<String>>,
    pub server_findings: RwSignal<Vec<Detail>>,
    pub revision: RwSignal<Option<Revision>>,
}

pub(super) fn open(
    session: Session,
    ob: Outbox,
    router: Router,
    id: StoredValue<String>,
    revise: bool,
    s: Signals,
) {
    let Signals {
        doc,
        related,
        ready,
        reset,
        error,
        server_findings,
        revision,
    } = s;
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || !ob.loaded.get() {
            return done.unwrap_or(false);
        }
        let key = id.get_value();
        if revise {
            leptos::task::spawn_local(async move {
                match revise::load(session, &key).await {
                    Ok((d, r)) => {
                        doc.set(d);
                        // The refusal's errors at their fields, until the field is edited.
                        server_findings.set(r.refusal.clone());
                        revision.set(Some(r));
                        ready.set(true);
                    }
                    Err(Unrevisable::NotRejected) => router.replace(Route::Invoice(key)),
                    Err(Unrevisable::Failed(e)) => error.set(Some(e)),
                }
            });
        } else if let Some(d) = ob.get(&key) {
            // Nothing waiting: the device's copy is the server's as last seen, and the server may
            // have moved on (edited elsewhere; a correction's confirmation requested, which is a
            // new version): its copy is taken, so the next edit does not meet a stale version.
            if !d.waiting() && d.conflict.is_none() && ob.online.get_untracked() {
                leptos::task::spawn_local(async move {
                    let path = format!("/api/invoices/{key}");
                    let Ok(rec) = api::get::<InvoiceView>(session, &path).await else {
                        return;
                    };
                    let still = ob
                        .get(&rec.id)
                        .is_some_and(|d| !d.waiting() && d.version != Some(rec.version));
                    if still && rec.status.allows(Event::Edit) {
                        let d = LocalDraft::from_server(&rec);
                        related.set(d.related.clone());
                        doc.set(d.document.clone());
                        ob.adopt(d);
                        reset.update(|r| *r += 1);
                    }
                });
            }
            related.set(d.related);
            doc.set(d.document);
            ready.set(true);
        } else if ob.online.get_untracked() && session.token.get_untracked().is_some() {
            leptos::task::spawn_local(async move {
                let path = format!("/api/invoices/{key}");
                let found =
                    api::request::<InvoiceView>(session, Method::GET, &path, &[], Payload::None);
                match found.await {
                    Ok(rec) if !rec.status.allows(Event::Edit) => {
                        router.replace(Route::Invoice(key));
                        return;
                    }
                    Ok(rec) => {
                        let d = LocalDraft::from_server(&rec);
                        related.set(d.related.clone());
                        doc.set(d.document.clone());
                        ob.adopt(d);
                    }
                    Err(_) => doc.set(new_document()),
                }
                ready.set(true);
            });
        } else {
            doc.set(new_document());
            ready.set(true);
        }
        true
    });
}
