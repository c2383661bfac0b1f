//! The embedded store: redb, one file in the data directory.
//!
//! Why redb (over SQLite): pure Rust (no C toolchain, nothing to link), ACID write transactions
//! with fsync on commit, a single-writer model that makes conditional multi-item transactions
//! trivially serializable — exactly DynamoDB's `TransactWriteItems` guarantee — and ordered
//! keys for prefix queries.
//!
//! **Group commit.** One writer thread takes every transaction waiting at that moment, applies
//! them in arrival order inside one redb write transaction — each still all-or-nothing: its
//! conditions are checked against the state left by the ones before it, and it writes only if
//! all hold — then commits once (one fsync) and answers them all. Nothing is acknowledged before
//! it is durable; concurrent writers share the fsync instead of queueing for one each.

use super::{Item, Key, Op, Page, Store, StoreError, holds, validate_ops};
use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::sync::Arc;

/// (partition key, sort key) → (version, data).
const ITEMS: TableDefinition<(&str, &str), (u64, &[u8])> = TableDefinition::new("items");

type Reply = tokio::sync::oneshot::Sender<Result<Vec<u64>, StoreError>>;

#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
    writer: std::sync::mpsc::Sender<(Vec<Op>, Reply)>,
}

/// Most transactions one group commit takes.
const MAX_GROUP: usize = 256;

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// redb's page cache: its default (1 GiB) lets a large import's written pages grow the
/// process to half a gigabyte; a bounded cache keeps the local server's memory flat whatever
/// the database's size (50,000 imported invoices: 500 MB peak before, see README Benchmarks).
pub const CACHE_BYTES: usize = 64 << 20;

impl RedbStore {
    /// Opens (or creates) the database file, with a [`CACHE_BYTES`] page cache.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(unavailable)?;
        let w = db.begin_write().map_err(unavailable)?;
        w.open_table(ITEMS).map_err(unavailable)?;
        w.commit().map_err(unavailable)?;
        let db = Arc::new(db);
        let (tx, rx) = std::sync::mpsc::channel::<(Vec<Op>, Reply)>();
        let writer_db = db.clone();
        std::thread::Builder::new()
            .name("redb-writer".into())
            .spawn(move || writer_loop(&writer_db, &rx))
            .map_err(unavailable)?;
        Ok(RedbStore { db, writer: tx })
    }

    fn get_blocking(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let r = self.db.begin_read().map_err(unavailable)?;
        let t = r.open_table(ITEMS).map_err(unavailable)?;
        let v = t
            .get((key.pk.as_str(), key.sk.as_str()))
            .map_err(unavailable)?;
        Ok(v.map(|v| {
            let (version, data) = v.value();
            Item {
                key: key.clone(),
                version,
                data: data.to_vec(),
            }
        }))
    }

    fn query_blocking(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let r = self.db.begin_read().map_err(unavailable)?;
        let t = r.open_table(ITEMS).map_err(unavailable)?;
        let from = match start_after {
            Some(s) if s >= prefix => s,
            _ => prefix,
        };
        let mut items = Vec::new();
        let mut next = None;
        for entry in t.range((pk, from)..).map_err(unavailable)? {
            let (k, v) = entry.map_err(unavailable)?;
            let (kpk, ksk) = k.value();
            if kpk != pk || !ksk.starts_with(prefix) {
                break;
            }
            if start_after == Some(ksk) {
                continue;
            }
            if items.len() == limit {
                next = items.last().map(|i: &Item| i.key.sk.clone());
                break;
            }
            let (version, data) = v.value();
            items.push(Item {
                key: Key::new(kpk, ksk),
                version,
                data: data.to_vec(),
            });
        }
        Ok(Page { items, next })
    }
}

/// Applies one transaction inside the open write transaction, or nothing of it.
fn apply(
    t: &mut redb::Table<(&str, &str), (u64, &[u8])>,
    ops: &[Op],
) -> Result<Vec<u64>, StoreError> {
    validate_ops(ops, super::MAX_TRANSACTION_OPS)?;
    let mut current = Vec::with_capacity(ops.len());
    for (index, op) in ops.iter().enumerate() {
        let k = op.key();
        let v = t
            .get((k.pk.as_str(), k.sk.as_str()))
            .map_err(unavailable)?
            .map(|v| v.value().0);
        if !holds(op.condition(), v) {
            return Err(StoreError::ConditionFailed { index });
        }
        current.push(v);
    }
    let mut versions = Vec::with_capacity(ops.len());
    for (op, v) in ops.iter().zip(current) {
        match op {
            Op::Put { key, data, .. } => {
                let nv = v.unwrap_or(0) + 1;
                t.insert((key.pk.as_str(), key.sk.as_str()), (nv, data.as_slice()))
                    .map_err(unavailable)?;
                versions.push(nv);
            }
            Op::Delete { key, .. } => {
                t.remove((key.pk.as_str(), key.sk.as_str()))
                    .map_err(unavailable)?;
                versions.push(0);
            }
            Op::Check { .. } => versions.push(0),
        }
    }
    Ok(versions)
}

/// The writer thread: group commits until every `RedbStore` handle is dropped.
fn writer_loop(db: &Database, rx: &std::sync::mpsc::Receiver<(Vec<Op>, Reply)>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(x) => group.push(x),
                Err(_) => break,
            }
        }
        let results = commit_group(db, &group);
        for ((_, reply), r) in group.into_iter().zip(results) {
            let _ = reply.send(r);
        }
    }
}

/// One redb write transaction for a group; if the commit itself fails, every member fails.
fn commit_group(db: &Database, group: &[(Vec<Op>, Reply)]) -> Vec<Result<Vec<u64>, StoreError>> {
    let fail_all = |e: StoreError| group.iter().map(|_| Err(e.clone())).collect();
    let w = match db.begin_write() {
        Ok(w) => w,
        Err(e) => return fail_all(unavailable(e)),
    };
    let results: Vec<_> = {
        let mut t = match w.open_table(ITEMS) {
            Ok(t) => t,
            Err(e) => return fail_all(unavailable(e)),
        };
        group.iter().map(|(ops, _)| apply(&mut t, ops)).collect()
    };
    // A failed write inside `apply` (not a condition) leaves the transaction unusable.
    if results
        .iter()
        .any(|r| matches!(r, Err(StoreError::Unavailable(_))))
    {
        return fail_all(StoreError::Unavailable(
            "write failed; nothing committed".into(),
        ));
    }
    match w.commit() {
        Ok(()) => results,
        Err(e) => fail_all(unavailable(e)),
    }
}

#[async_trait]
impl Store for RedbStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let (s, key) = (self.clone(), key.clone());
        tokio::task::spawn_blocking(move || s.get_blocking(&key))
            .await
            .map_err(unavailable)?
    }

    async fn transact(&self, ops: Vec<Op>) -> Result<Vec<u64>, StoreError> {
        validate_ops(&ops, super::MAX_TRANSACTION_OPS)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer
            .send((ops, tx))
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the writer stopped".into()))?
    }

    async fn query(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let (s, pk, prefix, after) = (
            self.clone(),
            pk.to_owned(),
            prefix.to_owned(),
            start_after.map(str::to_owned),
        );
        tokio::task::spawn_blocking(move || s.query_blocking(&pk, &prefix, after.as_deref(), limit))
            .await
            .map_err(unavailable)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn redb_store_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(&dir.path().join("store.redb")).unwrap();
        crate::store::conformance::run_all(Arc::new(store)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn issue_races_leave_one_signed_file_per_number_on_redb() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(&dir.path().join("store.redb")).unwrap();
        crate::invoices::races::run_all(Arc::new(store)).await;
    }
}
