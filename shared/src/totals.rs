//! Totals: the single calculation used by the browser editor, the server and the XML writer.
//!
//! Rules (vn-einvoice §1.8, §2.5; identical in every consistent real sample):
//! - a line's amount (`ThTien`) = round(quantity × unit price − discount), where the discount is
//!   the given amount or round(quantity × unit price × discount rate / 100);
//! - trade-discount lines (nature 3) carry a positive amount and a rate, and *reduce* the net of
//!   their rate group; `TTCKTMai` is their sum;
//! - promotion (2) and note (4) lines carry no amount;
//! - VAT is computed **once per rate group**: round(group net × rate / 100);
//! - `TgTCThue` = Σ group nets, `TgTThue` = Σ group VAT, `TgTTTBSo` = `TgTCThue` + `TgTThue`.
//!
//! All rounding goes through [`crate::money::round_money`].
//!
//! Every product and sum is checked: a document is untrusted input, and 999999999999999 ×
//! 999999999999999 is past `Decimal`'s range (about 7.9 × 10^28), which would panic the server
//! and the browser alike. A figure the GDT format cannot carry (amounts are `decimal(21,6)`: see
//! [`AMOUNT_LIMIT`]) is reported as out of range, never computed into a file.

use crate::model::{LineNature, TaxRate};
use crate::money::{Currency, round_money};
use rust_decimal::Decimal;
use serde::Serialize;

/// What the calculation needs of a line; built from a validated line or from a draft being typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineInput {
    pub nature: LineNature,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub discount_rate: Option<Decimal>,
    pub discount_amount: Option<Decimal>,
    /// Used when quantity or unit price is missing (a trade-discount line given as an amount).
    pub amount: Option<Decimal>,
    pub tax_rate: Option<TaxRate>,
}

/// Amounts in the GDT format are `decimal(21,6)` (vn-einvoice §1.7, §1.8): at most 15 digits
/// before the point, so every amount must be smaller than 10^15 in magnitude.
pub const AMOUNT_LIMIT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// Whether `GDT decimal(21,6)` can carry `amount`'s integer part.
pub fn in_range(amount: Decimal) -> bool {
    amount.abs() < AMOUNT_LIMIT
}

/// A line's figures are past what the format (or `Decimal`) can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

/// Where a calculation left the range: one line's own figures, or a group or invoice total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Index of the line among those passed in.
    Line(usize),
    Totals,
}

/// Computed figures of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineFigures {
    /// `STCKhau`: the discount, when the line has one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    pub discount: Option<Decimal>,
    /// `ThTien`: `None` for promotion and note lines.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    pub amount: Option<Decimal>,
}

impl LineFigures {
    /// A line that counts as nothing: promotion and note lines, and in a preview the lines that
    /// cannot be read yet.
    pub const NONE: LineFigures = LineFigures {
        discount: None,
        amount: None,
    };
}

/// One `LTSuat` row. `rate` is `None` for lines without a VAT rate (sales invoices, form 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxGroup {
    /// As `tax_rate` is written: "10%", "KCT", "KHAC:x%", …
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rate: Option<TaxRate>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub net: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    pub vat: Decimal,
}

/// Everything `TToan` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// ISO 4217.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub currency: Currency,
    /// One per line passed in, in order.
    pub lines: Vec<LineFigures>,
    /// In order of first appearance among the lines.
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

/// `quantity × unit_price` when the line has both.
pub fn gross(line: &LineInput) -> Result<Option<Decimal>, OutOfRange> {
    match (line.quantity, line.unit_price) {
        (Some(q), Some(p)) => q.checked_mul(p).map(Some).ok_or(OutOfRange),
        _ => Ok(None),
    }
}

/// `round(gross × rate / 100)`: the discount a `TLCKhau` rate gives.
pub fn rate_discount(
    gross: Decimal,
    rate: Decimal,
    currency: Currency,
) -> Result<Decimal, OutOfRange> {
    percent_of(gross, rate, currency).ok_or(OutOfRange)
}

/// `round(amount × pct / 100)` by the one rounding policy; `None` past `Decimal`'s range.
fn percent_of(amount: Decimal, pct: Decimal, currency: Currency) -> Option<Decimal> {
    let v = amount.checked_mul(pct)?.checked_div(Decimal::ONE_HUNDRED)?;
    Some(round_money(v, currency))
}

/// Figures of one line; out of range when a product overflows or a figure needs 16 or more
/// integer digits.
pub fn line_figures(line: &LineInput, currency: Currency) -> Result<LineFigures, OutOfRange> {
    if !matches!(line.nature, LineNature::Goods | LineNature::TradeDiscount) {
        return Ok(LineFigures::NONE);
    }
    let f = match gross(line)? {
        Some(gross) => {
            let discount = match (line.discount_amount, line.discount_rate) {
                (Some(a), _) => Some(round_money(a, currency)),
                (None, Some(r)) => Some(rate_discount(gross, r, currency)?),
                (None, None) => None,
            };
            let net = gross
                .checked_sub(discount.unwrap_or_default())
                .ok_or(OutOfRange)?;
            LineFigures {
                discount,
                amount: Some(round_money(net, currency)),
            }
        }
        None => LineFigures {
            discount: line.discount_amount.map(|a| round_money(a, currency)),
            amount: line.amount.map(|a| round_money(a, currency)),
        },
    };
    if f.discount.into_iter().chain(f.amount).all(in_range) {
        Ok(f)
    } else {
        Err(OutOfRange)
    }
}

/// Computes every figure of an invoice from its lines. `Err` names the first line whose own
/// figures are out of range, or [`Overflow::Totals`] when a group or invoice total is.
pub fn compute(currency: Currency, lines: &[LineInput]) -> Result<Totals, Overflow> {
    let lines: Vec<Option<LineInput>> = lines.iter().copied().map(Some).collect();
    let t = calculate(currency, &lines)?;
    let totals = [t.total_before_vat, t.total_vat, t.trade_discount, t.total];
    let groups = t.groups.iter().flat_map(|g| [g.net, g.vat]);
    if groups.chain(totals).all(in_range) {
        Ok(t)
    } else {
        Err(Overflow::Totals)
    }
}

/// The totals an editor shows while a document is still being typed: `None` lines (not
/// readable yet) and lines whose own figures are out of range count as nothing, so one absurd
/// figure does not blank the whole screen; totals beyond [`AMOUNT_LIMIT`] are still shown (the
/// validator reports them). Equal to [`compute`] when every line is present and `compute`
/// succeeds. Never panics: the only failure left, a sum past `Decimal`'s 7.9 × 10^28, needs more
/// than 10^13 in-range lines, which no memory holds; it would show zero totals.
pub fn preview(currency: Currency, lines: &[Option<LineInput>]) -> Totals {
    let counted: Vec<Option<LineInput>> = lines
        .iter()
        .map(|l| l.filter(|l| line_figures(l, currency).is_ok()))
        .collect();
    calculate(currency, &counted).unwrap_or_else(|_| Totals {
        currency,
        lines: vec![LineFigures::NONE; lines.len()],
        groups: Vec::new(),
        total_before_vat: Decimal::ZERO,
        total_vat: Decimal::ZERO,
        trade_discount: Decimal::ZERO,
        total: Decimal::ZERO,
    })
}

/// The one calculation behind [`compute`] and [`preview`]; `None` lines count as nothing.
fn calculate(currency: Currency, lines: &[Option<LineInput>]) -> Result<Totals, Overflow> {
    let add = |a: Decimal, b: Decimal| a.checked_add(b).ok_or(Overflow::Totals);
    let mut figures = Vec::with_capacity(lines.len());
    let mut groups: Vec<TaxGroup> = Vec::new();
    let mut trade_discount = Decimal::ZERO;
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line else {
            figures.push(LineFigures::NONE);
            continue;
        };
        let f = line_figures(line, currency).map_err(|_| Overflow::Line(i))?;
        figures.push(f);
        let Some(amount) = f.amount else { continue };
        let signed = if line.nature == LineNature::TradeDiscount {
            trade_discount = add(trade_discount, amount)?;
            -amount
        } else {
            amount
        };
        match groups.iter_mut().find(|g| g.rate == line.tax_rate) {
            Some(g) => g.net = add(g.net, signed)?,
            None => groups.push(TaxGroup {
                rate: line.tax_rate,
                net: signed,
                vat: Decimal::ZERO,
            }),
        }
    }
    let mut total_before_vat = Decimal::ZERO;
    let mut total_vat = Decimal::ZERO;
    for g in &mut groups {
        g.net = g.net.normalize();
        let pct = g.rate.map(|r| r.percent()).unwrap_or_default();
        g.vat = percent_of(g.net, pct, currency).ok_or(Overflow::Totals)?;
        total_before_vat = add(total_before_vat, g.net)?;
        total_vat = add(total_vat, g.vat)?;
    }
    Ok(Totals {
        currency,
        lines: figures,
        groups,
        total_before_vat: total_before_vat.normalize(),
        total_vat: total_vat.normalize(),
        trade_discount: trade_discount.normalize(),
        total: add(total_before_vat, total_vat)?.normalize(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn goods(q: Decimal, p: Decimal, rate: TaxRate) -> LineInput {
        LineInput {
            nature: LineNature::Goods,
            quantity: Some(q),
            unit_price: Some(p),
            discount_rate: None,
            discount_amount: None,
            amount: None,
            tax_rate: Some(rate),
        }
    }

    #[test]
    fn reference_example_has_two_groups_and_the_published_totals() {
        let t = compute(
            Currency::VND,
            &[
                goods(dec!(2), dec!(18500000), TaxRate::Ten),
                goods(dec!(1), dec!(1250000), TaxRate::Ten),
                goods(dec!(10), dec!(55000), TaxRate::Five),
            ],
        )
        .unwrap();
        assert_eq!(t.groups.len(), 2);
        assert_eq!(
            (t.groups[0].net, t.groups[0].vat),
            (dec!(38250000), dec!(3825000))
        );
        assert_eq!(
            (t.groups[1].net, t.groups[1].vat),
            (dec!(550000), dec!(27500))
        );
        assert_eq!(t.total_before_vat, dec!(38800000));
        assert_eq!(t.total_vat, dec!(3852500));
        assert_eq!(t.total, dec!(42652500));
    }

    #[test]
    fn vat_is_rounded_once_per_group_not_per_line() {
        // Three lines of 5 đồng at 10%: per line 0.5 would round to 1 each (3);
        // per group 15 × 10% = 1.5 rounds to 2.
        let l = goods(dec!(1), dec!(5), TaxRate::Ten);
        let t = compute(Currency::VND, &[l, l, l]).unwrap();
        assert_eq!(t.total_vat, dec!(2));
    }

    #[test]
    fn trade_discount_reduces_its_group_and_is_summed() {
        let mut d = goods(dec!(1), dec!(1000000), TaxRate::Ten);
        d.nature = LineNature::TradeDiscount;
        d.quantity = None;
        d.unit_price = None;
        d.amount = Some(dec!(100000));
        let t = compute(
            Currency::VND,
            &[goods(dec!(5), dec!(1000000), TaxRate::Ten), d],
        )
        .unwrap();
        assert_eq!(t.trade_discount, dec!(100000));
        assert_eq!(t.groups[0].net, dec!(4900000));
        assert_eq!(t.total_vat, dec!(490000));
        assert_eq!(t.total, dec!(5390000));
    }

    #[test]
    fn discount_rate_gives_a_rounded_discount_amount() {
        let mut l = goods(dec!(3), dec!(333), TaxRate::Eight);
        l.discount_rate = Some(dec!(12.5));
        let f = line_figures(&l, Currency::VND).unwrap();
        assert_eq!(f.discount, Some(dec!(125))); // 999 × 12.5% = 124.875
        assert_eq!(f.amount, Some(dec!(874)));
    }

    #[test]
    fn foreign_currency_rounds_to_cents() {
        let t = compute(Currency::USD, &[goods(dec!(3), dec!(33.333), TaxRate::Ten)]).unwrap();
        assert_eq!(t.total_before_vat, dec!(100));
        assert_eq!(t.total_vat, dec!(10));
    }

    #[test]
    fn the_amount_limit_is_ten_to_the_fifteenth() {
        assert_eq!(AMOUNT_LIMIT, Decimal::from(10u64.pow(15)));
        assert!(in_range(dec!(999999999999999.999999)));
        assert!(!in_range(dec!(-1000000000000000)));
    }

    #[test]
    fn a_product_past_decimal_is_out_of_range_not_a_panic() {
        let big = dec!(999999999999999);
        let l = goods(big, big, TaxRate::Ten);
        assert_eq!(line_figures(&l, Currency::VND), Err(OutOfRange));
        let ok = goods(dec!(1), dec!(1), TaxRate::Ten);
        assert_eq!(compute(Currency::VND, &[ok, l]), Err(Overflow::Line(1)));
        let mut max = goods(Decimal::MAX, Decimal::MAX, TaxRate::Ten);
        max.discount_rate = Some(Decimal::MAX);
        assert_eq!(line_figures(&max, Currency::VND), Err(OutOfRange));
        // The preview counts the readable line and nothing of the other.
        let p = preview(Currency::VND, &[Some(ok), Some(l), None]);
        assert_eq!(
            p.lines,
            vec![
                line_figures(&ok, Currency::VND).unwrap(),
                LineFigures::NONE,
                LineFigures::NONE
            ]
        );
        assert_eq!(p.total, dec!(1));
    }

    #[test]
    fn in_range_lines_whose_total_is_not_are_a_totals_overflow() {
        let l = goods(dec!(1), dec!(900000000000000), TaxRate::Zero);
        assert!(line_figures(&l, Currency::VND).is_ok());
        assert_eq!(compute(Currency::VND, &[l, l]), Err(Overflow::Totals));
        // The editor still shows the sum it cannot issue.
        assert_eq!(
            preview(Currency::VND, &[Some(l), Some(l)]).total,
            dec!(1800000000000000)
        );
    }
}
