//! The bundle files of offline token signing, read and named here so the screen only shows
//! them. A signed bundle is read with the core's own `SignatureBatch` (the type the server
//! reads), after its `format` is checked by name: a file from another program, a later version
//! or the unsigned bundle itself is refused with what it is, not with a parser's complaint.

use hoadon_core::api::signing::{BUNDLE_FORMAT, SIGNATURES_FORMAT, SignatureBatch, SigningBundle};

/// Why a picked file is not a signed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not JSON, or JSON not shaped as a signed bundle: the parser's words.
    Unreadable(String),
    /// Another `format` (or none, shown as empty).
    Format(String),
    /// The exported bundle, not yet signed.
    Unsigned,
}

/// Reads a signed bundle (`hoadon-signatures/1`).
pub fn read_signed(text: &str) -> Result<SignatureBatch, FileProblem> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(SIGNATURES_FORMAT) => {}
        Some(BUNDLE_FORMAT) => return Err(FileProblem::Unsigned),
        other => return Err(FileProblem::Format(other.unwrap_or("").to_owned())),
    }
    let batch: SignatureBatch =
        serde_json::from_value(value).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    if batch.signatures.is_empty() {
        return Err(FileProblem::Unreadable("no signatures".into()));
    }
    Ok(batch)
}

/// The bundle as the file the desktop signs: the claim's answer as it came, indented so a
/// person can read what they are about to sign.
pub fn bundle_file(bundle: &SigningBundle) -> String {
    serde_json::to_string_pretty(bundle).expect("API bodies serialize")
}

/// `hoadon-bundle-YYYY-MM-DD.json` for the local date.
pub fn file_name(year: u32, month: u32, day: u32) -> String {
    format!("hoadon-bundle-{year:04}-{month:02}-{day:02}.json")
}

/// The first and last number of each series in a bundle, `1C26TAA 5–7`, in the bundle's order.
pub fn numbers(bundle: &SigningBundle) -> Vec<String> {
    let mut ranges: Vec<(String, u32, u32)> = Vec::new();
    for i in &bundle.invoices {
        match ranges.iter_mut().find(|r| r.0 == i.series) {
            Some(r) => {
                r.1 = r.1.min(i.number);
                r.2 = r.2.max(i.number);
            }
            None => ranges.push((i.series.clone(), i.number, i.number)),
        }
    }
    ranges
        .into_iter()
        .map(|(s, a, b)| {
            if a == b {
                format!("{s} {a}")
            } else {
                format!("{s} {a}–{b}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoadon_core::api::signing::ClaimedInvoice;

    #[test]
    fn a_signed_bundle_is_read_and_anything_else_refused_by_name() {
        let ok = r#"{"format":"hoadon-signatures/1","signatures":[
            {"invoice":"inv-1","certificate":"ab","signature_base64":"AAAA"}]}"#;
        let b = read_signed(ok).unwrap();
        assert_eq!(b.signatures[0].invoice, "inv-1");
        let unsigned = r#"{"format":"hoadon-signing-bundle/1","invoices":[]}"#;
        assert_eq!(read_signed(unsigned), Err(FileProblem::Unsigned));
        assert_eq!(
            read_signed(r#"{"format":"other/2","signatures":[]}"#),
            Err(FileProblem::Format("other/2".into()))
        );
        assert_eq!(
            read_signed(r#"{"signatures":[]}"#),
            Err(FileProblem::Format(String::new()))
        );
        assert!(matches!(
            read_signed("not json"),
            Err(FileProblem::Unreadable(_))
        ));
        let extra = r#"{"format":"hoadon-signatures/1","signatures":[],"x":1}"#;
        assert!(matches!(
            read_signed(extra),
            Err(FileProblem::Unreadable(_))
        ));
    }

    #[test]
    fn numbers_are_shown_as_ranges_per_series() {
        let inv = |series: &str, number| ClaimedInvoice {
            id: format!("{series}-{number}"),
            series: series.into(),
            number,
            issue_date: "2026-12-01".into(),
            buyer: "B".into(),
            total: "1".into(),
            currency: "VND".into(),
            signing_time: "2026-12-01T10:00:00".into(),
            signed_info_base64: String::new(),
            digest_sha256: String::new(),
        };
        let bundle = SigningBundle {
            format: BUNDLE_FORMAT.into(),
            tax_id: "0109998883".into(),
            certificate: "ab".into(),
            claimed_at: 0,
            invoices: vec![inv("1C26TAA", 5), inv("1C26TAA", 6), inv("1K26TBB", 1)],
            remaining: 0,
            skipped: vec![],
        };
        assert_eq!(numbers(&bundle), ["1C26TAA 5–6", "1K26TBB 1"]);
        assert_eq!(file_name(2026, 12, 1), "hoadon-bundle-2026-12-01.json");
        assert!(bundle_file(&bundle).contains("\"format\": \"hoadon-signing-bundle/1\""));
    }
}
