//! The invoice list (filters, server-side pages) and one invoice's detail: its status history
//! (the audit chain, checked by the server), issuing, the signed XML and its signature checked
//! again here in the browser by `hoadon_core::dsig`, and what the tax authority said about it
//! ([`authority`]).

pub mod authority;
pub mod corrections;
pub mod delivery;
pub mod token;

use crate::Session;
use crate::api::{self, Payload};
use crate::drafts::outbox;
use crate::i18n::{self, Lang};
use crate::route::{Link, Route};
use authority::{AuthorityBlock, RegistrationRequired, pending};
use gloo_net::http::Method;
use hoadon_core::api::{InvoiceView, Page};
use hoadon_core::corrections::Standing;
use hoadon_core::dsig::SignatureCheck;
use hoadon_core::lifecycle::{Event, IssueStep, Status};
use leptos::prelude::*;
use serde_json::Value;
use std::time::Duration;

/// The total of an invoice record as the core computes it.
pub fn record_total(rec: &InvoiceView) -> String {
    i18n::money(hoadon_core::check(&rec.document).preview.total)
}

pub fn status_key(status: Status) -> &'static str {
    match status {
        Status::Draft => "status.draft",
        Status::AwaitingToken => "status.awaiting_token",
        Status::Numbered => "status.numbered",
        Status::Signed => "status.signed",
        Status::Sent => "status.sent",
        Status::Coded => "status.coded",
        Status::Rejected => "status.rejected",
        Status::DataSent => "status.data_sent",
        Status::DataAccepted => "status.data_accepted",
    }
}

/// Where a record opens: what can still be edited in the editor, the rest in the detail screen.
pub fn record_route(rec: &InvoiceView) -> Route {
    if rec.status.allows(Event::Edit) {
        Route::Edit(rec.id.clone())
    } else {
        Route::Invoice(rec.id.clone())
    }
}

/// A table of invoice records (list, home).
#[component]
pub fn InvoiceTable(session: Session, rows: Signal<Vec<InvoiceView>>) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    view! {
        <div class="table-wrap">
            <table class="list invoices">
                <thead><tr>
                    <th scope="col">{move || t("number")}</th>
                    <th scope="col">{move || t("issue_date")}</th>
                    <th scope="col">{move || t("buyer")}</th>
                    <th scope="col" class="num">{move || t("totals.total")}</th>
                    <th scope="col">{move || t("status")}</th>
                </tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|rec| {
                        let d = &rec.document;
                        let number = match rec.number {
                            Some(n) => format!("{}{} · {n}", d.form, d.symbol),
                            None => "—".into(),
                        };
                        let date = d.issue_date.clone();
                        let buyer = d.buyer.name.clone().unwrap_or_default();
                        let status = status_key(rec.status);
                        let standing = corrections::standing_badge(session, rec.standing, None);
                        let total = record_total(&rec);
                        view! {
                            <tr>
                                <td><Link to=record_route(&rec)>{number}</Link></td>
                                <td>{move || i18n::date(session.lang.get(), &date)}</td>
                                <td>{buyer}</td>
                                <td class="num">{total}</td>
                                <td><span class=format!("badge {}", rec.status.as_str())>{move || t(status)}</span>{standing}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn InvoiceList(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let status = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let buyer = RwSignal::new(String::new());
    let series = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<InvoiceView>::new());
    // Cursors of the pages before the current one, and the next page's.
    let previous = RwSignal::new(Vec::<String>::new());
    let current = RwSignal::new(String::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);

    let fetch = move |cursor: String| {
        let mut q = vec![("limit", "20".to_owned()), ("cursor", cursor.clone())];
        // The one select filters by state, by standing (`standing:replaced`) or on the
        // corrections awaiting the buyer's confirmation.
        let state = status.get_untracked();
        match state.split_once(':') {
            Some((_, standing)) => q.push(("standing", standing.to_owned())),
            None if state == "awaiting_confirmation" => {
                q.push(("awaiting_confirmation", "true".into()))
            }
            None if !state.is_empty() => q.push(("status", state)),
            None => {}
        }
        for (k, s) in [
            ("from", from),
            ("to", to),
            ("buyer", buyer),
            ("series", series),
        ] {
            let v = s.get_untracked().trim().to_owned();
            if !v.is_empty() {
                q.push((k, v));
            }
        }
        let query: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{k}={}", api::encode(v)))
            .collect();
        let path = format!("/api/invoices?{}", query.join("&"));
        loading.set(true);
        leptos::task::spawn_local(async move {
            match api::get::<Page<InvoiceView>>(session, &path).await {
                Ok(page) => {
                    rows.set(page.items);
                    next.set(page.next);
                    current.set(cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    fetch(String::new());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        previous.set(Vec::new());
        fetch(String::new());
    };
    let input =
        move |id: &'static str, key: &'static str, kind: &'static str, sig: RwSignal<String>| {
            view! {
                <div class="field">
                    <label for=id>{move || t(key)}</label>
                    <input id=id type=kind prop:value=move || sig.get()
                        on:input=move |ev| sig.set(event_target_value(&ev)) />
                </div>
            }
        };
    view! {
        <section class="card">
            <h1>{move || t("invoices")}</h1>
            <form class="filters row" on:submit=apply aria-label=move || t("filters")>
                <div class="field">
                    <label for="filter-status">{move || t("status")}</label>
                    <select id="filter-status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{move || t("status.any")}</option>
                        {Status::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str()>{move || t(status_key(s))}</option>
                        }).collect_view()}
                        {Standing::ALL[1..].iter().map(|s| view! {
                            <option value=format!("standing:{}", s.as_str())>{move || t(corrections::standing_key(*s))}</option>
                        }).collect_view()}
                        <option value="awaiting_confirmation">{move || t("filter.awaiting_confirmation")}</option>
                    </select>
                </div>
                {input("filter-from", "filter.from", "date", from)}
                {input("filter-to", "filter.to", "date", to)}
                {input("filter-buyer", "filter.buyer", "search", buyer)}
                {input("filter-series", "filter.series", "search", series)}
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary">{move || t("filter.apply")}</button>
                </div>
            </form>
            <p class="error" role="alert">{move || error.get()}</p>
            <InvoiceTable session rows=rows.into() />
            <Show when=move || rows.with(Vec::is_empty) && !loading.get()>
                <p class="empty">{move || t("empty")}</p>
            </Show>
            <nav class="pager" aria-label=move || t("pages")>
                <button type="button" disabled=move || previous.with(Vec::is_empty)
                    on:click=move |_| {
                        let mut p = previous.get_untracked();
                        let c = p.pop().unwrap_or_default();
                        previous.set(p);
                        fetch(c);
                    }>{move || t("page.previous")}</button>
                <button type="button" disabled=move || next.get().is_none()
                    on:click=move |_| {
                        if let Some(n) = next.get_untracked() {
                            previous.update(|p| p.push(current.get_untracked()));
                            fetch(n);
                        }
                    }>{move || t("page.next")}</button>
            </nav>
        </section>
    }
}

/// The browser's own check of the signed XML, by the verifier module that `index.html` imports
/// on first use (`window.hoadonVerify`, built from `app/verify`): the XML parser, C14N and RSA
/// are not in the first load. `None` when it cannot run or finds no signature.
async fn check_signature(xml: &str) -> Option<SignatureCheck> {
    verifier::<Option<SignatureCheck>>(xml, "verify")
        .await
        .flatten()
}

/// Every signature's own verdict (the seller's, the authority's), by the same module.
pub async fn check_each_signature(xml: &str) -> Option<Vec<SignatureCheck>> {
    verifier(xml, "verify_each").await
}

/// The verifier module's export `name` on `xml`, its JSON answer read as `T`.
async fn verifier<T: serde::de::DeserializeOwned>(xml: &str, name: &str) -> Option<T> {
    use wasm_bindgen::JsCast;
    use web_sys::js_sys::{Function, Promise, Reflect};
    let window = web_sys::window()?;
    let verify: Function = Reflect::get(&window, &"hoadonVerify".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = verify
        .call2(&window, &xml.into(), &name.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let json = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .as_string()?;
    serde_json::from_str(&json).ok()
}

#[component]
pub fn InvoiceDetail(session: Session, id: String) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let rec = RwSignal::new(None::<InvoiceView>);
    let audit = RwSignal::new(None::<Value>);
    let error = RwSignal::new(None::<String>);
    let xml = RwSignal::new(None::<String>);
    let signature = RwSignal::new(None::<SignatureCheck>);
    let busy = RwSignal::new(false);
    let needs_registration = RwSignal::new(false);
    let id = StoredValue::new(id);
    let ob = outbox();
    let load = move || {
        // Also called when an answer arrives after the screen was left: then there is nothing to do.
        let Some(id) = id.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::get::<InvoiceView>(session, &format!("/api/invoices/{id}")).await {
                Ok(v) => {
                    // Every state after signing has the one signed file of its number.
                    let signed = v.status.is_issued() && v.status != Status::Numbered;
                    rec.set(Some(v));
                    let path = format!("/api/invoices/{id}/xml");
                    if signed
                        && let Ok(x) =
                            api::send(session, Method::GET, &path, &[], Payload::None).await
                    {
                        signature.set(check_signature(&x).await);
                        xml.set(Some(x));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            if let Ok(a) = api::get::<Value>(session, &format!("/api/invoices/{id}/audit")).await {
                audit.set(Some(a));
            }
        });
    };
    load();
    // The sweep signs, the authority answers later: ask again while one of them is owed, and
    // load everything once the state moved.
    crate::poll::while_open(Duration::from_secs(3), move || {
        let Some(before) = rec.with_untracked(|r| r.as_ref().map(|r| r.status)) else {
            return;
        };
        // A token's signature comes from a desktop session: asked again too.
        if !pending(before) && before != Status::AwaitingToken {
            return;
        }
        let path = format!("/api/invoices/{}", id.get_value());
        leptos::task::spawn_local(async move {
            if let Ok(v) = api::get::<InvoiceView>(session, &path).await
                && v.status != before
            {
                load();
            }
        });
    });
    let issue = move |_| {
        let id = id.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{id}/issue");
            // The version on screen is the one issued (a draft changed elsewhere answers 409).
            let version = rec.get_untracked().map(|r| r.version.to_string());
            let pin: Vec<(&str, &str)> = version.iter().map(|v| ("if-match", v.as_str())).collect();
            match api::send(session, Method::POST, &path, &pin, Payload::None).await {
                Ok(_) => {
                    ob.forget(&id);
                    error.set(None);
                }
                Err(r) => {
                    needs_registration.set(r.code() == "registration_required");
                    error.set(Some(r.message));
                }
            }
            load();
            busy.set(false);
        });
    };
    let field =
        move |k: &'static str, v: String| view! { <div><dt>{move || t(k)}</dt><dd>{v}</dd></div> };

    view! {
        <section class="card detail">
            <p class="error" role="alert">{move || error.get()}</p>
            {move || needs_registration.get().then(|| view! { <RegistrationRequired session /> })}
            {move || rec.get().map(|r| {
                let status = r.status;
                let number = r.number.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
                let attention = r.attention.clone();
                let standing = corrections::standing_badge(session, r.standing, Some("invoice-standing"));
                let corrects = corrections::corrects_line(session, &r);
                let to_corrections = corrections::corrections_link(session, &r);
                let authority = view! { <AuthorityBlock session rec=r.clone() /> };
                let pdf = delivery::delivery_block(session, &r);
                let token = view! { <token::TokenBanner session rec=r.clone() changed=Callback::new(move |_| load()) /> };
                let d = r.document;
                let checked = hoadon_core::check(&d);
                let p = checked.preview.clone();
                let words = match lang() {
                    Lang::Vi => hoadon_core::words::vi::amount_in_words(p.total, p.currency, &Default::default()),
                    Lang::En => hoadon_core::words::en::amount_in_words(p.total, p.currency),
                };
                let is_draft = status.allows(Event::Edit);
                let can_issue = status.issue_step(r.signing_mode) != IssueStep::Done;
                view! {
                    <h1>{move || t("invoice")}" "{format!("{}{}", d.form, d.symbol)}" · "{number.clone()}</h1>
                    <p><span id="invoice-status" class=format!("badge {}", status.as_str())>{move || t(status_key(status))}</span>{standing}</p>
                    {corrects}
                    {attention.map(|a| view! {
                        <p class="error" id="attention">{move || t("attention")}": "{a.reason.clone()}" ("{a.attempts}")"</p>
                    })}
                    {token}
                    {authority}
                    {pdf}
                    <dl class="facts">
                        {field("issue_date", i18n::date(lang(), &d.issue_date))}
                        {field("seller", format!("{} · {}", d.seller.name.clone().unwrap_or_default(), d.seller.tax_id.clone().unwrap_or_default()))}
                        {field("buyer", format!("{} · {}", d.buyer.name.clone().unwrap_or_default(), d.buyer.tax_id.clone().unwrap_or_default()))}
                        {field("totals.total", i18n::money(p.total))}
                        {field("totals.words", words)}
                    </dl>
                    <div class="table-wrap">
                        <table class="list">
                            <thead><tr>
                                <th scope="col">"#"</th>
                                <th scope="col">{move || t("line.name")}</th>
                                <th scope="col">{move || t("line.unit")}</th>
                                <th scope="col" class="num">{move || t("line.quantity")}</th>
                                <th scope="col" class="num">{move || t("line.unit_price")}</th>
                                <th scope="col">{move || t("line.tax_rate")}</th>
                                <th scope="col" class="num">{move || t("line.amount")}</th>
                            </tr></thead>
                            <tbody>
                                {d.lines.iter().enumerate().map(|(i, l)| {
                                    let amount = p.lines.get(i).and_then(|f| f.amount).map(i18n::money).unwrap_or_default();
                                    view! {
                                        <tr>
                                            <td>{i + 1}</td>
                                            <td>{l.name.clone()}</td>
                                            <td>{l.unit.clone().unwrap_or_default()}</td>
                                            <td class="num">{l.quantity.map(i18n::money).unwrap_or_default()}</td>
                                            <td class="num">{l.unit_price.map(i18n::money).unwrap_or_default()}</td>
                                            <td>{l.tax_rate.clone().unwrap_or_default()}</td>
                                            <td class="num">{amount}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="actions">
                        <Show when=move || is_draft>
                            <Link to=Route::Edit(id.get_value()) class="button">{move || t("edit")}</Link>
                        </Show>
                        {to_corrections}
                        <Show when=move || can_issue>
                            <button type="button" class="primary" disabled=move || busy.get() || !ob.online.get()
                                on:click=issue>{move || t("issue")}</button>
                        </Show>
                        <Show when=move || xml.get().is_some()>
                            <a id="download" class="button" download=format!("{}.xml", id.get_value())
                                href=move || xml.get().map(|x| {
                                    let encoded: String = web_sys::js_sys::encode_uri_component(&x).into();
                                    format!("data:application/xml;charset=utf-8,{encoded}")
                                }).unwrap_or_default()>{move || t("download")}</a>
                        </Show>
                    </div>
                }
            })}
            <Show when=move || signature.get().is_some()>
                {move || signature.get().map(|s| {
                    let class = if s.valid { "signature ok" } else { "signature bad" };
                    view! {
                        <section class=class id="signature" aria-live="polite">
                            <h2>{move || t("signature")}</h2>
                            <p>{move || t(if s.valid { "signature.valid" } else { "signature.invalid" })}</p>
                            <p>{move || t("signature.signer")}": "{s.signer.clone()}" · MST "{s.tax_id.clone()}</p>
                            <p>{move || t("signature.time")}": "{s.time.clone()}</p>
                            {s.failure.clone().map(|f| view! { <p class="error">{f}</p> })}
                        </section>
                    }
                })}
            </Show>
            <section class="history">
                <h2>{move || t("history")}</h2>
                {move || audit.get().map(|a| {
                    let valid = a["valid"] == true;
                    view! {
                        <p id="audit-chain" class=if valid { "status" } else { "error" }>
                            {move || t(if valid { "history.valid" } else { "history.broken" })}
                        </p>
                        <ol class="timeline">
                            {a["entries"].as_array().cloned().unwrap_or_default().into_iter().map(|e| {
                                let action = e["action"].as_str().unwrap_or("").to_owned();
                                let at = e["at"].as_i64().unwrap_or(0);
                                let actor = e["actor"].as_str().unwrap_or("").to_owned();
                                let number = e["number"].as_u64().map(|n| format!(" · {n}")).unwrap_or_default();
                                view! {
                                    <li>
                                        <strong>{move || t(i18n::action_key(&action))}</strong>{number}
                                        " — "{move || i18n::datetime(lang(), at)}" — "{actor}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }
                })}
            </section>
            <p><Link to=Route::Invoices>{move || t("back.invoices")}</Link></p>
        </section>
    }
}
