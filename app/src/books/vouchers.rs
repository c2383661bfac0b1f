//! The vouchers recorded in a period (`/vouchers`, `GET /api/vouchers`): number, date, kind,
//! the invoice, the customer, the amounts in VND and the reversal that undid one; **Export CSV**
//! and **Export Excel** (`GET /api/vouchers/export`) for the accounting system; and below, the
//! books' settings ([`super::settings`]), which shape the next proposals.

use super::settings::SettingsForm;
use super::texts::{self, voucher_kind_key};
use super::{ExportButtons, Period, PeriodData, PeriodPicker, all_pages, headers, invoice_title};
use crate::Session;
use crate::i18n;
use hoadon_core::api::books::VoucherView;
use leptos::prelude::*;
use rust_decimal::Decimal;

/// A voucher's revenue and VAT in VND.
fn vnd_sums(v: &VoucherView) -> (Decimal, Decimal) {
    let (_, _, amount, vat) = hoadon_core::books::sums(&v.draft);
    (amount, vat)
}

#[component]
pub fn VouchersScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let data = PeriodData::new();
    let period = data.period;
    let vouchers = RwSignal::new(Vec::<VoucherView>::new());
    let more = RwSignal::new(false);
    let load = data.loader(
        move |p: Period| async move {
            all_pages::<VoucherView>(session, &format!("/api/vouchers?{}", p.query())).await
        },
        move |(v, m)| {
            vouchers.try_set(v);
            more.try_set(m);
        },
    );
    load.run(());
    let totals = move || {
        vouchers.with(|v| {
            v.iter().fold((Decimal::ZERO, Decimal::ZERO), |(a, b), v| {
                let (x, y) = vnd_sums(v);
                (a + x, b + y)
            })
        })
    };
    view! {
        <section class="card vouchers">
            <h1>{move || t("bk.vouchers.title")}</h1>
            <PeriodPicker session data get=load />
            <ExportButtons session period path="/api/vouchers/export" stem="vouchers" />
            <div class="table-wrap">
                <table class="list stack" id="vouchers-list">
                    <thead><tr>
                        {headers(session, &[("bk.number", false), ("bk.date", false), ("bk.kind", false),
                            ("invoice", false), ("buyer", false), ("bk.amount_vnd", true),
                            ("bk.vat_vnd", true), ("bk.total_vnd", true), ("bk.reversed_by", false)])}
                    </tr></thead>
                    <tbody>
                        {move || vouchers.get().into_iter().map(|v| {
                            let (amount, vat) = vnd_sums(&v);
                            let kind = voucher_kind_key(v.draft.kind);
                            let date = v.draft.date.clone();
                            let c = &v.draft.customer;
                            let customer = [&c.code, &c.name].into_iter().flatten().cloned().collect::<Vec<_>>().join(" · ");
                            let label = move |k: &'static str| move || t(k);
                            view! {
                                <tr data-number=v.number.clone()>
                                    <td data-label=label("bk.number")>{v.number.clone()}</td>
                                    <td data-label=label("bk.date")>{move || i18n::date(lang(), &date)}</td>
                                    <td data-label=label("bk.kind")>{label(kind)}
                                        {v.draft.reverses.clone().map(|n| view! { " ("{label("bk.reverses")}" "{n}")" })}</td>
                                    <td data-label=move || i18n::text(lang(), "invoice")>{invoice_title(&v.invoice)}</td>
                                    <td data-label=move || i18n::text(lang(), "buyer")>{customer}</td>
                                    <td class="num" data-label=label("bk.amount_vnd")>{i18n::money(amount)}</td>
                                    <td class="num" data-label=label("bk.vat_vnd")>{i18n::money(vat)}</td>
                                    <td class="num" data-label=label("bk.total_vnd")>{i18n::money(amount + vat)}</td>
                                    <td data-label=label("bk.reversed_by")>{v.reversed_by.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot><tr>
                        <th scope="row" colspan="5">{move || t("bk.sums")}" ("{move || vouchers.with(Vec::len)}")"</th>
                        <td class="num" id="vouchers-amount">{move || i18n::money(totals().0)}</td>
                        <td class="num">{move || i18n::money(totals().1)}</td>
                        <td class="num" id="vouchers-total">{move || { let (a, b) = totals(); i18n::money(a + b) }}</td>
                        <td></td>
                    </tr></tfoot>
                </table>
            </div>
            <Show when=move || vouchers.with(Vec::is_empty)>
                <p class="empty">{move || i18n::text(lang(), "empty")}</p>
            </Show>
            <Show when=move || more.get()>
                <p class="hint">{move || t("bk.more")}</p>
            </Show>
            <SettingsForm session />
        </section>
    }
}
