//! The invoice editor. The draft is an `InvoiceDocument`; `hoadon_core::check` runs on every
//! change and gives the findings (shown at their fields) and the live totals and words. Every
//! change is kept on the device at once and synced by the outbox ([`crate::drafts`]); issuing
//! needs the server and says so when there is none.

use crate::api::{self, Payload};
use crate::catalogs::customer_party;
use crate::drafts::{Conflict, LocalDraft, Outcome, outbox};
use crate::i18n::{self, Lang};
use crate::route::{Route, router};
use crate::typeahead::TypeAhead;
use crate::{Session, storage};
use gloo_net::http::Method;
use hoadon_core::model::{LineDocument, PartyDocument};
use hoadon_core::{Finding, InvoiceDocument};
use leptos::prelude::*;
use serde_json::Value;

const RATES: [&str; 6] = ["10%", "8%", "5%", "0%", "KCT", "KKKNT"];
/// `TChat`: goods or service, promotion, trade discount, note.
const NATURES: [(u8, &str); 4] = [
    (1, "nature.goods"),
    (2, "nature.promotion"),
    (3, "nature.discount"),
    (4, "nature.note"),
];
/// Where the seller's details of the last issued invoice are remembered for the next one.
const SELLER_KEY: &str = "hoadon.seller";

fn today() -> (u32, u32, u32) {
    let d = web_sys::js_sys::Date::new_0();
    (d.get_full_year(), d.get_month() + 1, d.get_date())
}

fn blank_line() -> LineDocument {
    LineDocument {
        nature: 1,
        tax_rate: Some("10%".into()),
        ..Default::default()
    }
}

/// A new invoice: today, the current year's first series, the seller of the last invoice.
fn new_document() -> InvoiceDocument {
    let (y, m, d) = today();
    let seller = storage()
        .and_then(|s| s.get_item(SELLER_KEY).ok().flatten())
        .and_then(|j| serde_json::from_str::<PartyDocument>(&j).ok())
        .unwrap_or_default();
    InvoiceDocument {
        form: "1".into(),
        symbol: format!("C{:02}TAA", y % 100),
        issue_date: format!("{y:04}-{m:02}-{d:02}"),
        currency: Some("VND".into()),
        payment_method: Some("TM/CK".into()),
        seller,
        buyer: PartyDocument::default(),
        lines: vec![blank_line()],
        ..Default::default()
    }
}

/// A finding's message in the chosen language.
fn message(f: &Finding, lang: Lang) -> &str {
    match lang {
        Lang::Vi => &f.message_vi,
        Lang::En => &f.message_en,
    }
}

fn opt(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

fn focus(id: String) {
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

/// The sync state of the open draft, as shown.
#[derive(Clone, PartialEq)]
struct SyncView {
    conflict: Option<Conflict>,
    error: Option<String>,
    saving: bool,
    waiting: bool,
    version: Option<u64>,
}

/// The editor on draft `id`: from the device, else from the server, else a new invoice.
#[component]
pub fn Editor(session: Session, id: String) -> impl IntoView {
    // Contexts are read here: async tasks and handlers run outside the component's owner.
    let ob = outbox();
    let router = router();
    let id = StoredValue::new(id);
    let doc = RwSignal::new(InvoiceDocument::default());
    let ready = RwSignal::new(false);
    // Bumped when the document changes other than by typing (a pick from a catalog, a removed
    // line, the server's version taken): the fields are built again from the document.
    let reset = RwSignal::new(0u64);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);

    // Open the draft once the device's drafts are loaded.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || !ob.loaded.get() {
            return done.unwrap_or(false);
        }
        let key = id.get_value();
        if let Some(d) = ob.get(&key) {
            doc.set(d.document);
            ready.set(true);
        } else if ob.online.get_untracked() && session.token.get_untracked().is_some() {
            leptos::task::spawn_local(async move {
                let path = format!("/api/invoices/{key}");
                let found = api::call(
                    Method::GET,
                    &path,
                    session.token.get_untracked().as_deref(),
                    &[],
                    None,
                )
                .await;
                match found {
                    Ok((200, rec)) if rec["status"] != "draft" => {
                        router.replace(Route::Invoice(key));
                        return;
                    }
                    Ok((200, rec)) => match LocalDraft::from_server(&rec) {
                        Some(d) => {
                            doc.set(d.document.clone());
                            ob.adopt(d);
                        }
                        None => doc.set(new_document()),
                    },
                    _ => doc.set(new_document()),
                }
                ready.set(true);
            });
        } else {
            doc.set(new_document());
            ready.set(true);
        }
        true
    });

    // Re-checked once per change of the document, shared by every reader on the page.
    let checked = Memo::new_with_compare(move |_| doc.with(hoadon_core::check), |_, _| true);
    // What the status line and the conflict panel need, without cloning the document on every
    // keystroke (the map changes with each one).
    let sync = Memo::new(move |_| {
        ob.drafts.with(|m| {
            m.get(&id.get_value()).map(|d| SyncView {
                conflict: d.conflict.clone(),
                error: d.error.clone(),
                saving: d.stored_rev < d.rev,
                waiting: d.waiting(),
                version: d.version,
            })
        })
    });

    // Every change: the document, then the device's copy (which schedules the sync).
    let edit = move |f: &dyn Fn(&mut InvoiceDocument)| {
        doc.update(|d| f(d));
        let current = doc.get_untracked();
        ob.edit(&id.get_value(), move |d| d.document = current);
    };
    let redraw = move |focus_id: Option<String>| {
        reset.update(|r| *r += 1);
        if let Some(f) = focus_id {
            focus(f);
        }
    };

    // The messages of each path, joined, computed once per change; each field reads its own
    // through a memo, so on a keystroke only the fields whose messages changed touch the DOM
    // (50 lines have ~550 such bindings).
    let by_path = Memo::new(move |_| {
        let lang = lang();
        let mut m = std::collections::HashMap::<String, String>::new();
        checked.with(|c| {
            for f in &c.findings {
                let s = m.entry(f.path.clone()).or_default();
                if !s.is_empty() {
                    s.push_str("; ");
                }
                s.push_str(message(f, lang));
            }
        });
        m
    });
    let at = move |path: String| {
        Memo::new(move |_| by_path.with(|m| m.get(&path).cloned().unwrap_or_default()))
    };

    // One text field bound to a path of the document, with its findings under it.
    let field = move |path: &'static str,
                      label: &'static str,
                      get: fn(&InvoiceDocument) -> String,
                      set: fn(&mut InvoiceDocument, String)| {
        let msgs = at(path.to_owned());
        let described = format!("{path}-msg");
        view! {
            <div class="field">
                <label for=path>{move || t(label)}</label>
                <input id=path aria-describedby=described.clone()
                    aria-invalid=move || (!msgs.with(String::is_empty)).to_string()
                    value=doc.with_untracked(get)
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| set(d, v.clone())) } />
                <span class="msg" id=described>{move || msgs.get()}</span>
            </div>
        }
    };

    let line_view = move |i: usize| {
        let path = move |f: &str| format!("lines[{i}].{f}");
        let msgs = move |f: &'static str| at(path(f));
        let invalid = move |m: Memo<String>| move || (!m.with(String::is_empty)).to_string();
        let line = doc
            .with_untracked(|d| d.lines.get(i).cloned())
            .unwrap_or_default();
        let amount =
            Memo::new(move |_| checked.with(|c| c.preview.lines.get(i).and_then(|f| f.amount)));
        let amount = move || amount.get().map(i18n::money).unwrap_or_default();
        let l = session.lang.get_untracked();
        let num = move |d: Option<rust_decimal::Decimal>| {
            d.map(|d| i18n::number_input(l, d)).unwrap_or_default()
        };
        let number_field =
            move |f: &'static str,
                  label: &'static str,
                  initial: Option<rust_decimal::Decimal>,
                  set: fn(&mut LineDocument, Option<rust_decimal::Decimal>)| {
                let m = msgs(f);
                view! {
                    <div class="field">
                        <label for=path(f)>{move || t(label)}</label>
                        <input id=path(f) inputmode="decimal" aria-describedby=format!("{}-msg", path(f))
                            aria-invalid=invalid(m) value=num(initial)
                            on:input=move |ev| {
                                let v = i18n::parse_number(session.lang.get_untracked(), &event_target_value(&ev));
                                edit(&|d| set(&mut d.lines[i], v));
                            } />
                        <span class="msg" id=format!("{}-msg", path(f))>{m}</span>
                    </div>
                }
            };
        let nature = line.nature;
        let (name_msgs, unit_msgs) = (msgs("name"), msgs("unit"));
        let priced = matches!(nature, 1 | 2);
        view! {
            <fieldset class="line">
                <legend>{move || format!("{} {}", t("lines"), i + 1)}</legend>
                <div class="field">
                    <label for=path("nature")>{move || t("line.nature")}</label>
                    <select id=path("nature") on:change=move |ev| {
                        let n: u8 = event_target_value(&ev).parse().unwrap_or(1);
                        edit(&|d| d.lines[i].nature = n);
                        redraw(Some(path("nature")));
                    }>
                        {NATURES.iter().map(|(n, key)| view! {
                            <option value=n.to_string() selected=*n == nature>{move || t(key)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field wide">
                    <label for=path("name")>{move || t("line.name")}</label>
                    <TypeAhead id=path("name") kind="products" initial=line.name.clone()
                        described_by=format!("{}-msg", path("name"))
                        invalid=Signal::derive(move || !name_msgs.with(String::is_empty))
                        on_input=move |v| edit(&|d| d.lines[i].name = v.clone())
                        on_pick=move |p: Value| {
                            let s = |f: &str| p[f].as_str().map(str::to_owned).filter(|s| !s.is_empty());
                            edit(&|d| {
                                let l = &mut d.lines[i];
                                l.code = s("code");
                                l.name = s("name").unwrap_or_default();
                                l.unit = s("unit");
                                l.unit_price = s("unit_price").and_then(|p| p.parse().ok());
                                if let Some(r) = s("tax_rate") {
                                    l.tax_rate = Some(r);
                                }
                            });
                            redraw(Some(path("quantity")));
                        } />
                    <span class="msg" id=format!("{}-msg", path("name"))>{name_msgs}</span>
                </div>
                {priced.then(|| view! {
                    <div class="field">
                        <label for=path("unit")>{move || t("line.unit")}</label>
                        <input id=path("unit") value=line.unit.clone().unwrap_or_default()
                            aria-describedby=format!("{}-msg", path("unit")) aria-invalid=invalid(unit_msgs)
                            on:input=move |ev| { let v = opt(event_target_value(&ev)); edit(&|d| d.lines[i].unit = v.clone()) } />
                        <span class="msg" id=format!("{}-msg", path("unit"))>{unit_msgs}</span>
                    </div>
                    {number_field("quantity", "line.quantity", line.quantity, |l, v| l.quantity = v)}
                    {number_field("unit_price", "line.unit_price", line.unit_price, |l, v| l.unit_price = v)}
                    {number_field("discount_rate", "line.discount_rate", line.discount_rate, |l, v| l.discount_rate = v)}
                })}
                {(nature == 3).then(|| number_field("amount", "line.discount_amount", line.amount, |l, v| l.amount = v))}
                {(nature != 4).then(|| view! {
                    <div class="field">
                        <label for=path("tax_rate")>{move || t("line.tax_rate")}</label>
                        <select id=path("tax_rate")
                            on:change=move |ev| { let v = opt(event_target_value(&ev)); edit(&|d| d.lines[i].tax_rate = v.clone()) }>
                            {RATES.iter().map(|r| {
                                let selected = line.tax_rate.as_deref() == Some(*r);
                                view! { <option value=*r selected=selected>{*r}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <p class="amount">{move || t("line.amount")}": "<output id=path("amount-out")>{amount}</output></p>
                })}
                <button type="button" class="link"
                    on:click=move |_| {
                        edit(&|d| { if d.lines.len() > 1 { d.lines.remove(i); } });
                        redraw(None);
                    }>
                    {move || t("line.remove")}
                </button>
            </fieldset>
        }
    };

    let form = move |_generation: u64| {
        let buyer_msgs = at("buyer.name".into());
        let lines = doc.with_untracked(|d| d.lines.len());
        view! {
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
                <div class="field">
                    <label for="buyer.name">{move || t("buyer.search")}</label>
                    <TypeAhead id="buyer.name".to_owned() kind="customers"
                        initial=doc.with_untracked(|d| d.buyer.name.clone().unwrap_or_default())
                        described_by="buyer.name-msg".to_owned()
                        invalid=Signal::derive(move || !buyer_msgs.with(String::is_empty))
                        on_input=move |v| edit(&|d| d.buyer.name = opt(v.clone()))
                        on_pick=move |c: Value| {
                            let party = customer_party(&c);
                            edit(&|d| d.buyer = party.clone());
                            redraw(Some("buyer.tax_id".into()));
                        } />
                    <span class="msg" id="buyer.name-msg">{buyer_msgs}</span>
                </div>
                {field("buyer.tax_id", "tax_id", |d| d.buyer.tax_id.clone().unwrap_or_default(), |d, v| d.buyer.tax_id = opt(v))}
                {field("buyer.address", "address", |d| d.buyer.address.clone().unwrap_or_default(), |d, v| d.buyer.address = opt(v))}
                {field("buyer.email", "email", |d| d.buyer.email.clone().unwrap_or_default(), |d, v| d.buyer.email = opt(v))}
            </section>
            <h2>{move || t("lines")}</h2>
            {(0..lines).map(line_view).collect_view()}
        }
    };

    let sync_state = move || {
        let Some(d) = sync.get() else {
            return ("new", t("sync.new").to_owned());
        };
        if d.conflict.is_some() {
            ("conflict", t("sync.conflict").to_owned())
        } else if let Some(e) = d.error {
            ("refused", format!("{} {e}", t("sync.refused")))
        } else if d.saving {
            ("saving", t("sync.saving").to_owned())
        } else if d.waiting && !ob.online.get() {
            ("offline", t("sync.offline").to_owned())
        } else if d.waiting {
            ("pending", t("sync.pending").to_owned())
        } else {
            let v = d.version.unwrap_or_default();
            ("synced", format!("{} {v}", t("sync.synced")))
        }
    };

    let on_issue = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let key = id.get_value();
            if ob.get(&key).is_none() {
                // Nothing typed yet: the server needs the draft before it can issue it.
                let current = doc.get_untracked();
                ob.edit(&key, move |d| d.document = current);
            }
            match ob.sync_one(&key).await {
                Outcome::Synced => {}
                Outcome::Conflict => {
                    busy.set(false);
                    return;
                }
                Outcome::Refused(e) => {
                    error.set(Some(e));
                    busy.set(false);
                    return;
                }
                Outcome::Unreachable | Outcome::NotSignedIn => {
                    error.set(Some(t("issue.offline").to_owned()));
                    busy.set(false);
                    return;
                }
            }
            let path = format!("/api/invoices/{key}/issue");
            match api::request(session, Method::POST, &path, &[], Payload::None).await {
                Ok(_) => {
                    if let (Some(s), Ok(seller)) = (
                        storage(),
                        serde_json::to_string(&doc.with_untracked(|d| d.seller.clone())),
                    ) {
                        let _ = s.set_item(SELLER_KEY, &seller);
                    }
                    ob.forget(&key);
                    router.go(Route::Invoice(key));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let conflict_view = move || {
        let conflict = sync.get()?.conflict?;
        let mine = checked.with_untracked(|c| i18n::money(c.preview.total));
        Some(match conflict {
            Conflict::Edited { current } => {
                let theirs: Option<InvoiceDocument> =
                    serde_json::from_value(current["document"].clone()).ok();
                let theirs_total = theirs
                    .as_ref()
                    .map(|d| i18n::money(hoadon_core::check(d).preview.total))
                    .unwrap_or_default();
                let theirs_buyer = theirs.and_then(|d| d.buyer.name).unwrap_or_default();
                let version = current["version"].as_u64().unwrap_or_default();
                view! {
                    <section class="conflict" role="alert" id="conflict">
                        <h2>{move || t("conflict.title")}</h2>
                        <p>{move || t("conflict.explain")}</p>
                        <ul>
                            <li>{move || t("conflict.mine")}": "{mine.clone()}</li>
                            <li>{move || t("conflict.theirs")}" ("{version}"): "{theirs_buyer.clone()}" · "{theirs_total.clone()}</li>
                        </ul>
                        <div class="actions">
                            <button type="button" class="primary" on:click=move |_| ob.keep_mine(&id.get_value())>
                                {move || t("conflict.keep_mine")}</button>
                            <button type="button" on:click=move |_| {
                                if let Some(d) = ob.take_theirs(&id.get_value()) {
                                    doc.set(d);
                                    redraw(None);
                                }
                            }>{move || t("conflict.take_theirs")}</button>
                        </div>
                    </section>
                }
                .into_any()
            }
            Conflict::Issued => view! {
                <section class="conflict" role="alert" id="conflict">
                    <h2>{move || t("conflict.issued.title")}</h2>
                    <p>{move || t("conflict.issued.explain")}</p>
                    <div class="actions">
                        <button type="button" on:click=move |_| {
                            let key = id.get_value();
                            ob.forget(&key);
                            router.go(Route::Invoice(key));
                        }>{move || t("conflict.issued.open")}</button>
                        <button type="button" class="primary" on:click=move |_| {
                            let key = id.get_value();
                            let copy = ob.get(&key).map(|d| d.document);
                            ob.forget(&key);
                            let new = crate::drafts::new_id();
                            if let Some(document) = copy {
                                ob.edit(&new, move |d| d.document = document);
                            }
                            router.replace(Route::Edit(new));
                        }>{move || t("conflict.issued.copy")}</button>
                    </div>
                </section>
            }
            .into_any(),
        })
    };

    view! {
        <form class="card editor" on:submit=|ev| ev.prevent_default()>
            <h1>{move || t("editor.title")}</h1>
            <p id="sync" class="sync" role="status" data-sync=move || sync_state().0>
                {move || sync_state().1}
                <Show when=move || sync_state().0 == "refused">
                    " "<button type="button" class="link" on:click=move |_| ob.retry(&id.get_value())>{move || t("retry")}</button>
                </Show>
            </p>
            {conflict_view}
            <Show when=move || ready.get() fallback=move || view! { <p>{move || t("loading")}</p> }>
                // Keyed by the generation: a redraw builds new inputs (Leptos would otherwise
                // patch the old ones, whose typed text outlives a changed `value` attribute).
                <For each=move || std::iter::once(reset.get()) key=|g| *g children=form />
                <button type="button" on:click=move |_| {
                    edit(&|d| d.lines.push(blank_line()));
                    let n = doc.with_untracked(|d| d.lines.len()) - 1;
                    redraw(Some(format!("lines[{n}].name")));
                }>
                    {move || t("line.add")}
                </button>
            // Totals and actions appear with the fields, not before them: nothing on screen
            // moves when the draft opens.
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
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="actions">
                <button type="button" class="primary" on:click=on_issue
                    disabled=move || busy.get() || !ob.online.get() || !ready.get()>
                    {move || t("issue")}
                </button>
                <Show when=move || !ob.online.get()>
                    <p class="hint" id="issue-offline">{move || t("issue.offline")}</p>
                </Show>
            </div>
            </Show>
        </form>
    }
}
