//! `hoadon token sign` and `sign-bundle` against the real API (served in this process on a
//! loopback port, `local_server`) with a SoftHSM2 token (`softhsm`): invoices issued in token
//! mode are claimed, numbered gaplessly in claim order, signed on the token and attached; every
//! XML verifies with hoadon's verifier and with xmlsec1 and the token's certificate. Refusals
//! (another company's certificate, a revoked one, an unregistered one without `--yes`, a bad
//! access token), a session that died after claiming, and the offline bundle round trip.
//!
//! Without softhsm2/opensc each test prints `SKIPPED: …` and passes.

mod local_server;
mod softhsm;

use hoadon_core::api::signing::{SignatureBatch, SigningBundle};
use hoadon_core::dsig::verify_document;
use local_server::Server;
use serde_json::{Value, json};
use softhsm::{Key, PIN, Token, hoadon_env, text, token_sign, xmlsec1_verifies};
use std::process::Output;
use std::sync::MutexGuard;

const SELLER: &str = "0109998883";
const KEYS: &[Key] = &[
    Key {
        id: "01",
        name: "Công ty TNHH Thiết bị Văn phòng An Phát",
        mst: SELLER,
    },
    Key {
        id: "02",
        name: "Công ty khác",
        mst: "0100109106",
    },
    Key {
        id: "03",
        name: "Công ty TNHH Thiết bị Văn phòng An Phát (cũ)",
        mst: SELLER,
    },
];

fn token() -> Option<(&'static Token, MutexGuard<'static, ()>)> {
    softhsm::token(KEYS)
}

/// How many invoices the main test signs (debug build: kept small).
const N: usize = 20;

/// `hoadon token sign --server … --module … --cert-id ID EXTRA…` with the admin's token.
fn sign(t: &Token, s: &Server, cert_id: &str, extra: &[&str]) -> Output {
    sign_as(t, s, cert_id, extra, &s.admin)
}

fn sign_as(t: &Token, s: &Server, cert_id: &str, extra: &[&str], bearer: &str) -> Output {
    let mut args = vec!["--cert-id", cert_id];
    args.extend_from_slice(extra);
    token_sign(t, &s.url(), &args, bearer)
}

/// The invoice is signed with `number` and its XML verifies, with hoadon's verifier and xmlsec1
/// trusting only the token certificate.
fn assert_signed(t: &Token, s: &Server, id: &str, number: u64) {
    let v = s.invoice(id);
    assert_eq!(v["status"], "signed", "{v}");
    assert_eq!(v["number"].as_u64(), Some(number), "{id}: {v}");
    let xml = s.xml(id);
    let reports = verify_document(&xml).unwrap();
    assert_eq!(reports.len(), 1, "{id}");
    let r = &reports[0];
    assert!(r.valid, "{id}: {r:?}");
    assert_eq!(r.location, "HDon/DSCKS/NBan");
    assert_eq!(r.tax_id.as_deref(), Some(SELLER));
    let file = t.dir.join(format!("{id}.xml"));
    std::fs::write(&file, xml).unwrap();
    xmlsec1_verifies(&file, &t.certs[0].pem);
}

fn claim(s: &Server, certificate: &str, body: Value) -> SigningBundle {
    let mut body = body;
    body["certificate"] = json!(certificate);
    let (status, v) = s.call("POST", "/api/signing/claims", Some(body));
    assert_eq!(status, 200, "{v}");
    serde_json::from_value(v).unwrap()
}

#[test]
fn sign_all_registers_the_certificate_numbers_gaplessly_and_every_xml_verifies() {
    let Some((t, _alone)) = token() else { return };
    let s = Server::start("all");
    let ids = s.issue("all", N);

    // The desktop signs with a personal access token of role signer, not a password session.
    let (status, created) = s.call(
        "POST",
        "/api/access-tokens",
        Some(json!({"name": "desktop", "role": "signer", "expires_in_days": 30})),
    );
    assert_eq!(status, 201, "{created}");
    let pat = created["token"].as_str().unwrap().to_owned();
    assert!(pat.starts_with("hdp_"), "{created}");
    // A signer token may not add a certificate: an admin registers it (here from the token,
    // with the admin's session and --yes), then the access token signs.
    let o = sign_as(t, &s, "01", &["--all", "--yes"], &pat);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("only an admin registers a certificate"),
        "{out}"
    );
    assert!(!out.contains(&pat), "the access token was printed:\n{out}");
    let o = sign(t, &s, "01", &["--yes", &ids[0]]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("registered certificate"), "{out}");
    let o = sign_as(t, &s, "01", &["--all"], &pat);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains(&pat), "the access token was printed:\n{out}");
    assert!(
        out.contains(&format!("signed: {} invoice(s); {} 2–{N}", N - 1, s.series)),
        "{out}"
    );
    assert!(out.contains("on the token"), "{out}");
    // Claimed oldest first: the i-th issued invoice got number i.
    for (i, id) in ids.iter().enumerate() {
        assert_signed(t, &s, id, i as u64 + 1);
    }
    println!("{out}");

    // Nothing left: said before the PIN is even asked.
    let o = sign(t, &s, "01", &["--all"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nothing awaits"), "{}", text(&o));

    // Revoked, the access token opens nothing any more.
    let id = created["record"]["id"].as_str().unwrap().to_owned();
    let (status, _) = s.call("DELETE", &format!("/api/access-tokens/{id}"), None);
    assert!((200..300).contains(&status), "{status}");
    let o = sign_as(t, &s, "01", &["--all"], &pat);
    assert!(!o.status.success());
    assert!(text(&o).contains("401"), "{}", text(&o));
}

#[test]
fn named_invoices_only_and_a_second_run_for_the_rest() {
    let Some((t, _alone)) = token() else { return };
    let s = Server::start("named");
    s.register(&t.certs[0].pem_text);
    let ids = s.issue("named", 4);
    // The last two first: they are numbered in this claim's order.
    let o = sign(t, &s, "01", &[&ids[3], &ids[2], &ids[3]]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("signed: 2 invoice(s)"), "{}", text(&o));
    assert_eq!(s.invoice(&ids[0])["status"], "awaiting_token");
    let o = sign(t, &s, "01", &["--all"]);
    assert!(o.status.success(), "{}", text(&o));
    let numbers: Vec<u64> = ids
        .iter()
        .map(|id| s.invoice(id)["number"].as_u64().unwrap())
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 2, 3, 4], "gapless: {numbers:?}");
    assert_eq!(&numbers[..2], &[3, 4], "the rest after the named ones");
    assert_signed(t, &s, &ids[3], numbers[3]);

    // Named again, or unknown: not claimed, said by code, exit 1.
    let o = sign(t, &s, "01", &[&ids[3], "no-such-invoice"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("not claimed: 2"), "{out}");
    assert!(
        out.contains(&format!("{}: signature.not_awaiting_token", ids[3])),
        "{out}"
    );
    assert!(
        out.contains("no-such-invoice: signature.unknown_invoice"),
        "{out}"
    );
}

#[test]
fn a_session_killed_after_claiming_is_completed_by_the_next_with_the_same_numbers() {
    let Some((t, _alone)) = token() else { return };
    let s = Server::start("killed");
    let cert = s.register(&t.certs[0].pem_text);
    let ids = s.issue("killed", 5);
    // A session that claimed three and died before posting anything.
    let dead = claim(&s, &cert, json!({"limit": 3}));
    let numbered: Vec<(String, u32)> = dead
        .invoices
        .iter()
        .map(|i| (i.id.clone(), i.number))
        .collect();
    assert_eq!(numbered.len(), 3);
    for id in &ids[..3] {
        assert_eq!(s.invoice(id)["status"], "numbered");
    }

    let o = sign(t, &s, "01", &["--all"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains(&format!("signed: 5 invoice(s); {} 1–5", s.series)),
        "{out}"
    );
    for (id, number) in &numbered {
        assert_signed(t, &s, id, u64::from(*number));
    }
    assert_signed(t, &s, &ids[4], 5);
}

#[test]
fn another_companys_a_revoked_or_an_unregistered_certificate_and_a_bad_access_token_are_refused() {
    let Some((t, _alone)) = token() else { return };
    let s = Server::start("refused");
    let ids = s.issue("refused", 2);
    let untouched = |s: &Server| {
        for id in &ids {
            let v = s.invoice(id);
            assert_eq!(v["status"], "awaiting_token", "nothing numbered: {v}");
        }
    };

    // Not registered, not interactive, no --yes: say so, touch nothing.
    let o = sign(t, &s, "01", &["--all"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("is not registered"), "{out}");
    assert!(out.contains("--yes"), "{out}");
    untouched(&s);

    // Another company's certificate cannot be registered.
    let o = sign(t, &s, "02", &["--all", "--yes"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("certificate.other_tax_id"), "{out}");
    assert!(out.contains("MST 0100109106"), "{out}");
    untouched(&s);

    // A revoked certificate.
    let revoked = s.register(&t.certs[2].pem_text);
    let (st, v) = s.call(
        "POST",
        &format!("/api/certificates/{revoked}/revoke"),
        Some(json!({})),
    );
    assert_eq!(st, 200, "{v}");
    let o = sign(t, &s, "03", &["--all", "--yes"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("certificate.revoked"), "{out}");
    untouched(&s);

    // An access token the server does not accept.
    let o = sign_as(t, &s, "01", &["--all"], "hdp_not-a-real-token");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("HTTP 401"), "{out}");
    untouched(&s);

    // Plain http to another machine is refused before anything is sent.
    let o = token_sign(
        t,
        "http://hoadon.example.vn",
        &["--cert-id", "01", "--all"],
        "x-token",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("use https://"), "{}", text(&o));
}

#[test]
fn sign_bundle_round_trip_and_refusals() {
    let Some((t, _alone)) = token() else { return };
    let s = Server::start("bundle");
    let cert = s.register(&t.certs[0].pem_text);
    let ids = s.issue("bundle", 3);
    let bundle = claim(&s, &cert, json!({}));
    assert_eq!(bundle.invoices.len(), 3);
    let write = |name: &str, b: &Value| {
        let p = t.dir.join(name);
        std::fs::write(&p, serde_json::to_string(b).unwrap()).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let good = serde_json::to_value(&bundle).unwrap();
    let input = write("bundle.json", &good);
    let output = t.dir.join("signed.json");
    let module = t.module.to_str().unwrap();
    let run = |input: &str, cert_id: &str| {
        let o = hoadon_env(
            &[
                "token",
                "sign-bundle",
                "--module",
                module,
                "--cert-id",
                cert_id,
                input,
                output.to_str().unwrap(),
            ],
            PIN,
            &[],
        );
        assert!(!text(&o).contains(PIN));
        o
    };

    // Refusals first: nothing is written.
    let mut tampered = good.clone();
    tampered["invoices"][1]["digest_sha256"] = json!("00".repeat(32));
    let mut other_format = good.clone();
    other_format["format"] = json!("hoadon-signing-bundle/2");
    let mut other_seller = good.clone();
    other_seller["tax_id"] = json!("0100109106");
    let mut other_cert = good.clone();
    other_cert["certificate"] = json!("ab".repeat(32));
    let cases = [
        (
            write("tampered.json", &tampered),
            "01",
            "client.digest_mismatch",
        ),
        (
            write("format.json", &other_format),
            "01",
            "hoadon-signing-bundle/2",
        ),
        (
            write("other-cert.json", &other_cert),
            "01",
            "was prepared for certificate",
        ),
        (input.clone(), "02", "was prepared for certificate"),
        (
            write("seller.json", &other_seller),
            "01",
            "the seller 0100109106's",
        ),
    ];
    for (file, cert_id, why) in cases {
        let o = run(&file, cert_id);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", text(&o));
        assert!(text(&o).contains(why), "{file}: {}", text(&o));
        assert!(!output.exists(), "{file}: something was written");
    }

    let o = run(&input, "01");
    assert!(o.status.success(), "{}", text(&o));
    let batch: SignatureBatch =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(batch.format.as_deref(), Some("hoadon-signatures/1"));
    assert_eq!(batch.signatures.len(), 3);
    let body = serde_json::to_value(&batch).unwrap();
    let (st, v) = s.call("POST", "/api/signing/signatures", Some(body.clone()));
    assert_eq!(st, 200, "{v}");
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["outcome"], "attached", "{v}");
    }
    for (i, id) in ids.iter().enumerate() {
        assert_signed(t, &s, id, i as u64 + 1);
    }
    // Imported twice: already attached, nothing changes.
    let (_, v) = s.call("POST", "/api/signing/signatures", Some(body));
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "already_attached"),
        "{v}"
    );
}

/// The measurement of #15 (not a timed test; run it on a release build):
/// `cargo test --release -p hoadon-cli --test token_server -- --ignored --nocapture measure`.
/// Issues `HOADON_MEASURE_N` (default 500) invoices in token mode and signs them in one
/// `hoadon token sign --all` session; prints the CLI's summary (wall time, on the token, server
/// round trips) and checks the numbers and a sample of the XML.
#[test]
#[ignore = "a measurement: run on a release build with --ignored"]
fn measure_signing_500_invoices_in_one_session() {
    let Some((t, _alone)) = token() else { return };
    let n: usize = std::env::var("HOADON_MEASURE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let s = Server::start("measure");
    s.register(&t.certs[0].pem_text);
    let issued = std::time::Instant::now();
    let ids = s.issue("measure", n);
    println!(
        "issued {n} invoices in token mode in {:.2} s",
        issued.elapsed().as_secs_f64()
    );
    let started = std::time::Instant::now();
    let o = sign(t, &s, "01", &["--all"]);
    let wall = started.elapsed();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains(&format!("signed: {n} invoice(s); {} 1–{n}", s.series)),
        "{out}"
    );
    println!("{out}");
    println!(
        "process wall time (PKCS#11 load, login, {n} invoices): {:.2} s, {:.2} ms per invoice",
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1e3 / n as f64
    );
    for (i, id) in ids.iter().enumerate().step_by(n.div_ceil(10).max(1)) {
        assert_signed(t, &s, id, i as u64 + 1);
    }
}
