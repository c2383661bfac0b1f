//! Load on the issue path of a running hoadon (README: Benchmarks). For each client count it
//! creates a fresh series, issues invoices from that many concurrent clients, reports throughput
//! and latency, and checks that the numbers are exactly 1…total.
//!
//! `hoadon-load --addr 127.0.0.1:8080 --email E --password P [--clients 1,8,64,256] [--total 2000]`
//! `hoadon-load … --orders 10000 --clients 16`: completed orders invoiced automatically, webhooks
//! to a receiver on loopback (see `hoadon_api::load::orders`).
//! (`HOADON_LOAD_ADDR`, `HOADON_LOAD_EMAIL`, `HOADON_LOAD_PASSWORD`: the password need not be on
//! the command line). A progress bar per run is drawn on stderr when it is a terminal.

use clap::Parser;
use hoadon_api::load::{
    Client, numbers_of_series, progress_bar, run_with_progress, verify_invoices,
};
use serde_json::json;

#[derive(Parser)]
#[command(
    version,
    about = "Load on the issue path of a running hoadon-server: throughput and latency per client \
             count; checks that each run's numbers are gapless (exactly 1…total) and that every \
             signature verifies"
)]
struct Cli {
    /// The server's address (host:port); with `--orders`, several (comma-separated) share the
    /// clients round-robin (server processes on one DynamoDB table).
    #[arg(
        long,
        env = "HOADON_LOAD_ADDR",
        default_value = "127.0.0.1:8080",
        value_delimiter = ','
    )]
    addr: Vec<String>,
    /// The user that issues (an admin or an accountant: the run creates series).
    #[arg(long, env = "HOADON_LOAD_EMAIL", default_value = "admin@demo.local")]
    email: String,
    /// That user's password (printed by the server's first start).
    #[arg(long, env = "HOADON_LOAD_PASSWORD", hide_env_values = true)]
    password: String,
    /// One run per client count, each on a fresh series.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64,256")]
    clients: Vec<usize>,
    /// Invoices issued per run.
    #[arg(long, default_value_t = 2000)]
    total: usize,
    /// Peak season instead (#19): this many completed orders from each `--clients` count of
    /// ERP clients, invoiced automatically, with a webhook receiver on loopback that fails a
    /// tenth of first attempts (the server must allow local webhooks: the local system does).
    #[arg(long)]
    orders: Option<usize>,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    let (addr, total) = (cli.addr[0].as_str(), cli.total);
    let mut c = Client::new(addr);
    c.login(&cli.email, &cli.password).await?;
    if let Some(n) = cli.orders {
        let mut failed = false;
        for &clients in &cli.clients {
            match hoadon_api::load::orders::run(&cli.addr, &mut c, clients, n).await {
                Ok(report) => println!("{report}"),
                Err(report) => {
                    println!("{report}");
                    failed = true;
                }
            }
        }
        return if failed {
            Err("a run had errors, gaps or undelivered webhooks".into())
        } else {
            Ok(())
        };
    }
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
    for (i, &clients) in cli.clients.iter().enumerate() {
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
        let bar = progress_bar(total, &format!("{clients} clients"));
        let report = run_with_progress(
            addr,
            &token,
            &doc,
            &format!("load-{run_id}-{symbol}"),
            clients,
            total,
            &bar,
        )
        .await;
        bar.finish_and_clear();
        let (numbers, signed) = numbers_of_series(addr, &token, &format!("1{symbol}")).await?;
        let gapless = numbers == (1..=numbers.len() as u64).collect::<Vec<_>>();
        let verified = verify_invoices(addr, &token, &signed).await?;
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
