//! The `hoadon` binary as users call it: exit codes, stdout and stderr.

use std::process::{Command, Output};

fn hoadon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoadon"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn render_writes_unsigned_xml_of_the_example() {
    let o = hoadon(&["render", "shared/examples/invoice.json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><HDon>"));
    assert!(xml.contains("<TgTTTBSo>42652500</TgTTTBSo>"));
}

#[test]
fn render_lists_every_finding_on_stderr_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("hoadon-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"form":"1","symbol":"C24TAB","issue_date":"2025-01-02",
            "seller":{"name":"A","tax_id":"0109998887","address":"B"},"lines":[{"name":"x"}]}"#,
    )
    .unwrap();
    let o = hoadon(&["render", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "nothing is rendered");
    let err = String::from_utf8(o.stderr).unwrap();
    for expected in [
        "symbol [symbol.year_mismatch]",
        "seller.tax_id [tax_id.check_digit]",
        "lines[0].unit [required]",
        "lines[0].quantity [required]",
        "lines[0].tax_rate [required]",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
}

#[test]
fn words_in_three_languages() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["words", "1250000"],
            "Một triệu hai trăm năm mươi nghìn đồng\n",
        ),
        (
            &["words", "--lang", "vi", "--le", "--chan", "101"],
            "Một trăm lẻ một đồng chẵn\n",
        ),
        (
            &["words", "--lang", "vi", "--currency", "USD", "12.05"],
            "Mười hai đô la Mỹ và năm xu\n",
        ),
        (
            &["words", "--lang", "zh", "15000105"],
            "壹仟伍佰万零壹佰零伍元整\n",
        ),
        (
            &["words", "--lang", "zh", "--yuan-variant", "-500"],
            "（负数）伍佰圆整\n",
        ),
        (
            &["words", "--lang", "en", "1250000"],
            "One million two hundred fifty thousand dong\n",
        ),
    ];
    for (args, expected) in cases {
        let o = hoadon(args);
        assert!(o.status.success(), "{args:?}");
        assert_eq!(stdout(&o), *expected, "{args:?}");
    }
}

#[test]
fn words_refuses_more_decimals_than_the_currency_has() {
    assert_eq!(hoadon(&["words", "10.5"]).status.code(), Some(1));
    assert_eq!(
        hoadon(&["words", "--currency", "USD", "10.505"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(hoadon(&["words", "1e5"]).status.code(), Some(1));
    assert_eq!(
        hoadon(&["words", "--lang", "fr", "1"]).status.code(),
        Some(2)
    );
    assert_eq!(hoadon(&[]).status.code(), Some(2));
}
