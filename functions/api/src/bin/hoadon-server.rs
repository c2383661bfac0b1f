//! The local system: hoadon's API on http://127.0.0.1, embedded store, local signing keys,
//! no AWS account. `hoadon-server [--data DIR] [--port N] [--tenant ID] [--seller-name NAME]
//! [--seller-tax-id MST] [--app DIR]` (or `HOADON_DATA`, `HOADON_PORT`, …); the web app is
//! served from `--app` (default `app/dist`) when it has been built.
//!
//! Built with the `aws` feature it also takes `--dynamodb-table NAME`: the store is then that
//! DynamoDB table (created if missing), reached through the usual SDK settings — with
//! `AWS_ENDPOINT_URL` pointing at DynamoDB Local this is how the load run measures the adapter.

use hoadon_api::local::{LocalConfig, sweep_all};
use std::time::Duration;

fn arg(args: &[String], flag: &str, env: &str, default: &str) -> String {
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .or_else(|| std::env::var(env).ok())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let cfg = LocalConfig {
        data_dir: arg(&args, "--data", "HOADON_DATA", "data").into(),
        tenant: arg(&args, "--tenant", "HOADON_TENANT", "demo"),
        seller_name: arg(
            &args,
            "--seller-name",
            "HOADON_SELLER_NAME",
            "Công ty TNHH Thiết bị Văn phòng An Phát",
        ),
        seller_tax_id: arg(
            &args,
            "--seller-tax-id",
            "HOADON_SELLER_TAX_ID",
            "0109998883",
        ),
    };
    let port: u16 = arg(&args, "--port", "HOADON_PORT", "8080")
        .parse()
        .map_err(|e| format!("--port: {e}"))?;
    let (state, first) = open(&args, &cfg).await?;
    if let Some(f) = first {
        println!(
            "First start: tenant {}; sign in as {} with password {}",
            cfg.tenant, f.email, f.password
        );
        println!("(shown once; it is not stored in clear)");
    }
    match sweep_all(&state).await {
        Ok(0) => {}
        Ok(n) => println!("recovery sweep: signed {n} invoice(s) left numbered"),
        Err(e) => eprintln!("recovery sweep: {e}"),
    }
    let sweeper = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            if let Err(e) = sweep_all(&sweeper).await {
                eprintln!("recovery sweep: {e}");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "hoadon listening on http://127.0.0.1:{port} (data in {})",
        cfg.data_dir.display()
    );
    // The web app (app/dist) on the same origin, when it has been built.
    let app_dir = std::path::PathBuf::from(arg(&args, "--app", "HOADON_APP", "app/dist"));
    let mut router = hoadon_api::http::router(state);
    if app_dir.join("index.html").exists() {
        println!("web app from {}", app_dir.display());
        router = router.fallback(move |req| hoadon_api::web::serve(app_dir.clone(), req));
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// The application state, and the first start's credentials when this start created them.
type Opened = Result<
    (
        hoadon_api::http::AppState,
        Option<hoadon_api::local::FirstStart>,
    ),
    String,
>;

#[cfg(not(feature = "aws"))]
async fn open(_args: &[String], cfg: &LocalConfig) -> Opened {
    hoadon_api::local::open(cfg).await
}

#[cfg(feature = "aws")]
async fn open(args: &[String], cfg: &LocalConfig) -> Opened {
    use hoadon_api::store::dynamodb::DynamoDbStore;
    let table = arg(args, "--dynamodb-table", "HOADON_DYNAMODB_TABLE", "");
    if table.is_empty() {
        return hoadon_api::local::open(cfg).await;
    }
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    if let Ok(n) = std::env::var("HOADON_MAX_TRANSACTION_OPS") {
        let n = n
            .parse()
            .map_err(|e| format!("HOADON_MAX_TRANSACTION_OPS: {e}"))?;
        store = store.with_max_transaction_ops(n);
    }
    if let Err(e) = store.create_table().await {
        eprintln!("table {table}: {e} (continuing with the existing table)");
    }
    println!("store: DynamoDB table {table}");
    hoadon_api::local::open_with_store(cfg, std::sync::Arc::new(store)).await
}
