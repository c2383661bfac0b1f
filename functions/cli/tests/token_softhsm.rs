//! `hoadon token` against a SoftHSM2 token (the software token speaking the same PKCS#11 API as
//! a CA's USB token): a fresh token per run in a temporary directory, holding a seller key and
//! its certificate (`MST:0109998883`) imported the way a CA provisions one.
//!
//! `functions/dev test` installs `softhsm2` and `opensc`; without them each test prints
//! `SKIPPED: …` and passes.

use hoadon_core::dsig::{self, verify_document};
use hoadon_core::{DateTime, InvoiceDocument, check, xml};
use hoadon_signing::token::{Module, Pin};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

const PIN: &str = "314159";
const SO_PIN: &str = "27182818";
const LABEL: &str = "hoadon-test";
const MODULE_PATHS: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
];

struct Token {
    dir: PathBuf,
    module: PathBuf,
    cert_pem: PathBuf,
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The token, made once per test binary, with the right to use it alone until the guard drops;
/// `None` (after a `SKIPPED:` line) without the tools.
///
/// Why alone: SoftHSM2's file store rewrites the token file on a failed login (the PIN counter),
/// and another process reading it at that moment finds no token ("no token present"). A real
/// USB token is used by one signer at a time too.
fn token() -> Option<(&'static Token, MutexGuard<'static, ()>)> {
    static ALONE: Mutex<()> = Mutex::new(());
    let guard = ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    static TOKEN: OnceLock<Option<Token>> = OnceLock::new();
    let t = TOKEN.get_or_init(|| {
        let module = MODULE_PATHS.iter().map(PathBuf::from).find(|p| p.exists());
        let (Some(module), true, true) = (module, on_path("softhsm2-util"), on_path("pkcs11-tool"))
        else {
            return None;
        };
        Some(make_token(module))
    });
    if t.is_none() {
        println!(
            "SKIPPED: softhsm2 (softhsm2-util, libsofthsm2.so) or opensc (pkcs11-tool) missing"
        );
    }
    t.as_ref().map(|t| (t, guard))
}

fn make_token(module: PathBuf) -> Token {
    // Inside the work tree's target directory (cargo's per-crate scratch space), not /tmp.
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hoadon-token-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    // SAFETY: set once, inside the OnceLock every test waits on, before this process loads the
    // PKCS#11 library (the only C code here that reads the environment).
    unsafe { std::env::set_var("SOFTHSM2_CONF", &conf) };

    let nb: DateTime = "2025-01-01T00:00:00".parse().unwrap();
    let na: DateTime = "2035-01-01T00:00:00".parse().unwrap();
    let key = hoadon_signing::selfsigned::generate("Công ty TNHH Token Thử", "0109998883", nb, na)
        .unwrap();
    let key_pem = dir.join("seller.key.pem");
    let cert_pem = dir.join("seller.cert.pem");
    let cert_der = dir.join("seller.cert.der");
    std::fs::write(&key_pem, &key.key_pem).unwrap();
    std::fs::write(&cert_pem, &key.cert_pem).unwrap();
    let der = hoadon_signing::pem_block(&key.cert_pem, "CERTIFICATE").unwrap();
    std::fs::write(&cert_der, der).unwrap();

    run(Command::new("softhsm2-util").args([
        "--init-token",
        "--free",
        "--label",
        LABEL,
        "--so-pin",
        SO_PIN,
        "--pin",
        PIN,
    ]));
    run(Command::new("softhsm2-util")
        .arg("--import")
        .arg(&key_pem)
        .args([
            "--token", LABEL, "--label", "seller", "--id", "01", "--pin", PIN,
        ]));
    run(Command::new("pkcs11-tool")
        .arg("--module")
        .arg(&module)
        .args(["--token-label", LABEL, "--login", "--pin", PIN])
        .arg("--write-object")
        .arg(&cert_der)
        .args(["--type", "cert", "--id", "01", "--label", "seller"]));
    Token {
        dir,
        module,
        cert_pem,
    }
}

fn hoadon(args: &[&str], pin: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoadon"))
        .args(args)
        .env("HOADON_TOKEN_PIN", pin)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
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
    assert!(line.contains("seller"), "{line}");
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

    let x = Command::new("xmlsec1")
        .args(["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem"])
        .arg(&t.cert_pem)
        .args(["--enabled-key-data", "key-name"])
        .arg(&output)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    let xout = text(&x);
    assert!(x.status.success() && xout.contains("OK"), "xmlsec1: {xout}");
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
