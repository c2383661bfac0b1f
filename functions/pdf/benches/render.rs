//! Rendering time and size of a 10-line and a 500-line invoice (one core). Targets: a
//! 10-line invoice at 200 PDFs per second or more, 80 KB or less.

use criterion::{Criterion, criterion_group, criterion_main};
use hoadon_core::api::delivery::{Template, lookup_extensions};
use hoadon_core::{InvoiceDocument, check, xml};
use hoadon_pdf::{Options, render};
use hoadon_signing::LocalKeySigner;
use std::hint::black_box;
use std::path::PathBuf;

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn signed(lines: usize) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut doc: InvoiceDocument =
        serde_json::from_str(&read(root.join("shared/examples/invoice.json"))).expect("example");
    let base = doc.lines.clone();
    doc.lines = (0..lines)
        .map(|i| {
            let mut l = base[i % base.len()].clone();
            l.name = format!("{} – hàng số {}", l.name, i + 1);
            l
        })
        .collect();
    doc.extensions.general.extend(lookup_extensions(
        "7K3M-9QXA-2B4C-D5E6",
        "https://hoadon.example/tra-cuu",
    ));
    let invoice = check(&doc).invoice.expect("a valid invoice");
    let data = root.join("functions/signing/tests/data");
    let signer = LocalKeySigner::from_pem(
        &read(data.join("seller.key.pem")),
        &read(data.join("seller.cert.pem")),
    )
    .expect("test key");
    let time = "2026-01-05T09:30:12".parse().expect("time");
    signer
        .sign_invoice(&xml::render(&invoice), time)
        .expect("signed")
}

fn bench(c: &mut Criterion) {
    let template = Template::default();
    let opts = Options {
        template: &template,
        logo: None,
        test: false,
        converted: None,
        list: &[],
        cjk_font: None,
    };
    for lines in [10, 500] {
        let xml = signed(lines);
        let size = render(&xml, &opts).expect("renders").len();
        eprintln!(
            "{lines} lines: {size} bytes ({:.1} KB)",
            size as f64 / 1024.0
        );
        c.bench_function(&format!("render {lines} lines"), |b| {
            b.iter(|| render(black_box(&xml), &opts).expect("renders"))
        });
        // What reading the file costs before any drawing: parse, validate, verify.
        c.bench_function(&format!("read and verify {lines} lines"), |b| {
            b.iter(|| {
                let doc = hoadon_core::xml::read_invoice(black_box(&xml)).expect("reads");
                check(&doc).invoice.expect("valid");
                hoadon_core::dsig::verify_document(&xml).expect("verifies")
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
