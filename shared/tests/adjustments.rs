//! Adjustments add up: an adjustment's figures carry its direction's sign, and the original with
//! its adjustments gives the corrected figures, rate by rate (property tests over the core's own
//! totals, the ones the XML carries).

mod common;
use common::*;
use hoadon_core::corrections::Direction;
use hoadon_core::corrections::adjust::{between, cumulative};
use hoadon_core::model::*;
use hoadon_core::{Currency, Totals, check};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn rate() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["0%", "5%", "8%", "10%", "KCT"])
}

/// A goods line of `q` × `p` VND at a rate.
fn goods(name: &str, q: i64, p: i64, rate: &str) -> LineDocument {
    LineDocument {
        nature: 1,
        name: name.into(),
        unit: Some("Cái".into()),
        quantity: Some(Decimal::from(q)),
        unit_price: Some(Decimal::from(p)),
        tax_rate: Some(rate.into()),
        ..Default::default()
    }
}

fn lines() -> impl Strategy<Value = Vec<LineDocument>> {
    prop::collection::vec((1i64..500, 1i64..5_000_000, rate()), 1..8).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (q, p, r))| goods(&format!("Hàng {i}"), q, p, r))
            .collect()
    })
}

fn invoice(lines: Vec<LineDocument>) -> InvoiceDocument {
    InvoiceDocument {
        form: "1".into(),
        symbol: "C25TAB".into(),
        number: Some(7),
        issue_date: "2025-10-15".into(),
        seller: seller(),
        lines,
        ..Default::default()
    }
}

fn adjustment(lines: Vec<LineDocument>, direction: Direction) -> InvoiceDocument {
    let mut d = invoice(lines);
    d.issue_date = "2025-10-20".into();
    d.number = Some(9);
    d.related = Some(RelatedInvoiceDocument {
        kind: 2,
        regime: 1,
        form: "1".into(),
        symbol: "C25TAB".into(),
        number: "7".into(),
        issue_date: "2025-10-15".into(),
        note: None,
        direction: Some(direction.code()),
    });
    d
}

fn totals(d: &InvoiceDocument) -> Totals {
    let c = check(d);
    c.invoice
        .unwrap_or_else(|| panic!("{:#?}", c.findings))
        .totals()
}

fn signed(lines: &mut [LineDocument], direction: Direction) {
    for l in lines {
        if direction == Direction::Decrease {
            l.quantity = l.quantity.map(|q| -q);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Original + adjustments = cumulative figures, per rate and in total; each adjustment's
    /// figures have its direction's sign.
    #[test]
    fn the_original_and_its_adjustments_add_up(
        original in lines(),
        adjustments in prop::collection::vec((lines(), prop::bool::ANY), 0..4),
    ) {
        let o = totals(&invoice(original));
        let mut adj = Vec::new();
        for (mut l, up) in adjustments {
            let direction = if up { Direction::Increase } else { Direction::Decrease };
            signed(&mut l, direction);
            let t = totals(&adjustment(l, direction));
            for f in t.lines.iter().filter_map(|f| f.amount).chain([t.total, t.total_vat]) {
                prop_assert!(hoadon_core::corrections::adjust::sign_fits(direction, f));
            }
            adj.push(t);
        }
        let c = cumulative(&o, &adj).unwrap();
        let sum = |f: fn(&Totals) -> Decimal| adj.iter().map(f).fold(f(&o), |a, b| a + b);
        prop_assert_eq!(c.total, sum(|t| t.total));
        prop_assert_eq!(c.total_vat, sum(|t| t.total_vat));
        prop_assert_eq!(c.total_before_vat, sum(|t| t.total_before_vat));
        for g in &c.groups {
            let per = |t: &Totals| t.groups.iter().filter(|x| x.rate == g.rate).map(|x| (x.net, x.vat))
                .fold((Decimal::ZERO, Decimal::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
            let (net, vat) = adj.iter().map(per).fold(per(&o), |a, b| (a.0 + b.0, a.1 + b.1));
            prop_assert_eq!((g.net, g.vat), (net, vat));
        }
        let groups: Decimal = c.groups.iter().map(|g| g.net + g.vat).sum();
        prop_assert_eq!(groups, c.total);
    }

    /// The adjustment that takes an invoice to its corrected version: the cumulative net per
    /// rate is the corrected invoice's exactly, and VAT within one đồng per rate (each document
    /// rounds its own VAT once).
    #[test]
    fn an_adjustment_between_two_versions_reaches_the_corrected_figures(
        original in lines(),
        raises in prop::collection::vec(0i64..3_000_000, 8),
    ) {
        let corrected: Vec<LineDocument> = original.iter().zip(&raises).map(|(l, r)| {
            let mut l = l.clone();
            l.unit_price = l.unit_price.map(|p| p + Decimal::from(*r));
            l
        }).collect();
        let delta = between(&original, &corrected, Currency::VND);
        prop_assume!(!delta.is_empty());
        let o = totals(&invoice(original));
        let want = totals(&invoice(corrected));
        let a = totals(&adjustment(delta, Direction::Increase));
        let c = cumulative(&o, &[a]).unwrap();
        prop_assert_eq!(c.total_before_vat, want.total_before_vat);
        for g in &want.groups {
            let got = c.groups.iter().find(|x| x.rate == g.rate).unwrap();
            prop_assert_eq!(got.net, g.net);
            prop_assert!((got.vat - g.vat).abs() <= Decimal::ONE, "{} vs {}", got.vat, g.vat);
        }
    }
}

#[test]
fn a_decrease_written_positive_is_refused_naming_the_line() {
    let d = adjustment(vec![goods("Bàn", 1, 100_000, "10%")], Direction::Decrease);
    let found = codes(&d);
    assert!(
        found.contains(&("lines[0].amount".into(), "adjustment.sign")),
        "{found:?}"
    );
    let info = adjustment(
        vec![goods("Bàn", 1, 100_000, "10%")],
        Direction::Information,
    );
    assert!(codes(&info).iter().any(|(_, c)| *c == "adjustment.sign"));
}
