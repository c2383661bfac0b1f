//! Gapless numbering. One transaction moves the series counter (at its version), binds each
//! number to its invoice (at the invoice's version), claims `NUM#…/<n>`, marks it pending and
//! appends the audit entry: no gap, no duplicate, nothing half-written.
//!
//! Within a process, requests on one series queue and a leader numbers up to [`BATCH`] per
//! transaction (issuance is serial per form + symbol by law anyway; batching shares one durable
//! commit); across processes the version conditions keep numbers unique. The leader's flag is
//! held by a guard that clears it however the leader ends (even by a panic), and the leader runs
//! in the detached issue task, so no dropped request can freeze a series.
//!
//! The signing time is fixed here and the exact `SignedInfo` prepared: what is signed later is
//! determined by the numbering transaction alone (see `signing`).

use super::{InvoiceRecord, SeriesRecord, Services, audit, from_item, to_json};
use crate::error::ApiError;
use crate::ports::hex;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::lifecycle::NumberingContext;
use hoadon_core::{Date, check, dsig, xml};
use std::sync::Arc;

/// Which key a number is planned for (the signing time and `SignedInfo` are fixed with it).
#[derive(Clone)]
pub(super) enum Plan {
    /// The server's signer of the invoice's mode (cloud key or remote signing).
    Server,
    /// A USB token's registered certificate: a desktop signing session claims the invoice.
    Token(Arc<super::token::Session>),
}

/// An invoice waiting for its number.
pub(super) struct NumberRequest {
    rec: InvoiceRecord,
    plan: Plan,
    version: u64,
    date: Date,
    actor: String,
    reply: tokio::sync::oneshot::Sender<Result<Numbered, ApiError>>,
}

/// What numbering answered one request.
pub(super) enum Numbered {
    Done(Box<InvoiceRecord>, u64),
    /// The invoice changed meanwhile: read it again.
    Retry,
}

/// The invoices waiting on one series, and whether a leader is numbering them.
#[derive(Default)]
pub(crate) struct Queue {
    waiting: Vec<NumberRequest>,
    leader: bool,
}

/// Most invoices one numbering transaction takes: 1 series operation + 4 per invoice (6 for a
/// correction, which also writes its original and the original's audit entry) ≤ 100 (fewer
/// when the store's transactions are smaller).
const BATCH: usize = 24;

/// A request's operations in the numbering transaction: 4, and 2 per invoice a correction
/// corrects.
fn cost(r: &NumberRequest) -> usize {
    5 + 2 * crate::corrections::originals_count(&r.rec)
}

/// Queues `rec` on its series and waits for its number (leading the queue if nobody does).
pub(super) async fn number(
    svc: &Services,
    ts: &TenantStore,
    rec: InvoiceRecord,
    version: u64,
    date: Date,
    actor: &str,
    plan: Plan,
) -> Result<Numbered, ApiError> {
    let series = format!("{}{}", rec.document.form.trim(), rec.document.symbol.trim());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let request = NumberRequest {
        rec,
        plan,
        version,
        date,
        actor: actor.to_owned(),
        reply: tx,
    };
    let qkey = format!("{}/{series}", ts.tenant());
    let lead = {
        let mut queues = svc.queues.lock().expect("not poisoned");
        let q = queues.entry(qkey.clone()).or_default();
        q.waiting.push(request);
        !std::mem::replace(&mut q.leader, true)
    };
    if lead {
        let guard = LeaderGuard { svc, qkey: &qkey };
        lead_numbering(svc, ts, &series, &qkey).await;
        drop(guard);
    }
    rx.await
        .map_err(|_| ApiError::Unavailable("numbering stopped; retry".into()))?
}

/// Clears the series' leader flag when the leader ends, however it ends; requests still
/// waiting are then led by the next issuer.
struct LeaderGuard<'a> {
    svc: &'a Services,
    qkey: &'a str,
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut queues) = self.svc.queues.lock()
            && let Some(q) = queues.get_mut(self.qkey)
        {
            q.leader = false;
        }
    }
}

/// Numbers the series' queue batch by batch until it is empty.
async fn lead_numbering(svc: &Services, ts: &TenantStore, series: &str, qkey: &str) {
    loop {
        let batch: Vec<NumberRequest> = {
            let mut queues = svc.queues.lock().expect("not poisoned");
            let Some(q) = queues.get_mut(qkey) else {
                return;
            };
            // One request per invoice per batch (a double click queues the same id twice).
            let mut budget = ts.max_transaction_ops().saturating_sub(1);
            let mut batch: Vec<NumberRequest> = Vec::new();
            let mut rest = Vec::new();
            // One correction per original per batch: each writes its originals (all of its
            // 01/BK-ĐCTT list) in the batch's transaction, and a transaction writes an item once.
            let originals = |r: &NumberRequest| -> Vec<String> {
                r.rec.corrects.as_ref().map_or(Vec::new(), |c| {
                    c.of.originals().into_iter().map(str::to_owned).collect()
                })
            };
            for r in q.waiting.drain(..) {
                let mine = originals(&r);
                let clash = batch
                    .iter()
                    .any(|b: &NumberRequest| originals(b).iter().any(|o| mine.contains(o)));
                let fits = batch.is_empty() || (batch.len() < BATCH && cost(&r) <= budget);
                if fits && !clash && !batch.iter().any(|b| b.rec.id == r.rec.id) {
                    budget = budget.saturating_sub(cost(&r));
                    batch.push(r);
                } else {
                    rest.push(r);
                }
            }
            q.waiting = rest;
            if batch.is_empty() {
                // Cleared under the same lock that found the queue empty: a request queued
                // after this sees no leader and leads.
                q.leader = false;
                return;
            }
            batch
        };
        number_batch(svc, ts, series, batch).await;
    }
}

/// The invoice with the series' next number: the core's `Number` transition (its rules against
/// the series as it stands now), then status, number, signing time and the prepared `SignedInfo`
/// digest.
fn numbered(
    svc: &Services,
    ts: &TenantStore,
    r: &NumberRequest,
    series: &SeriesRecord,
    last_date: Option<Date>,
) -> Result<InvoiceRecord, ApiError> {
    let number = series.last_number + 1;
    let mut rec = r.rec.clone();
    rec.number = Some(number);
    rec.series = Some(format!("{}{}", series.form, series.symbol));
    rec.document.number = Some(u64::from(number));
    let (certificate, signing_time) = match &r.plan {
        Plan::Server => (
            svc.signer_for(ts.tenant(), rec.signing_mode)?.certificate(),
            svc.clock.now_vn(),
        ),
        Plan::Token(session) => {
            rec.token = Some(session.claim(rec.token.take())?);
            (&session.certificate, session.signing_time()?)
        }
    };
    let inv = check(&rec.document)
        .invoice
        .ok_or_else(|| ApiError::Internal("a numbered invoice stopped validating".into()))?;
    let ctx = NumberingContext {
        today: svc.clock.now_vn().date,
        signer_tax_id: certificate.tax_id.as_deref(),
        series_last_date: last_date,
        series_last_number: series.last_number,
    };
    rec.status = rec
        .status
        .number(&inv, &ctx)
        .map_err(ApiError::Validation)?;
    let prepared = dsig::prepare(&xml::render(&inv), certificate, signing_time)
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    rec.signed_at = Some(signing_time.to_string());
    rec.prepared_sha256 = Some(hex(&prepared.document_digest()));
    rec.updated_at = svc.clock.now();
    Ok(rec)
}

/// One transaction: the series counter (at its version) and, per invoice, the record (at its
/// version), the `NUM#` claim, the pending mark and the audit entry.
async fn number_batch(
    svc: &Services,
    ts: &TenantStore,
    series_key: &str,
    mut batch: Vec<NumberRequest>,
) {
    for _attempt in 0..5 {
        if batch.is_empty() {
            return;
        }
        let series_item = match ts.get("SERIES", series_key).await {
            Ok(Some(i)) => i,
            Ok(None) => return reply_all(batch, || ApiError::UnknownSeries(series_key.to_owned())),
            Err(e) => return reply_all(batch, || e.clone().into()),
        };
        let mut series: SeriesRecord = match from_item(&series_item) {
            Ok(s) => s,
            Err(e) => return reply_all(batch, || ApiError::Internal(e.to_string())),
        };
        let mut last_date = series
            .last_date
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok());
        let mut accepted = Vec::new();
        // Where each accepted invoice's operations start (a correction has two more).
        let mut starts: Vec<usize> = Vec::new();
        let mut ops = vec![Op::Check {
            key: ts.key("SERIES", series_key),
            condition: Condition::Exists,
        }];
        for r in std::mem::take(&mut batch) {
            let number = series.last_number + 1;
            // Number a copy: if the transaction fails, the request goes again as it came.
            let mut rec = match numbered(svc, ts, &r, &series, last_date) {
                Ok(rec) => rec,
                Err(e) => {
                    let _ = r.reply.send(Err(e));
                    continue;
                }
            };
            // A correction moves its original (replacement pending; the method fixed) in the
            // same transaction, or is refused here if the original was corrected otherwise.
            let original = match crate::corrections::original_ops(
                svc,
                ts,
                &rec,
                hoadon_core::corrections::LinkState::Pending,
                &r.actor,
            )
            .await
            {
                Ok(o) => o,
                Err(e) => {
                    let _ = r.reply.send(Err(e));
                    continue;
                }
            };
            series.last_number = number;
            last_date = Some(r.date);
            let a = audit(ts, &mut rec, &r.actor, "numbered");
            let event = crate::events::op(
                ts,
                &rec,
                "invoice.issued",
                &rec.audit_seq.to_string(),
                None,
                svc.clock.now_ms(),
            );
            starts.push(ops.len());
            ops.push(Op::Put {
                key: ts.key("INV", &rec.id),
                data: to_json(&rec),
                condition: Condition::Version(r.version),
            });
            ops.push(Op::Put {
                key: ts.key(&format!("NUM#{series_key}"), format!("{number:08}")),
                data: rec.id.as_bytes().to_vec(),
                condition: Condition::NotExists,
            });
            ops.push(match &r.plan {
                // The sweep's list: the server signs it.
                Plan::Server => Op::Put {
                    key: ts.key("PENDING", &rec.id),
                    data: b"1".to_vec(),
                    condition: Condition::NotExists,
                },
                // Still queued for a token: claimed only while it is (never twice, never by
                // the sweep).
                Plan::Token(_) => Op::Check {
                    key: ts.key("TOKEN", super::token::queued(&rec)),
                    condition: Condition::Exists,
                },
            });
            ops.push(a);
            ops.push(event);
            ops.extend(original);
            accepted.push((r, rec));
        }
        if accepted.is_empty() {
            return;
        }
        series.last_date = last_date.map(|d| d.to_string());
        ops[0] = Op::Put {
            key: ts.key("SERIES", series_key),
            data: to_json(&series),
            condition: Condition::Version(series_item.version),
        };
        match ts.transact(ops).await {
            Ok(versions) => {
                crate::events::wake(svc, ts).await;
                for (k, (r, rec)) in accepted.into_iter().enumerate() {
                    tracing::info!(
                        event = "invoice.numbered",
                        tenant = ts.tenant(),
                        invoice_id = %rec.id,
                        series = series_key,
                        number = rec.number,
                    );
                    let _ = r
                        .reply
                        .send(Ok(Numbered::Done(Box::new(rec), versions[starts[k]])));
                }
                return;
            }
            // The series moved (another process): number the same batch again.
            Err(StoreError::ConditionFailed { index: 0 }) => {
                batch = accepted.into_iter().map(|(r, _)| r).collect()
            }
            // One invoice changed under us: it reads itself again; the rest go again.
            Err(StoreError::ConditionFailed { index }) => {
                let mut rest: Vec<NumberRequest> = accepted.into_iter().map(|(r, _)| r).collect();
                let k = starts.iter().rposition(|s| *s <= index).unwrap_or(0);
                let r = rest.remove(k);
                let _ = r.reply.send(Ok(Numbered::Retry));
                batch = rest;
            }
            Err(e) => {
                return reply_all(accepted.into_iter().map(|(r, _)| r).collect(), || {
                    e.clone().into()
                });
            }
        }
    }
    reply_all(batch, || {
        ApiError::Unavailable("the series is busy; retry".into())
    });
}

fn reply_all(batch: Vec<NumberRequest>, e: impl Fn() -> ApiError) {
    for r in batch {
        let _ = r.reply.send(Err(e()));
    }
}
