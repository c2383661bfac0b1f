//! Property tests with extreme and hostile values: whatever a client sends, validation and the
//! editor's preview answer without panicking, and whatever validates renders to XML that the
//! core's hardened parser reads back to the same totals.

mod common;
use common::seller;
use hoadon_core::model::*;
use hoadon_core::{Currency, check, words, xml};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Decimals from the sane to the absurd: `Decimal::MAX`/`MIN`, 28 decimal places, zero,
/// negatives, values around the format's 10^15 limit, and arbitrary 96-bit mantissas.
fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => (0i64..100_000_000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => prop::sample::select(vec![
            Decimal::MAX,
            Decimal::MIN,
            Decimal::ZERO,
            Decimal::NEGATIVE_ONE,
            Decimal::new(1, 28),
            Decimal::from(999_999_999_999_999i64),
            Decimal::from(1_000_000_000_000_000i64),
            Decimal::new(-999_999_999_999_999, 6),
        ]),
        1 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        1 => (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// Figures a real invoice could carry, up to the format's 15 integer and 6 decimal digits.
fn figure() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (1i64..100_000_000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (1i64..100_000_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// Text from the sane to the hostile: control characters, U+FFFE/U+FFFF, markup, any Unicode,
/// very long and empty strings. `sane` weighs the ordinary text against the five hostile kinds.
fn text_with(sane: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        sane => "[a-zA-Z0-9 ]{0,4}(Đồng hồ|&|<|>|\"|'|\r\n|\t|ý)?[a-z]{1,6}",
        1 => any::<String>(),
        1 => "\\PC{0,4}[\\x00-\\x1f\u{FFFE}\u{FFFF}]\\PC{0,4}",
        1 => "[a-z]{300,700}",
        1 => Just(String::new()),
        1 => Just("]]></Ten><Ten>".to_owned()),
    ]
}

/// Half hostile.
fn text() -> impl Strategy<Value = String> {
    text_with(5)
}

/// Mostly ordinary: enough documents validate for the rendering property to bite.
fn mild_text() -> impl Strategy<Value = String> {
    text_with(40)
}

fn rate() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        4 => prop::sample::select(vec!["10%", "8%", "5%", "0%", "KCT", "KKKNT", "KHAC:3.5%"])
            .prop_map(str::to_owned),
        1 => prop::sample::select(vec!["", "  ", "KHAC:99.9999%", "KHAC:", "7%", "garbage", "\u{1}"])
            .prop_map(str::to_owned),
        1 => text(),
    ])
}

fn extensions() -> impl Strategy<Value = Vec<Extension>> {
    prop::collection::vec(
        (mild_text(), mild_text()).prop_map(|(field, value)| Extension {
            field,
            data_type: "string".into(),
            value,
        }),
        0..2,
    )
}

/// A line that usually validates: natures 1–4 with the figures each needs.
fn sane_line() -> impl Strategy<Value = LineDocument> {
    (
        prop::sample::select(vec![1u8, 1, 1, 2, 3, 4]),
        mild_text(),
        figure(),
        figure(),
        prop::option::of(0i64..=1_000_000).prop_map(|d| d.map(|d| Decimal::new(d, 4))),
        prop::sample::select(vec!["10%", "8%", "5%", "0%", "KCT", "KKKNT", "KHAC:3.5%"]),
        extensions(),
    )
        .prop_map(|(nature, name, q, p, discount_rate, rate, extensions)| {
            let mut l = LineDocument {
                nature,
                name,
                extensions,
                ..Default::default()
            };
            if matches!(nature, 1..=3) {
                l.unit = Some("Cái".into());
                l.quantity = Some(q);
            }
            if matches!(nature, 1 | 3) {
                l.unit_price = Some(p);
                l.discount_rate = discount_rate;
                l.tax_rate = Some(rate.into());
            }
            l
        })
}

/// Anything in every field.
fn hostile_line() -> impl Strategy<Value = LineDocument> {
    (
        prop_oneof![6 => 1u8..=4, 1 => any::<u8>()],
        text(),
        prop::array::uniform5(prop::option::of(decimal())),
        rate(),
        extensions(),
    )
        .prop_map(|(nature, name, f, tax_rate, extensions)| LineDocument {
            nature,
            name,
            unit: Some("Cái".into()),
            quantity: f[0],
            unit_price: f[1],
            discount_rate: f[2],
            discount_amount: f[3],
            amount: f[4],
            tax_rate,
            extensions,
            ..Default::default()
        })
}

fn line() -> impl Strategy<Value = LineDocument> {
    prop_oneof![8 => sane_line(), 1 => hostile_line()]
}

/// Mostly a handful of lines, sometimes none, sometimes hundreds.
fn lines() -> impl Strategy<Value = Vec<LineDocument>> {
    prop_oneof![
        8 => prop::collection::vec(line(), 1..6),
        1 => Just(Vec::new()),
        1 => prop::collection::vec(line(), 100..300),
    ]
}

fn document() -> impl Strategy<Value = InvoiceDocument> {
    (
        lines(),
        prop::sample::select(vec!["1", "1", "1", "2", "x"]),
        any::<bool>(),
        mild_text(),
        prop::option::of(mild_text()),
        prop::option::of(mild_text()),
        extensions(),
        prop::option::of(prop_oneof![4 => Just("DLHDon-1".to_owned()), 1 => text()]),
    )
        .prop_map(
            |(lines, form, usd, buyer, payment, note, ext, data_id)| InvoiceDocument {
                form: form.into(),
                symbol: "C25TAB".into(),
                number: Some(7),
                issue_date: "2025-10-15".into(),
                currency: usd.then(|| "USD".into()),
                exchange_rate: usd.then(|| Decimal::new(2_535_050, 2)),
                payment_method: payment,
                seller: seller(),
                buyer: PartyDocument {
                    name: Some(buyer),
                    address: note,
                    ..Default::default()
                },
                lines,
                extensions: Extensions {
                    general: ext,
                    ..Default::default()
                },
                data_id,
                ..Default::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn whatever_validates_renders_to_xml_that_reads_back_to_the_same_totals(doc in document()) {
        // Neither validation nor the preview (nor its amount in words) may panic.
        let checked = check(&doc);
        let p = &checked.preview;
        let _ = words::vi::amount_in_words(p.total, p.currency, &Default::default());
        let _ = words::en::amount_in_words(p.total, p.currency);
        prop_assert_eq!(p.lines.len(), doc.lines.len());
        let Some(inv) = checked.invoice else { return Ok(()) };
        prop_assert_eq!(&checked.preview, &inv.totals());
        let out = xml::render(&inv);
        let parsed = xml::dom::parse(&out);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), out);
        let back = xml::read_invoice(&out).unwrap();
        let again = check(&back);
        let inv2 = again.invoice.expect("its own rendering validates");
        prop_assert_eq!(inv2.totals(), inv.totals());
    }

    #[test]
    fn lines_of_any_figures_never_panic_the_calculation(
        figures in prop::collection::vec((decimal(), decimal(), prop::option::of(decimal()), any::<bool>()), 1..20)
    ) {
        use hoadon_core::totals::{self, LineInput};
        let inputs: Vec<LineInput> = figures
            .iter()
            .map(|&(q, p, d, rate)| LineInput {
                nature: LineNature::Goods,
                quantity: Some(q),
                unit_price: Some(p),
                discount_rate: d.filter(|_| rate),
                discount_amount: d.filter(|_| !rate),
                amount: None,
                tax_rate: Some(TaxRate::Ten),
            })
            .collect();
        for cur in [Currency::VND, Currency::USD] {
            let computed = totals::compute(cur, &inputs);
            let all: Vec<_> = inputs.iter().copied().map(Some).collect();
            let preview = totals::preview(cur, &all);
            if let Ok(t) = computed {
                prop_assert_eq!(t, preview);
            }
        }
    }
}
