//! Applying the authority's replies to what a message is about. Every application is
//! idempotent (a reply read again after a crash, or delivered twice, changes nothing), because
//! the subject's change and the outbox record are written in two steps.

use super::{OutboxRecord, read_reply};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::invoices::authority::{self as inv, Applied};
use crate::store::TenantStore;
use hoadon_core::api::authority::{ReplyView, Subject};
use hoadon_core::lifecycle::Event;
use hoadon_core::tdiep::{Body, MessageKind, SignedHDon, TDiep, accept_code};

/// Where a message stands after its replies were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Open,
    Finished,
    Attention(String),
}

/// Most replies one message records.
const MAX_REPLIES: usize = 20;

/// Applies every reply (those already recorded again, harmlessly) and records the new ones.
pub async fn apply_all(
    svc: &Services,
    ts: &TenantStore,
    rec: &mut OutboxRecord,
    replies: &[String],
) -> Result<Verdict, ApiError> {
    let mut verdict = Verdict::Open;
    for raw in replies {
        let msg = match read_reply(raw) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(event = "outbox.unreadable_reply", tenant = ts.tenant(), outbox_id = %rec.id, error = %e);
                continue;
            }
        };
        if msg.header.reference.as_ref().map(|r| r.as_str()) != Some(rec.message_id.as_str()) {
            // Not an answer to this message (MTDTChieu is how replies are matched).
            continue;
        }
        let seen = rec
            .replies
            .iter()
            .any(|r| r.message_id == msg.header.id.as_str());
        if !seen && rec.replies.len() >= MAX_REPLIES {
            // A T-VAN answering without end cannot grow the record past what it may hold.
            verdict = Verdict::Attention(format!(
                "more than {MAX_REPLIES} replies to one message; the rest were not read"
            ));
            break;
        }
        let (applied, summary) = match rec.subject {
            Subject::Invoice => invoice_reply(svc, ts, rec, &msg, raw).await?,
            Subject::Registration => {
                crate::authority::registration::apply_reply(svc, ts, &msg).await?
            }
            Subject::Notice => {
                crate::authority::notices::apply_reply(svc, ts, &rec.subject_id, &msg).await?
            }
        };
        if !seen {
            let duplicate = rec.replies.iter().any(|r| r.kind == msg.header.kind.code())
                && msg.header.kind != MessageKind::TechnicalAck;
            rec.replies.push(ReplyView {
                kind: msg.header.kind.code(),
                message_id: msg.header.id.as_str().to_owned(),
                at: svc.clock.now(),
                summary: super::truncate(
                    &if duplicate {
                        format!("{summary} (a repeated reply: applied once)")
                    } else {
                        summary
                    },
                    300,
                ),
            });
        }
        verdict = match (verdict, applied) {
            (Verdict::Attention(a), _) | (_, Applied::Attention(a)) => Verdict::Attention(a),
            (_, Applied::Final) | (Verdict::Finished, _) => Verdict::Finished,
            _ => Verdict::Open,
        };
    }
    Ok(verdict)
}

/// A technical acknowledgement's errors, as (code, text).
pub fn ack_errors(msg: &TDiep) -> Option<Vec<(Option<String>, String)>> {
    match &msg.body {
        Body::TechAck(a) if a.has_errors => Some(
            a.errors
                .iter()
                .map(|e| (e.code.clone(), e.description.clone()))
                .collect(),
        ),
        _ => None,
    }
}

async fn invoice_reply(
    svc: &Services,
    ts: &TenantStore,
    rec: &OutboxRecord,
    msg: &TDiep,
    raw: &str,
) -> Result<(Applied, String), ApiError> {
    let id = &rec.subject_id;
    let reject = |errors: Vec<(Option<String>, String)>| async move {
        let details = inv::refusal_details(&errors);
        let detail = details
            .iter()
            .map(|d| d.code.clone())
            .collect::<Vec<_>>()
            .join(", ");
        inv::record_event(svc, ts, id, Event::Reject, Some(detail), |a| {
            a.errors = details.clone()
        })
        .await
    };
    Ok(match (&msg.header.kind, &msg.body) {
        (MessageKind::TechnicalAck, Body::TechAck(a)) if a.has_errors && rec.sends > 1 => {
            // A resend refused: the first send may have been received and may be coded. The
            // invoice is not marked refused (a revision could then take a second code).
            let text = summary_of(&ack_errors(msg).unwrap_or_default());
            let why = format!(
                "a resend was answered with errors ({text}); the first send may have been \
                 received: check with the T-VAN before doing anything else"
            );
            (Applied::Attention(why.clone()), why)
        }
        (MessageKind::TechnicalAck, Body::TechAck(a)) if a.has_errors => {
            let errors = ack_errors(msg).unwrap_or_default();
            let text = summary_of(&errors);
            reject(errors).await?;
            (Applied::Final, format!("received with errors: {text}"))
        }
        (MessageKind::TechnicalAck, _) => {
            let event = if rec.kind == 203 {
                Event::TransmitData
            } else {
                Event::Transmit
            };
            inv::record_event(svc, ts, id, event, None, |_| {}).await?;
            (Applied::Progress, "received".into())
        }
        (MessageKind::CodeGranted, _) => {
            let sent = inv::seller_signed_xml(svc, ts, id).await?;
            let sent = String::from_utf8_lossy(&sent).into_owned();
            let sent = SignedHDon::from_document(&sent)
                .map_err(|e| ApiError::Internal(format!("the sent invoice {id}: {e}")))?;
            let link = svc.authority(ts.tenant());
            match accept_code(&[sent], raw) {
                Ok(granted) => match granted.first() {
                    Some(g) => match link
                        .and_then(|l| l.trusted.iter().find(|t| t.der == g.authority_certificate))
                    {
                        Some(trusted) => {
                            // A real MCCQT is hex; the simulator's start `TEST` (not hex), so
                            // a simulator reached over HTTP is test data all the same.
                            let test = rec.test || trusted.test || g.code.starts_with("TEST");
                            let applied = inv::adopt_code(svc, ts, id, g, test).await?;
                            (applied, format!("coded: MCCQT {}", g.code))
                        }
                        None => {
                            let why = "the 202's CQT signature is not made with a certificate \
                                       configured as the tax authority's; the code was not adopted"
                                .to_owned();
                            (Applied::Attention(why.clone()), why)
                        }
                    },
                    None => (
                        Applied::Attention("a 202 without an invoice".into()),
                        "empty 202".into(),
                    ),
                },
                Err(refusal) => {
                    let why = format!("the 202 was not adopted: {refusal}");
                    (Applied::Attention(why.clone()), why)
                }
            }
        }
        (MessageKind::CheckResult, Body::CheckResult(c)) if c.valid => {
            if rec.kind == 203 {
                inv::record_event(svc, ts, id, Event::AcceptData, None, |_| {}).await?;
                (Applied::Final, "data accepted".into())
            } else {
                (Applied::Progress, "checked without errors".into())
            }
        }
        (MessageKind::CheckResult, Body::CheckResult(c)) => {
            let errors: Vec<_> = c
                .groups
                .iter()
                .flat_map(|g| &g.errors)
                .map(|e| (e.code.clone(), e.description.clone()))
                .collect();
            let text = summary_of(&errors);
            reject(errors).await?;
            (Applied::Final, format!("refused: {text}"))
        }
        (k, _) => (
            Applied::Progress,
            format!("MLTDiep {} (not expected here)", k.code()),
        ),
    })
}

/// The errors in one line.
pub fn summary_of(errors: &[(Option<String>, String)]) -> String {
    errors
        .iter()
        .map(|(c, t)| match c {
            Some(c) => format!("{c}: {t}"),
            None => t.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
