//! The DynamoDB store: the same port on AWS, one table per tenant stack (single-table design).
//!
//! Table: partition key `pk` (S), sort key `sk` (S); attributes `v` (N, the version) and `d`
//! (B, the item's data). Keys arrive already tenant-scoped from `TenantStore` (`T#<tenant>#…`).
//! Reads are strongly consistent. Transactions are `TransactWriteItems`, whose cancellation
//! reasons name the failing operation.
//!
//! DynamoDB returns no versions from a transaction, so every put pins the version it replaces in
//! its condition: a put at `Version(v)` writes `v + 1`, a put at `NotExists` writes 1, and a put
//! at `Always` or `Exists` first reads the current version and pins that. If such an internal pin
//! loses a race the adapter reads again and retries; the caller only ever sees the conditions it
//! asked for. Every SDK type stays in this file.

use super::{Condition, Item, Key, Op, Page, Store, StoreError, validate_ops};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, KeySchemaElement,
    KeyType, Put, ScalarAttributeType, TransactWriteItem,
};
use std::collections::HashMap;

pub struct DynamoDbStore {
    client: Client,
    table: String,
    max_ops: usize,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The SDK's error with its cause chain.
fn sdk_error<E: std::error::Error>(e: E) -> StoreError {
    StoreError::Unavailable(crate::ports::error_chain(&e))
}

fn key_map(k: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(k.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(k.sk.clone())),
    ])
}

fn item_from(map: &HashMap<String, AttributeValue>) -> Result<Item, StoreError> {
    let s = |name: &str| match map.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(StoreError::Unavailable(format!("item without {name}"))),
    };
    let version = match map.get("v") {
        Some(AttributeValue::N(n)) => n.parse().map_err(unavailable)?,
        _ => return Err(StoreError::Unavailable("item without v".into())),
    };
    let data = match map.get("d") {
        Some(AttributeValue::B(b)) => b.as_ref().to_vec(),
        _ => Vec::new(),
    };
    Ok(Item {
        key: Key::new(s("pk")?, s("sk")?),
        version,
        data,
    })
}

/// A condition as an expression: (expression, value of `:v` if any). `None`: no condition.
fn expression(c: Condition) -> Option<(&'static str, Option<u64>)> {
    match c {
        Condition::Always => None,
        Condition::NotExists => Some(("attribute_not_exists(#pk)", None)),
        Condition::Exists => Some(("attribute_exists(#pk)", None)),
        Condition::Version(v) => Some(("#v = :v", Some(v))),
    }
}

impl DynamoDbStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoDbStore {
            client,
            table: table.into(),
            max_ops: super::MAX_TRANSACTION_OPS,
        }
    }

    /// Lowers the transaction size (DynamoDB Local 1.11 accepts 10 items, AWS 100).
    pub fn with_max_transaction_ops(mut self, max: usize) -> Self {
        self.max_ops = max;
        self
    }

    /// Creates the table (tests and local tooling; a tenant's table comes from `infra/`).
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let attr = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let key = |n: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(t)
                .build()
                .map_err(unavailable)
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// The version the caller's put replaces, read when its condition does not pin one.
    async fn pinned_versions(&self, ops: &[Op]) -> Result<Vec<Option<u64>>, StoreError> {
        let mut out = Vec::with_capacity(ops.len());
        for (index, op) in ops.iter().enumerate() {
            out.push(match op {
                Op::Put {
                    condition: Condition::Version(v),
                    ..
                } => Some(*v),
                Op::Put {
                    condition: Condition::NotExists,
                    ..
                } => None,
                Op::Put { key, condition, .. } => {
                    let current = self.get(key).await?.map(|i| i.version);
                    if *condition == Condition::Exists && current.is_none() {
                        return Err(StoreError::ConditionFailed { index });
                    }
                    current
                }
                _ => None,
            });
        }
        Ok(out)
    }

    fn write_item(
        &self,
        op: &Op,
        pinned: Option<u64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        // DynamoDB refuses names an expression does not use.
        let names = |expr: &str| {
            [("#pk", "pk"), ("#v", "v")]
                .into_iter()
                .filter(|(n, _)| expr.contains(n))
                .map(|(n, a)| (n.to_owned(), a.to_owned()))
                .collect::<HashMap<_, _>>()
        };
        Ok(Some(match op {
            Op::Put { key, data, .. } => {
                let mut item = key_map(key);
                item.insert(
                    "v".into(),
                    AttributeValue::N((pinned.unwrap_or(0) + 1).to_string()),
                );
                // DynamoDB refuses empty binary values: no data, no `d` (read back as empty).
                if !data.is_empty() {
                    item.insert("d".into(), AttributeValue::B(Blob::new(data.clone())));
                }
                let b = Put::builder().table_name(&self.table).set_item(Some(item));
                let b = match pinned {
                    None => b
                        .condition_expression("attribute_not_exists(#pk)")
                        .set_expression_attribute_names(Some(names("#pk"))),
                    Some(v) => b
                        .condition_expression("#v = :v")
                        .set_expression_attribute_names(Some(names("#v")))
                        .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
                };
                TransactWriteItem::builder()
                    .put(b.build().map_err(unavailable)?)
                    .build()
            }
            Op::Delete { key, condition } => {
                let mut b = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_map(key)));
                if let Some((expr, v)) = expression(*condition) {
                    b = b
                        .condition_expression(expr)
                        .set_expression_attribute_names(Some(names(expr)));
                    if let Some(v) = v {
                        b = b.expression_attribute_values(":v", AttributeValue::N(v.to_string()));
                    }
                }
                TransactWriteItem::builder()
                    .delete(b.build().map_err(unavailable)?)
                    .build()
            }
            Op::Check { key, condition } => {
                let Some((expr, v)) = expression(*condition) else {
                    return Ok(None); // a check that always holds has nothing to send
                };
                let mut b = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_map(key)))
                    .condition_expression(expr)
                    .set_expression_attribute_names(Some(names(expr)));
                if let Some(v) = v {
                    b = b.expression_attribute_values(":v", AttributeValue::N(v.to_string()));
                }
                TransactWriteItem::builder()
                    .condition_check(b.build().map_err(unavailable)?)
                    .build()
            }
        }))
    }
}

#[async_trait]
impl Store for DynamoDbStore {
    fn max_transaction_ops(&self) -> usize {
        self.max_ops
    }

    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        out.item().map(item_from).transpose()
    }

    async fn transact(&self, ops: Vec<Op>) -> Result<Vec<u64>, StoreError> {
        validate_ops(&ops, self.max_ops)?;
        for _attempt in 0..20 {
            let pinned = self.pinned_versions(&ops).await?;
            let mut items = Vec::new();
            let mut sent_index = Vec::new(); // position in `items` → position in `ops`
            for (i, (op, p)) in ops.iter().zip(&pinned).enumerate() {
                if let Some(item) = self.write_item(op, *p)? {
                    items.push(item);
                    sent_index.push(i);
                }
            }
            let versions: Vec<u64> = ops
                .iter()
                .zip(&pinned)
                .map(|(op, p)| {
                    if matches!(op, Op::Put { .. }) {
                        p.unwrap_or(0) + 1
                    } else {
                        0
                    }
                })
                .collect();
            if items.is_empty() {
                return Ok(versions);
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(versions),
                Err(e) => e,
            };
            let service = err.into_service_error();
            let TransactWriteItemsError::TransactionCanceledException(cancel) = &service else {
                return Err(sdk_error(service));
            };
            let failed = cancel
                .cancellation_reasons()
                .iter()
                .position(|r| r.code() == Some("ConditionalCheckFailed"))
                .map(|i| sent_index[i]);
            match failed {
                // The caller's own condition failed.
                Some(i)
                    if !matches!(
                        &ops[i],
                        Op::Put {
                            condition: Condition::Always | Condition::Exists,
                            ..
                        }
                    ) =>
                {
                    return Err(StoreError::ConditionFailed { index: i });
                }
                // Only our internal version pin lost a race: read again.
                Some(_) => continue,
                // Cancelled for another reason (a conflicting transaction in flight): retry.
                None => continue,
            }
        }
        Err(StoreError::Unavailable(
            "the items are too contended; retry".into(),
        ))
    }

    async fn query(
        &self,
        pk: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let mut q = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .limit(limit.clamp(1, 1000) as i32)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()));
        q = if prefix.is_empty() {
            q.key_condition_expression("#pk = :pk")
        } else {
            q.key_condition_expression("#pk = :pk AND begins_with(#sk, :p)")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":p", AttributeValue::S(prefix.to_owned()))
        };
        if let Some(after) = start_after.filter(|a| *a >= prefix) {
            q = q.set_exclusive_start_key(Some(key_map(&Key::new(pk, after))));
        }
        let out = q.send().await.map_err(sdk_error)?;
        let items = out
            .items()
            .iter()
            .map(item_from)
            .collect::<Result<Vec<_>, _>>()?;
        let next = out
            .last_evaluated_key()
            .and(items.last())
            .map(|i| i.key.sk.clone());
        Ok(Page { items, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulators::Emulator;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn dynamodb_store_passes_the_conformance_suite_on_dynamodb_local() {
        let local = Emulator::dynamodb_local().await;
        let store =
            DynamoDbStore::new(Client::new(&local.sdk_config().await), "hoadon-conformance")
                .with_max_transaction_ops(10);
        store.create_table().await.unwrap();
        crate::store::conformance::run_all(Arc::new(store)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn dynamodb_store_issue_races_leave_one_signed_file_per_number() {
        let local = Emulator::dynamodb_local().await;
        let store = DynamoDbStore::new(Client::new(&local.sdk_config().await), "hoadon-races")
            .with_max_transaction_ops(10);
        store.create_table().await.unwrap();
        crate::invoices::races::run_all(Arc::new(store)).await;
    }
}
