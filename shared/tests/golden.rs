//! Golden files: see tests/golden/README.md. `UPDATE_GOLDEN=1` rewrites the expectations.

mod common;
use common::*;
use hoadon_core::{InvoiceDocument, check, xml};
use std::path::Path;

fn cases(dir: &str) -> Vec<(String, InvoiceDocument)> {
    let mut v: Vec<_> = std::fs::read_dir(data(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".input.json"))
        .map(|p| {
            let name = p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".input.json", "");
            let doc = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, doc)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!v.is_empty(), "no cases in {dir}");
    v
}

/// Compares with the expected file, or writes it under UPDATE_GOLDEN=1. Returns a failure text.
fn compare(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{}:\n--- expected\n{expected}\n--- actual\n{actual}\n",
            path.display()
        )
    })
}

#[test]
fn xml_golden_files() {
    let mut failures = Vec::new();
    for (name, doc) in cases("golden/xml") {
        let inv = valid(&doc);
        let out = xml::render(&inv);
        failures.extend(compare(
            &data(&format!("golden/xml/{name}.expected.xml")),
            &out,
        ));
        assert_eq!(round_trip(&inv), inv, "{name}: model → XML → model");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_golden_files() {
    let mut failures = Vec::new();
    for (name, doc) in cases("golden/findings") {
        let c = check(&doc);
        assert!(!c.findings.is_empty(), "{name}: expected findings");
        let text: String = c.findings.iter().map(|f| format!("{f}\n")).collect();
        failures.extend(compare(
            &data(&format!("golden/findings/{name}.expected.txt")),
            &text,
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
