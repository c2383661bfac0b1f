//! The catalog screens: a catalog's list with search, creating and editing an entry (`If-Match`;
//! forms drawn from `hoadon_core::catalog`, each value checked by the server's own rule as it is
//! typed), CSV or Excel import sent as the file's bytes with a per-row report, and export saved
//! through a blob URL (a link cannot carry the token). In the screens module: the editor's
//! look-ups read the app's copy of customers and products, which the app fetches again when a
//! catalog screen is left (`crate::lazy`).

use super::{detail_message, details_at, label, picked_file, row_and_field, save, text_of};
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use crate::route::{Link, Route};
use gloo_net::http::Method;
use hoadon_core::api::{Detail, Page};
use hoadon_core::catalog;
use leptos::prelude::*;
use serde_json::{Map, Value};
use std::time::Duration;

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
                    <EntryForm session kind entry on_saved=move |_| saved() on_cancel=move || editing.set(None) />
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

/// Creates (an `entry` without a `version`: `None`, or the values to start from, as the books
/// create a customer from an invoice's buyer) or edits an entry; findings appear at their fields
/// while typing. `on_saved` gets the entry's code.
#[component]
pub(crate) fn EntryForm(
    session: Session,
    kind: &'static str,
    entry: Option<Value>,
    on_saved: impl Fn(String) + Copy + Send + Sync + 'static,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let fields = catalog::fields(kind).unwrap_or_default();
    let version = entry.as_ref().and_then(|e| e["version"].as_u64());
    let is_new = version.is_none();
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
                Ok(_) => on_saved(code),
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
