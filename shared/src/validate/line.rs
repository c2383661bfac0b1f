//! One line (`HHDVu`): its nature, figures, rate and discount.

use super::Checker;
use crate::model::*;
use crate::money::Currency;
use crate::totals::{self, LineInput};
use rust_decimal::Decimal;

pub(super) fn check_line(
    c: &mut Checker,
    i: usize,
    l: &LineDocument,
    currency: Currency,
    vat_form: bool,
    adjustment: bool,
) -> Option<Line> {
    let path = |f: &str| format!("lines[{i}].{f}");
    let nature = LineNature::from_code(l.nature);
    if nature.is_none() {
        c.invalid(
            "line.nature",
            &path("nature"),
            "1 hàng hóa/dịch vụ, 2 khuyến mại, 3 chiết khấu thương mại, 4 ghi chú",
            "1 goods/service, 2 promotion, 3 trade discount, 4 note",
        );
    }
    let name = c.text(&path("name"), &Some(l.name.clone()), 500, true);
    let code = c.text(&path("code"), &l.code, 50, false);
    let quantity = c.decimal(&path("quantity"), l.quantity, 6);
    let unit_price = c.decimal(&path("unit_price"), l.unit_price, 6);
    let discount_rate = c.decimal(&path("discount_rate"), l.discount_rate, 4);
    let discount_amount = c.decimal(&path("discount_amount"), l.discount_amount, 6);
    let declared_amount = c.decimal(&path("amount"), l.amount, 6);
    // A service billed as one amount (rent, management fees: Decree 123 Art. 10(6) exceptions,
    // and real accepted invoices such as sample 13) has neither quantity nor unit price.
    let amount_only = quantity.is_none() && unit_price.is_none() && declared_amount.is_some();
    let goods = nature == Some(LineNature::Goods) && !amount_only;
    let unit = c.text(&path("unit"), &l.unit, 50, goods);
    let tax_rate = l
        .tax_rate
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let tax_rate = tax_rate.and_then(|s| match TaxRate::parse(s) {
        Ok(r) => Some(r),
        Err(_) => {
            c.invalid(
                "tax_rate.invalid",
                &path("tax_rate"),
                "một trong 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
                "one of 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
            );
            None
        }
    });

    let amount_bearing = matches!(nature, Some(LineNature::Goods | LineNature::TradeDiscount));
    if vat_form && amount_bearing && l.tax_rate.is_none() {
        c.required(&path("tax_rate"));
    }
    match nature {
        Some(LineNature::Goods) if !amount_only => {
            if quantity.is_none() {
                c.required(&path("quantity"));
            }
            if unit_price.is_none() {
                c.required(&path("unit_price"));
            }
        }
        Some(LineNature::TradeDiscount)
            if (quantity.is_none() || unit_price.is_none()) && declared_amount.is_none() =>
        {
            c.required(&path("amount"));
        }
        Some(LineNature::Note) => {
            for (f, v) in [
                ("quantity", quantity),
                ("unit_price", unit_price),
                ("amount", declared_amount),
            ] {
                if v.is_some_and(|v| !v.is_zero()) {
                    c.invalid(
                        "line.note_has_amount",
                        &path(f),
                        "dòng ghi chú không có số lượng, đơn giá hay thành tiền",
                        "a note line carries no quantity, price or amount",
                    );
                }
            }
        }
        _ => {}
    }
    // Negative figures belong to adjustment invoices only (a decrease is written negative).
    for (f, v) in [
        ("quantity", quantity),
        ("unit_price", unit_price),
        ("amount", declared_amount),
    ] {
        if !adjustment && v.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
            c.invalid(
                "line.negative",
                &path(f),
                "chỉ hóa đơn điều chỉnh giảm mới có giá trị âm",
                "only an adjustment invoice may carry negative values",
            );
        }
    }
    if let Some(r) = discount_rate
        && (r.is_sign_negative() || r > Decimal::ONE_HUNDRED)
    {
        c.invalid(
            "discount.range",
            &path("discount_rate"),
            "từ 0 đến 100",
            "from 0 to 100",
        );
    }

    let input = LineInput {
        nature: nature.unwrap_or(LineNature::Goods),
        quantity,
        unit_price,
        discount_rate,
        discount_amount,
        amount: declared_amount,
        tax_rate,
    };
    let figures = totals::line_figures(&input, currency);
    if let (Some(q), Some(p), Some(d)) = (quantity, unit_price, figures.discount)
        && d.abs() > (q * p).abs()
    {
        c.invalid(
            "discount.exceeds_amount",
            &path("discount_amount"),
            "chiết khấu lớn hơn số lượng × đơn giá",
            "the discount exceeds quantity × unit price",
        );
    }
    if let (Some(decl), Some(computed)) = (declared_amount, figures.amount)
        && decl != computed
        && quantity.is_some()
        && unit_price.is_some()
    {
        c.mismatch(&path("amount"), &decl.to_string(), &computed.to_string());
    }

    Some(Line {
        nature: nature?,
        code,
        name: name?,
        unit,
        quantity,
        unit_price,
        discount_rate,
        discount_amount: figures.discount,
        amount: figures.amount,
        tax_rate,
        extensions: l.extensions.clone(),
    })
}
