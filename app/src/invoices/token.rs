//! An invoice issued in token mode, on its detail screen (#15): while it waits for the USB
//! token's signature, a banner says what to do — the server will never sign it with another
//! key, so without this the invoice would look stuck — and offers to withdraw it to a draft
//! (possible only before a signing session numbered it).

use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use gloo_net::http::Method;
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::{SigningMode, Status};
use leptos::prelude::*;

/// Whether the invoice waits for a token's signature: frozen without a number, or claimed
/// (numbered) by a session that has not posted its signature yet.
pub fn awaits_token(rec: &InvoiceView) -> bool {
    match rec.status {
        Status::AwaitingToken => true,
        Status::Numbered => rec.signing_mode == SigningMode::Token,
        _ => false,
    }
}

/// The banner; `changed` runs once the invoice was withdrawn (the screen loads it again).
#[component]
pub fn TokenBanner(session: Session, rec: InvoiceView, changed: Callback<()>) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    if !awaits_token(&rec) {
        return ().into_any();
    }
    let frozen = rec.status == Status::AwaitingToken;
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(rec.id);
    let withdraw = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{}/withdraw", id.get_value());
            match api::send(session, Method::POST, &path, &[], Payload::None).await {
                Ok(_) => changed.run(()),
                Err(r) => error.set(Some(r.message)),
            }
            busy.try_set(false);
        });
    };
    view! {
        <section class="token-banner" id="awaiting-token" role="status">
            <h2>{move || t("token.banner")}</h2>
            <p>{move || t(if frozen { "token.banner.explain" } else { "token.claimed.explain" })}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="actions">
                <Show when=move || frozen>
                    <button type="button" id="withdraw" disabled=move || busy.get()
                        on:click=withdraw>{move || t("token.withdraw")}</button>
                </Show>
            </div>
        </section>
    }
    .into_any()
}
