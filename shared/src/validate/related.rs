//! `TTHDLQuan`: the invoice a replacement or adjustment refers to.

use super::Checker;
use crate::date::Date;
use crate::model::*;

pub(super) fn check_related(
    c: &mut Checker,
    r: &RelatedInvoiceDocument,
    issue_date: Option<Date>,
) -> Option<RelatedInvoice> {
    let kind = match r.kind {
        1 => Some(Correction::Replacement),
        2 => Some(Correction::Adjustment),
        _ => {
            c.invalid(
                "related.kind",
                "related.kind",
                "1 = thay thế, 2 = điều chỉnh",
                "1 = replacement, 2 = adjustment",
            );
            None
        }
    };
    if !(1..=4).contains(&r.regime) {
        c.invalid(
            "related.regime",
            "related.regime",
            "từ 1 đến 4",
            "from 1 to 4",
        );
    }
    if let Some(d) = r.direction
        && d > 2
    {
        c.invalid(
            "related.direction",
            "related.direction",
            "0 = thông tin, 1 = tăng, 2 = giảm",
            "0 = information, 1 = increase, 2 = decrease",
        );
    }
    let form = c.text("related.form", &Some(r.form.clone()), 11, true);
    let symbol = c.text("related.symbol", &Some(r.symbol.clone()), 8, true);
    let number = c.text("related.number", &Some(r.number.clone()), 8, true);
    let note = c.text("related.note", &r.note, 255, false);
    let date = match r.issue_date.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            c.invalid(
                "date.format",
                "related.issue_date",
                "dạng YYYY-MM-DD",
                "use YYYY-MM-DD",
            );
            None
        }
    };
    if let (Some(d), Some(issue)) = (date, issue_date)
        && d > issue
    {
        c.invalid(
            "related.date_after_issue",
            "related.issue_date",
            "hóa đơn bị thay thế/điều chỉnh phải lập trước hóa đơn này",
            "the corrected invoice must be older than this one",
        );
    }
    Some(RelatedInvoice {
        kind: kind?,
        regime: r.regime,
        form: form?,
        symbol: symbol?,
        number: number?,
        issue_date: date?,
        note,
        direction: r.direction,
    })
}

/// An adjustment's figures carry its direction's sign (an increase positive, a decrease
/// negative, an information-only adjustment none): a decrease written with a positive line would
/// raise what it claims to lower.
pub(super) fn check_direction(c: &mut Checker, r: &RelatedInvoice, t: &crate::Totals) {
    use crate::corrections::{Direction, adjust::sign_fits};
    let Some(direction) = (r.kind == Correction::Adjustment)
        .then_some(r.direction)
        .flatten()
        .and_then(Direction::from_code)
    else {
        return;
    };
    let (vi, en) = match direction {
        Direction::Increase => (
            "điều chỉnh tăng ghi số dương",
            "an increase is written positive",
        ),
        Direction::Decrease => (
            "điều chỉnh giảm ghi số âm",
            "a decrease is written negative",
        ),
        Direction::Information => (
            "điều chỉnh thông tin không có số tiền",
            "an information-only adjustment carries no amounts",
        ),
    };
    let mut wrong = Vec::new();
    for (i, f) in t.lines.iter().enumerate() {
        if f.amount.is_some_and(|a| !sign_fits(direction, a)) {
            wrong.push(format!("lines[{i}].amount"));
        }
    }
    if wrong.is_empty() && !sign_fits(direction, t.total) {
        wrong.push("declared.total".into());
    }
    for path in wrong {
        c.error(
            "adjustment.sign",
            &path,
            format!("Số tiền ngược dấu với hướng điều chỉnh: {vi}."),
            format!("The amount's sign contradicts the adjustment's direction: {en}."),
        );
    }
}
