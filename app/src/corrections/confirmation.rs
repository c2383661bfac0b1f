//! The buyer's agreement to a correction: a correction whose buyer has a tax id issues only once
//! the buyer confirmed it or the seller recorded the signed agreement (the server refuses the
//! issue with `correction.awaiting_confirmation` until then). On a correction draft the seller
//! requests it — the buyer's link (`/confirm/<token>`) is in that one answer only, so it is shown
//! to copy at once — records the signed document (a file sent as base64), or revokes it; the
//! state and who did what, when, are shown, and asked again while the buyer has not answered.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use crate::route::{Link, Route};
use base64::Engine;
use gloo_net::http::Method;
use hoadon_core::api::InvoiceView;
use hoadon_core::api::corrections::{ConfirmationView, RecordDocument};
use hoadon_core::corrections::ConfirmationState;
use hoadon_core::lifecycle::Event;
use leptos::prelude::*;
use std::time::Duration;

/// The largest agreement the server records (decoded).
const MAX_DOCUMENT: usize = 2 * 1024 * 1024;

/// The buyer's page as an address to send: the server answers a path (`/confirm#<key>`).
fn absolute(link: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    if link.starts_with('/') {
        format!("{origin}{link}")
    } else {
        link.to_owned()
    }
}

/// Puts `text` on the clipboard (`navigator.clipboard.writeText`; the link stays selectable when
/// the browser refuses).
fn copy(text: &str) -> bool {
    use wasm_bindgen::JsCast;
    use web_sys::js_sys::{Function, Reflect};
    let Some(w) = web_sys::window() else {
        return false;
    };
    let clipboard = Reflect::get(&w.navigator(), &"clipboard".into()).ok();
    let write = clipboard.as_ref().and_then(|c| {
        Reflect::get(c, &"writeText".into())
            .ok()?
            .dyn_into::<Function>()
            .ok()
    });
    match (clipboard, write) {
        (Some(c), Some(f)) => f.call1(&c, &text.into()).is_ok(),
        _ => false,
    }
}

async fn read(file: &web_sys::File) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(web_sys::js_sys::Uint8Array::new(&buf).to_vec())
}

#[component]
pub fn Confirmation(
    session: Session,
    rec: InvoiceView,
    buyer_tax_id: Option<String>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let id = StoredValue::new(rec.id.clone());
    let draft = rec.status.allows(Event::Edit);
    let needed = buyer_tax_id.is_some();
    let current = RwSignal::new(None::<ConfirmationView>);
    // The buyer's link, from the answer that created it (the server keeps only its hash).
    let link = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let file = NodeRef::<leptos::html::Input>::new();
    let load = move || {
        let Some(id) = id.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{id}/confirmation");
            match api::request::<ConfirmationView>(session, Method::GET, &path, &[], Payload::None)
                .await
            {
                Ok(c) => {
                    current.try_set(Some(c));
                }
                // None requested yet: `404`.
                Err(r) if r.code().ends_with("not_found") || r.message == "HTTP 404" => {
                    current.try_set(None);
                }
                Err(r) => {
                    error.try_set(Some(r.shown(session.lang.get_untracked())));
                }
            }
        });
    };
    load();
    // The buyer answers from their own page: asked again while they have not.
    crate::poll::while_open(Duration::from_secs(3), move || {
        let waiting = current.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|c| c.state == ConfirmationState::AwaitingBuyer)
        });
        if waiting {
            load();
        }
    });
    // One request at a time; the answer replaces what is shown.
    let act = move |path: String, body: Option<String>| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let payload = body.as_deref().map_or(Payload::None, Payload::Json);
            match api::request::<ConfirmationView>(session, Method::POST, &path, &[], payload).await
            {
                Ok(c) => {
                    if let Some(l) = &c.link {
                        link.try_set(Some(absolute(l)));
                    }
                    current.try_set(Some(c));
                }
                Err(r) => {
                    error.try_set(Some(r.shown(session.lang.get_untracked())));
                }
            }
            busy.try_set(false);
        });
    };
    let request = move |_| {
        copied.set(false);
        act(
            format!("/api/invoices/{}/confirmation", id.get_value()),
            None,
        );
    };
    let cid = move || current.with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
    let revoke = move |_| {
        let sure = web_sys::window().is_some_and(|w| {
            w.confirm_with_message(texts::text(
                session.lang.get_untracked(),
                "conf.revoke.sure",
            ))
            .unwrap_or(false)
        });
        if let (true, Some(c)) = (sure, cid()) {
            act(format!("/api/confirmations/{c}/revoke"), None);
        }
    };
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = file
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        let (Some(f), Some(c)) = (picked, cid()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            match read(&f).await {
                Some(bytes) if bytes.len() <= MAX_DOCUMENT => {
                    let body = api::json(&RecordDocument {
                        name: f.name(),
                        content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
                    });
                    act(format!("/api/confirmations/{c}/document"), Some(body));
                }
                Some(_) => error.set(Some(texts::text(lang, "conf.too_big").to_owned())),
                None => error.set(Some(i18n::text(lang, "import.unreadable").to_owned())),
            }
        });
    };
    let state_view = move || {
        let c = current.get()?;
        let state = c.state;
        let open = matches!(
            state,
            ConfirmationState::AwaitingBuyer | ConfirmationState::AwaitingSeller
        );
        let revocable = draft && (open || state == ConfirmationState::Confirmed);
        Some(view! {
            <p><span id="confirmation-state" class="badge" data-state=state.as_str()>
                {move || t(texts::confirmation_key(state))}</span>
                " · "{move || t("conf.entered_by")}": "{move || t(texts::side_key(c.entered_by))}</p>
            {c.document.clone().map(|d| view! {
                <p id="confirmation-document">{move || t("conf.document")}": "{d.name.clone()}
                    " ("{d.size}" B, SHA-256 "<code>{d.sha256.clone()}</code>")"</p>
            })}
            <h3>{move || t("conf.history")}</h3>
            <ol class="timeline" id="confirmation-history">
                {c.history.iter().map(|s| {
                    let (state, by, at) = (s.state, s.by, s.at);
                    view! {
                        <li data-state=state.as_str()><strong>{move || t(texts::confirmation_key(state))}</strong>
                            " — "{move || t(texts::side_key(by))}" "{s.actor.clone()}
                            " — "{move || i18n::datetime(lang(), at)}</li>
                    }
                }).collect_view()}
            </ol>
            {(draft && open).then(|| view! {
                <form id="confirmation-record-form" on:submit=record>
                    <label for="confirmation-file">{move || t("conf.file")}</label>
                    <input id="confirmation-file" type="file" required node_ref=file
                        accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/*" />
                    <div class="actions">
                        <button type="submit" id="confirmation-record" disabled=move || busy.get()>
                            {move || t("conf.record")}</button>
                    </div>
                </form>
            })}
            {revocable.then(|| view! {
                <div class="actions">
                    <button type="button" id="confirmation-revoke" disabled=move || busy.get()
                        on:click=revoke>{move || t("conf.revoke")}</button>
                </div>
            })}
        })
    };
    // A new request when none is under way: none yet, or the last one revoked.
    let can_request = move || {
        draft
            && needed
            && current.with(|c| {
                c.as_ref()
                    .is_none_or(|c| c.state == ConfirmationState::Revoked)
            })
    };
    view! {
        <section class="confirmation" id="confirmation" aria-labelledby="confirmation-title">
            <h2 id="confirmation-title">{move || t("conf.title")}</h2>
            <p class="hint">{move || t(if needed { "conf.explain" } else { "conf.individual" })}</p>
            <Show when=move || needed && current.with(Option::is_none)>
                <p class="hint" id="confirmation-none">{move || t("conf.none")}</p>
            </Show>
            {move || link.get().map(|l| {
                let shown = l.clone();
                view! {
                    <div class="field" id="confirmation-link-box">
                        <label for="confirmation-link">{move || t("conf.link")}</label>
                        <input id="confirmation-link" readonly value=shown.clone()
                            on:focus=|ev| { event_target::<web_sys::HtmlInputElement>(&ev).select(); } />
                        <button type="button" id="confirmation-copy"
                            on:click=move |_| copied.set(copy(&l))>
                            {move || t(if copied.get() { "conf.copied" } else { "conf.copy" })}</button>
                    </div>
                }
            })}
            {state_view}
            <div class="actions">
                <Show when=can_request>
                    <button type="button" class="primary" id="confirmation-request" disabled=move || busy.get()
                        on:click=request>{move || t("conf.request")}</button>
                </Show>
                {draft.then(|| view! {
                    <Link to=Route::Edit(id.get_value()) class="button" id="confirmation-open-draft">
                        {move || t("corr.open_draft")}</Link>
                })}
            </div>
            <p class="error" role="alert" id="confirmation-error">{move || error.get()}</p>
        </section>
    }
}
