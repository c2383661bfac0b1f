//! IndexedDB, the device's own store: drafts (so nothing typed is lost to a bad connection or a
//! closed tab) and cached catalogs, series and the company profile (so they work offline).
//!
//! One database per tenant and user (its name is [`crate::auth::Claims::partition`]): a shared
//! phone's next user opens another database, so they can neither see nor sync the previous
//! user's drafts. Every function names the database it works on, so a write started for one user
//! lands in that user's database even if someone else signs in meanwhile.
//!
//! Values are JSON strings under out-of-line keys. Each write is its own `readwrite`
//! transaction and is awaited to its `complete` event, so "saved on this device" on screen means
//! committed. IndexedDB runs transactions with overlapping scope in the order they were
//! created, so writes issued one after another land in that order.

use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Array, Function, Promise};
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

pub const DRAFTS: &str = "drafts";
pub const CATALOGS: &str = "catalogs";
/// The one database of the app before it was kept per user (its drafts are moved to the first
/// user who signs in: see `drafts`).
pub const LEGACY: &str = "hoadon";
const VERSION: u32 = 1;

thread_local! {
    static DBS: RefCell<Vec<(String, IdbDatabase)>> = const { RefCell::new(Vec::new()) };
}

fn err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<web_sys::js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "IndexedDB error".into())
}

/// A future over a promise whose resolve/reject functions `set` hands to event handlers.
fn settle(set: impl FnOnce(&Function, &Function)) -> JsFuture {
    let mut set = Some(set);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(set) = set.take() {
            set(&resolve, &reject);
        }
    });
    JsFuture::from(promise)
}

fn request(req: &IdbRequest) -> JsFuture {
    settle(|resolve, reject| {
        let (ok_req, resolve) = (req.clone(), resolve.clone());
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &ok_req.result().unwrap_or(JsValue::NULL));
        });
        let (err_req, reject) = (req.clone(), reject.clone());
        let fail = Closure::once_into_js(move || {
            let e = err_req
                .error()
                .ok()
                .flatten()
                .map(|e| JsValue::from_str(&e.message()))
                .unwrap_or_else(|| JsValue::from_str("IndexedDB request failed"));
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(fail.unchecked_ref()));
    })
}

fn committed(tx: &IdbTransaction) -> JsFuture {
    settle(|resolve, reject| {
        let resolve = resolve.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject = reject.clone();
        let fail = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("IndexedDB write failed"));
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(fail.unchecked_ref()));
        tx.set_onabort(Some(fail.unchecked_ref()));
    })
}

/// Opens (and on first use creates) database `name`; the handle is kept for the page's life.
pub async fn open(name: &str) -> Result<IdbDatabase, String> {
    if let Some(db) = DBS.with(|d| {
        d.borrow()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, db)| db.clone())
    }) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(err)?
        .ok_or("IndexedDB is not available in this browser")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(name, VERSION).map_err(err)?;
    let upgrade_req = req.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = upgrade_req
            .result()
            .and_then(|r| r.dyn_into::<IdbDatabase>())
        {
            for store in [DRAFTS, CATALOGS] {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = request(&req).await.map_err(err)?.unchecked_into();
    DBS.with(|d| d.borrow_mut().push((name.to_owned(), db.clone())));
    Ok(db)
}

/// Runs one write on `store` in its own `readwrite` transaction and waits until it is committed.
async fn write(
    name: &str,
    store: &str,
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), String> {
    let db = open(name).await?;
    let tx = db
        .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
        .map_err(err)?;
    op(&tx.object_store(store).map_err(err)?).map_err(err)?;
    committed(&tx).await.map_err(err)?;
    Ok(())
}

/// Writes `value` (JSON) under `key` and waits until it is committed.
pub async fn put(name: &str, store: &str, key: &str, value: &str) -> Result<(), String> {
    write(name, store, |os| {
        os.put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))
    })
    .await
}

pub async fn delete(name: &str, store: &str, key: &str) -> Result<(), String> {
    write(name, store, |os| os.delete(&JsValue::from_str(key))).await
}

pub async fn get(name: &str, store: &str, key: &str) -> Result<Option<String>, String> {
    let db = open(name).await?;
    let tx = db.transaction_with_str(store).map_err(err)?;
    let req = tx
        .object_store(store)
        .map_err(err)?
        .get(&JsValue::from_str(key))
        .map_err(err)?;
    Ok(request(&req).await.map_err(err)?.as_string())
}

/// Every value of a store, in key order.
pub async fn all(name: &str, store: &str) -> Result<Vec<String>, String> {
    let db = open(name).await?;
    let tx = db.transaction_with_str(store).map_err(err)?;
    let req = tx
        .object_store(store)
        .map_err(err)?
        .get_all()
        .map_err(err)?;
    let values: Array = request(&req).await.map_err(err)?.unchecked_into();
    Ok(values.iter().filter_map(|v| v.as_string()).collect())
}
