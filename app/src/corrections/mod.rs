//! An invoice's corrections (#16), `/invoices/{id}/corrections`: the chain of related documents
//! (the original, its replacements and adjustments with their numbers, states and confirmation
//! states, a cancellation, the 04/SS notices), the original's figures with its valid
//! adjustments, and the corrections the rules allow today, each with the server's one-sentence
//! reason ([`actions`]). On a correction, the buyer's agreement ([`confirmation`]). The buyer's
//! own page, without an account, is [`public`].
//!
//! The server decides everything (the dated rule table is in the core and runs there); this
//! screen shows its answers. In the module of rarely opened screens ([`crate::lazy`]), with its
//! words ([`texts`]): the first load only has the standing badge and the link here.

mod actions;
mod confirmation;
mod public;
pub mod texts;

pub use public::PublicConfirm;

use crate::Session;
use crate::api;
use crate::i18n::{self, Lang};
use crate::invoices::corrections::{corrects_line, standing_badge};
use crate::invoices::status_key;
use crate::route::{Link, Route};
use hoadon_core::api::InvoiceView;
use hoadon_core::api::corrections::{CorrectionsView, FiguresView, LinkView, ListedInvoice};
use hoadon_core::corrections::LinkState;
use hoadon_core::lifecycle::Event;
use leptos::prelude::*;
use std::time::Duration;

/// How an invoice is named: series · number (or "—" before it has one).
fn number_of(symbol: Option<&str>, number: Option<u32>) -> String {
    match (symbol, number) {
        (Some(s), Some(n)) => format!("{s} · {n}"),
        (Some(s), None) => format!("{s} · —"),
        _ => "—".into(),
    }
}

/// Where a document of the chain opens: a draft in the editor, the rest on its screen.
fn route_of(link: &LinkView) -> Route {
    if link.status.allows(Event::Edit) {
        Route::Edit(link.id.clone())
    } else {
        Route::Invoice(link.id.clone())
    }
}

/// An invoice and its corrections, as the server has them.
#[derive(Clone)]
struct Loaded {
    rec: InvoiceView,
    view: CorrectionsView,
}

async fn load_one(session: Session, id: &str) -> Result<Loaded, String> {
    let rec = api::get::<InvoiceView>(session, &format!("/api/invoices/{id}")).await?;
    let view =
        api::get::<CorrectionsView>(session, &format!("/api/invoices/{id}/corrections")).await?;
    Ok(Loaded { rec, view })
}

#[component]
pub fn CorrectionsScreen(session: Session, id: String) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let id = StoredValue::new(id);
    let here = RwSignal::new(None::<Loaded>);
    // When this invoice is a correction: the invoice it corrects, whose chain it belongs to.
    let original = RwSignal::new(None::<Loaded>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let Some(id) = id.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match load_one(session, &id).await {
                Ok(l) => {
                    if let Some(of) = &l.view.corrects {
                        match load_one(session, &of.invoice_id).await {
                            Ok(o) => {
                                original.try_set(Some(o));
                            }
                            Err(e) => {
                                error.try_set(Some(e));
                            }
                        }
                    }
                    here.try_set(Some(l));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    load();
    // A correction on its way (being signed, awaiting the authority's code) changes the
    // original's standing when it gets there: asked again while one is.
    crate::poll::while_open(Duration::from_secs(3), move || {
        let moving = |l: &Option<Loaded>| {
            l.as_ref()
                .is_some_and(|l| l.view.links.iter().any(|k| k.state == LinkState::Pending))
        };
        if here.with_untracked(moving) || original.with_untracked(moving) {
            load();
        }
    });
    let changed = Callback::new(move |v: CorrectionsView| {
        here.update(|h| {
            if let Some(h) = h {
                h.view = v;
            }
        });
        load();
    });
    let screen = move || {
        let l = here.get()?;
        let rec = l.rec.clone();
        let status = rec.status;
        let d = &rec.document;
        let title = number_of(Some(&format!("{}{}", d.form, d.symbol)), rec.number);
        // The chain is the original's: this invoice's own, or the one it corrects.
        let chain = original.get().unwrap_or_else(|| l.clone());
        let is_correction = rec.corrects.is_some();
        let buyer_tax_id = d.buyer.tax_id.clone().filter(|s| !s.trim().is_empty());
        let id_here = rec.id.clone();
        Some(view! {
            <h1>{move || t("corr.title")}" "{title.clone()}</h1>
            <p><span id="corr-status" class=format!("badge {}", status.as_str())>
                {move || i18n::text(session.lang.get(), status_key(status))}</span>
                {standing_badge(session, l.view.standing, Some("corr-standing"))}</p>
            {corrects_line(session, &rec)}
            {l.view.corrects.as_ref().filter(|c| !c.list.is_empty()).map(|c| view! {
                <Covered session list=c.list.clone() />
            })}
            <Chain session chain here=id_here />
            {l.view.cumulative.clone().map(|f| view! { <Figures session figures=f /> })}
            {status.is_issued().then(|| view! {
                <actions::Actions session rec=rec.clone() view=l.view.clone() changed />
            })}
            {is_correction.then(|| view! {
                <confirmation::Confirmation session rec=rec.clone() buyer_tax_id />
            })}
        })
    };
    view! {
        <section class="card corrections">
            <p class="error" role="alert">{move || error.get()}</p>
            {screen}
            <p><Link to=Route::Invoice(id.get_value())>{move || t("corr.back")}</Link></p>
        </section>
    }
}

/// The chain: the original first, then its corrections oldest first, its cancellation and the
/// 04/SS notices that named it; the row of the invoice on screen is marked.
#[component]
fn Chain(session: Session, chain: Loaded, here: String) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let o = chain.rec;
    let v = chain.view;
    let here = StoredValue::new(here);
    let mark = move |id: &str| {
        here.with_value(|h| h == id)
            .then(|| view! { " "<em>{move || t("corr.here")}</em> })
    };
    let original_number = number_of(
        Some(&format!("{}{}", o.document.form, o.document.symbol)),
        o.number,
    );
    let original_date = o.document.issue_date.clone();
    let original_status = o.status;
    let link_row = move |k: LinkView| {
        let kind = texts::method_key(k.method);
        let direction = k.direction.map(texts::direction_key);
        let confirmation = k.confirmation;
        let state = k.state;
        let status = k.status;
        let date = k.issue_date.clone();
        view! {
            <tr id=format!("chain-{}", k.id) data-method=k.method.label_en() data-state=texts::link_key(state).trim_start_matches("link.")>
                <td>{move || t(kind)}{direction.map(|d| view! { " · "{move || t(d)} })}{mark(&k.id)}
                    {k.listed_difference.map(|d| view! { " ("{move || t("corr.list.difference")}" "{i18n::money(d)}")" })}</td>
                <td data-label=move || i18n::text(lang(), "number")><Link to=route_of(&k)>{number_of(k.symbol.as_deref(), k.number)}</Link></td>
                <td data-label=move || i18n::text(lang(), "issue_date")>{move || i18n::date(lang(), &date)}</td>
                <td data-label=move || t("corr.state")><span class="badge">{move || t(texts::link_key(state))}</span>" "
                    <span class=format!("badge {}", status.as_str())>{move || i18n::text(lang(), status_key(status))}</span></td>
                <td data-label=move || confirmation.map(|_| t("corr.confirmation")) data-confirmation=confirmation.map(|c| c.as_str())>
                    {confirmation.map(|c| view! { <span class="badge">{move || t(texts::confirmation_key(c))}</span> })}</td>
            </tr>
        }
    };
    view! {
        <h2>{move || t("corr.chain")}</h2>
        <div class="table-wrap">
            <table class="list stack" id="chain">
                <thead><tr>
                    <th scope="col">{move || t("corr.kind")}</th>
                    <th scope="col">{move || i18n::text(lang(), "number")}</th>
                    <th scope="col">{move || i18n::text(lang(), "issue_date")}</th>
                    <th scope="col">{move || t("corr.state")}</th>
                    <th scope="col">{move || t("corr.confirmation")}</th>
                </tr></thead>
                <tbody>
                    <tr id=format!("chain-{}", o.id) data-method="original">
                        <td>{move || t("corr.original")}{mark(&o.id)}</td>
                        <td data-label=move || i18n::text(lang(), "number")><Link to=Route::Invoice(o.id.clone())>{original_number}</Link></td>
                        <td data-label=move || i18n::text(lang(), "issue_date")>{move || i18n::date(lang(), &original_date)}</td>
                        <td data-label=move || t("corr.state")><span class=format!("badge {}", original_status.as_str())>
                            {move || i18n::text(lang(), status_key(original_status))}</span>
                            {standing_badge(session, v.standing, None)}</td>
                    </tr>
                    {v.links.into_iter().map(link_row).collect_view()}
                    {v.cancelled.map(|c| {
                        let date = c.date.clone();
                        view! {
                            <tr id="chain-cancelled" data-method="cancellation">
                                <td>{move || t("method.cancellation")}</td>
                                <td><Link to=Route::Notices>{move || t("corr.notice")}</Link></td>
                                <td data-label=move || i18n::text(lang(), "issue_date")>{move || i18n::date(lang(), &date)}</td>
                                <td colspan="2">{c.reason.clone()}</td>
                            </tr>
                        }
                    })}
                    {v.notices.into_iter().map(|n| view! {
                        <tr data-method="notice">
                            <td>{move || t("corr.notice")}</td>
                            <td colspan="4"><Link to=Route::Notices>{n}</Link></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A correction of several invoices of one buyer in one month (from 1 June 2025): the list
/// 01/BK-ĐCTT, each invoice with its total as issued and the difference the seller states.
#[component]
fn Covered(session: Session, list: Vec<ListedInvoice>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    view! {
        <h2>{move || t("corr.list")}</h2>
        <div class="table-wrap">
            <table class="list" id="covered">
                <thead><tr>
                    <th scope="col">{move || i18n::text(lang(), "number")}</th>
                    <th scope="col">{move || i18n::text(lang(), "issue_date")}</th>
                    <th scope="col" class="num">{move || t("corr.list.total")}</th>
                    <th scope="col" class="num">{move || t("corr.list.difference")}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|l| {
                        let date = l.issue_date.clone();
                        let name = format!("{}{} · {}", l.form, l.symbol, l.number);
                        view! {
                            <tr>
                                <td><Link to=Route::Invoice(l.invoice_id.clone())>{name}</Link></td>
                                <td>{move || i18n::date(lang(), &date)}</td>
                                <td class="num">{i18n::money(l.total)}</td>
                                <td class="num">{l.difference.map(i18n::money).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The original with its valid adjustments: net and VAT per rate, and the totals.
#[component]
fn Figures(session: Session, figures: FiguresView) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let rate_name = move |r: &Option<String>, lang: Lang| match r {
        Some(r) => r.clone(),
        None => texts::text(lang, "corr.none_rate").to_owned(),
    };
    view! {
        <h2>{move || t("corr.figures")}</h2>
        <p class="hint">{move || t("corr.figures.hint")}</p>
        <div class="table-wrap">
            <table class="list" id="cumulative">
                <thead><tr>
                    <th scope="col">{move || t("corr.rate")}</th>
                    <th scope="col" class="num">{move || t("totals.net")}</th>
                    <th scope="col" class="num">{move || t("totals.vat")}</th>
                </tr></thead>
                <tbody>
                    {figures.groups.into_iter().map(|g| view! {
                        <tr>
                            <td>{move || rate_name(&g.rate, session.lang.get())}</td>
                            <td class="num">{i18n::money(g.net)}</td>
                            <td class="num">{i18n::money(g.vat)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{move || t("totals")}</th>
                        <td class="num" id="cumulative-net">{i18n::money(figures.total_before_vat)}</td>
                        <td class="num" id="cumulative-vat">{i18n::money(figures.total_vat)}</td>
                    </tr>
                    <tr>
                        <th scope="row">{move || t("totals.total")}</th>
                        <td class="num" colspan="2" id="cumulative-total">{i18n::money(figures.total)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
