//! Property tests for rules that must hold for every invoice, not just the examples.

mod common;
use common::*;
use hoadon_core::model::*;
use hoadon_core::money::round_money;
use hoadon_core::{Currency, Date, check};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn dec(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

fn rate() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["0%", "5%", "8%", "10%", "KCT", "KKKNT", "KHAC:3.5%"])
}

/// Text with the characters escaping must handle, and Vietnamese.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ]{0,6}(Đồng hồ|&|<|>|\"|'|\r\n|ý)?[a-z]{1,6}"
        .prop_map(|s| s.trim().to_owned() + "x")
}

fn line() -> impl Strategy<Value = LineDocument> {
    (
        prop::sample::select(vec![1u8, 1, 1, 2, 3, 4]),
        text(),
        1i64..100_000,
        0u32..3,
        0i64..50_000_000,
        0u32..3,
        prop::option::of(0i64..50),
        rate(),
    )
        .prop_map(|(nature, name, q, qs, p, ps, disc, rate)| {
            let mut l = LineDocument {
                nature,
                name,
                ..Default::default()
            };
            match nature {
                1 | 3 => {
                    l.unit = Some("Cái".into());
                    l.quantity = Some(dec(q, qs));
                    l.unit_price = Some(dec(p, ps));
                    l.discount_rate = disc.map(Decimal::from);
                    l.tax_rate = Some(rate.into());
                }
                2 => {
                    l.unit = Some("Cái".into());
                    l.quantity = Some(dec(q, qs));
                }
                _ => {}
            }
            l
        })
}

fn document() -> impl Strategy<Value = InvoiceDocument> {
    (
        prop::collection::vec(line(), 1..12),
        prop::bool::ANY,
        prop::sample::select(vec!["2.0.1", "2.1.0"]),
        1u64..99_999_999,
        text(),
    )
        .prop_map(|(lines, usd, pban, number, buyer)| InvoiceDocument {
            format_version: Some(pban.into()),
            form: "1".into(),
            symbol: "C25TAB".into(),
            number: Some(number),
            issue_date: "2025-10-15".into(),
            currency: usd.then(|| "USD".into()),
            exchange_rate: usd.then(|| dec(2_535_050, 2)),
            seller: seller(),
            buyer: PartyDocument {
                name: Some(buyer),
                ..Default::default()
            },
            lines,
            ..Default::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn totals_identities_hold(doc in document()) {
        let inv = valid(&doc);
        let t = inv.totals();
        let cur = inv.currency();
        let nets: Decimal = t.groups.iter().map(|g| g.net).sum();
        let vats: Decimal = t.groups.iter().map(|g| g.vat).sum();
        prop_assert_eq!(t.total_before_vat, nets);
        prop_assert_eq!(t.total_vat, vats);
        prop_assert_eq!(t.total, t.total_before_vat + t.total_vat);
        for g in &t.groups {
            let pct = g.rate.map(|r| r.percent()).unwrap_or_default();
            prop_assert_eq!(g.vat, round_money(g.net * pct / Decimal::ONE_HUNDRED, cur));
        }
        let amount = |n: LineNature| -> Decimal {
            inv.lines().iter().filter(|l| l.nature == n).filter_map(|l| l.amount).sum()
        };
        prop_assert_eq!(t.trade_discount, amount(LineNature::TradeDiscount));
        prop_assert_eq!(nets, amount(LineNature::Goods) - amount(LineNature::TradeDiscount));
        // Every amount is already at the currency's scale: nothing left to round.
        for a in [t.total, t.total_vat, t.total_before_vat] {
            prop_assert_eq!(a, round_money(a, cur));
        }
    }

    #[test]
    fn the_editor_preview_is_the_invoice_total_and_skips_unreadable_lines(doc in document(), bad in 0usize..8) {
        let checked = check(&doc);
        let inv = checked.invoice.clone().expect("valid");
        prop_assert_eq!(&checked.preview, &inv.totals());
        // One line made unreadable (its name erased): the preview is the others' total.
        let i = bad % doc.lines.len();
        let mut broken = doc.clone();
        broken.lines[i].name = String::new();
        let b = check(&broken);
        prop_assert!(b.invoice.is_none());
        let mut rest = doc.clone();
        rest.lines.remove(i);
        if !rest.lines.is_empty() {
            let expected = check(&rest).preview;
            prop_assert_eq!(b.preview.total, expected.total);
            prop_assert_eq!(b.preview.groups, expected.groups);
        }
    }

    #[test]
    fn model_to_xml_to_model_is_the_identity(doc in document()) {
        let inv = valid(&doc);
        prop_assert_eq!(round_trip(&inv), inv);
    }

    #[test]
    fn every_amount_reads_back_in_vietnamese(n in 0i64..1_000_000_000_000_000) {
        let amount = Decimal::from(n);
        let w = hoadon_core::words::vi::amount_in_words(amount, Currency::VND, &Default::default());
        prop_assert!(hoadon_core::words::vi::matches(&w, amount, Currency::VND));
        prop_assert!(!w.contains("  ") && w.ends_with("đồng"));
        // A different amount never reads the same.
        prop_assert!(!hoadon_core::words::vi::matches(&w, amount + Decimal::ONE, Currency::VND));
    }

    #[test]
    fn only_the_check_digit_makes_a_tax_id(nine in prop::array::uniform9(0u8..10), last in 0u8..10) {
        let s: String = nine.iter().chain([&last]).map(|d| char::from(b'0' + d)).collect();
        let expected = tax_id_check_digit(&nine) == Some(last);
        prop_assert_eq!(TaxId::parse(&s).is_ok(), expected);
    }

    #[test]
    fn dates_print_and_parse_back(y in 1900u16..9999, m in 1u8..=12, d in 1u8..=31) {
        if let Ok(date) = Date::new(y, m, d) {
            prop_assert_eq!(date.to_string().parse::<Date>().unwrap(), date);
        }
    }

    #[test]
    fn tax_rates_print_and_parse_back(pct in 1i64..9999) {
        let r = TaxRate::parse(&format!("KHAC:{}%", dec(pct, 2))).unwrap();
        prop_assert_eq!(TaxRate::parse(&r.to_string()).unwrap(), r);
    }
}
