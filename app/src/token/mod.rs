//! The token signing screen (#15): the invoices waiting for a USB token's signature, and the
//! offline way to sign them — **export** a bundle (a claim: the server numbers the invoices and
//! prepares each one's `SignedInfo` for the chosen registered certificate; the answer is saved
//! as a file for a desktop that cannot reach the server) and **import** the signed bundle back
//! ([`import`]). The browser never talks to the token: only the bundle files travel.
//!
//! In the module of rarely opened screens ([`crate::lazy`]), with its words ([`texts`]) and the
//! series' signing mode ([`crate::series`]).

mod bundle;
mod import;
pub mod mode;
pub mod texts;

use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use crate::route::{Link, Route};
use gloo_net::http::Method;
use hoadon_core::api::certificates::CertificateView;
use hoadon_core::api::signing::{ClaimRequest, MAX_CLAIM, SigningBundle};
use hoadon_core::api::{InvoiceView, Page};
use hoadon_core::lifecycle::{SigningMode, Status};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The invoices waiting for a token: frozen ones, then numbered ones a session claimed and has
/// not answered (they come again, same number, in the next bundle).
/// Listed without their totals: computing one takes `hoadon_core::check`, ~31 KB brotli more in
/// this module; the detail screen (a link away) and the exported bundle show it.
async fn waiting(session: Session) -> Result<Vec<InvoiceView>, String> {
    let path = "/api/invoices?limit=200&status=";
    let frozen = api::get::<Page<InvoiceView>>(session, &format!("{path}awaiting_token")).await?;
    let numbered = api::get::<Page<InvoiceView>>(session, &format!("{path}numbered")).await?;
    let claimed = numbered
        .items
        .into_iter()
        .filter(|r| r.signing_mode == SigningMode::Token);
    Ok(frozen.items.into_iter().chain(claimed).collect())
}

/// `<form><symbol> · <number>`, or the form and symbol alone before a number.
fn title(rec: &InvoiceView) -> String {
    let d = &rec.document;
    match rec.number {
        Some(n) => format!("{}{} · {n}", d.form, d.symbol),
        None => format!("{}{} · —", d.form, d.symbol),
    }
}

#[component]
pub fn TokenScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let rows = RwSignal::new(Vec::<InvoiceView>::new());
    let certificates = RwSignal::new(Vec::<CertificateView>::new());
    let certificate = RwSignal::new(String::new());
    let picked = RwSignal::new(BTreeSet::<String>::new());
    let error = RwSignal::new(None::<String>);
    let exported = RwSignal::new(None::<SigningBundle>);
    let busy = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match waiting(session).await {
                Ok(v) => {
                    picked.try_update(|p| p.retain(|id| v.iter().any(|r| &r.id == id)));
                    rows.try_set(v);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    load();
    leptos::task::spawn_local(async move {
        match api::get::<Page<CertificateView>>(session, "/api/certificates").await {
            Ok(page) => {
                let usable: Vec<_> = page.items.into_iter().filter(|c| !c.revoked).collect();
                if let Some(first) = usable.first() {
                    certificate.try_set(first.id.clone());
                }
                certificates.try_set(usable);
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        }
    });
    let export = move |_| {
        let ids: Vec<String> = picked.get_untracked().into_iter().collect();
        let body = api::json(&ClaimRequest {
            certificate: certificate.get_untracked(),
            limit: ids.is_empty().then_some(MAX_CLAIM),
            invoices: (!ids.is_empty()).then_some(ids),
        });
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = "/api/signing/claims";
            let claimed = api::request::<SigningBundle>(
                session,
                Method::POST,
                path,
                &[],
                Payload::Json(&body),
            );
            match claimed.await {
                Ok(b) => {
                    error.try_set(None);
                    if !b.invoices.is_empty() {
                        save(&b);
                    }
                    exported.try_set(Some(b));
                    picked.try_set(BTreeSet::new());
                    load();
                }
                Err(r) => {
                    error.try_set(Some(r.message));
                }
            }
            busy.try_set(false);
        });
    };
    let none_usable = move || certificates.with(Vec::is_empty);
    view! {
        <section class="card token">
            <div class="toolbar">
                <h1>{move || t("token.title")}</h1>
                <button type="button" id="token-refresh" on:click=move |_| load()>{move || t("token.refresh")}</button>
            </div>
            <p>{move || t("token.intro")}</p>
            <p class="hint" id="token-numbers">{move || t("token.numbers")}</p>
            <p class="error" role="alert" id="token-error">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list" id="token-invoices">
                    <thead><tr>
                        <th scope="col">{move || t("token.pick")}</th>
                        <th scope="col">{move || t("number")}</th>
                        <th scope="col">{move || t("issue_date")}</th>
                        <th scope="col">{move || t("buyer")}</th>
                        <th scope="col">{move || t("status")}</th>
                    </tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|rec| {
                            let id = rec.id.clone();
                            let check_id = id.clone();
                            let row_id = id.clone();
                            let label = title(&rec);
                            let date = rec.document.issue_date.clone();
                            let buyer = rec.document.buyer.name.clone().unwrap_or_default();
                            let state = if rec.status == Status::AwaitingToken { "token.waiting" } else { "token.claimed" };
                            view! {
                                <tr data-id=row_id>
                                    <td><input type="checkbox" aria-label=label.clone()
                                        prop:checked=move || picked.with(|p| p.contains(&check_id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            picked.update(|p| { if on { p.insert(id.clone()); } else { p.remove(&id); } });
                                        } /></td>
                                    <td><Link to=Route::Invoice(rec.id.clone())>{label}</Link></td>
                                    <td>{move || i18n::date(session.lang.get(), &date)}</td>
                                    <td>{buyer}</td>
                                    <td><span class="badge awaiting_token">{move || t(state)}</span></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty" id="token-none">{move || t("token.none")}</p>
            </Show>
            <div class="row">
                <div class="field">
                    <label for="token-certificate">{move || t("token.certificate")}</label>
                    <select id="token-certificate" on:change=move |ev| certificate.set(event_target_value(&ev))>
                        {move || certificates.get().into_iter().map(|c| {
                            let name = format!("{}{} · {} → {}", c.label.as_deref().map(|l| format!("{l} · ")).unwrap_or_default(),
                                c.subject, c.issuer, c.not_after.get(..10).unwrap_or(&c.not_after));
                            let selected = certificate.get_untracked() == c.id;
                            view! { <option value=c.id selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="button" class="primary" id="token-export" on:click=export
                        disabled=move || busy.get() || none_usable() || rows.with(Vec::is_empty)>
                        {move || t(if picked.with(BTreeSet::is_empty) { "token.export" } else { "token.export.picked" })}
                    </button>
                </div>
            </div>
            <Show when=none_usable>
                <p class="hint" id="token-no-certificate">{move || t("token.no_certificate")}</p>
            </Show>
            {move || exported.get().map(|b| view! { <Exported session bundle=b /> })}
            <import::Import session done=Callback::new(move |_| load()) />
        </section>
    }
}

/// Saves the claimed bundle as `hoadon-bundle-<date>.json`.
fn save(b: &SigningBundle) {
    let text = bundle::bundle_file(b);
    let parts = web_sys::js_sys::Array::of1(&text.into());
    let now = web_sys::js_sys::Date::new_0();
    let name = bundle::file_name(now.get_full_year(), now.get_month() + 1, now.get_date());
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts) {
        let _ = crate::catalogs::save(&blob, &name);
    }
}

/// What the last export claimed: how many, their numbers, what is left, what was skipped.
#[component]
fn Exported(session: Session, bundle: SigningBundle) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let numbers = bundle::numbers(&bundle).join(", ");
    let count = bundle.invoices.len();
    let remaining = bundle.remaining;
    let skipped = bundle.skipped;
    view! {
        <p class="status" role="status" id="token-exported">
            {move || t("token.exported")}" "{count}" ("{numbers.clone()}"); "
            {remaining}" "{move || t("token.remaining")}
        </p>
        {(!skipped.is_empty()).then(|| view! {
            <p class="error">{move || t("token.skipped")}":"</p>
            <ul class="errors" id="token-skipped">
                {skipped.into_iter().map(|s| view! {
                    <li>{s.invoice.clone()}" — "{s.code.clone()}": "
                        {move || if session.lang.get() == i18n::Lang::En { s.message_en.clone() } else { s.message_vi.clone() }}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
