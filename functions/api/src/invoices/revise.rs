//! Fixing an invoice the tax authority refused, under the same number (see the lifecycle's
//! module doc for why the number is kept): the draft's new content is composed and checked like
//! an issue, the rejected signed file moves to `XMLOLD#<id>` (kept, marked superseded by its
//! key, never delivered), and the invoice goes back to `numbered` with a new signing plan; then
//! it is signed, and the signing transaction queues the new message to the authority.

use super::{Services, audit_with, drafts, load, signing, to_json, view};
use crate::error::ApiError;
use crate::ports::hex;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::{Event, NumberingContext, SigningMode, Status};
use hoadon_core::model::DraftInput;
use hoadon_core::{check, dsig, xml};

pub async fn revise(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    input: &DraftInput,
    expected: Option<u64>,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let (mut rec, version) = load(ts, id).await?;
    if expected.is_some_and(|v| v != version) {
        return Err(ApiError::DraftConflict(Box::new(view(&rec, version))));
    }
    let next = rec
        .status
        .apply(Event::Revise)
        .map_err(|r| ApiError::Conflict(r.code, r.message_en.into()))?;
    if !super::authority::coded(&rec) {
        // An uncoded invoice went to the buyer once signed: its number had effect, so it is
        // corrected like any issued invoice (adjustment or replacement, and a 04/SS), never
        // re-signed under its number.
        return Err(ApiError::Unprocessable(
            "revise.uncoded",
            "an uncoded (K) invoice is corrected by an adjustment or a replacement, not revised \
             under its number"
                .into(),
        ));
    }
    // The lookup code printed on paper stays the invoice's through its revisions.
    let lookup = crate::delivery::lookup::carried(&rec.document);
    let lookup = lookup.as_ref().map(|(c, u)| (c.as_str(), u.as_str()));
    let mut doc = drafts::compose(svc, ts, input, rec.corrects.as_ref(), lookup).await?;
    if doc.issue_date.trim() != rec.document.issue_date.trim() {
        // Numbers follow dates within a series: a kept number keeps its date.
        return Err(ApiError::Unprocessable(
            "revise.date_changed",
            "a revision keeps the invoice's issue date (its number's place in the series)".into(),
        ));
    }
    if doc.form.trim() != rec.document.form.trim()
        || doc.symbol.trim() != rec.document.symbol.trim()
    {
        return Err(ApiError::Unprocessable(
            "revise.series_changed",
            "a revision keeps the invoice's form and symbol (its number belongs to that series)"
                .into(),
        ));
    }
    doc.number = rec.document.number;
    let checked = check(&doc);
    let Some(inv) = checked.invoice else {
        return Err(ApiError::Validation(checked.findings));
    };
    // Token mode: the next signing session re-plans it for its certificate (the claim checks the
    // certificate is the seller's); the server's signers are known now.
    let token = rec.signing_mode == SigningMode::Token;
    let certificate = match rec.signing_mode {
        SigningMode::Token => None,
        mode => Some(svc.signer_for(ts.tenant(), mode)?.certificate()),
    };
    let seller = rec.document.seller.tax_id.clone().unwrap_or_default();
    // The core's numbering rules that still apply to a kept number: no future date, the
    // certificate is the seller's (the series' order was settled when the number was taken).
    let ctx = NumberingContext {
        today: svc.clock.now_vn().date,
        signer_tax_id: match certificate {
            Some(c) => c.tax_id.as_deref(),
            None => Some(seller.trim()),
        },
        series_last_date: None,
        series_last_number: 0,
    };
    Status::Draft
        .number(&inv, &ctx)
        .map_err(ApiError::Validation)?;
    let signing_time = svc.clock.now_vn();
    let prepared_sha256 = match certificate {
        Some(c) => Some(hex(&dsig::prepare(&xml::render(&inv), c, signing_time)
            .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?
            .document_digest())),
        None => None,
    };
    let old = ts.get("XML", id).await?.ok_or(ApiError::NotFound)?;
    rec.status = next;
    rec.document = doc;
    rec.signed_at = Some(signing_time.to_string());
    rec.prepared_sha256 = prepared_sha256;
    if let Some(t) = rec.token.as_mut() {
        t.claim = None;
    }
    rec.xml_sha256 = None;
    rec.archive_key = None;
    rec.attention = None;
    rec.authority = None;
    rec.updated_at = svc.clock.now();
    let superseded = format!("{:04}", rec.audit_seq + 1);
    let a = audit_with(
        ts,
        &mut rec,
        actor,
        "revised",
        Some(format!(
            "the refused file is kept as XMLOLD#{id}/{superseded}"
        )),
    );
    let ops = vec![
        Op::Put {
            key: ts.key("INV", id),
            data: to_json(&rec),
            condition: Condition::Version(version),
        },
        Op::Delete {
            key: ts.key("XML", id),
            condition: Condition::Version(old.version),
        },
        Op::Put {
            key: ts.key(&format!("XMLOLD#{id}"), superseded),
            data: old.data,
            condition: Condition::NotExists,
        },
        Op::Put {
            // Back on the queue it is signed from: the sweep's, or the token's.
            key: match (&rec.token, token) {
                (Some(t), true) => ts.key("TOKEN", t.queued.clone()),
                _ => ts.key("PENDING", id),
            },
            data: id.as_bytes().to_vec(),
            condition: Condition::NotExists,
        },
        a,
    ];
    // A revised correction is pending again: its original moves back with it.
    let mut ops = ops;
    ops.extend(
        crate::corrections::original_ops(
            svc,
            ts,
            &rec,
            hoadon_core::corrections::LinkState::Pending,
            actor,
        )
        .await?,
    );
    let version = match ts.transact(ops).await {
        Ok(v) => v[0],
        Err(StoreError::ConditionFailed { .. }) => {
            let (cur, v) = load(ts, id).await?;
            return Err(ApiError::DraftConflict(Box::new(view(&cur, v))));
        }
        Err(e) => return Err(e.into()),
    };
    if token {
        return Ok(view(&rec, version));
    }
    signing::sign_or_flag(svc, ts, rec, version, actor).await
}
