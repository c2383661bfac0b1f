//! The public lookup: a buyer types the code printed on the invoice (or scans its QR) and sees
//! the invoice, its PDF and its signed file — nothing else of the tenant.
//!
//! - The code is 80 random bits (Crockford base 32, `hoadon_core::api::delivery::lookup_code`),
//!   written into the signed document when it is issued; `LOOKUP / <canonical code>` points to
//!   the invoice and is written by the transaction that makes it deliverable.
//! - A wrong code, a code of an invoice not (yet) deliverable and a malformed one all answer the
//!   same `404 not_found`.
//! - Attempts are counted per client in the store (`RATE / lookup#<client hash>`, a fixed
//!   window), so the limit holds across Lambda instances; the client's address is stored only
//!   hashed.

use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services};
use crate::ports::sha256_hex;
use crate::store::{Condition, Op, Store, StoreError, TenantStore};
use hoadon_core::InvoiceDocument;
use hoadon_core::api::delivery::{lookup_code, lookup_of, normalize_lookup_code};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Lookups one client may make per window (right and wrong ones alike).
pub const PER_WINDOW: u32 = 30;
/// The window (seconds).
pub const WINDOW: i64 = 600;

/// The lookup code and address a document carries (both or nothing).
pub fn carried(doc: &InvoiceDocument) -> Option<(String, String)> {
    match lookup_of(&doc.extensions.general) {
        (Some(c), Some(u)) => Some((c.to_owned(), u.to_owned())),
        _ => None,
    }
}

/// A new lookup code and the tenant's lookup address, for an invoice being issued.
pub fn fresh(svc: &Services, tenant: &str) -> (String, String) {
    use aws_lc_rs::rand::SecureRandom;
    let mut random = [0u8; 10];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut random)
        .expect("the system random generator works");
    (lookup_code(random), address(svc, tenant))
}

/// The address printed on the invoice: the lookup page of this tenant.
pub fn address(svc: &Services, tenant: &str) -> String {
    format!("{}/lookup/{tenant}", svc.public_url.trim_end_matches('/'))
}

/// The index entry of a deliverable invoice's code.
pub fn index_op(ts: &TenantStore, rec: &InvoiceRecord) -> Option<Op> {
    let (code, _) = carried(&rec.document)?;
    let canon = normalize_lookup_code(&code)?;
    Some(Op::Put {
        key: ts.key("LOOKUP", canon),
        data: rec.id.as_bytes().to_vec(),
        condition: Condition::Always,
    })
}

#[derive(Serialize, Deserialize)]
struct Window {
    start: i64,
    count: u32,
}

/// Counts one attempt of `client` (refusing past the limit with `429` and when to retry).
async fn count(svc: &Services, ts: &TenantStore, client: &str) -> Result<(), ApiError> {
    let key = format!("lookup#{}", &sha256_hex(client.as_bytes())[..32]);
    let now = svc.clock.now();
    for _ in 0..8 {
        let current = ts.get("RATE", &key).await?;
        let (mut w, condition) = match &current {
            Some(item) => (
                serde_json::from_slice::<Window>(&item.data).unwrap_or(Window {
                    start: now,
                    count: 0,
                }),
                Condition::Version(item.version),
            ),
            None => (
                Window {
                    start: now,
                    count: 0,
                },
                Condition::NotExists,
            ),
        };
        if now - w.start >= WINDOW {
            w = Window {
                start: now,
                count: 0,
            };
        }
        if w.count >= PER_WINDOW {
            return Err(ApiError::RateLimited((w.start + WINDOW - now).max(1) as u64));
        }
        w.count += 1;
        let op = Op::Put {
            key: ts.key("RATE", key.clone()),
            data: serde_json::to_vec(&w).expect("windows serialize"),
            condition,
        };
        match ts.transact(vec![op]).await {
            Ok(_) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::RateLimited(1))
}

/// The deliverable invoice of `tenant` whose code is `typed`, after counting the attempt of
/// `client`; anything else is `404`.
pub async fn find(
    svc: &Services,
    store: &Arc<dyn Store>,
    client: &str,
    tenant: &str,
    typed: &str,
) -> Result<(TenantStore, InvoiceRecord), ApiError> {
    if !crate::auth::valid_tenant_id(tenant) {
        return Err(ApiError::NotFound);
    }
    let ts = TenantStore::new(tenant, store.clone());
    count(svc, &ts, client).await?;
    let canon = normalize_lookup_code(typed).ok_or(ApiError::NotFound)?;
    let item = ts.get("LOOKUP", &canon).await?.ok_or(ApiError::NotFound)?;
    let id = String::from_utf8_lossy(&item.data).into_owned();
    let (rec, _) = crate::invoices::load(&ts, &id).await?;
    let printed = carried(&rec.document).and_then(|(c, _)| normalize_lookup_code(&c));
    if printed.as_deref() != Some(canon.as_str()) || !super::deliverable(&rec) {
        return Err(ApiError::NotFound);
    }
    Ok((ts, rec))
}
