//! Shared by the authority tests: a seller (the signing tests' key), invoices signed by it,
//! messages around them, and simulators with a fixed key and clock.
#![allow(dead_code)]

use hoadon_authority::simulator::{AuthorityKey, Clock, Simulator, SimulatorConfig};
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{Body, Header, MessageId, MessageKind, SignedHDon, TDiep};
use hoadon_core::{DateTime, InvoiceDocument, check, xml};
use hoadon_signing::LocalKeySigner;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub const SELLER_MST: &str = "0109998883";
pub const TVAN: &str = "V0309478306";
/// 2027-01-15T09:00:00 in Vietnam.
pub const FIXED_MS: u64 = 1_799_978_400_000;

pub fn manifest(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn read(rel: &str) -> String {
    let p = manifest(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn seller() -> LocalKeySigner {
    LocalKeySigner::from_pem(
        &read("../signing/tests/data/seller.key.pem"),
        &read("../signing/tests/data/seller.cert.pem"),
    )
    .unwrap()
}

pub fn fixed_key() -> AuthorityKey {
    AuthorityKey {
        key_pem: read("tests/data/simulator.key.pem"),
        cert_pem: read("tests/data/simulator.cert.pem"),
    }
}

/// A simulator with the fixed test key; `clock` none = the system's.
pub fn simulator(config: SimulatorConfig) -> Simulator {
    Simulator::new(SimulatorConfig {
        key: Some(config.key.clone().unwrap_or_else(fixed_key)),
        ..config
    })
    .unwrap()
}

pub fn fixed_simulator() -> Simulator {
    simulator(SimulatorConfig {
        clock: Clock::fixed(FIXED_MS),
        ..SimulatorConfig::default()
    })
}

pub fn example() -> InvoiceDocument {
    serde_json::from_str(&read("../../shared/examples/invoice.json")).unwrap()
}

/// The example invoice as `symbol` / `number`, edited by `edit`, signed by the seller.
pub fn invoice_with(
    symbol: &str,
    number: u64,
    edit: impl FnOnce(&mut InvoiceDocument),
) -> SignedHDon {
    let mut doc = example();
    doc.symbol = symbol.into();
    doc.number = Some(number);
    doc.data_id = Some(format!("DLHDon-{symbol}-{number}"));
    edit(&mut doc);
    let checked = check(&doc);
    let inv = checked
        .invoice
        .unwrap_or_else(|| panic!("{:?}", checked.findings));
    let time: DateTime = "2025-10-15T09:30:12".parse().unwrap();
    let signed = seller().sign_invoice(&xml::render(&inv), time).unwrap();
    SignedHDon::from_document(&signed).unwrap()
}

pub fn invoice(symbol: &str, number: u64) -> SignedHDon {
    invoice_with(symbol, number, |_| {})
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh `MTDiep` of the T-VAN.
pub fn new_id() -> MessageId {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&std::process::id().to_be_bytes().repeat(2));
    b[8..].copy_from_slice(&n.to_be_bytes());
    MessageId::new(TVAN, b).unwrap()
}

pub fn header(kind: MessageKind, id: MessageId, mst: &str) -> Header {
    Header {
        version: "2.0.1".into(),
        sender: TVAN.into(),
        receiver: "TCT".into(),
        kind,
        id,
        reference: None,
        tax_id: Some(TaxId::parse(mst).unwrap()),
        count: None,
    }
}

/// A message of `kind` with a fresh id (returned with it).
pub fn message(kind: MessageKind, body: Body) -> (MessageId, String) {
    let id = new_id();
    let m = TDiep::new(header(kind, id.clone(), SELLER_MST), body).unwrap();
    (id, m.to_xml())
}

pub fn for_code(hdon: &SignedHDon) -> (MessageId, String) {
    message(MessageKind::ForCode, Body::Invoices(vec![hdon.clone()]))
}

pub fn kind_of(xml: &str) -> u16 {
    TDiep::read(xml).unwrap().header.kind.code()
}

/// The parsed replies and their kinds.
pub fn kinds(replies: &[String]) -> Vec<u16> {
    replies.iter().map(|r| kind_of(r)).collect()
}

/// The error codes (`MLoi`) of a 204, 999, 103 or 301.
pub fn codes(xml: &str) -> Vec<String> {
    let m = TDiep::read(xml).unwrap();
    match m.body {
        Body::CheckResult(c) => c
            .groups
            .iter()
            .flat_map(|g| g.errors.iter().filter_map(|e| e.code.clone()))
            .collect(),
        Body::TechAck(a) => a.errors.iter().filter_map(|e| e.code.clone()).collect(),
        Body::AuthorityNotice(n) => n.reasons.iter().map(|r| r.0.clone()).collect(),
        other => panic!("no error list in {other:?}"),
    }
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Submits and returns (the 999, every reply after it).
pub fn exchange(sim: &hoadon_authority::Simulator, id: &str, msg: &str) -> (String, Vec<String>) {
    let ack = sim.handle(msg.as_bytes()).unwrap();
    assert_eq!(ack.len(), 1);
    let all = sim.replies_now(id).unwrap();
    assert_eq!(all[0], ack[0], "the look-up starts with the same 999");
    (ack[0].clone(), all[1..].to_vec())
}

pub fn ack_ok(ack: &str, id: &str) {
    let m = TDiep::read(ack).unwrap();
    assert_eq!(m.header.kind, MessageKind::TechnicalAck);
    assert_eq!(m.header.sender, "TCT");
    assert_eq!(m.header.receiver, TVAN);
    assert_eq!(m.header.reference.as_ref().unwrap().as_str(), id);
    let Body::TechAck(a) = m.body else { panic!() };
    assert!(!a.has_errors, "{a:?}");
}
