//! Rules added for hostile input: each of these documents validated (or panicked) before.

use super::*;
use crate::xml;

fn doc() -> InvoiceDocument {
    serde_json::from_str(
        r#"{
          "form": "1", "symbol": "C25TAB", "number": 7, "issue_date": "2025-10-15",
          "seller": {"name": "Công ty An Phát", "tax_id": "0109998883", "address": "Hà Nội"},
          "buyer": {"name": "Bình Minh"},
          "lines": [{"name": "A", "unit": "Cái", "quantity": "2", "unit_price": "1000",
                     "tax_rate": "10%"}]
        }"#,
    )
    .unwrap()
}

/// (path, code) of every finding.
fn codes(d: &InvoiceDocument) -> Vec<(String, &'static str)> {
    check(d)
        .findings
        .into_iter()
        .map(|f| (f.path, f.code))
        .collect()
}

fn has(d: &InvoiceDocument, path: &str, code: &str) -> bool {
    codes(d).iter().any(|(p, c)| p == path && *c == code)
}

#[test]
fn text_xml_cannot_carry_is_a_finding_at_its_field() {
    let mut d = doc();
    d.buyer.name = Some("Bình\u{1}Minh".into());
    let c = check(&d);
    assert!(c.invoice.is_none());
    let f = &c.findings[0];
    assert_eq!((f.path.as_str(), f.code), ("buyer.name", "text.xml_char"));
    assert!(f.message_vi.contains("U+0001") && f.message_en.contains("U+0001"));

    let ext = |v: &str| Extension {
        field: "Ghi chú".into(),
        data_type: "string".into(),
        value: v.into(),
    };
    let mut d = doc();
    d.payment_method = Some("TM\u{FFFE}".into());
    d.seller.bank_name = Some("\u{1F}".into());
    d.lines[0].extensions.push(ext("x\u{FFFF}"));
    d.extensions.general.push(ext("\u{8}"));
    d.qr_data = Some("q\u{0}".into());
    d.related = Some(RelatedInvoiceDocument {
        kind: 1,
        regime: 1,
        form: "1".into(),
        symbol: "C25TAB".into(),
        number: "1".into(),
        issue_date: "2025-10-01".into(),
        note: Some("thay \u{C} thế".into()),
        direction: None,
    });
    let found: Vec<_> = codes(&d)
        .into_iter()
        .filter(|(_, c)| *c == "text.xml_char")
        .map(|(p, _)| p)
        .collect();
    for p in [
        "payment_method",
        "seller.bank_name",
        "lines[0].extensions[0].value",
        "extensions.general[0].value",
        "qr_data",
        "related.note",
    ] {
        assert!(found.iter().any(|f| f == p), "{p} in {found:?}");
    }
    // Tab, LF and CR are XML characters.
    let mut d = doc();
    d.lines[0].name = "A\tB\r\nC".into();
    assert!(check(&d).invoice.is_some());
}

#[test]
fn data_id_must_be_an_ncname_and_renders_as_one_attribute() {
    let mut d = doc();
    d.data_id = Some("x\" probe=\"1".into());
    assert!(has(&d, "data_id", "data_id.ncname"));
    d.data_id = Some("DLHDon-1.C25TAB_7".into());
    let inv = check(&d).invoice.unwrap();
    let parsed = xml::dom::parse(&xml::render(&inv)).unwrap();
    let dl = parsed.root.child("DLHDon").unwrap();
    assert_eq!(dl.attrs.len(), 1);
    assert_eq!(dl.attr("Id"), Some("DLHDon-1.C25TAB_7"));
}

#[test]
fn unknown_elements_must_be_one_well_formed_element() {
    for bad in [
        "<a>",
        "<a/><b/>",
        "text",
        "<a>\u{1}</a>",
        "<?xml version=\"1.0\"?><a/>",
    ] {
        let mut d = doc();
        d.unknown.push(UnknownElement {
            parent: "TToan".into(),
            xml: bad.into(),
        });
        assert!(
            has(&d, "unknown[0].xml", "unknown.malformed")
                || has(&d, "unknown[0].xml", "text.xml_char"),
            "{bad}"
        );
    }
    let mut d = doc();
    d.unknown.push(UnknownElement {
        parent: "TToan".into(),
        xml: "<TGTKhac>0</TGTKhac>".into(),
    });
    assert!(check(&d).invoice.is_some());
}

#[test]
fn figures_past_the_format_are_findings_not_panics() {
    let mut d = doc();
    d.lines[0].quantity = Some(Decimal::from(999_999_999_999_999i64));
    d.lines[0].unit_price = Some(Decimal::from(999_999_999_999_999i64));
    let c = check(&d);
    assert!(c.invoice.is_none());
    assert!(has(&d, "lines[0].amount", "amount.out_of_range"));
    assert_eq!(c.preview.total, Decimal::ZERO);

    // Each line fits; their group and totals do not.
    let mut d = doc();
    d.lines[0].quantity = Some(Decimal::ONE);
    d.lines[0].unit_price = Some(Decimal::from(900_000_000_000_000i64));
    d.lines.push(d.lines[0].clone());
    assert!(has(&d, "lines", "amount.out_of_range"));
    assert_eq!(
        check(&d).preview.total_before_vat,
        Decimal::from(1_800_000_000_000_000i64)
    );

    let mut d = doc();
    d.lines[0].quantity = Some(Decimal::MAX);
    d.lines[0].unit_price = Some(Decimal::MIN);
    d.lines[0].discount_rate = Some(Decimal::MAX);
    assert!(check(&d).invoice.is_none());
}

#[test]
fn a_blank_vat_rate_is_absent() {
    for blank in ["", "  "] {
        let mut d = doc();
        d.lines[0].tax_rate = Some(blank.into());
        assert_eq!(
            codes(&d),
            vec![("lines[0].tax_rate".into(), "required")],
            "{blank:?}"
        );
        d.form = "2".into();
        d.symbol = "C25TAB".into();
        let inv = check(&d).invoice.expect("a sales invoice needs no rate");
        assert_eq!(inv.lines()[0].tax_rate, None);
    }
}

#[test]
fn discount_rate_and_amount_must_agree() {
    let mut d = doc();
    d.lines[0].quantity = Some(Decimal::from(3));
    d.lines[0].unit_price = Some(Decimal::from(333));
    d.lines[0].discount_rate = Some(Decimal::new(125, 1));
    d.lines[0].discount_amount = Some(Decimal::from(124));
    let c = check(&d);
    let f = c
        .findings
        .iter()
        .find(|f| f.code == "discount.mismatch")
        .unwrap();
    assert_eq!(f.path, "lines[0].discount_amount");
    assert!(
        f.message_en.contains("124")
            && f.message_en.contains("12.5")
            && f.message_en.contains("125")
    );
    // 999 × 12.5 % = 124.875, rounded by the one policy.
    d.lines[0].discount_amount = Some(Decimal::from(125));
    assert!(check(&d).invoice.is_some());
}

#[test]
fn a_negative_discount_belongs_to_adjustments_only() {
    let mut d = doc();
    d.lines[0].discount_rate = Some(Decimal::from(-5));
    d.lines[0].discount_amount = Some(Decimal::from(-100));
    let found = codes(&d);
    assert!(
        found.contains(&("lines[0].discount_rate".into(), "discount.negative")),
        "{found:?}"
    );
    assert!(found.contains(&("lines[0].discount_amount".into(), "discount.negative")));
    assert!(!found.iter().any(|(_, c)| *c == "discount.range"));
    d.related = Some(RelatedInvoiceDocument {
        kind: 2,
        regime: 1,
        form: "1".into(),
        symbol: "C25TAB".into(),
        number: "1".into(),
        issue_date: "2025-10-01".into(),
        note: None,
        direction: None,
    });
    assert!(!codes(&d).iter().any(|(_, c)| *c == "discount.negative"));
}

#[test]
fn the_reduced_rate_outside_its_known_periods_is_a_warning() {
    let mut d = doc();
    d.lines[0].tax_rate = Some("8%".into());
    // Between the 2022 period and the 2023 extension.
    d.symbol = "C23TAB".into();
    d.issue_date = "2023-03-01".into();
    let c = check(&d);
    assert!(c.invoice.is_some(), "a warning does not stop issuing");
    let f = &c.findings[0];
    assert_eq!(
        (f.severity, f.code, f.path.as_str()),
        (
            Severity::Warning,
            "tax_rate.not_in_force",
            "lines[0].tax_rate"
        )
    );
    assert!(f.message_vi.contains("15/2022"));

    for (symbol, date) in [("C22TAB", "2022-06-30"), ("C25TAB", "2025-10-15")] {
        d.symbol = symbol.into();
        d.issue_date = date.into();
        assert!(check(&d).findings.is_empty(), "{date}");
    }

    // A 2023 replacement of a 2022 invoice carries the 2022 rate; and the other way round.
    let related = |date: &str| RelatedInvoiceDocument {
        kind: 1,
        regime: 1,
        form: "1".into(),
        symbol: "C22TAB".into(),
        number: "1".into(),
        issue_date: date.into(),
        note: None,
        direction: None,
    };
    d.symbol = "C23TAB".into();
    d.issue_date = "2023-03-01".into();
    d.related = Some(related("2022-12-31"));
    assert!(check(&d).findings.is_empty());
    d.symbol = "C22TAB".into();
    d.issue_date = "2022-03-01".into();
    d.related = Some(related("2022-01-31"));
    assert!(has(&d, "lines[0].tax_rate", "tax_rate.not_in_force"));
}

#[test]
fn form_and_letter_pairs_come_from_the_rules_of_the_issue_date() {
    let mut d = doc();
    d.symbol = "C25XAB".into();
    assert!(has(&d, "symbol", "symbol.form_mismatch"));
    d.form = "7".into();
    assert!(!has(&d, "symbol", "symbol.form_mismatch"));
    d.symbol = "C25NAB".into();
    assert!(has(&d, "symbol", "symbol.form_mismatch"));
}
