//! The tenant's dealings with the tax authority other than invoices: the registration of
//! e-invoice use (01/ĐKTĐ-HĐĐT, message 100, answered by 102 and 103) and the notices of wrong
//! invoices (04/SS-HĐĐT, message 300, answered by 301). Both are documents the taxpayer signs
//! with the invoice key and that travel through the outbox like invoices.

pub mod notices;
pub mod registration;

use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::TenantStore;
use hoadon_core::api::authority::Subject;
use hoadon_core::dsig::{self, Layout};
use hoadon_core::tdiep::{AuthorityNotice, TDiep};

/// The signed document a registration or notice message carries.
pub async fn signed_document(
    ts: &TenantStore,
    subject: Subject,
    id: &str,
) -> Result<String, ApiError> {
    match subject {
        Subject::Registration => registration::signed(ts).await,
        Subject::Notice => notices::signed(ts, id).await,
        Subject::Invoice => Err(ApiError::Internal("an invoice is not a notice".into())),
    }
}

/// Signs a taxpayer's document (`layout` says where) with the tenant's invoice key.
pub(crate) async fn sign_document(
    svc: &Services,
    ts: &TenantStore,
    layout: Layout,
    unsigned: &str,
) -> Result<String, ApiError> {
    let signer = svc.signer(ts.tenant())?;
    let prepared = dsig::prepare_as(layout, unsigned, signer.certificate(), svc.clock.now_vn())
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    let value = signer
        .sign(prepared.signed_info().to_vec())
        .await
        .map_err(|e| ApiError::Unavailable(format!("signing: {e}")))?;
    prepared
        .attach(&value)
        .map_err(|e| ApiError::Unavailable(format!("signing: {e}")))
}

/// The authority's reasons, as lines (bounded: they come from outside).
pub(crate) fn reasons(list: &[(String, String)]) -> Vec<String> {
    list.iter()
        .take(20)
        .map(|(c, t)| {
            if c.is_empty() {
                t.clone()
            } else {
                format!("{c}: {t}")
            }
        })
        .map(|l| crate::outbox::truncate(&l, 300))
        .collect()
}

/// The errors of a technical acknowledgement (999) as reasons; `None`: received without error.
pub(crate) fn ack_refusal(msg: &TDiep) -> Option<Vec<String>> {
    crate::outbox::apply::ack_errors(msg).map(|e| {
        let r: Vec<_> = e
            .into_iter()
            .map(|(c, t)| (c.unwrap_or_default(), t))
            .collect();
        reasons(&r)
    })
}

/// What a decision of the authority (103, 301) says: `Ok` accepted, `Err(reasons)` refused.
/// Invented (provisional): `THop`/`TTXNCQT` 2, or any reason given, is a refusal.
pub(crate) fn decision(n: &AuthorityNotice) -> Result<(), Vec<String>> {
    if n.reasons.is_empty() && n.outcome.as_deref() != Some("2") {
        Ok(())
    } else {
        Err(reasons(&n.reasons))
    }
}
