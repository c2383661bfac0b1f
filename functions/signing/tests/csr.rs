//! The certificate request from the local key, checked by OpenSSL: its signature verifies and
//! its subject carries the company's name and `UID=MST:<tax id>`.

use hoadon_signing::LocalKeySigner;
use hoadon_signing::csr::{request, rsa_spki_from_parts};
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
    let dir = std::env::temp_dir().join(format!("hoadon-csr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("request.pem");
    std::fs::write(&file, &pem).unwrap();
    let out = Command::new("openssl")
        .args([
            "req",
            "-verify",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8,sep_comma_plus_space",
            "-in",
        ])
        .arg(&file)
        .output()
        .expect("openssl must be installed (functions/dev test installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("verify OK"), "{text}");
    assert!(text.contains("UID=MST:0109998883"), "{text}");
    assert!(
        text.contains("CN=Công ty TNHH Thiết bị Văn phòng An Phát"),
        "{text}"
    );
    // The requested key usage is there for the CA to see.
    let out = Command::new("openssl")
        .args(["req", "-noout", "-text", "-in"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
}
