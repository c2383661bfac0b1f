//! An order entered in the app (`/orders/new`), as an ERP would send it: an order id (a
//! generated one offered), its status and date, the customer by code — picked with the
//! editor's type-ahead from the device's copy of the catalog, or typed (an ERP's code the
//! mapping table will translate) — and lines by product code, quantity, and optionally price
//! and VAT rate (else the catalog's). Saved with `PUT /api/orders/{id}` at the ERP revision 1;
//! the order's screen opens on it.

use super::{Findings, RATES, texts, valid_code};
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::{CatalogCache, details_at};
use crate::i18n::{self, Lang};
use crate::route::{Route, router};
use crate::typeahead::TypeAhead;
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::orders::{OrderCustomer, OrderInput, OrderLine, OrderStatus, OrderView};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeSet;

/// One line as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineForm {
    /// Stable while the line is on screen (the list's key).
    pub key: u32,
    pub product_code: String,
    /// What the picked product is (name · unit · price), shown under the code.
    pub picked: String,
    pub quantity: String,
    pub unit_price: String,
    /// `""`: the catalog's.
    pub tax_rate: String,
}

/// The order as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderForm {
    pub id: String,
    pub status: OrderStatus,
    pub date: String,
    pub customer_code: String,
    pub customer_name: String,
    pub lines: Vec<LineForm>,
}

/// An order id offered for a new order: `DH-<yymmdd>-<n in base 36, 5 characters>`.
pub fn generated_id(date: &str, n: u32) -> String {
    let digits: String = date.chars().filter(char::is_ascii_digit).skip(2).collect();
    let mut n = n % 36u32.pow(5);
    let mut tail = [b'0'; 5];
    for b in tail.iter_mut().rev() {
        *b = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(n % 36) as usize];
        n /= 36;
    }
    format!("DH-{digits}-{}", String::from_utf8_lossy(&tail))
}

/// The order to send, or each field's problem (path, word key).
pub fn build(f: &OrderForm, lang: Lang) -> Result<OrderInput, Vec<(String, &'static str)>> {
    let mut problems: Vec<(String, &'static str)> = Vec::new();
    if !valid_code(f.id.trim(), 64) || f.id.trim().bytes().all(|b| b == b'.') {
        problems.push(("order_id".into(), "or.new.id.rule"));
    }
    let code = f.customer_code.trim();
    if !valid_code(code, 50) {
        problems.push(("customer.code".into(), "or.new.code.rule"));
    }
    let mut lines = Vec::new();
    for (i, l) in f.lines.iter().enumerate() {
        let product = l.product_code.trim();
        if !valid_code(product, 50) {
            problems.push((format!("lines[{i}].product_code"), "or.new.code.rule"));
        }
        let quantity = i18n::parse_number(lang, &l.quantity).filter(|q| *q > Decimal::ZERO);
        if quantity.is_none() {
            problems.push((format!("lines[{i}].quantity"), "or.new.quantity.rule"));
        }
        let price = match l.unit_price.trim() {
            "" => Ok(None),
            p => match i18n::parse_number(lang, p) {
                Some(d) if d >= Decimal::ZERO => Ok(Some(d)),
                _ => Err(()),
            },
        };
        if price.is_err() {
            problems.push((format!("lines[{i}].unit_price"), "or.new.price.rule"));
        }
        lines.push(OrderLine {
            line_id: (i + 1).to_string(),
            product_code: product.to_owned(),
            quantity: quantity.unwrap_or_default(),
            unit_price: price.ok().flatten(),
            tax_rate: Some(l.tax_rate.clone()).filter(|r| !r.is_empty()),
            ..OrderLine::default()
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let name = f.customer_name.trim();
    Ok(OrderInput {
        version: 1,
        status: f.status,
        order_date: Some(f.date.clone()).filter(|d| !d.is_empty()),
        customer: OrderCustomer {
            code: code.to_owned(),
            name: (!name.is_empty()).then(|| name.to_owned()),
            ..OrderCustomer::default()
        },
        lines,
        currency: None,
        exchange_rate: None,
        payment_method: None,
        total: None,
        note: None,
    })
}

/// Today by the device's calendar, `YYYY-MM-DD`.
fn today() -> String {
    let d = web_sys::js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

fn s(e: &Value, f: &str) -> String {
    match &e[f] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[component]
pub fn NewOrderScreen(session: Session) -> impl IntoView {
    // The look-ups search the device's copy of customers and products, as the editor's.
    CatalogCache::install(session, RwSignal::new(true));
    let t = move |k| texts::text(session.lang.get(), k);
    let router = router();
    let date = today();
    let random = (web_sys::js_sys::Math::random() * f64::from(36u32.pow(5))) as u32;
    let form = RwSignal::new(OrderForm {
        id: generated_id(&date, random),
        status: OrderStatus::Confirmed,
        date,
        customer_code: String::new(),
        customer_name: String::new(),
        lines: vec![LineForm {
            key: 1,
            quantity: "1".into(),
            ..LineForm::default()
        }],
    });
    let next_key = StoredValue::new(2u32);
    // Rebuilds the type-aheads after a pick (they keep what was typed otherwise).
    let generation = RwSignal::new(0u32);
    let touched = RwSignal::new(BTreeSet::<String>::new());
    let tried = RwSignal::new(false);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problems = Memo::new(move |_| {
        let lang = session.lang.get();
        form.with(|f| build(f, lang).err().unwrap_or_default())
    });
    let touch = Callback::new(move |path: String| {
        touched.update(|s| {
            s.insert(path);
        })
    });
    // What stands at a field: its rule once touched (or after Save), and the server's findings.
    let msgs = Callback::new(move |path: String| -> String {
        let lang = session.lang.get();
        let shown = tried.get() || touched.with(|s| s.contains(&path));
        let mut m: Vec<String> = problems.with(|p| {
            p.iter()
                .filter(|(at, _)| shown && *at == path)
                .map(|(_, k)| texts::text(lang, k).to_owned())
                .collect()
        });
        m.extend(details.with(|d| details_at(d, &path, lang)));
        m.join(" ")
    });
    let invalid = Callback::new(move |path: String| -> bool {
        let shown = tried.get() || touched.with(|s| s.contains(&path));
        (shown && problems.with(|p| p.iter().any(|(at, _)| *at == path)))
            || details.with(|d| d.iter().any(|x| x.path == path))
    });
    // Findings the form has no field for.
    let unplaced = Signal::derive(move || {
        let n = form.with(|f| f.lines.len());
        details.with(|d| {
            d.iter()
                .filter(|x| {
                    !(x.path == "customer.code"
                        || (0..n).any(|i| {
                            ["product_code", "quantity", "unit_price", "tax_rate"]
                                .iter()
                                .any(|f| x.path == format!("lines[{i}].{f}"))
                        }))
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let lang = session.lang.get_untracked();
        let Ok(input) = form.with_untracked(|f| build(f, lang)) else {
            error.set(Some(t("or.new.fix").to_owned()));
            return;
        };
        let id = form.with_untracked(|f| f.id.trim().to_owned());
        let body = api::json(&input);
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let path = format!("/api/orders/{id}");
            let saved =
                api::request::<OrderView>(session, Method::PUT, &path, &[], Payload::Json(&body));
            match saved.await {
                Ok(v) => {
                    busy.try_set(false);
                    router.go(Route::Order(v.order_id));
                    return;
                }
                Err(r) => {
                    details.try_set(r.details());
                    error.try_set(Some(super::refusal_text(&r, session.lang.get_untracked())));
                }
            }
            busy.try_set(false);
        });
    };
    // A new input per generation: a typed input keeps its text whatever its `value` says.
    let customer = move |_: u32| {
        let initial = form.with_untracked(|f| f.customer_code.clone());
        view! {
            <TypeAhead id="order-customer".to_owned() kind="customers" initial
                described_by="order-customer-msg".to_owned()
                invalid=Signal::derive(move || invalid.run("customer.code".into()))
                on_input=move |v: String| {
                    touch.run("customer.code".into());
                    form.update(|f| f.customer_code = v.trim().to_owned());
                }
                on_pick=move |e: Value| {
                    form.update(|f| {
                        f.customer_code = s(&e, "code");
                        f.customer_name = s(&e, "name");
                    });
                    generation.update(|g| *g += 1);
                } />
        }
    };
    view! {
        <section class="card new-order">
            <h1>{move || t("or.new.title")}</h1>
            <p class="hint">{move || t("or.new.hint")}</p>
            <form id="order-form" on:submit=save novalidate>
                <div class="row">
                    <div class="field">
                        <label for="order-id">{move || t("or.id")}</label>
                        <input id="order-id" maxlength="64" aria-describedby="order-id-msg"
                            aria-invalid=move || invalid.run("order_id".into()).to_string()
                            prop:value=move || form.with(|f| f.id.clone())
                            on:input=move |ev| { touch.run("order_id".into()); form.update(|f| f.id = event_target_value(&ev)) } />
                        <span class="msg" id="order-id-msg">{move || msgs.run("order_id".into())}</span>
                    </div>
                    <div class="field">
                        <label for="order-status">{move || t("or.status")}</label>
                        <select id="order-status" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(s) = OrderStatus::parse(&v) { form.update(|f| f.status = s) }
                        }>
                            {OrderStatus::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || form.with(|f| f.status == s)>
                                    {move || t(texts::status_key(s))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="order-date">{move || t("or.date")}</label>
                        <input id="order-date" type="date" prop:value=move || form.with(|f| f.date.clone())
                            on:change=move |ev| form.update(|f| f.date = event_target_value(&ev)) />
                    </div>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="order-customer">{move || t("or.new.customer")}</label>
                        <For each=move || std::iter::once(generation.get()) key=|g| *g children=customer />
                        <span class="msg" id="order-customer-msg">{move || msgs.run("customer.code".into())}</span>
                    </div>
                    <div class="field">
                        <label for="order-customer-name">{move || t("or.new.customer_name")}</label>
                        <input id="order-customer-name" maxlength="500"
                            prop:value=move || form.with(|f| f.customer_name.clone())
                            on:input=move |ev| form.update(|f| f.customer_name = event_target_value(&ev)) />
                    </div>
                </div>
                <h2>{move || t("or.lines")}</h2>
                <For each=move || form.with(|f| f.lines.iter().map(|l| l.key).collect::<Vec<_>>()) key=|k| *k let(key)>
                    <LineFields session form key generation msgs invalid touch />
                </For>
                <div class="actions">
                    <button type="button" id="order-line-add" on:click=move |_| {
                        let key = next_key.get_value();
                        next_key.set_value(key + 1);
                        form.update(|f| f.lines.push(LineForm { key, quantity: "1".into(), ..LineForm::default() }));
                    }>{move || i18n::text(session.lang.get(), "line.add")}</button>
                </div>
                <Findings session details=unplaced id="order-form-findings" />
                <p class="error" role="alert" id="order-form-error">{move || error.get()}</p>
                <div class="actions">
                    <button type="submit" class="primary" id="order-save" disabled=move || busy.get()>
                        {move || t("or.new.save")}</button>
                </div>
            </form>
        </section>
    }
}

/// One line's fields: product (type-ahead), quantity, price, rate, remove.
#[component]
fn LineFields(
    session: Session,
    form: RwSignal<OrderForm>,
    key: u32,
    generation: RwSignal<u32>,
    msgs: Callback<String, String>,
    invalid: Callback<String, bool>,
    touch: Callback<String>,
) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let ot = move |k| texts::text(session.lang.get(), k);
    // The line's position now (lines before it may be removed).
    let index = move || form.with(|f| f.lines.iter().position(|l| l.key == key));
    let path = move |field: &str| format!("lines[{}].{field}", index().unwrap_or(0));
    let get = move |pick: fn(&LineForm) -> String| {
        move || {
            form.with(|f| {
                f.lines
                    .iter()
                    .find(|l| l.key == key)
                    .map(pick)
                    .unwrap_or_default()
            })
        }
    };
    let set = move |apply: &dyn Fn(&mut LineForm)| {
        form.update(|f| {
            if let Some(l) = f.lines.iter_mut().find(|l| l.key == key) {
                apply(l);
            }
        })
    };
    // A new input after a pick or a removal (not on every keystroke, which would take the focus
    // away): the position is read without tracking.
    let product = move |_: u32| {
        let i = form.with_untracked(|f| f.lines.iter().position(|l| l.key == key).unwrap_or(0));
        let id = format!("lines[{i}].product_code");
        let initial = form.with_untracked(|f| {
            f.lines
                .iter()
                .find(|l| l.key == key)
                .map(|l| l.product_code.clone())
                .unwrap_or_default()
        });
        view! {
            <TypeAhead id=id.clone() kind="products" initial described_by=format!("{id}-msg")
                invalid=Signal::derive(move || invalid.run(path("product_code")))
                on_input=move |v: String| {
                    touch.run(path("product_code"));
                    set(&|l| { l.product_code = v.trim().to_owned(); l.picked.clear(); });
                }
                on_pick=move |e: Value| {
                    let picked = format!("{} · {} · {}", s(&e, "name"), s(&e, "unit"), s(&e, "unit_price"));
                    set(&|l| { l.product_code = s(&e, "code"); l.picked = picked.clone(); });
                    generation.update(|g| *g += 1);
                } />
        }
    };
    let input = move |field: &'static str,
                      label: &'static str,
                      pick: fn(&LineForm) -> String,
                      put: fn(&mut LineForm, String)| {
        view! {
            <div class="field">
                <label for=move || path(field)>{move || t(label)}</label>
                <input id=move || path(field) inputmode="decimal" aria-describedby=move || format!("{}-msg", path(field))
                    aria-invalid=move || invalid.run(path(field)).to_string()
                    prop:value=get(pick)
                    on:input=move |ev| { touch.run(path(field)); let v = event_target_value(&ev); set(&|l| put(l, v.clone())) } />
                <span class="msg" id=move || format!("{}-msg", path(field))>{move || msgs.run(path(field))}</span>
            </div>
        }
    };
    view! {
        <fieldset class="entry order-line" data-key=key>
            <legend>{move || ot("or.line_id")}" "{move || index().map_or(0, |i| i + 1)}</legend>
            <div class="row">
            <div class="field">
                <label for=move || path("product_code")>{move || ot("or.new.product")}</label>
                <For each=move || std::iter::once(generation.get()) key=|g| *g children=product />
                <span class="hint">{get(|l| l.picked.clone())}</span>
                <span class="msg" id=move || format!("{}-msg", path("product_code"))>{move || msgs.run(path("product_code"))}</span>
            </div>
            {input("quantity", "line.quantity", |l| l.quantity.clone(), |l, v| l.quantity = v)}
            {input("unit_price", "line.unit_price", |l| l.unit_price.clone(), |l, v| l.unit_price = v)}
            <div class="field">
                <label for=move || path("tax_rate")>{move || t("line.tax_rate")}</label>
                <select id=move || path("tax_rate") on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set(&|l| l.tax_rate = v.clone());
                }>
                    <option value="">{move || ot("or.new.rate.catalog")}</option>
                    {RATES.into_iter().map(|r| view! {
                        <option value=r selected=move || get(|l| l.tax_rate.clone())() == r>{r}</option>
                    }).collect_view()}
                </select>
                <span class="msg">{move || msgs.run(path("tax_rate"))}</span>
            </div>
            </div>
            <button type="button" class="link order-line-remove" disabled=move || form.with(|f| f.lines.len() <= 1)
                on:click=move |_| {
                    form.update(|f| f.lines.retain(|l| l.key != key));
                    // The lines after it move up: their type-aheads take their new ids.
                    generation.update(|g| *g += 1);
                }>
                {move || t("line.remove")}</button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> OrderForm {
        OrderForm {
            id: "DH-260512-00ABC".into(),
            status: OrderStatus::Confirmed,
            date: "2026-05-12".into(),
            customer_code: " ERP-KH-7 ".into(),
            customer_name: String::new(),
            lines: vec![
                LineForm {
                    key: 1,
                    product_code: "SP01".into(),
                    quantity: "1.234,5".into(),
                    ..LineForm::default()
                },
                LineForm {
                    key: 2,
                    product_code: "SP02".into(),
                    quantity: "3".into(),
                    unit_price: "35.000".into(),
                    tax_rate: "8%".into(),
                    ..LineForm::default()
                },
            ],
        }
    }

    #[test]
    fn an_order_id_is_offered_from_the_date() {
        assert_eq!(generated_id("2026-05-12", 0), "DH-260512-00000");
        assert_eq!(generated_id("2026-05-12", 36 * 36 + 35), "DH-260512-0010Z");
        let id = generated_id("2026-05-12", u32::MAX);
        assert!(valid_code(&id, 64) && id.len() == 15, "{id}");
    }

    #[test]
    fn the_form_becomes_the_erps_order_at_revision_one() {
        let o = build(&form(), Lang::Vi).unwrap();
        assert_eq!((o.version, o.status), (1, OrderStatus::Confirmed));
        assert_eq!(o.customer.code, "ERP-KH-7");
        assert_eq!(o.customer.name, None, "an empty name is left out");
        assert_eq!(o.order_date.as_deref(), Some("2026-05-12"));
        let ids: Vec<&str> = o.lines.iter().map(|l| l.line_id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(o.lines[0].quantity, "1234.5".parse().unwrap());
        assert_eq!(
            (o.lines[0].unit_price, o.lines[0].tax_rate.as_deref()),
            (None, None),
            "the catalog's"
        );
        assert_eq!(o.lines[1].unit_price, Some(Decimal::from(35000)));
        assert_eq!(o.lines[1].tax_rate.as_deref(), Some("8%"));
        // What the API reads back.
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["lines"][1]["unit_price"], "35000");
        assert!(json["lines"][0].get("unit_price").is_none());
    }

    #[test]
    fn each_problem_is_at_its_field() {
        let mut f = form();
        f.id = "DH 1".into();
        f.customer_code = String::new();
        f.lines[0].quantity = "0".into();
        f.lines[1].unit_price = "-1".into();
        f.lines[1].product_code = "Bút bi".into();
        let problems: Vec<String> = build(&f, Lang::Vi)
            .unwrap_err()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            problems,
            [
                "order_id",
                "customer.code",
                "lines[0].quantity",
                "lines[1].product_code",
                "lines[1].unit_price"
            ]
        );
        f.id = "..".into();
        assert!(
            build(&f, Lang::Vi)
                .unwrap_err()
                .iter()
                .any(|(p, _)| p == "order_id")
        );
    }
}
