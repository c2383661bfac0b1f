//! Token mode (#15): invoices of a series whose seller signs with a USB token on the desktop.
//!
//! - **Issue** ([`freeze`]) runs everything that can fail without the key (the same preflight
//!   as any issue), then freezes the content: `awaiting_token`, **no number**, queued as
//!   `TOKEN / <issue date>-<issued at>-<id>` (by date, then oldest first: the order a series
//!   can number them in).
//! - A desktop signing session **claims** ([`claim()`]): the server numbers the invoices
//!   (gapless, in claim order, through the series' one numbering queue), fixes the signing
//!   time, prepares each exact `SignedInfo` for the session's registered certificate and
//!   returns them. A claim that is never answered stays planned for [`LEASE_SECONDS`]: a session
//!   with the same certificate gets the same bytes (same number, same signing time); after the
//!   lease any session re-plans it under the same number with a fresh signing time.
//! - The session **posts signatures** ([`attach()`]): each is checked over the stored plan with
//!   a registered certificate of the seller valid at the signing time, then recorded exactly as
//!   the server's own signature would be (archive, `XML`, outbox to the authority).
//!
//! The sweep never sees these invoices (they are never in `PENDING`), and
//! [`Services::signer_for`](super::Services::signer_for) has no signer for token mode, so no
//! server key can sign one.

mod attach;
mod claim;

pub use attach::attach;
pub use claim::claim;

use super::{InvoiceRecord, Services, audit, load, to_json, view};
use crate::error::ApiError;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::DateTime;
use hoadon_core::api::InvoiceView;
use hoadon_core::dsig::SignerCertificate;
use hoadon_core::lifecycle::{Event, SigningMode};
use serde::{Deserialize, Serialize};

/// How long a claim holds an invoice: a session with another certificate cannot take it, and a
/// session with the same certificate gets the very same bytes; after it, the next session
/// re-plans it (same number, fresh signing time and lease).
pub const LEASE_SECONDS: i64 = 600;

/// A token-mode invoice's place in the queue and the claim that numbered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenState {
    /// The `TOKEN` item's sort key (`<issue date>-<issued at, 12 digits>-<id>`): claims take the
    /// earliest date, then the oldest.
    pub queued: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<TokenClaim>,
}

/// Who claimed the invoice, for which certificate, and when: the signing time is that instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaim {
    /// The registered certificate's id.
    pub certificate: String,
    /// Unix seconds; the `SigningTime` is this instant in Vietnam time, and the certificate
    /// must be valid then.
    pub at: i64,
    pub by: String,
    /// SHA-256 of the attached signature value: the same upload again is "already attached".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_sha256: Option<String>,
}

/// One claim request's session: the certificate it signs with, its instant and its user.
pub(crate) struct Session {
    pub certificate: SignerCertificate,
    /// The certificate's registry id.
    pub id: String,
    pub at: i64,
    pub by: String,
}

impl Session {
    pub fn signing_time(&self) -> Result<DateTime, ApiError> {
        DateTime::from_unix(self.at, 7 * 3600)
            .map_err(|_| ApiError::Internal("the clock is out of range".into()))
    }

    /// `state` (the invoice's queue entry) claimed by this session.
    pub fn claim(&self, state: Option<TokenState>) -> Result<TokenState, ApiError> {
        let mut state = state.ok_or_else(|| {
            ApiError::Internal("a token-mode invoice without its queue entry".into())
        })?;
        state.claim = Some(TokenClaim {
            certificate: self.id.clone(),
            at: self.at,
            by: self.by.clone(),
            signature_sha256: None,
        });
        Ok(state)
    }
}

/// The `TOKEN` sort key of a queued invoice.
pub(super) fn queued(rec: &InvoiceRecord) -> String {
    rec.token
        .as_ref()
        .map(|t| t.queued.clone())
        .unwrap_or_default()
}

/// Why the server refuses to sign a token-mode invoice itself.
pub(crate) fn server_cannot_sign() -> ApiError {
    ApiError::Conflict(
        "signing.token_mode",
        "the invoice is signed with the seller's USB token (hoadon token sign), not by the server"
            .into(),
    )
}

/// Issuing in token mode, after the preflight passed: freeze the content and queue it for a
/// signing session. `None`: the record changed meanwhile (read it again).
pub(in crate::invoices) async fn freeze(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
    version: u64,
    actor: &str,
) -> Result<Option<InvoiceView>, ApiError> {
    rec.status = rec
        .status
        .apply(Event::AwaitToken)
        .map_err(|r| ApiError::Conflict(r.code, r.message_en.into()))?;
    rec.updated_at = svc.clock.now();
    rec.signing_mode = SigningMode::Token;
    // By issue date first: numbers must follow dates within a series, so the queue is taken in
    // the order the series can number it; then in the order issued.
    let queued = format!(
        "{}-{:012}-{}",
        rec.document.issue_date.trim(),
        rec.updated_at.max(0),
        rec.id
    );
    rec.token = Some(TokenState {
        queued: queued.clone(),
        claim: None,
    });
    rec.attention = None;
    let a = audit(ts, &mut rec, actor, "awaiting_token");
    let ops = vec![
        Op::Put {
            key: ts.key("INV", &rec.id),
            data: to_json(&rec),
            condition: Condition::Version(version),
        },
        Op::Put {
            key: ts.key("TOKEN", queued),
            data: rec.id.as_bytes().to_vec(),
            condition: Condition::NotExists,
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => {
            tracing::info!(event = "invoice.awaiting_token", tenant = ts.tenant(), invoice_id = %rec.id);
            Ok(Some(view(&rec, v[0])))
        }
        Err(StoreError::ConditionFailed { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A frozen invoice nobody claimed goes back to being a draft (its content can be fixed; no
/// number was taken, so nothing else changes).
pub async fn withdraw(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let (mut rec, version) = load(ts, id).await?;
    rec.status = rec
        .status
        .apply(Event::Withdraw)
        .map_err(|r| ApiError::Conflict(r.code, r.message_en.into()))?;
    let queued = queued(&rec);
    rec.token = None;
    rec.signing_mode = SigningMode::Cloud;
    rec.updated_at = svc.clock.now();
    let a = audit(ts, &mut rec, actor, "withdrawn");
    let ops = vec![
        Op::Put {
            key: ts.key("INV", id),
            data: to_json(&rec),
            condition: Condition::Version(version),
        },
        Op::Delete {
            key: ts.key("TOKEN", queued),
            condition: Condition::Exists,
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => Ok(view(&rec, v[0])),
        // Claimed (numbered) or changed meanwhile: the caller sees it as it is now.
        Err(StoreError::ConditionFailed { .. }) => {
            let (cur, v) = load(ts, id).await?;
            Err(ApiError::DraftConflict(Box::new(view(&cur, v))))
        }
        Err(e) => Err(e.into()),
    }
}
