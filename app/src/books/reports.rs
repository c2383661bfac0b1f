//! The period's invoice statistics (`/reports`, `GET /api/books/stats`): counts and VND amounts
//! by platform status, by series, by VAT rate and by customer (the 20 largest, then the rest),
//! each charted ([`super::chart`]) above its table, with the period's total; **Export CSV** and
//! **Export Excel** (`GET /api/books/stats/export`).

use super::chart::Bars;
use super::texts::{self, platform_key};
use super::{ExportButtons, Period, PeriodData, PeriodPicker, headers};
use crate::Session;
use crate::api;
use crate::i18n::{self, Lang};
use hoadon_core::api::books::{PlatformStatus, StatRow, Stats};
use leptos::prelude::*;

/// How a group of a dimension is named on screen: a platform status in words, the customers
/// past the 20 largest as "the others", the rest as the server writes them.
fn group_label(group: &str, lang: Lang) -> String {
    let status = [
        PlatformStatus::Original,
        PlatformStatus::Replacement,
        PlatformStatus::Adjustment,
        PlatformStatus::Cancelled,
    ]
    .into_iter()
    .map(platform_key)
    .find(|k| texts::code(k) == group);
    match (status, group) {
        (Some(k), _) => texts::text(lang, k).to_owned(),
        (None, "*") => texts::text(lang, "bk.stats.others").to_owned(),
        (None, "") => "—".to_owned(),
        (None, g) => g.to_owned(),
    }
}

#[component]
pub fn ReportsScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let data = PeriodData::new();
    let period = data.period;
    let stats = RwSignal::new(None::<Stats>);
    let load = data.loader(
        move |p: Period| async move {
            api::get::<Stats>(session, &format!("/api/books/stats?{}", p.query())).await
        },
        move |s| drop(stats.try_set(Some(s))),
    );
    load.run(());
    let sections = move || {
        stats.get().map(|s| {
            let total = s.total.clone();
            view! {
                <p class="status" id="stats-total">{move || t("bk.stats.total")}": "{total.count}" "
                    {move || t("bk.stats.invoices")}" · "{i18n::money(total.total)}" VND"</p>
                <Section session id="status" title="bk.stats.by_status" rows=s.by_status />
                <Section session id="series" title="bk.stats.by_series" rows=s.by_series />
                <Section session id="rate" title="bk.stats.by_rate" rows=s.by_rate />
                <Section session id="customer" title="bk.stats.by_customer" rows=s.by_customer />
            }
        })
    };
    view! {
        <section class="card reports">
            <h1>{move || t("bk.stats.title")}</h1>
            <PeriodPicker session data get=load />
            <ExportButtons session period path="/api/books/stats/export" stem="stats" />
            {sections}
        </section>
    }
}

/// One dimension: its chart of totals and its table.
#[component]
fn Section(
    session: Session,
    id: &'static str,
    title: &'static str,
    rows: Vec<StatRow>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let chart = {
        let rows = rows.clone();
        move || {
            let bars = rows
                .iter()
                .map(|r| (group_label(&r.group, lang()), r.total))
                .collect::<Vec<_>>();
            view! { <Bars rows=bars title=Signal::derive(move || t(title).to_owned()) id=format!("chart-{id}") /> }
        }
    };
    let empty = rows.is_empty();
    view! {
        <section class="stats" id=format!("stats-{id}")>
            <h2>{move || t(title)}</h2>
            {(!empty).then_some(chart)}
            <div class="table-wrap">
                <table class="list stack">
                    <thead><tr>
                        {headers(session, &[("bk.stats.group", false), ("bk.stats.count", true),
                            ("bk.amount_vnd", true), ("bk.vat_vnd", true), ("bk.total_vnd", true)])}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let group = r.group.clone();
                            let label = move |k: &'static str| move || t(k);
                            view! {
                                <tr data-group=r.group.clone()>
                                    <td data-label=label("bk.stats.group")>{move || group_label(&group, lang())}</td>
                                    <td class="num" data-label=label("bk.stats.count")>{r.count}</td>
                                    <td class="num" data-label=label("bk.amount_vnd")>{i18n::money(r.net)}</td>
                                    <td class="num" data-label=label("bk.vat_vnd")>{i18n::money(r.vat)}</td>
                                    <td class="num" data-label=label("bk.total_vnd")>{i18n::money(r.total)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {empty.then(|| view! { <p class="empty">{move || i18n::text(lang(), "empty")}</p> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_named_in_the_screens_language() {
        assert_eq!(group_label("cancelled", Lang::En), "Cancelled");
        assert_eq!(group_label("cancelled", Lang::Vi), "Đã hủy");
        assert_eq!(group_label("*", Lang::En), "Others");
        assert_eq!(group_label("C25TAB", Lang::Vi), "C25TAB");
    }
}
