//! Orders → the draft the server composes, and the ERP's amounts checked against the core's.
//!
//! The invoice always carries the core's figures (`hoadon_core::totals`, the one rounding
//! policy). The ERP's line amounts, line VAT and grand total are compared with them: a
//! difference beyond one unit of the currency's smallest amount **per line** (an ERP rounds VAT
//! per line, the law once per rate) is reported with both figures (`order.amount`), and the
//! tenant's setting refuses or accepts it. A line invoiced in part (a delivery) is compared
//! only when the delivery takes all of it: the ERP's figures are for the whole line.

use super::OrderRecord;
use super::mapping::{Resolved, prefix};
use hoadon_core::Finding;
use hoadon_core::Invoice;
use hoadon_core::api::orders::OrderLine;
use hoadon_core::catalog::error as finding;
use hoadon_core::model::TaxRate;
use hoadon_core::model::{DraftInput, LineDocument, PartyDocument};
use hoadon_core::money::{Currency, format_vi, round_money};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One order and the quantity of each line to invoice now.
pub struct Part<'a> {
    pub rec: &'a OrderRecord,
    pub quantities: BTreeMap<String, Decimal>,
}

/// Where each line of the draft came from: (order index, line index, the whole line).
pub type Sources = Vec<(usize, usize, bool)>;

fn text(map: &Map<String, Value>, field: &str) -> Option<String> {
    map.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// The draft for `parts` in `series` (form + symbol) dated `issue_date`: the buyer from the
/// customer's catalog entry, each line from its product entry with the order's name, unit,
/// price and rate where the order gives them. Nothing of the ERP's reaches the document but
/// these values, which the core validates like any draft's.
pub fn draft(
    parts: &[Part<'_>],
    resolved: &Resolved,
    series: &str,
    issue_date: &str,
) -> (DraftInput, Sources) {
    let first = &parts[0].rec.order;
    let c = &resolved.customer;
    let buyer = PartyDocument {
        code: text(c, "code"),
        name: text(c, "name"),
        tax_id: text(c, "tax_id"),
        address: text(c, "address"),
        email: text(c, "email"),
        phone: text(c, "phone"),
        contact_name: text(c, "contact_name"),
        bank_account: text(c, "bank_account"),
        bank_name: text(c, "bank_name"),
        ..PartyDocument::default()
    };
    let mut lines = Vec::new();
    let mut sources = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        for (i, line) in part.rec.order.lines.iter().enumerate() {
            let qty = part
                .quantities
                .get(&line.line_id)
                .copied()
                .unwrap_or_default();
            if qty <= Decimal::ZERO {
                continue;
            }
            let whole = qty == line.quantity;
            let product = resolved
                .products
                .get(&line.product_code)
                .cloned()
                .unwrap_or_default();
            lines.push(line_document(line, &product, qty, whole));
            sources.push((k, i, whole));
        }
    }
    let (form, symbol) = series.split_at(series.len().min(1));
    let input = DraftInput {
        format_version: None,
        name: None,
        form: form.to_owned(),
        symbol: symbol.to_owned(),
        issue_date: issue_date.to_owned(),
        currency: first.currency.clone(),
        exchange_rate: first.exchange_rate,
        payment_method: Some(
            first
                .payment_method
                .clone()
                .unwrap_or_else(|| "TM/CK".to_owned()),
        ),
        buyer,
        lines,
        declared: None,
        extensions: Default::default(),
    };
    (input, sources)
}

fn line_document(
    line: &OrderLine,
    product: &Map<String, Value>,
    qty: Decimal,
    whole: bool,
) -> LineDocument {
    // A delivery's share of a fixed discount, in proportion to its quantity (rounded like
    // every amount when the invoice is computed).
    let discount_amount = line.discount_amount.map(|d| {
        if whole || line.quantity.is_zero() {
            d
        } else {
            d.checked_mul(qty)
                .and_then(|x| x.checked_div(line.quantity))
                .unwrap_or(d)
        }
    });
    LineDocument {
        nature: 1,
        code: text(product, "code"),
        name: line
            .name
            .clone()
            .or_else(|| text(product, "name"))
            .unwrap_or_default(),
        unit: line.unit.clone().or_else(|| text(product, "unit")),
        quantity: Some(qty),
        unit_price: line.unit_price.or_else(|| {
            text(product, "unit_price").and_then(|p| hoadon_core::money::parse_decimal(&p))
        }),
        discount_rate: line.discount_rate,
        discount_amount,
        amount: None,
        tax_rate: line.tax_rate.clone().or_else(|| text(product, "tax_rate")),
        extensions: Vec::new(),
    }
}

/// The ERP's figures that differ from the invoice's by more than the per-line tolerance, each
/// at its path with both figures.
pub fn amount_differences(
    parts: &[Part<'_>],
    sources: &Sources,
    invoice: &Invoice,
) -> Vec<Finding> {
    let currency = invoice.currency();
    let unit = Decimal::new(1, currency.scale());
    let totals = invoice.totals();
    let mut out = Vec::new();
    let n = parts.len();
    for (d, &(k, i, whole)) in sources.iter().enumerate() {
        if !whole {
            continue;
        }
        let line = &parts[k].rec.order.lines[i];
        let Some(figures) = totals.lines.get(d) else {
            continue;
        };
        let amount = figures.amount.unwrap_or_default();
        if let Some(erp) = line.amount
            && (erp - amount).abs() > unit
        {
            out.push(difference(
                format!("{}lines[{i}].amount", prefix(n, k)),
                erp,
                amount,
                currency,
            ));
        }
        if let Some(erp) = line.vat_amount {
            let rate = invoice.lines()[d].tax_rate.map(|r: TaxRate| r.percent());
            let vat = rate
                .and_then(|r| amount.checked_mul(r))
                .map(|x| round_money(x / Decimal::ONE_HUNDRED, currency))
                .unwrap_or_default();
            if (erp - vat).abs() > unit {
                out.push(difference(
                    format!("{}lines[{i}].vat_amount", prefix(n, k)),
                    erp,
                    vat,
                    currency,
                ));
            }
        }
    }
    // The grand total, for one order invoiced whole: its lines' tolerances add up.
    if let [part] = parts
        && let Some(erp) = part.rec.order.total
        && sources.iter().all(|s| s.2)
        && sources.len() == part.rec.order.lines.len()
    {
        let tolerance = unit * Decimal::from(sources.len().max(1) as u64);
        if (erp - totals.total).abs() > tolerance {
            out.push(difference("total".into(), erp, totals.total, currency));
        }
    }
    out
}

fn difference(path: String, erp: Decimal, core: Decimal, currency: Currency) -> Finding {
    let code = currency.code();
    finding(
        "order.amount",
        path,
        format!(
            "ERP gửi {} {code}, hóa đơn tính {} {code} (chênh {} {code}); hóa đơn luôn dùng số do hệ thống tính.",
            format_vi(erp),
            format_vi(core),
            format_vi(erp - core)
        ),
        format!(
            "The ERP sent {erp} {code}, the invoice computes {core} {code} (difference {}); the \
             invoice always carries the computed figure.",
            erp - core
        ),
    )
}
