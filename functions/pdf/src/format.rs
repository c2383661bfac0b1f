//! Vietnamese number and date formats: `.` groups thousands, `,` marks decimals
//! (1.234.567,5), dates read "Ngày 05 tháng 01 năm 2026".

use hoadon_core::{Currency, Date};
use rust_decimal::Decimal;

/// `d` with its trailing zeros dropped: quantities and unit prices ("1,5", "18.500.000").
pub fn number(d: Decimal) -> String {
    grouped(d.normalize())
}

/// A money amount with at least the currency's decimals (VND 0, USD 2): "1.234,50".
pub fn amount(d: Decimal, currency: Currency) -> String {
    let mut d = d.normalize();
    if d.scale() < currency.scale() {
        d.rescale(currency.scale());
    }
    grouped(d)
}

/// The one Vietnamese grouping of the system (the app and the e-mail print amounts with it too).
fn grouped(d: Decimal) -> String {
    hoadon_core::money::format_vi(d)
}

/// "Ngày 05 tháng 01 năm 2026".
pub fn long_date(d: Date) -> String {
    format!(
        "Ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

/// "05/01/2026".
pub fn short_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// A signing time as written in the signature (`2025-10-15T09:30:12`, maybe with a zone) read
/// as "15/10/2025 09:30:12"; anything else is shown as it is.
pub fn signing_time(s: &str) -> String {
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let Ok(d) = date.parse::<Date>() else {
        return s.to_owned();
    };
    let time: String = time.chars().take(8).collect();
    if time.is_empty() {
        short_date(d)
    } else {
        format!("{} {time}", short_date(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn vietnamese_grouping() {
        let vnd: Currency = "VND".parse().unwrap_or_else(|_| unreachable!());
        let usd: Currency = "USD".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(amount(dec("1234567"), vnd), "1.234.567");
        assert_eq!(amount(dec("-1100000"), vnd), "-1.100.000");
        assert_eq!(amount(dec("1234.5"), usd), "1.234,50");
        assert_eq!(amount(dec("0"), vnd), "0");
        assert_eq!(number(dec("1.500")), "1,5");
        assert_eq!(number(dec("100")), "100");
        assert_eq!(number(dec("999")), "999");
        assert_eq!(number(dec("1000")), "1.000");
    }

    #[test]
    fn dates() {
        let d: Date = "2026-01-05".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(long_date(d), "Ngày 05 tháng 01 năm 2026");
        assert_eq!(signing_time("2025-10-15T09:30:12"), "15/10/2025 09:30:12");
        assert_eq!(signing_time("garbage"), "garbage");
    }
}
