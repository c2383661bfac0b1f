//! `hoadon token sign`: one token session against the server — claim invoices awaiting a token
//! signature (the server numbers and prepares them), sign each `SignedInfo` on the token, post
//! the signatures, until nothing is left.
//!
//! The server is asked before the PIN whenever the token's public objects decide the
//! certificate: a bad access token, an unregistered certificate or an empty queue is said
//! without touching the token. The probe is a claim naming no invoice, which numbers nothing.
//!
//! Stopping: when the queue is empty, or when a claim offers only invoices this run already
//! tried — an invoice whose signature was refused stays claimed for this certificate and would
//! be offered again forever.

use super::client::{Api, CallError};
use super::report::{Refusal, Report};
use super::signing::{
    Opened, TokenChoice, check_tax_id, checked_digest, describe, registry_id, sign_digest,
};
use crate::Refused;
use hoadon_core::api::certificates::{CertificateUpload, CertificateView};
use hoadon_core::api::signing::{
    ClaimRequest, MAX_CLAIM, SignatureBatch, SignatureOutcome, SignatureResults, SigningBundle,
};
use hoadon_core::dsig;
use hoadon_signing::token::{TokenCertificate, TokenSigner};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Instant;

/// `hoadon token sign`'s options.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["all", "ids"])))]
pub struct SignArgs {
    #[command(flatten)]
    pub choice: TokenChoice,
    /// hoadon's address, e.g. https://hoadon.example.vn (plain http only for localhost).
    #[arg(long, env = "HOADON_SERVER", value_name = "URL")]
    pub server: String,
    /// A personal access token with the signer role (created in the app), or a sign-in token.
    /// Prefer the variable: a flag shows in the process list.
    #[arg(
        long,
        env = "HOADON_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub access_token: String,
    /// Sign every invoice awaiting a token signature (oldest first, 100 per claim).
    #[arg(long)]
    pub all: bool,
    /// Register the token's certificate on the server without asking, if it is not yet.
    #[arg(long)]
    pub yes: bool,
    /// Only these invoices (ids).
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
}

const CLAIMS: &str = "/api/signing/claims";
const SIGNATURES: &str = "/api/signing/signatures";
const REGISTER: &str = "/api/signing/certificates";

pub fn sign(args: SignArgs) -> Result<(), Refused> {
    let opened = Opened::open(&args.choice)?;
    let api = Api::new(&args.server, &args.access_token).map_err(Refused)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Refused(format!("cannot start the HTTP runtime: {e}")))?;
    runtime.block_on(session(&args, &opened, &api))
}

async fn session(args: &SignArgs, opened: &Opened, api: &Api) -> Result<(), Refused> {
    let start = Instant::now();
    let mut queued = None;
    if let Some(c) = &opened.known {
        queued = Some(probe(api, c, args, opened.label()).await?);
        if queued == Some(0) && args.all {
            println!("nothing awaits a token signature on {}", api.base());
            return Ok(());
        }
    }
    let signer = opened.login()?;
    let queued = match queued {
        Some(q) => q,
        None => probe(api, signer.certificate(), args, opened.label()).await?,
    };
    let total = if args.all {
        queued as usize
    } else {
        args.ids.len()
    };
    let mut report = Report {
        all: args.all,
        ..Report::default()
    };
    run(api, &signer, args, total, &mut report).await;
    report.timing.wall = start.elapsed();
    println!(
        "token {:?}, {}, server {}",
        signer.token_label(),
        describe(signer.certificate()),
        api.base()
    );
    print!("{}", report.render());
    if report.complete() {
        Ok(())
    } else {
        Err(Refused(
            "not every invoice was signed: see the summary above".into(),
        ))
    }
}

/// A claim naming no invoice: checks the access token and that the certificate is registered
/// and the seller's (offering to register it), and tells how many invoices are queued.
async fn probe(
    api: &Api,
    c: &TokenCertificate,
    args: &SignArgs,
    token_label: &str,
) -> Result<u64, Refused> {
    let req = ClaimRequest {
        certificate: registry_id(&c.der),
        invoices: Some(Vec::new()),
        limit: None,
    };
    let first = api.post::<_, SigningBundle>(CLAIMS, &req).await;
    let (_, bundle) = match first {
        Err(e) if e.code() == Some("certificate.not_registered") => {
            register(api, c, args.yes, token_label).await?;
            api.post::<_, SigningBundle>(CLAIMS, &req).await
        }
        other => other,
    }
    .map_err(|e| refused_by_server(api, "claim", &e))?;
    check_tax_id(c, &bundle.tax_id)?;
    Ok(bundle.remaining)
}

fn refused_by_server(api: &Api, what: &str, e: &CallError) -> Refused {
    let hint = match e {
        // On AWS the gateway's authorizer refuses with an untyped 403: the same as a 401 here.
        CallError::Api { status: 401, .. } | CallError::Api { status: 403, .. }
            if e.code().is_none_or(|c| c == "http" || c == "unauthorized") =>
        {
            "; the access token is not accepted (expired or revoked?): create a signer access \
             token in the app and pass it in HOADON_TOKEN"
        }
        CallError::Api { status: 403, .. } if what.starts_with("registering") => {
            "; only an admin registers a certificate (it is what makes a signature the \
             company's): ask one to register it in the app (Certificates), then run again"
        }
        CallError::Api { status: 403, .. } => "; the access token may not sign invoices",
        _ => "",
    };
    Refused(format!("{} {what}: {e}{hint}", api.base()))
}

/// Registers the token's certificate for the company, after asking (or with `--yes`).
async fn register(
    api: &Api,
    c: &TokenCertificate,
    yes: bool,
    token_label: &str,
) -> Result<(), Refused> {
    let what = describe(c);
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Refused(format!(
                "{what} is not registered on {}: register it in the app, or run again with \
                 --yes to register it from the token",
                api.base()
            )));
        }
        eprint!(
            "{what} is not registered on {}. Register it for the company now? [y/N] ",
            api.base()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Refused(format!("cannot read the answer: {e}")))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "có" | "Có") {
            return Err(Refused(format!("{what} not registered; nothing signed")));
        }
    }
    let label: String = format!("token {token_label}, {}", c.label)
        .chars()
        .take(100)
        .collect();
    let upload = CertificateUpload {
        der_base64: Some(dsig::b64_encode(&c.der)),
        pem: None,
        label: Some(label),
    };
    let (_, view) = api
        .post::<_, CertificateView>(REGISTER, &upload)
        .await
        .map_err(|e| refused_by_server(api, &format!("registering {what}"), &e))?;
    eprintln!("registered certificate {} ({})", view.id, view.subject);
    Ok(())
}

/// The claim loop; what happened goes into `report` (a failure stops it there).
async fn run(api: &Api, signer: &TokenSigner, args: &SignArgs, total: usize, report: &mut Report) {
    let certificate = registry_id(&signer.certificate().der);
    let bar = crate::progress(total);
    let mut tried: HashSet<String> = HashSet::new();
    let mut named: Option<VecDeque<String>> = (!args.all).then(|| {
        let mut seen = HashSet::new();
        args.ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect()
    });
    loop {
        let invoices = match &mut named {
            Some(q) if q.is_empty() => break,
            Some(q) => Some(q.drain(..q.len().min(MAX_CLAIM as usize)).collect()),
            None => None,
        };
        let limit = invoices.is_none().then_some(MAX_CLAIM);
        let req = ClaimRequest {
            certificate: certificate.clone(),
            invoices,
            limit,
        };
        let t = Instant::now();
        let claimed = api.post::<_, SigningBundle>(CLAIMS, &req).await;
        report.timing.claims += t.elapsed();
        report.timing.claim_calls += 1;
        let bundle = match claimed {
            Ok((_, b)) => b,
            Err(e) => {
                report.stopped = Some(refused_by_server(api, "claim", &e).0);
                break;
            }
        };
        report.remaining = bundle.remaining;
        if bundle.certificate != certificate {
            report.stopped = Some(format!(
                "the server prepared the invoices for certificate {}, not {certificate}",
                bundle.certificate
            ));
            break;
        }
        for s in bundle.skipped {
            let r = Refusal {
                invoice: s.invoice.clone(),
                numbered: None,
                code: s.code,
                message: s.message_en,
            };
            report.not_claimed.insert(s.invoice, r);
        }
        let fresh: Vec<_> = bundle
            .invoices
            .into_iter()
            .filter(|i| tried.insert(i.id.clone()))
            .collect();
        if fresh.is_empty() && named.is_none() {
            break;
        }
        for i in &fresh {
            report.not_claimed.remove(&i.id);
        }
        bar.set_length((bar.position() as usize + fresh.len() + bundle.remaining as usize) as u64);
        let numbered: HashMap<String, (String, u32)> = fresh
            .iter()
            .map(|i| (i.id.clone(), (i.series.clone(), i.number)))
            .collect();
        let mut signatures = Vec::with_capacity(fresh.len());
        for invoice in &fresh {
            bar.set_message(format!("{} no. {}", invoice.series, invoice.number));
            let t = Instant::now();
            let digest = checked_digest(invoice);
            report.timing.local += t.elapsed();
            let t = Instant::now();
            let signed = digest.and_then(|d| sign_digest(signer, &certificate, invoice, &d));
            report.timing.token += t.elapsed();
            match signed {
                Ok(s) => signatures.push(s),
                Err(n) => report.refused.push(Refusal {
                    invoice: invoice.id.clone(),
                    numbered: Some((invoice.series.clone(), invoice.number)),
                    code: n.code.into(),
                    message: n.message,
                }),
            }
            bar.inc(1);
        }
        if !signatures.is_empty()
            && let Err(why) = upload(api, signatures, &numbered, report).await
        {
            report.stopped = Some(why);
            break;
        }
        if named.is_none() && report.remaining == 0 {
            break;
        }
    }
    bar.finish_and_clear();
}

/// Posts one claim's signatures and records each outcome.
async fn upload(
    api: &Api,
    signatures: Vec<hoadon_core::api::signing::SignatureUpload>,
    numbered: &HashMap<String, (String, u32)>,
    report: &mut Report,
) -> Result<(), String> {
    let batch = SignatureBatch {
        format: None,
        signatures,
    };
    let t = Instant::now();
    let answer = api.post::<_, SignatureResults>(SIGNATURES, &batch).await;
    report.timing.uploads += t.elapsed();
    report.timing.upload_calls += 1;
    let (_, results) = answer.map_err(|e| {
        refused_by_server(api, "upload", &e).0
            + " (the invoices stay claimed for this certificate: run again to finish them)"
    })?;
    for outcome in results.results {
        let series_of = |id: &str| numbered.get(id).map(|(s, _)| s.clone()).unwrap_or_default();
        match outcome {
            SignatureOutcome::Attached { invoice, number } => {
                report.signed.push((series_of(&invoice), number));
            }
            SignatureOutcome::AlreadyAttached { invoice, number } => {
                report.already.push((series_of(&invoice), number));
            }
            SignatureOutcome::Refused(s) => report.refused.push(Refusal {
                numbered: numbered.get(&s.invoice).cloned(),
                invoice: s.invoice,
                code: s.code,
                message: s.message_en,
            }),
        }
    }
    Ok(())
}
