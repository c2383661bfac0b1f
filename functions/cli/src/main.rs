//! `hoadon`: the command-line face of `hoadon-core`.
//!
//! - `hoadon render INVOICE.json` — unsigned GDT XML on stdout; findings on stderr; exit 1 on
//!   any error.
//! - `hoadon words [--lang vi|zh|en] [--currency CODE] [options] AMOUNT` — the amount in words.
//! - `hoadon sign --key KEY.pem --cert CERT.pem [--time T] FILE.xml` — signed XML on stdout.
//! - `hoadon verify FILE.xml...` — one line per signature; exit 0 only if every one is valid.
//!
//! Exit codes: 0 success, 1 the input was refused (findings or bad amount), 2 usage error.

use hoadon_core::words::{en, vi, zh};
use hoadon_core::{Currency, InvoiceDocument, Severity, check, xml};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  hoadon render INVOICE.json            unsigned GDT XML on stdout (- reads stdin)
  hoadon words [--lang vi|zh|en] [--currency CODE] [--le] [--ngan] [--chan] [--tu] [--yuan-variant] AMOUNT
  hoadon sign --key KEY.pem --cert CERT.pem [--time YYYY-MM-DDThh:mm:ss] FILE.xml
                                        seller signature (RSA-SHA256); signed XML on stdout;
                                        the signing time defaults to now, Vietnam time
  hoadon verify FILE.xml...             every signature of every file, one line each;
                                        exit 0 only if all are valid
";

/// A failure with the exit code it maps to.
enum Failure {
    Usage(String),
    Refused(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => render(&args[1..]),
        Some("words") => words(&args[1..]),
        Some("sign") => sign(&args[1..]),
        Some("verify") => verify(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(Failure::Usage("expected a command".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(msg)) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn read_input(path: &str) -> Result<String, Failure> {
    let mut s = String::new();
    if path == "-" {
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::Refused(format!("stdin: {e}")))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| Failure::Refused(format!("{path}: {e}")))
    }
}

fn render(args: &[String]) -> Result<(), Failure> {
    let [path] = args else {
        return Err(Failure::Usage("render takes one file".into()));
    };
    let text = read_input(path)?;
    let doc: InvoiceDocument = serde_json::from_str(&text)
        .map_err(|e| Failure::Refused(format!("{path}: not an invoice document: {e}")))?;
    let checked = check(&doc);
    for f in &checked.findings {
        eprintln!("{f}");
    }
    let Some(invoice) = checked.invoice else {
        let n = checked
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        return Err(Failure::Refused(format!(
            "{path}: {n} error(s); nothing rendered"
        )));
    };
    let out = xml::render(&invoice);
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| Failure::Refused(format!("stdout: {e}")))
}

/// AMOUNT: optional `-`, digits, optional `.` and at most the currency's scale of digits.
fn parse_amount(s: &str, currency: Currency) -> Result<rust_decimal::Decimal, Failure> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = !int.is_empty()
        && digits(int)
        && digits(frac)
        && (body.contains('.') != frac.is_empty())
        && frac.len() <= currency.scale() as usize;
    if !ok {
        return Err(Failure::Refused(format!(
            "{s:?} is not an amount in {currency}: digits, optionally '-' before and '.' with at most {} decimal(s)",
            currency.scale()
        )));
    }
    hoadon_core::money::parse_decimal(s)
        .ok_or_else(|| Failure::Refused(format!("{s:?} is too large")))
}

fn words(args: &[String]) -> Result<(), Failure> {
    let mut lang = "vi".to_owned();
    let mut currency: Option<Currency> = None;
    let mut vi_opts = vi::ViOptions::default();
    let mut zh_opts = zh::ZhOptions::default();
    let mut amount = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--lang" => lang = it.next().cloned().unwrap_or_default(),
            "--currency" => {
                let c = it.next().cloned().unwrap_or_default();
                currency = Some(
                    c.parse()
                        .map_err(|e| Failure::Usage(format!("--currency {c}: {e}")))?,
                );
            }
            "--le" => vi_opts.le = true,
            "--ngan" => vi_opts.ngan = true,
            "--chan" => vi_opts.chan = true,
            "--tu" => vi_opts.tu = true,
            "--yuan-variant" => zh_opts.yuan_variant = true,
            s if amount.is_none()
                && (!s.starts_with('-') || s[1..].starts_with(|c: char| c.is_ascii_digit())) =>
            {
                amount = Some(s.to_owned())
            }
            other => return Err(Failure::Usage(format!("unexpected argument {other:?}"))),
        }
    }
    let amount = amount.ok_or_else(|| Failure::Usage("AMOUNT is missing".into()))?;
    let text = match lang.as_str() {
        "vi" => {
            let c = currency.unwrap_or(Currency::VND);
            vi::amount_in_words(parse_amount(&amount, c)?, c, &vi_opts)
        }
        "zh" => {
            let c = currency.unwrap_or(Currency::CNY);
            zh::amount_in_words(parse_amount(&amount, c)?, c, &zh_opts)
        }
        "en" => {
            let c = currency.unwrap_or(Currency::VND);
            en::amount_in_words(parse_amount(&amount, c)?, c)
        }
        other => {
            return Err(Failure::Usage(format!(
                "--lang {other:?}: expected vi, zh or en"
            )));
        }
    };
    println!("{text}");
    Ok(())
}

fn sign(args: &[String]) -> Result<(), Failure> {
    let (mut key, mut cert, mut time, mut file) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--key" => key = it.next(),
            "--cert" => cert = it.next(),
            "--time" => time = it.next(),
            f if file.is_none() && !f.starts_with("--") => file = Some(a),
            other => return Err(Failure::Usage(format!("unexpected argument {other:?}"))),
        }
    }
    let (Some(key), Some(cert), Some(file)) = (key, cert, file) else {
        return Err(Failure::Usage("sign needs --key, --cert and a file".into()));
    };
    let signing_time = match time {
        Some(t) => t
            .parse()
            .map_err(|_| Failure::Usage(format!("--time {t}: expected YYYY-MM-DDThh:mm:ss")))?,
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| Failure::Refused(format!("clock: {e}")))?;
            hoadon_core::DateTime::from_unix(now.as_secs() as i64, VIETNAM_UTC_OFFSET)
                .map_err(|_| Failure::Refused("clock out of range".into()))?
        }
    };
    let signer = hoadon_signing::LocalKeySigner::from_pem(&read_input(key)?, &read_input(cert)?)
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let signed = signer
        .sign_invoice(&read_input(file)?, signing_time)
        .map_err(|e| Failure::Refused(format!("{file}: {e}")))?;
    std::io::stdout()
        .write_all(signed.as_bytes())
        .map_err(|e| Failure::Refused(format!("stdout: {e}")))
}

/// `SigningTime` is written in Vietnam local time without a zone, as the samples do.
const VIETNAM_UTC_OFFSET: i64 = 7 * 3600;

fn verify(files: &[String]) -> Result<(), Failure> {
    if files.is_empty() {
        return Err(Failure::Usage("verify needs at least one file".into()));
    }
    let mut all_valid = true;
    for file in files {
        let reports = match hoadon_core::dsig::verify_document(&read_input(file)?) {
            Ok(r) => r,
            Err(e) => {
                println!("{file}: unreadable: {e}");
                all_valid = false;
                continue;
            }
        };
        if reports.is_empty() {
            println!("{file}: no signature");
            all_valid = false;
        }
        for r in reports {
            all_valid &= r.valid;
            let verdict = match &r.failure {
                None => "valid".to_owned(),
                Some(why) => format!("INVALID: {why}"),
            };
            let mut line = format!(
                "{file} signature {} ({}) {}: {verdict}; signer: {}; tax id: {}; signed: {}",
                r.index,
                r.location,
                r.algorithm,
                r.signer.as_deref().unwrap_or("-"),
                r.tax_id.as_deref().unwrap_or("-"),
                r.signing_time.as_deref().unwrap_or("-"),
            );
            if !r.warnings.is_empty() {
                line.push_str("; warnings: ");
                line.push_str(&r.warnings.join("; "));
            }
            println!("{line}");
        }
    }
    if all_valid {
        Ok(())
    } else {
        Err(Failure::Refused(String::new()))
    }
}
