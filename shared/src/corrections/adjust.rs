//! An adjustment's figures: its signs follow its direction, and the original with its valid
//! adjustments gives the corrected figures (what the app shows and the books hold).
//!
//! Each adjustment is a complete invoice of differences: its VAT is computed on its own lines
//! per rate, as every invoice's is, so the cumulative VAT of a rate is the sum of the documents'
//! VAT (each rounded once), which can differ from VAT recomputed on the cumulative net by at
//! most one smallest unit per document and rate. That is the law's figure: each document is
//! what was declared.

use super::Direction;
use crate::model::{LineDocument, TaxRate};
use crate::totals::{TaxGroup, Totals};
use rust_decimal::Decimal;
use serde::Serialize;

/// The original plus its adjustments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cumulative {
    /// Per rate, in order of first appearance (the original's rates first).
    pub groups: Vec<TaxGroup>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub total_before_vat: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub total_vat: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub trade_discount: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub total: Decimal,
}

/// A sum past `decimal(21,6)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

fn add(a: Decimal, b: Decimal) -> Result<Decimal, TooLarge> {
    a.checked_add(b)
        .filter(|s| crate::totals::in_range(*s))
        .ok_or(TooLarge)
}

/// The original's figures with every adjustment's added, rate by rate (checked arithmetic).
pub fn cumulative(original: &Totals, adjustments: &[Totals]) -> Result<Cumulative, TooLarge> {
    let mut c = Cumulative {
        groups: original.groups.clone(),
        total_before_vat: original.total_before_vat,
        total_vat: original.total_vat,
        trade_discount: original.trade_discount,
        total: original.total,
    };
    for a in adjustments {
        for g in &a.groups {
            match c.groups.iter_mut().find(|x| x.rate == g.rate) {
                Some(x) => {
                    x.net = add(x.net, g.net)?;
                    x.vat = add(x.vat, g.vat)?;
                }
                None => c.groups.push(*g),
            }
        }
        c.total_before_vat = add(c.total_before_vat, a.total_before_vat)?;
        c.total_vat = add(c.total_vat, a.total_vat)?;
        c.trade_discount = add(c.trade_discount, a.trade_discount)?;
        c.total = add(c.total, a.total)?;
    }
    Ok(c)
}

/// Whether figure `v` has the sign `direction` asks for: an increase is written positive, a
/// decrease negative (Decree 70; reference §4.3), an information-only adjustment carries none.
pub fn sign_fits(direction: Direction, v: Decimal) -> bool {
    match direction {
        Direction::Increase => !v.is_sign_negative() || v.is_zero(),
        Direction::Decrease => v.is_sign_negative() || v.is_zero(),
        Direction::Information => v.is_zero(),
    }
}

/// The adjustment lines that take `original` to `corrected`, line by line (same position, same
/// rate): the difference of the amounts, as a line without quantity and price (what changed is
/// the amount; the name says which line). Lines whose amount did not change are left out; a
/// line only in `corrected` is added whole, a line only in `original` is taken out whole.
/// Amounts must be given (`amount`) or computable from quantity × price.
pub fn between(
    original: &[LineDocument],
    corrected: &[LineDocument],
    currency: crate::money::Currency,
) -> Vec<LineDocument> {
    let amount = |l: &LineDocument| -> Decimal {
        let input = crate::totals::LineInput {
            nature: crate::model::LineNature::from_code(l.nature)
                .unwrap_or(crate::model::LineNature::Goods),
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount_rate: l.discount_rate,
            discount_amount: l.discount_amount,
            amount: l.amount,
            tax_rate: l.tax_rate.as_deref().and_then(|r| TaxRate::parse(r).ok()),
        };
        crate::totals::line_figures(&input, currency)
            .ok()
            .and_then(|f| f.amount)
            .unwrap_or_default()
    };
    let n = original.len().max(corrected.len());
    let mut out = Vec::new();
    for i in 0..n {
        let (o, c) = (original.get(i), corrected.get(i));
        let delta = c.map_or(Decimal::ZERO, amount) - o.map_or(Decimal::ZERO, amount);
        if delta.is_zero() {
            continue;
        }
        let base = c.or(o).expect("one of them exists");
        out.push(LineDocument {
            nature: base.nature,
            code: base.code.clone(),
            name: base.name.clone(),
            unit: base.unit.clone(),
            amount: Some(delta),
            tax_rate: base.tax_rate.clone(),
            ..Default::default()
        });
    }
    out
}
