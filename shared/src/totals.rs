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

/// Computed figures of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineFigures {
    /// `STCKhau`: the discount, when the line has one.
    pub discount: Option<Decimal>,
    /// `ThTien`: `None` for promotion and note lines.
    pub amount: Option<Decimal>,
}

/// One `LTSuat` row. `rate` is `None` for lines without a VAT rate (sales invoices, form 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaxGroup {
    pub rate: Option<TaxRate>,
    pub net: Decimal,
    pub vat: Decimal,
}

/// Everything `TToan` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub currency: Currency,
    pub lines: Vec<LineFigures>,
    /// In order of first appearance among the lines.
    pub groups: Vec<TaxGroup>,
    pub total_before_vat: Decimal,
    pub total_vat: Decimal,
    pub trade_discount: Decimal,
    pub total: Decimal,
}

/// Figures of one line.
pub fn line_figures(line: &LineInput, currency: Currency) -> LineFigures {
    if !matches!(line.nature, LineNature::Goods | LineNature::TradeDiscount) {
        return LineFigures {
            discount: None,
            amount: None,
        };
    }
    match (line.quantity, line.unit_price) {
        (Some(q), Some(p)) => {
            let gross = q * p;
            let discount = match (line.discount_amount, line.discount_rate) {
                (Some(a), _) => Some(round_money(a, currency)),
                (None, Some(r)) => Some(round_money(gross * r / Decimal::ONE_HUNDRED, currency)),
                (None, None) => None,
            };
            LineFigures {
                discount,
                amount: Some(round_money(gross - discount.unwrap_or_default(), currency)),
            }
        }
        _ => LineFigures {
            discount: line.discount_amount.map(|a| round_money(a, currency)),
            amount: line.amount.map(|a| round_money(a, currency)),
        },
    }
}

/// Computes every figure of an invoice from its lines.
pub fn compute(currency: Currency, lines: &[LineInput]) -> Totals {
    let mut figures = Vec::with_capacity(lines.len());
    let mut groups: Vec<TaxGroup> = Vec::new();
    let mut trade_discount = Decimal::ZERO;
    for line in lines {
        let f = line_figures(line, currency);
        figures.push(f);
        let Some(amount) = f.amount else { continue };
        let signed = if line.nature == LineNature::TradeDiscount {
            trade_discount += amount;
            -amount
        } else {
            amount
        };
        match groups.iter_mut().find(|g| g.rate == line.tax_rate) {
            Some(g) => g.net += signed,
            None => groups.push(TaxGroup {
                rate: line.tax_rate,
                net: signed,
                vat: Decimal::ZERO,
            }),
        }
    }
    for g in &mut groups {
        g.net = g.net.normalize();
        let pct = g.rate.map(|r| r.percent()).unwrap_or_default();
        g.vat = round_money(g.net * pct / Decimal::ONE_HUNDRED, currency);
    }
    let total_before_vat = groups.iter().map(|g| g.net).sum::<Decimal>().normalize();
    let total_vat = groups.iter().map(|g| g.vat).sum::<Decimal>().normalize();
    Totals {
        currency,
        lines: figures,
        groups,
        total_before_vat,
        total_vat,
        trade_discount: trade_discount.normalize(),
        total: (total_before_vat + total_vat).normalize(),
    }
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
        );
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
        let t = compute(Currency::VND, &[l, l, l]);
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
        );
        assert_eq!(t.trade_discount, dec!(100000));
        assert_eq!(t.groups[0].net, dec!(4900000));
        assert_eq!(t.total_vat, dec!(490000));
        assert_eq!(t.total, dec!(5390000));
    }

    #[test]
    fn discount_rate_gives_a_rounded_discount_amount() {
        let mut l = goods(dec!(3), dec!(333), TaxRate::Eight);
        l.discount_rate = Some(dec!(12.5));
        let f = line_figures(&l, Currency::VND);
        assert_eq!(f.discount, Some(dec!(125))); // 999 × 12.5% = 124.875
        assert_eq!(f.amount, Some(dec!(874)));
    }

    #[test]
    fn foreign_currency_rounds_to_cents() {
        let t = compute(Currency::USD, &[goods(dec!(3), dec!(33.333), TaxRate::Ten)]);
        assert_eq!(t.total_before_vat, dec!(100));
        assert_eq!(t.total_vat, dec!(10));
    }
}
