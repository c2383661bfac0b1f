//! Signing a numbered invoice: **one number, one signed file**.
//!
//! The numbering transaction fixed the signing time and the digest of the exact `SignedInfo`.
//! Signing renders and prepares again from the stored record — the same document, certificate
//! and time give the same bytes — and refuses if the `SignedInfo` differs from the numbered one
//! (a code change or a new certificate must never yield a second, different file for a number).
//! RSA PKCS#1 v1.5 is deterministic, so the request, a retry and the sweep racing each other
//! all produce the identical signed file: the content-addressed archive keeps one object, and
//! the store transaction (record at its version, `XML` item `NotExists`) lets exactly one
//! attempt record it; the others find it signed and answer with it.
//!
//! A signed file larger than one store item may hold (DynamoDB's 400 KB) is kept only in the
//! archive; the `XML` item then holds a pointer to it.

use super::{InvoiceRecord, Services, Status, audit, audit_with, load, to_json, view};
use crate::error::ApiError;
use crate::ports::{hex, sha256_hex};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::{Attention, InvoiceView};
use hoadon_core::lifecycle::Event;
use hoadon_core::{DateTime, check, dsig, xml};

/// The `XML` item's content when the file lives only in the archive: this prefix and the key.
/// (A signed file starts with `<` or a byte-order mark, never with `@`.)
pub(super) const POINTER: &[u8] = b"@archive:";

/// Signs and records, or — when the signer or the archive fails — records on the invoice why it
/// needs attention (the home screen lists it) and answers `503 signing_pending`.
pub(super) async fn sign_or_flag(
    svc: &Services,
    ts: &TenantStore,
    rec: InvoiceRecord,
    version: u64,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let id = rec.id.clone();
    let result = sign_numbered(svc, ts, rec, version, actor).await;
    if let Err(e) = &result {
        crate::telemetry::signing_failed(ts.tenant(), &id, &e.to_string());
    }
    match result {
        Err(
            e @ (ApiError::SigningFailed(_)
            | ApiError::NoSigningKey
            | ApiError::Internal(_)
            | ApiError::TooLarge(_)),
        ) => {
            flag(svc, ts, &id, actor, &e).await;
            Err(e)
        }
        other => other,
    }
}

/// Records a failed signing attempt on the invoice (best effort: a store failure here changes
/// nothing, the invoice is still pending and the sweep will come back to it).
pub(super) async fn flag(svc: &Services, ts: &TenantStore, id: &str, actor: &str, e: &ApiError) {
    let Ok((mut rec, version)) = load(ts, id).await else {
        return;
    };
    if rec.status != Status::Numbered {
        return;
    }
    let reason = match e {
        ApiError::SigningFailed(m) | ApiError::Internal(m) | ApiError::TooLarge(m) => m.clone(),
        other => other.to_string(),
    };
    // The same failure again is counted on the invoice, but goes into the audit chain only
    // when its reason changes or an hour has passed: the sweep retries every few minutes and
    // the chain would fill with copies of one reason.
    let repeated = rec
        .attention
        .as_ref()
        .is_some_and(|a| a.reason == reason && svc.clock.now() - a.at < 3600);
    let attempts = rec.attention.as_ref().map_or(0, |a| a.attempts) + 1;
    let first_at = rec.attention.as_ref().map(|a| a.at);
    rec.updated_at = svc.clock.now();
    rec.attention = Some(Attention {
        reason: reason.clone(),
        at: if repeated {
            first_at.unwrap_or(rec.updated_at)
        } else {
            rec.updated_at
        },
        attempts,
    });
    let mut ops = vec![Op::Put {
        key: ts.key("INV", id),
        data: Vec::new(),
        condition: Condition::Version(version),
    }];
    if !repeated {
        ops.push(audit_with(
            ts,
            &mut rec,
            actor,
            "signing_failed",
            Some(reason),
        ));
    }
    if let Op::Put { data, .. } = &mut ops[0] {
        *data = to_json(&rec);
    }
    let _ = ts.transact(ops).await;
}

/// Signs a numbered invoice, archives the exact bytes and records them with the record.
pub(super) async fn sign_numbered(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
    mut version: u64,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let inv = check(&rec.document).invoice.ok_or_else(|| {
        ApiError::Internal(format!("numbered invoice {} no longer validates", rec.id))
    })?;
    let signer = svc.signer_for(ts.tenant(), rec.signing_mode)?;
    let signing_time: DateTime = match rec.signed_at.as_deref() {
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::Internal(format!("invoice {}: bad signing time", rec.id)))?,
        // Numbered before signing times were fixed at numbering: fix it now.
        None => svc.clock.now_vn(),
    };
    rec.signed_at = Some(signing_time.to_string());
    let prepared = dsig::prepare(&xml::render(&inv), signer.certificate(), signing_time)
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    let digest = hex(&prepared.document_digest());
    if rec.prepared_sha256.as_deref() != Some(digest.as_str()) {
        // The certificate was renewed (or the software changed) after numbering: nothing is
        // signed yet, so the plan is replaced — in one conditional write, so that every
        // concurrent attempt signs the same new bytes and any attempt on the old plan cannot
        // record its file (see the commit below).
        (rec, version) = replan(svc, ts, rec, version, &digest, actor).await?;
    }
    let value = signer
        .sign(prepared.signed_info().to_vec())
        .await
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?;
    let signed = prepared
        .attach(&value)
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?
        .into_bytes();
    record_signed(svc, ts, rec, version, signed, &digest, actor).await
}

/// Archives a numbered invoice's signed file (made from the plan whose digest is `digest`) and
/// records it: status, the `XML` item, off its queue (`PENDING` or `TOKEN`), the audit entry and
/// the outbox message to the tax authority, in one transaction. Whoever signed — the server's
/// key or a token whose signature came back — the file is recorded the same way.
pub(super) async fn record_signed(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
    mut version: u64,
    signed: Vec<u8>,
    digest: &str,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    // The plan may have been replaced while the key was signing (a certificate renewed
    // meanwhile): then these bytes must reach neither the archive nor the store.
    let (current, current_version) = load(ts, &rec.id).await?;
    if current.status != Status::Numbered {
        // Signed meanwhile by another attempt: theirs stands, ours is not archived.
        return Ok(view(&current, current_version));
    }
    if current.prepared_sha256.as_deref() != Some(digest) {
        return Err(ApiError::Unavailable(
            "the invoice's signing plan changed meanwhile; retry".into(),
        ));
    }
    let key = svc
        .archive
        .put(ts.tenant(), &signed)
        .await
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?;
    let xml_item = if signed.len() <= inline_limit(ts) {
        signed.clone()
    } else {
        [POINTER, key.as_bytes()].concat()
    };
    rec.status = rec
        .status
        .apply(Event::Sign)
        .map_err(|e| ApiError::Internal(e.message_en.into()))?;
    rec.archive_key = Some(key);
    rec.xml_sha256 = Some(sha256_hex(&signed));
    rec.attention = None;
    // The message that takes it to the tax authority is stored with the signature itself.
    let sha = rec.xml_sha256.clone().unwrap_or_default();
    let message = super::authority::message_for(svc, ts, &mut rec, &sha)?;
    for _attempt in 0..5 {
        rec.updated_at = svc.clock.now();
        let mut rec_now = rec.clone();
        let a = audit(ts, &mut rec_now, actor, "signed");
        let ops = vec![
            Op::Put {
                key: ts.key("INV", &rec.id),
                data: to_json(&rec_now),
                condition: Condition::Version(version),
            },
            Op::Put {
                key: ts.key("XML", &rec.id),
                data: xml_item.clone(),
                condition: Condition::NotExists,
            },
            Op::Delete {
                key: match &rec.token {
                    Some(t) => ts.key("TOKEN", t.queued.clone()),
                    None => ts.key("PENDING", &rec.id),
                },
                condition: Condition::Always,
            },
            a,
            crate::events::op(
                ts,
                &rec_now,
                "invoice.signed",
                &rec_now.audit_seq.to_string(),
                None,
                svc.clock.now_ms(),
            ),
        ];
        let mut ops = ops;
        if let Some(m) = &message {
            ops.extend(crate::outbox::enqueue_ops(ts, m));
        }
        // A correction of an uncoded series is valid once signed: its original moves with it.
        if crate::corrections::becomes_valid(&rec_now) {
            ops.extend(
                crate::corrections::original_ops(
                    svc,
                    ts,
                    &rec_now,
                    hoadon_core::corrections::LinkState::Valid,
                    actor,
                )
                .await?,
            );
        }
        // Valid now (an uncoded series): its lookup code answers and its e-mail is queued.
        let (delivery, mail) = crate::delivery::on_deliverable(svc, ts, &rec_now).await?;
        ops.extend(delivery);
        match ts.transact(ops).await {
            Ok(v) => {
                crate::events::wake(svc, ts).await;
                for m in message.iter().chain(mail.iter()) {
                    crate::outbox::wake(svc, ts, m).await;
                }
                tracing::info!(
                    event = "invoice.signed",
                    tenant = ts.tenant(),
                    invoice_id = %rec.id,
                    xml_sha256 = rec.xml_sha256.as_deref().unwrap_or_default(),
                );
                return Ok(view(&rec_now, v[0]));
            }
            Err(StoreError::ConditionFailed { .. }) => {
                let (cur, v) = load(ts, &rec.id).await?;
                if cur.status != Status::Numbered {
                    // Someone else (the sweep, a retry) signed it: the same bytes; theirs stands.
                    return Ok(view(&cur, v));
                }
                if cur.prepared_sha256 != rec.prepared_sha256 {
                    return Err(ApiError::Unavailable(
                        "the invoice's signing plan changed meanwhile; retry".into(),
                    ));
                }
                // Only the record moved (a failure was flagged meanwhile): record ours on it.
                rec.audit_seq = cur.audit_seq;
                rec.audit_head = cur.audit_head;
                version = v;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// Replaces a numbered invoice's signing plan (the `SignedInfo` digest; the signing time stays)
/// when it no longer prepares to the planned bytes, and records why in the audit chain.
async fn replan(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
    version: u64,
    digest: &str,
    actor: &str,
) -> Result<(InvoiceRecord, u64), ApiError> {
    rec.prepared_sha256 = Some(digest.to_owned());
    rec.updated_at = svc.clock.now();
    let detail = "the certificate or the software changed after numbering; nothing was signed";
    let a = audit_with(
        ts,
        &mut rec,
        actor,
        "signing_replanned",
        Some(detail.into()),
    );
    let ops = vec![
        Op::Put {
            key: ts.key("INV", &rec.id),
            data: to_json(&rec),
            condition: Condition::Version(version),
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => Ok((rec, v[0])),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Unavailable(
            "the invoice changed while its signing was replanned; retry".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The largest signed file kept inline in the `XML` item (the rest of the item and its key
/// need room too).
pub(super) fn inline_limit(ts: &TenantStore) -> usize {
    ts.max_item_bytes().saturating_sub(4 * 1024)
}

/// The exact signed bytes of an invoice, wherever they are kept: its current file (once coded,
/// the authority's 202 document).
pub async fn signed_xml(svc: &Services, ts: &TenantStore, id: &str) -> Result<Vec<u8>, ApiError> {
    let item = ts.get("XML", id).await?.ok_or(ApiError::NotFound)?;
    resolve(svc, item.data).await
}

/// The bytes an `XML`-like item holds, or those of the archive object it points to.
pub(super) async fn resolve(svc: &Services, data: Vec<u8>) -> Result<Vec<u8>, ApiError> {
    match data.strip_prefix(POINTER) {
        None => Ok(data),
        Some(key) => {
            let key = String::from_utf8_lossy(key);
            svc.archive
                .get(&key)
                .await
                .map_err(|e| ApiError::Unavailable(e.to_string()))?
                .ok_or_else(|| ApiError::Internal(format!("archived file {key} is missing")))
        }
    }
}
