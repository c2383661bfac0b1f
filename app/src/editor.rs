//! The invoice editor: the draft is an `InvoiceDocument`; `hoadon_core::check` runs on every
//! change and gives the findings (shown at their fields) and the live totals and words.

use crate::Session;
use crate::api;
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::model::{LineDocument, PartyDocument};
use hoadon_core::{Finding, InvoiceDocument};
use leptos::prelude::*;
use serde_json::{Value, json};

const RATES: [&str; 6] = ["10%", "8%", "5%", "0%", "KCT", "KKKNT"];

fn today() -> String {
    let d = js_sys_date();
    format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)
}

/// Today in the browser's calendar.
fn js_sys_date() -> (u32, u32, u32) {
    let d = web_sys::js_sys::Date::new_0();
    (d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// A client-generated id: drafts keep it from the first save, so retries never duplicate.
fn new_id() -> String {
    let r = || (web_sys::js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("app-{:08x}{:08x}", r(), r())
}

fn blank_line() -> LineDocument {
    LineDocument {
        nature: 1,
        tax_rate: Some("10%".into()),
        ..Default::default()
    }
}

fn new_document() -> InvoiceDocument {
    let yy = js_sys_date().0 % 100;
    InvoiceDocument {
        form: "1".into(),
        symbol: format!("C{yy:02}TAA"),
        issue_date: today(),
        currency: Some("VND".into()),
        payment_method: Some("TM/CK".into()),
        seller: PartyDocument::default(),
        buyer: PartyDocument::default(),
        lines: vec![blank_line()],
        ..Default::default()
    }
}

/// The findings at one field, in the chosen language.
fn messages(findings: &[Finding], path: &str, lang: Lang) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.path == path)
        .map(|f| match lang {
            Lang::Vi => f.message_vi.clone(),
            Lang::En => f.message_en.clone(),
        })
        .collect()
}

fn opt(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

#[component]
pub fn Editor(session: Session) -> impl IntoView {
    let doc = RwSignal::new(new_document());
    let id = RwSignal::new(new_id());
    let version = RwSignal::new(None::<u64>);
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let xml_href = RwSignal::new(None::<String>);
    // Re-checked once per change of the document, shared by every reader on the page.
    let checked = Memo::new_with_compare(move |_| doc.with(hoadon_core::check), |_, _| true);
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);

    // One text field bound to a path of the document, with its findings under it.
    let field = move |path: &'static str,
                      label: &'static str,
                      get: fn(&InvoiceDocument) -> String,
                      set: fn(&mut InvoiceDocument, String)| {
        let msgs = move || checked.with(|c| messages(&c.findings, path, lang()));
        let described = format!("{path}-msg");
        view! {
            <div class="field">
                <label for=path>{move || t(label)}</label>
                <input id=path aria-describedby=described.clone()
                    aria-invalid=move || (!msgs().is_empty()).to_string()
                    value=doc.with_untracked(get)
                    on:input=move |ev| doc.update(|d| set(d, event_target_value(&ev))) />
                <span class="msg" id=described>{move || msgs().join("; ")}</span>
            </div>
        }
    };

    let save = move || async move {
        let token = session.token.get_untracked().unwrap_or_default();
        let document = doc.get_untracked();
        let (s, v) = match version.get_untracked() {
            None => {
                let body = json!({"id": id.get_untracked(), "document": document});
                let key = id.get_untracked();
                api::call(
                    Method::POST,
                    "/api/invoices",
                    Some(&token),
                    &[("idempotency-key", &key)],
                    Some(&body),
                )
                .await?
            }
            Some(ver) => {
                let body = serde_json::to_value(&document).map_err(|e| e.to_string())?;
                let path = format!("/api/invoices/{}", id.get_untracked());
                api::call(
                    Method::PUT,
                    &path,
                    Some(&token),
                    &[("if-match", &ver.to_string())],
                    Some(&body),
                )
                .await?
            }
        };
        match s {
            200 | 201 => {
                version.set(v["version"].as_u64());
                Ok(v)
            }
            409 if v["code"] == "draft_conflict" => {
                Err(i18n::text(session.lang.get_untracked(), "conflict").to_owned())
            }
            _ => Err(api::message(s, &v)),
        }
    };

    let on_save = move |_| {
        leptos::task::spawn_local(async move {
            match save().await {
                Ok(_) => {
                    error.set(None);
                    status.set(Some(
                        i18n::text(session.lang.get_untracked(), "saved").to_owned(),
                    ));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let on_issue = move |_| {
        leptos::task::spawn_local(async move {
            let token = session.token.get_untracked().unwrap_or_default();
            if let Err(e) = save().await {
                error.set(Some(e));
                return;
            }
            let path = format!("/api/invoices/{}/issue", id.get_untracked());
            let issued: Result<Value, String> =
                match api::call(Method::POST, &path, Some(&token), &[], None).await {
                    Ok((200, v)) => Ok(v),
                    Ok((s, v)) => Err(api::message(s, &v)),
                    Err(e) => Err(e),
                };
            match issued {
                Ok(v) => {
                    error.set(None);
                    let n = v["number"].as_u64().unwrap_or_default();
                    status.set(Some(format!(
                        "{} {n}",
                        i18n::text(session.lang.get_untracked(), "issued")
                    )));
                    let path = format!("/api/invoices/{}/xml", id.get_untracked());
                    if let Ok((200, Value::String(xml))) =
                        api::call(Method::GET, &path, Some(&token), &[], None).await
                    {
                        let encoded: String = web_sys::js_sys::encode_uri_component(&xml).into();
                        xml_href.set(Some(format!(
                            "data:application/xml;charset=utf-8,{encoded}"
                        )));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let lines = move || (0..doc.with(|d| d.lines.len())).collect::<Vec<_>>();
    let line_view = move |i: usize| {
        let path = move |f: &str| format!("lines[{i}].{f}");
        let msgs = move |f: &'static str| {
            let p = path(f);
            move || {
                checked
                    .with(|c| messages(&c.findings, &p, lang()))
                    .join("; ")
            }
        };
        let initial = doc
            .with_untracked(|d| d.lines.get(i).cloned())
            .unwrap_or_default();
        let amount = move || {
            checked
                .with(|c| c.preview.lines.get(i).and_then(|f| f.amount))
                .map(i18n::money)
                .unwrap_or_default()
        };
        view! {
            <fieldset class="line">
                <legend>{move || format!("{} {}", t("lines"), i + 1)}</legend>
                <div class="field wide">
                    <label for=path("name")>{move || t("line.name")}</label>
                    <input id=path("name") value=initial.name.clone()
                        on:input=move |ev| doc.update(|d| d.lines[i].name = event_target_value(&ev)) />
                    <span class="msg">{msgs("name")}</span>
                </div>
                <div class="field">
                    <label for=path("unit")>{move || t("line.unit")}</label>
                    <input id=path("unit") value=initial.unit.clone().unwrap_or_default()
                        on:input=move |ev| doc.update(|d| d.lines[i].unit = opt(event_target_value(&ev))) />
                    <span class="msg">{msgs("unit")}</span>
                </div>
                <div class="field">
                    <label for=path("quantity")>{move || t("line.quantity")}</label>
                    <input id=path("quantity") inputmode="decimal"
                        value=initial.quantity.map(|q| q.to_string()).unwrap_or_default()
                        on:input=move |ev| doc.update(|d| d.lines[i].quantity = i18n::parse_number(session.lang.get_untracked(), &event_target_value(&ev))) />
                    <span class="msg">{msgs("quantity")}</span>
                </div>
                <div class="field">
                    <label for=path("unit_price")>{move || t("line.unit_price")}</label>
                    <input id=path("unit_price") inputmode="decimal"
                        value=initial.unit_price.map(|q| q.to_string()).unwrap_or_default()
                        on:input=move |ev| doc.update(|d| d.lines[i].unit_price = i18n::parse_number(session.lang.get_untracked(), &event_target_value(&ev))) />
                    <span class="msg">{msgs("unit_price")}</span>
                </div>
                <div class="field">
                    <label for=path("tax_rate")>{move || t("line.tax_rate")}</label>
                    <select id=path("tax_rate")
                        on:change=move |ev| doc.update(|d| d.lines[i].tax_rate = opt(event_target_value(&ev)))>
                        {RATES.iter().map(|r| {
                            let selected = initial.tax_rate.as_deref() == Some(*r);
                            view! { <option value=*r selected=selected>{*r}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <p class="amount">{move || t("line.amount")}": "<output id=path("amount")>{amount}</output></p>
                <button type="button" class="link"
                    on:click=move |_| doc.update(|d| { if d.lines.len() > 1 { d.lines.remove(i); } })>
                    {move || t("line.remove")}
                </button>
            </fieldset>
        }
    };

    view! {
        <form class="card editor" on:submit=|ev| ev.prevent_default()>
            <h1>{move || t("editor.title")}</h1>
            <section class="row">
                {field("form", "form", |d| d.form.clone(), |d, v| d.form = v)}
                {field("symbol", "symbol", |d| d.symbol.clone(), |d, v| d.symbol = v)}
                {field("issue_date", "issue_date", |d| d.issue_date.clone(), |d, v| d.issue_date = v)}
            </section>
            <h2>{move || t("seller")}</h2>
            <section class="row">
                {field("seller.name", "name", |d| d.seller.name.clone().unwrap_or_default(), |d, v| d.seller.name = opt(v))}
                {field("seller.tax_id", "tax_id", |d| d.seller.tax_id.clone().unwrap_or_default(), |d, v| d.seller.tax_id = opt(v))}
                {field("seller.address", "address", |d| d.seller.address.clone().unwrap_or_default(), |d, v| d.seller.address = opt(v))}
            </section>
            <h2>{move || t("buyer")}</h2>
            <section class="row">
                {field("buyer.name", "name", |d| d.buyer.name.clone().unwrap_or_default(), |d, v| d.buyer.name = opt(v))}
                {field("buyer.tax_id", "tax_id", |d| d.buyer.tax_id.clone().unwrap_or_default(), |d, v| d.buyer.tax_id = opt(v))}
                {field("buyer.address", "address", |d| d.buyer.address.clone().unwrap_or_default(), |d, v| d.buyer.address = opt(v))}
            </section>
            <h2>{move || t("lines")}</h2>
            <For each=lines key=|i| *i children=line_view />
            <button type="button" on:click=move |_| doc.update(|d| d.lines.push(blank_line()))>
                {move || t("line.add")}
            </button>
            <section class="totals" aria-live="polite">
                <h2>{move || t("totals")}</h2>
                <table>
                    <tbody>
                        {move || checked.with(|c| c.preview.groups.iter().map(|g| {
                            let rate = g.rate.map(|r| r.to_string()).unwrap_or_default();
                            view! {
                                <tr class="group">
                                    <th scope="row">{rate}</th>
                                    <td>{i18n::money(g.net)}</td>
                                    <td>{i18n::money(g.vat)}</td>
                                </tr>
                            }
                        }).collect_view())}
                        <tr><th scope="row">{move || t("totals.net")}</th>
                            <td id="total-net" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total_before_vat))}</td></tr>
                        <tr><th scope="row">{move || t("totals.vat")}</th>
                            <td id="total-vat" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total_vat))}</td></tr>
                        <tr><th scope="row">{move || t("totals.total")}</th>
                            <td id="total" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total))}</td></tr>
                    </tbody>
                </table>
                <p>{move || t("totals.words")}": "
                    <output id="words">{move || checked.with(|c| {
                        let p = &c.preview;
                        match lang() {
                            Lang::Vi => hoadon_core::words::vi::amount_in_words(p.total, p.currency, &Default::default()),
                            Lang::En => hoadon_core::words::en::amount_in_words(p.total, p.currency),
                        }
                    })}</output>
                </p>
            </section>
            <p class="status" role="status">{move || status.get()}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button type="button" on:click=on_save>{move || t("save")}</button>
                <button type="button" class="primary" on:click=on_issue>{move || t("issue")}</button>
                <Show when=move || xml_href.get().is_some()>
                    <a id="download" download=move || format!("{}.xml", id.get())
                        href=move || xml_href.get().unwrap_or_default()>{move || t("download")}</a>
                </Show>
            </div>
        </form>
    }
}
