//! The local simulator of the tax authority over HTTP (the shape `hoadon_authority::tvan`
//! speaks): what `functions/dev run` starts beside the server, and what a test or a measurement
//! points a T-VAN configuration at. **Everything it codes is test data.**
//!
//! `hoadon-authority [--listen 127.0.0.1:8090] [--data DIR] [--username U --secret S]
//! [--require-registration] [--register MST]… [fault flags]`. Every flag has a `HOADON_*`
//! variable; unknown flags are refused with a suggestion. Stops on Ctrl-C / SIGTERM.

use clap::Parser;
use hoadon_authority::simulator::http::{HttpOptions, router};
use hoadon_authority::simulator::{Faults, Simulator, SimulatorConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    version,
    about = "A local simulator of the tax authority (TEST data only), served over HTTP"
)]
struct Cli {
    /// Address to listen on.
    #[arg(
        long,
        env = "HOADON_AUTHORITY_LISTEN",
        default_value = "127.0.0.1:8090"
    )]
    listen: String,
    /// Where its journal and its key survive restarts (none: in memory).
    #[arg(long, env = "HOADON_AUTHORITY_DATA")]
    data: Option<PathBuf>,
    /// User name every request must carry (HTTP Basic), with --secret.
    #[arg(long, env = "HOADON_AUTHORITY_USERNAME", requires = "secret")]
    username: Option<String>,
    /// Secret every request must carry (HTTP Basic), with --username.
    #[arg(
        long,
        env = "HOADON_AUTHORITY_SECRET",
        requires = "username",
        hide_env_values = true
    )]
    secret: Option<String>,
    /// Refuse invoices of tax ids without an accepted registration (100).
    #[arg(long, env = "HOADON_AUTHORITY_REQUIRE_REGISTRATION")]
    require_registration: bool,
    /// Tax ids registered for coded and uncoded invoices from the start (repeat or comma-separate).
    #[arg(long, env = "HOADON_AUTHORITY_REGISTER", value_delimiter = ',')]
    register: Vec<String>,
    /// Seed of the per-message fault choice.
    #[arg(long, env = "HOADON_AUTHORITY_SEED", default_value_t = 0)]
    seed: u64,
    /// Replies become visible this many milliseconds after acceptance.
    #[arg(long, env = "HOADON_AUTHORITY_DELAY_MS", default_value_t = 0)]
    delay_ms: u64,
    /// Fraction (0–1) of messages accepted whose submit times out.
    #[arg(
        long,
        env = "HOADON_AUTHORITY_TIMEOUT_AFTER_ACCEPT",
        default_value_t = 0.0
    )]
    timeout_after_accept: f64,
    /// How long such a request is held before its 504, in milliseconds.
    #[arg(
        long,
        env = "HOADON_AUTHORITY_TIMEOUT_HOLD_MS",
        default_value_t = 30_000
    )]
    timeout_hold_ms: u64,
    /// Fraction of messages whose final reply appears twice.
    #[arg(long, env = "HOADON_AUTHORITY_DUPLICATE_REPLY", default_value_t = 0.0)]
    duplicate_reply: f64,
    /// Fraction of submissions answered with a 999 error (nothing recorded).
    #[arg(long, env = "HOADON_AUTHORITY_ACK_ERROR", default_value_t = 0.0)]
    ack_error: f64,
    /// Fraction of invoice messages rejected with a 204.
    #[arg(long, env = "HOADON_AUTHORITY_REJECT", default_value_t = 0.0)]
    reject: f64,
    /// Error codes of an injected rejection (repeat or comma-separate).
    #[arg(long, env = "HOADON_AUTHORITY_REJECT_CODE", value_delimiter = ',')]
    reject_code: Vec<String>,
    /// Answer Unavailable (503) for this many milliseconds after start.
    #[arg(long, env = "HOADON_AUTHORITY_UNAVAILABLE_FOR_MS")]
    unavailable_for_ms: Option<u64>,
}

fn fraction(name: &str, f: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err(format!("--{name} must be between 0 and 1, not {f}"))
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOADON_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let faults = Faults {
        seed: cli.seed,
        delay: Duration::from_millis(cli.delay_ms),
        delay_fraction: None,
        timeout_after_accept: fraction("timeout-after-accept", cli.timeout_after_accept)?,
        duplicate_reply: fraction("duplicate-reply", cli.duplicate_reply)?,
        ack_error: fraction("ack-error", cli.ack_error)?,
        reject: fraction("reject", cli.reject)?,
        reject_codes: cli.reject_code,
    };
    let sim = Simulator::new(SimulatorConfig {
        data_dir: cli.data.clone(),
        require_registration: cli.require_registration,
        registered: cli.register,
        faults,
        unavailable_for: cli.unavailable_for_ms.map(Duration::from_millis),
        ..SimulatorConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let options = HttpOptions {
        credentials: cli.username.zip(cli.secret),
        timeout_hold: Duration::from_millis(cli.timeout_hold_ms),
    };
    let listener = tokio::net::TcpListener::bind(&cli.listen)
        .await
        .map_err(|e| format!("{}: {e}", cli.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        event = "authority.listening",
        address = %addr,
        data = ?cli.data,
        "TEST tax-authority simulator on http://{addr}"
    );
    axum::serve(listener, router(Arc::new(sim), options))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
