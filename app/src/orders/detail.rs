//! One order (`/orders/{id}`): its status and dates, the customer, the lines with the
//! quantities already invoiced and the ERP's figures, the invoices made from it (number, state,
//! whether its PDF and XML exist — `deliverable` — each linked to its screen), the ERP's amount
//! differences with both figures, the last failure with its findings at their fields (and the
//! codes that need a mapping, one click from the mapping table), and a correction proposal
//! linked to the invoice's corrections screen.
//!
//! **Create invoice** asks for the draft only (`{"issue": false}`) and opens it in the editor,
//! whose Issue button is the seed's *Validate*; **Issue now** makes and issues it at once. Both
//! go under the order's invoicing key, so a second press answers with the same invoice (opened
//! again, never a second number). A refusal is shown in the screen's language, its findings at
//! their fields.

use super::list::InvoiceChip;
use super::{
    Place, amount, invoiced, place, refusal_text, status_badge, texts, unmapped, valid_code,
};
use crate::Session;
use crate::api::{self, Payload, Refusal};
use crate::catalogs::detail_message;
use crate::i18n::{self, Lang};
use crate::route::{Link, Route, router};
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::orders::{InvoiceOrder, InvoicingAnswer, MappingKind, OrderInput, OrderView};
use hoadon_core::lifecycle::{Event, Status};
use leptos::prelude::*;
use std::time::Duration;

/// Where a code to map is handed to the mapping table (`sessionStorage`): `kind:code`.
pub const MAP_KEY: &str = "hoadon.orders.map";

/// A finding's path in words: `lines[1].vat_amount` → "Line 2 · VAT (ERP)" (by the line's own
/// id), `customer.code` → "Customer · Code (ERP)"; a path it does not know, as it is.
pub fn path_words(path: &str, line_ids: &[String], lang: Lang) -> String {
    let t = |k| texts::text(lang, k);
    let field = |f: &str| -> String {
        let key = match f {
            "code" => "or.code",
            "product_code" => "or.product",
            "name" => "name",
            "tax_id" => "tax_id",
            "address" => "address",
            "email" => "email",
            "contact_name" => "or.contact",
            "unit" => "line.unit",
            "quantity" => "line.quantity",
            "unit_price" => "line.unit_price",
            "tax_rate" => "line.tax_rate",
            "amount" => "or.amount",
            "vat_amount" => "or.vat",
            "line_id" => "or.line_id",
            _ => return f.to_owned(),
        };
        t(key).to_owned()
    };
    if path == "total" {
        return t("or.total").to_owned();
    }
    if let Some(rest) = path.strip_prefix("customer.") {
        return format!("{} · {}", t("or.customer"), field(rest));
    }
    if let Some(rest) = path.strip_prefix("lines[")
        && let Some((n, tail)) = rest.split_once(']')
        && let Ok(i) = n.parse::<usize>()
    {
        let id = line_ids
            .get(i)
            .cloned()
            .unwrap_or_else(|| (i + 1).to_string());
        let line = format!("{} {id}", t("or.line_id"));
        return match tail.strip_prefix('.') {
            Some(f) => format!("{line} · {}", field(f)),
            None => line,
        };
    }
    path.to_owned()
}

/// What a recorded failure says in the screen's language: the words of a code the server says
/// in English only, the half of a `"vi / en"` message, or — for an English-only summary of
/// findings ("the invoice has errors") — that the findings are at their fields.
pub fn failure_words(code: &str, message: &str, has_details: bool, lang: Lang) -> String {
    if let Some(key) = texts::refusal_key(code) {
        return texts::text(lang, key).to_owned();
    }
    if message.contains(" / ") || !has_details {
        return i18n::in_lang(message, lang).to_owned();
    }
    texts::text(lang, "or.failure.details").to_owned()
}

/// The messages of findings at one place, in the screen's language.
fn messages_at(details: &[Detail], at: Place, lines: usize, lang: Lang) -> String {
    details
        .iter()
        .filter(|d| place(&d.path, lines) == Some(at))
        .map(|d| detail_message(d, lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Findings listed with their place in words.
fn listed(session: Session, details: Vec<Detail>, line_ids: Vec<String>) -> impl IntoView {
    details
        .into_iter()
        .map(|d| {
            let ids = line_ids.clone();
            let (path, code, at_path) = (d.path.clone(), d.code.clone(), d.path.clone());
            view! {
                <li data-code=code data-path=at_path>
                    {move || {
                        let lang = session.lang.get();
                        let at = if path.is_empty() { String::new() } else { format!("{}: ", path_words(&path, &ids, lang)) };
                        format!("{at}{}", detail_message(&d, lang))
                    }}
                </li>
            }
        })
        .collect_view()
}

#[component]
pub fn OrderScreen(session: Session, id: String) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let router = router();
    let id = StoredValue::new(id);
    let order = RwSignal::new(None::<OrderView>);
    let error = RwSignal::new(None::<String>);
    let refusal = RwSignal::new(None::<Refusal>);
    let said = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let path = move || format!("/api/orders/{}", id.get_value());
    let load = move || {
        let Some(p) = id.try_get_value().map(|i| format!("/api/orders/{i}")) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::request::<OrderView>(session, Method::GET, &p, &[], Payload::None).await {
                Ok(v) => {
                    order.try_set(Some(v));
                    error.try_set(None);
                }
                Err(r) => drop(error.try_set(Some(refusal_text(&r, session.lang.get_untracked())))),
            }
        });
    };
    load();
    // An invoice being signed, or awaiting the authority, moves on by itself: asked again.
    crate::poll::while_open(Duration::from_secs(3), move || {
        let moving = order.with_untracked(|o| {
            o.as_ref().is_some_and(|o| {
                o.invoices
                    .iter()
                    .any(|i| matches!(i.status, Status::Numbered | Status::Sent | Status::DataSent))
            })
        });
        if moving {
            load();
        }
    });
    // Create invoice (`issue: false`: the draft, opened in the editor) or Issue now.
    let invoice = move |issue: bool| {
        busy.set(true);
        said.set(None);
        refusal.set(None);
        let body = api::json(&InvoiceOrder {
            delivery: None,
            issue: (!issue).then_some(false),
        });
        let p = format!("{}/invoice", path());
        leptos::task::spawn_local(async move {
            let made = api::request::<InvoicingAnswer>(
                session,
                Method::POST,
                &p,
                &[],
                Payload::Json(&body),
            );
            match made.await {
                Ok(a) if !issue => {
                    let inv = a.invoice;
                    // The draft in the editor; an invoice issued meanwhile on its screen.
                    let to = if inv.status.allows(Event::Edit) {
                        Route::Edit(inv.id)
                    } else {
                        Route::Invoice(inv.id)
                    };
                    busy.try_set(false);
                    router.go(to);
                    return;
                }
                Ok(a) => {
                    let number = match (&a.invoice.series, a.invoice.number) {
                        (Some(s), Some(n)) => format!(" {s} · {n}"),
                        _ => String::new(),
                    };
                    let lang = session.lang.get_untracked();
                    said.try_set(Some(format!("{}{number}", texts::text(lang, "or.issued"))));
                }
                Err(r) => drop(refusal.try_set(Some(r))),
            }
            busy.try_set(false);
            load();
        });
    };
    let screen = move || {
        let v = order.get()?;
        let o = v.order.clone();
        let lines = o.lines.len();
        let line_ids: Vec<String> = o.lines.iter().map(|l| l.line_id.clone()).collect();
        // What stands at the fields: the last refusal's findings, else the recorded failure's.
        let failure_details = v
            .failure
            .as_ref()
            .map(|f| f.details.clone())
            .unwrap_or_default();
        let at_fields = Memo::new(move |_| {
            refusal
                .with(|r| r.as_ref().map(Refusal::details))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| failure_details.clone())
        });
        let msgs = move |at: Place| {
            move || at_fields.with(|d| messages_at(d, at, lines, session.lang.get()))
        };
        let to_map = {
            let o = o.clone();
            let from_failure = v
                .failure
                .as_ref()
                .map(|f| f.details.clone())
                .unwrap_or_default();
            move || {
                let mut all = refusal
                    .with(|r| r.as_ref().map(Refusal::details))
                    .unwrap_or_default();
                all.extend(from_failure.clone());
                unmapped(&o, &all)
            }
        };
        let status = o.status;
        let date = o.order_date.clone().unwrap_or_default();
        let (received, updated) = (v.received_at, v.updated_at);
        Some(view! {
            <h1 id="order-title">{move || t("or.order")}" "<span class="wrap">{v.order_id.clone()}</span></h1>
            <p class="order-head">{status_badge(session, status)}
                " · "{move || t("or.date")}": "{move || i18n::date(lang(), &date)}
                " · "{move || t("or.revision")}" "{o.version}
                <br /><small>{move || t("or.received")}" "{move || i18n::datetime(lang(), received)}
                " · "{move || t("or.updated")}" "{move || i18n::datetime(lang(), updated)}</small></p>
            {(!status.invoiceable()).then(|| view! { <p class="hint" id="order-not-invoiceable">{move || t("or.not_invoiceable")}</p> })}
            <div class="actions">
                <button type="button" class="primary" id="order-create" disabled=move || busy.get()
                    on:click=move |_| invoice(false)>{move || t("or.create")}</button>
                <button type="button" id="order-issue" disabled=move || busy.get()
                    on:click=move |_| invoice(true)>{move || t("or.issue")}</button>
            </div>
            <p class="hint">{move || t("or.create.hint")}</p>
            <p class="status" role="status" id="order-said">{move || if busy.get() { Some(t("or.working").to_owned()) } else { said.get() }}</p>
            <div class="error refusal" role="alert" id="order-refusal">
                {move || refusal.get().map(|r| {
                    let ids = line_ids.clone();
                    let details = r.details();
                    view! {
                        <p>{move || refusal_text(&r, lang())}</p>
                        <ul class="errors">{listed(session, details, ids)}</ul>
                    }
                })}
            </div>
            <MapCodes session codes=Signal::derive(to_map) />
            <Invoices session v=v.clone() />
            {v.failure.clone().map(|f| {
                let ids = o.lines.iter().map(|l| l.line_id.clone()).collect::<Vec<_>>();
                let unplaced: Vec<Detail> = f.details.iter().filter(|d| place(&d.path, lines).is_none()).cloned().collect();
                let code = f.code.clone();
                let message = f.message.clone();
                let has_details = !f.details.is_empty();
                view! {
                    <div class="failure" id="order-failure" data-code=f.code.clone()>
                        <h2>{move || t("or.failure")}</h2>
                        <p>{move || {
                            let words = failure_words(&code, &message, has_details, lang());
                            format!("{}: {words} ({} {})", code, t("or.failure.at"), i18n::datetime(lang(), f.at))
                        }}</p>
                        <ul class="errors">{listed(session, unplaced, ids)}</ul>
                    </div>
                }
            })}
            {v.correction.clone().map(|c| {
                let method = if c.method == "replacement" { "or.method.replacement" } else { "or.method.adjustment" };
                view! {
                    <div class="correction-proposal" id="order-correction" data-method=c.method.clone()>
                        <h2>{move || t("or.correction")}</h2>
                        <p><strong>{move || t(method)}</strong>": "
                            {move || if lang() == Lang::En { c.reason_en.clone() } else { c.reason_vi.clone() }}</p>
                        <ul>{c.invoice_ids.iter().map(|i| view! {
                            <li><Link to=Route::Corrections(i.clone())>{move || t("or.correction.open")}</Link></li>
                        }).collect_view()}</ul>
                    </div>
                }
            })}
            {(!v.warnings.is_empty()).then(|| {
                let ids = o.lines.iter().map(|l| l.line_id.clone()).collect::<Vec<_>>();
                view! {
                    <div class="order-warnings" id="order-warnings">
                        <h2>{move || t("or.warnings")}</h2>
                        <p class="hint">{move || t("or.warnings.hint")}</p>
                        <ul>{listed(session, v.warnings.clone(), ids)}</ul>
                    </div>
                }
            })}
            <Customer session o=o.clone() msgs=Signal::derive(msgs(Place::Customer)) />
            <Lines session v=v.clone() msgs=Signal::derive(move || {
                (0..lines).map(|i| at_fields.with(|d| messages_at(d, Place::Line(i), lines, session.lang.get()))).collect()
            }) />
            <dl class="facts order-totals">
                <div><dt>{move || t("or.total")}</dt><dd id="order-total">
                    {o.total.map(|d| amount(d, o.currency.as_deref())).unwrap_or_else(|| "—".into())}
                    " "<span class="msg">{msgs(Place::Total)}</span></dd></div>
                {o.currency.clone().map(|c| view! { <div><dt>{move || t("or.currency")}</dt><dd>{c}</dd></div> })}
                {o.payment_method.clone().map(|p| view! { <div><dt>{move || t("or.payment")}</dt><dd>{p}</dd></div> })}
                {o.note.clone().map(|n| view! { <div><dt>{move || t("or.note")}</dt><dd class="wrap">{n}</dd></div> })}
            </dl>
        })
    };
    view! {
        <section class="card order-detail">
            <p><Link to=Route::Orders id="order-back">{move || t("or.back")}</Link></p>
            <p class="error" role="alert" id="order-error">{move || error.get()}</p>
            {screen}
        </section>
    }
}

/// The ERP codes a refusal or the failure says are unmapped, each a click away from the mapping
/// table with its kind and code filled in.
#[component]
fn MapCodes(session: Session, codes: Signal<Vec<(MappingKind, String)>>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let router = router();
    view! {
        <div class="actions map-codes" id="order-unmapped" hidden=move || codes.with(Vec::is_empty)>
            {move || codes.get().into_iter().filter(|(_, c)| valid_code(c, 50)).map(|(kind, code)| {
                let value = format!("{}:{code}", kind.as_str());
                view! {
                    <button type="button" class="link map-code" data-kind=kind.as_str() data-code=code.clone()
                        on:click=move |_| {
                            if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
                                let _ = s.set_item(MAP_KEY, &value);
                            }
                            router.go(Route::OrderSettings);
                        }>
                        {move || t("or.map")}": "{move || t(texts::kind_key(kind))}" "{code.clone()}
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

/// The invoices made from the order: number (linked), what it covers, state, documents.
#[component]
fn Invoices(session: Session, v: OrderView) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let label = move |key: &'static str| move || t(key);
    view! {
        <h2>{move || t("or.invoices")}</h2>
        {if v.invoices.is_empty() {
            view! { <p class="empty" id="order-no-invoice">{move || t("or.no_invoice")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="list stack" id="order-invoices">
                        <thead><tr>
                            <th scope="col">{move || t("number")}</th>
                            <th scope="col">{move || t("or.scope")}</th>
                            <th scope="col">{move || t("or.documents")}</th>
                        </tr></thead>
                        <tbody>
                            {v.invoices.iter().map(|r| {
                                let scope = texts::scope_key(r.scope);
                                let docs = if r.deliverable { "or.deliverable" } else { "or.not_deliverable" };
                                view! {
                                    <tr data-invoice=r.invoice_id.clone() data-state=r.status.as_str()
                                        data-number=r.number.map(|n| n.to_string()) data-deliverable=r.deliverable.to_string()>
                                        <td data-label=label("number")><InvoiceChip session r=r.clone() /></td>
                                        <td data-label=label("or.scope")>{label(scope)}</td>
                                        <td data-label=label("or.documents")><span class=if r.deliverable { "badge signed" } else { "badge" }>{label(docs)}</span></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// The customer as the ERP sent it, with the findings about it.
#[component]
fn Customer(session: Session, o: OrderInput, msgs: Signal<String>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let c = o.customer;
    let row = move |key: &'static str, value: Option<String>| {
        value.map(|v| view! { <div><dt>{move || t(key)}</dt><dd class="wrap">{v}</dd></div> })
    };
    view! {
        <h2>{move || t("or.customer")}</h2>
        <dl class="facts" id="order-customer">
            <div><dt>{move || t("or.code")}</dt><dd class="wrap" id="order-customer-code">{c.code.clone()}</dd></div>
            {row("name", c.name.clone())}
            {row("tax_id", c.tax_id.clone())}
            {row("address", c.address.clone())}
            {row("email", c.email.clone())}
            {row("or.contact", c.contact_name.clone())}
        </dl>
        <p class="msg" id="order-customer-msg">{msgs}</p>
    }
}

/// The lines: what was ordered, what is invoiced of it, the ERP's figures, the findings.
#[component]
fn Lines(session: Session, v: OrderView, msgs: Signal<Vec<String>>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let label = move |key: &'static str| move || t(key);
    let currency = v.order.currency.clone();
    let rows = v
        .order
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let done = invoiced(&v, &l.line_id);
            let cur = currency.clone();
            let money = move |d: Option<rust_decimal::Decimal>| {
                d.map(|d| amount(d, cur.as_deref()))
            };
            let catalog = move || format!("({})", t("or.catalog_value"));
            let price = money(l.unit_price);
            let (erp_amount, erp_vat) = (money(l.amount), money(l.vat_amount));
            let rate = l.tax_rate.clone();
            let (name, unit) = (l.name.clone(), l.unit.clone());
            let or_catalog = move |v: Option<String>| match v {
                Some(v) => v.into_any(),
                None => catalog.into_any(),
            };
            view! {
                <tr data-line=l.line_id.clone()>
                    <td data-label=label("or.line_id")>{l.line_id.clone()}</td>
                    <td data-label=label("or.product") class="wrap">{l.product_code.clone()}</td>
                    <td data-label=label("name") class="wrap">{or_catalog(name)}</td>
                    <td data-label=label("line.unit")>{or_catalog(unit)}</td>
                    <td data-label=label("line.quantity") class="num">{i18n::money(l.quantity)}</td>
                    <td data-label=label("or.invoiced") class="num order-invoiced">{i18n::money(done)}</td>
                    <td data-label=label("line.unit_price") class="num">{or_catalog(price)}</td>
                    <td data-label=label("line.tax_rate")>{or_catalog(rate)}</td>
                    <td data-label=label("or.amount") class="num">{erp_amount.unwrap_or_else(|| "—".into())}</td>
                    <td data-label=label("or.vat") class="num">{erp_vat.unwrap_or_else(|| "—".into())}</td>
                    <td class="msg line-msg">{move || msgs.with(|m| m.get(i).cloned().unwrap_or_default())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{move || t("or.lines")}</h2>
        <div class="table-wrap">
            <table class="list stack" id="order-lines">
                <thead><tr>
                    <th scope="col">{label("or.line_id")}</th>
                    <th scope="col">{label("or.product")}</th>
                    <th scope="col">{label("name")}</th>
                    <th scope="col">{label("line.unit")}</th>
                    <th scope="col" class="num">{label("line.quantity")}</th>
                    <th scope="col" class="num">{label("or.invoiced")}</th>
                    <th scope="col" class="num">{label("line.unit_price")}</th>
                    <th scope="col">{label("line.tax_rate")}</th>
                    <th scope="col" class="num">{label("or.amount")}</th>
                    <th scope="col" class="num">{label("or.vat")}</th>
                    <th scope="col"><span class="sr-only">{label("or.findings")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_findings_path_is_said_in_words_with_the_lines_own_id() {
        let ids = vec!["A1".to_owned(), "B7".to_owned()];
        assert_eq!(
            path_words("lines[1].vat_amount", &ids, Lang::En),
            "Line B7 · VAT (ERP)"
        );
        assert_eq!(
            path_words("lines[0].product_code", &ids, Lang::Vi),
            "Dòng A1 · Mã hàng (ERP)"
        );
        assert_eq!(
            path_words("customer.code", &ids, Lang::En),
            "Customer · Code (ERP)"
        );
        assert_eq!(path_words("total", &ids, Lang::En), "Total (ERP)");
        assert_eq!(path_words("lines[5]", &ids, Lang::En), "Line 6");
        assert_eq!(path_words("series", &ids, Lang::En), "series");
        assert_eq!(
            path_words("lines[0].discount_rate", &ids, Lang::En),
            "Line A1 · discount_rate"
        );
    }

    #[test]
    fn a_failure_is_said_in_the_screens_language() {
        assert_eq!(
            failure_words("order.unmapped", "the invoice has errors", true, Lang::En),
            "Each problem is shown where it applies, below."
        );
        assert_eq!(
            failure_words("signing", "Không ký được / Could not sign", false, Lang::Vi),
            "Không ký được"
        );
        assert!(
            failure_words("order.status", "order X is draft", false, Lang::Vi)
                .contains("chưa xác nhận")
        );
        assert_eq!(failure_words("x", "plain", false, Lang::Vi), "plain");
    }

    #[test]
    fn messages_gather_at_their_place() {
        let d = |path: &str, en: &str| Detail {
            severity: hoadon_core::Severity::Warning,
            code: "order.amount".into(),
            path: path.into(),
            message_vi: String::new(),
            message_en: en.into(),
        };
        let all = [
            d("lines[1].amount", "a"),
            d("lines[1].vat_amount", "b"),
            d("total", "c"),
        ];
        assert_eq!(messages_at(&all, Place::Line(1), 2, Lang::En), "a b");
        assert_eq!(messages_at(&all, Place::Line(0), 2, Lang::En), "");
        assert_eq!(messages_at(&all, Place::Total, 2, Lang::En), "c");
    }
}
