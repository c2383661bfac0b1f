//! The orders (`/orders`): a status filter and a search (`q`: the order id, the customer's
//! code or name), server-side pages (`GET /api/orders?status=&q=&cursor=&limit=`), a table on
//! a desktop and cards on a phone (`.stack`): order id, date, customer, the ERP's total, status,
//! the invoices made from it (number, state) and a badge when its invoicing failed, when a
//! correction is proposed or when the ERP's amounts differed. The filter is kept for the tab,
//! so coming back from an order shows the same list.

use super::{amount, invoice_number, status_badge, texts};
use crate::Session;
use crate::api;
use crate::i18n;
use crate::invoices::status_key;
use crate::route::{Link, Route};
use hoadon_core::api::Page;
use hoadon_core::api::orders::{OrderInvoiceRef, OrderStatus, OrderView};
use hoadon_core::lifecycle::Event;
use leptos::prelude::*;

/// Orders per page.
const LIMIT: usize = 20;

/// Where the filter is kept for the tab (`sessionStorage`): `status/q`.
const FILTER_KEY: &str = "hoadon.orders.filter";

/// The list's query for a status (`""` for all), a search and a cursor.
pub fn query(status: &str, q: &str, cursor: &str) -> String {
    let mut parts = vec![format!("limit={LIMIT}")];
    if OrderStatus::parse(status).is_some() {
        parts.push(format!("status={status}"));
    }
    let q = q.trim();
    if !q.is_empty() {
        parts.push(format!("q={}", encode(q)));
    }
    if !cursor.is_empty() {
        parts.push(format!("cursor={}", encode(cursor)));
    }
    format!("/api/orders?{}", parts.join("&"))
}

/// A query value percent-encoded (UTF-8; everything but letters, digits, `-`, `_`, `.`).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn kept_filter() -> (String, String) {
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(FILTER_KEY).ok().flatten())
        .and_then(|v| {
            let (s, q) = v.split_once('/')?;
            Some((s.to_owned(), q.to_owned()))
        })
        .unwrap_or_default()
}

fn keep_filter(status: &str, q: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = s.set_item(FILTER_KEY, &format!("{status}/{q}"));
    }
}

#[component]
pub fn OrdersScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let (kept_status, kept_q) = kept_filter();
    let status = RwSignal::new(kept_status);
    let q = RwSignal::new(kept_q);
    let rows = RwSignal::new(Vec::<OrderView>::new());
    // Cursors of the pages before the current one, the current one's and the next page's.
    let previous = RwSignal::new(Vec::<String>::new());
    let current = RwSignal::new(String::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let asked = StoredValue::new(0u32);
    let fetch = move |cursor: String| {
        let path = query(&status.get_untracked(), &q.get_untracked(), &cursor);
        let n = asked.get_value() + 1;
        asked.set_value(n);
        loading.set(true);
        leptos::task::spawn_local(async move {
            let got = api::get::<Page<OrderView>>(session, &path).await;
            // Only the last request's answer (a filter may change while one is out).
            if asked.try_get_value() != Some(n) {
                return;
            }
            match got {
                Ok(page) => {
                    rows.try_set(page.items);
                    next.try_set(page.next);
                    current.try_set(cursor);
                    error.try_set(None);
                }
                Err(e) => drop(error.try_set(Some(e))),
            }
            loading.try_set(false);
        });
    };
    fetch(String::new());
    let apply = move || {
        keep_filter(&status.get_untracked(), &q.get_untracked());
        previous.set(Vec::new());
        fetch(String::new());
    };
    let lang = move || session.lang.get();
    view! {
        <section class="card orders">
            <div class="toolbar">
                <h1>{move || t("or.title")}</h1>
                <Link to=Route::NewOrder class="button primary" id="orders-new">{move || t("or.new")}</Link>
                <Link to=Route::OrderSettings class="button" id="orders-settings">{move || t("or.settings")}</Link>
            </div>
            <form class="filters row" on:submit=move |ev| { ev.prevent_default(); apply() }
                aria-label=move || t("filters")>
                <div class="field">
                    <label for="orders-status">{move || t("or.status")}</label>
                    <select id="orders-status" on:change=move |ev| { status.set(event_target_value(&ev)); apply() }>
                        <option value="" selected=move || status.with(String::is_empty)>{move || t("or.filter.all")}</option>
                        {OrderStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || status.with(|v| v == s.as_str())>
                                {move || t(texts::status_key(s))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="orders-q">{move || t("or.search")}</label>
                    <input id="orders-q" type="search" maxlength="100" prop:value=move || q.get()
                        on:input=move |ev| q.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary" id="orders-search">{move || t("search")}</button>
                </div>
            </form>
            <p class="error" role="alert" id="orders-error">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list stack" id="orders-list">
                    <thead><tr>
                        {[("or.id", false), ("or.date", false), ("or.customer", false), ("or.total", true),
                          ("or.status", false), ("or.invoices", false)].into_iter().map(|(key, num)| view! {
                            <th scope="col" class=num.then_some("num")>{move || t(key)}</th>
                        }).collect_view()}
                    </tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=row_key let(o)>
                            <Row session o />
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty) && !loading.get()>
                <p class="empty" id="orders-empty">{move || i18n::text(lang(), "empty")}</p>
            </Show>
            <nav class="pager" aria-label=move || t("pages")>
                <button type="button" id="orders-previous" disabled=move || previous.with(Vec::is_empty)
                    on:click=move |_| {
                        let mut p = previous.get_untracked();
                        let c = p.pop().unwrap_or_default();
                        previous.set(p);
                        fetch(c);
                    }>{move || t("page.previous")}</button>
                <button type="button" id="orders-next" disabled=move || next.with(Option::is_none)
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

/// What a row shows changes with: the order's record, and its invoices' states and numbers
/// (which move without the order's record).
fn row_key(o: &OrderView) -> (String, u64, Vec<(&'static str, Option<u32>)>) {
    let invoices = o
        .invoices
        .iter()
        .map(|i| (i.status.as_str(), i.number))
        .collect();
    (o.order_id.clone(), o.stored_version, invoices)
}

/// One order's row (a card on a phone).
#[component]
fn Row(session: Session, o: OrderView) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let label = move |key: &'static str| move || t(key);
    let order = &o.order;
    let date = order.order_date.clone().unwrap_or_default();
    let customer = order.customer.name.clone();
    let code = order.customer.code.clone();
    let total = order
        .total
        .map(|d| amount(d, order.currency.as_deref()))
        .unwrap_or_else(|| "—".into());
    let failure = o.failure.as_ref().map(|f| f.code.clone());
    let correction = o.correction.is_some();
    let warnings = o.warnings.len();
    let invoices = o.invoices.clone();
    let (id, to) = (o.order_id.clone(), Route::Order(o.order_id.clone()));
    view! {
        <tr data-id=o.order_id.clone() data-status=order.status.as_str()>
            <td data-label=label("or.id") class="wrap">
                <Link to=to>{id}</Link></td>
            <td data-label=label("or.date")>{move || i18n::date(session.lang.get(), &date)}</td>
            <td data-label=label("or.customer") class="wrap">{customer.map(|c| view! { {c}<br /> })}
                <small>{code}</small></td>
            <td data-label=label("or.total") class="num">{total}</td>
            <td data-label=label("or.status")>{status_badge(session, order.status)}
                {failure.map(|c| view! { " "<span class="badge order-failure" data-code=c>{label("or.badge.failure")}</span> })}
                {correction.then(|| view! { " "<span class="badge order-correction">{label("or.badge.correction")}</span> })}
                {(warnings > 0).then(|| view! { " "<span class="badge warn order-warnings">{label("or.badge.warnings")}</span> })}
            </td>
            <td data-label=label("or.invoices") class="order-invoices">
                {if invoices.is_empty() {
                    view! { <span class="hint">{label("or.no_invoice")}</span> }.into_any()
                } else {
                    invoices.into_iter().map(|r| view! { <InvoiceChip session r /> }).collect_view().into_any()
                }}
            </td>
        </tr>
    }
}

/// An invoice made from the order: its number (or "draft"), linked to where it opens, and its
/// state.
#[component]
pub fn InvoiceChip(session: Session, r: OrderInvoiceRef) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let to = if r.status.allows(Event::Edit) {
        Route::Edit(r.invoice_id.clone())
    } else {
        Route::Invoice(r.invoice_id.clone())
    };
    let number = invoice_number(&r);
    let state = status_key(r.status);
    view! {
        <span class="order-invoice" data-invoice=r.invoice_id.clone() data-number=r.number.map(|n| n.to_string())
            data-state=r.status.as_str()>
            <Link to=to>{match number {
                Some(n) => n.into_any(),
                None => (move || texts::text(session.lang.get(), "or.draft_invoice")).into_any(),
            }}</Link>
            " "<span class=format!("badge {}", r.status.as_str())>{move || t(state)}</span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_carries_what_is_set() {
        assert_eq!(query("", " ", ""), "/api/orders?limit=20");
        assert_eq!(
            query("confirmed", "Minh Anh", "abc="),
            "/api/orders?limit=20&status=confirmed&q=Minh%20Anh&cursor=abc%3D"
        );
        assert_eq!(
            query("lost", "", ""),
            "/api/orders?limit=20",
            "not a status"
        );
        assert_eq!(encode("Đơn"), "%C4%90%C6%A1n");
    }
}
