//! What the tax authority said about an invoice, on its detail screen: the code (MCCQT), the
//! TEST marker of the local simulator's answers, the refusal's errors and the way out of a
//! refusal (fix and re-send under the same number), and whether the buyer may have it yet.

use crate::Session;
use crate::catalogs::detail_message;
use crate::i18n;
use crate::route::{Link, Route};
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::{Event, Status};
use leptos::prelude::*;

/// Whether invoices of this symbol are coded by the authority (`C…`; `K…` are not).
pub fn coded_series(symbol: &str) -> bool {
    symbol.starts_with('C')
}

/// Whether the invoice is waiting on someone else: the sweep's signature or the authority's
/// answer. The detail screen asks the server again while it is.
pub fn pending(status: Status) -> bool {
    status == Status::Numbered || status.awaits_authority()
}

/// The "tax authority" block of an issued invoice (nothing for a draft).
#[component]
pub fn AuthorityBlock(session: Session, rec: InvoiceView) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let status = rec.status;
    if !status.is_issued() {
        return ().into_any();
    }
    let a = rec.authority.clone().unwrap_or_default();
    // Legal delivery follows the state machine's rule: a C invoice once coded, a K one once signed.
    let deliverable = status.deliverable(coded_series(&rec.document.symbol));
    let errors = a.errors.clone();
    let id = rec.id.clone();
    view! {
        <section class="authority" id="authority" aria-labelledby="authority-title">
            <h2 id="authority-title">{move || t("authority")}</h2>
            {a.test.then(|| view! {
                <p class="test-mark" id="authority-test" role="note">{move || t("authority.test")}</p>
                <p class="hint">{move || t("authority.test.explain")}</p>
            })}
            {a.code.clone().map(|code| view! {
                <dl class="facts"><div><dt>{move || t("authority.code")}</dt>
                    <dd id="authority-code">{code}</dd></div></dl>
            })}
            <p id="deliverable" data-deliverable=deliverable.to_string()
                class=if deliverable { "status" } else { "hint" }>
                {move || t(if deliverable { "deliverable" } else { "deliverable.not" })}
            </p>
            {status.awaits_authority().then(|| view! {
                <p class="hint" id="authority-waiting" role="status">{move || t("authority.waiting")}</p>
            })}
            {(!errors.is_empty()).then(|| view! {
                <p class="error">{move || t("authority.errors")}</p>
                <ul class="errors" id="authority-errors">
                    {errors.into_iter().map(|d| {
                        let path = d.path.clone();
                        view! {
                            <li><code>{path}</code>": "{move || detail_message(&d, session.lang.get()).to_owned()}</li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <div class="actions">
                {status.allows(Event::Revise).then(|| view! {
                    <Link to=Route::Revise(id) class="button primary" id="revise">{move || t("revise")}</Link>
                })}
                {a.outbox_id.is_some().then(|| view! {
                    <Link to=Route::Outbox(None)>{move || t("authority.message")}</Link>
                })}
            </div>
        </section>
    }
    .into_any()
}

/// Issuing was refused with `registration_required`: what is missing and where to fix it.
#[component]
pub fn RegistrationRequired(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    view! {
        <p class="error" id="registration-required" role="alert">
            {move || t("registration.required")}" "
            <Link to=Route::Registration>{move || t("registration.open")}</Link>
        </p>
    }
}
