//! The composition root of the local system: everything in one data directory, no AWS.
//!
//! `<data>/store.redb` (the embedded store), `<data>/archive/` (signed XML, content-addressed),
//! `<data>/token-secret` (HS256 key), `<data>/keys/<tenant>/{key,cert}.pem` (each tenant's
//! signing key, generated on first start with `UID=MST:<seller tax id>`). The tenant's company
//! profile is created on first start from the `--seller-*` settings (or demo defaults) and
//! updated when they are given on a later start.

use crate::auth::{Hs256, Role};
use crate::bootstrap;
use crate::http::{App, AppState};
use crate::invoices::{self, Services};
use crate::outbox::TrustedAuthority;
use crate::ports::{
    Clock, FileArchive, Ids, LocalSigner, LocalWake, RandomIds, Signer, SystemClock,
};
use crate::signing_key::CertifiedSigner;
use crate::store::redb::RedbStore;
use crate::store::{Store, TenantStore};
use hoadon_signing::LocalKeySigner;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Settings of the local system (command-line flags or `HOADON_*` variables).
#[derive(Debug, Clone)]
pub struct LocalConfig {
    pub data_dir: PathBuf,
    pub tenant: String,
    /// The seller settings given on this start (`None`: not given).
    pub seller: SellerSettings,
    /// How the tenants reach the tax authority.
    pub authority: AuthorityChoice,
    /// The outbox's retry schedule.
    pub retry: crate::outbox::RetryPolicy,
    /// Wakes the outbox worker when a message is stored (see [`run_outbox`]).
    pub wake: Arc<LocalWake>,
    /// Whether `tenant` also has an account at its CA's remote signing service (for series in
    /// `remote` mode; the local key signs the others).
    pub signer: SignerChoice,
    /// Where the public pages are, how e-mails leave, the optional CJK font for PDFs.
    pub delivery: DeliverySettings,
}

/// Delivery on the local system.
#[derive(Debug, Clone, Default)]
pub struct DeliverySettings {
    /// The address printed on invoices for the lookup page (`None`: `http://127.0.0.1:<port>`
    /// as the server was started).
    pub public_url: Option<String>,
    /// An SMTP server without TLS on this host (`127.0.0.1:2525`: `functions/dev run` starts
    /// one that prints what it receives); `None`: no e-mail.
    pub smtp: Option<(String, u16)>,
    /// `From` of the e-mails.
    pub mail_from: String,
    /// A CJK font file (e.g. Debian's `fonts-wqy-microhei`), read at start when present.
    pub cjk_font: Option<PathBuf>,
}

/// The configured tenant's signers: its local key always (the cloud key of the local system),
/// and the CA's remote signing account when given (other tenants sign with their local keys).
#[derive(Debug, Clone, Default)]
pub enum SignerChoice {
    /// `<data>/keys/<tenant>/`, generated on first start; its certificate is replaced by a
    /// CA's once one for the key is registered (`POST /api/certificates/request`, then upload).
    #[default]
    Local,
    /// The tenant's account at its CA's remote signing service (`--signer remote`), used by the
    /// series whose signing mode is `remote`.
    Remote(Box<crate::remote::RemoteArgs>),
}

/// The tax authority of the local system.
#[derive(Debug, Clone, Default)]
pub enum AuthorityChoice {
    /// Not connected: signed invoices stop at the seller's signature.
    Off,
    /// The local simulator, in this process (its state under `<data>/authority`): the default.
    /// What it codes is test data.
    #[default]
    Simulator,
    /// A T-VAN over HTTP (or the simulator's HTTP mode, `hoadon-authority`), and the PEM
    /// certificate of the authority whose codes it accepts (none: no code is ever adopted).
    Tvan(hoadon_authority::TvanConfig, Option<String>),
}

/// `--seller-name`, `--seller-tax-id`, `--seller-address`: the first start's company profile;
/// on a later start, changes to it.
#[derive(Debug, Clone, Default)]
pub struct SellerSettings {
    pub name: Option<String>,
    pub tax_id: Option<String>,
    pub address: Option<String>,
}

/// The demo company of a first start without `--seller-*` settings.
pub const DEMO_NAME: &str = "Công ty TNHH Thiết bị Văn phòng An Phát";
pub const DEMO_TAX_ID: &str = "0109998883";
pub const DEMO_ADDRESS: &str = "Số 12 Phố Huế, Phường Hai Bà Trưng, Hà Nội";

impl SellerSettings {
    fn is_empty(&self) -> bool {
        self.name.is_none() && self.tax_id.is_none() && self.address.is_none()
    }
    fn tax_id_or_demo(&self) -> &str {
        self.tax_id.as_deref().unwrap_or(DEMO_TAX_ID)
    }
}

/// Printed once, on the first start.
pub struct FirstStart {
    pub email: String,
    pub password: String,
}

fn io(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn read_or_create(
    path: &Path,
    create: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    if let Ok(s) = std::fs::read_to_string(path) {
        return Ok(s);
    }
    let s = create()?;
    std::fs::create_dir_all(path.parent().expect("file in a directory")).map_err(io)?;
    std::fs::write(path, &s).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(s)
}

fn tenant_signer(
    data_dir: &Path,
    tenant: &str,
    name: &str,
    tax_id: &str,
    clock: &dyn Clock,
) -> Result<Arc<dyn Signer>, String> {
    let dir = data_dir.join("keys").join(tenant);
    let (key_path, cert_path) = (dir.join("key.pem"), dir.join("cert.pem"));
    if !key_path.exists() {
        let now = clock.now_vn();
        let from = hoadon_core::DateTime::new(
            hoadon_core::Date::new(now.date.year() - 1, 1, 1).map_err(io)?,
            0,
            0,
            0,
        )
        .map_err(io)?;
        let to = hoadon_core::DateTime::new(
            hoadon_core::Date::new(now.date.year() + 10, 12, 31).map_err(io)?,
            23,
            59,
            59,
        )
        .map_err(io)?;
        let g = hoadon_signing::selfsigned::generate(name, tax_id, from, to)?;
        read_or_create(&cert_path, || Ok(g.cert_pem.clone()))?;
        read_or_create(&key_path, || Ok(g.key_pem.clone()))?;
    }
    let key = std::fs::read_to_string(&key_path).map_err(io)?;
    let cert = std::fs::read_to_string(&cert_path).map_err(io)?;
    let signer = LocalKeySigner::from_pem(&key, &cert).map_err(io)?;
    Ok(Arc::new(LocalSigner(Arc::new(signer))))
}

/// Opens (or creates) the local system and returns the application state.
pub async fn open(cfg: &LocalConfig) -> Result<(AppState, Option<FirstStart>), String> {
    std::fs::create_dir_all(&cfg.data_dir).map_err(io)?;
    let store = RedbStore::open(&cfg.data_dir.join("store.redb")).map_err(io)?;
    open_with_store(cfg, Arc::new(store)).await
}

/// The local system over another store (the DynamoDB adapter on DynamoDB Local, for the load
/// run); keys, tokens and the archive stay in the data directory.
pub async fn open_with_store(
    cfg: &LocalConfig,
    store: Arc<dyn Store>,
) -> Result<(AppState, Option<FirstStart>), String> {
    std::fs::create_dir_all(&cfg.data_dir).map_err(io)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ids = RandomIds;
    let secret = read_or_create(&cfg.data_dir.join("token-secret"), || {
        Ok(ids.new_id() + &ids.new_id())
    })?;

    let mut first = None;
    let tax_id = cfg.seller.tax_id_or_demo();
    if bootstrap::add_tenant(&*store, &cfg.tenant, tax_id).await? {
        let email = format!("admin@{}.local", cfg.tenant);
        let password = bootstrap::new_password(&ids);
        bootstrap::add_user(
            &*store,
            &email,
            &cfg.tenant,
            Role::Admin,
            &password,
            bootstrap::salt(&ids),
        )
        .await?;
        let yy = clock.now_vn().date.year() % 100;
        let ts = TenantStore::new(&cfg.tenant, store.clone());
        invoices::create_series(&ts, "1", &format!("C{yy:02}TAA"))
            .await
            .map_err(io)?;
        first = Some(FirstStart { email, password });
    }
    let mut signers = HashMap::new();
    let tenants = bootstrap::tenants(&*store).await?;
    for t in tenants.clone() {
        let ts = TenantStore::new(&t, store.clone());
        let (profile, _) = crate::profile::current(&ts).await.map_err(io)?;
        let name = Some(profile.name.clone()).filter(|n| !n.is_empty());
        let mst = Some(profile.tax_id.clone()).filter(|n| !n.is_empty());
        let (name, mst) = if t == cfg.tenant {
            (
                cfg.seller.name.clone().or(name).unwrap_or(DEMO_NAME.into()),
                mst.unwrap_or_else(|| tax_id.to_owned()),
            )
        } else {
            (
                name.unwrap_or(t.clone()),
                mst.unwrap_or_else(|| tax_id.to_owned()),
            )
        };
        let inner = tenant_signer(&cfg.data_dir, &t, &name, &mst, &*clock)?;
        let signer = CertifiedSigner::adopting(inner, store.clone(), &t, clock.clone()).await?;
        signers.insert(t.clone(), signer);
    }
    // The remote signing account signs the series an admin puts in `remote` mode; the local key
    // stays the tenant's cloud key for the others.
    let remote: Option<Arc<dyn Signer>> = match &cfg.signer {
        SignerChoice::Remote(args) => Some(
            CertifiedSigner::adopting(
                Arc::new(args.signer()?),
                store.clone(),
                &cfg.tenant,
                clock.clone(),
            )
            .await?,
        ),
        SignerChoice::Local => None,
    };
    let ts = TenantStore::new(&cfg.tenant, store.clone());
    let key_mst = signers[&cfg.tenant].certificate().tax_id.clone();
    apply_seller_settings(&ts, &cfg.seller, key_mst.as_deref(), clock.now()).await?;
    let archive = Arc::new(FileArchive {
        root: cfg.data_dir.join("archive"),
    });
    let hs = Arc::new(Hs256::new(secret.trim().as_bytes()));
    let app = App {
        store,
        verifier: hs.clone(),
        issuer: Some(hs),
        services: {
            let services = connect(cfg, Services::new(clock, archive, signers), &tenants)?
                .with_wake(cfg.wake.clone())
                .with_retry(cfg.retry)
                // The local system: an ERP on this machine may take webhooks over plain http.
                .with_local_webhooks();
            let services = delivery(&cfg.delivery, services, &tenants)?;
            match remote {
                Some(r) => services.with_remote_signer(&cfg.tenant, r),
                None => services,
            }
        },
    };
    Ok((AppState(Arc::new(app)), first))
}

/// Delivery settings onto the services: the public address, an SMTP mailer for every tenant,
/// the CJK font when its file exists.
fn delivery(
    d: &DeliverySettings,
    mut services: Services,
    tenants: &[String],
) -> Result<Services, String> {
    if let Some(url) = &d.public_url {
        services = services.with_public_url(url);
    }
    if let Some((host, port)) = &d.smtp {
        let mailer = hoadon_mail::SmtpMailer::new(host, *port, hoadon_mail::Security::None, None)
            .map_err(|e| format!("SMTP {host}:{port}: {e}"))?;
        let link = crate::delivery::email::MailLink {
            mailer: Arc::new(mailer),
            from: d.mail_from.clone(),
        };
        for t in tenants {
            services = services.with_mail(t, link.clone());
        }
    }
    if let Some(font) = d.cjk_font.as_ref().and_then(|f| std::fs::read(f).ok()) {
        services = services.with_cjk_font(font);
    }
    Ok(services)
}

/// The company profile on this start: created from the settings (or the demo company) when
/// the tenant has none; otherwise the settings given replace its fields. A tax id other than
/// the signing key's is refused with the reason (the key was made for its tax id; invoices
/// under another one could never be signed).
async fn apply_seller_settings(
    ts: &TenantStore,
    seller: &SellerSettings,
    key_mst: Option<&str>,
    now: i64,
) -> Result<(), String> {
    let (mut profile, version) = crate::profile::current(ts).await.map_err(io)?;
    if version != 0 && seller.is_empty() {
        return Ok(());
    }
    if let (Some(t), Some(k)) = (&seller.tax_id, key_mst)
        && t.trim() != k
    {
        return Err(format!(
            "--seller-tax-id {t}: this tenant's signing key was made for tax id {k} \
             (keys/{}/cert.pem); start with a new --data directory for another company",
            ts.tenant()
        ));
    }
    let pick = |given: &Option<String>, current: &str, demo: &str| {
        given
            .clone()
            .or_else(|| Some(current.to_owned()).filter(|c| !c.is_empty()))
            .unwrap_or_else(|| demo.to_owned())
    };
    profile.name = pick(&seller.name, &profile.name, DEMO_NAME);
    profile.tax_id = pick(
        &seller.tax_id,
        &profile.tax_id,
        key_mst.unwrap_or(DEMO_TAX_ID),
    );
    profile.address = pick(&seller.address, &profile.address, DEMO_ADDRESS);
    match crate::profile::update(ts, now, version, profile, "hoadon-server").await {
        Ok(_) => Ok(()),
        Err(crate::error::ApiError::Validation(f)) => Err(format!(
            "--seller-*: {}",
            f.iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Signs whatever was left numbered, for every tenant.
pub async fn sweep_all(state: &AppState) -> Result<invoices::SweepReport, String> {
    let app = &state.0;
    let mut total = invoices::SweepReport::default();
    for t in bootstrap::tenants(&*app.store).await? {
        let ts = TenantStore::new(&t, app.store.clone());
        let r = invoices::sweep(&app.services, &ts).await.map_err(io)?;
        total.signed += r.signed;
        total.failed += r.failed;
        total.pending += r.pending;
    }
    Ok(total)
}

/// Connects every tenant to the tax authority chosen by the configuration.
fn connect(cfg: &LocalConfig, services: Services, tenants: &[String]) -> Result<Services, String> {
    let (authority, sender, trusted): (Arc<dyn hoadon_authority::TaxAuthority>, String, _) =
        match &cfg.authority {
            AuthorityChoice::Off => return Ok(services),
            AuthorityChoice::Simulator => {
                let sim = hoadon_authority::Simulator::new(hoadon_authority::SimulatorConfig {
                    data_dir: Some(cfg.data_dir.join("authority")),
                    require_registration: true,
                    ..hoadon_authority::SimulatorConfig::default()
                })
                .map_err(io)?;
                let cert = TrustedAuthority::from_pem(sim.certificate_pem(), true)?;
                (Arc::new(sim), SIMULATOR_SENDER.to_owned(), Some(cert))
            }
            AuthorityChoice::Tvan(t, pem) => (
                Arc::new(hoadon_authority::TvanClient::new(t.clone()).map_err(io)?),
                t.sender_code.clone(),
                pem.as_deref()
                    .map(|p| TrustedAuthority::from_pem(p, t.test))
                    .transpose()?,
            ),
        };
    let mut services = services;
    for t in tenants {
        let mut link = crate::outbox::AuthorityLink::new(authority.clone(), &sender);
        if let Some(c) = &trusted {
            link = link.trusting(c.clone());
        }
        services = services.with_authority(t, link);
    }
    Ok(services)
}

/// `MNGui` when sending to the local simulator: a made-up T-VAN code (`V` + a tax id that is
/// no real company's: its check digit is valid, the number reserved for tests here).
pub const SIMULATOR_SENDER: &str = "V0100109106";

/// Works every tenant's due outbox messages once.
pub async fn pump_all(state: &AppState) -> Result<crate::outbox::PumpReport, String> {
    let app = &state.0;
    let mut total = crate::outbox::PumpReport::default();
    for t in bootstrap::tenants(&*app.store).await? {
        let ts = TenantStore::new(&t, app.store.clone());
        let r = crate::outbox::pump(&app.services, &ts).await.map_err(io)?;
        total.attempted += r.attempted;
        total.done += r.done;
        total.failed += r.failed;
        total.open += r.open;
    }
    Ok(total)
}

/// The local outbox worker: a pass whenever a message is stored or rescheduled (the wake-up),
/// and at least every `tick` (a due retry needs no wake-up to be found).
pub async fn run_outbox(state: AppState, wake: Arc<LocalWake>, tick: std::time::Duration) {
    loop {
        if let Err(e) = pump_all(&state).await {
            tracing::warn!(event = "outbox.error", error = %e);
        }
        let _ = tokio::time::timeout(tick, wake.0.notified()).await;
    }
}
