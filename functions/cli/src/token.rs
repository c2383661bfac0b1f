//! `hoadon token`: the desktop signer (#15) — list what a PKCS#11 library offers, sign invoice
//! files on the token, sign the invoices awaiting a token signature on the server (`sign`) or in
//! an exported bundle (`sign-bundle`); the PIN asked once per run.

mod bundle;
mod client;
mod report;
mod session;
mod signing;

use crate::{Refused, now_in_vietnam, parse_time, read_input, write_output};
use hoadon_core::DateTime;
use hoadon_signing::token::{Module, Pin, TokenError, parse_hex};
use std::path::PathBuf;

/// The environment variable read for the PIN before asking on the terminal.
pub const PIN_ENV: &str = "HOADON_TOKEN_PIN";

const MODULE_SHORT: &str =
    "The token's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so; --help says more)";

const MODULE_HELP: &str = "The token's PKCS#11 library. SoftHSM2 (tests, trials): \
/usr/lib/softhsm/libsofthsm2.so on Debian/Ubuntu. A CA's USB token: the library its vendor's \
driver installs (a .so on Linux, a .dll under C:\\Windows\\System32 on Windows, a .dylib on \
macOS; the CA's installer or support page names it). OpenSC's opensc-pkcs11.so serves many \
smart cards too.";

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// List the tokens a PKCS#11 library offers and the certificates on each (no PIN needed).
    ///
    /// One block per token (slot, label, manufacturer, model, serial), then one line per
    /// certificate: id (CKA_ID, what --cert-id takes), label, tax id (MST), validity, subject.
    List {
        #[arg(long, value_name = "LIB", help = MODULE_SHORT, long_help = MODULE_HELP)]
        module: PathBuf,
    },
    /// Sign the invoices awaiting a token signature on the server, in one token session.
    ///
    /// Claims them (the server numbers them now, gaplessly, and prepares each one's SignedInfo
    /// for the token's certificate), signs each digest on the token after checking it is the
    /// SHA-256 of the SignedInfo sent, and posts the signatures, 100 per claim, until none is
    /// left. The certificate must be registered for the company; if it is not, it is offered for
    /// registration (--yes: without asking). The PIN is read from HOADON_TOKEN_PIN, or asked
    /// once on the terminal without echo; it is never printed or stored. Exit 1 if any invoice
    /// was refused or not claimed (the summary says which and why). An interrupted run loses
    /// nothing: the invoices it claimed come back to the next run with the same numbers.
    Sign(session::SignArgs),
    /// Sign an exported bundle of claimed invoices offline; the signed bundle goes to OUT.
    ///
    /// IN is a claim exported from the app (format hoadon-signing-bundle/1); it must have been
    /// prepared for this token's certificate and the company its MST names. OUT is a
    /// hoadon-signatures/1 file, to import in the app (or POST /api/signing/signatures).
    /// Every digest is checked against its SignedInfo before it is signed; one that is not is
    /// refused and nothing is written.
    SignBundle {
        #[command(flatten)]
        choice: signing::TokenChoice,
        /// The bundle; `-` reads stdin.
        #[arg(value_name = "IN.json")]
        input: String,
        /// Where the signed bundle goes; `-` writes stdout.
        #[arg(value_name = "OUT.json")]
        output: String,
    },
    /// Sign an unsigned invoice XML (from `render`) on the token; the signed XML goes to OUT.
    ///
    /// The signature is the one `hoadon sign` makes with a local key (RSA-SHA256, DSCKS/NBan),
    /// computed by the token's private key whose CKA_ID is the chosen certificate's; it is
    /// checked against the certificate before anything is written. The PIN is read from
    /// HOADON_TOKEN_PIN, or asked on the terminal without echo; it is never printed or stored.
    SignFile {
        #[arg(long, value_name = "LIB", help = MODULE_SHORT, long_help = MODULE_HELP)]
        module: PathBuf,
        /// The token's label (see `token list`); needed when several tokens are present.
        #[arg(long, value_name = "LABEL")]
        token: Option<String>,
        /// The certificate's CKA_ID in hex (see `token list`); needed when the token holds
        /// several certificates with private keys.
        #[arg(long, value_name = "HEX", value_parser = parse_cert_id)]
        cert_id: Option<CertId>,
        /// The signing time, Vietnam local time; defaults to now.
        #[arg(long, value_name = "YYYY-MM-DDThh:mm:ss", value_parser = parse_time)]
        time: Option<DateTime>,
        /// The unsigned invoice; `-` reads stdin.
        #[arg(value_name = "IN.xml")]
        input: String,
        /// Where the signed invoice goes; `-` writes stdout.
        #[arg(value_name = "OUT.xml")]
        output: String,
    },
}

/// A certificate's `CKA_ID` (a newtype: clap would take a bare `Vec<u8>` for many values).
#[derive(Clone)]
pub struct CertId(Vec<u8>);

fn parse_cert_id(s: &str) -> Result<CertId, String> {
    parse_hex(s)
        .map(CertId)
        .ok_or_else(|| "expected hex bytes, e.g. 01 or a0:0b".into())
}

fn token_err(e: TokenError) -> Refused {
    Refused(e.to_string())
}

pub fn run(cmd: TokenCommand) -> Result<(), Refused> {
    match cmd {
        TokenCommand::List { module } => list(&module),
        TokenCommand::Sign(args) => session::sign(args),
        TokenCommand::SignBundle {
            choice,
            input,
            output,
        } => bundle::sign_bundle(&choice, &input, &output),
        TokenCommand::SignFile {
            module,
            token,
            cert_id,
            time,
            input,
            output,
        } => sign_file(
            &module,
            token.as_deref(),
            cert_id.as_ref().map(|c| c.0.as_slice()),
            time,
            &input,
            &output,
        ),
    }
}

fn list(module: &std::path::Path) -> Result<(), Refused> {
    let tokens = Module::open(module)
        .and_then(|m| m.tokens())
        .map_err(token_err)?;
    if tokens.is_empty() {
        println!("no token present");
    }
    for t in tokens {
        println!(
            "token {:?} (slot {}): {} {}, serial {}",
            t.label, t.slot_id, t.manufacturer, t.model, t.serial
        );
        if t.certificates.is_empty() {
            println!("  no certificate");
            continue;
        }
        println!(
            "  {:<10} {:<16} {:<14} {:<42} subject",
            "id", "label", "MST", "valid"
        );
        for c in &t.certificates {
            let (valid, subject) = match &c.parsed {
                Ok(p) => (
                    format!("{} .. {}", p.not_before, p.not_after),
                    p.subject.clone(),
                ),
                Err(why) => ("-".into(), format!("(unreadable: {why})")),
            };
            println!(
                "  {:<10} {:<16} {:<14} {:<42} {}",
                c.id_hex(),
                c.label,
                c.tax_id().unwrap_or_else(|| "-".into()),
                valid,
                subject
            );
        }
    }
    Ok(())
}

/// The PIN: from [`PIN_ENV`] (unattended use, tests), else asked on the terminal without echo.
fn read_pin() -> Result<Pin, Refused> {
    if let Ok(pin) = std::env::var(PIN_ENV) {
        return Ok(Pin::new(pin));
    }
    rpassword::prompt_password("Token PIN: ")
        .map(Pin::new)
        .map_err(|e| {
            Refused(format!(
                "cannot read the PIN from the terminal ({e}); set {PIN_ENV}"
            ))
        })
}

fn sign_file(
    module: &std::path::Path,
    token: Option<&str>,
    cert_id: Option<&[u8]>,
    time: Option<DateTime>,
    input: &str,
    output: &str,
) -> Result<(), Refused> {
    let signing_time = match time {
        Some(t) => t,
        None => now_in_vietnam()?,
    };
    let unsigned = read_input(input)?;
    let module = Module::open(module).map_err(token_err)?;
    // A missing or ambiguous token is said before the PIN is asked.
    let label = module.token_label(token).map_err(token_err)?;
    let pin = read_pin()?;
    let signer = module
        .signer(Some(&label), cert_id, &pin)
        .map_err(token_err)?;
    drop(pin);
    let signed = signer
        .sign_invoice(&unsigned, signing_time)
        .map_err(|e| Refused(format!("{input}: {e}")))?;
    write_output(output, &signed)?;
    let c = signer.certificate();
    eprintln!(
        "signed {input} -> {output} on token {:?} with certificate {} (MST {})",
        signer.token_label(),
        c.id_hex(),
        c.tax_id().unwrap_or_else(|| "-".into())
    );
    Ok(())
}
