//! Signatures coming back from a token: each one is checked over the invoice's stored plan with
//! a registered certificate, then the invoice is recorded as signed exactly as the server's own
//! signature would be. Per invoice all-or-nothing: a refused signature changes nothing of it.

use super::super::{InvoiceRecord, Services, load, signing};
use super::claim::{refusal, skip as refuse};
use crate::error::ApiError;
use crate::ports::{hex, sha256_hex};
use hoadon_core::api::signing::{
    MAX_CLAIM, SIGNATURES_FORMAT, SignatureBatch, SignatureOutcome, SignatureResults,
    SignatureUpload,
};
use hoadon_core::lifecycle::{SigningMode, Status};
use hoadon_core::{DateTime, check, dsig, xml};

/// Attaches each signature of `batch` that verifies; one outcome per signature, in order.
pub async fn attach(
    svc: &Services,
    ts: &crate::store::TenantStore,
    batch: &SignatureBatch,
    actor: &str,
) -> Result<SignatureResults, ApiError> {
    if batch.signatures.is_empty() || batch.signatures.len() > usize::from(MAX_CLAIM) {
        return Err(ApiError::BadRequest(format!(
            "signatures: 1 to {MAX_CLAIM} per request"
        )));
    }
    if let Some((i, e)) = batch
        .signatures
        .iter()
        .enumerate()
        .find_map(|(i, s)| Some((i, s.shape_error()?)))
    {
        return Err(ApiError::BadRequest(format!("signatures[{i}].{e}")));
    }
    if batch
        .format
        .as_deref()
        .is_some_and(|f| f != SIGNATURES_FORMAT)
    {
        return Err(ApiError::Unprocessable(
            "signature.format",
            format!(
                "Không phải tệp chữ ký của hoadon / not a hoadon signatures file (format must be {SIGNATURES_FORMAT})"
            ),
        ));
    }
    let mut results = Vec::with_capacity(batch.signatures.len());
    for s in &batch.signatures {
        let outcome = match one(svc, ts, s, actor).await {
            Ok(o) => o,
            Err(e) => SignatureOutcome::Refused(refusal(&s.invoice, &e)),
        };
        if let SignatureOutcome::Refused(r) = &outcome {
            tracing::info!(event = "signing.refused", tenant = ts.tenant(), invoice_id = %s.invoice, code = %r.code);
        }
        results.push(outcome);
    }
    Ok(SignatureResults { results })
}

fn refused(s: &SignatureUpload, code: &str, vi: &str, en: &str) -> SignatureOutcome {
    SignatureOutcome::Refused(refuse(&s.invoice, code, vi, en))
}

async fn one(
    svc: &Services,
    ts: &crate::store::TenantStore,
    s: &SignatureUpload,
    actor: &str,
) -> Result<SignatureOutcome, ApiError> {
    let (mut rec, version) = match load(ts, &s.invoice).await {
        Err(ApiError::NotFound) => {
            return Ok(refused(
                s,
                "signature.unknown_invoice",
                "Không có hóa đơn này",
                "no such invoice",
            ));
        }
        other => other?,
    };
    let Ok(value) = dsig::b64_decode(s.signature_base64.trim()) else {
        return Ok(refused(
            s,
            "signature.unreadable",
            "Chữ ký không phải base64",
            "the signature is not base64",
        ));
    };
    if rec.signing_mode != SigningMode::Token {
        return Ok(refused(
            s,
            "signature.not_token_mode",
            "Hóa đơn không ký bằng token",
            "the invoice is not signed with a token",
        ));
    }
    let number = rec.number.unwrap_or_default();
    let claim = rec.token.as_ref().and_then(|t| t.claim.clone());
    match rec.status {
        Status::Numbered => {}
        Status::AwaitingToken => {
            return Ok(refused(
                s,
                "signature.not_claimed",
                "Hóa đơn chưa được phiên ký nào nhận",
                "no signing session claimed the invoice",
            ));
        }
        _ if claim.as_ref().and_then(|c| c.signature_sha256.as_deref())
            == Some(sha256_hex(&value).as_str()) =>
        {
            return Ok(SignatureOutcome::AlreadyAttached {
                invoice: s.invoice.clone(),
                number,
            });
        }
        _ => {
            return Ok(refused(
                s,
                "signature.already_signed",
                "Hóa đơn đã được ký bằng chữ ký khác",
                "the invoice is already signed, with another signature",
            ));
        }
    }
    let Some(claim) = claim else {
        return Ok(refused(
            s,
            "signature.not_claimed",
            "Hóa đơn chưa được phiên ký nào nhận",
            "no signing session claimed the invoice",
        ));
    };
    if claim.certificate != s.certificate {
        return Ok(refused(
            s,
            "signature.other_certificate",
            "Hóa đơn được nhận để ký bằng chứng thư số khác",
            "the invoice was claimed for another certificate",
        ));
    }
    // The certificate: registered, not revoked, the seller's, valid at the signing time.
    let seller = rec.document.seller.tax_id.clone().unwrap_or_default();
    let at = DateTime::from_unix(claim.at, 0)
        .map_err(|_| ApiError::Internal("claim time out of range".into()))?;
    let certificate =
        crate::certificates::for_signing(ts, &s.certificate, seller.trim(), at).await?;
    let (prepared, digest) = plan(&rec, &certificate)?;
    if rec.prepared_sha256.as_deref() != Some(digest.as_str()) {
        return Ok(refused(
            s,
            "signature.plan_changed",
            "Hóa đơn đã được chuẩn bị lại cho phiên ký khác; hãy nhận lại",
            "the invoice was prepared again for another session; claim it again",
        ));
    }
    let signed = match prepared.attach(&value) {
        Ok(doc) => doc.into_bytes(),
        Err(_) => {
            return Ok(refused(
                s,
                "signature.invalid",
                "Chữ ký không khớp với nội dung hóa đơn này (SignedInfo) và chứng thư số",
                "the signature does not verify over this invoice's SignedInfo with the certificate",
            ));
        }
    };
    if let Some(c) = rec.token.as_mut().and_then(|t| t.claim.as_mut()) {
        c.signature_sha256 = Some(sha256_hex(&value));
    }
    let v = signing::record_signed(svc, ts, rec, version, signed, &digest, actor).await?;
    Ok(match v.status {
        Status::Numbered => refused(
            s,
            "signature.not_recorded",
            "Chưa ghi được chữ ký; hãy gửi lại",
            "the signature could not be recorded; send it again",
        ),
        _ => SignatureOutcome::Attached {
            invoice: s.invoice.clone(),
            number,
        },
    })
}

/// The invoice's document prepared for `certificate` at its planned signing time, and the
/// digest of that plan.
fn plan(
    rec: &InvoiceRecord,
    certificate: &dsig::SignerCertificate,
) -> Result<(dsig::Prepared, String), ApiError> {
    let inv = check(&rec.document).invoice.ok_or_else(|| {
        ApiError::Internal(format!("numbered invoice {} no longer validates", rec.id))
    })?;
    let time: DateTime = rec
        .signed_at
        .as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| ApiError::Internal(format!("invoice {}: no signing time", rec.id)))?;
    let prepared = dsig::prepare(&xml::render(&inv), certificate, time)
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    let digest = hex(&prepared.document_digest());
    Ok((prepared, digest))
}
