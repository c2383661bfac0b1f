//! What the signing tests share: the test key and certificate, the documented invoice unsigned.
#![allow(dead_code)]

use hoadon_core::{InvoiceDocument, check, xml};
use hoadon_signing::LocalKeySigner;
use std::path::PathBuf;

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn signer() -> LocalKeySigner {
    LocalKeySigner::from_pem(
        &read(data("seller.key.pem")),
        &read(data("seller.cert.pem")),
    )
    .unwrap()
}

pub fn unsigned_example() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/examples/invoice.json");
    let doc: InvoiceDocument = serde_json::from_str(&read(root)).unwrap();
    xml::render(&check(&doc).invoice.unwrap())
}
