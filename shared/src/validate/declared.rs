//! Declared `TToan` figures against the computed ones.

use super::Checker;
use crate::model::*;
use crate::money::Currency;
use crate::totals::Totals;
use crate::words;

/// Compares declared `TToan` figures with the computed ones.
pub(super) fn check_declared(c: &mut Checker, t: &Totals, currency: Currency, d: &DeclaredTotals) {
    let pairs = [
        (
            "declared.total_before_vat",
            d.total_before_vat,
            t.total_before_vat,
        ),
        ("declared.total_vat", d.total_vat, t.total_vat),
        (
            "declared.trade_discount",
            d.trade_discount,
            t.trade_discount,
        ),
        ("declared.total", d.total, t.total),
    ];
    for (path, declared, computed) in pairs {
        if let Some(v) = declared
            && v.normalize() != computed
        {
            c.mismatch(path, &v.normalize().to_string(), &computed.to_string());
        }
    }
    for (i, g) in d.tax_groups.iter().enumerate() {
        let rate = TaxRate::parse(&g.rate).ok();
        let path = format!("declared.tax_groups[{i}]");
        match t.groups.iter().find(|x| x.rate == rate) {
            None => c.error(
                "totals.unknown_rate_group",
                &path,
                format!("Không có dòng nào có thuế suất {}.", g.rate),
                format!("No line has the VAT rate {}.", g.rate),
            ),
            Some(x) => {
                for (f, declared, computed) in [("net", g.net, x.net), ("vat", g.vat, x.vat)] {
                    if let Some(v) = declared
                        && v.normalize() != computed
                    {
                        c.mismatch(
                            &format!("{path}.{f}"),
                            &v.normalize().to_string(),
                            &computed.to_string(),
                        );
                    }
                }
            }
        }
    }
    if let Some(w) = &d.total_in_words
        && !words::vi::matches(w, t.total, currency)
    {
        let expected = words::vi::amount_in_words(t.total, currency, &Default::default());
        c.error(
            "totals.words_mismatch",
            "declared.total_in_words",
            format!(
                "Số tiền bằng chữ \"{w}\" không khớp với {}: \"{expected}\".",
                t.total
            ),
            format!(
                "The amount in words \"{w}\" does not read {}: \"{expected}\".",
                t.total
            ),
        );
    }
}
