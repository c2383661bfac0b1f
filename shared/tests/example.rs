//! The documented example (shared/examples/invoice.json) renders to the published totals.

mod common;
use common::*;
use hoadon_core::{InvoiceDocument, xml};

#[test]
fn the_documented_example_renders_with_the_published_totals() {
    let doc: InvoiceDocument = serde_json::from_str(&read("../examples/invoice.json")).unwrap();
    let inv = valid(&doc);
    let t = inv.totals();
    assert_eq!(t.total_before_vat.to_string(), "38800000");
    assert_eq!(t.total_vat.to_string(), "3852500");
    assert_eq!(t.total.to_string(), "42652500");
    let out = xml::render(&inv);
    assert!(out.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><HDon><DLHDon Id=\"DLHDon-5f0c2b1e\">"
    ));
    assert!(out.contains(
        "<TgTTTBChu>Bốn mươi hai triệu sáu trăm năm mươi hai nghìn năm trăm đồng</TgTTTBChu>"
    ));
}

#[test]
fn json_floats_are_refused_with_a_hint() {
    let text = read("../examples/invoice.json").replace("\"quantity\": \"2\"", "\"quantity\": 2.5");
    let err = serde_json::from_str::<InvoiceDocument>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("send decimal amounts as strings"), "{err}");
}

#[test]
fn unknown_json_fields_are_refused() {
    let text = read("../examples/invoice.json").replace("\"form\"", "\"fomr\": 1, \"form\"");
    let err = serde_json::from_str::<InvoiceDocument>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `fomr`"), "{err}");
}
