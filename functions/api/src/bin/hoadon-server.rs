//! The local system: hoadon's API on http://127.0.0.1, embedded store, local signing keys,
//! no AWS account; the web app (`app/dist`, when built) on the same origin.
//!
//! `hoadon-server [--data DIR] [--port N] [--tenant ID] [--seller-name NAME] [--seller-tax-id
//! MST] [--seller-address ADDR] [--app DIR]` serves; `hoadon-server reset-password EMAIL` and
//! `hoadon-server add-user EMAIL --role ROLE` manage users (with the server stopped: the
//! embedded store is one process's); `hoadon-server completions SHELL` prints a completion
//! script. Every flag has a `HOADON_*` variable; unknown flags are refused with a suggestion.
//!
//! Built with the `aws` feature it also takes `--dynamodb-table NAME`: the store is then that
//! DynamoDB table (created if missing), reached through the usual SDK settings — with
//! `AWS_ENDPOINT_URL` pointing at DynamoDB Local this is how the load run measures the adapter.

use clap::{CommandFactory, Parser, Subcommand};
use hoadon_api::auth::Role;
use hoadon_api::bootstrap;
use hoadon_api::local::{
    AuthorityChoice, DeliverySettings, LocalConfig, SellerSettings, SignerChoice, sweep_all,
};
use hoadon_api::ports::RandomIds;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    version,
    about = "hoadon's local system: the API and the web app on one origin, no AWS account"
)]
struct Cli {
    /// Where the store, the archive, the keys and the token secret live.
    #[arg(long, env = "HOADON_DATA", default_value = "data", global = true)]
    data: PathBuf,
    /// The tenant created on the first start (and the one `--seller-*` applies to).
    #[arg(long, env = "HOADON_TENANT", default_value = "demo", global = true)]
    tenant: String,
    /// The TCP port on 127.0.0.1.
    #[arg(long, env = "HOADON_PORT", default_value_t = 8080)]
    port: u16,
    /// Company name for the profile (first start: defaults to a demo company; later: updates it).
    #[arg(long, env = "HOADON_SELLER_NAME")]
    seller_name: Option<String>,
    /// Company tax id (first start only: the signing key is made for it).
    #[arg(long, env = "HOADON_SELLER_TAX_ID")]
    seller_tax_id: Option<String>,
    /// Company address for the profile.
    #[arg(long, env = "HOADON_SELLER_ADDRESS")]
    seller_address: Option<String>,
    /// The built web app to serve on the same origin.
    #[arg(long, env = "HOADON_APP", default_value = "app/dist")]
    app: PathBuf,
    /// How invoices reach the tax authority: `simulator` (the local simulator, in this process,
    /// state in DATA/authority; what it codes is test data), `tvan` (the --tvan-* settings) or
    /// `off` (invoices stop at the seller's signature).
    #[arg(long, env = "HOADON_AUTHORITY", default_value = "simulator",
          value_parser = ["simulator", "tvan", "off"])]
    authority: String,
    #[command(flatten)]
    tvan: TvanArgs,
    /// `local`: the tenant signs with a key in DATA/keys (made on first start); `remote`: it also
    /// has the CA's remote signing account of the --remote-* settings, which signs the series an
    /// admin puts in remote mode.
    #[arg(long, env = "HOADON_SIGNER", default_value = "local", value_parser = ["local", "remote"])]
    signer: String,
    #[command(flatten)]
    remote: hoadon_api::remote::RemoteArgs,
    /// The outbox's retry schedule: `normal` (2 s doubling to 5 min), or `fast` (50 ms doubling
    /// to 2 s; for tests and measurements against the simulator).
    #[arg(long, env = "HOADON_OUTBOX_RETRY", default_value = "normal",
          value_parser = ["normal", "fast"])]
    outbox_retry: String,
    /// The address printed on invoices for the public lookup page (default:
    /// `http://127.0.0.1:<port>`).
    #[arg(long, env = "HOADON_PUBLIC_URL")]
    public_url: Option<String>,
    /// An SMTP server on this host, `HOST:PORT`, plain (no TLS): invoices are e-mailed through it
    /// (`functions/dev run` starts one that prints what it receives). Without it, no e-mail.
    #[arg(long, env = "HOADON_SMTP")]
    smtp: Option<String>,
    /// `From` of the e-mails.
    #[arg(
        long,
        env = "HOADON_MAIL_FROM",
        default_value = "hoadon <hoadon@localhost.localdomain>"
    )]
    mail_from: String,
    /// A CJK font for PDFs of invoices with Chinese text (used when the file exists).
    #[arg(
        long,
        env = "HOADON_CJK_FONT",
        default_value = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    )]
    cjk_font: PathBuf,
    /// Use this DynamoDB table as the store (built with the `aws` feature).
    #[cfg(feature = "aws")]
    #[arg(long, env = "HOADON_DYNAMODB_TABLE")]
    dynamodb_table: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The T-VAN of `--authority tvan` (a licensed T-VAN, or `hoadon-authority`'s HTTP mode).
#[derive(clap::Args)]
struct TvanArgs {
    /// Its base address (`POST {endpoint}/tdiep`, `GET {endpoint}/tdiep/{MTDiep}/replies`).
    #[arg(long, env = "HOADON_TVAN_ENDPOINT")]
    tvan_endpoint: Option<String>,
    /// The account the T-VAN gave the tenant.
    #[arg(long, env = "HOADON_TVAN_USER")]
    tvan_user: Option<String>,
    /// Its secret: prefer the variable (a flag shows in the process list).
    #[arg(long, env = "HOADON_TVAN_SECRET", hide_env_values = true)]
    tvan_secret: Option<String>,
    /// `MNGui`: `V` + the T-VAN's tax id.
    #[arg(long, env = "HOADON_TVAN_SENDER")]
    tvan_sender: Option<String>,
    /// A PEM file with the tax authority's certificate: only codes signed with its key are
    /// adopted (without it, none is).
    #[arg(long, env = "HOADON_TVAN_AUTHORITY_CERT")]
    tvan_authority_cert: Option<PathBuf>,
}

impl Cli {
    fn authority(&self) -> Result<AuthorityChoice, String> {
        Ok(match self.authority.as_str() {
            "off" => AuthorityChoice::Off,
            "tvan" => {
                let t = &self.tvan;
                let need = |v: &Option<String>, flag: &str| {
                    v.clone()
                        .filter(|v| !v.trim().is_empty())
                        .ok_or_else(|| format!("--authority tvan needs {flag}"))
                };
                let cert = match &t.tvan_authority_cert {
                    Some(f) => Some(
                        std::fs::read_to_string(f)
                            .map_err(|e| format!("--tvan-authority-cert {}: {e}", f.display()))?,
                    ),
                    None => None,
                };
                AuthorityChoice::Tvan(
                    hoadon_authority::TvanConfig::new(
                        &need(&t.tvan_endpoint, "--tvan-endpoint")?,
                        &need(&t.tvan_user, "--tvan-user")?,
                        &need(&t.tvan_secret, "--tvan-secret (or HOADON_TVAN_SECRET)")?,
                        &need(&t.tvan_sender, "--tvan-sender")?,
                    ),
                    cert,
                )
            }
            _ => AuthorityChoice::Simulator,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Users(UserCommand),
    /// Print the shell completion script for `hoadon-server` on stdout.
    Completions { shell: clap_complete::Shell },
}

/// The commands that work on the embedded store's users.
#[derive(Subcommand)]
enum UserCommand {
    /// Give a user a new password (printed once). Stop the server first.
    ResetPassword { email: String },
    /// Add a user to the tenant; the password is printed once. Stop the server first.
    AddUser {
        email: String,
        #[arg(long, value_parser = ["admin", "accountant", "sales"])]
        role: String,
    },
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    hoadon_api::telemetry::init(hoadon_api::telemetry::Format::Pretty);
    let cfg = LocalConfig {
        data_dir: cli.data.clone(),
        tenant: cli.tenant.clone(),
        seller: SellerSettings {
            name: cli.seller_name.clone(),
            tax_id: cli.seller_tax_id.clone(),
            address: cli.seller_address.clone(),
        },
        authority: cli.authority()?,
        retry: if cli.outbox_retry == "fast" {
            hoadon_api::outbox::RetryPolicy::fast()
        } else {
            hoadon_api::outbox::RetryPolicy::default()
        },
        wake: std::sync::Arc::new(hoadon_api::ports::LocalWake::default()),
        signer: match cli.signer.as_str() {
            "remote" => SignerChoice::Remote(Box::new(cli.remote.clone())),
            _ => SignerChoice::Local,
        },
        delivery: DeliverySettings {
            public_url: Some(
                cli.public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://127.0.0.1:{}", cli.port)),
            ),
            smtp: match &cli.smtp {
                Some(s) => {
                    let (host, port) = s
                        .rsplit_once(':')
                        .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                        .ok_or_else(|| format!("--smtp {s}: expected HOST:PORT"))?;
                    Some((host, port))
                }
                None => None,
            },
            mail_from: cli.mail_from.clone(),
            cjk_font: Some(cli.cjk_font.clone()),
        },
    };
    match &cli.command {
        Some(Command::Users(command)) => return users(&cfg, command).await,
        Some(Command::Completions { shell }) => {
            let out = &mut std::io::stdout();
            clap_complete::generate(*shell, &mut Cli::command(), "hoadon-server", out);
            return Ok(());
        }
        None => {}
    }
    let (state, first) = open(&cli, &cfg).await?;
    if let Some(f) = first {
        println!(
            "First start: tenant {}; sign in as {} with password {}",
            cfg.tenant, f.email, f.password
        );
        println!("(shown once; it is not stored in clear)");
    }
    // Each pass logs its `sweep.pass` events; only a pass that could not run is logged here.
    let sweep_error = |e: String| tracing::warn!(event = "sweep.error", error = %e);
    if let Err(e) = sweep_all(&state).await {
        sweep_error(e);
    }
    let sweeper = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            if let Err(e) = sweep_all(&sweeper).await {
                sweep_error(e);
            }
        }
    });
    tokio::spawn(hoadon_api::local::run_outbox(
        state.clone(),
        cfg.wake.clone(),
        Duration::from_millis(if cli.outbox_retry == "fast" { 20 } else { 500 }),
    ));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cli.port))
        .await
        .map_err(|e| format!("port {}: {e}", cli.port))?;
    println!(
        "hoadon listening on http://127.0.0.1:{} (data in {})",
        cli.port,
        cfg.data_dir.display()
    );
    let mut router = hoadon_api::http::router(state);
    let app_dir = cli.app.clone();
    if app_dir.join("index.html").exists() {
        println!("web app from {}", app_dir.display());
        router = router.fallback(move |req| hoadon_api::web::serve(app_dir.clone(), req));
    }
    // The public lookup counts attempts per connection address (`http::delivery::ClientAddr`).
    let router = router.layer(axum::middleware::from_fn(
        |axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
         mut req: axum::extract::Request,
         next: axum::middleware::Next| async move {
            req.extensions_mut()
                .insert(hoadon_api::http::delivery::ClientAddr(
                    peer.ip().to_string(),
                ));
            next.run(req).await
        },
    ));
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}

/// `reset-password` and `add-user`, on the embedded store of `--data`.
async fn users(cfg: &LocalConfig, command: &UserCommand) -> Result<(), String> {
    let path = cfg.data_dir.join("store.redb");
    // A user may be added before the first start (the start then adds the tenant and its
    // admin); a password can only be reset where users exist.
    if matches!(command, UserCommand::ResetPassword { .. }) && !path.exists() {
        return Err(format!(
            "{} has no store; start the server once first",
            cfg.data_dir.display()
        ));
    }
    std::fs::create_dir_all(&cfg.data_dir).map_err(|e| e.to_string())?;
    let store = hoadon_api::store::redb::RedbStore::open(&path).map_err(|e| {
        format!(
            "{}: {e} (is the server running? stop it first)",
            path.display()
        )
    })?;
    let ids = RandomIds;
    let password = bootstrap::new_password(&ids);
    match command {
        UserCommand::ResetPassword { email } => {
            bootstrap::set_password(&store, email, &password, bootstrap::salt(&ids)).await?;
            println!("new password for {email}: {password}");
        }
        UserCommand::AddUser { email, role } => {
            let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
                .map_err(|e| e.to_string())?;
            bootstrap::add_user(
                &store,
                email,
                &cfg.tenant,
                role,
                &password,
                bootstrap::salt(&ids),
            )
            .await
            .map_err(|e| format!("{email}: {e} (does the user exist already?)"))?;
            println!(
                "added {email} to tenant {}; password: {password}",
                cfg.tenant
            );
        }
    }
    println!("(shown once; it is not stored in clear)");
    Ok(())
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
async fn open(_cli: &Cli, cfg: &LocalConfig) -> Opened {
    hoadon_api::local::open(cfg).await
}

#[cfg(feature = "aws")]
async fn open(cli: &Cli, cfg: &LocalConfig) -> Opened {
    use hoadon_api::store::dynamodb::DynamoDbStore;
    let Some(table) = cli.dynamodb_table.as_deref().filter(|t| !t.is_empty()) else {
        return hoadon_api::local::open(cfg).await;
    };
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    if let Ok(n) = std::env::var("HOADON_MAX_TRANSACTION_OPS") {
        let n = n
            .parse()
            .map_err(|e| format!("HOADON_MAX_TRANSACTION_OPS: {e}"))?;
        store = store.with_max_transaction_ops(n);
    }
    if let Err(e) = store.create_table().await {
        tracing::warn!(%table, error = %e, "create table failed; continuing with the existing table");
    }
    println!("store: DynamoDB table {table}");
    hoadon_api::local::open_with_store(cfg, std::sync::Arc::new(store)).await
}
