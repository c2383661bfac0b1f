//! A draft as the device keeps it ([`LocalDraft`]): what a client may send, the server version
//! its edits start from, the local edit counters, a conflict or refusal to put to the user —
//! and drafts stored by earlier versions of the app, converted when read, not lost.

use crate::api;
use hoadon_core::api::InvoiceView;
use hoadon_core::model::DraftInput;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalDraft {
    pub id: String,
    pub document: DraftInput,
    /// The server version these edits start from; `None` until the server has the draft.
    pub version: Option<u64>,
    /// Local edit counter, and its value when the server last accepted the draft.
    pub rev: u64,
    pub synced_rev: u64,
    /// Why the server refused the edits and what it holds, for the user to decide.
    #[serde(default)]
    pub conflict: Option<Conflict>,
    /// The last refusal that is not a conflict (shown on the draft; retried on the next edit).
    #[serde(default)]
    pub error: Option<String>,
    /// Milliseconds since 1970 of the last edit.
    pub updated_at: f64,
    /// A correction draft's related invoice (`TTHDLQuan`), as the server composed it: not the
    /// client's to send, but the editor checks the draft with it as the server will (an
    /// adjustment's negative lines, its direction's signs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<hoadon_core::model::RelatedInvoiceDocument>,
    /// The `rev` IndexedDB has committed (not stored: known again after a reload).
    #[serde(skip)]
    pub stored_rev: u64,
}

/// What an `InvoiceDocument` has and a `DraftInput` does not (see `DraftInput::from_document`).
const SERVER_OWNED: [&str; 9] = [
    "related",
    "negative_words",
    "seller",
    "number",
    "provider_tax_id",
    "data_id",
    "qr_data",
    "authority_code",
    "unknown",
];

/// Externally tagged (not `tag = "kind"`): an internally tagged enum buffers its content and
/// would need another copy of the invoice's deserialisation code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// The draft was edited elsewhere; `answer` is the server's `409` body, whose `current` is
    /// its record (kept as text: the app then never needs code to write an `InvoiceView`).
    Edited { answer: String },
    /// The invoice was issued elsewhere; the offline edits can no longer apply to it.
    Issued,
}

impl Conflict {
    /// The server's record in an edit conflict.
    pub fn current(&self) -> Option<InvoiceView> {
        match self {
            Conflict::Edited { answer } => api::current_of(answer),
            Conflict::Issued => None,
        }
    }
}

impl LocalDraft {
    pub fn new(id: String, document: DraftInput) -> LocalDraft {
        LocalDraft {
            id,
            document,
            version: None,
            rev: 0,
            synced_rev: 0,
            conflict: None,
            error: None,
            updated_at: now(),
            related: None,
            stored_rev: 0,
        }
    }

    /// A draft as the server holds it (nothing waiting).
    pub fn from_server(record: &InvoiceView) -> LocalDraft {
        let mut d = LocalDraft::new(
            record.id.clone(),
            DraftInput::from_document(&record.document),
        );
        d.version = Some(record.version);
        d.related = record.document.related.clone();
        d
    }

    /// A draft as IndexedDB holds it, also in the shape of earlier versions of the app (the
    /// document a whole `InvoiceDocument`): the document keeps what a client may send (what
    /// `DraftInput::from_document` keeps) and the old conflict is dropped (the next sync meets
    /// it again and asks anew). Always read from text: each way of deserialising a document
    /// costs the web app's download its own copy of the code.
    pub fn from_stored(json: &str) -> Option<LocalDraft> {
        let mut d = serde_json::from_str::<LocalDraft>(json).ok().or_else(|| {
            let mut v: Value = serde_json::from_str(json).ok()?;
            let doc = v.get_mut("document")?.as_object_mut()?;
            for server_owned in SERVER_OWNED {
                doc.remove(server_owned);
            }
            v["conflict"] = Value::Null;
            serde_json::from_str(&v.to_string()).ok()
        })?;
        d.stored_rev = d.rev;
        Some(d)
    }

    pub fn waiting(&self) -> bool {
        self.rev != self.synced_rev
    }
}

pub(super) fn now() -> f64 {
    web_sys::js_sys::Date::now()
}

/// A client-generated id: a draft keeps it from its first keystroke, so retries never duplicate.
pub fn new_id() -> String {
    let mut bytes = [0u8; 8];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        for b in &mut bytes {
            *b = (web_sys::js_sys::Math::random() * 256.0) as u8;
        }
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("app-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_stored_by_earlier_versions_are_converted_not_lost() {
        // An `InvoiceDocument` with the seller the user typed, and a conflict of the old shape.
        let old = r#"{"id":"app-0011223344556677","version":2,"rev":5,"synced_rev":3,
            "updated_at":1.0,"conflict":{"kind":"edited","current":{"version":4}},
            "document":{"form":"1","symbol":"C26TAA","issue_date":"2026-01-02",
            "seller":{"name":"Ai đó","tax_id":"0109998883"},"number":9,"data_id":"K1",
            "provider_tax_id":"0101234567","qr_data":"q","authority_code":"M1",
            "related":{"kind":2,"form":"1","symbol":"C26TAA","number":"3","issue_date":"2026-01-01"},
            "negative_words":"giam",
            "buyer":{"name":"Bình Minh"},"lines":[{"nature":1,"name":"Giấy","tax_rate":"8%"}]}}"#;
        let d = LocalDraft::from_stored(old).expect("converted");
        assert_eq!(d.document.buyer.name.as_deref(), Some("Bình Minh"));
        assert_eq!(d.document.lines[0].name, "Giấy");
        assert_eq!((d.rev, d.synced_rev, d.version), (5, 3, Some(2)));
        assert!(d.waiting() && d.conflict.is_none());
        // What is stored now reads back as itself.
        let again = LocalDraft::from_stored(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(again, d);
        assert!(!serde_json::to_string(&d).unwrap().contains("seller"));
        assert_eq!(LocalDraft::from_stored("{}"), None);
    }
}
