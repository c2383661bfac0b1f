//! Home: what needs attention. Counts per status, the invoices the server could not sign (with
//! why), those awaiting a USB token's signature, and recent invoices from the server (`Summary`); the drafts on this device that wait to
//! sync (or need a decision) from IndexedDB, shown even offline.

use crate::Session;
use crate::api;
use crate::drafts::{Conflict, new_id, outbox};
use crate::i18n;
use crate::invoices::InvoiceTable;
use crate::route::{Link, Route};
use hoadon_core::api::authority::OutboxState;
use hoadon_core::api::{Counts, InvoiceView, Summary};
use hoadon_core::model::{DraftInput, ServerParts};
use leptos::prelude::*;

/// The counts on the home screen: element id, label, and which count.
type CountItem = (&'static str, &'static str, fn(&Counts) -> u64);
const COUNTS: [CountItem; 10] = [
    ("count-draft", "status.draft", |c| c.draft),
    ("count-awaiting-token", "status.awaiting_token", |c| {
        c.awaiting_token
    }),
    ("count-numbered", "awaiting", |c| c.numbered),
    ("count-signed", "status.signed", |c| c.signed),
    ("count-sent", "status.sent", |c| c.sent),
    ("count-coded", "status.coded", |c| c.coded),
    ("count-rejected", "status.rejected", |c| c.rejected),
    ("count-data_sent", "status.data_sent", |c| c.data_sent),
    ("count-data_accepted", "status.data_accepted", |c| {
        c.data_accepted
    }),
    ("count-attention", "attention.title", |c| c.needs_attention),
];

#[component]
pub fn Home(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let ob = outbox();
    let summary = RwSignal::new(None::<Summary>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if ob.online.get() {
            leptos::task::spawn_local(async move {
                match api::get::<Summary>(session, "/api/summary").await {
                    Ok(v) => {
                        summary.set(Some(v));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    });
    let count = move |k: fn(&Counts) -> u64| {
        summary
            .with(|s| s.as_ref().map(|s| k(&s.counts)))
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into())
    };
    let list = move |k: fn(&Summary) -> &Vec<InvoiceView>| {
        Signal::derive(move || summary.with(|s| s.as_ref().map(k).cloned().unwrap_or_default()))
    };
    let attention = list(|s| &s.needs_attention);
    let token = list(|s| &s.awaiting_token);
    let local = move || {
        ob.drafts.with(|m| {
            let mut v: Vec<_> = m
                .values()
                .filter(|d| d.waiting() || d.conflict.is_some())
                .cloned()
                .collect();
            v.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
            v
        })
    };
    view! {
        <section class="card home">
            <div class="toolbar">
                <h1>{move || t("home")}</h1>
                <Link to=Route::Edit(new_id()) class="button primary">{move || t("new.invoice")}</Link>
            </div>
            <ul class="counts">
                {COUNTS.iter().map(|&(id, key, get)| view! {
                    <li><span class="n" id=id>{move || count(get)}</span>{move || t(key)}</li>
                }).collect_view()}
            </ul>
            // Messages to the authority that ran out of retries: a link to exactly those.
            {move || {
                let n = summary.with(|s| s.as_ref().map_or(0, |s| s.counts.outbox_attention));
                (n > 0).then(|| view! {
                    <p class="error" role="alert">
                        <Link to=Route::Outbox(Some(OutboxState::NeedsAttention)) id="outbox-attention">
                            {n}" "{move || t("count.outbox_attention")}</Link>
                    </p>
                })
            }}
            <Show when=move || !attention.with(Vec::is_empty)>
                <h2>{move || t("attention.title")}</h2>
                <ul class="drafts" id="needs-attention">
                    {move || attention.get().into_iter().map(|rec| {
                        let a = rec.attention.clone();
                        let title = format!("{}{} · {}", rec.document.form, rec.document.symbol, rec.number.unwrap_or_default());
                        view! {
                            <li><Link to=Route::Invoice(rec.id.clone())>{title}</Link>
                                {a.map(|a| view! {
                                    " — "{move || t("attention")}": "<span class="reason">{a.reason.clone()}</span>
                                    " ("{move || t("attention.attempts")}" "{a.attempts}", "
                                    {move || i18n::datetime(session.lang.get(), a.at)}")"
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
            <h2>{move || t("waiting.title")}</h2>
            <Show when=move || !local().is_empty()
                fallback=move || view! { <p class="empty">{move || t("waiting.none")}</p> }>
                <ul class="drafts" id="waiting-drafts">
                    {move || local().into_iter().map(|d| {
                        let note = match (&d.conflict, &d.error) {
                            (Some(Conflict::Edited { .. }), _) => "waiting.conflict",
                            (Some(Conflict::Issued), _) => "waiting.issued",
                            (None, Some(_)) => "waiting.refused",
                            _ => "waiting.sync",
                        };
                        let buyer = d.document.buyer.name.clone().unwrap_or_else(|| "—".into());
                        let total = i18n::money(draft_total(&d.document));
                        view! {
                            <li><Link to=Route::Edit(d.id.clone())>{buyer}" · "{total}</Link>
                                " "<span class="badge">{move || t(note)}</span></li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            // Issued in token mode: they wait for a desktop session with the USB token.
            <Show when=move || !token.with(Vec::is_empty)>
                <h2>{move || t("token.awaiting.title")}</h2>
                <div id="awaiting-token-list"><InvoiceTable session rows=token /></div>
            </Show>
            <h2>{move || t("awaiting.title")}</h2>
            <InvoiceTable session rows=list(|s| &s.awaiting_signature) />
            <h2>{move || t("recent")}</h2>
            <InvoiceTable session rows=list(|s| &s.recent) />
        </section>
    }
}

/// A draft's total (the seller does not change it).
pub fn draft_total(d: &DraftInput) -> rust_decimal::Decimal {
    let doc = d.compose(ServerParts {
        seller: &Default::default(),
        provider_tax_id: None,
        number: None,
        related: None,
        negative_words: None,
        lookup: None,
    });
    hoadon_core::check(&doc).preview.total
}
