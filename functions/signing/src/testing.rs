//! Test helpers around OpenSSL (feature `stand-in`, tests only): the independent check of a
//! certificate request, and a throw-away CA that issues a certificate for one. They panic on
//! failure, as test code does; OpenSSL is installed by `functions/dev test`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl must be installed (functions/dev test installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "openssl {args:?}: {text}");
    text
}

fn scratch(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("hoadon-{name}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// `openssl req -verify -noout -subject` on a PEM request: its output (`verify OK`, the subject
/// as `CN=…, UID=MST:…`, UTF-8).
pub fn openssl_req_verify(pem: &str) -> String {
    let dir = scratch("csr");
    std::fs::write(dir.join("request.pem"), pem).expect("write the request");
    let args = ["req", "-verify", "-noout", "-subject", "-in", "request.pem"];
    let nameopt = ["-nameopt", "utf8,sep_comma_plus_space"];
    run(&dir, &[&args[..], &nameopt[..]].concat())
}

/// A CA made by OpenSSL for one test (`CN=TEST CA hoadon <n>`, unique per CA in the process;
/// RSA-2048, ten years).
pub struct TestCa {
    dir: PathBuf,
}

impl TestCa {
    pub fn new() -> Self {
        let dir = scratch("ca");
        let n = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let subject = format!("/C=VN/O=TEST/CN=TEST CA {}", n.unwrap_or_default());
        run(
            &dir,
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-days", "3650", "-subj", &subject,
            ],
        );
        TestCa { dir }
    }

    /// The CA's own certificate (PEM): the chain to upload with what it issues.
    pub fn certificate_pem(&self) -> String {
        std::fs::read_to_string(self.dir.join("ca.pem")).expect("the CA certificate")
    }

    /// The certificate (PEM) the CA issues for a request, with the request's subject, key and
    /// requested extensions, valid from now for `days`.
    pub fn issue(&self, request_pem: &str, days: u32) -> String {
        std::fs::write(self.dir.join("req.pem"), request_pem).expect("write the request");
        let days = days.to_string();
        run(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                "req.pem",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                &days,
                "-sha256",
                "-copy_extensions",
                "copy",
                "-out",
                "issued.pem",
            ],
        );
        std::fs::read_to_string(self.dir.join("issued.pem")).expect("the issued certificate")
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}
