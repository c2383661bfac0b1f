//! One line (`HHDVu`): its nature, figures, rate and discount.

use super::Checker;
use crate::date::Date;
use crate::model::*;
use crate::money::Currency;
use crate::rules::{REDUCED_VAT_PERIODS, reduced_vat_in_force};
use crate::totals::{self, LineInput};
use rust_decimal::Decimal;

/// What a line's rules depend on in the rest of the document.
pub(super) struct LineContext {
    pub currency: Currency,
    /// The form carries VAT (rates are required).
    pub vat_form: bool,
    /// An adjustment invoice, whose decreases are written negative.
    pub adjustment: bool,
    /// The date rates are judged by: the issue date, or a correction's original's.
    pub rate_date: Option<Date>,
}

/// Checks a line; `None` when it cannot be read (no name, no known nature, figures out of
/// range), in which case the editor's preview counts it as nothing.
pub(super) fn check_line(
    c: &mut Checker,
    i: usize,
    l: &LineDocument,
    cx: &LineContext,
) -> Option<Line> {
    let LineContext {
        currency,
        vat_form,
        adjustment,
        rate_date,
    } = *cx;
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
    let amount_bearing = matches!(nature, Some(LineNature::Goods | LineNature::TradeDiscount));
    let tax_rate = check_rate(
        c,
        &path("tax_rate"),
        l.tax_rate.as_deref(),
        vat_form && amount_bearing,
        rate_date,
    );
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
        && r.abs() > Decimal::ONE_HUNDRED
    {
        c.invalid(
            "discount.range",
            &path("discount_rate"),
            "từ 0 đến 100",
            "from 0 to 100",
        );
    }
    // A negative discount raises the amount: only an adjustment may write one (a decrease).
    for (f, v) in [
        ("discount_rate", discount_rate),
        ("discount_amount", discount_amount),
    ] {
        if !adjustment && v.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
            c.invalid(
                "discount.negative",
                &path(f),
                "chỉ hóa đơn điều chỉnh mới có chiết khấu âm",
                "only an adjustment invoice may carry a negative discount",
            );
        }
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
    let Ok(figures) = totals::line_figures(&input, currency) else {
        c.out_of_range(&path("amount"));
        return None;
    };
    // In range here, so `gross` is too (the line's figures would not be otherwise).
    let gross = totals::gross(&input).ok().flatten();
    if let (Some(g), Some(d)) = (gross, figures.discount)
        && d.abs() > g.abs()
    {
        c.invalid(
            "discount.exceeds_amount",
            &path("discount_amount"),
            "chiết khấu lớn hơn số lượng × đơn giá",
            "the discount exceeds quantity × unit price",
        );
    }
    if let (Some(g), Some(r), Some(a)) = (gross, discount_rate, discount_amount)
        && let Ok(expected) = totals::rate_discount(g, r, currency)
        && a != expected
    {
        c.error(
            "discount.mismatch",
            &path("discount_amount"),
            format!(
                "Số tiền chiết khấu {a} khác tỷ lệ chiết khấu {r}% × số lượng × đơn giá = {expected}."
            ),
            format!(
                "The discount amount {a} differs from the discount rate {r}% × quantity × unit price = {expected}."
            ),
        );
    }
    if let (Some(decl), Some(computed)) = (declared_amount, figures.amount)
        && decl != computed
        && quantity.is_some()
        && unit_price.is_some()
    {
        c.mismatch(&path("amount"), &decl.to_string(), &computed.to_string());
    }

    let extensions = c.extensions(&path("extensions"), &l.extensions);
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
        extensions,
    })
}

/// The VAT rate. A blank rate is an absent one: required on VAT forms for goods and trade
/// discounts (else it would issue without a rate), simply absent elsewhere.
fn check_rate(
    c: &mut Checker,
    path: &str,
    raw: Option<&str>,
    required: bool,
    date: Option<Date>,
) -> Option<TaxRate> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        if required {
            c.required(path);
        }
        return None;
    };
    let Ok(rate) = TaxRate::parse(s) else {
        c.invalid(
            "tax_rate.invalid",
            path,
            "một trong 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
            "one of 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
        );
        return None;
    };
    if rate == TaxRate::Eight
        && let Some(d) = date
        && !reduced_vat_in_force(d)
    {
        let known: Vec<String> = REDUCED_VAT_PERIODS
            .iter()
            .map(|p| format!("{}–{} ({})", p.from, p.to, p.basis))
            .collect();
        let known = known.join(", ");
        c.warning(
            "tax_rate.not_in_force",
            path,
            format!(
                "Thuế suất 8% (giảm thuế GTGT) không thuộc thời kỳ áp dụng nào đã biết vào ngày {d}; các thời kỳ đã biết: {known}. Hãy kiểm tra nghị định giảm thuế hiện hành."
            ),
            format!(
                "The reduced 8% VAT rate is outside every known period on {d}; known periods: {known}. Check the VAT-reduction decree in force."
            ),
        );
    }
    Some(rate)
}
