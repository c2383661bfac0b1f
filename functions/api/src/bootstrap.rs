//! First start of the local system: the data directory, the token secret, a first tenant with
//! its admin user, signing key and certificate. Printed once; kept in the data directory.

use crate::auth::{Role, hash_password, valid_tenant_id};
use crate::ports::Ids;
use crate::store::{Condition, Key, Op, Store};
use serde::{Deserialize, Serialize};

/// The global e-mail → tenant index used by `POST /api/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub tenant: String,
    pub role: Role,
    pub password_hash: String,
}

/// Adds a user (global login index item, written only if the e-mail is new).
pub async fn add_user(
    store: &dyn Store,
    email: &str,
    tenant: &str,
    role: Role,
    password: &str,
    salt: [u8; 16],
) -> Result<(), String> {
    let hash = tokio::task::spawn_blocking({
        let p = password.to_owned();
        move || hash_password(&p, &salt)
    })
    .await
    .map_err(|e| e.to_string())?;
    let login = Login {
        tenant: tenant.to_owned(),
        role,
        password_hash: hash,
    };
    let op = Op::Put {
        key: Key::new("LOGIN", email.to_lowercase()),
        data: serde_json::to_vec(&login).map_err(|e| e.to_string())?,
        condition: Condition::NotExists,
    };
    store
        .transact(vec![op])
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Gives an existing user a new password (the admin who forgot theirs:
/// `hoadon-server reset-password EMAIL`). Refuses an unknown e-mail.
pub async fn set_password(
    store: &dyn Store,
    email: &str,
    password: &str,
    salt: [u8; 16],
) -> Result<Login, String> {
    let key = Key::new("LOGIN", email.trim().to_lowercase());
    let item = store
        .get(&key)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user {email}"))?;
    let mut login: Login = serde_json::from_slice(&item.data).map_err(|e| e.to_string())?;
    login.password_hash = tokio::task::spawn_blocking({
        let p = password.to_owned();
        move || hash_password(&p, &salt)
    })
    .await
    .map_err(|e| e.to_string())?;
    let op = Op::Put {
        key,
        data: serde_json::to_vec(&login).map_err(|e| e.to_string())?,
        condition: Condition::Version(item.version),
    };
    store.transact(vec![op]).await.map_err(|e| e.to_string())?;
    Ok(login)
}

/// Registers a tenant (global `TENANTS` item) unless it exists; returns whether it was new.
pub async fn add_tenant(
    store: &dyn Store,
    tenant: &str,
    seller_tax_id: &str,
) -> Result<bool, String> {
    if !valid_tenant_id(tenant) {
        return Err(format!(
            "tenant id {tenant:?} must match ^[a-z][a-z0-9-]{{2,20}}$"
        ));
    }
    let op = Op::Put {
        key: Key::new("TENANTS", tenant),
        data: serde_json::json!({ "seller_tax_id": seller_tax_id })
            .to_string()
            .into_bytes(),
        condition: Condition::NotExists,
    };
    match store.transact(vec![op]).await {
        Ok(_) => Ok(true),
        Err(crate::store::StoreError::ConditionFailed { .. }) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

pub async fn tenants(store: &dyn Store) -> Result<Vec<String>, String> {
    let page = store
        .query("TENANTS", "", None, 10_000)
        .await
        .map_err(|e| e.to_string())?;
    Ok(page.items.into_iter().map(|i| i.key.sk).collect())
}

/// A readable random password for the first admin.
pub fn new_password(ids: &dyn Ids) -> String {
    ids.new_id()[..16].to_owned()
}

pub fn salt(ids: &dyn Ids) -> [u8; 16] {
    let hex = ids.new_id();
    let mut s = [0u8; 16];
    for (i, b) in s.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    s
}
