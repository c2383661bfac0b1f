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
