//! Issue #3's measurements, on one core:
//! - render + sign a 10-line invoice with a local RSA-2048 key (goal ≥ 1,200/s);
//! - verify a signed 10-line invoice (goal ≥ 5,000/s, stretch 10,000/s);
//! - the same verification through xmlsec1 (a process per document, as it is used), for comparison.

use criterion::{Criterion, criterion_group, criterion_main};
use hoadon_core::model::{InvoiceDocument, LineDocument};
use hoadon_core::{DateTime, check, dsig, xml};
use hoadon_signing::LocalKeySigner;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::process::Command;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn invoice(lines: usize) -> hoadon_core::Invoice {
    let mut doc: InvoiceDocument =
        serde_json::from_str(include_str!("../../../shared/examples/invoice.json")).unwrap();
    doc.lines = (0..lines)
        .map(|i| LineDocument {
            nature: 1,
            name: format!("Hàng hóa số {i}"),
            unit: Some("Cái".into()),
            quantity: Some(Decimal::new(1 + i as i64, 0)),
            unit_price: Some(Decimal::new(125_000, 0)),
            tax_rate: Some(["10%", "8%"][i % 2].into()),
            ..Default::default()
        })
        .collect();
    check(&doc).invoice.unwrap()
}

fn bench(c: &mut Criterion) {
    let read = |f: &str| std::fs::read_to_string(format!("{DATA}/{f}")).unwrap();
    let signer =
        LocalKeySigner::from_pem(&read("seller.key.pem"), &read("seller.cert.pem")).unwrap();
    let inv = invoice(10);
    let time: DateTime = "2025-10-15T09:30:12".parse().unwrap();

    c.bench_function("render+sign/10 lines", |b| {
        b.iter(|| {
            signer
                .sign_invoice(&xml::render(black_box(&inv)), time)
                .unwrap()
        })
    });
    let signed = signer.sign_invoice(&xml::render(&inv), time).unwrap();
    c.bench_function("verify/10 lines", |b| {
        b.iter(|| {
            let r = dsig::verify_document(black_box(&signed)).unwrap();
            assert!(r[0].valid);
        })
    });
    let file = std::env::temp_dir().join("hoadon-bench-signed.xml");
    std::fs::write(&file, &signed).unwrap();
    if Command::new("xmlsec1").arg("--version").output().is_ok() {
        let mut g = c.benchmark_group("xmlsec1");
        g.sample_size(20);
        g.bench_function("verify/10 lines (one process each)", |b| {
            b.iter(|| {
                let out = Command::new("xmlsec1")
                    .args(["--verify", "--id-attr:Id", "DLHDon", "--pubkey-cert-pem"])
                    .arg(format!("{DATA}/seller.cert.pem"))
                    .args(["--enabled-key-data", "key-name"])
                    .arg(&file)
                    .output()
                    .unwrap();
                assert!(out.status.success());
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
