//! Home: what needs attention. Counts per status and recent invoices from the server; the drafts
//! on this device that wait to sync (or need a decision) from IndexedDB, shown even offline.

use crate::Session;
use crate::api;
use crate::drafts::{Conflict, new_id, outbox};
use crate::i18n;
use crate::invoices::InvoiceTable;
use crate::route::{Link, Route};
use leptos::prelude::*;
use serde_json::Value;

#[component]
pub fn Home(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let ob = outbox();
    let summary = RwSignal::new(None::<Value>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if ob.online.get() {
            leptos::task::spawn_local(async move {
                match api::get(session, "/api/summary").await {
                    Ok(v) => {
                        summary.set(Some(v));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    });
    let count = move |k: &str| {
        summary
            .with(|s| s.as_ref().and_then(|s| s["counts"][k].as_u64()))
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into())
    };
    let list = move |k: &'static str| {
        Signal::derive(move || {
            summary.with(|s| {
                s.as_ref()
                    .and_then(|s| s[k].as_array().cloned())
                    .unwrap_or_default()
            })
        })
    };
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
                <li><span class="n" id="count-draft">{move || count("draft")}</span>{move || t("status.draft")}</li>
                <li><span class="n" id="count-numbered">{move || count("numbered")}</span>{move || t("awaiting")}</li>
                <li><span class="n" id="count-signed">{move || count("signed")}</span>{move || t("status.signed")}</li>
            </ul>
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
                        let total = i18n::money(hoadon_core::check(&d.document).preview.total);
                        view! {
                            <li><Link to=Route::Edit(d.id.clone())>{buyer}" · "{total}</Link>
                                " "<span class="badge">{move || t(note)}</span></li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <h2>{move || t("awaiting.title")}</h2>
            <InvoiceTable session rows=list("awaiting_signature") />
            <h2>{move || t("recent")}</h2>
            <InvoiceTable session rows=list("recent") />
        </section>
    }
}
