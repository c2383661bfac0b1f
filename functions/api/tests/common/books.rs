//! Invoices "issued elsewhere" for the books' tests: signed by the test key as another seller,
//! some coded (the test key playing the authority), corrections, 04/SS notices, bad files;
//! ZIPs of them; the import call.

use super::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hoadon_core::dsig::SignerCertificate;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{AuthorityCode, ErrorNotice, ErrorRow, SignedHDon, grant};
use hoadon_core::{InvoiceDocument, check, xml};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::io::Write;
use tower::ServiceExt;

/// The other seller's tax id (a valid one that is not the tenant's).
pub const SELLER: &str = "0312345673";
pub const SYMBOL: &str = "C25TXY";

fn signer() -> hoadon_signing::LocalKeySigner {
    let d = concat!(env!("CARGO_MANIFEST_DIR"), "/../signing/tests/data");
    let read = |f: &str| std::fs::read_to_string(format!("{d}/{f}")).unwrap();
    hoadon_signing::LocalKeySigner::from_pem(&read("seller.key.pem"), &read("seller.cert.pem"))
        .unwrap()
}

/// The documented invoice (`shared/examples/invoice.json`) as another seller's number `n`, with
/// the VAT rate of its first line varied by `n` and its buyer `buyer` (tax id, name).
pub fn foreign(n: u64, buyer: (&str, &str)) -> InvoiceDocument {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/examples/invoice.json"
    ))
    .unwrap();
    let mut doc: InvoiceDocument = serde_json::from_str(&text).unwrap();
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
    let checked = check(doc);
    let inv = checked
        .invoice
        .unwrap_or_else(|| panic!("{:?}", checked.findings));
    let unsigned = xml::render(&inv);
    let s = signer();
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

impl TestApp {
    /// `POST /api/imports?name=` with the raw bytes.
    pub async fn import(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/imports?name={name}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap();
        let resp = hoadon_api::http::router(self.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes))),
        )
    }

    /// Every entry of a period (all pages).
    pub async fn books(&self, token: &str, from: &str, to: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let (s, v) = self
                .get(
                    token,
                    &format!("/api/books?from={from}&to={to}&limit=200&cursor={cursor}"),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            out.extend(v["items"].as_array().unwrap().iter().cloned());
            match v["next"].as_str() {
                Some(n) => cursor = n.to_owned(),
                None => return out,
            }
        }
    }
}
