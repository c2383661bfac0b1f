//! `hoadon token` against a SoftHSM2 token (the software token speaking the same PKCS#11 API as
//! a CA's USB token): a fresh token per run in a temporary directory, holding a seller key and
//! its certificate (`MST:0109998883`) imported the way a CA provisions one.
//!
//! `functions/dev test` installs `softhsm2` and `opensc`; without them each test prints
//! `SKIPPED: …` and passes.

mod softhsm;

use hoadon_core::dsig::{self, verify_document};
use hoadon_core::{DateTime, InvoiceDocument, check, xml};
use hoadon_signing::token::{Module, Pin};
use softhsm::{Key, LABEL, PIN, Token, hoadon, text, xmlsec1_verifies};
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;
use std::time::Instant;

const KEYS: &[Key] = &[Key {
    id: "01",
    name: "Công ty TNHH Token Thử",
    mst: "0109998883",
}];

fn token() -> Option<(&'static Token, MutexGuard<'static, ()>)> {
    softhsm::token(KEYS)
}

fn unsigned_invoice() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/examples/invoice.json");
    let doc: InvoiceDocument =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    xml::render(&check(&doc).invoice.unwrap())
}

fn write_unsigned(t: &Token, name: &str) -> PathBuf {
    let p = t.dir.join(name);
    std::fs::write(&p, unsigned_invoice()).unwrap();
    p
}

#[test]
fn token_list_shows_the_token_and_its_certificate_with_its_mst() {
    let Some((t, _alone)) = token() else { return };
    let o = hoadon(
        &["token", "list", "--module", t.module.to_str().unwrap()],
        "",
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("token \"{LABEL}\"")), "{out}");
    assert!(out.contains("SoftHSM"), "{out}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("01 "))
        .unwrap_or_else(|| panic!("no certificate line:\n{out}"));
    assert!(line.contains("seller-01"), "{line}");
    assert!(line.contains("0109998883"), "{line}");
    assert!(
        line.contains("2025-01-01T00:00:00 .. 2035-01-01T00:00:00"),
        "{line}"
    );
    assert!(line.contains("MST:0109998883"), "{line}");
    println!("{out}");
}

#[test]
fn token_sign_file_signs_an_invoice_that_hoadon_and_xmlsec1_verify() {
    let Some((t, _alone)) = token() else { return };
    let input = write_unsigned(t, "in.xml");
    let output = t.dir.join("out.xml");
    let o = hoadon(
        &[
            "token",
            "sign-file",
            "--module",
            t.module.to_str().unwrap(),
            "--token",
            LABEL,
            "--cert-id",
            "01",
            "--time",
            "2025-10-15T09:30:12",
            input.to_str().unwrap(),
            output.to_str().unwrap(),
        ],
        PIN,
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains(PIN), "the PIN was printed:\n{out}");
    let signed = std::fs::read_to_string(&output).unwrap();
    let reports = verify_document(&signed).unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(r.valid, "{r:?}");
    assert_eq!(r.location, "HDon/DSCKS/NBan");
    assert_eq!(r.tax_id.as_deref(), Some("0109998883"));
    assert_eq!(r.signing_time.as_deref(), Some("2025-10-15T09:30:12"));

    xmlsec1_verifies(&output, &t.cert_pem);
}

#[test]
fn a_wrong_pin_is_a_clear_error_and_the_pin_is_printed_nowhere() {
    let Some((t, _alone)) = token() else { return };
    let input = write_unsigned(t, "in-wrong-pin.xml");
    let output = t.dir.join("out-wrong-pin.xml");
    let wrong = "271828";
    let o = hoadon(
        &[
            "token",
            "sign-file",
            "--module",
            t.module.to_str().unwrap(),
            input.to_str().unwrap(),
            output.to_str().unwrap(),
        ],
        wrong,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("the PIN is incorrect"), "{out}");
    assert!(!out.contains(wrong), "the PIN was printed:\n{out}");
    assert!(!output.exists());
    // And the signer's Debug never shows one either.
    assert_eq!(format!("{:?}", Pin::new(wrong.into())), "Pin(<redacted>)");
}

#[test]
fn an_unknown_certificate_id_or_token_label_or_an_expired_certificate_is_refused_by_name() {
    let Some((t, _alone)) = token() else { return };
    let input = write_unsigned(t, "in-unknown.xml");
    let output = t.dir.join("out-unknown.xml");
    let module = t.module.to_str().unwrap();
    let (i, o) = (input.to_str().unwrap(), output.to_str().unwrap());
    let r = hoadon(
        &[
            "token",
            "sign-file",
            "--module",
            module,
            "--cert-id",
            "02",
            i,
            o,
        ],
        PIN,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r).contains("no certificate with id 02"),
        "{}",
        text(&r)
    );
    let r = hoadon(
        &[
            "token",
            "sign-file",
            "--module",
            module,
            "--token",
            "nope",
            i,
            o,
        ],
        PIN,
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r).contains("no token labelled \"nope\""),
        "{}",
        text(&r)
    );
    let r = hoadon(
        &["token", "list", "--module", "/nonexistent/libpkcs11.so"],
        "",
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r).contains("cannot load the PKCS#11 library"),
        "{}",
        text(&r)
    );
    assert!(!output.exists());
}

/// One login, fifty signatures: what a signing session of claimed invoices does. Prints the
/// time per signature (a measurement, not an assertion).
#[test]
fn fifty_signed_infos_are_signed_in_one_session() {
    let Some((t, _alone)) = token() else { return };
    let module = Module::open(&t.module).unwrap();
    let signer = module
        .signer(Some(LABEL), None, &Pin::new(PIN.into()))
        .unwrap();
    assert_eq!(signer.certificate().tax_id().as_deref(), Some("0109998883"));
    let unsigned = unsigned_invoice();
    let prepared: Vec<_> = (0..50)
        .map(|i| {
            let time: DateTime = format!("2025-10-15T09:30:{i:02}").parse().unwrap();
            dsig::prepare(&unsigned, signer.signer_certificate(), time).unwrap()
        })
        .collect();
    let start = Instant::now();
    let values: Vec<Vec<u8>> = prepared
        .iter()
        .map(|p| signer.sign_signed_info(p.signed_info()).unwrap())
        .collect();
    let elapsed = start.elapsed();
    for (p, v) in prepared.into_iter().zip(values) {
        let signed = p.attach(&v).unwrap();
        assert!(verify_document(&signed).unwrap()[0].valid);
    }
    println!(
        "SoftHSM2: 50 signatures in one session in {:.1} ms, {:.2} ms per signature",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3 / 50.0
    );
}
