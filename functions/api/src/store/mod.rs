//! The store port: versioned items with DynamoDB's guarantees, and its adapters.
//!
//! The port is deliberately the intersection of what DynamoDB and an embedded store can both
//! promise: items addressed by a partition key and a sort key; conditional writes (absent,
//! present, at a version); **all-or-nothing transactions** over several items that report which
//! condition failed; sort-key prefix queries with opaque cursors. Every invariant of hoadon
//! (gapless numbering, idempotent drafts, the audit chain) is built from these, so any adapter
//! that passes [`conformance`] keeps them.
//!
//! Adapters: [`redb::RedbStore`] (embedded, the local system) and `dynamodb::DynamoDbStore`
//! (feature `aws`), both run through the same [`conformance`] suite.
//!
//! Tenancy: handlers never see a raw [`Store`]; they get a [`TenantStore`], which prefixes every
//! partition key with the tenant from the verified token. Another tenant's item is therefore
//! indistinguishable from a missing one.

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod redb;

#[cfg(any(test, feature = "testing"))]
pub mod conformance;

use async_trait::async_trait;

/// An item's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// A stored item: its data (JSON bytes, opaque to the store) and its version, which starts at
/// 1 and grows by one with every put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    pub version: u64,
    pub data: Vec<u8>,
}

/// What must hold for an operation to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    NotExists,
    Exists,
    /// The item exists at exactly this version (optimistic concurrency).
    Version(u64),
}

/// One operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Put {
        key: Key,
        data: Vec<u8>,
        condition: Condition,
    },
    Delete {
        key: Key,
        condition: Condition,
    },
    /// Writes nothing; only its condition must hold.
    Check {
        key: Key,
        condition: Condition,
    },
}

impl Op {
    pub fn key(&self) -> &Key {
        match self {
            Op::Put { key, .. } | Op::Delete { key, .. } | Op::Check { key, .. } => key,
        }
    }
    fn condition(&self) -> Condition {
        match self {
            Op::Put { condition, .. }
            | Op::Delete { condition, .. }
            | Op::Check { condition, .. } => *condition,
        }
    }
}

/// The store's errors. Adapters map their native errors here; nothing above the store sees an
/// SDK or database type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Operation `index` of the transaction found its condition false; nothing was written.
    #[error("condition of operation {index} failed")]
    ConditionFailed { index: usize },
    /// The request itself is not allowed (two operations on one key, too many operations).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// An item is larger than the store keeps ([`MAX_ITEM_BYTES`]); nothing was written.
    #[error("{0}")]
    TooLarge(String),
    /// The store could not be reached or failed; the caller may retry.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Most operations one transaction may carry: DynamoDB's `TransactWriteItems` limit. An adapter
/// may have a lower one (DynamoDB Local 1.11 allows 10); callers ask the store.
pub const MAX_TRANSACTION_OPS: usize = 100;

/// The largest item (data and key) a store keeps: DynamoDB's 400 KB item limit, enforced by
/// every adapter alike so that what works locally works on AWS. Larger signed files live in the
/// archive (see `invoices::signing`).
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// A page of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Item>,
    /// The sort key to continue after, when there may be more.
    pub next: Option<String>,
}

/// The port.
#[async_trait]
pub trait Store: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;
    /// Applies all operations or none. Returns the new version of each operation's item
    /// (0 for deletes and checks).
    async fn transact(&self, ops: Vec<Op>) -> Result<Vec<u64>, StoreError>;
    /// Items of partition `pk` whose sort key starts with `prefix`, in ascending sort-key order,
    /// after `start_after`, at most `limit`.
    async fn query(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError>;
    /// The most operations one transaction of this store may carry.
    fn max_transaction_ops(&self) -> usize {
        MAX_TRANSACTION_OPS
    }
    /// The largest item this store keeps.
    fn max_item_bytes(&self) -> usize {
        MAX_ITEM_BYTES
    }
}

/// Checks a transaction's shape the way DynamoDB does.
pub(crate) fn validate_ops(ops: &[Op], max: usize) -> Result<(), StoreError> {
    if ops.is_empty() || ops.len() > max {
        return Err(StoreError::Invalid(format!(
            "a transaction has 1 to {max} operations"
        )));
    }
    let mut keys: Vec<&Key> = ops.iter().map(Op::key).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(StoreError::Invalid(
            "two operations on the same item".into(),
        ));
    }
    for op in ops {
        if let Op::Put { key, data, .. } = op {
            let size = data.len() + key.pk.len() + key.sk.len() + 64;
            if size > MAX_ITEM_BYTES {
                return Err(StoreError::TooLarge(format!(
                    "the record is {size} bytes; a record may hold at most {MAX_ITEM_BYTES}"
                )));
            }
        }
    }
    Ok(())
}

/// Whether `condition` holds for an item currently at `version` (`None`: absent).
pub(crate) fn holds(condition: Condition, version: Option<u64>) -> bool {
    match condition {
        Condition::Always => true,
        Condition::NotExists => version.is_none(),
        Condition::Exists => version.is_some(),
        Condition::Version(v) => version == Some(v),
    }
}

/// A tenant's view of the store: every partition key is prefixed with `T#<tenant>#`.
#[derive(Clone)]
pub struct TenantStore {
    tenant: String,
    store: std::sync::Arc<dyn Store>,
}

impl TenantStore {
    /// `tenant` must come from a verified token (see `auth`), never from a request body.
    pub fn new(tenant: &str, store: std::sync::Arc<dyn Store>) -> Self {
        TenantStore {
            tenant: tenant.to_owned(),
            store,
        }
    }
    pub fn tenant(&self) -> &str {
        &self.tenant
    }
    pub fn max_transaction_ops(&self) -> usize {
        self.store.max_transaction_ops()
    }
    pub fn max_item_bytes(&self) -> usize {
        self.store.max_item_bytes()
    }
    pub fn key(&self, pk: &str, sk: impl Into<String>) -> Key {
        Key::new(format!("T#{}#{pk}", self.tenant), sk)
    }
    pub async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.store.get(&self.key(pk, sk)).await
    }
    /// Operations built with [`TenantStore::key`].
    pub async fn transact(&self, ops: Vec<Op>) -> Result<Vec<u64>, StoreError> {
        let prefix = format!("T#{}#", self.tenant);
        if ops.iter().any(|o| !o.key().pk.starts_with(&prefix)) {
            return Err(StoreError::Invalid(
                "an operation outside the tenant".into(),
            ));
        }
        self.store.transact(ops).await
    }
    pub async fn query(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        self.store
            .query(
                &format!("T#{}#{pk}", self.tenant),
                prefix,
                start_after,
                limit,
            )
            .await
    }
}
