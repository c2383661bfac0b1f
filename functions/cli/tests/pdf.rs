//! `hoadon pdf`: the example invoice rendered, signed and printed; other files refused.

use std::process::{Command, Output};

fn hoadon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoadon"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("the hoadon binary runs")
}

fn temp(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("hoadon-cli-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path.to_string_lossy().into_owned()
}

/// `pdftotext -layout`; poppler-utils is installed by functions/dev's test step.
fn text_of(pdf: &str) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", pdf, "-"])
        .output()
        .expect("pdftotext must be installed (Debian poppler-utils; functions/dev installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn pdf_prints_a_signed_invoice() {
    let unsigned = hoadon(&["render", "shared/examples/invoice.json"]);
    assert!(unsigned.status.success());
    let unsigned = temp("unsigned.xml", &unsigned.stdout);
    let signed = hoadon(&[
        "sign",
        "--key",
        "functions/signing/tests/data/seller.key.pem",
        "--cert",
        "functions/signing/tests/data/seller.cert.pem",
        "--time",
        "2025-10-15T09:30:12",
        &unsigned,
    ]);
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let signed = temp("signed.xml", &signed.stdout);
    let o = hoadon(&[
        "pdf",
        "--bilingual",
        "--test",
        "--converted-by",
        "Lê Văn Bảo",
        &signed,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.starts_with(b"%PDF-"));
    let text = text_of(&temp("invoice.pdf", &o.stdout));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Số / No.: 123",
        "C25TAB",
        "Chữ ký hợp lệ",
        "Người chuyển đổi / Converter: Lê Văn Bảo",
        "TEST / HÓA ĐƠN THỬ NGHIỆM",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn pdf_refuses_what_is_not_an_invoice() {
    let file = temp("not-an-invoice.xml", b"<TDiep><DLieu/></TDiep>");
    let o = hoadon(&["pdf", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not an invoice"), "{err}");
}
