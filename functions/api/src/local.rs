//! The composition root of the local system: everything in one data directory, no AWS.
//!
//! `<data>/store.redb` (the embedded store), `<data>/archive/` (signed XML, content-addressed),
//! `<data>/token-secret` (HS256 key), `<data>/keys/<tenant>/{key,cert}.pem` (each tenant's
//! signing key, generated on first start with `UID=MST:<seller tax id>`).

use crate::auth::{Hs256, Role};
use crate::bootstrap;
use crate::http::{App, AppState};
use crate::invoices::{self, Services};
use crate::ports::{Clock, FileArchive, Ids, LocalSigner, RandomIds, Signer, SystemClock};
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
    pub seller_name: String,
    pub seller_tax_id: String,
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
    if bootstrap::add_tenant(&*store, &cfg.tenant, &cfg.seller_tax_id).await? {
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
    for t in bootstrap::tenants(&*store).await? {
        let name = if t == cfg.tenant {
            cfg.seller_name.clone()
        } else {
            t.clone()
        };
        signers.insert(
            t.clone(),
            tenant_signer(&cfg.data_dir, &t, &name, &cfg.seller_tax_id, &*clock)?,
        );
    }
    let archive = Arc::new(FileArchive {
        root: cfg.data_dir.join("archive"),
    });
    let hs = Arc::new(Hs256::new(secret.trim().as_bytes()));
    let app = App {
        store,
        verifier: hs.clone(),
        issuer: Some(hs),
        services: Services::new(clock, archive, signers),
    };
    Ok((AppState(Arc::new(app)), first))
}

/// Signs whatever was left numbered, for every tenant. Returns how many were signed.
pub async fn sweep_all(state: &AppState) -> Result<usize, String> {
    let app = &state.0;
    let mut n = 0;
    for t in bootstrap::tenants(&*app.store).await? {
        let ts = TenantStore::new(&t, app.store.clone());
        n += invoices::sweep(&app.services, &ts).await.map_err(io)?;
    }
    Ok(n)
}
