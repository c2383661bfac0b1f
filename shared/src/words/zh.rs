//! Chinese financial capitals (大写) for the Chinese fully-digitised invoice model (§6.4), by the
//! PBOC rules for bills: one 零 for a run of zeros, none before 元/万/亿, 壹拾 for a leading ten,
//! 整 after 元 when there are no 角/分, and "（负数）" before a red-letter (negative) amount.

use super::split;
use crate::money::Currency;
use rust_decimal::Decimal;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZhOptions {
    /// Write 圆 instead of 元, as 数电 invoices do.
    pub yuan_variant: bool,
}

/// 1..=9999 with internal zeros collapsed to one 零 and trailing zeros dropped.
fn four(n: u32, out: &mut String) {
    let d = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let units = ["仟", "佰", "拾", ""];
    let (mut started, mut zero) = (false, false);
    for i in 0..4 {
        if d[i] == 0 {
            zero |= started;
        } else {
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(DIGITS[d[i] as usize]);
            out.push_str(units[i]);
            started = true;
        }
    }
}

fn integer(n: u128, out: &mut String) {
    const YI: u128 = 100_000_000;
    if n >= YI {
        integer(n / YI, out);
        out.push('亿');
        let lo = n % YI;
        if lo > 0 {
            if lo < YI / 10 {
                out.push('零');
            }
            integer(lo, out);
        }
    } else if n >= 10_000 {
        four((n / 10_000) as u32, out);
        out.push('万');
        let lo = (n % 10_000) as u32;
        if lo > 0 {
            if lo < 1000 {
                out.push('零');
            }
            four(lo, out);
        }
    } else if n > 0 {
        four(n as u32, out);
    }
}

fn unit_name(c: Currency, o: &ZhOptions) -> &'static str {
    match c.code() {
        "CNY" if o.yuan_variant => "圆",
        "CNY" => "元",
        "USD" => "美元",
        "EUR" => "欧元",
        "VND" => "越南盾",
        "JPY" => "日元",
        "HKD" => "港元",
        _ => "",
    }
}

/// 大写 of an amount: `壹佰贰拾伍万元整`, `（负数）伍佰圆整`.
pub fn amount_in_words(amount: Decimal, currency: Currency, o: &ZhOptions) -> String {
    let p = split(amount, currency);
    let unit = match unit_name(currency, o) {
        "" => currency.code(),
        u => u,
    };
    let (jiao, fen) = if currency.scale() == 2 {
        (p.cents / 10, p.cents % 10)
    } else {
        (0, 0)
    };
    let mut s = String::new();
    if p.negative {
        s.push_str("（负数）");
    }
    if p.units > 0 {
        integer(p.units, &mut s);
        s.push_str(unit);
    }
    match (jiao, fen) {
        (0, 0) => {
            if p.units == 0 {
                s.push('零');
                s.push_str(unit);
            }
            s.push('整');
        }
        (0, f) => {
            if p.units > 0 {
                s.push('零');
            }
            s.push(DIGITS[f as usize]);
            s.push('分');
        }
        (j, f) => {
            s.push(DIGITS[j as usize]);
            s.push('角');
            if f > 0 {
                s.push(DIGITS[f as usize]);
                s.push('分');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(s: &str) -> String {
        amount_in_words(s.parse().unwrap(), Currency::CNY, &ZhOptions::default())
    }

    /// Every worked example of vn-einvoice §6.4.
    #[test]
    fn reads_every_worked_example_of_the_reference() {
        let cases = [
            ("0", "零元整"),
            ("10", "壹拾元整"),
            ("15.50", "壹拾伍元伍角"),
            ("100.05", "壹佰元零伍分"),
            ("1005", "壹仟零伍元整"),
            ("1409.50", "壹仟肆佰零玖元伍角"),
            ("6007.14", "陆仟零柒元壹角肆分"),
            ("107000.53", "壹拾万柒仟元伍角叁分"),
            ("1250000", "壹佰贰拾伍万元整"),
            ("15000105", "壹仟伍佰万零壹佰零伍元整"),
            ("100000000", "壹亿元整"),
        ];
        for (n, w) in cases {
            assert_eq!(cny(n), w, "{n}");
        }
        let red = amount_in_words(
            "-500".parse().unwrap(),
            Currency::CNY,
            &ZhOptions { yuan_variant: true },
        );
        assert_eq!(red, "（负数）伍佰圆整");
    }

    #[test]
    fn zeros_across_sections_read_once() {
        assert_eq!(cny("100000500"), "壹亿零伍佰元整");
        assert_eq!(cny("100010000"), "壹亿零壹万元整");
        assert_eq!(cny("1005000000"), "壹拾亿零伍佰万元整");
        assert_eq!(cny("1000000000000"), "壹万亿元整");
        assert_eq!(cny("0.50"), "伍角");
        assert_eq!(cny("0.05"), "伍分");
    }
}
