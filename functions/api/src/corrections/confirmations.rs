//! The buyer's confirmation of a correction (the core's [`ConfirmationState`] machine): the
//! seller requests it on a correction draft, and the buyer confirms through a link that needs no
//! account, or the seller records the buyer's signed agreement (an uploaded document, archived).
//! A correction whose rules need the agreement is not issued before it is confirmed.
//!
//! Items: `CONF / <id>` (the record), `CONFLINK / <sha256 of the link's secret>` → id. The link
//! is `/confirm#<tenant>.<secret>`: the tenant names where to look, the secret (256 random bits,
//! stored only hashed, shown once, valid for [`LINK_DAYS`] days) is what proves the holder was
//! sent it. It travels in the URL's fragment and in request bodies, never in a path, so no
//! access log (the gateway's, a CDN's) and no `Referer` ever carries it.

use super::{Corrects, refused, rule_context};
use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services, audit_with, load, to_json};
use crate::ports::sha256_hex;
use crate::store::{Condition, Op, Store, StoreError, TenantStore};
use hoadon_core::api::corrections::{
    ConfirmationStep, ConfirmationView, DocumentRef, PublicConfirmation, PublicLine, RecordDocument,
};
use hoadon_core::corrections::rules::{Jurisdiction, Rule, rule_at};
use hoadon_core::corrections::{ConfirmationEvent, ConfirmationState, Side};
use hoadon_core::lifecycle::Status;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How long a buyer's link works.
pub const LINK_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ConfirmationRecord {
    id: String,
    correction_id: String,
    original_id: String,
    state: ConfirmationState,
    entered_by: Side,
    link_sha256: String,
    /// When the current link stops working (Unix seconds).
    #[serde(default)]
    link_expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document: Option<DocumentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document_key: Option<String>,
    history: Vec<ConfirmationStep>,
    /// SHA-256 of the correction's content when it was confirmed: what the buyer agreed to.
    /// An edit afterwards makes the agreement outdated (issuing refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agreed_sha256: Option<String>,
}

/// What a confirmation agrees to: the correction's content as a client may edit it, and the
/// invoice it corrects.
fn content_sha256(rec: &InvoiceRecord) -> String {
    let input = hoadon_core::model::DraftInput::from_document(&rec.document);
    let related = rec.corrects.as_ref().map(|c| &c.related);
    let json = serde_json::to_vec(&(input, related)).expect("documents serialize");
    sha256_hex(&json)
}

fn view(r: &ConfirmationRecord, link: Option<String>) -> ConfirmationView {
    ConfirmationView {
        id: r.id.clone(),
        correction_id: r.correction_id.clone(),
        original_id: r.original_id.clone(),
        state: r.state,
        entered_by: r.entered_by,
        document: r.document.clone(),
        link,
        history: r.history.clone(),
    }
}

async fn record(ts: &TenantStore, id: &str) -> Result<(ConfirmationRecord, u64), ApiError> {
    let item = ts.get("CONF", id).await?.ok_or(ApiError::NotFound)?;
    Ok((crate::invoices::from_item(&item)?, item.version))
}

/// A confirmation's state (for the chain's view).
pub(super) async fn state(
    ts: &TenantStore,
    id: &str,
) -> Result<Option<ConfirmationState>, ApiError> {
    match record(ts, id).await {
        Ok((r, _)) => Ok(Some(r.state)),
        Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn correction_of(rec: &InvoiceRecord) -> Result<&Corrects, ApiError> {
    rec.corrects.as_ref().ok_or_else(|| {
        ApiError::Unprocessable(
            "confirmation.not_a_correction",
            "Chỉ hóa đơn điều chỉnh/thay thế cần người mua xác nhận / only a correction needs \
             the buyer's confirmation"
                .into(),
        )
    })
}

/// Whether the rules need the buyer's agreement for `rec` (a correction): a business buyer
/// (one with a tax id) agrees in writing; an individual buyer is informed.
pub(crate) async fn needed(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<bool, ApiError> {
    let Some(c) = &rec.corrects else {
        return Ok(false);
    };
    let (original, _) = load(ts, &c.of.invoice_id).await?;
    let ctx = rule_context(svc, &original)?;
    let row = rule_at(
        Rule::BuyerAgreement,
        Jurisdiction::Vn,
        ctx.original_date,
        ctx.today,
    );
    let business = original
        .document
        .buyer
        .tax_id
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty());
    Ok(row.applies && business)
}

/// Refuses to issue a correction whose buyer's agreement is needed and not confirmed.
pub(crate) async fn allows_issue(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<(), ApiError> {
    if !needed(svc, ts, rec).await? {
        return Ok(());
    }
    let state = match rec
        .corrects
        .as_ref()
        .and_then(|c| c.confirmation.as_deref())
    {
        Some(id) => state(ts, id).await?,
        None => None,
    };
    if state == Some(ConfirmationState::Confirmed) {
        let id = rec
            .corrects
            .as_ref()
            .and_then(|c| c.confirmation.as_deref());
        let agreed = match id {
            Some(id) => record(ts, id).await?.0.agreed_sha256,
            None => None,
        };
        if agreed.as_deref() == Some(content_sha256(rec).as_str()) {
            return Ok(());
        }
        return Err(ApiError::Unprocessable(
            "correction.confirmation_outdated",
            "Hóa đơn đã sửa sau khi người mua xác nhận: hãy đề nghị xác nhận lại / the draft \
             changed after the buyer confirmed it: request the confirmation again"
                .into(),
        ));
    }
    if state.is_some_and(ConfirmationState::allows_issue) {
        return Ok(());
    }
    let now = state.map_or("not requested", ConfirmationState::as_str);
    Err(ApiError::Unprocessable(
        "correction.awaiting_confirmation",
        format!(
            "Người mua là doanh nghiệp: cần thỏa thuận bằng văn bản (người mua xác nhận qua liên \
             kết, hoặc ghi nhận văn bản đã ký) trước khi lập hóa đơn điều chỉnh/thay thế ({now}) \
             / the buyer is a business: its written agreement (confirmed through the link, or \
             the signed document recorded) comes before the correction is issued ({now})"
        ),
    ))
}

/// `POST /api/invoices/{id}/confirmation`: the seller requests the buyer's confirmation of a
/// correction draft. A new request (after a revocation, or to send a fresh link) replaces the
/// link; the answer carries the link once.
pub async fn create_confirmation(
    svc: &Services,
    ts: &TenantStore,
    correction_id: &str,
    actor: &str,
) -> Result<ConfirmationView, ApiError> {
    let (mut rec, version) = load(ts, correction_id).await?;
    let c = correction_of(&rec)?.clone();
    if rec.status.is_issued() {
        return Err(ApiError::Conflict(
            "confirmation.issued",
            "the correction is issued already".into(),
        ));
    }
    let need = needed(svc, ts, &rec).await?;
    let secret = crate::ports::random_base64url();
    let link_sha256 = sha256_hex(secret.as_bytes());
    let now = svc.clock.now();
    let mut ops = Vec::new();
    let conf = match c.confirmation.as_deref() {
        Some(id) => {
            let (mut r, v) = record(ts, id).await?;
            ops.push(Op::Delete {
                key: ts.key("CONFLINK", &r.link_sha256),
                condition: Condition::Always,
            });
            // Revoked, or agreed to content that changed since: asked anew.
            let outdated = r.state == ConfirmationState::Confirmed
                && r.agreed_sha256.as_deref() != Some(content_sha256(&rec).as_str());
            if r.state == ConfirmationState::Revoked || outdated {
                r.agreed_sha256 = None;
                r.state = ConfirmationState::entered(Side::Seller, need);
                r.entered_by = Side::Seller;
                r.history.push(ConfirmationStep {
                    state: r.state,
                    by: Side::Seller,
                    actor: actor.to_owned(),
                    at: now,
                });
            }
            r.link_sha256 = link_sha256.clone();
            r.link_expires_at = now + LINK_DAYS * 86_400;
            ops.push(Op::Put {
                key: ts.key("CONF", id),
                data: to_json(&r),
                condition: Condition::Version(v),
            });
            r
        }
        None => {
            let state = ConfirmationState::entered(Side::Seller, need);
            let r = ConfirmationRecord {
                id: sha256_hex(format!("{correction_id}|{link_sha256}").as_bytes())[..32]
                    .to_owned(),
                correction_id: correction_id.to_owned(),
                original_id: c.of.invoice_id.clone(),
                state,
                entered_by: Side::Seller,
                link_sha256: link_sha256.clone(),
                link_expires_at: now + LINK_DAYS * 86_400,
                document: None,
                document_key: None,
                agreed_sha256: None,
                history: vec![ConfirmationStep {
                    state,
                    by: Side::Seller,
                    actor: actor.to_owned(),
                    at: now,
                }],
            };
            ops.push(Op::Put {
                key: ts.key("CONF", &r.id),
                data: to_json(&r),
                condition: Condition::NotExists,
            });
            r
        }
    };
    ops.push(Op::Put {
        key: ts.key("CONFLINK", &link_sha256),
        data: conf.id.as_bytes().to_vec(),
        condition: Condition::NotExists,
    });
    if let Some(k) = rec.corrects.as_mut() {
        k.confirmation = Some(conf.id.clone());
        k.confirmation_state = Some(conf.state);
    }
    rec.updated_at = now;
    let a = audit_with(
        ts,
        &mut rec,
        actor,
        "confirmation_requested",
        Some(conf.state.as_str().into()),
    );
    ops.push(Op::Put {
        key: ts.key("INV", correction_id),
        data: to_json(&rec),
        condition: Condition::Version(version),
    });
    ops.push(a);
    match ts.transact(ops).await {
        Ok(_) => Ok(view(
            &conf,
            Some(format!("/confirm#{}.{secret}", ts.tenant())),
        )),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Conflict(
            "confirmation.changed",
            "the correction changed meanwhile; retry".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The operations that delete confirmation `id` and its link (a discarded correction's).
pub(super) async fn delete_ops(ts: &TenantStore, id: &str) -> Result<Vec<Op>, ApiError> {
    let (r, v) = record(ts, id).await?;
    Ok(vec![
        Op::Delete {
            key: ts.key("CONF", id),
            condition: Condition::Version(v),
        },
        Op::Delete {
            key: ts.key("CONFLINK", &r.link_sha256),
            condition: Condition::Always,
        },
    ])
}

/// `GET /api/invoices/{id}/confirmation`.
pub async fn get_confirmation(
    ts: &TenantStore,
    correction_id: &str,
) -> Result<ConfirmationView, ApiError> {
    let (rec, _) = load(ts, correction_id).await?;
    // Not a correction, or none requested: there is no confirmation to show.
    let id = rec
        .corrects
        .as_ref()
        .and_then(|c| c.confirmation.clone())
        .ok_or(ApiError::NotFound)?;
    Ok(view(&record(ts, &id).await?.0, None))
}

/// Applies `event` and records the step, with the correction's audit entry when the seller acted.
async fn step(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    event: ConfirmationEvent,
    by: Side,
    actor: &str,
    document: Option<(DocumentRef, String)>,
) -> Result<ConfirmationRecord, ApiError> {
    let (mut r, version) = record(ts, id).await?;
    let (correction, cv) = load(ts, &r.correction_id).await?;
    if correction.status.is_issued() || correction.status == Status::AwaitingToken {
        return Err(ApiError::Conflict(
            "confirmation.issued",
            "the correction is issued (or frozen for signing); its confirmation stays as it is"
                .into(),
        ));
    }
    r.state = r.state.apply(event, r.entered_by).map_err(refused)?;
    r.agreed_sha256 =
        (r.state == ConfirmationState::Confirmed).then(|| content_sha256(&correction));
    if let Some((d, key)) = document {
        r.document = Some(d);
        r.document_key = Some(key);
    }
    let now = svc.clock.now();
    r.history.push(ConfirmationStep {
        state: r.state,
        by,
        actor: actor.to_owned(),
        at: now,
    });
    let mut correction = correction;
    correction.updated_at = now;
    if let Some(k) = correction.corrects.as_mut() {
        k.confirmation_state = Some(r.state);
    }
    let a = audit_with(
        ts,
        &mut correction,
        actor,
        "confirmation",
        Some(r.state.as_str().into()),
    );
    let ops = vec![
        Op::Put {
            key: ts.key("CONF", id),
            data: to_json(&r),
            condition: Condition::Version(version),
        },
        Op::Put {
            key: ts.key("INV", &r.correction_id),
            data: to_json(&correction),
            condition: Condition::Version(cv),
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(_) => Ok(r),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Conflict(
            "confirmation.changed",
            "the confirmation changed meanwhile; reload".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Largest agreement document kept (decoded bytes).
const MAX_DOCUMENT: usize = 2 << 20;

/// `POST /api/confirmations/{id}/document`: the seller records the buyer's signed agreement.
pub async fn record_document(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    doc: &RecordDocument,
    actor: &str,
) -> Result<ConfirmationView, ApiError> {
    use base64::Engine;
    let name = doc.name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "confirmation.document",
            "name: 1 to 120 characters".into(),
        ));
    }
    // The confirmation first: an unknown one is 404 whatever the body says.
    record(ts, id).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(doc.content_base64.trim())
        .map_err(|_| {
            ApiError::Unprocessable("confirmation.document", "content_base64: not base64".into())
        })?;
    if bytes.is_empty() {
        return Err(ApiError::Unprocessable(
            "confirmation.document",
            "content_base64: the document is empty".into(),
        ));
    }
    if bytes.len() > MAX_DOCUMENT {
        return Err(ApiError::TooLarge(format!(
            "the document is {} bytes; at most {MAX_DOCUMENT} are kept",
            bytes.len()
        )));
    }
    let key = svc
        .archive
        .put(ts.tenant(), &bytes)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let d = DocumentRef {
        name: name.to_owned(),
        sha256: sha256_hex(&bytes),
        size: bytes.len() as u64,
    };
    let r = step(
        svc,
        ts,
        id,
        ConfirmationEvent::RecordDocument,
        Side::Seller,
        actor,
        Some((d, key)),
    )
    .await?;
    Ok(view(&r, None))
}

/// `POST /api/confirmations/{id}/revoke`: the seller withdraws its request.
pub async fn revoke_confirmation(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<ConfirmationView, ApiError> {
    let r = step(
        svc,
        ts,
        id,
        ConfirmationEvent::Revoke(Side::Seller),
        Side::Seller,
        actor,
        None,
    )
    .await?;
    Ok(view(&r, None))
}

/// The tenant's store and the confirmation a link's key names (`<tenant>.<secret>`); any
/// mismatch, and an expired link, is a plain `404`, saying nothing of what exists.
async fn by_link(
    svc: &Services,
    store: &Arc<dyn Store>,
    key: &str,
) -> Result<(TenantStore, ConfirmationRecord), ApiError> {
    let (tenant, secret) = key.rsplit_once('.').ok_or(ApiError::NotFound)?;
    if !crate::auth::valid_tenant_id(tenant) || secret.len() != 43 {
        return Err(ApiError::NotFound);
    }
    let ts = TenantStore::new(tenant, store.clone());
    let hash = sha256_hex(secret.as_bytes());
    let item = ts.get("CONFLINK", &hash).await?.ok_or(ApiError::NotFound)?;
    let id = String::from_utf8_lossy(&item.data).into_owned();
    let (r, _) = record(&ts, &id).await?;
    if r.link_sha256 != hash || svc.clock.now() > r.link_expires_at {
        return Err(ApiError::NotFound);
    }
    Ok((ts, r))
}

async fn public_view(
    ts: &TenantStore,
    r: &ConfirmationRecord,
) -> Result<PublicConfirmation, ApiError> {
    let (correction, _) = load(ts, &r.correction_id).await?;
    let c = correction_of(&correction)?;
    let d = &correction.document;
    let total = hoadon_core::check(d)
        .invoice
        .map(|i| i.totals().total)
        .unwrap_or_default();
    Ok(PublicConfirmation {
        seller_name: d.seller.name.clone().unwrap_or_default(),
        seller_tax_id: d.seller.tax_id.clone().unwrap_or_default(),
        buyer_name: d.buyer.name.clone().unwrap_or_default(),
        method: c.of.method,
        direction: c.of.direction,
        statement: c.related.note.clone().unwrap_or_default(),
        reason: c.of.reason.clone(),
        lines: d
            .lines
            .iter()
            .map(|l| PublicLine {
                name: l.name.clone(),
                amount: l.amount.or_else(|| l.quantity?.checked_mul(l.unit_price?)),
            })
            .collect(),
        total,
        state: r.state,
    })
}

/// `POST /api/public/confirmations/view`: what the buyer is asked to confirm.
pub async fn public_confirmation(
    svc: &Services,
    store: &Arc<dyn Store>,
    key: &str,
) -> Result<PublicConfirmation, ApiError> {
    let (ts, r) = by_link(svc, store, key).await?;
    public_view(&ts, &r).await
}

/// `POST /api/public/confirmations/confirm`: the buyer confirms (no account: holding the link is
/// the proof).
pub async fn confirm_public(
    svc: &Services,
    store: &Arc<dyn Store>,
    key: &str,
    name: &str,
) -> Result<PublicConfirmation, ApiError> {
    let (ts, r) = by_link(svc, store, key).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "confirmation.name",
            "Họ tên người xác nhận: bắt buộc, tối đa 100 ký tự / name: who confirms, 1 to 100 \
             characters"
                .into(),
        ));
    }
    let r = if r.state == ConfirmationState::Confirmed {
        r
    } else {
        step(
            svc,
            &ts,
            &r.id,
            ConfirmationEvent::Confirm(Side::Buyer),
            Side::Buyer,
            &format!("{name} (buyer's link)"),
            None,
        )
        .await?
    };
    public_view(&ts, &r).await
}
