//! Helpers shared by the integration tests (a directory module, so not a test binary itself).
#![allow(dead_code)]

use hoadon_core::model::PartyDocument;
use hoadon_core::{Invoice, InvoiceDocument, check, xml};
use std::path::{Path, PathBuf};

pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The repository root: the nearest folder above this crate that holds the workspace `Cargo.lock`.
/// (This module is also compiled into tests of `functions/cli`, `functions/api` and
/// `functions/authority`, so the depth differs per crate.)
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(here)
        .to_path_buf()
}

/// Where the real samples (01–13b and their `certs/`: public documents, some from snapshots of
/// public repositories, none of which may be committed here) are read from: `$HOADON_REAL_SAMPLES`
/// if set (relative to the repository root), else `../shared/testdata/real-samples` beside the
/// repository root.
pub fn external_samples_dir() -> PathBuf {
    let root = repo_root();
    match std::env::var_os("HOADON_REAL_SAMPLES") {
        Some(dir) => root.join(dir),
        None => root.join("../shared/testdata/real-samples"),
    }
}

/// The path of an external real sample (or of its certificate, `certs/<file>.sigN.pem`), or `None`
/// after a `SKIPPED:` line on stderr when it is absent: a clone without the folder still passes.
pub fn external_sample_path(name: &str) -> Option<PathBuf> {
    let path = external_samples_dir().join(name);
    if path.is_file() {
        return Some(path);
    }
    eprintln!(
        "SKIPPED: real sample {name} not found in {} (set HOADON_REAL_SAMPLES)",
        external_samples_dir().display()
    );
    None
}

/// The text of an external real sample, or `None` (skipped, see [`external_sample_path`]).
pub fn external_sample(name: &str) -> Option<String> {
    let path = external_sample_path(name)?;
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
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
