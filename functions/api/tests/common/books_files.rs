//! Invoices "issued elsewhere", made here: signed by the test key as another seller, some
//! coded (the test key playing the authority), corrections, 04/SS notices, ZIPs of them. Shared
//! by the books' tests and the import benchmark (`benches/import.rs`), hence no test harness here.
#![allow(dead_code)]

use hoadon_core::dsig::SignerCertificate;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{AuthorityCode, ErrorNotice, ErrorRow, SignedHDon, grant};
use hoadon_core::{InvoiceDocument, check, xml};
use std::io::Write;

/// The other seller's tax id (a valid one that is not the tenant's).
pub const SELLER: &str = "0312345673";
pub const SYMBOL: &str = "C25TXY";

pub fn signer() -> hoadon_signing::LocalKeySigner {
    let d = concat!(env!("CARGO_MANIFEST_DIR"), "/../signing/tests/data");
    let read = |f: &str| std::fs::read_to_string(format!("{d}/{f}")).unwrap();
    hoadon_signing::LocalKeySigner::from_pem(&read("seller.key.pem"), &read("seller.cert.pem"))
        .unwrap()
}

/// The documented invoice (`shared/examples/invoice.json`) as another seller's number `n`, with
/// the VAT rate of its first line varied by `n` and its buyer `buyer` (tax id, name).
pub fn foreign(n: u64, buyer: (&str, &str)) -> InvoiceDocument {
    let mut doc: InvoiceDocument =
        serde_json::from_str(include_str!("../../../../shared/examples/invoice.json")).unwrap();
    doc.symbol = SYMBOL.into();
    doc.number = Some(n);
    doc.seller.tax_id = Some(SELLER.into());
    doc.seller.name = Some("Công ty TNHH Nhà cung cấp Khác".into());
    doc.buyer.tax_id = Some(buyer.0.into());
    doc.buyer.name = Some(buyer.1.into());
    doc.buyer.code = None;
    doc.declared = None;
    doc.lines.truncate(2);
    doc.lines[0].tax_rate = Some(["10%", "8%", "5%", "0%"][(n % 4) as usize].into());
    doc
}

/// Renders and signs `doc` (declared totals computed), optionally coded.
pub fn signed(doc: &InvoiceDocument, coded: bool) -> String {
    signed_by(&signer(), doc, coded)
}

/// [`signed`] with a signer already loaded (the benchmark signs tens of thousands).
pub fn signed_by(s: &hoadon_signing::LocalKeySigner, doc: &InvoiceDocument, coded: bool) -> String {
    let checked = check(doc);
    let inv = checked
        .invoice
        .unwrap_or_else(|| panic!("{:?}", checked.findings));
    let unsigned = xml::render(&inv);
    let time = "2025-10-15T09:30:12".parse().unwrap();
    let xml = s.sign_invoice(&unsigned, time).unwrap();
    if !coded {
        return xml;
    }
    let body = xml.trim_start_matches(|c| c != '>').trim_start_matches('>');
    let hdon = SignedHDon::from_document(body).unwrap();
    let n = doc.number.unwrap();
    let code = AuthorityCode::new("CQT-MCCQT", &format!("00TESTCODE{n:024}")).unwrap();
    let cert = SignerCertificate::from_der(s.certificate_der()).unwrap();
    let prepared = grant(&hdon, &code, &cert, time).unwrap();
    let value = s.sign_raw(prepared.signed_info()).unwrap();
    prepared.attach(&value).unwrap()
}

/// A replacement (kind 1) or adjustment (kind 2, a decrease) of number `of`, numbered `n`.
pub fn correction(n: u64, of: u64, kind: u8, buyer: (&str, &str)) -> InvoiceDocument {
    let mut doc = foreign(n, buyer);
    doc.related = Some(hoadon_core::model::RelatedInvoiceDocument {
        kind,
        regime: 1,
        form: "1".into(),
        symbol: SYMBOL.into(),
        number: of.to_string(),
        issue_date: doc.issue_date.clone(),
        note: None,
        direction: (kind == 2).then_some(2),
    });
    if kind == 2 {
        // A decrease is written negative (the core's `adjustment.sign`).
        for l in &mut doc.lines {
            l.quantity = l.quantity.map(|q| -q);
            l.amount = l.amount.map(|a| -a);
        }
    }
    doc
}

/// A 04/SS notice of the other seller cancelling `numbers`.
pub fn cancellation(numbers: &[u64]) -> String {
    ErrorNotice {
        version: "2.0.1".into(),
        data_id: "TB-0001".into(),
        kind: 1,
        cqt_notice_number: None,
        cqt_notice_date: None,
        tax_office_code: "10101".into(),
        tax_office_name: "Thuế Thành phố Hà Nội".into(),
        taxpayer_name: "Công ty TNHH Nhà cung cấp Khác".into(),
        tax_id: Some(TaxId::parse(SELLER).unwrap()),
        budget_unit: None,
        place: "Hà Nội".into(),
        date: "2025-10-20".parse().unwrap(),
        rows: numbers
            .iter()
            .map(|n| ErrorRow {
                authority_code: None,
                form: "1".into(),
                symbol: SYMBOL.into(),
                number: n.to_string(),
                date: "2025-10-15".parse().unwrap(),
                regime: 1,
                action: 1,
                reason: "Hủy do sai thông tin".into(),
            })
            .collect(),
    }
    .to_xml()
}

/// A ZIP of `(name, bytes)`.
pub fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
