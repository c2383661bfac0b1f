//! The Chinese red-letter reversal (红冲, reference §6.2) in the model: the confirmation form is
//! the same [`super::ConfirmationState`] entity as Vietnam's buyer agreement (entered by either
//! side, confirmed by the other, revocable by its initiator), under its own rule row
//! ([`super::rules::Rule::RedLetterConfirmation`]); the red invoice is the blue one's lines
//! negated — all of them (full) or those named, in the blue invoice's order (partial) — and its
//! amount in words reads "（负数）…". The Chinese platform itself (its format, its numbering) is
//! not modelled.

use super::Refused;
use super::confirmation::{ConfirmationState, check_partial_lines};
use crate::model::LineDocument;

/// What a red-letter confirmation form reverses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole blue invoice (no line details needed).
    Full,
    /// The named lines of the blue invoice (0-based, in its order).
    Partial(Vec<u32>),
}

/// The red invoice's lines for a confirmed form: the blue invoice's lines (all, or those of a
/// partial scope) with quantities and amounts negated. Refused while the form does not allow
/// issuing (the negative invoice comes only after confirmation).
pub fn red_lines(
    blue: &[LineDocument],
    scope: &Scope,
    state: ConfirmationState,
) -> Result<Vec<LineDocument>, Refused> {
    if !state.allows_issue() {
        return Err(Refused {
            code: "red_letter.not_confirmed",
            message_vi: "Hóa đơn đỏ (âm) chỉ lập sau khi phiếu xác nhận được xác nhận.".into(),
            message_en:
                "The red (negative) invoice comes only after the confirmation form is confirmed."
                    .into(),
        });
    }
    let chosen: Vec<&LineDocument> = match scope {
        Scope::Full => blue.iter().collect(),
        Scope::Partial(lines) => {
            check_partial_lines(lines, blue.len())?;
            lines.iter().map(|&i| &blue[i as usize]).collect()
        }
    };
    Ok(chosen
        .into_iter()
        .map(|l| {
            // The quantity carries the sign (price stays positive); a given amount follows it.
            let mut r = l.clone();
            r.quantity = r.quantity.map(|q| -q);
            r.amount = r.amount.map(|a| -a);
            r.discount_amount = r.discount_amount.map(|a| -a);
            r
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::confirmation::{ConfirmationEvent, Side};
    use super::*;
    use crate::money::Currency;
    use crate::totals::{LineInput, compute};
    use crate::words::zh::{ZhOptions, amount_in_words};
    use rust_decimal::Decimal;

    fn line(name: &str, q: i64, p: i64) -> LineDocument {
        LineDocument {
            nature: 1,
            name: name.into(),
            quantity: Some(Decimal::from(q)),
            unit_price: Some(Decimal::from(p)),
            ..Default::default()
        }
    }

    fn total(lines: &[LineDocument]) -> Decimal {
        let inputs: Vec<LineInput> = lines
            .iter()
            .map(|l| LineInput {
                nature: crate::model::LineNature::Goods,
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount_rate: None,
                discount_amount: None,
                amount: l.amount,
                tax_rate: None,
            })
            .collect();
        compute(Currency::CNY, &inputs).unwrap().total
    }

    #[test]
    fn a_buyer_entered_form_confirmed_by_the_seller_reverses_the_chosen_lines_in_order() {
        let blue = vec![line("甲", 2, 100), line("乙", 1, 300), line("丙", 5, 20)];
        let form = ConfirmationState::entered(Side::Buyer, true);
        assert_eq!(form, ConfirmationState::AwaitingSeller);
        let partial = Scope::Partial(vec![0, 2]);
        assert_eq!(
            red_lines(&blue, &partial, form).unwrap_err().code,
            "red_letter.not_confirmed"
        );
        let confirmed = form
            .apply(ConfirmationEvent::Confirm(Side::Seller), Side::Buyer)
            .unwrap();
        let red = red_lines(&blue, &partial, confirmed).unwrap();
        assert_eq!(
            red.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["甲", "丙"]
        );
        assert_eq!(total(&red), Decimal::from(-300));
        let words = amount_in_words(
            total(&red),
            Currency::CNY,
            &ZhOptions { yuan_variant: true },
        );
        assert_eq!(words, "（负数）叁佰圆整");
        assert!(red_lines(&blue, &Scope::Partial(vec![2, 0]), confirmed).is_err());
        let full = red_lines(&blue, &Scope::Full, ConfirmationState::NotNeeded).unwrap();
        assert_eq!(total(&full), -total(&blue));
    }
}
