//! The certificate request from the local key, checked by OpenSSL: its signature verifies and
//! its subject carries the company's name and `UID=MST:<tax id>`.

use hoadon_signing::LocalKeySigner;
use hoadon_signing::csr::{request, rsa_spki_from_parts};
use hoadon_signing::testing::{TestCa, openssl_req_verify};
use std::path::PathBuf;
use std::process::Command;

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn openssl_verifies_the_request_and_reads_the_subject() {
    let signer =
        LocalKeySigner::from_pem(&data("seller.key.pem"), &data("seller.cert.pem")).unwrap();
    let c = hoadon_core::dsig::cert::parse(signer.certificate_der()).unwrap();
    let pem = request(
        &rsa_spki_from_parts(&c.modulus, &c.exponent),
        "Công ty TNHH Thiết bị Văn phòng An Phát",
        "0109998883",
        |b| signer.sign_raw(b).map_err(|e| e.to_string()),
    )
    .unwrap();
    let text = openssl_req_verify(&pem);
    assert!(text.contains("verify OK"), "{text}");
    assert!(text.contains("UID=MST:0109998883"), "{text}");
    assert!(
        text.contains("CN=Công ty TNHH Thiết bị Văn phòng An Phát"),
        "{text}"
    );
    // A CA issues it with the requested key usage, and hoadon reads the MST back from it.
    let issued = TestCa::new().issue(&pem, 365);
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(issued.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    let der = hoadon_signing::pem_block(&issued, "CERTIFICATE").unwrap();
    let c = hoadon_core::dsig::cert::parse(&der).unwrap();
    assert_eq!(c.tax_id().as_deref(), Some("0109998883"));
}
