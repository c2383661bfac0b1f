//! Totals + render of a validated invoice, 10 and 500 lines (issue #2's measurement), and the
//! whole path from a JSON document (validate, totals, render).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hoadon_core::model::{InvoiceDocument, LineDocument};
use hoadon_core::{check, xml};
use rust_decimal::Decimal;
use std::hint::black_box;

fn document(lines: usize) -> InvoiceDocument {
    let mut doc: InvoiceDocument =
        serde_json::from_str(include_str!("../examples/invoice.json")).unwrap();
    doc.lines = (0..lines)
        .map(|i| LineDocument {
            nature: 1,
            code: Some(format!("SKU-{i:05}")),
            name: format!("Hàng hóa số {i} — giấy in A4 Double A 80gsm"),
            unit: Some("Ram".into()),
            quantity: Some(Decimal::new(1 + (i as i64 % 17), 0)),
            unit_price: Some(Decimal::new(68_500 + 1_000 * i as i64, 0)),
            discount_rate: (i % 5 == 0).then(|| Decimal::new(25, 1)),
            tax_rate: Some(["10%", "8%", "5%"][i % 3].into()),
            ..Default::default()
        })
        .collect();
    doc
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("totals+render");
    for n in [10usize, 500] {
        let inv = check(&document(n)).invoice.expect("valid");
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::from_parameter(n), &inv, |b, inv| {
            b.iter(|| {
                let t = black_box(inv).totals();
                black_box(t.total);
                black_box(xml::render(inv))
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("validate+totals+render");
    for n in [10usize, 500] {
        let doc = document(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &doc, |b, doc| {
            b.iter(|| xml::render(&check(black_box(doc)).invoice.unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
