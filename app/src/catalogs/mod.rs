//! The device's copy of customers and products that the editor's look-ups search, online or not
//! (first load), and the catalog screens ([`screen`]: list with search, create, edit, CSV or
//! Excel import with a per-row report, export as CSV or Excel), which are in the module of rarely
//! opened screens ([`crate::lazy`]): set up once, then used through the editor's look-ups.
//!
//! Forms are drawn from `hoadon_core::catalog::fields` and checked with its rules as the user
//! types, the same rules the server applies, so a finding shows before the round trip.

mod screen;

pub use screen::CatalogScreen;
pub(crate) use screen::EntryForm;

use crate::api;
use crate::i18n::{self, Lang};
use crate::{Session, db};
use hoadon_core::api::{Detail, Page};
use hoadon_core::catalog::Field;
use leptos::prelude::*;
use serde_json::Value;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Entries the device keeps per catalog for look-ups (larger catalogs are searched on the server).
const CACHE_LIMIT: usize = 5000;

/// The cached customers and products, shared through context.
#[derive(Clone, Copy)]
pub struct CatalogCache {
    pub customers: RwSignal<Vec<Value>>,
    pub products: RwSignal<Vec<Value>>,
}

pub fn cache() -> CatalogCache {
    expect_context::<CatalogCache>()
}

impl CatalogCache {
    /// Reads the device's copy, then refreshes it from the server whenever the user is signed in
    /// and online.
    pub fn install(session: Session, online: RwSignal<bool>) -> CatalogCache {
        let c = CatalogCache {
            customers: RwSignal::new(Vec::new()),
            products: RwSignal::new(Vec::new()),
        };
        provide_context(c);
        // Another user: forget the last one's copy and read this one's.
        Effect::new(move |_| {
            let part = session.partition();
            c.customers.set(Vec::new());
            c.products.set(Vec::new());
            let Some(part) = part else { return };
            leptos::task::spawn_local(async move {
                for kind in ["customers", "products"] {
                    if let Ok(Some(json)) = db::get(&part, db::CATALOGS, kind).await
                        && let Ok(entries) = serde_json::from_str::<Vec<Value>>(&json)
                        && session.partition_untracked().as_deref() == Some(part.as_str())
                        && c.signal(kind).with_untracked(Vec::is_empty)
                    {
                        c.signal(kind).set(entries);
                    }
                }
            });
        });
        Effect::new(move |_| {
            if session.partition().is_some() && online.get() {
                leptos::task::spawn_local(async move {
                    for kind in ["customers", "products"] {
                        c.refresh(session, kind).await;
                    }
                });
            }
        });
        c
    }

    fn signal(&self, kind: &str) -> RwSignal<Vec<Value>> {
        if kind == "products" {
            self.products
        } else {
            self.customers
        }
    }

    /// Fetches every page of a catalog (up to [`CACHE_LIMIT`]) and keeps it on the device.
    pub async fn refresh(&self, session: Session, kind: &'static str) {
        let mut all = Vec::new();
        let mut cursor = String::new();
        while all.len() < CACHE_LIMIT {
            let path = format!(
                "/api/catalogs/{kind}?limit=200&cursor={}",
                api::encode(&cursor)
            );
            let Ok(page) = api::get::<Page<Value>>(session, &path).await else {
                return;
            };
            all.extend(page.items);
            match page.next {
                Some(n) => cursor = n,
                None => break,
            }
        }
        if let (Ok(json), Some(part)) = (serde_json::to_string(&all), session.partition_untracked())
        {
            let _ = db::put(&part, db::CATALOGS, kind, &json).await;
        }
        self.signal(kind).set(all);
    }

    /// Up to `n` entries whose code, name or tax id contains `q` (case and diacritics ignored),
    /// those starting with it first.
    pub fn search(&self, kind: &str, q: &str, n: usize) -> Vec<Value> {
        let q = i18n::fold(q.trim());
        if q.is_empty() {
            return Vec::new();
        }
        self.signal(kind).with(|entries| {
            let mut hits: Vec<(bool, &Value)> = entries
                .iter()
                .filter_map(|e| {
                    let texts =
                        ["code", "name", "tax_id"].map(|f| i18n::fold(e[f].as_str().unwrap_or("")));
                    let starts = texts.iter().any(|t| t.starts_with(&q));
                    (starts || texts.iter().any(|t| t.contains(&q))).then_some((starts, e))
                })
                .collect();
            hits.sort_by_key(|(starts, _)| !starts);
            hits.into_iter().take(n).map(|(_, e)| e.clone()).collect()
        })
    }
}

/// The label of a catalog field in the chosen language.
pub fn label(f: &Field, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => f.label_vi,
        Lang::En => f.label_en,
    }
}

/// A finding's message from the API in the chosen language.
pub fn detail_message(d: &Detail, lang: Lang) -> &str {
    match lang {
        Lang::Vi => &d.message_vi,
        Lang::En => &d.message_en,
    }
}

/// The messages of API findings (`details`) at `path`, in the chosen language.
pub fn details_at(details: &[Detail], path: &str, lang: Lang) -> Vec<String> {
    details
        .iter()
        .filter(|d| d.path == path)
        .map(|d| detail_message(d, lang).to_owned())
        .collect()
}

/// An entry's field as text (numbers as written).
fn text_of(entry: &Value, field: &str) -> String {
    match &entry[field] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Saves a blob as a download named `name`, through an object URL on a link that is never
/// shown (the URL is released once the browser has taken the file).
pub fn save(blob: &web_sys::Blob, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(10),
    );
    Ok(())
}

/// The file picked in a file input's `change` event.
pub fn picked_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.files())
        .and_then(|f| f.get(0))
}

/// `rows[3].tax_id` → ("5", "tax_id"): the file's line number (header is line 1) and the field.
pub fn row_and_field(path: &str) -> (String, String) {
    let Some(rest) = path.strip_prefix("rows[") else {
        return (String::new(), path.to_owned());
    };
    let (n, field) = rest.split_once(']').unwrap_or((rest, ""));
    let line = n
        .parse::<usize>()
        .map(|i| (i + 2).to_string())
        .unwrap_or_default();
    (line, field.trim_start_matches('.').to_owned())
}

/// The invoice's buyer from a customer picked in the editor.
pub fn customer_party(e: &Value) -> hoadon_core::model::PartyDocument {
    let s = |f: &str| Some(text_of(e, f)).filter(|s| !s.is_empty());
    hoadon_core::model::PartyDocument {
        code: s("code"),
        name: s("name"),
        tax_id: s("tax_id"),
        address: s("address"),
        email: s("email"),
        phone: s("phone"),
        contact_name: s("contact_name"),
        bank_account: s("bank_account"),
        bank_name: s("bank_name"),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn import_findings_name_the_files_line() {
        assert_eq!(
            row_and_field("rows[0].tax_id"),
            ("2".into(), "tax_id".into())
        );
        assert_eq!(row_and_field("rows[9]"), ("11".into(), String::new()));
        assert_eq!(row_and_field("code"), (String::new(), "code".into()));
    }

    #[test]
    fn a_picked_customer_fills_the_buyer() {
        let p = customer_party(
            &json!({"code": "KH1", "name": "An Phát", "tax_id": "0100109106", "version": 3}),
        );
        assert_eq!(
            (
                p.code.as_deref(),
                p.name.as_deref(),
                p.tax_id.as_deref(),
                p.email
            ),
            (Some("KH1"), Some("An Phát"), Some("0100109106"), None)
        );
    }
}
