//! Claims: a desktop signing session takes the oldest invoices awaiting a token signature (or
//! the ones it names); they are numbered now, in that order, and each one's exact `SignedInfo`
//! is prepared for the session's certificate.

use super::super::numbering::{self, Numbered, Plan};
use super::super::{InvoiceRecord, Services, audit_with, from_item, load, to_json};
use super::{LEASE_SECONDS, Session};
use crate::error::ApiError;
use crate::ports::hex;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::signing::{
    BUNDLE_FORMAT, ClaimRequest, ClaimedInvoice, MAX_CLAIM, SigningBundle, Skipped,
};
use hoadon_core::lifecycle::{SigningMode, Status};
use hoadon_core::{DateTime, check, dsig, xml};
use std::sync::Arc;

/// Claims invoices for a signing session with the registered certificate `req.certificate`.
pub async fn claim(
    svc: &Services,
    ts: &TenantStore,
    req: &ClaimRequest,
    actor: &str,
) -> Result<SigningBundle, ApiError> {
    let limit = match req.limit {
        None => 50,
        Some(n @ 1..=MAX_CLAIM) => usize::from(n),
        Some(_) => {
            return Err(ApiError::BadRequest(format!("limit: 1 to {MAX_CLAIM}")));
        }
    };
    if req
        .invoices
        .as_ref()
        .is_some_and(|ids| ids.len() > usize::from(MAX_CLAIM))
    {
        return Err(ApiError::BadRequest(format!(
            "invoices: at most {MAX_CLAIM} per claim"
        )));
    }
    let (profile, _) = crate::profile::current(ts).await?;
    let now = svc.clock.now();
    let utc = DateTime::from_unix(now, 0)
        .map_err(|_| ApiError::Internal("the clock is out of range".into()))?;
    let certificate =
        crate::certificates::for_signing(ts, &req.certificate, &profile.tax_id, utc).await?;
    // A server signer's certificate: no token holds its key, so what it numbered would wait
    // for a signature that cannot come.
    let server = [SigningMode::Cloud, SigningMode::Remote]
        .map(|m| crate::certificates::server_certificate(svc, ts, m));
    if server.iter().flatten().any(|id| *id == req.certificate) {
        return Err(ApiError::Unprocessable(
            "certificate.server_key",
            "Chứng thư số này là của khóa trên máy chủ (ký đám mây hoặc ký từ xa), không phải của \
             USB token / the certificate is the server's key's (cloud or remote signing), not a \
             token's"
                .into(),
        ));
    }
    let session = Arc::new(Session {
        certificate,
        id: req.certificate.clone(),
        at: now,
        by: actor.to_owned(),
    });
    let mut skipped = Vec::new();
    let (candidates, queued_total) = match &req.invoices {
        Some(ids) => (named(ts, ids, &mut skipped).await?, None),
        None => {
            let (c, total) = oldest(ts, &session, limit).await?;
            (c, Some(total))
        }
    };

    // Frozen ones join their series' numbering queues in this order (`join_all` polls them in
    // order, and each joins its queue on its first poll), so numbers follow the claim's order.
    let mut planned: Vec<(InvoiceRecord, u64)> = Vec::new();
    let mut to_number = Vec::new();
    for (rec, version) in candidates {
        if rec.status == Status::AwaitingToken {
            match check(&rec.document).invoice {
                Some(inv) => to_number.push((rec, version, inv.issue_date())),
                None => skipped.push(skip(
                    &rec.id,
                    "signature.invalid_document",
                    "Hóa đơn không còn hợp lệ",
                    "the invoice no longer validates",
                )),
            }
        } else {
            planned.push((rec, version));
        }
    }
    let numbering = to_number.into_iter().map(|(rec, version, date)| {
        let id = rec.id.clone();
        let plan = Plan::Token(session.clone());
        async move {
            let r = numbering::number(svc, ts, rec, version, date, actor, plan).await;
            (id, r)
        }
    });
    for (id, r) in futures_util::future::join_all(numbering).await {
        match r {
            Ok(Numbered::Done(rec, v)) => planned.push((*rec, v)),
            // Changed meanwhile (withdrawn, claimed by another session): offered next time.
            Ok(Numbered::Retry) => {}
            Err(e) => skipped.push(refusal(&id, &e)),
        }
    }

    let mut invoices = Vec::new();
    for (rec, version) in planned {
        let id = rec.id.clone();
        match offer(svc, ts, &session, rec, version).await {
            Ok(c) => invoices.push(c),
            Err(e) => skipped.push(refusal(&id, &e)),
        }
    }
    invoices.sort_by(|a, b| (&a.series, a.number).cmp(&(&b.series, b.number)));
    let remaining = match queued_total {
        Some(total) => total.saturating_sub(invoices.len() as u64),
        None => count(ts).await?.saturating_sub(invoices.len() as u64),
    };
    tracing::info!(
        event = "signing.claimed",
        tenant = ts.tenant(),
        claimed = invoices.len(),
        skipped = skipped.len(),
        remaining,
    );
    Ok(SigningBundle {
        format: BUNDLE_FORMAT.into(),
        tax_id: profile.tax_id.clone(),
        certificate: session.id.clone(),
        claimed_at: now,
        invoices,
        remaining,
        skipped,
    })
}

/// Whether a session with `session`'s certificate may take `rec` now.
fn claimable(rec: &InvoiceRecord, session: &Session) -> bool {
    if rec.signing_mode != SigningMode::Token {
        return false;
    }
    match rec.status {
        Status::AwaitingToken => true,
        Status::Numbered => match rec.token.as_ref().and_then(|t| t.claim.as_ref()) {
            // A revised invoice (re-planned by nobody yet).
            None => true,
            Some(c) => c.certificate == session.id || !leased(c, session),
        },
        _ => false,
    }
}

/// Whether `claim` still holds the invoice at the session's instant.
fn leased(claim: &super::TokenClaim, session: &Session) -> bool {
    session.at - claim.at < LEASE_SECONDS
}

/// The oldest claimable invoices of the queue (at most `limit`), and how many are queued.
async fn oldest(
    ts: &TenantStore,
    session: &Session,
    limit: usize,
) -> Result<(Vec<(InvoiceRecord, u64)>, u64), ApiError> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let mut cursor = None;
    loop {
        let page = ts.query("TOKEN", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            total += 1;
            if out.len() == limit {
                continue;
            }
            let id = String::from_utf8_lossy(&item.data).into_owned();
            match load(ts, &id).await {
                Ok((rec, v)) if claimable(&rec, session) => out.push((rec, v)),
                Ok(_) | Err(ApiError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok((out, total)),
        }
    }
}

/// How many invoices are queued for a token.
async fn count(ts: &TenantStore) -> Result<u64, ApiError> {
    let mut total = 0u64;
    let mut cursor = None;
    loop {
        let page = ts.query("TOKEN", "", cursor.as_deref(), 500).await?;
        total += page.items.len() as u64;
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(total),
        }
    }
}

/// The invoices a session named, each either claimable or skipped with the reason.
async fn named(
    ts: &TenantStore,
    ids: &[String],
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<(InvoiceRecord, u64)>, ApiError> {
    let mut out: Vec<(InvoiceRecord, u64)> = Vec::new();
    for id in ids {
        if out.iter().any(|(r, _)| &r.id == id) {
            continue;
        }
        match ts.get("INV", id).await? {
            None => skipped.push(skip(
                id,
                "signature.unknown_invoice",
                "Không có hóa đơn này",
                "no such invoice",
            )),
            Some(item) => {
                let rec: InvoiceRecord = from_item(&item)?;
                let waiting = rec.signing_mode == SigningMode::Token
                    && matches!(rec.status, Status::AwaitingToken | Status::Numbered);
                if waiting {
                    out.push((rec, item.version));
                } else {
                    skipped.push(skip(
                        id,
                        "signature.not_awaiting_token",
                        "Hóa đơn không chờ ký bằng token",
                        "the invoice is not awaiting a token signature",
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// The claimed invoice as the session gets it: its `SignedInfo` for the session's certificate.
/// An invoice already planned for this certificate keeps its plan (same signing time, same
/// bytes); any other plan — another certificate past its lease, a revised invoice, a change
/// of software — is replaced and audited, never signed twice differently.
async fn offer(
    svc: &Services,
    ts: &TenantStore,
    session: &Session,
    mut rec: InvoiceRecord,
    version: u64,
) -> Result<ClaimedInvoice, ApiError> {
    let claim = rec.token.as_ref().and_then(|t| t.claim.as_ref());
    // Ours while the lease runs: the same bytes again. Past it, even for the same certificate,
    // it is planned afresh (a new signing time and lease; nothing was signed), so a signing
    // time never predates the signature by more than the lease.
    let ours = claim.is_some_and(|c| c.certificate == session.id && leased(c, session));
    let elsewhere = claim.is_some_and(|c| c.certificate != session.id && leased(c, session));
    if elsewhere {
        return Err(ApiError::Conflict(
            "signing.claimed_elsewhere",
            "another signing session with another certificate claimed it moments ago".into(),
        ));
    }
    let signing_time: DateTime = match (ours, rec.signed_at.as_deref()) {
        (true, Some(t)) => t
            .parse()
            .map_err(|_| ApiError::Internal(format!("invoice {}: bad signing time", rec.id)))?,
        _ => session.signing_time()?,
    };
    let inv = check(&rec.document).invoice.ok_or_else(|| {
        ApiError::Internal(format!("numbered invoice {} no longer validates", rec.id))
    })?;
    let prepared = dsig::prepare(&xml::render(&inv), &session.certificate, signing_time)
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    let digest = hex(&prepared.document_digest());
    if !ours || rec.prepared_sha256.as_deref() != Some(digest.as_str()) {
        if !ours {
            rec.token = Some(session.claim(rec.token.take())?);
        }
        rec.signed_at = Some(signing_time.to_string());
        rec.prepared_sha256 = Some(digest);
        rec.updated_at = svc.clock.now();
        let a = audit_with(
            ts,
            &mut rec,
            &session.by,
            "token_claimed",
            Some(format!("planned for certificate {}", session.id)),
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
            Ok(_) => {}
            Err(StoreError::ConditionFailed { .. }) => {
                return Err(ApiError::Unavailable(
                    "the invoice changed while it was claimed; claim again".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let signed_info = prepared.signed_info();
    Ok(ClaimedInvoice {
        id: rec.id.clone(),
        series: rec.series.clone().unwrap_or_default(),
        number: rec.number.unwrap_or_default(),
        issue_date: inv.issue_date().to_string(),
        buyer: rec.document.buyer.name.clone().unwrap_or_default(),
        total: inv.totals().total.to_string(),
        currency: rec
            .document
            .currency
            .clone()
            .unwrap_or_else(|| "VND".into()),
        signing_time: signing_time.to_string(),
        signed_info_base64: dsig::b64_encode(signed_info),
        digest_sha256: crate::ports::sha256_hex(signed_info),
    })
}

pub(super) fn skip(invoice: &str, code: &str, vi: &str, en: &str) -> Skipped {
    Skipped {
        invoice: invoice.to_owned(),
        code: code.to_owned(),
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }
}

/// An API error as one invoice's refusal (the whole request did not fail).
pub(super) fn refusal(invoice: &str, e: &ApiError) -> Skipped {
    if let ApiError::Validation(findings) = e {
        let join = |f: fn(&hoadon_core::Finding) -> &str| {
            findings
                .iter()
                .map(|x| format!("{}: {}", x.path, f(x)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Skipped {
            invoice: invoice.to_owned(),
            code: findings
                .first()
                .map_or("validation_failed", |f| f.code)
                .to_owned(),
            message_vi: join(|f| &f.message_vi),
            message_en: join(|f| &f.message_en),
        };
    }
    let text = e.to_string();
    let (vi, en) = match text.split_once(" / ") {
        Some((vi, en)) => (vi.to_owned(), en.to_owned()),
        None => (text.clone(), text),
    };
    Skipped {
        invoice: invoice.to_owned(),
        code: e.code().to_owned(),
        message_vi: vi,
        message_en: en,
    }
}
