//! Giving up a correction draft (`POST /api/invoices/{id}/discard`): a replacement drafted by
//! mistake reserves its invoice (nothing else corrects it meanwhile) until it is issued or
//! discarded. The server deletes the draft and its original forgets it in one transaction; the
//! device then forgets its copy, so nothing syncs it back.

use crate::Session;
use crate::api::{self, Payload};
use crate::drafts::outbox;
use crate::i18n;
use crate::route::{Route, router};
use gloo_net::http::Method;
use leptos::prelude::*;

#[component]
pub fn Discard(session: Session, id: String) -> impl IntoView {
    let ob = outbox();
    let router = router();
    let id = StoredValue::new(id);
    let error = RwSignal::new(None::<String>);
    let t = move |k| i18n::text(session.lang.get(), k);
    let on_click = move |_| {
        let lang = session.lang.get_untracked();
        let sure = web_sys::window().is_some_and(|w| {
            w.confirm_with_message(i18n::text(lang, "discard.sure"))
                .unwrap_or(false)
        });
        if !sure {
            return;
        }
        let key = id.get_value();
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{key}/discard");
            match api::send(session, Method::POST, &path, &[], Payload::None).await {
                Ok(_) => {
                    ob.forget(&key);
                    router.go(Route::Invoices);
                }
                Err(r) => {
                    error.try_set(Some(r.message));
                }
            }
        });
    };
    view! {
        <button type="button" id="discard-correction" on:click=on_click>{move || t("discard")}</button>
        <p class="error" role="alert">{move || error.get()}</p>
    }
}
