//! Issuing: everything that can fail without the key is tried *before* a number is taken, then
//! the series numbers the invoice and the seller's key signs it.
//!
//! The work runs detached from the request (`tokio::spawn`): a client that drops the connection
//! mid-issue must neither leave a series' numbering leader stuck nor stop between numbering
//! and signing. The request only waits for the outcome.

use super::numbering::{self, Numbered};
use super::{InvoiceRecord, Services, drafts, load, signing, view};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::IssueStep;
use hoadon_core::model::{DraftInput, InvoiceNumber};
use hoadon_core::validate::{Finding, Severity};
use hoadon_core::{Date, check, dsig, xml};

/// Issues an invoice: number it, then sign and archive it. Idempotent: an issued invoice is
/// returned as it is; a numbered one is signed.
pub async fn issue(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let (svc, ts, id, actor) = (svc.clone(), ts.clone(), id.to_owned(), actor.to_owned());
    // The detached task keeps the request's span, so its events carry the request id.
    let work = async move { issue_detached(&svc, &ts, &id, &actor).await };
    tokio::spawn(tracing::Instrument::in_current_span(work))
        .await
        .map_err(|e| ApiError::Internal(format!("issuing stopped: {e}")))?
}

async fn issue_detached(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    for _attempt in 0..5 {
        let (rec, version) = load(ts, id).await?;
        match rec.status.issue_step() {
            IssueStep::Done => return Ok(view(&rec, version)),
            IssueStep::Sign => return signing::sign_or_flag(svc, ts, rec, version, actor).await,
            IssueStep::Number => {}
        }
        let (rec, date) = preflight(svc, ts, rec).await?;
        match numbering::number(svc, ts, rec, version, date, actor).await? {
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

/// A finding at `path` that refuses the issue.
fn refusal(code: &'static str, path: &str, vi: String, en: String) -> ApiError {
    ApiError::Validation(vec![Finding {
        severity: Severity::Error,
        code,
        path: path.to_owned(),
        message_vi: vi,
        message_en: en,
    }])
}

/// Everything that can fail without the key, on the document as it will be issued (composed
/// again from the draft and the *current* profile): the profile is complete, the document
/// validates, the issue date is not in the future (Vietnam time), the signing certificate is
/// the seller's, and the invoice renders and prepares for signing with the largest number the
/// series could give. Returns the record to number and its issue date.
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
    rec.document = drafts::compose(svc, ts, &DraftInput::from_document(&rec.document)).await?;
    let checked = check(&rec.document);
    let Some(inv) = checked.invoice else {
        return Err(ApiError::Validation(checked.findings));
    };
    let date = inv.issue_date();
    let today = svc.clock.now_vn().date;
    if date > today {
        return Err(refusal(
            "issue_date.future",
            "issue_date",
            format!("Ngày lập {date} sau ngày hôm nay ({today}, giờ Việt Nam)."),
            format!("The issue date {date} is later than today ({today}, Vietnam time)."),
        ));
    }
    // The seller signs its own invoices: the certificate must carry the seller's tax id. A
    // certificate without a readable MST is refused, not trusted.
    let signer = svc.signer(ts.tenant())?;
    let seller = profile.tax_id.trim().to_owned();
    match &signer.certificate().tax_id {
        Some(mst) if *mst == seller => {}
        Some(mst) => {
            return Err(refusal(
                "seller.not_key_holder",
                "seller.tax_id",
                format!(
                    "Mã số thuế người bán phải là của chủ chữ ký số ({mst}), không phải {seller}."
                ),
                format!(
                    "The seller's tax id must be the signing certificate's ({mst}), not {seller}."
                ),
            ));
        }
        None => {
            return Err(refusal(
                "seller.not_key_holder",
                "seller.tax_id",
                "Chứng thư số ký hóa đơn không ghi mã số thuế (MST:) nên không chứng minh được là của người bán.".into(),
                "The signing certificate carries no tax id (MST:), so it cannot be shown to be the seller's.".into(),
            ));
        }
    }
    // Render and prepare with the widest number: if this works, numbering cannot fail later
    // for a reason of the document's own.
    let mut trial = rec.document.clone();
    trial.number = Some(u64::from(InvoiceNumber::MAX));
    let inv = check(&trial)
        .invoice
        .ok_or_else(|| ApiError::Internal("the invoice stops validating once numbered".into()))?;
    dsig::prepare(&xml::render(&inv), signer.certificate(), svc.clock.now_vn()).map_err(|e| {
        ApiError::Internal(format!("the invoice cannot be prepared for signing: {e}"))
    })?;
    Ok((rec, date))
}
