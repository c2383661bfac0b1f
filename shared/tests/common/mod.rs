//! Helpers shared by the integration tests (a directory module, so not a test binary itself).
#![allow(dead_code)]

use hoadon_core::model::PartyDocument;
use hoadon_core::{Invoice, InvoiceDocument, check, xml};
use std::path::PathBuf;

pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn sample(name: &str) -> String {
    read(&format!("data/real-samples/{name}"))
}

/// Validates a document that must be valid, showing the findings otherwise.
pub fn valid(doc: &InvoiceDocument) -> Invoice {
    let c = check(doc);
    match c.invoice {
        Some(inv) => inv,
        None => panic!(
            "unexpected findings:\n{}",
            c.findings
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Model → XML → model: the invoice read back from its own rendering.
pub fn round_trip(inv: &Invoice) -> Invoice {
    let xml = xml::render(inv);
    let doc = xml::read_invoice(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    valid(&doc)
}

/// Codes of the findings of a document.
pub fn codes(doc: &InvoiceDocument) -> Vec<(String, &'static str)> {
    check(doc)
        .findings
        .into_iter()
        .map(|f| (f.path, f.code))
        .collect()
}

/// A valid seller for generated documents.
pub fn seller() -> PartyDocument {
    PartyDocument {
        name: Some("Công ty An Phát".into()),
        tax_id: Some("0109998883".into()),
        address: Some("Hà Nội".into()),
        ..Default::default()
    }
}
