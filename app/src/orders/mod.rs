//! Sales orders (#19), in the module of rarely opened screens ([`crate::lazy`]): the list of
//! the ERP's (and the app's) orders with their invoices ([`list`], `/orders`), one order with
//! its lines, invoiced quantities, invoices, the ERP's amount differences, a failure's findings
//! at their fields and a correction proposal, and **Create invoice** / **Issue now**
//! ([`detail`], `/orders/{id}`), an order entered in the app ([`new`], `/orders/new`), and how
//! orders become invoices with the ERP codes' mapping to the catalogs ([`settings`],
//! [`mappings`], `/orders/settings`).
//!
//! The server decides (mapping, amounts, invoicing keys: one invoice per key, whatever the
//! retries); these screens send the core's bodies (`hoadon_core::api::orders`) and show its
//! answers. Their words are in [`texts`]; the first load carries only the menu's.

mod detail;
mod list;
mod mappings;
mod new;
mod settings;
pub mod texts;

pub use detail::OrderScreen;
pub use list::OrdersScreen;
pub use new::NewOrderScreen;
pub use settings::OrderSettingsScreen;

use crate::Session;
use crate::api::Refusal;
use crate::catalogs::detail_message;
use crate::i18n::{self, Lang};
use hoadon_core::api::Detail;
use hoadon_core::api::orders::{MappingKind, OrderInput, OrderInvoiceRef, OrderStatus, OrderView};
use leptos::prelude::*;
use rust_decimal::Decimal;

/// The VAT rates an order line may name (empty: the catalog's).
pub const RATES: [&str; 6] = ["10%", "8%", "5%", "0%", "KCT", "KKKNT"];

/// An ERP code, delivery id or order id as the API takes it: 1 to `max` letters, digits, `-`,
/// `_`, `.` or `:`.
pub fn valid_code(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// How an invoice made from orders is named: `1K26TSO · 12`, or `None` before it has a number.
pub fn invoice_number(r: &OrderInvoiceRef) -> Option<String> {
    Some(format!("{} · {}", r.series.as_deref()?, r.number?))
}

/// The quantity of a line already invoiced (zero when none).
pub fn invoiced(view: &OrderView, line_id: &str) -> Decimal {
    view.invoiced
        .iter()
        .filter(|q| q.line_id == line_id)
        .map(|q| q.quantity)
        .sum()
}

/// Whether a finding's path is line `i`'s (`lines[1]`, `lines[1].product_code`).
fn at_line(path: &str, i: usize) -> bool {
    let head = format!("lines[{i}]");
    path.strip_prefix(&head)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Where the order's screen shows a finding: at the customer, at one of the lines, at the
/// total; `None` for the rest (listed apart).
pub fn place(path: &str, lines: usize) -> Option<Place> {
    if path == "customer" || path.starts_with("customer.") {
        return Some(Place::Customer);
    }
    if path == "total" {
        return Some(Place::Total);
    }
    (0..lines).find(|i| at_line(path, *i)).map(Place::Line)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Customer,
    Line(usize),
    Total,
}

/// The ERP codes an `order.unmapped` finding names: the customer's, a line's product's.
pub fn unmapped(order: &OrderInput, details: &[Detail]) -> Vec<(MappingKind, String)> {
    let mut out: Vec<(MappingKind, String)> = Vec::new();
    for d in details.iter().filter(|d| d.code == "order.unmapped") {
        let found = if d.path == "customer.code" {
            Some((MappingKind::Customer, order.customer.code.clone()))
        } else {
            (0..order.lines.len())
                .find(|i| d.path == format!("lines[{i}].product_code"))
                .map(|i| (MappingKind::Product, order.lines[i].product_code.clone()))
        };
        if let Some(f) = found.filter(|f| !out.contains(f)) {
            out.push(f);
        }
    }
    out
}

/// A refusal in the screen's language: the words of a conflict the server says in English
/// only, else its code and the half of its `"vi / en"` message.
pub fn refusal_text(r: &Refusal, lang: Lang) -> String {
    match texts::refusal_key(r.code()) {
        Some(key) => format!("{}: {}", r.code(), texts::text(lang, key)),
        None => r.shown(lang),
    }
}

/// Findings as a list, each with its path and message in the screen's language.
#[component]
pub fn Findings(session: Session, details: Signal<Vec<Detail>>, id: &'static str) -> impl IntoView {
    view! {
        <ul class="errors findings" id=id hidden=move || details.with(Vec::is_empty)>
            {move || {
                let lang = session.lang.get();
                details.get().into_iter().map(|d| {
                    let msg = detail_message(&d, lang).to_owned();
                    view! { <li data-code=d.code.clone() data-path=d.path.clone()>
                        {(!d.path.is_empty()).then(|| view! { <code>{d.path.clone()}</code>": " })}{msg}</li> }
                }).collect_view()
            }}
        </ul>
    }
}

/// An order's status as a badge.
pub fn status_badge(session: Session, s: OrderStatus) -> impl IntoView {
    let key = texts::status_key(s);
    view! {
        <span class=format!("badge order-{}", s.as_str()) data-status=s.as_str()>
            {move || texts::text(session.lang.get(), key)}</span>
    }
}

/// An amount as vi-VN writes it, with the currency when it is not VND.
pub fn amount(d: Decimal, currency: Option<&str>) -> String {
    match currency.filter(|c| *c != "VND") {
        Some(c) => format!("{} {c}", i18n::money(d)),
        None => i18n::money(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoadon_core::Severity;
    use hoadon_core::api::orders::{InvoicedQuantity, InvoicingScope, OrderCustomer, OrderLine};
    use hoadon_core::lifecycle::Status;

    fn detail(code: &str, path: &str) -> Detail {
        Detail {
            severity: Severity::Error,
            code: code.into(),
            path: path.into(),
            message_vi: "vi".into(),
            message_en: "en".into(),
        }
    }

    fn order() -> OrderInput {
        OrderInput {
            version: 1,
            status: OrderStatus::Confirmed,
            order_date: None,
            customer: OrderCustomer {
                code: "C-000017".into(),
                ..Default::default()
            },
            lines: vec![
                OrderLine {
                    line_id: "1".into(),
                    product_code: "SP01".into(),
                    quantity: Decimal::TEN,
                    ..Default::default()
                },
                OrderLine {
                    line_id: "2".into(),
                    product_code: "ERP-PEN".into(),
                    quantity: Decimal::ONE,
                    ..Default::default()
                },
            ],
            currency: None,
            exchange_rate: None,
            payment_method: None,
            total: None,
            note: None,
        }
    }

    #[test]
    fn findings_stand_at_the_customer_the_line_or_the_total() {
        assert_eq!(place("customer.code", 2), Some(Place::Customer));
        assert_eq!(place("lines[1].vat_amount", 2), Some(Place::Line(1)));
        assert_eq!(place("lines[1]", 2), Some(Place::Line(1)));
        assert_eq!(place("lines[12].amount", 2), None, "not line 1");
        assert_eq!(place("lines[2].amount", 2), None, "no such line");
        assert_eq!(place("total", 2), Some(Place::Total));
        assert_eq!(place("series", 2), None);
    }

    #[test]
    fn unmapped_findings_name_the_erp_codes_once() {
        let found = unmapped(
            &order(),
            &[
                detail("order.unmapped", "customer.code"),
                detail("order.unmapped", "lines[1].product_code"),
                detail("order.unmapped", "lines[1].product_code"),
                detail("order.amount", "lines[0].amount"),
            ],
        );
        assert_eq!(
            found,
            vec![
                (MappingKind::Customer, "C-000017".to_owned()),
                (MappingKind::Product, "ERP-PEN".to_owned())
            ]
        );
    }

    #[test]
    fn invoices_are_named_by_series_and_number_and_lines_count_what_was_invoiced() {
        let r = OrderInvoiceRef {
            key: "order:SO-1".into(),
            scope: InvoicingScope::Order,
            invoice_id: "ord-1".into(),
            status: Status::Signed,
            series: Some("1K26TSO".into()),
            number: Some(12),
            deliverable: true,
        };
        assert_eq!(invoice_number(&r).as_deref(), Some("1K26TSO · 12"));
        let draft = OrderInvoiceRef {
            number: None,
            ..r.clone()
        };
        assert_eq!(invoice_number(&draft), None);
        let view = OrderView {
            order_id: "SO-1".into(),
            order: order(),
            stored_version: 1,
            received_at: 0,
            updated_at: 0,
            invoiced: vec![
                InvoicedQuantity {
                    line_id: "1".into(),
                    quantity: Decimal::from(4),
                },
                InvoicedQuantity {
                    line_id: "1".into(),
                    quantity: Decimal::from(6),
                },
            ],
            invoices: vec![r],
            warnings: vec![],
            failure: None,
            correction: None,
        };
        assert_eq!(invoiced(&view, "1"), Decimal::TEN);
        assert_eq!(invoiced(&view, "2"), Decimal::ZERO);
    }

    #[test]
    fn codes_are_what_the_api_takes() {
        assert!(valid_code("C-000017", 50) && valid_code("ERP:2026.11_7", 64));
        assert!(!valid_code("", 50) && !valid_code("KH 01", 50) && !valid_code("Mã", 50));
        assert!(!valid_code(&"x".repeat(51), 50));
        assert_eq!(amount(Decimal::from(866900), None), "866.900");
        assert_eq!(amount(Decimal::from(1200), Some("USD")), "1.200 USD");
    }

    #[test]
    fn conflicts_the_server_words_in_english_are_said_in_the_screens_language() {
        let r = Refusal::from_answer(
            409,
            r#"{"code":"order.status","message":"order SO-1 is draft: only confirmed or completed orders are invoiced","details":[]}"#,
        );
        let vi = refusal_text(&r, Lang::Vi);
        assert!(
            vi.starts_with("order.status: ") && vi.contains("chưa xác nhận"),
            "{vi}"
        );
        let r = Refusal::from_answer(
            422,
            r#"{"code":"order.too_many","message":"Quá nhiều đơn / Too many orders","details":[]}"#,
        );
        assert_eq!(
            refusal_text(&r, Lang::En),
            "order.too_many: Too many orders"
        );
        let r = Refusal::from_answer(
            422,
            r#"{"code":"validation_failed","message":"the invoice has errors","details":[]}"#,
        );
        assert!(refusal_text(&r, Lang::Vi).contains("chưa hợp lệ"));
    }
}
