//! The reader and validator on real invoices from public sources, which are not in the repository:
//! read from `../shared/testdata/real-samples` or `$HOADON_REAL_SAMPLES`, skipped when absent.

mod common;
use common::*;
use hoadon_core::xml::read_invoice;
use rust_decimal::Decimal;

/// File, symbol, number, total.
type Expected = (&'static str, &'static str, u64, i64);

/// Samples 01–09 (public documents, 2018–2022).
const VALID_REAL_INVOICES: &[Expected] = &[(
    "04-sesgroup-lcsca-tdiep203-hdon-k21tcc-2021-11-20.xml",
    "K21TCC",
    6,
    110_000_000,
)];

/// Samples 10–13b (from snapshots of public repositories).
const VALID_EXTERNAL_INVOICES: &[Expected] = &[
    (
        "11-vnpay-selfsignedtest-hdon-k23tll-226-2023-10-19.xml",
        "K23TLL",
        226,
        0,
    ),
    (
        "12-vnpay-smartsign-hdon-k23tkk-1063-2023-11-18.xml",
        "K23TKK",
        1063,
        31_030,
    ),
    (
        "13a-vinhomes-vnptca-hdon-k25tek-5082-2025-09-22.as-published-indented.xml",
        "K25TEK",
        5082,
        3_791_700,
    ),
    (
        "13b-vinhomes-vnptca-hdon-k25tek-5082-2025-09-22.whitespace-stripped.xml",
        "K25TEK",
        5082,
        3_791_700,
    ),
];

#[test]
fn consistent_real_invoices_read_validate_and_round_trip() {
    for expected in VALID_REAL_INVOICES {
        if let Some(xml) = external_sample(expected.0) {
            read_validate_round_trip(&xml, expected);
        }
    }
}

#[test]
fn consistent_external_real_invoices_read_validate_and_round_trip() {
    for expected in VALID_EXTERNAL_INVOICES {
        if let Some(xml) = external_sample(expected.0) {
            read_validate_round_trip(&xml, expected);
        }
    }
}

fn read_validate_round_trip(xml: &str, (file, symbol, number, total): &Expected) {
    let doc = read_invoice(xml).unwrap();
    assert_eq!(doc.symbol, *symbol, "{file}");
    assert_eq!(doc.number, Some(*number), "{file}");
    let inv = valid(&doc);
    assert_eq!(inv.totals().total, Decimal::from(*total), "{file}");
    assert_eq!(round_trip(&inv), inv, "{file}");
}

#[test]
fn a_tdiep_wrapper_and_stray_namespaces_are_tolerated() {
    // Sample 03: TDiep 202 around an HDon that declares xmlns:inv and xmlns:ds, with MCCQT.
    let Some(xml) = external_sample("03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.xml") else {
        return;
    };
    let doc = read_invoice(&xml).unwrap();
    assert_eq!(doc.symbol, "C21TCT");
    assert_eq!(
        doc.authority_code.as_deref(),
        Some("00474597512BE94B7BAB367996EF464828")
    );
    // Its currency is written "đ" (a known defect of that provider): validation says so.
    assert!(codes(&doc).contains(&("currency".into(), "currency.format")));
}

#[test]
fn wrong_amount_in_words_of_a_real_invoice_is_reported() {
    // Sample 09 is validly signed but reads 5,500,000 as "…năm trăm ngàn không trăm đồng".
    let Some(xml) = external_sample("09-vnpt-hdon-k22tba-16-2022-07-21.xml") else {
        return;
    };
    let doc = read_invoice(&xml).unwrap();
    let found = codes(&doc);
    assert!(found.contains(&("declared.total_in_words".into(), "totals.words_mismatch")));
    // Its trailing Fkey element is kept, not dropped.
    assert_eq!(doc.unknown[0].parent, "HDon");
    assert_eq!(doc.unknown[0].xml, "<Fkey>VNPTHPG2022000001228</Fkey>");
}

#[test]
fn unknown_elements_survive_a_render() {
    // Sample 04 carries empty MHSo, SBKe, … and a DSLPhi block hoadon does not model.
    let Some(xml) = external_sample("04-sesgroup-lcsca-tdiep203-hdon-k21tcc-2021-11-20.xml") else {
        return;
    };
    let doc = read_invoice(&xml).unwrap();
    let xml = hoadon_core::xml::render(&valid(&doc));
    assert!(xml.contains("<MHSo/>"));
    assert!(xml.contains("<DSLPhi><LPhi><TLPhi/><TPhi/></LPhi></DSLPhi>"));
}

#[test]
fn notices_and_registrations_are_not_invoices() {
    let Some(xml) = external_sample("05-gdt-haiphong-tbao-01tbdkdt-accept-2022-01-04.xml") else {
        return;
    };
    let err = read_invoice(&xml).unwrap_err();
    assert!(err.to_string().contains("no HDon"));
}
