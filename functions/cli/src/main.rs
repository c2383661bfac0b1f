//! `hoadon`: the command-line face of `hoadon-core`.
//!
//! - `hoadon render INVOICE.json` — unsigned GDT XML on stdout; findings on stderr; exit 1 on
//!   any error.
//! - `hoadon words [--lang vi|zh|en] [--currency CODE] [options] AMOUNT` — the amount in words.
//! - `hoadon sign --key KEY.pem --cert CERT.pem [--time T] FILE.xml` — signed XML on stdout.
//! - `hoadon verify FILE.xml...` — one line per signature; exit 0 only if every one is valid.
//! - `hoadon pdf [--converted-by NAME] [--bilingual] [--test] SIGNED.xml` — the invoice's PDF on
//!   stdout, drawn from the signed file alone.
//! - `hoadon read FILE...` — what the importer understands of each invoice file (JSON Lines):
//!   kind, key, parties, totals declared and recomputed, related invoice, MCCQT, signatures,
//!   warnings; exit 1 if any file is refused.
//! - `hoadon token list --module LIB` — the tokens and certificates a PKCS#11 library offers.
//! - `hoadon token sign-file --module LIB [--token LABEL] [--cert-id HEX] IN.xml OUT.xml` — sign
//!   on the token (PIN from `HOADON_TOKEN_PIN` or asked without echo).
//! - `hoadon completions SHELL` — the shell's completion script on stdout.
//!
//! Exit codes: 0 success, 1 the input was refused (findings, bad amount, invalid signature),
//! 2 usage error (clap's, with a suggestion for a misspelt flag or command).

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use hoadon_core::words::{en, vi, zh};
use hoadon_core::{Currency, DateTime, InvoiceDocument, Severity, check, xml};
use std::io::{Read, Write};
use std::process::ExitCode;

mod pdf;
mod read;
mod token;

#[derive(Parser)]
#[command(
    name = "hoadon",
    version,
    about = "Vietnamese e-invoices from the command line: render, amounts in words, sign (with a key file or a token), verify",
    after_help = "Exit codes: 0 success, 1 the input was refused, 2 usage error.",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render an invoice document (JSON) to unsigned GDT XML on stdout.
    ///
    /// Every validation finding is printed on stderr (path, code, Vietnamese / English message);
    /// any error refuses the document (exit 1) and nothing is rendered.
    Render {
        /// The invoice document (shared/examples/README.md describes it); `-` reads stdin.
        #[arg(value_name = "INVOICE.json")]
        file: String,
    },
    /// Write an amount in words, as the invoice's "amount in words" line reads.
    Words(WordsArgs),
    /// Add the seller signature (RSA-SHA256, the DSCKS/NBan layout); signed XML on stdout.
    Sign {
        /// The seller's private key (PEM).
        #[arg(long, value_name = "KEY.pem")]
        key: String,
        /// The seller's certificate (PEM), written into the signature's KeyInfo.
        #[arg(long, value_name = "CERT.pem")]
        cert: String,
        /// The signing time, Vietnam local time; defaults to now.
        #[arg(long, value_name = "YYYY-MM-DDThh:mm:ss", value_parser = parse_time)]
        time: Option<DateTime>,
        /// The unsigned invoice (from `render`); `-` reads stdin.
        #[arg(value_name = "FILE.xml")]
        file: String,
    },
    /// Verify every signature of every file, one line each; exit 0 only if all are valid.
    ///
    /// A line gives the signature's location, algorithm, verdict and why, signer, tax id,
    /// signing time and warnings (certificate facts that do not change the verdict). A file that
    /// cannot be read as XML, or has no signature, fails too. With many files a progress bar is
    /// drawn on stderr when it is a terminal.
    Verify {
        #[arg(value_name = "FILE.xml", required = true)]
        files: Vec<String>,
    },
    /// The invoice's PDF (its human-readable copy) on stdout, drawn from the signed file alone.
    ///
    /// Every signature is verified and its verdict printed; a file that is not an invoice is
    /// refused (exit 1).
    Pdf(pdf::PdfArgs),
    /// What an import would understand of invoice files issued anywhere, as JSON Lines.
    ///
    /// Bare HDon, TDiep-wrapped (200/202/203) and 04/SS notice files. Per file: kind
    /// (original/replacement/adjustment), seller tax id + form + symbol + number, date, seller
    /// and buyer, currency and rate, totals per rate declared and recomputed, the related
    /// invoice, MCCQT, each signature's verdict (as the tax authority accepts them, the
    /// difference from strict XMLDSig stated) and every warning. Exit 1 if any file is refused.
    Read {
        #[arg(value_name = "FILE.xml", required = true)]
        files: Vec<String>,
    },
    /// Sign with a PKCS#11 token (a CA's USB token): list its certificates, sign invoice files.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Print the shell completion script for `hoadon` on stdout.
    ///
    /// For example `hoadon completions bash > ~/.local/share/bash-completion/completions/hoadon`.
    Completions { shell: clap_complete::Shell },
}

#[derive(clap::Args)]
struct WordsArgs {
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// ISO 4217 code; defaults to VND (CNY with `--lang zh`). Decimals past its scale are refused.
    #[arg(long, value_name = "CODE")]
    currency: Option<Currency>,
    /// Vietnamese: "lẻ" instead of "linh" (101 = một trăm lẻ một).
    #[arg(long)]
    le: bool,
    /// Vietnamese: "ngàn" instead of "nghìn".
    #[arg(long)]
    ngan: bool,
    /// Vietnamese: "chẵn" after a whole amount.
    #[arg(long)]
    chan: bool,
    /// Vietnamese: "tư" for a units digit 4 after "mươi" (24 = hai mươi tư).
    #[arg(long)]
    tu: bool,
    /// Vietnamese: how a negative amount reads ("Âm …", "Giảm …", "Điều chỉnh giảm …",
    /// "… (giảm)").
    #[arg(long, default_value = "am", value_parser = ["am", "giam", "dieu-chinh-giam", "suffix-giam"])]
    negative: String,
    /// Chinese: 圆 instead of 元.
    #[arg(long)]
    yuan_variant: bool,
    /// Digits, optionally `-` before and `.` with at most the currency's decimals.
    #[arg(allow_negative_numbers = true)]
    amount: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// Vietnamese.
    Vi,
    /// Chinese (大写, the capital numerals of invoices).
    Zh,
    /// English (US style).
    En,
}

fn parse_time(s: &str) -> Result<DateTime, String> {
    s.parse().map_err(|_| "expected YYYY-MM-DDThh:mm:ss".into())
}

/// The input was refused: exit 1, with this message (none when the output said it already).
struct Refused(String);

fn main() -> ExitCode {
    // clap exits with 2 on a usage error and 0 after --help or --version.
    let result = match Cli::parse().command {
        Command::Render { file } => render(&file),
        Command::Words(args) => words(&args),
        Command::Sign {
            key,
            cert,
            time,
            file,
        } => sign(&key, &cert, time, &file),
        Command::Verify { files } => verify(&files),
        Command::Pdf(args) => pdf::run(&args),
        Command::Read { files } => read::run(&files),
        Command::Token { command } => token::run(command),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "hoadon", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refused(msg)) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            ExitCode::from(1)
        }
    }
}

fn read_input(path: &str) -> Result<String, Refused> {
    let mut s = String::new();
    if path == "-" {
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Refused(format!("stdin: {e}")))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| Refused(format!("{path}: {e}")))
    }
}

fn write_stdout(text: &str) -> Result<(), Refused> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Refused(format!("stdout: {e}")))
}

/// Writes `text` to the file `path`, or to stdout for `-`.
fn write_output(path: &str, text: &str) -> Result<(), Refused> {
    if path == "-" {
        write_stdout(text)
    } else {
        std::fs::write(path, text).map_err(|e| Refused(format!("{path}: {e}")))
    }
}

fn render(path: &str) -> Result<(), Refused> {
    let text = read_input(path)?;
    let doc: InvoiceDocument = serde_json::from_str(&text)
        .map_err(|e| Refused(format!("{path}: not an invoice document: {e}")))?;
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
        return Err(Refused(format!("{path}: {n} error(s); nothing rendered")));
    };
    write_stdout(&xml::render(&invoice))
}

/// AMOUNT: optional `-`, digits, optional `.` and at most the currency's scale of digits.
fn parse_amount(s: &str, currency: Currency) -> Result<rust_decimal::Decimal, Refused> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let ok = !int.is_empty()
        && digits(int)
        && digits(frac)
        && (body.contains('.') != frac.is_empty())
        && frac.len() <= currency.scale() as usize;
    if !ok {
        return Err(Refused(format!(
            "{s:?} is not an amount in {currency}: digits, optionally '-' before and '.' with at most {} decimal(s)",
            currency.scale()
        )));
    }
    hoadon_core::money::parse_decimal(s).ok_or_else(|| Refused(format!("{s:?} is too large")))
}

fn words(a: &WordsArgs) -> Result<(), Refused> {
    let vi_opts = vi::ViOptions {
        le: a.le,
        ngan: a.ngan,
        chan: a.chan,
        tu: a.tu,
        negative: match a.negative.as_str() {
            "giam" => vi::NegativeWords::Giam,
            "dieu-chinh-giam" => vi::NegativeWords::DieuChinhGiam,
            "suffix-giam" => vi::NegativeWords::SuffixGiam,
            _ => vi::NegativeWords::Am,
        },
    };
    let zh_opts = zh::ZhOptions {
        yuan_variant: a.yuan_variant,
    };
    let text = match a.lang {
        Lang::Vi => {
            let c = a.currency.unwrap_or(Currency::VND);
            vi::amount_in_words(parse_amount(&a.amount, c)?, c, &vi_opts)
        }
        Lang::Zh => {
            let c = a.currency.unwrap_or(Currency::CNY);
            zh::amount_in_words(parse_amount(&a.amount, c)?, c, &zh_opts)
        }
        Lang::En => {
            let c = a.currency.unwrap_or(Currency::VND);
            en::amount_in_words(parse_amount(&a.amount, c)?, c)
        }
    };
    println!("{text}");
    Ok(())
}

fn sign(key: &str, cert: &str, time: Option<DateTime>, file: &str) -> Result<(), Refused> {
    let signing_time = match time {
        Some(t) => t,
        None => now_in_vietnam()?,
    };
    let signer = hoadon_signing::LocalKeySigner::from_pem(&read_input(key)?, &read_input(cert)?)
        .map_err(|e| Refused(e.to_string()))?;
    let signed = signer
        .sign_invoice(&read_input(file)?, signing_time)
        .map_err(|e| Refused(format!("{file}: {e}")))?;
    write_stdout(&signed)
}

/// `SigningTime` is written in Vietnam local time without a zone, as the samples do.
const VIETNAM_UTC_OFFSET: i64 = 7 * 3600;

/// Now, in Vietnam local time (the default signing time).
fn now_in_vietnam() -> Result<DateTime, Refused> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Refused(format!("clock: {e}")))?;
    DateTime::from_unix(now.as_secs() as i64, VIETNAM_UTC_OFFSET)
        .map_err(|_| Refused("clock out of range".into()))
}

/// A progress bar on stderr for work over `len` items: drawn only when stderr is a terminal
/// (indicatif hides it otherwise), so pipes, tests and CI logs see none of it.
fn progress(len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
            .expect("a valid template"),
    );
    bar
}

fn verify(files: &[String]) -> Result<(), Refused> {
    let bar = progress(files.len());
    let mut all_valid = true;
    for file in files {
        bar.set_message(file.clone());
        let lines = verify_file(file)?;
        all_valid &= lines.iter().all(|(valid, _)| *valid);
        // The lines go to stdout, the bar to stderr: suspended, so a terminal shows both whole.
        bar.suspend(|| {
            for (_, line) in &lines {
                println!("{line}");
            }
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    if all_valid {
        Ok(())
    } else {
        Err(Refused(String::new()))
    }
}

/// One file's report lines, each with whether it counts as valid.
fn verify_file(file: &str) -> Result<Vec<(bool, String)>, Refused> {
    let reports = match hoadon_core::dsig::verify_document(&read_input(file)?) {
        Ok(r) => r,
        Err(e) => return Ok(vec![(false, format!("{file}: unreadable: {e}"))]),
    };
    if reports.is_empty() {
        return Ok(vec![(false, format!("{file}: no signature"))]);
    }
    Ok(reports
        .into_iter()
        .map(|r| {
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
            (r.valid, line)
        })
        .collect())
}
