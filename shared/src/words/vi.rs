//! Vietnamese amount in words (vn-einvoice §5): "linh", "nghìn", no "chẵn" by default; options
//! for the regional variants providers offer ("lẻ", "ngàn", "chẵn", "tư").

use super::{capitalise_first, split};
use crate::money::Currency;
use rust_decimal::Decimal;

/// Regional and provider variants. The default is the Northern reading without "chẵn".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViOptions {
    /// "lẻ" instead of "linh" (101 = một trăm lẻ một).
    pub le: bool,
    /// "ngàn" instead of "nghìn".
    pub ngan: bool,
    /// Append "chẵn" to a whole amount ("… đồng chẵn").
    pub chan: bool,
    /// "tư" for a units digit 4 after "mươi" (24 = hai mươi tư).
    pub tu: bool,
    /// How a negative amount (a decreasing adjustment) is read.
    pub negative: NegativeWords,
}

/// How a negative amount is read. No rule fixes it: providers offer these (reference §5.1,
/// rule 11); a tenant setting (company profile) chooses, "Âm …" by default.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NegativeWords {
    /// "Âm năm trăm nghìn đồng".
    #[default]
    Am,
    /// "Giảm năm trăm nghìn đồng".
    Giam,
    /// "Điều chỉnh giảm năm trăm nghìn đồng".
    DieuChinhGiam,
    /// "Năm trăm nghìn đồng (giảm)".
    SuffixGiam,
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// One group of three digits. `full` reads the hundreds even when zero ("không trăm"), which
/// every group but the leading one does.
fn group(g: u32, full: bool, o: &ViOptions, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (g / 100) as usize,
        (g / 10 % 10) as usize,
        (g % 10) as usize,
    );
    if full || h > 0 {
        out.push(DIGITS[h]);
        out.push("trăm");
    }
    match t {
        0 => {
            if u > 0 {
                if full || h > 0 {
                    out.push(if o.le { "lẻ" } else { "linh" });
                }
                out.push(DIGITS[u]);
            }
        }
        1 => {
            out.push("mười");
            match u {
                0 => {}
                5 => out.push("lăm"),
                _ => out.push(DIGITS[u]),
            }
        }
        _ => {
            out.push(DIGITS[t]);
            out.push("mươi");
            match u {
                0 => {}
                1 => out.push("mốt"),
                4 if o.tu => out.push("tư"),
                5 => out.push("lăm"),
                _ => out.push(DIGITS[u]),
            }
        }
    }
}

const BILLION: u128 = 1_000_000_000;

/// Groups below a billion: triệu, nghìn, units; zero groups are skipped.
fn below_billion(n: u128, leading: bool, o: &ViOptions, out: &mut Vec<&'static str>) {
    let groups = [
        ((n / 1_000_000) as u32, "triệu"),
        (
            (n / 1000 % 1000) as u32,
            if o.ngan { "ngàn" } else { "nghìn" },
        ),
        ((n % 1000) as u32, ""),
    ];
    let mut first = leading;
    for (g, scale) in groups {
        if g == 0 {
            continue;
        }
        group(g, !first, o, out);
        first = false;
        if !scale.is_empty() {
            out.push(scale);
        }
    }
}

fn words(n: u128, leading: bool, o: &ViOptions, out: &mut Vec<&'static str>) {
    if n >= BILLION {
        // 10^12 reads "nghìn tỷ", 10^18 "tỷ tỷ": the part above a billion is read recursively.
        words(n / BILLION, leading, o, out);
        out.push("tỷ");
        let rest = n % BILLION;
        if rest > 0 {
            below_billion(rest, false, o, out);
        }
    } else {
        below_billion(n, leading, o, out);
    }
}

/// A whole number in lower-case words ("một trăm linh năm"); zero is "không".
pub fn number_in_words(n: u128, o: &ViOptions) -> String {
    if n == 0 {
        return DIGITS[0].to_owned();
    }
    let mut out = Vec::new();
    words(n, true, o, &mut out);
    out.join(" ")
}

/// Currency name and the name of its hundredth.
fn currency_words(c: Currency) -> (&'static str, &'static str) {
    match c.code() {
        "VND" => ("đồng", "xu"),
        "USD" => ("đô la Mỹ", "xu"),
        "EUR" => ("euro", "xu"),
        "GBP" => ("bảng Anh", "xu"),
        "JPY" => ("yên Nhật", "xu"),
        "CNY" => ("nhân dân tệ", "xu"),
        "KRW" => ("won Hàn Quốc", "xu"),
        "SGD" => ("đô la Singapore", "xu"),
        "AUD" => ("đô la Úc", "xu"),
        _ => ("", "xu"),
    }
}

/// The amount in words as written on an invoice: "Một triệu hai trăm năm mươi nghìn đồng".
pub fn amount_in_words(amount: Decimal, currency: Currency, o: &ViOptions) -> String {
    let p = split(amount, currency);
    let (name, cent_name) = currency_words(currency);
    let name = if name.is_empty() {
        currency.code()
    } else {
        name
    };
    let mut s = String::new();
    if p.negative {
        s.push_str(match o.negative {
            NegativeWords::Am => "âm ",
            NegativeWords::Giam => "giảm ",
            NegativeWords::DieuChinhGiam => "điều chỉnh giảm ",
            NegativeWords::SuffixGiam => "",
        });
    }
    s.push_str(&number_in_words(p.units, o));
    s.push(' ');
    s.push_str(name);
    if p.cents > 0 {
        s.push_str(" và ");
        s.push_str(&number_in_words(u128::from(p.cents), o));
        s.push(' ');
        s.push_str(cent_name);
    } else if o.chan {
        s.push_str(" chẵn");
    }
    if p.negative && o.negative == NegativeWords::SuffixGiam {
        s.push_str(" (giảm)");
    }
    capitalise_first(&s)
}

/// How words written elsewhere read a negative amount (`None`: not one of the variants, or "Âm",
/// the default), so that a file read back renders its words as they were.
pub fn negative_style(written: &str) -> Option<NegativeWords> {
    let w = written.trim().trim_end_matches('.').to_lowercase();
    if w.starts_with("điều chỉnh giảm ") {
        Some(NegativeWords::DieuChinhGiam)
    } else if w.starts_with("giảm ") {
        Some(NegativeWords::Giam)
    } else if w.ends_with("(giảm)") {
        Some(NegativeWords::SuffixGiam)
    } else {
        None
    }
}

/// Whether words written by another system read `amount`, whatever variants it chose (case,
/// "ngàn"/"nghìn", "lẻ"/"linh", "tư", "chẵn", a final full stop). Used to check imported files.
pub fn matches(written: &str, amount: Decimal, currency: Currency) -> bool {
    fn norm(s: &str) -> String {
        let s = s.trim().trim_end_matches('.').to_lowercase();
        let words: Vec<&str> = s
            .split_whitespace()
            .map(|w| match w {
                "ngàn" => "nghìn",
                "lẻ" => "linh",
                "tư" => "bốn",
                w => w,
            })
            .collect();
        let n = if words.last() == Some(&"chẵn") {
            words.len() - 1
        } else {
            words.len()
        };
        words[..n].join(" ")
    }
    let written = norm(written);
    [
        NegativeWords::Am,
        NegativeWords::Giam,
        NegativeWords::DieuChinhGiam,
        NegativeWords::SuffixGiam,
    ]
    .into_iter()
    .any(|negative| {
        let o = ViOptions {
            negative,
            ..ViOptions::default()
        };
        written == norm(&amount_in_words(amount, currency, &o))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn a_negative_amount_reads_as_the_tenant_chose_and_every_variant_matches() {
        let minus = Decimal::from(-500_000);
        let read = |negative| {
            amount_in_words(
                minus,
                Currency::VND,
                &ViOptions {
                    negative,
                    ..Default::default()
                },
            )
        };
        assert_eq!(read(NegativeWords::Am), "Âm năm trăm nghìn đồng");
        assert_eq!(read(NegativeWords::Giam), "Giảm năm trăm nghìn đồng");
        assert_eq!(
            read(NegativeWords::DieuChinhGiam),
            "Điều chỉnh giảm năm trăm nghìn đồng"
        );
        assert_eq!(
            read(NegativeWords::SuffixGiam),
            "Năm trăm nghìn đồng (giảm)"
        );
        for w in [
            "Âm năm trăm nghìn đồng",
            "Năm trăm nghìn đồng (giảm)",
            "Giảm năm trăm ngàn đồng.",
        ] {
            assert!(matches(w, minus, Currency::VND), "{w}");
        }
        assert!(!matches("Năm trăm nghìn đồng", minus, Currency::VND));
    }

    fn vnd(n: i64) -> String {
        amount_in_words(Decimal::from(n), Currency::VND, &ViOptions::default())
    }

    /// Every worked example of vn-einvoice §5.2.
    #[test]
    fn reads_every_worked_example_of_the_reference() {
        let cases: &[(i64, &str)] = &[
            (0, "Không đồng"),
            (5, "Năm đồng"),
            (10, "Mười đồng"),
            (15, "Mười lăm đồng"),
            (21, "Hai mươi mốt đồng"),
            (24, "Hai mươi bốn đồng"),
            (25, "Hai mươi lăm đồng"),
            (101, "Một trăm linh một đồng"),
            (105, "Một trăm linh năm đồng"),
            (1_005, "Một nghìn không trăm linh năm đồng"),
            (1_010, "Một nghìn không trăm mười đồng"),
            (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
            (1_000_001, "Một triệu không trăm linh một đồng"),
            (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
            (15_000_105, "Mười lăm triệu một trăm linh năm đồng"),
            (
                42_652_500,
                "Bốn mươi hai triệu sáu trăm năm mươi hai nghìn năm trăm đồng",
            ),
            (1_000_000_000, "Một tỷ đồng"),
            (2_001_000_000, "Hai tỷ không trăm linh một triệu đồng"),
            (1_000_000_000_000, "Một nghìn tỷ đồng"),
        ];
        for (n, w) in cases {
            assert_eq!(vnd(*n), *w, "{n}");
        }
    }

    #[test]
    fn options_give_the_regional_variants() {
        let tu = ViOptions {
            tu: true,
            ..Default::default()
        };
        let le = ViOptions {
            le: true,
            ..Default::default()
        };
        let r11 = ViOptions {
            ngan: true,
            chan: true,
            ..Default::default()
        };
        assert_eq!(
            amount_in_words(Decimal::from(24), Currency::VND, &tu),
            "Hai mươi tư đồng"
        );
        assert_eq!(
            amount_in_words(Decimal::from(101), Currency::VND, &le),
            "Một trăm lẻ một đồng"
        );
        assert_eq!(
            amount_in_words(Decimal::from(2_481_600), Currency::VND, &r11),
            "Hai triệu bốn trăm tám mươi mốt ngàn sáu trăm đồng chẵn"
        );
    }

    #[test]
    fn dollars_read_their_cents_as_xu() {
        let w = amount_in_words(
            "1250.05".parse().unwrap(),
            Currency::USD,
            &ViOptions::default(),
        );
        assert_eq!(w, "Một nghìn hai trăm năm mươi đô la Mỹ và năm xu");
    }

    #[test]
    fn negative_amounts_start_with_am() {
        assert_eq!(vnd(-500_000), "Âm năm trăm nghìn đồng");
    }

    #[test]
    fn a_billion_billion_reads_ty_twice() {
        assert_eq!(
            number_in_words(10u128.pow(18), &ViOptions::default()),
            "một tỷ tỷ"
        );
    }

    #[test]
    fn matching_tolerates_provider_variants_but_not_wrong_amounts() {
        let n = Decimal::from(1_284_000);
        assert!(matches(
            "Một triệu hai trăm tám mươi bốn nghìn đồng.",
            n,
            Currency::VND
        ));
        assert!(matches(
            "một triệu hai trăm tám mươi tư ngàn đồng chẵn",
            n,
            Currency::VND
        ));
        // The real VNPT sample 09 carries this wrong reading of 5,500,000.
        assert!(!matches(
            "Năm triệu năm trăm ngàn không trăm đồng",
            Decimal::from(5_500_000),
            Currency::VND
        ));
    }
}
