//! One correction for several invoices (Decree 70, from 1 June 2025: the rule `SeveralInvoices`
//! keyed on the correction's date): the other invoices must be the same buyer's, issued in the
//! same month as the first, each open to the method; the list 01/BK-ĐCTT is kept as data on the
//! correction (no XML is invented for it) and every listed invoice carries the correction in its
//! own chain, moved in the same transactions as the first.

use super::{refused, rule_context};
use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services, load};
use crate::store::TenantStore;
use hoadon_core::api::corrections::{CoveredInput, ListedInvoice};
use hoadon_core::corrections::rules::{Jurisdiction, Rule, rule_at};
use hoadon_core::corrections::{Direction, Method};

/// Most invoices one correction covers besides the first (each adds two operations to every
/// transaction that moves the correction).
pub const MAX_ALSO: usize = 10;

fn buyer_key(r: &InvoiceRecord) -> String {
    let b = &r.document.buyer;
    match b.tax_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("mst:{t}"),
        None => format!(
            "name:{}",
            b.name.as_deref().unwrap_or_default().trim().to_lowercase()
        ),
    }
}

fn month(r: &InvoiceRecord) -> &str {
    r.document.issue_date.trim().get(..7).unwrap_or_default()
}

/// An invoice as its list row.
pub(super) fn listed(
    r: &InvoiceRecord,
    difference: Option<rust_decimal::Decimal>,
) -> ListedInvoice {
    ListedInvoice {
        invoice_id: r.id.clone(),
        form: r.document.form.trim().to_owned(),
        symbol: r.document.symbol.trim().to_owned(),
        number: r.number.unwrap_or_default(),
        issue_date: r.document.issue_date.trim().to_owned(),
        total: hoadon_core::check(&r.document)
            .invoice
            .map(|i| i.totals().total)
            .unwrap_or_default(),
        difference,
    }
}

/// The other invoices of a correction of `first`, loaded, checked and with the correction
/// begun in their chains (to be written by the caller's transaction at their versions).
pub(super) async fn covered(
    svc: &Services,
    ts: &TenantStore,
    first: &InvoiceRecord,
    also: &[CoveredInput],
    correction_id: &str,
    method: Method,
    direction: Option<Direction>,
) -> Result<Vec<(InvoiceRecord, u64, ListedInvoice)>, ApiError> {
    if also.is_empty() {
        return Ok(Vec::new());
    }
    allowed_at(&rule_context(svc, first)?)?;
    if also.len() > MAX_ALSO {
        return Err(ApiError::Unprocessable(
            "correction.list",
            format!("also: at most {MAX_ALSO} more invoices"),
        ));
    }
    let mut out: Vec<(InvoiceRecord, u64, ListedInvoice)> = Vec::new();
    for (i, c) in also.iter().enumerate() {
        let dup = c.invoice_id == first.id || out.iter().any(|(r, ..)| r.id == c.invoice_id);
        let (mut rec, version) = match load(ts, &c.invoice_id).await {
            Ok(r) if !dup => r,
            Ok(_) | Err(ApiError::NotFound) => {
                return Err(ApiError::Unprocessable(
                    "correction.list",
                    format!("also[{i}].invoice_id: no such invoice, or listed twice"),
                ));
            }
            Err(e) => return Err(e),
        };
        if buyer_key(&rec) != buyer_key(first) || month(&rec) != month(first) {
            return Err(ApiError::Unprocessable(
                "correction.list",
                format!(
                    "also[{i}]: hóa đơn {} không cùng người mua hoặc cùng tháng với hóa đơn đầu / \
                     not the same buyer, or not the same month, as the first invoice",
                    c.invoice_id
                ),
            ));
        }
        let ctx = rule_context(svc, &rec)?;
        rec.corrections
            .begin(correction_id, method, direction, &ctx)
            .map_err(refused)?;
        let row = listed(&rec, c.difference);
        out.push((rec, version, row));
    }
    Ok(out)
}

/// Whether one correction may cover several invoices on the correction's date.
pub(super) fn allowed_at(ctx: &hoadon_core::corrections::RuleContext) -> Result<(), ApiError> {
    let row = rule_at(
        Rule::SeveralInvoices,
        Jurisdiction::Vn,
        ctx.original_date,
        ctx.today,
    );
    if !row.applies {
        return Err(ApiError::Unprocessable(
            "correction.several_not_allowed",
            format!(
                "Theo {} một hóa đơn điều chỉnh/thay thế chỉ cho một hóa đơn (nhiều hóa đơn: từ \
                 01/06/2025, bảng kê 01/BK-ĐCTT) / under {} one correction covers one invoice \
                 (several, listed on 01/BK-ĐCTT, from 1 June 2025)",
                row.basis, row.basis
            ),
        ));
    }
    Ok(())
}

/// The 01/BK-ĐCTT differences: every listed invoice states its difference, and they add up to
/// the correction's total (what the list says is what the correction invoice carries).
pub(super) fn differences_add_up(
    rec: &InvoiceRecord,
    list: &[ListedInvoice],
) -> Result<(), ApiError> {
    let total = hoadon_core::check(&rec.document)
        .invoice
        .map(|i| i.totals().total)
        .unwrap_or_default();
    let mut sum = rust_decimal::Decimal::ZERO;
    for (i, l) in list.iter().enumerate() {
        let Some(d) = l.difference else {
            return Err(ApiError::Unprocessable(
                "correction.list_difference",
                format!(
                    "list[{i}] ({}): bảng kê 01/BK-ĐCTT ghi chênh lệch của từng hóa đơn / the \
                     01/BK-ĐCTT list states each invoice's difference",
                    l.invoice_id
                ),
            ));
        };
        sum = sum.checked_add(d).ok_or_else(|| {
            ApiError::Unprocessable("correction.list_difference", "differences too large".into())
        })?;
    }
    if sum != total {
        return Err(ApiError::Unprocessable(
            "correction.list_difference",
            format!(
                "Tổng chênh lệch trong bảng kê ({sum}) khác tổng tiền của hóa đơn ({total}) / the \
                 list's differences add up to {sum}, the correction's total is {total}"
            ),
        ));
    }
    Ok(())
}
