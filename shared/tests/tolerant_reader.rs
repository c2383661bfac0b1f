//! Variants of the same invoice that real files show (vn-einvoice §1): all read to one model.

mod common;
use common::*;
use hoadon_core::xml::{read_invoice, render};

fn reference_xml() -> String {
    let doc: hoadon_core::InvoiceDocument =
        serde_json::from_str(&read("../examples/invoice.json")).unwrap();
    render(&valid(&doc))
}

fn reads_to_reference(variant: &str) {
    let reference = valid(&read_invoice(&reference_xml()).unwrap());
    let doc = read_invoice(variant).unwrap_or_else(|e| panic!("{e}\n{variant}"));
    assert_eq!(valid(&doc), reference, "{variant}");
}

#[test]
fn the_reference_example_of_section_1_10_reads_and_re_renders() {
    // The reference's own example, indented and with a Signature placeholder.
    let doc = read_invoice(&read("data/reference-1.10.xml")).unwrap();
    let inv = valid(&doc);
    assert_eq!(inv.totals().total.to_string(), "42652500");
    assert_eq!(round_trip(&inv), inv);
    reads_to_reference(&read("data/reference-1.10.xml"));
}

#[test]
fn siblings_after_dlhdon_in_any_order() {
    let x = reference_xml().replace(
        "</DLHDon><DSCKS><NBan></NBan><NMua></NMua><CCKSKhac></CCKSKhac></DSCKS>",
        "</DLHDon><DSCKS><NBan/></DSCKS><DLQRCode>00020101</DLQRCode><MCCQT/>",
    );
    let doc = read_invoice(&x).unwrap();
    assert_eq!(doc.qr_data.as_deref(), Some("00020101"));
    assert_eq!(doc.authority_code, None);
}

#[test]
fn rate_summary_fields_in_either_order() {
    let x = reference_xml().replace(
        "<LTSuat><TSuat>10%</TSuat><ThTien>38250000</ThTien><TThue>3825000</TThue></LTSuat>",
        "<LTSuat><TSuat>10%</TSuat><TThue>3825000</TThue><ThTien>38250000</ThTien></LTSuat>",
    );
    reads_to_reference(&x);
}

#[test]
fn namespaces_prefixes_and_a_tdiep_wrapper() {
    let body = reference_xml().replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "");
    let wrapped = format!(
        "<?xml version=\"1.0\"?><TDiep><TTChung><MLTDiep>200</MLTDiep></TTChung><DLieu>{}</DLieu></TDiep>",
        body.replacen(
            "<HDon>",
            "<HDon xmlns:inv=\"http://laphoadon.gdt.gov.vn/2014/09/invoicexml/v1\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
            1
        )
    );
    reads_to_reference(&wrapped);
    let prefixed = body
        .replace("<", "<inv:")
        .replace("<inv:/", "</inv:")
        .replacen("<inv:HDon>", "<inv:HDon xmlns:inv=\"urn:x\">", 1);
    reads_to_reference(&prefixed);
}

#[test]
fn ttkhac_where_real_files_put_it() {
    let x = reference_xml().replace(
        "</TToan>",
        "<TTKhac><TTin><TTruong>MaTraCuu</TTruong><KDLieu>string</KDLieu><DLieu>ABC123</DLieu></TTin></TTKhac></TToan>",
    );
    let inv = valid(&read_invoice(&x).unwrap());
    assert_eq!(inv.extensions().totals[0].field, "MaTraCuu");
    assert_eq!(inv.extensions().totals[0].value, "ABC123");
    assert_eq!(round_trip(&inv), inv);
}

#[test]
fn a_number_that_is_not_a_number_is_named() {
    let x = reference_xml().replace("<SLuong>2</SLuong>", "<SLuong>2,5</SLuong>");
    let err = read_invoice(&x).unwrap_err().to_string();
    assert!(err.contains("HHDVu[0]/SLuong"), "{err}");
}
