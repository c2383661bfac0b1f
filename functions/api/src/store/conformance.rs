//! The store conformance suite: what every adapter must guarantee, run against each one
//! (the embedded store in `cargo test`; DynamoDB Local in the AWS issue). Each check panics with
//! the guarantee it found broken.

use super::{Condition, Key, Op, Store, StoreError};
use std::sync::Arc;

fn put(key: &Key, data: &str, condition: Condition) -> Op {
    Op::Put {
        key: key.clone(),
        data: data.as_bytes().to_vec(),
        condition,
    }
}

/// Unique keys per run, so the suite can share a store with other runs.
fn pk(name: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("conformance#{}#{name}#{n}", std::process::id())
}

pub async fn run_all(store: Arc<dyn Store>) {
    put_get_and_versions(&*store).await;
    conditions(&*store).await;
    transactions_are_all_or_nothing(&*store).await;
    invalid_transactions(&*store).await;
    prefix_queries_with_cursors(&*store).await;
    item_size_limit(&*store).await;
    concurrent_conditional_puts_have_one_winner(store.clone()).await;
    concurrent_increments_lose_nothing(store).await;
}

/// Every adapter keeps items up to DynamoDB's limit and refuses larger ones the same way,
/// writing nothing of the transaction.
async fn item_size_limit(s: &dyn Store) {
    let big = Key::new(pk("size"), "big");
    let other = Key::new(pk("size"), "other");
    let fits = vec![b'x'; super::MAX_ITEM_BYTES - 2048];
    s.transact(vec![Op::Put {
        key: big.clone(),
        data: fits.clone(),
        condition: Condition::Always,
    }])
    .await
    .expect("an item just under the limit is kept");
    assert_eq!(s.get(&big).await.unwrap().unwrap().data, fits);
    let too_big = vec![b'x'; super::MAX_ITEM_BYTES + 1];
    let r = s
        .transact(vec![
            put(&other, "1", Condition::Always),
            Op::Put {
                key: big.clone(),
                data: too_big,
                condition: Condition::Always,
            },
        ])
        .await;
    assert!(matches!(r, Err(StoreError::TooLarge(_))), "{r:?}");
    assert_eq!(s.get(&other).await.unwrap(), None, "nothing written");
}

async fn put_get_and_versions(s: &dyn Store) {
    let k = Key::new(pk("basic"), "a");
    assert_eq!(
        s.get(&k).await.unwrap(),
        None,
        "a missing item reads as None"
    );
    assert_eq!(
        s.transact(vec![put(&k, "1", Condition::Always)])
            .await
            .unwrap(),
        vec![1]
    );
    assert_eq!(
        s.transact(vec![put(&k, "2", Condition::Always)])
            .await
            .unwrap(),
        vec![2],
        "versions grow by one"
    );
    let item = s.get(&k).await.unwrap().expect("stored");
    assert_eq!((item.version, item.data.as_slice()), (2, b"2".as_slice()));
    // Marker items carry no data (DynamoDB refuses an empty binary attribute).
    let empty = Key::new(pk("basic"), "empty");
    s.transact(vec![put(&empty, "", Condition::NotExists)])
        .await
        .unwrap();
    let item = s.get(&empty).await.unwrap().expect("stored");
    assert_eq!((item.version, item.data.len()), (1, 0));
    let page = s.query(&empty.pk, "", None, 10).await.unwrap();
    assert_eq!(page.items[0].data.len(), 0, "also through a query");
    s.transact(vec![Op::Delete {
        key: k.clone(),
        condition: Condition::Exists,
    }])
    .await
    .unwrap();
    assert_eq!(s.get(&k).await.unwrap(), None, "deleted");
}

async fn conditions(s: &dyn Store) {
    let k = Key::new(pk("cond"), "a");
    s.transact(vec![put(&k, "1", Condition::NotExists)])
        .await
        .unwrap();
    assert_eq!(
        s.transact(vec![put(&k, "x", Condition::NotExists)]).await,
        Err(StoreError::ConditionFailed { index: 0 }),
        "NotExists fails on an existing item"
    );
    assert_eq!(
        s.transact(vec![put(&k, "x", Condition::Version(7))]).await,
        Err(StoreError::ConditionFailed { index: 0 }),
        "a stale version fails"
    );
    assert_eq!(
        s.transact(vec![put(&k, "2", Condition::Version(1))])
            .await
            .unwrap(),
        vec![2]
    );
    let missing = Key::new(pk("cond"), "b");
    assert_eq!(
        s.transact(vec![Op::Delete {
            key: missing,
            condition: Condition::Exists
        }])
        .await,
        Err(StoreError::ConditionFailed { index: 0 }),
        "Exists fails on a missing item"
    );
    assert_eq!(
        s.get(&k).await.unwrap().unwrap().data,
        b"2",
        "failed writes changed nothing"
    );
}

async fn transactions_are_all_or_nothing(s: &dyn Store) {
    let p = pk("txn");
    let (a, b, c) = (Key::new(&p, "a"), Key::new(&p, "b"), Key::new(&p, "c"));
    s.transact(vec![put(&a, "a1", Condition::NotExists)])
        .await
        .unwrap();
    let r = s
        .transact(vec![
            put(&b, "b1", Condition::NotExists),
            put(&c, "c1", Condition::NotExists),
            Op::Check {
                key: a.clone(),
                condition: Condition::Version(5),
            },
        ])
        .await;
    assert_eq!(
        r,
        Err(StoreError::ConditionFailed { index: 2 }),
        "the failing operation is named"
    );
    assert_eq!(
        s.get(&b).await.unwrap(),
        None,
        "nothing of a failed transaction is written"
    );
    assert_eq!(
        s.get(&c).await.unwrap(),
        None,
        "nothing of a failed transaction is written"
    );
    let v = s
        .transact(vec![
            put(&b, "b1", Condition::NotExists),
            Op::Check {
                key: a.clone(),
                condition: Condition::Version(1),
            },
            Op::Delete {
                key: a.clone(),
                condition: Condition::Always,
            },
        ])
        .await;
    assert!(
        matches!(v, Err(StoreError::Invalid(_))),
        "two operations on one item are refused"
    );
    let v = s
        .transact(vec![
            put(&b, "b1", Condition::NotExists),
            put(&a, "a2", Condition::Version(1)),
        ])
        .await
        .unwrap();
    assert_eq!(v, vec![1, 2]);
}

async fn invalid_transactions(s: &dyn Store) {
    assert!(
        matches!(s.transact(vec![]).await, Err(StoreError::Invalid(_))),
        "empty"
    );
    let p = pk("big");
    let ops: Vec<Op> = (0..101)
        .map(|i| put(&Key::new(&p, format!("{i:03}")), "x", Condition::Always))
        .collect();
    assert!(
        matches!(s.transact(ops).await, Err(StoreError::Invalid(_))),
        "more than 100"
    );
}

async fn prefix_queries_with_cursors(s: &dyn Store) {
    let p = pk("query");
    let mut ops = Vec::new();
    for i in 0..25 {
        ops.push(put(
            &Key::new(&p, format!("INV#{i:03}")),
            &i.to_string(),
            Condition::NotExists,
        ));
    }
    ops.push(put(&Key::new(&p, "IDEM#x"), "other", Condition::NotExists));
    ops.push(put(&Key::new(&p, "INA"), "before", Condition::NotExists));
    for chunk in ops.chunks(s.max_transaction_ops()) {
        s.transact(chunk.to_vec()).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.query(&p, "INV#", cursor.as_deref(), 10).await.unwrap();
        assert!(page.items.len() <= 10, "limit respected");
        seen.extend(page.items.into_iter().map(|i| i.key.sk));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("INV#{i:03}")).collect();
    assert_eq!(seen, expected, "every item once, in order, only the prefix");
    assert!(
        s.query(&pk("empty"), "", None, 5)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn concurrent_conditional_puts_have_one_winner(s: Arc<dyn Store>) {
    for round in 0..10 {
        let k = Key::new(pk("race"), format!("{round}"));
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let (s, k) = (s.clone(), k.clone());
                tokio::spawn(async move {
                    s.transact(vec![put(&k, &i.to_string(), Condition::NotExists)])
                        .await
                })
            })
            .collect();
        let mut winners = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => winners += 1,
                Err(StoreError::ConditionFailed { index: 0 }) => {}
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(winners, 1, "exactly one conditional put wins");
    }
}

async fn concurrent_increments_lose_nothing(s: Arc<dyn Store>) {
    let k = Key::new(pk("counter"), "c");
    s.transact(vec![put(&k, "0", Condition::NotExists)])
        .await
        .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (s, k) = (s.clone(), k.clone());
            tokio::spawn(async move {
                for _ in 0..25 {
                    loop {
                        let cur = s.get(&k).await.unwrap().unwrap();
                        let n: u64 = String::from_utf8(cur.data).unwrap().parse().unwrap();
                        let op = put(&k, &(n + 1).to_string(), Condition::Version(cur.version));
                        match s.transact(vec![op]).await {
                            Ok(_) => break,
                            Err(StoreError::ConditionFailed { .. }) => continue,
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let end = s.get(&k).await.unwrap().unwrap();
    assert_eq!(end.data, b"200", "200 optimistic increments, none lost");
    assert_eq!(end.version, 201);
}
