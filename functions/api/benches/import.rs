//! The import of a year of a mid-size firm's invoices (#18): `N` signed invoices (every seventh
//! coded, several rates, three buyers) in one ZIP on disk, imported into the embedded store by
//! the same `Importer` the API runs, entry by entry from the file (memory bounded), then the
//! same ZIP again (all duplicates). Prints throughput and the process's peak memory.
//!
//! `HOADON_IMPORT_N=50000 cargo bench -p hoadon-api --bench import` (default 2,000). A release
//! measurement reported in the closing note, never a timed test.

#[path = "../tests/common/books_files.rs"]
mod files;

use hoadon_api::books::imports::Importer;
use hoadon_api::invoices::Services;
use hoadon_api::ports::{FileArchive, FixedClock};
use hoadon_api::store::redb::RedbStore;
use hoadon_api::store::{Store, TenantStore};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

const BUYERS: [(&str, &str); 3] = [
    ("0100109106", "Công ty Cổ phần Khách Một"),
    ("0101234565", "Công ty TNHH Khách Hai"),
    ("0102030405", "Công ty Khách Ba"),
];

/// Peak resident memory of this process (kB), from `/proc/self/status`.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn make_zip(path: &std::path::Path, n: u64) {
    let signer = files::signer();
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 1..=n {
        let doc = files::foreign(i, BUYERS[(i % 3) as usize]);
        let xml = files::signed_by(&signer, &doc, i % 7 == 0);
        w.start_file(format!("2025/{i:06}.xml"), opts).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
    }
    w.finish().unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: u64 = std::env::var("HOADON_IMPORT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("year.zip");
    let t = Instant::now();
    make_zip(&zip_path, n);
    let zip_bytes = std::fs::metadata(&zip_path).unwrap().len();
    println!(
        "made {n} signed invoices, ZIP {:.1} MB, in {:.1} s",
        zip_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let store: Arc<dyn Store> = Arc::new(RedbStore::open(&dir.path().join("s.redb")).unwrap());
    hoadon_api::bootstrap::add_tenant(&*store, "bench", "0109998883")
        .await
        .unwrap();
    let svc = Services::new(
        Arc::new(FixedClock(1_763_800_000)),
        Arc::new(FileArchive {
            root: dir.path().join("archive"),
        }),
        HashMap::new(),
    );
    let ts = TenantStore::new("bench", store);
    let before = peak_kb();
    for run in ["first upload", "same upload again"] {
        let t = Instant::now();
        let mut importer = Importer::new(&svc, &ts).await.unwrap();
        importer
            .zip("year.zip", std::fs::File::open(&zip_path).unwrap())
            .await
            .unwrap();
        let r = importer.finish().await.unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "{run}: {} files, {} imported, {} duplicates, {} refused in {s:.1} s = {:.0} invoices/s; peak RSS {} MB (before the imports {} MB)",
            r.files,
            r.imported,
            r.duplicates,
            r.refused,
            n as f64 / s,
            peak_kb() / 1024,
            before / 1024
        );
    }
}
