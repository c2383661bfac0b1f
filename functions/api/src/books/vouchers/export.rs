//! Vouchers as files for an accounting system's import: one row per posting line, CSV or
//! `.xlsx`, with what reversed what (a voucher exported and then reversed shows the reversal's
//! number; the reversal names the voucher it undoes).

use super::{VoucherRecord, by_date};
use crate::catalogs::{ExportFile, ExportFormat, csv, xlsx};
use crate::error::ApiError;
use crate::store::TenantStore;

const HEADER: &[&str] = &[
    "voucher_number",
    "voucher_date",
    "kind",
    "description",
    "invoice_form",
    "invoice_symbol",
    "invoice_number",
    "invoice_date",
    "authority_code",
    "seller_tax_id",
    "customer_code",
    "customer_name",
    "customer_tax_id",
    "customer_address",
    "currency",
    "exchange_rate",
    "receivable_account",
    "product_code",
    "line_description",
    "unit",
    "quantity",
    "amount",
    "amount_vnd",
    "vat_rate",
    "vat",
    "vat_vnd",
    "revenue_account",
    "vat_account",
    "reverses",
    "reversed_by",
];

/// Columns holding numbers (number cells in `.xlsx`).
const NUMERIC: &[&str] = &[
    "exchange_rate",
    "quantity",
    "amount",
    "amount_vnd",
    "vat",
    "vat_vnd",
];

fn rows(v: &VoucherRecord) -> Vec<Vec<String>> {
    let w = &v.view;
    let d = &w.draft;
    let head = |l: Option<&hoadon_core::api::books::VoucherLine>| -> Vec<String> {
        // Names come from other companies' files: a cell a spreadsheet would run as a formula
        // (`=HYPERLINK(…)`) is written as text.
        let s = |o: &Option<String>| inert(o.clone().unwrap_or_default());
        let n = |x: rust_decimal::Decimal| x.normalize().to_string();
        vec![
            w.number.clone(),
            d.date.clone(),
            serde_json::to_value(d.kind)
                .ok()
                .and_then(|k| k.as_str().map(str::to_owned))
                .unwrap_or_default(),
            inert(d.description.clone()),
            w.invoice.form.clone(),
            w.invoice.symbol.clone(),
            w.invoice.number.to_string(),
            w.invoice_date.clone(),
            s(&w.authority_code),
            w.invoice.seller_tax_id.clone(),
            s(&d.customer.code),
            s(&d.customer.name),
            s(&d.customer.tax_id),
            s(&d.customer.address),
            w.currency.clone(),
            n(w.exchange_rate),
            d.receivable_account.clone(),
            l.map(|l| s(&l.product_code)).unwrap_or_default(),
            l.map(|l| inert(l.description.clone())).unwrap_or_default(),
            l.map(|l| s(&l.unit)).unwrap_or_default(),
            l.and_then(|l| l.quantity).map(n).unwrap_or_default(),
            l.map(|l| n(l.amount)).unwrap_or_default(),
            l.map(|l| n(l.amount_vnd)).unwrap_or_default(),
            l.map(|l| l.vat_rate.clone()).unwrap_or_default(),
            l.map(|l| n(l.vat)).unwrap_or_default(),
            l.map(|l| n(l.vat_vnd)).unwrap_or_default(),
            l.map(|l| l.revenue_account.clone()).unwrap_or_default(),
            l.map(|l| l.vat_account.clone()).unwrap_or_default(),
            s(&d.reverses),
            s(&w.reversed_by),
        ]
    };
    if d.lines.is_empty() {
        return vec![head(None)];
    }
    d.lines.iter().map(|l| head(Some(l))).collect()
}

/// Text that a spreadsheet would read as a formula, made inert with a leading `'`.
fn inert(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// `GET /api/vouchers/export?from&to&format`.
pub async fn export(
    ts: &TenantStore,
    from: &str,
    to: &str,
    format: ExportFormat,
) -> Result<ExportFile, ApiError> {
    let (from, to) = crate::books::period(from, to)?;
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = by_date(ts, &from, &to, cursor.as_deref(), 500).await?;
        all.extend(page.iter().flat_map(rows));
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let name = format!("vouchers-{from}-{to}");
    Ok(match format {
        ExportFormat::Csv => ExportFile {
            content_type: "text/csv; charset=utf-8",
            file_name: format!("{name}.csv"),
            bytes: csv(HEADER, all.into_iter()),
        },
        ExportFormat::Xlsx => ExportFile {
            content_type: crate::catalogs::table::XLSX_TYPE,
            file_name: format!("{name}.xlsx"),
            bytes: xlsx(
                "Chứng từ",
                HEADER,
                all.into_iter().map(|r| {
                    HEADER
                        .iter()
                        .zip(r)
                        .map(|(h, v)| (NUMERIC.contains(h), v))
                        .collect()
                }),
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        },
    })
}
