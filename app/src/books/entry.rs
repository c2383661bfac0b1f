//! One entry of the books, opened from the inbox: what the invoice is (number, dates, buyer,
//! amounts, its platform and workflow status, the invoice it replaces or adjusts, the seller
//! signature's verdict, where it came from), its warnings in the screen's language, copies that
//! conflict with it, what was recorded for it and by whom, and the actions the server allows
//! now (`actions`). Choosing one asks for its proposal and opens it for editing
//! ([`super::proposal`]); a recording puts the server's newer copy of the entry in the inbox,
//! so this panel shows its new workflow status and voucher numbers.

use super::inbox::Inbox;
use super::invoice_title;
use super::proposal::ProposalEditor;
use super::texts::{self, action_key, platform_key, signature_key, workflow_key};
use crate::Session;
use crate::api;
use crate::i18n::{self, Lang};
use crate::route::{Link, Route};
use hoadon_core::api::Detail;
use hoadon_core::api::books::{BookAction, BookEntryView, Proposal, Source};
use leptos::prelude::*;

/// A warning's message in `lang`.
pub fn message(d: &Detail, lang: Lang) -> &str {
    if lang == Lang::En {
        &d.message_en
    } else {
        &d.message_vi
    }
}

/// Every voucher number recorded for an entry, oldest first.
fn voucher_numbers(e: &BookEntryView) -> Vec<String> {
    e.recordings
        .iter()
        .flat_map(|r| r.vouchers.iter().cloned())
        .collect()
}

#[component]
pub fn EntryPanel(
    session: Session,
    inbox: Inbox,
    id: String,
    close: Callback<()>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let id = StoredValue::new(id);
    let entry = Memo::new(move |_| {
        let id = id.get_value();
        inbox
            .entries
            .with(|v| v.iter().find(|e| e.id == id).cloned())
    });
    let proposal = RwSignal::new(None::<Proposal>);
    let asking = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<String>);
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
    let choose = Callback::new(move |action: BookAction| {
        let path = format!(
            "/api/books/{}/proposal?action={}",
            api::encode(&id.get_value()),
            texts::code(action_key(action))
        );
        asking.set(true);
        said.set(None);
        leptos::task::spawn_local(async move {
            match api::request(
                session,
                gloo_net::http::Method::GET,
                &path,
                &[],
                api::Payload::None,
            )
            .await
            {
                Ok(p) => {
                    error.try_set(None);
                    proposal.try_set(Some(p));
                }
                Err(r) => drop(error.try_set(Some(r.shown(session.lang.get_untracked())))),
            }
            asking.try_set(false);
        });
    });
    let recorded = Callback::new(move |e: BookEntryView| {
        let numbers = e
            .recordings
            .last()
            .map(|r| r.vouchers.join(", "))
            .unwrap_or_default();
        said.set(Some(format!("{} {numbers}", t("bk.recorded"))));
        proposal.set(None);
        inbox.put(e);
    });
    let editor = move || {
        let p = proposal.get()?;
        let e = entry.get_untracked()?;
        let action = p.action;
        let again = Callback::new(move |note: String| {
            choose.run(action);
            said.set(Some(note));
        });
        Some(view! { <ProposalEditor session inbox entry=e proposal=p.clone() recorded again /> })
    };
    view! {
        <section class="card book-entry" id="book-entry">
            <p><button type="button" class="link" id="entry-back" on:click=move |_| close.run(())>
                {move || t("bk.back")}</button></p>
            {move || match entry.get() {
                Some(e) => view! { <Facts session e choose asking /> }.into_any(),
                None => view! { <p class="empty">{move || t("bk.gone")}</p> }.into_any(),
            }}
            <p class="status" role="status" id="entry-said">{move || said.get()}</p>
            <p class="error" role="alert" id="entry-error">{move || error.get()}</p>
            {editor}
        </section>
    }
}

/// The entry's facts, warnings, conflicts, recordings and action buttons.
#[component]
fn Facts(
    session: Session,
    e: BookEntryView,
    choose: Callback<BookAction>,
    asking: RwSignal<bool>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let fact = move |key: &'static str, id: &'static str, value: AnyView| {
        view! { <div><dt>{move || t(key)}</dt><dd id=id>{value}</dd></div> }
    };
    let amount = |d: Option<rust_decimal::Decimal>| d.map(i18n::money).unwrap_or_default();
    let date = e.issue_date.clone();
    let (platform, workflow) = (platform_key(e.status), workflow_key(e.workflow));
    let numbers = Some(voucher_numbers(&e).join(", "))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "—".into());
    let in_books = hoadon_core::books::revenue_in_books(&e.recordings);
    let related = e
        .related
        .as_ref()
        .map(|r| format!("{}{} · {} ({})", r.form, r.symbol, r.number, r.issue_date));
    let buyer = [&e.buyer.name, &e.buyer.tax_id, &e.buyer.address]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ");
    let money_line = format!(
        "{} + {} = {} {}",
        amount(e.total_before_vat),
        amount(e.total_vat),
        amount(e.total),
        e.currency
    );
    let rate = e
        .exchange_rate
        .filter(|_| e.currency != "VND")
        .map(i18n::money);
    let source = match (e.source, e.invoice_id.clone()) {
        (Source::Hoadon, Some(inv)) => view! {
            <Link to=Route::Invoice(inv)>{move || t("bk.source.hoadon")}</Link>
        }
        .into_any(),
        _ => view! { {move || t("bk.source.imported")}" "{e.file_name.clone()} }.into_any(),
    };
    let actions = e.actions.clone();
    let warnings = e.warnings.clone();
    let conflicts = e.conflicts.clone();
    let recordings = e.recordings.clone();
    view! {
        <h1 id="entry-title">{invoice_title(&e.key)}</h1>
        <dl class="facts">
            {fact("issue_date", "entry-date", view! { {move || i18n::date(lang(), &date)} }.into_any())}
            {fact("seller", "entry-seller", e.key.seller_tax_id.clone().into_any())}
            {fact("buyer", "entry-buyer", buyer.into_any())}
            {fact("bk.amounts", "entry-amounts", money_line.into_any())}
            {rate.map(|r| fact("bk.rate", "entry-rate", r.into_any()))}
            {fact("bk.platform", "entry-platform", view! {
                <span class=format!("badge {}", texts::code(platform))>{move || t(platform)}</span>
                {related.map(|r| view! { " "{move || t("bk.related")}" "{r.clone()}})}
                {e.cancelled_on.clone().map(|d| view! { " "{move || t("bk.cancelled_on")}" "{d.clone()}})}
            }.into_any())}
            {fact("bk.workflow", "entry-workflow", view! {
                <span class=format!("badge wf-{}", texts::code(workflow)) data-workflow=texts::code(workflow)>
                    {move || t(workflow)}</span>
                " "{move || t(if in_books { "bk.in_books" } else { "bk.not_in_books" })}
            }.into_any())}
            {fact("bk.vouchers", "entry-vouchers", numbers.into_any())}
            {e.authority_code.clone().map(|c| fact("bk.code", "entry-code", c.into_any()))}
            {fact("signature", "entry-signature", view! { {move || t(signature_key(e.seller_signature))} }.into_any())}
            {fact("bk.source", "entry-source", source)}
        </dl>
        {(!warnings.is_empty()).then(|| view! {
            <h2>{move || t("bk.warnings")}</h2>
            <ul class="warnings" id="entry-warnings">
                {warnings.into_iter().map(|d| {
                    let (code, path) = (d.code.clone(), d.path.clone());
                    view! { <li data-code=code>{move || message(&d, lang()).to_owned()}" "<code>{path}</code></li> }
                }).collect_view()}
            </ul>
        })}
        {(!conflicts.is_empty()).then(|| view! {
            <h2>{move || t("bk.conflicts")}</h2>
            <p class="hint">{move || t("bk.conflicts.hint")}</p>
            <ul id="entry-conflicts">
                {conflicts.into_iter().map(|c| view! {
                    <li>{c.file_name.clone()}" · "{move || i18n::datetime(lang(), c.at)}" · "<code>{c.data_digest.get(..12).unwrap_or_default().to_owned()}</code></li>
                }).collect_view()}
            </ul>
        })}
        {(!recordings.is_empty()).then(|| view! {
            <h2>{move || t("bk.recordings")}</h2>
            <ul id="entry-recordings">
                {recordings.into_iter().map(|r| view! {
                    <li>{move || t(action_key(r.action))}" ("{move || t(platform_key(r.for_status))}"): "
                        {r.vouchers.join(", ")}" · "{r.by.clone()}" · "{move || i18n::datetime(lang(), r.at)}</li>
                }).collect_view()}
            </ul>
        })}
        <div class="actions" id="entry-actions">
            {if actions.is_empty() {
                view! { <p class="hint" id="entry-done">{move || t("bk.nothing")}</p> }.into_any()
            } else {
                actions.into_iter().map(|a| view! {
                    <button type="button" class="primary" id=format!("action-{}", texts::code(action_key(a)))
                        disabled=move || asking.get() on:click=move |_| choose.run(a)>
                        {move || t(action_key(a))}</button>
                }).collect_view().into_any()
            }}
        </div>
    }
}
