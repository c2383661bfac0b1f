//! The books' inbox (`/books`): the period's invoices by issue date — "Lấy dữ liệu / Get data"
//! reads every page of `GET /api/books` — as a table on a desktop and cards on a phone
//! (`.stack`): date, invoice, buyer, total, platform and workflow status, warnings, the seller
//! signature's verdict and a conflicting copy. Filtered by workflow status; entries picked with
//! their boxes get a bulk action (`POST /api/books/record`, each entry's outcome shown on its
//! row: entries whose proposal needs a person are left for review). A click on an invoice opens
//! its entry ([`super::entry`]) in place of the list, which keeps its state for the way back.
//! Files of other platforms are imported below the list ([`super::import`]).

use super::texts::{self, platform_key, signature_key, workflow_key};
use super::{
    Period, PeriodData, PeriodPicker, all_pages, entry::EntryPanel, headers, import::Import,
    invoice_title,
};
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use gloo_net::http::Method;
use hoadon_core::api::Page;
use hoadon_core::api::books::{BookAction, BookEntryView, BulkItem, BulkRecordRequest, Workflow};
use hoadon_core::import::SellerSignature;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The workflow statuses, in the order the seed's filter lists them.
const WORKFLOWS: [Workflow; 4] = [
    Workflow::RevenueNotRecorded,
    Workflow::InvoiceNotCreated,
    Workflow::InvoiceCreated,
    Workflow::RevenueRecorded,
];

/// Most entries one bulk request names (`BulkRecordRequest.ids`' bound).
const BULK_MAX: usize = 200;

/// The inbox's list, shared by the list, the entry panel (which puts back an entry it recorded)
/// and the import (which asks for the list again).
#[derive(Clone, Copy)]
pub struct Inbox {
    pub entries: RwSignal<Vec<BookEntryView>>,
    /// Reads the period's entries again.
    pub reload: Callback<()>,
}

impl Inbox {
    /// Puts the server's newer copy of an entry in the list.
    pub fn put(&self, e: BookEntryView) {
        self.entries.try_update(|v| {
            if let Some(old) = v.iter_mut().find(|o| o.id == e.id) {
                *old = e;
            }
        });
    }
}

#[component]
pub fn BooksScreen(session: Session) -> impl IntoView {
    // The pickers' look-ups search the device's copy of customers and products, as the editor's.
    crate::catalogs::CatalogCache::install(session, RwSignal::new(true));
    let t = move |k| texts::text(session.lang.get(), k);
    let data = PeriodData::new();
    let entries = RwSignal::new(Vec::<BookEntryView>::new());
    let more = RwSignal::new(false);
    let reload = data.loader(
        move |p: Period| async move {
            all_pages::<BookEntryView>(session, &format!("/api/books?{}", p.query())).await
        },
        move |(v, m)| {
            entries.try_set(v);
            more.try_set(m);
        },
    );
    reload.run(());
    let inbox = Inbox { entries, reload };
    let open = RwSignal::new(None::<String>);
    view! {
        <section class="card books" hidden=move || open.with(Option::is_some)>
            <h1>{move || t("bk.title")}</h1>
            <PeriodPicker session data get=reload />
            <List session inbox open />
            <Show when=move || more.get()>
                <p class="hint" id="books-more">{move || t("bk.more")}</p>
            </Show>
            <Import session inbox />
        </section>
        {move || open.get().map(|id| view! {
            <EntryPanel session inbox id close=Callback::new(move |()| open.set(None)) />
        })}
    }
}

/// The filter, the table (cards on a phone), the selection and the bulk actions.
#[component]
fn List(session: Session, inbox: Inbox, open: RwSignal<Option<String>>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let entries = inbox.entries;
    let filter = RwSignal::new(None::<Workflow>);
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let picks = Picks {
        picked,
        outcomes: RwSignal::new(BTreeMap::new()),
    };
    let shown = Memo::new(move |_| {
        let f = filter.get();
        entries.with(|v| {
            v.iter()
                .filter(|e| f.is_none_or(|w| e.workflow == w))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // A box stays ticked only while its entry is listed.
    Effect::new(move |_| {
        let ids: BTreeSet<String> = shown.with(|v| v.iter().map(|e| e.id.clone()).collect());
        picked.update(|p| p.retain(|id| ids.contains(id)));
    });
    let count = move |w: Workflow| entries.with(|v| v.iter().filter(|e| e.workflow == w).count());
    let all_picked = move || {
        shown.with(|v| !v.is_empty() && picked.with(|p| v.iter().all(|e| p.contains(&e.id))))
    };
    let pick_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let ids: Vec<String> = shown.with_untracked(|v| v.iter().map(|e| e.id.clone()).collect());
        picked.update(|p| {
            for id in ids {
                if on {
                    p.insert(id);
                } else {
                    p.remove(&id);
                }
            }
        });
    };
    view! {
        <div class="toolbar">
            <label for="books-filter">{move || t("bk.filter")}</label>
            <select id="books-filter" class="narrow" on:change=move |ev| {
                let v = event_target_value(&ev);
                filter.set(WORKFLOWS.into_iter().find(|w| texts::code(workflow_key(*w)) == v));
            }>
                <option value="">{move || t("bk.filter.all")}" ("{move || entries.with(Vec::len)}")"</option>
                {WORKFLOWS.into_iter().map(|w| {
                    let key = workflow_key(w);
                    view! { <option value=texts::code(key)>{move || t(key)}" ("{move || count(w)}")"</option> }
                }).collect_view()}
            </select>
        </div>
        <Bulk session inbox picks />
        <div class="table-wrap">
            <table class="list stack" id="books-list">
                <thead><tr>
                    <th scope="col"><input type="checkbox" id="books-pick-all" aria-label=move || t("bk.pick.all")
                        prop:checked=all_picked on:change=pick_all /></th>
                    {headers(session, &[("issue_date", false), ("invoice", false), ("buyer", false),
                        ("totals.total", true), ("bk.platform", false), ("bk.workflow", false),
                        ("bk.warnings", true), ("signature", false), ("bk.outcome", false)])}
                </tr></thead>
                <tbody>
                    <For each=move || shown.get() key=|e| (e.id.clone(), e.version) let(e)>
                        <Row session e picks open />
                    </For>
                </tbody>
            </table>
        </div>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty" id="books-empty">{move || i18n::text(lang(), "empty")}</p>
        </Show>
    }
}

/// The entries picked for a bulk action, and what the last one did to each (by entry id).
#[derive(Clone, Copy)]
struct Picks {
    picked: RwSignal<BTreeSet<String>>,
    outcomes: RwSignal<BTreeMap<String, String>>,
}

/// One entry's row (a card on a phone): its box, what it is, its states.
#[component]
fn Row(
    session: Session,
    e: BookEntryView,
    picks: Picks,
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let Picks { picked, outcomes } = picks;
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let title = invoice_title(&e.key);
    let (id, check_id, out_id) = (e.id.clone(), e.id.clone(), e.id.clone());
    let open_id = e.id.clone();
    let date = e.issue_date.clone();
    let (platform, workflow, signature) = (
        platform_key(e.status),
        workflow_key(e.workflow),
        signature_key(e.seller_signature),
    );
    let sig_class = match e.seller_signature {
        SellerSignature::Valid => "badge sig-valid",
        SellerSignature::Tolerated => "badge sig-tolerated",
        SellerSignature::Invalid | SellerSignature::Missing => "badge sig-bad",
    };
    let total = e.total.map(i18n::money).unwrap_or_default();
    let currency = (e.currency != "VND").then(|| format!(" {}", e.currency));
    let warnings = e.warnings.len();
    let conflicts = !e.conflicts.is_empty();
    let buyer = e.buyer.name.clone().unwrap_or_default();
    let buyer_tax = e.buyer.tax_id.clone();
    let label = move |key: &'static str| move || t(key);
    view! {
        <tr data-id=e.id.clone() data-number=e.key.number.to_string() data-workflow=texts::code(workflow)>
            <td><input type="checkbox" aria-label=title.clone()
                prop:checked=move || picked.with(|p| p.contains(&check_id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    picked.update(|p| { if on { p.insert(id.clone()); } else { p.remove(&id); } });
                } /></td>
            <td data-label=move || i18n::text(lang(), "issue_date")>{move || i18n::date(lang(), &date)}</td>
            <td data-label=move || i18n::text(lang(), "invoice")>
                <button type="button" class="link open-entry" on:click=move |_| open.set(Some(open_id.clone()))>
                    {title.clone()}</button></td>
            <td data-label=move || i18n::text(lang(), "buyer")>{buyer}
                {buyer_tax.map(|t| view! { <br /><small>{t}</small> })}</td>
            <td class="num" data-label=move || i18n::text(lang(), "totals.total")>{total}{currency}</td>
            <td data-label=label("bk.platform")><span class=format!("badge {}", texts::code(platform))>{label(platform)}</span></td>
            <td data-label=label("bk.workflow")><span class=format!("badge wf-{}", texts::code(workflow))>{label(workflow)}</span></td>
            <td data-label=label("bk.warnings") class="num">
                {(warnings > 0).then(|| view! { <span class="badge warn">{warnings}</span> })}
                {conflicts.then(|| view! { " "<span class="badge conflict-mark">{label("bk.conflict")}</span> })}</td>
            <td data-label=move || i18n::text(lang(), "signature")><span class=sig_class>{label(signature)}</span></td>
            <td data-label=label("bk.outcome") class="outcome">
                {move || outcomes.with(|o| o.get(&out_id).cloned()).map(|o| {
                    let key = texts::bulk_key(&o);
                    view! { <span class=format!("badge bulk-{o}")>{label(key)}</span> }
                })}</td>
        </tr>
    }
}

/// The bulk actions on the picked entries: each entry's proposal recorded as it is, except
/// those whose proposal needs a person (mapping warnings) — they stay for one-by-one review.
#[component]
fn Bulk(session: Session, inbox: Inbox, picks: Picks) -> impl IntoView {
    let Picks { picked, outcomes } = picks;
    let t = move |k| texts::text(session.lang.get(), k);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let summary = RwSignal::new(None::<BTreeMap<String, usize>>);
    let run = move |action: BookAction| {
        let ids: Vec<String> = picked.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let mut done = Vec::<BulkItem>::new();
            for chunk in ids.chunks(BULK_MAX) {
                let body = api::json(&BulkRecordRequest {
                    action,
                    ids: chunk.to_vec(),
                });
                let path = "/api/books/record";
                let answer = api::request::<Page<BulkItem>>(
                    session,
                    Method::POST,
                    path,
                    &[],
                    Payload::Json(&body),
                );
                match answer.await {
                    Ok(page) => done.extend(page.items),
                    Err(r) => {
                        error.try_set(Some(r.shown(session.lang.get_untracked())));
                        break;
                    }
                }
            }
            let mut counts = BTreeMap::<String, usize>::new();
            for i in &done {
                *counts.entry(i.outcome.clone()).or_default() += 1;
            }
            outcomes.try_set(done.into_iter().map(|i| (i.id, i.outcome)).collect());
            summary.try_set(Some(counts));
            picked.try_set(BTreeSet::new());
            busy.try_set(false);
            inbox.reload.run(());
        });
    };
    let button = move |id: &'static str, action: BookAction| {
        view! {
            <button type="button" id=id disabled=move || busy.get() || picked.with(BTreeSet::is_empty)
                on:click=move |_| { error.set(None); run(action) }>
                {move || t(texts::action_key(action))}" ("{move || picked.with(BTreeSet::len)}")"
            </button>
        }
    };
    view! {
        <div class="actions bulk">
            {button("bulk-sales-voucher", BookAction::SalesVoucher)}
            {button("bulk-invoice-record", BookAction::InvoiceRecord)}
        </div>
        <p class="error" role="alert">{move || error.get()}</p>
        <p class="status" role="status" id="bulk-summary">
            {move || summary.get().map(|c| {
                c.into_iter()
                    .map(|(o, n)| format!("{}: {n}", t(texts::bulk_key(&o))))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })}
        </p>
    }
}
