//! English amount in words, US style: no "and" inside numbers, hyphenated tens ("twenty-one"),
//! the currency name in the plural; cents follow "and".

use super::{capitalise_first, split};
use crate::money::Currency;
use rust_decimal::Decimal;

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [&str; 10] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
    "sextillion",
    "septillion",
    "octillion",
];

fn below_thousand(n: u32, out: &mut Vec<String>) {
    let (h, r) = (n / 100, n % 100);
    if h > 0 {
        out.push(ONES[h as usize].to_owned());
        out.push("hundred".to_owned());
    }
    match r {
        0 => {}
        1..=19 => out.push(ONES[r as usize].to_owned()),
        _ if r % 10 == 0 => out.push(TENS[(r / 10) as usize].to_owned()),
        _ => out.push(format!(
            "{}-{}",
            TENS[(r / 10) as usize],
            ONES[(r % 10) as usize]
        )),
    }
}

/// A whole number in lower-case words: "one million two hundred fifty thousand".
pub fn number_in_words(n: u128) -> String {
    if n == 0 {
        return ONES[0].to_owned();
    }
    let mut groups = Vec::new();
    let mut m = n;
    while m > 0 {
        groups.push((m % 1000) as u32);
        m /= 1000;
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        below_thousand(*g, &mut out);
        if i > 0 {
            out.push(SCALES[i].to_owned());
        }
    }
    out.join(" ")
}

/// Singular and plural of the currency and of its hundredth.
fn names(c: Currency) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    Some(match c.code() {
        "VND" => ("dong", "dong", "xu", "xu"),
        "USD" => ("dollar", "dollars", "cent", "cents"),
        "EUR" => ("euro", "euros", "cent", "cents"),
        "GBP" => ("pound", "pounds", "penny", "pence"),
        "CNY" => ("yuan", "yuan", "fen", "fen"),
        "JPY" => ("yen", "yen", "sen", "sen"),
        "SGD" => ("Singapore dollar", "Singapore dollars", "cent", "cents"),
        "AUD" => ("Australian dollar", "Australian dollars", "cent", "cents"),
        _ => return None,
    })
}

/// "One million two hundred fifty thousand dong"; "Twelve dollars and five cents".
pub fn amount_in_words(amount: Decimal, currency: Currency) -> String {
    let p = split(amount, currency);
    let code = currency.code();
    let (one, many, cent, cents) = names(currency).unwrap_or((code, code, "cent", "cents"));
    let mut s = String::new();
    if p.negative {
        s.push_str("minus ");
    }
    s.push_str(&number_in_words(p.units));
    s.push(' ');
    s.push_str(if p.units == 1 { one } else { many });
    if p.cents > 0 {
        s.push_str(" and ");
        s.push_str(&number_in_words(u128::from(p.cents)));
        s.push(' ');
        s.push_str(if p.cents == 1 { cent } else { cents });
    }
    capitalise_first(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_us_style_without_and() {
        assert_eq!(
            amount_in_words(Decimal::from(1_250_000), Currency::VND),
            "One million two hundred fifty thousand dong"
        );
        assert_eq!(
            amount_in_words(Decimal::from(42_652_500), Currency::VND),
            "Forty-two million six hundred fifty-two thousand five hundred dong"
        );
        assert_eq!(amount_in_words(Decimal::ZERO, Currency::VND), "Zero dong");
    }

    #[test]
    fn plural_and_cents() {
        assert_eq!(
            amount_in_words("1".parse().unwrap(), Currency::USD),
            "One dollar"
        );
        assert_eq!(
            amount_in_words("1012.05".parse().unwrap(), Currency::USD),
            "One thousand twelve dollars and five cents"
        );
        assert_eq!(
            amount_in_words("-0.01".parse().unwrap(), Currency::USD),
            "Minus zero dollars and one cent"
        );
    }
}
