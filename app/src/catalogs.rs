//! Catalog screens (list with search, create, edit, CSV or Excel import with a per-row report,
//! export as CSV or Excel) and the device's copy of customers and products that the editor's
//! look-ups search, online or not. The screens are in the module of rarely opened screens
//! ([`crate::lazy`]): set up once, then used through the editor's look-ups, which stay in the
//! first load with the copy they search.
//!
//! Forms are drawn from `hoadon_core::catalog::fields` and checked with its rules as the user
//! types, the same rules the server applies, so a finding shows before the round trip.

use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use crate::route::{Link, Route};
use crate::{Session, db};
use gloo_net::http::Method;
use hoadon_core::api::{Detail, Page};
use hoadon_core::catalog::{self, Field};
use leptos::prelude::*;
use serde_json::{Map, Value};
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

fn text_of(entry: &Value, field: &str) -> String {
    match &entry[field] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The columns a list shows besides code and name.
fn extra_columns(kind: &str) -> &'static [&'static str] {
    match kind {
        "customers" => &["tax_id", "address"],
        "products" => &["unit", "unit_price", "tax_rate"],
        "currencies" => &["exchange_rate"],
        _ => &[],
    }
}

#[component]
pub fn CatalogScreen(session: Session, kind: String) -> impl IntoView {
    let kind: &'static str = catalog::KINDS
        .into_iter()
        .find(|k| *k == kind)
        .unwrap_or("customers");
    let fields = catalog::fields(kind).unwrap_or_default();
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);
    let q = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<Value>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    // The entry being edited: `None` = no form; `Some(None)` = a new entry.
    let editing = RwSignal::new(None::<Option<Value>>);
    let generation = StoredValue::new(0u32);

    let load = move |append: bool| {
        let cursor = if append {
            next.get_untracked().unwrap_or_default()
        } else {
            String::new()
        };
        let path = format!(
            "/api/catalogs/{kind}?limit=50&q={}&cursor={}",
            api::encode(&q.get_untracked()),
            api::encode(&cursor)
        );
        loading.set(true);
        leptos::task::spawn_local(async move {
            match api::get::<Page<Value>>(session, &path).await {
                Ok(page) => {
                    items.update(|v| {
                        if !append {
                            v.clear();
                        }
                        v.extend(page.items);
                    });
                    next.set(page.next);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(false);
    let on_search = move |ev| {
        q.set(event_target_value(&ev));
        let g = generation.get_value() + 1;
        generation.set_value(g);
        set_timeout(
            move || {
                if generation.get_value() == g {
                    load(false)
                }
            },
            Duration::from_millis(250),
        );
    };
    // The editor's look-ups read the app's copy of customers and products, which the app
    // refreshes when this screen (in the screens module) is left (`crate::lazy`).
    let saved = move || {
        editing.set(None);
        load(false);
    };
    let extra = extra_columns(kind);
    let title = move || {
        let (vi, en) = catalog::title(kind);
        if lang() == Lang::Vi { vi } else { en }
    };

    view! {
        <section class="card">
            <nav class="tabs" aria-label=move || t("catalogs")>
                {catalog::KINDS.into_iter().map(|k| {
                    let (vi, en) = catalog::title(k);
                    let current = (k == kind).then_some("page");
                    view! {
                        <Link to=Route::Catalog(k.into()) class="tab">
                            <span aria-current=current>{move || if lang() == Lang::Vi { vi } else { en }}</span>
                        </Link>
                    }
                }).collect_view()}
            </nav>
            <h1>{title}</h1>
            <div class="toolbar">
                <label for="catalog-search" class="sr-only">{move || t("search")}</label>
                <input id="catalog-search" type="search" placeholder=move || t("search.catalog")
                    prop:value=move || q.get() on:input=on_search />
                <button type="button" class="primary" on:click=move |_| editing.set(Some(None))>
                    {move || t("new")}
                </button>
            </div>
            <Show when=move || editing.get().is_some()>
                {move || editing.get().map(|entry| view! {
                    <EntryForm session kind entry on_saved=saved on_cancel=move || editing.set(None) />
                })}
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{move || label(&fields[0], lang())}</th>
                        <th scope="col">{move || label(&fields[1], lang())}</th>
                        {extra.iter().map(|name| {
                            let f = fields.iter().find(|f| f.name == *name);
                            view! { <th scope="col">{move || f.map(|f| label(f, lang()))}</th> }
                        }).collect_view()}
                        <th scope="col"><span class="sr-only">{move || t("edit")}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || items.get() key=|e| (text_of(e, "code"), e["version"].as_u64()) let(e)>
                            {
                                let row = e.clone();
                                view! {
                                    <tr>
                                        <td>{text_of(&e, "code")}</td>
                                        <td>{text_of(&e, "name")}</td>
                                        {extra.iter().map(|f| view! { <td>{text_of(&e, f)}</td> }).collect_view()}
                                        <td><button type="button" class="link"
                                            on:click=move |_| editing.set(Some(Some(row.clone())))>
                                            {move || t("edit")}
                                        </button></td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || items.with(Vec::is_empty) && !loading.get()>
                <p class="empty">{move || t("empty")}</p>
            </Show>
            <Show when=move || next.get().is_some()>
                <button type="button" on:click=move |_| load(true)>{move || t("more")}</button>
            </Show>
            <Export session kind />
            <Import session kind on_done=move || saved() />
        </section>
    }
}

/// Creates (`entry` = `None`) or edits an entry; findings appear at their fields while typing.
#[component]
fn EntryForm(
    session: Session,
    kind: &'static str,
    entry: Option<Value>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let fields = catalog::fields(kind).unwrap_or_default();
    let version = entry.as_ref().and_then(|e| e["version"].as_u64());
    let is_new = entry.is_none();
    let values = RwSignal::new(
        fields
            .iter()
            .map(|f| {
                entry
                    .as_ref()
                    .map(|e| text_of(e, f.name))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>(),
    );
    let touched = RwSignal::new(vec![false; fields.len()]);
    let server_details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);
    let value_of = move |i: usize| values.with(|v| v[i].trim().to_owned());
    let local_finding = move |i: usize| {
        let v = value_of(i);
        let v = (!v.is_empty()).then_some(v);
        catalog::check_value(&fields[i], v.as_deref(), fields[i].name.into())
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(vec![true; fields.len()]);
        if (0..fields.len()).any(|i| local_finding(i).is_some()) {
            return;
        }
        let mut body = Map::new();
        for (i, f) in fields.iter().enumerate() {
            let v = value_of(i);
            if !v.is_empty() {
                body.insert(f.name.into(), Value::String(v));
            }
        }
        let code = body
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let body = api::json(&body);
        leptos::task::spawn_local(async move {
            let answer = match version {
                None => {
                    let path = format!("/api/catalogs/{kind}");
                    api::send(session, Method::POST, &path, &[], Payload::Json(&body)).await
                }
                Some(v) => {
                    let path = format!("/api/catalogs/{kind}/{}", api::encode(&code));
                    let v = v.to_string();
                    api::send(
                        session,
                        Method::PUT,
                        &path,
                        &[("if-match", &v)],
                        Payload::Json(&body),
                    )
                    .await
                }
            };
            match answer {
                Ok(_) => on_saved(),
                Err(r) => {
                    if r.code() == "version_conflict" {
                        error.set(Some(t("conflict.entry").to_owned()));
                    } else {
                        error.set(Some(r.message.clone()));
                    }
                    server_details.set(r.details());
                }
            }
        });
    };

    view! {
        <form class="entry" on:submit=submit aria-label=move || t(if is_new { "new" } else { "edit" })>
            <div class="row">
                {fields.iter().enumerate().map(|(i, f)| {
                    let id = format!("entry-{}", f.name);
                    let msg_id = format!("{id}-msg");
                    let msgs = move || {
                        let mut m: Vec<String> = if touched.with(|t| t[i]) {
                            local_finding(i)
                                .map(|f| vec![if lang() == Lang::Vi { f.message_vi } else { f.message_en }])
                                .unwrap_or_default()
                        } else {
                            Vec::new()
                        };
                        m.extend(server_details.with(|d| details_at(d, fields[i].name, lang())));
                        m.join("; ")
                    };
                    let readonly = i == 0 && !is_new;
                    view! {
                        <div class="field">
                            <label for=id.clone()>{move || label(f, lang())}{f.required.then_some(" *")}</label>
                            <input id=id aria-describedby=msg_id.clone() readonly=readonly
                                aria-required=f.required.to_string()
                                aria-invalid=move || (!msgs().is_empty()).to_string()
                                prop:value=move || values.with(|v| v[i].clone())
                                on:input=move |ev| values.update(|v| v[i] = event_target_value(&ev))
                                on:blur=move |_| touched.update(|t| t[i] = true) />
                            <span class="msg" id=msg_id>{msgs}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button type="submit" class="primary">{move || t("save.entry")}</button>
                <button type="button" on:click=move |_| on_cancel()>{move || t("cancel")}</button>
            </div>
        </form>
    }
}

/// Import of a CSV or `.xlsx` file, sent as saved (the server detects encoding, delimiter and
/// format, so no parser is downloaded with the app): the file's first line names the fields; a
/// bad file is reported row by row and nothing of it is imported.
#[component]
fn Import(
    session: Session,
    kind: &'static str,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);
    let report = RwSignal::new(Vec::<(String, String, String)>::new());
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let fields = catalog::fields(kind).unwrap_or_default();
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let path = format!("/api/catalogs/{kind}/import");
            let answer =
                api::request::<Value>(session, Method::POST, &path, &[], Payload::File(&file))
                    .await;
            match answer {
                Ok(v) => {
                    report.set(Vec::new());
                    error.set(None);
                    status.set(Some(format!(
                        "{} {}",
                        t("import.done"),
                        v["imported"].as_u64().unwrap_or(0)
                    )));
                    on_done();
                }
                Err(r) => {
                    status.set(None);
                    error.set(Some(r.message.clone()));
                    let details = r.details();
                    let rows = details.iter().map(|d| {
                        let (row, field) = row_and_field(&d.path);
                        (row, field, detail_message(d, lang()).to_owned())
                    });
                    report.set(rows.collect());
                }
            }
        });
    };
    view! {
        <section class="import">
            <h2>{move || t("import")}</h2>
            <p class="hint">{move || t("import.hint")}" "<code>{header.join(",")}</code></p>
            <label for="import-file">{move || t("import.file")}</label>
            <input id="import-file" type="file" on:change=on_file
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
            <p class="status" role="status">{move || status.get()}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <Show when=move || !report.with(Vec::is_empty)>
                <table class="list report">
                    <caption>{move || t("import.report")}</caption>
                    <thead><tr>
                        <th scope="col">{move || t("import.line")}</th>
                        <th scope="col">{move || t("import.field")}</th>
                        <th scope="col">{move || t("import.problem")}</th>
                    </tr></thead>
                    <tbody>
                        {move || report.get().into_iter().map(|(row, field, msg)| view! {
                            <tr><td>{row}</td><td>{field}</td><td>{msg}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

/// "Export CSV" / "Export Excel": the whole catalog as a file (Excel's header in the screen's
/// language, CSV's in field names for other programs), fetched with the token and saved.
#[component]
fn Export(session: Session, kind: &'static str) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let error = RwSignal::new(None::<String>);
    let export = move |format: &'static str| {
        let lang = match session.lang.get_untracked() {
            Lang::Vi => "vi",
            Lang::En => "en",
        };
        let query = if format == "xlsx" {
            format!("&lang={lang}")
        } else {
            String::new()
        };
        let path = format!("/api/catalogs/{kind}/export?format={format}{query}");
        leptos::task::spawn_local(async move {
            let saved = match api::download(session, &path).await {
                Ok(blob) => save(&blob, &format!("{kind}.{format}"))
                    .map_err(|_| t("unreachable").to_owned()),
                Err(r) => Err(r.message),
            };
            error.set(saved.err());
        });
    };
    view! {
        <div class="actions export">
            <button type="button" id="export-csv" on:click=move |_| export("csv")>{move || t("export.csv")}</button>
            <button type="button" id="export-xlsx" on:click=move |_| export("xlsx")>{move || t("export.xlsx")}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </div>
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
