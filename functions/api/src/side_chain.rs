//! A small registry's partition and its audit chain, whose head is an item of its own
//! (`<pk> / head`) because no one record holds the chain: the signing certificates (`AUDIT#certificates`) and the personal
//! access tokens (`AUDIT#access-tokens`). Each change puts its record, the new head (pinned to
//! the version read) and the entry in one transaction, so two racing changes cannot both extend
//! the chain from the same head.

use crate::error::ApiError;
use crate::invoices::{AuditEntry, AuditReport, ChainHead, chain_op, from_item};
use crate::store::{Condition, Item, Op, TenantStore};
use serde::{Deserialize, Serialize};

const HEAD: &str = "head";

/// The head item's content.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ChainRecord {
    audit_seq: u64,
    audit_head: String,
}

/// The chain `AUDIT#<chain>` headed at `<pk> / head`.
pub(crate) struct SideChain {
    pub pk: &'static str,
    pub chain: &'static str,
}

/// `NotExists` for version 0 (nothing read), else that version.
pub(crate) fn condition(version: u64) -> Condition {
    match version {
        0 => Condition::NotExists,
        v => Condition::Version(v),
    }
}

impl SideChain {
    /// The head and its version (0: no entry yet).
    pub async fn head(&self, ts: &TenantStore) -> Result<(ChainRecord, u64), ApiError> {
        Ok(match ts.get(self.pk, HEAD).await? {
            Some(item) => (from_item(&item)?, item.version),
            None => (ChainRecord::default(), 0),
        })
    }

    /// The operations that append an entry (`action` on record `id`, by `actor` at `at`) and
    /// move the head read at `version`, for the transaction of the change they record.
    pub fn append(
        &self,
        ts: &TenantStore,
        (mut h, version): (ChainRecord, u64),
        at: i64,
        actor: &str,
        action: &str,
        id: &str,
    ) -> [Op; 2] {
        let entry = AuditEntry {
            seq: 0,
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            status: None,
            number: None,
            detail: Some(id.to_owned()),
            prev: String::new(),
            hash: String::new(),
        };
        let head = ChainHead {
            seq: &mut h.audit_seq,
            head: &mut h.audit_head,
        };
        let entry = chain_op(ts, self.chain, head, entry);
        let head = Op::Put {
            key: ts.key(self.pk, HEAD),
            data: serde_json::to_vec(&h).expect("records serialize"),
            condition: condition(version),
        };
        [head, entry]
    }

    /// Every item of the registry's partition (the head included: callers keep the records by
    /// their id's shape), in sort-key order.
    pub async fn items(&self, ts: &TenantStore) -> Result<Vec<Item>, ApiError> {
        let mut items = Vec::new();
        let mut cursor = None;
        loop {
            let page = ts.query(self.pk, "", cursor.as_deref(), 500).await?;
            items.extend(page.items);
            match page.next {
                Some(n) => cursor = Some(n),
                None => return Ok(items),
            }
        }
    }

    /// The chain, checked against its head.
    pub async fn audit(&self, ts: &TenantStore) -> Result<AuditReport, ApiError> {
        let (h, _) = self.head(ts).await?;
        crate::invoices::read_chain(ts, self.chain, (h.audit_seq, &h.audit_head)).await
    }
}
