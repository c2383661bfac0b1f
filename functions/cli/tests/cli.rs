//! The `hoadon` binary as users call it: exit codes, stdout and stderr.

use std::process::{Command, Output};

#[path = "../../../shared/tests/common/mod.rs"]
mod common;

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

const KEY: &str = "functions/signing/tests/data/seller.key.pem";
const CERT: &str = "functions/signing/tests/data/seller.cert.pem";
/// Real sample 03 (two valid signatures), read with `common::external_sample_path`.
const SAMPLE_03: &str = "03-ts24-tdiep202-hdon-c21tct-mccqt-cqt-2021-11-05.xml";

#[test]
fn sign_then_verify_round_trip() {
    let dir = std::env::temp_dir().join(format!("hoadon-cli-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let unsigned = dir.join("unsigned.xml");
    std::fs::write(
        &unsigned,
        hoadon(&["render", "shared/examples/invoice.json"]).stdout,
    )
    .unwrap();
    let o = hoadon(&[
        "sign",
        "--key",
        KEY,
        "--cert",
        CERT,
        "--time",
        "2025-10-15T09:30:12",
        unsigned.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let signed = dir.join("signed.xml");
    std::fs::write(&signed, &o.stdout).unwrap();
    let v = hoadon(&["verify", signed.to_str().unwrap()]);
    assert!(v.status.success());
    let line = stdout(&v);
    assert!(
        line.contains("signature 1 (HDon/DSCKS/NBan) rsa-sha256: valid; signer: "),
        "{line}"
    );
    assert!(
        line.contains("tax id: 0109998883; signed: 2025-10-15T09:30:12"),
        "{line}"
    );
}

#[test]
fn verify_reports_each_signature_and_fails_if_any_is_invalid() {
    let Some(good) = common::external_sample_path(SAMPLE_03) else {
        return;
    };
    let good = good.to_str().unwrap();
    let o = hoadon(&["verify", good]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 2);
    let Some(bad) = common::external_sample_path(
        "13a-vinhomes-vnptca-hdon-k25tek-5082-2025-09-22.as-published-indented.xml",
    ) else {
        return;
    };
    let o = hoadon(&["verify", good, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 3);
    assert!(
        out.contains("INVALID: reference 1 (#DuLieuKy): digest mismatch"),
        "{out}"
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn misspelt_flags_and_commands_exit_2_with_a_suggestion() {
    for (args, suggestion) in [
        (&["words", "--curency", "USD", "1"][..], "--currency"),
        (
            &["sign", "--kee", KEY, "--cert", CERT, "x.xml"][..],
            "--key",
        ),
        (&["verfy", "x.xml"][..], "verify"),
    ] {
        let o = hoadon(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(&format!("'{suggestion}'")), "{args:?}: {err}");
        assert!(err.contains("similar"), "{args:?}: {err}");
    }
    let o = hoadon(&["words", "--unknown", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unexpected argument '--unknown'"));
    assert_eq!(hoadon(&["sign", "x.xml"]).status.code(), Some(2));
    assert_eq!(hoadon(&["verify"]).status.code(), Some(2));
    assert_eq!(
        hoadon(&["words", "--currency", "XXXX", "1"]).status.code(),
        Some(2)
    );
}

#[test]
fn help_explains_each_command() {
    let o = hoadon(&["--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for command in ["render", "words", "sign", "verify", "completions"] {
        assert!(
            help.contains(&format!("  {command} ")),
            "{command}:\n{help}"
        );
    }
    assert!(help.contains("Exit codes"), "{help}");
    for (command, explains) in [
        ("render", "validation finding"),
        ("words", "--yuan-variant"),
        ("sign", "--time <YYYY-MM-DDThh:mm:ss>"),
        ("verify", "exit 0 only if all are valid"),
        ("completions", "bash"),
    ] {
        let o = hoadon(&[command, "--help"]);
        assert!(o.status.success(), "{command}");
        assert!(stdout(&o).contains(explains), "{command}:\n{}", stdout(&o));
    }
}

#[test]
fn completions_for_bash_name_every_command() {
    let o = hoadon(&["completions", "bash"]);
    assert!(o.status.success());
    let script = stdout(&o);
    for word in ["render", "words", "sign", "verify", "--yuan-variant"] {
        assert!(script.contains(word), "{word}");
    }
    assert_eq!(hoadon(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn verify_draws_no_progress_bar_when_stderr_is_not_a_terminal() {
    let Some(good) = common::external_sample_path(SAMPLE_03) else {
        return;
    };
    let good = good.to_str().unwrap();
    let o = hoadon(&["verify", good, good, good]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 6);
    assert_eq!(stderr(&o), "");
}

#[test]
fn read_prints_what_the_importer_understood_per_file() {
    let root = common::repo_root();
    let unsigned = hoadon(&[
        "render",
        root.join("shared/examples/invoice.json").to_str().unwrap(),
    ]);
    let dir = std::env::temp_dir().join(format!("hoadon-cli-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let invoice = dir.join("unsigned.xml");
    std::fs::write(&invoice, &unsigned.stdout).unwrap();
    let junk = dir.join("junk.xml");
    std::fs::write(&junk, "<Catalog/>").unwrap();
    let o = hoadon(&["read", invoice.to_str().unwrap(), junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "a refused file fails the run");
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one JSON object per file");
    let inv = &lines[0]["found"][0];
    assert_eq!(inv["type"], "invoice");
    assert_eq!(inv["kind"], "original");
    assert_eq!(inv["key"]["symbol"], "C25TAB");
    assert_eq!(inv["key"]["number"], 123);
    assert_eq!(inv["seller_signature"], "missing");
    assert!(inv["declared"]["total"].is_string() && inv["recomputed"]["total"].is_string());
    assert_eq!(lines[1]["refused"]["code"], "import.not_an_invoice");
    if let Some(coded) = common::external_sample_path(SAMPLE_03) {
        let o = hoadon(&["read", coded.to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        let inv = &v["found"][0];
        assert_eq!(inv["authority_code"], "00474597512BE94B7BAB367996EF464828");
        assert_eq!(inv["declared"]["total_vat"], "84000");
        assert_eq!(inv["recomputed"]["total_vat"], "120000");
        let roles: Vec<&str> = inv["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["NBan", "CQT"]);
    }
}
