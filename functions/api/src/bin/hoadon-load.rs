//! Load on the issue path of a running hoadon (README: Benchmarks). For each client count it
//! creates a fresh series, issues invoices from that many concurrent clients, reports throughput
//! and latency, and checks that the numbers are exactly 1…total.
//!
//! `hoadon-load --addr 127.0.0.1:8080 --email E --password P [--clients 1,8,64,256] [--total 2000]`

use hoadon_api::load::{Client, numbers_of_series, run, verify_invoices};
use serde_json::json;

fn arg(args: &[String], flag: &str, default: &str) -> String {
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let addr = arg(&args, "--addr", "127.0.0.1:8080");
    let total: usize = arg(&args, "--total", "2000")
        .parse()
        .map_err(|e| format!("--total: {e}"))?;
    let mut c = Client::new(&addr);
    c.login(
        &arg(&args, "--email", "admin@demo.local"),
        &arg(&args, "--password", ""),
    )
    .await?;
    let token = c.token.clone().expect("logged in");
    let template = {
        let mut d: serde_json::Value =
            serde_json::from_str(include_str!("../../../../shared/examples/draft.json"))
                .map_err(|e| e.to_string())?;
        let o = d.as_object_mut().expect("object");
        o.insert("issue_date".into(), json!("2025-12-31"));
        d
    };
    let run_id = std::process::id() % 1296;
    let mut all_ok = true;
    for (i, clients) in arg(&args, "--clients", "1,8,64,256").split(',').enumerate() {
        let clients: usize = clients
            .trim()
            .parse()
            .map_err(|e| format!("--clients: {e}"))?;
        // A fresh series per run: letters from the run id, so runs never share numbers.
        let n = (run_id as usize * 7 + i) % 1296;
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let symbol = format!(
            "C25T{}{}",
            alphabet[n / 36] as char,
            alphabet[n % 36] as char
        );
        let (s, v) = c
            .call(
                "POST",
                "/api/series",
                &[],
                Some(&json!({"form": "1", "symbol": symbol})),
            )
            .await?;
        if s != 201 {
            return Err(format!("series {symbol}: {s} {v}"));
        }
        let mut doc = template.clone();
        doc["symbol"] = json!(symbol);
        let report = run(
            &addr,
            &token,
            &doc,
            &format!("load-{run_id}-{symbol}"),
            clients,
            total,
        )
        .await;
        let (numbers, signed) = numbers_of_series(&addr, &token, &format!("1{symbol}")).await?;
        let gapless = numbers == (1..=numbers.len() as u64).collect::<Vec<_>>();
        let verified = verify_invoices(&addr, &token, &signed).await?;
        println!(
            "{report}; series 1{symbol}: {} numbers, gapless and unique: {gapless}, signed: {}, signatures verified: {verified}",
            numbers.len(),
            signed.len()
        );
        all_ok &= gapless
            && report.errors == 0
            && signed.len() == numbers.len()
            && verified == numbers.len();
    }
    if all_ok {
        Ok(())
    } else {
        Err("some run had errors or gaps".into())
    }
}
