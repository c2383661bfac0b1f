//! Signed invoices built in-test (the example document, signed with the test key of
//! functions/signing), and the text poppler's `pdftotext` extracts from a PDF.

#![allow(dead_code)]

use hoadon_core::api::delivery::lookup_extensions;
use hoadon_core::tdiep::{AuthorityCode, SignedHDon, grant};
use hoadon_core::{DateTime, InvoiceDocument, check, xml};
use hoadon_signing::LocalKeySigner;
use std::path::PathBuf;
use std::process::Command;

pub const SELLER: &str = "Công ty TNHH Thương mại Đức Hạnh";
pub const BUYER: &str = "Nguyễn Thị Ánh Tuyết";
pub const LOOKUP_CODE: &str = "7K3M-9QXA-2B4C-D5E6";
pub const LOOKUP_URL: &str = "https://hoadon.example/tra-cuu";
pub const MCCQT: &str = "00A1B2C3D4E5F60718293A4B5C6D7E8F90";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn signer() -> LocalKeySigner {
    let data = root().join("functions/signing/tests/data");
    LocalKeySigner::from_pem(
        &read(data.join("seller.key.pem")),
        &read(data.join("seller.cert.pem")),
    )
    .expect("the test key and certificate")
}

pub fn time() -> DateTime {
    "2026-01-05T09:30:12".parse().expect("a date-time")
}

/// The example invoice, renamed, with `lines` lines and the lookup fields.
pub fn document(lines: usize) -> InvoiceDocument {
    let mut doc: InvoiceDocument =
        serde_json::from_str(&read(root().join("shared/examples/invoice.json"))).expect("example");
    doc.issue_date = "2026-01-05".into();
    doc.symbol = "C26TAB".into();
    doc.seller.name = Some(SELLER.into());
    doc.buyer.contact_name = Some(BUYER.into());
    let base = doc.lines.clone();
    doc.lines = (0..lines)
        .map(|i| {
            let mut l = base[i % base.len()].clone();
            if lines > base.len() {
                l.name = format!("{} – hàng số {}", l.name, i + 1);
            }
            l
        })
        .collect();
    doc.extensions
        .general
        .extend(lookup_extensions(LOOKUP_CODE, LOOKUP_URL));
    doc
}

/// The document validated, rendered and signed by the seller.
pub fn signed(doc: &InvoiceDocument) -> String {
    let checked = check(doc);
    let invoice = checked
        .invoice
        .unwrap_or_else(|| panic!("invalid test invoice: {:?}", checked.findings));
    signer()
        .sign_invoice(&xml::render(&invoice), time())
        .expect("signed")
}

/// A seller-signed invoice coded by the "tax authority" (the same test key).
pub fn coded(signed: &str) -> String {
    let hdon = SignedHDon::from_document(signed).expect("a signed HDon");
    let code = AuthorityCode::new("Id-0123456789abcdef", MCCQT).expect("code");
    let s = signer();
    let prepared = grant(&hdon, &code, s.certificate(), time()).expect("grant");
    let value = s.sign_raw(prepared.signed_info()).expect("sign");
    prepared.attach(&value).expect("attach")
}

/// `pdftotext -layout` of a PDF. poppler-utils is installed by the test command
/// (functions/dev); without it the test fails rather than passing unchecked.
pub fn text_of(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("hoadon-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let file = dir.join(format!(
        "{}.pdf",
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&file, pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (Debian poppler-utils; functions/dev installs it)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// The text with runs of whitespace collapsed to one space, for phrases split by layout.
pub fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
