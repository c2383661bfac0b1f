//! Signing with a local key, verified by hoadon's verifier and by xmlsec1 (the independent
//! reference), and the attacks a verifier must refuse.

mod common;

use common::{data, read, signer, unsigned_example};
use hoadon_core::DateTime;
use hoadon_core::dsig::{DsigError, prepare, verify_document};
use hoadon_signing::{LocalKeySigner, SignerError};
use std::process::Command;

fn time() -> DateTime {
    "2025-10-15T09:30:12".parse().unwrap()
}

/// Runs xmlsec1 on a document, trusting only the test certificate. The test command installs
/// xmlsec1; a missing binary fails the test rather than skipping it.
fn xmlsec1_verifies(xml: &str, id_attrs: &[&str]) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("hoadon-xmlsec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{:x}.xml",
        xml.len() * 31 + xml.as_bytes()[xml.len() / 2] as usize
    ));
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--verify");
    for a in id_attrs {
        cmd.arg("--id-attr:Id").arg(a);
    }
    let out = cmd
        .arg("--pubkey-cert-pem")
        .arg(data("seller.cert.pem"))
        .args(["--enabled-key-data", "key-name"])
        .arg(&file)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (out.status.success() && text.contains("OK"), text)
}

#[test]
fn a_signed_invoice_verifies_with_hoadon_and_with_xmlsec1() {
    let signed = signer().sign_invoice(&unsigned_example(), time()).unwrap();
    let reports = verify_document(&signed).unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(r.valid, "{r:?}");
    assert_eq!(r.location, "HDon/DSCKS/NBan");
    assert_eq!(r.algorithm, "rsa-sha256");
    assert_eq!(r.tax_id.as_deref(), Some("0109998883"));
    assert_eq!(r.signing_time.as_deref(), Some("2025-10-15T09:30:12"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let (ok, out) = xmlsec1_verifies(&signed, &["DLHDon"]);
    assert!(ok, "xmlsec1 refused:\n{out}\n{signed}");
}

#[test]
fn signing_only_inserts_bytes() {
    let unsigned = unsigned_example();
    let signed = signer().sign_invoice(&unsigned, time()).unwrap();
    let start = signed.find("<Signature ").unwrap();
    let end = signed.find("</Signature>").unwrap() + "</Signature>".len();
    assert_eq!(format!("{}{}", &signed[..start], &signed[end..]), unsigned);
}

#[test]
fn any_input_shape_is_signed_and_verifies_with_xmlsec1() {
    let base = unsigned_example();
    let indented = base
        .replace("><", ">\n  <")
        .replace(">\n  <NBan></NBan>", "><NBan></NBan>");
    let variants = [
        ("indented", indented),
        (
            "no DSCKS",
            base.replace(
                "<DSCKS><NBan></NBan><NMua></NMua><CCKSKhac></CCKSKhac></DSCKS>",
                "",
            ),
        ),
        ("no DLHDon Id", base.replace(" Id=\"DLHDon-5f0c2b1e\"", "")),
        (
            "empty-element NBan",
            base.replace("<NBan></NBan>", "<NBan/>"),
        ),
        ("DSCKS without NBan", base.replace("<NBan></NBan>", "")),
        (
            "TDiep wrapper with namespaces on HDon",
            format!(
                "<TDiep><DLieu>{}</DLieu></TDiep>",
                base.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
                    .replacen(
                        "<HDon>",
                        "<HDon xmlns:inv=\"http://laphoadon.gdt.gov.vn/2014/09/invoicexml/v1\">",
                        1
                    )
            ),
        ),
    ];
    for (name, unsigned) in variants {
        let signed = signer()
            .sign_invoice(&unsigned, time())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = &verify_document(&signed).unwrap()[0];
        assert!(r.valid, "{name}: {r:?}");
        let (ok, out) = xmlsec1_verifies(&signed, &["DLHDon"]);
        assert!(ok, "{name}: xmlsec1 refused:\n{out}");
    }
}

#[test]
fn any_one_byte_change_inside_the_signed_data_is_rejected() {
    let signed = signer().sign_invoice(&unsigned_example(), time()).unwrap();
    let dl = signed.find("<TTChung>").unwrap()..signed.find("</DLHDon>").unwrap();
    let st = signed.find("<SigningTime>").unwrap() + 13..signed.find("</SigningTime>").unwrap();
    let positions: Vec<usize> = dl.clone().step_by(23).chain(st).collect();
    let mut checked = 0;
    for i in positions {
        let b = signed.as_bytes()[i];
        let replacement = match b {
            b'0'..=b'8' => b + 1,
            b'9' => b'0',
            b'a'..=b'y' | b'A'..=b'Y' => b + 1,
            _ => continue, // keep the document well-formed UTF-8 XML
        };
        let mut bytes = signed.clone().into_bytes();
        bytes[i] = replacement;
        let tampered = String::from_utf8(bytes).unwrap();
        let Ok(reports) = verify_document(&tampered) else {
            continue;
        };
        assert!(!reports[0].valid, "change at byte {i} was accepted");
        checked += 1;
    }
    assert!(checked > 30, "only {checked} positions checked");
}

#[test]
fn a_wrapped_signature_is_rejected() {
    let signed = signer().sign_invoice(&unsigned_example(), time()).unwrap();
    let dl_start = signed.find("<DLHDon").unwrap();
    let dl_end = signed.find("</DLHDon>").unwrap() + "</DLHDon>".len();
    let original = &signed[dl_start..dl_end];
    let forged = original
        .replace(" Id=\"DLHDon-5f0c2b1e\"", "")
        .replace("<TgTTTBSo>42652500</TgTTTBSo>", "<TgTTTBSo>1</TgTTTBSo>");

    // A second DLHDon beside the signed one.
    let two = format!("{}{forged}{}", &signed[..dl_start], &signed[dl_start..]);
    let r = &verify_document(&two).unwrap()[0];
    assert!(!r.valid);
    assert!(r.failure.as_deref().unwrap().contains("2 DLHDon"), "{r:?}");

    // The signed DLHDon hidden in DSCKS/CCKSKhac, a forged one in its place: every digest still
    // matches, but the signature no longer covers what a reader reads.
    let moved = format!("{}{forged}{}", &signed[..dl_start], &signed[dl_end..]).replace(
        "<CCKSKhac></CCKSKhac>",
        &format!("<CCKSKhac>{original}</CCKSKhac>"),
    );
    let r = &verify_document(&moved).unwrap()[0];
    assert!(r.references.iter().all(|x| x.digest_ok), "{r:?}");
    assert!(!r.valid);
    assert!(
        r.failure
            .as_deref()
            .unwrap()
            .contains("does not cover the DLHDon"),
        "{r:?}"
    );
}

#[test]
fn attach_refuses_a_signature_by_another_key() {
    let other = read(data("other.key.pem"));
    let cert = read(data("seller.cert.pem"));
    assert!(matches!(
        LocalKeySigner::from_pem(&other, &cert),
        Err(SignerError::Certificate(_))
    ));
    let prepared = prepare(&unsigned_example(), signer().certificate(), time()).unwrap();
    let mut value = signer().sign_raw(prepared.signed_info()).unwrap();
    value[10] ^= 1;
    assert_eq!(
        prepared.attach(&value).unwrap_err(),
        DsigError::BadSignature
    );
}

#[test]
fn an_invoice_is_signed_once() {
    let signed = signer().sign_invoice(&unsigned_example(), time()).unwrap();
    assert!(matches!(
        signer().sign_invoice(&signed, time()),
        Err(SignerError::Document(DsigError::AlreadySigned))
    ));
}

#[test]
fn a_tax_authority_signature_that_leaves_mccqt_out_is_rejected() {
    // A valid signature placed as the CQT's, over DLHDon and its SigningTime but not MCCQT.
    let signed = signer().sign_invoice(&unsigned_example(), time()).unwrap();
    let sig_start = signed.find("<Signature ").unwrap();
    let sig_end = signed.find("</Signature>").unwrap() + "</Signature>".len();
    let sig = &signed[sig_start..sig_end];
    let as_cqt = format!("{}{}", &signed[..sig_start], &signed[sig_end..])
        .replace(
            "</DLHDon>",
            "</DLHDon><MCCQT Id=\"M1\">00474597512BE94B7BAB367996EF464828</MCCQT>",
        )
        .replace(
            "<CCKSKhac></CCKSKhac>",
            &format!("<CQT>{sig}</CQT><CCKSKhac></CCKSKhac>"),
        );
    let r = &verify_document(&as_cqt).unwrap()[0];
    assert_eq!(r.location, "HDon/DSCKS/CQT");
    assert!(r.references.iter().all(|x| x.digest_ok) && r.signature_value_ok);
    assert!(!r.valid);
    assert_eq!(
        r.failure.as_deref(),
        Some("the tax-authority signature does not cover MCCQT")
    );
}

#[test]
fn a_generated_key_and_certificate_sign_verifiable_invoices() {
    let from: DateTime = "2025-01-01T00:00:00".parse().unwrap();
    let to: DateTime = "2055-01-01T00:00:00".parse().unwrap();
    let g = hoadon_signing::selfsigned::generate(
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        from,
        to,
    )
    .unwrap();
    let s = LocalKeySigner::from_pem(&g.key_pem, &g.cert_pem).unwrap();
    assert_eq!(s.certificate().tax_id.as_deref(), Some("0109998883"));
    let signed = s.sign_invoice(&unsigned_example(), time()).unwrap();
    let r = &verify_document(&signed).unwrap()[0];
    assert!(r.valid && r.warnings.is_empty(), "{r:?}");
    // OpenSSL reads the certificate too.
    let dir = std::env::temp_dir().join(format!("hoadon-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("c.pem"), &g.cert_pem).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-enddate", "-in"])
        .arg(dir.join("c.pem"))
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("MST:0109998883") && text.contains("2055"),
        "{text}"
    );
}
