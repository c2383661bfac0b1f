//! A SoftHSM2 token for the CLI's tests (the software token speaking the same PKCS#11 API as a
//! CA's USB token): made once per test binary in the target directory, holding seller keys and
//! their certificates imported the way a CA provisions one (`softhsm2-util --import`, then the
//! certificate with `pkcs11-tool --write-object` under the key's `CKA_ID`).
//!
//! `functions/dev test` installs `softhsm2` and `opensc`; without them [`token`] prints
//! `SKIPPED: …` and the test returns (passes).
#![allow(dead_code)]

use hoadon_core::DateTime;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

pub const PIN: &str = "314159";
pub const SO_PIN: &str = "27182818";
pub const LABEL: &str = "hoadon-test";
const MODULE_PATHS: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
];

/// A key pair to put on the token: its `CKA_ID` (hex), the certificate's subject name and MST.
pub struct Key {
    pub id: &'static str,
    pub name: &'static str,
    pub mst: &'static str,
}

/// A certificate on the token.
pub struct Cert {
    pub pem: PathBuf,
    pub pem_text: String,
    pub der: Vec<u8>,
}

pub struct Token {
    pub dir: PathBuf,
    pub module: PathBuf,
    /// One per [`Key`], in the same order.
    pub certs: Vec<Cert>,
    /// The first key's certificate (PEM file).
    pub cert_pem: PathBuf,
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The token with `keys` (the same in every call of a test binary), made once per binary, with
/// the right to use it alone until the guard drops; `None` (after a `SKIPPED:` line) without
/// the tools.
///
/// Why alone: SoftHSM2's file store rewrites the token file on a failed login (the PIN counter),
/// and another process reading it at that moment finds no token ("no token present"). A real
/// USB token is used by one signer at a time too.
pub fn token(keys: &[Key]) -> Option<(&'static Token, MutexGuard<'static, ()>)> {
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
        Some(make_token(module, keys))
    });
    if t.is_none() {
        println!(
            "SKIPPED: softhsm2 (softhsm2-util, libsofthsm2.so) or opensc (pkcs11-tool) missing"
        );
    }
    t.as_ref().map(|t| (t, guard))
}

fn make_token(module: PathBuf, keys: &[Key]) -> Token {
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
    // PKCS#11 library (the only C code here that reads the environment); the `hoadon` processes
    // the tests start inherit it.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &conf) };

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
    let nb: DateTime = "2025-01-01T00:00:00".parse().unwrap();
    let na: DateTime = "2035-01-01T00:00:00".parse().unwrap();
    let mut certs = Vec::new();
    for k in keys {
        let g = hoadon_signing::selfsigned::generate(k.name, k.mst, nb, na).unwrap();
        let key_pem = dir.join(format!("key-{}.pem", k.id));
        let cert_pem = dir.join(format!("cert-{}.pem", k.id));
        let cert_der = dir.join(format!("cert-{}.der", k.id));
        std::fs::write(&key_pem, &g.key_pem).unwrap();
        std::fs::write(&cert_pem, &g.cert_pem).unwrap();
        let der = hoadon_signing::pem_block(&g.cert_pem, "CERTIFICATE").unwrap();
        std::fs::write(&cert_der, &der).unwrap();
        let label = format!("seller-{}", k.id);
        run(Command::new("softhsm2-util")
            .arg("--import")
            .arg(&key_pem)
            .args([
                "--token", LABEL, "--label", &label, "--id", k.id, "--pin", PIN,
            ]));
        run(Command::new("pkcs11-tool")
            .arg("--module")
            .arg(&module)
            .args(["--token-label", LABEL, "--login", "--pin", PIN])
            .arg("--write-object")
            .arg(&cert_der)
            .args(["--type", "cert", "--id", k.id, "--label", &label]));
        // The private key file is not needed any more: the token holds it.
        std::fs::remove_file(&key_pem).unwrap();
        certs.push(Cert {
            pem: cert_pem,
            pem_text: g.cert_pem,
            der,
        });
    }
    Token {
        dir,
        module,
        cert_pem: certs[0].pem.clone(),
        certs,
    }
}

/// Runs `hoadon` with the PIN in `HOADON_TOKEN_PIN` and `env` added.
pub fn hoadon_env(args: &[&str], pin: &str, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoadon"))
        .args(args)
        .env("HOADON_TOKEN_PIN", pin)
        .envs(env.iter().copied())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

pub fn hoadon(args: &[&str], pin: &str) -> Output {
    hoadon_env(args, pin, &[])
}

/// stdout then stderr.
pub fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// Asserts xmlsec1 (the reference verifier) accepts `file`'s seller signature with `cert_pem`.
pub fn xmlsec1_verifies(file: &Path, cert_pem: &Path) {
    let x = Command::new("xmlsec1")
        .args(["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem"])
        .arg(cert_pem)
        .args(["--enabled-key-data", "key-name"])
        .arg(file)
        .output()
        .expect("xmlsec1 must be installed (functions/dev test installs it)");
    let xout = text(&x);
    assert!(
        x.status.success() && xout.contains("OK"),
        "xmlsec1 {}: {xout}",
        file.display()
    );
}

/// `hoadon token sign --server SERVER --module <the token's> EXTRA…` with the PIN and `bearer`
/// (in `HOADON_TOKEN`); asserts that neither secret appears in what it printed.
pub fn token_sign(t: &Token, server: &str, extra: &[&str], bearer: &str) -> Output {
    let mut args = vec![
        "token",
        "sign",
        "--server",
        server,
        "--module",
        t.module.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = hoadon_env(&args, PIN, &[("HOADON_TOKEN", bearer)]);
    let out = text(&o);
    assert!(!out.contains(PIN), "the PIN was printed:\n{out}");
    assert!(
        !out.contains(bearer),
        "the access token was printed:\n{out}"
    );
    o
}
