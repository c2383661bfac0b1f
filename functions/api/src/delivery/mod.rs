//! Delivery: an issued invoice reaching people — its PDF (drawn from the signed file with the
//! series' template version it was issued under), the e-mail to the buyer through the outbox,
//! and the public lookup by code.
//!
//! An invoice is **deliverable** once it is valid: signed for an uncoded (`K`) series, coded by
//! the tax authority for a coded (`C`) one — never before. Everything here checks that first;
//! the seller's own staff still download the signed XML of any signed invoice (what was sent to
//! the authority, for a rejection's diagnosis), but nothing leaves for the buyer before.

pub mod email;
pub mod lookup;
pub mod pdf;
pub mod templates;

use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services, Status};
use crate::store::{Op, TenantStore};

/// Whether the invoice may reach people (see the module doc).
pub fn deliverable(rec: &InvoiceRecord) -> bool {
    if crate::invoices::authority::coded(rec) {
        rec.status == Status::Coded
    } else {
        matches!(
            rec.status,
            Status::Signed | Status::DataSent | Status::DataAccepted
        )
    }
}

/// `409 not_deliverable` unless [`deliverable`].
pub fn require(rec: &InvoiceRecord) -> Result<(), ApiError> {
    if deliverable(rec) {
        return Ok(());
    }
    Err(ApiError::Conflict(
        "not_deliverable",
        format!(
            "Hóa đơn chưa hợp lệ để gửi người mua (trạng thái {}: {}) / the invoice is not valid \
             yet, so it cannot reach the buyer ({}: {})",
            rec.status.as_str(),
            if crate::invoices::authority::coded(rec) {
                "cần mã của cơ quan thuế"
            } else {
                "cần chữ ký số"
            },
            rec.status.as_str(),
            if crate::invoices::authority::coded(rec) {
                "it needs the tax authority's code"
            } else {
                "it needs the seller's signature"
            },
        ),
    ))
}

/// What becomes true with the transaction that makes `rec` deliverable (its signature for an
/// uncoded series, its code for a coded one): its lookup code answers, it enters the books,
/// and the e-mail to a buyer with an address is queued — in the same transaction, so none of
/// them is ever missed.
/// Returns the operations and the outbox record to wake after the commit.
pub async fn on_deliverable(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<(Vec<Op>, Option<crate::outbox::OutboxRecord>), ApiError> {
    if !deliverable(rec) {
        return Ok((Vec::new(), None));
    }
    let mut ops: Vec<Op> = lookup::index_op(ts, rec).into_iter().collect();
    // Into the books, once: the accountant's inbox sees every valid invoice issued here.
    ops.extend(crate::books::entry_ops(ts, rec, svc.clock.now()).await?);
    let auto = email::automatic(svc, ts, rec).await?;
    if let Some(m) = &auto {
        ops.extend(crate::outbox::enqueue_ops(ts, m));
    }
    Ok((ops, auto))
}

/// The converted paper copy (hóa đơn chuyển đổi sang giấy): drawn, then recorded in the
/// invoice's audit chain (who converted, as whom, when) before it is handed out — a copy the
/// chain does not know of is never given.
pub async fn convert(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    converter: &str,
    actor: &str,
) -> Result<Vec<u8>, ApiError> {
    let converter = converter.trim();
    if converter.is_empty()
        || converter.chars().count() > 100
        || converter.chars().any(char::is_control)
    {
        return Err(ApiError::Unprocessable(
            "conversion.converter",
            "Người chuyển đổi: bắt buộc, tối đa 100 ký tự / converter: who converts, 1 to 100 \
             characters"
                .into(),
        ));
    }
    for _attempt in 0..5 {
        let (mut rec, version) = crate::invoices::load(ts, id).await?;
        let bytes = pdf::of_invoice(
            svc,
            ts,
            &rec,
            Some(pdf::Converted {
                converter: converter.to_owned(),
                date: svc.clock.now_vn().date,
            }),
        )
        .await?;
        rec.updated_at = svc.clock.now();
        let entry = crate::invoices::audit_with(
            ts,
            &mut rec,
            actor,
            "converted",
            Some(format!("converted to paper by {converter}")),
        );
        let ops = vec![
            Op::Put {
                key: ts.key("INV", id),
                data: serde_json::to_vec(&rec).expect("records serialize"),
                condition: crate::store::Condition::Version(version),
            },
            entry,
        ];
        match ts.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "invoice.converted", tenant = ts.tenant(), invoice_id = %id, actor);
                return Ok(bytes);
            }
            Err(crate::store::StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}
