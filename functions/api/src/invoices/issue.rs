//! Issuing: everything that can fail without the key is tried *before* a number is taken, then
//! the series numbers the invoice and the seller's key signs it.
//!
//! The work runs detached from the request (`tokio::spawn`): a client that drops the connection
//! mid-issue must neither leave a series' numbering leader stuck nor stop between numbering
//! and signing. The request only waits for the outcome.

use super::numbering::{self, Numbered, Plan};
use super::{
    InvoiceRecord, SeriesRecord, Services, SigningMode, Status, drafts, from_item, load, signing,
    token, view,
};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::{IssueStep, NumberingContext};
use hoadon_core::model::InvoiceNumber;
use hoadon_core::{Date, check, dsig, xml};

/// Issues an invoice: number it, then sign and archive it. Idempotent: an issued invoice is
/// returned as it is; a numbered one is signed.
pub async fn issue(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    issue_at(svc, ts, id, actor, None).await
}

/// [`issue`], refusing (`409 draft_conflict` with the current draft) when the draft is no longer
/// at `expected`, the version the issuer reviewed: nobody signs content they did not see.
pub async fn issue_at(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
    expected: Option<u64>,
) -> Result<InvoiceView, ApiError> {
    let (svc, ts, id, actor) = (svc.clone(), ts.clone(), id.to_owned(), actor.to_owned());
    // The detached task keeps the request's span, so its events carry the request id.
    let work = async move { issue_detached(&svc, &ts, &id, &actor, expected).await };
    tokio::spawn(tracing::Instrument::in_current_span(work))
        .await
        .map_err(|e| ApiError::Internal(format!("issuing stopped: {e}")))?
}

async fn issue_detached(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
    expected: Option<u64>,
) -> Result<InvoiceView, ApiError> {
    for _attempt in 0..5 {
        let (mut rec, version) = load(ts, id).await?;
        // A draft is issued in its series' mode now; an issued invoice keeps the mode it had.
        if rec.status == Status::Draft {
            rec.signing_mode = series_mode(ts, &rec).await?;
        }
        let step = rec.status.issue_step(rec.signing_mode);
        match step {
            IssueStep::Done => return Ok(view(&rec, version)),
            IssueStep::Sign => return signing::sign_or_flag(svc, ts, rec, version, actor).await,
            IssueStep::Number | IssueStep::AwaitToken => {}
        }
        if expected.is_some_and(|v| v != version) {
            return Err(ApiError::DraftConflict(Box::new(view(&rec, version))));
        }
        let (rec, date) = preflight(svc, ts, rec).await?;
        if step == IssueStep::AwaitToken {
            match token::freeze(svc, ts, rec, version, actor).await? {
                Some(v) => return Ok(v),
                None => continue,
            }
        }
        match numbering::number(svc, ts, rec, version, date, actor, Plan::Server).await? {
            Numbered::Done(rec, v) => {
                return signing::sign_or_flag(svc, ts, *rec, v, actor).await;
            }
            Numbered::Retry => continue,
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// The signing mode of the draft's series now (the cloud key if the series does not exist: the
/// preflight then refuses it by name).
async fn series_mode(ts: &TenantStore, rec: &InvoiceRecord) -> Result<SigningMode, ApiError> {
    let key = format!("{}{}", rec.document.form.trim(), rec.document.symbol.trim());
    Ok(match ts.get("SERIES", &key).await? {
        Some(item) => from_item::<SeriesRecord>(&item)?.signing_mode,
        None => SigningMode::Cloud,
    })
}

/// Everything that can fail without the key, on the document as it will be issued (composed
/// again from the draft and the *current* profile): the profile is complete, the document
/// validates, the core's `Number` transition allows it against the series as it stands (no
/// future date, not before the series' last, the certificate is the seller's), the record with
/// what signing adds still fits one store item, and the invoice renders and prepares for
/// signing with the largest number the series could give. Returns the record to number and its
/// issue date. (Numbering applies the same transition again, inside its batch.)
/// A generous bound of what numbering and signing add to a record.
const SIGNING_ADDS: usize = 2048;

async fn preflight(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
) -> Result<(InvoiceRecord, Date), ApiError> {
    let (profile, _) = crate::profile::current(ts).await?;
    let missing = profile.check();
    if !missing.is_empty() {
        return Err(ApiError::ProfileIncomplete(missing));
    }
    // Composed again with the lookup code and address, so the signed file carries what the
    // paper copy prints (a retry before numbering draws a new code: nothing had it yet).
    let (code, url) = crate::delivery::lookup::carried(&rec.document)
        .unwrap_or_else(|| crate::delivery::lookup::fresh(svc, ts.tenant()));
    let input = hoadon_core::model::DraftInput::from_document(&rec.document);
    rec.document =
        drafts::compose(svc, ts, &input, rec.corrects.as_ref(), Some((&code, &url))).await?;
    // A correction: the buyer's agreement, the declaring 04/SS, the original still open to it.
    crate::corrections::preflight(svc, ts, &rec).await?;
    // Coded (C) or uncoded (K) invoices need the authority's acceptance of that kind first.
    crate::authority::registration::allows(svc, ts, super::authority::coded(&rec)).await?;
    let checked = check(&rec.document);
    let Some(inv) = checked.invoice else {
        return Err(ApiError::Validation(checked.findings));
    };
    let date = inv.issue_date();
    // Token mode: the certificate is known only when a session claims the invoice, and the
    // claim checks it is the seller's; the cloud and remote signers are known now.
    let certificate = match rec.signing_mode {
        SigningMode::Token => None,
        mode => Some(svc.signer_for(ts.tenant(), mode)?.certificate()),
    };
    let seller_tax_id = profile.tax_id.trim().to_owned();
    let series_key = format!("{}{}", rec.document.form.trim(), rec.document.symbol.trim());
    let series: SeriesRecord = match ts.get("SERIES", &series_key).await? {
        Some(item) => from_item(&item)?,
        None => return Err(ApiError::UnknownSeries(series_key)),
    };
    // It prints with the series' template as it is now, whatever changes later.
    rec.template_version =
        Some(crate::delivery::templates::current_version(ts, &series_key).await?);
    let ctx = NumberingContext {
        today: svc.clock.now_vn().date,
        signer_tax_id: match certificate {
            Some(c) => c.tax_id.as_deref(),
            None => Some(seller_tax_id.as_str()),
        },
        series_last_date: series.last_date.as_deref().and_then(|d| d.parse().ok()),
        series_last_number: series.last_number,
    };
    rec.status
        .number(&inv, &ctx)
        .map_err(ApiError::Validation)?;
    // Numbering and signing add a few hundred bytes (number, times, digests, archive key): a
    // record that would then not fit one store item is refused now, before it takes a number.
    let signed_size = serde_json::to_vec(&rec).map_or(usize::MAX, |b| b.len()) + SIGNING_ADDS;
    if signed_size > ts.max_item_bytes() {
        return Err(ApiError::TooLarge(format!(
            "the invoice's record would be {signed_size} bytes once signed; a record may hold \
             at most {} (fewer lines or shorter texts per invoice)",
            ts.max_item_bytes()
        )));
    }
    // Render and prepare with the widest number: if this works, numbering cannot fail later
    // for a reason of the document's own.
    let mut trial = rec.document.clone();
    trial.number = Some(u64::from(InvoiceNumber::MAX));
    let inv = check(&trial)
        .invoice
        .ok_or_else(|| ApiError::Internal("the invoice stops validating once numbered".into()))?;
    let unsigned = xml::render(&inv);
    if let Some(certificate) = certificate {
        dsig::prepare(&unsigned, certificate, svc.clock.now_vn()).map_err(|e| {
            ApiError::Internal(format!("the invoice cannot be prepared for signing: {e}"))
        })?;
    }
    Ok((rec, date))
}
