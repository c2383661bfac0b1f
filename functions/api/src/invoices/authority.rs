//! An invoice and the tax authority: the message that carries it (queued in the signing
//! transaction), the authority's answers applied to it (received, coded, refused, data
//! accepted), and the coded file adopted as its one current signed file.
//!
//! Items: `XML / <id>` the current signed file (the seller's until coded, then the authority's
//! 202 document); `XMLSELLER / <id>` the seller-signed bytes once superseded by the coded file
//! (kept, never delivered: it is what the code vouches for); `XMLOLD#<id> / <seq>` a file
//! superseded by a revision after a refusal.

use super::signing::{POINTER, inline_limit, resolve};
use super::{InvoiceRecord, Services, Status, audit_with, load, to_json};
use crate::error::ApiError;
use crate::outbox::{self, OutboxRecord};
use crate::ports::sha256_hex;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::Detail;
use hoadon_core::api::authority::{AuthorityStatus, Subject};
use hoadon_core::corrections::LinkState;
use hoadon_core::lifecycle::Event;
use hoadon_core::tdiep::CodeGranted;
use hoadon_core::validate::Severity;

/// `MLTDiep` for an invoice of this symbol: 200 (for a code, `C…`) or 203 (uncoded data).
pub fn message_kind(symbol: &str) -> u16 {
    if symbol.trim_start().starts_with('K') {
        203
    } else {
        200
    }
}

/// Whether the invoice's series is a coded one (`C…`).
pub fn coded(rec: &InvoiceRecord) -> bool {
    message_kind(&rec.document.symbol) == 200
}

/// The message carrying a just-signed invoice to the authority, when the tenant is connected:
/// stored by the signing transaction itself (`outbox::enqueue_ops`), so a signed invoice is
/// never left without its message.
pub(super) fn message_for(
    svc: &Services,
    ts: &TenantStore,
    rec: &mut InvoiceRecord,
    xml_sha256: &str,
) -> Result<Option<OutboxRecord>, ApiError> {
    let Some(link) = svc.authority(ts.tenant()) else {
        return Ok(None);
    };
    let tax_id = rec.document.seller.tax_id.clone().unwrap_or_default();
    let m = outbox::new_message(
        link,
        message_kind(&rec.document.symbol),
        tax_id.trim(),
        Subject::Invoice,
        &rec.id,
        xml_sha256,
        svc.clock.now_ms(),
    )?;
    rec.authority = Some(AuthorityStatus {
        test: m.test,
        outbox_id: Some(m.id.clone()),
        ..AuthorityStatus::default()
    });
    Ok(Some(m))
}

/// The seller-signed file of an invoice (superseded once coded, but what was sent).
pub async fn seller_signed_xml(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
) -> Result<Vec<u8>, ApiError> {
    let item = match ts.get("XMLSELLER", id).await? {
        Some(i) => i,
        None => ts.get("XML", id).await?.ok_or(ApiError::NotFound)?,
    };
    resolve(svc, item.data).await
}

/// What applying an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Recorded; more is expected.
    Progress,
    /// The final answer (coded, accepted, refused): the message is done.
    Final,
    /// The answer cannot be adopted (a 202 that fails its checks, a second different code): a
    /// person must look; the invoice is left as it was.
    Attention(String),
}

const ACTOR: &str = "tax-authority";

/// Applies `event` to the invoice (idempotent: an event it has already been through is a
/// no-op), with `update` changing what the authority said.
pub async fn record_event(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    event: Event,
    detail: Option<String>,
    update: impl Fn(&mut AuthorityStatus),
) -> Result<(), ApiError> {
    for _ in 0..5 {
        let (mut rec, version) = load(ts, id).await?;
        let Ok(next) = rec.status.apply(event) else {
            // Already past it (a repeated or late reply): nothing to do.
            return Ok(());
        };
        rec.status = next;
        rec.updated_at = svc.clock.now();
        update(rec.authority.get_or_insert_with(AuthorityStatus::default));
        let action = match event {
            Event::Transmit | Event::TransmitData => "received_by_authority",
            Event::AcceptData => "data_accepted",
            Event::Reject => "rejected_by_authority",
            _ => "authority_event",
        };
        let a = audit_with(ts, &mut rec, ACTOR, action, detail.clone());
        let mut ops = vec![
            Op::Put {
                key: ts.key("INV", id),
                data: to_json(&rec),
                condition: Condition::Version(version),
            },
            a,
        ];
        // A refused correction gives its original back its previous standing.
        if event == Event::Reject {
            ops.push(crate::events::op(
                ts,
                &rec,
                "invoice.rejected",
                &rec.audit_seq.to_string(),
                detail.clone(),
                svc.clock.now_ms(),
            ));
            ops.extend(
                crate::corrections::original_ops(svc, ts, &rec, LinkState::Rejected, ACTOR).await?,
            );
        }
        match ts.transact(ops).await {
            Ok(_) => {
                if event == Event::Reject {
                    crate::events::wake(svc, ts).await;
                }
                tracing::info!(event = "invoice.authority", tenant = ts.tenant(), invoice_id = %id, status = rec.status.as_str());
                return Ok(());
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// The authority's refusal as findings placed where they can be: the `MLoi` code says which
/// rule; a field is named when the description names one hoadon knows.
pub fn refusal_details(errors: &[(Option<String>, String)]) -> Vec<Detail> {
    const FIELDS: [(&str, &str); 6] = [
        ("MST", "seller.tax_id"),
        ("KHHDon", "symbol"),
        ("SHDon", "number"),
        ("NLap", "issue_date"),
        ("TSuat", "lines"),
        ("chữ ký", "signature"),
    ];
    errors
        .iter()
        .take(20)
        .map(|(code, text)| {
            // Texts from outside are bounded before they are stored on the invoice.
            let text = crate::outbox::truncate(text, 300);
            let code = crate::outbox::truncate(code.as_deref().unwrap_or("unknown"), 40);
            let path = FIELDS
                .iter()
                .find(|(k, _)| text.contains(k))
                .map_or("authority", |(_, p)| p);
            Detail {
                severity: Severity::Error,
                code: format!("authority.{code}"),
                path: path.to_owned(),
                message_vi: format!("Cơ quan thuế từ chối (mã {code}): {text}"),
                message_en: format!("Refused by the tax authority (code {code}): {text}"),
            }
        })
        .collect()
}

/// Adopts a code the authority granted: the 202 document becomes the invoice's one current
/// signed file, the seller-signed bytes are kept as `XMLSELLER` (superseded, never delivered),
/// the record says `coded` with the `MCCQT`. A second 202 for a coded invoice is recognised
/// (same code: nothing changes) or refused (a different code is never adopted).
pub async fn adopt_code(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    granted: &CodeGranted,
    test: bool,
) -> Result<Applied, ApiError> {
    let final_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}",
        granted.invoice.as_str()
    )
    .into_bytes();
    for _ in 0..5 {
        let (mut rec, version) = load(ts, id).await?;
        if rec.status == Status::Coded {
            let same = rec
                .authority
                .as_ref()
                .and_then(|a| a.code.as_deref())
                .is_some_and(|c| c == granted.code);
            return Ok(if same {
                Applied::Final
            } else {
                Applied::Attention(format!(
                    "a second, different code {} arrived for invoice {id} (coded already); it was \
                     not adopted",
                    granted.code
                ))
            });
        }
        let Ok(next) = rec.status.apply(Event::Code) else {
            return Ok(Applied::Attention(format!(
                "a code arrived for invoice {id} while it is {}; it was not adopted",
                rec.status.as_str()
            )));
        };
        let seller = ts.get("XML", id).await?.ok_or(ApiError::NotFound)?;
        let key = svc
            .archive
            .put(ts.tenant(), &final_xml)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        let xml_item = if final_xml.len() <= inline_limit(ts) {
            final_xml.clone()
        } else {
            [POINTER, key.as_bytes()].concat()
        };
        rec.status = next;
        rec.updated_at = svc.clock.now();
        rec.archive_key = Some(key);
        rec.xml_sha256 = Some(sha256_hex(&final_xml));
        let auth = rec.authority.get_or_insert_with(AuthorityStatus::default);
        auth.code = Some(granted.code.clone());
        auth.errors.clear();
        auth.test = test;
        let detail = format!("MCCQT {}", granted.code);
        let a = audit_with(ts, &mut rec, ACTOR, "coded", Some(detail.clone()));
        let event = crate::events::op(
            ts,
            &rec,
            "invoice.coded",
            &rec.audit_seq.to_string(),
            Some(detail),
            svc.clock.now_ms(),
        );
        // A coded correction is valid: its original is replaced / adjusted with it.
        let original =
            crate::corrections::original_ops(svc, ts, &rec, LinkState::Valid, ACTOR).await?;
        let mut ops = vec![
            Op::Put {
                key: ts.key("INV", id),
                data: to_json(&rec),
                condition: Condition::Version(version),
            },
            Op::Put {
                key: ts.key("XMLSELLER", id),
                data: seller.data,
                condition: Condition::NotExists,
            },
            Op::Put {
                key: ts.key("XML", id),
                data: xml_item,
                condition: Condition::Version(seller.version),
            },
            a,
            event,
        ];
        ops.extend(original);
        // Valid now: its lookup code answers and its e-mail to the buyer is queued.
        let (delivery, mail) = crate::delivery::on_deliverable(svc, ts, &rec).await?;
        ops.extend(delivery);
        match ts.transact(ops).await {
            Ok(_) => {
                crate::events::wake(svc, ts).await;
                if let Some(m) = &mail {
                    crate::outbox::wake(svc, ts, m).await;
                }
                tracing::info!(event = "invoice.coded", tenant = ts.tenant(), invoice_id = %id, test);
                return Ok(Applied::Final);
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}
