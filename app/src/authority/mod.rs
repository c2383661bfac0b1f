//! The tax authority's screens: the outbox (every message to the authority and its replies,
//! "retry now"), the 01/ĐKTĐ-HĐĐT registration and the 04/SS notices. Rarely opened, by admins
//! and accountants; what an invoice shows of the authority is on its detail screen
//! ([`crate::invoices::authority`]).
//!
//! Built into a module of their own (feature `authority`, see [`crate::lazy`]): `mount` is
//! that module's one export.

mod notices;
mod outbox;
mod registration;
pub mod texts;

pub use notices::NoticesScreen;
pub use outbox::OutboxScreen;
pub use registration::RegistrationScreen;

use crate::Session;
use crate::lazy::{Handoff, SIGNED_OUT_EVENT, Screen};
use hoadon_core::api::authority::OutboxState;
use leptos::prelude::*;

/// The screen the app handed over, in this module's own reactive world: a session made from
/// the app's token and language, a router whose links the app follows, and the app told when
/// the server refused the token.
pub fn screen(h: Handoff) -> impl IntoView {
    let session = Session::new(Some(h.token.clone()), h.lang());
    provide_context(session);
    crate::route::Router::install();
    Effect::new(move |_| {
        if session.token.with(Option::is_none)
            && let Some(w) = web_sys::window()
            && let Ok(e) = web_sys::Event::new(SIGNED_OUT_EVENT)
        {
            let _ = w.dispatch_event(&e);
        }
    });
    match h.screen {
        Screen::Outbox(state) => view! { <OutboxScreen session state /> }.into_any(),
        Screen::Registration => view! { <RegistrationScreen session /> }.into_any(),
        Screen::Notices => view! { <NoticesScreen session /> }.into_any(),
    }
}

/// A screen mounted by the app; `free()` (from the app) unmounts it. The field is only held:
/// dropping Leptos's unmount handle is what takes the screen away.
#[cfg(feature = "authority")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub struct Mounted(#[expect(dead_code, reason = "held to be dropped")] Box<dyn std::any::Any>);

/// The screens module's export: mounts the screen `handoff` (a [`Handoff`] as JSON) names in
/// `el`.
#[cfg(feature = "authority")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(el: web_sys::HtmlElement, handoff: &str) -> Result<Mounted, wasm_bindgen::JsValue> {
    let h: Handoff = serde_json::from_str(handoff)
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
    Ok(Mounted(Box::new(leptos::mount::mount_to(el, move || {
        screen(h)
    }))))
}

/// The label key of a message kind (`MLTDiep`): what is sent and what comes back.
pub fn kind_key(kind: u16) -> &'static str {
    match kind {
        100 => "kind.100",
        102 => "kind.102",
        103 => "kind.103",
        200 => "kind.200",
        202 => "kind.202",
        203 => "kind.203",
        204 => "kind.204",
        300 => "kind.300",
        301 => "kind.301",
        999 => "kind.999",
        _ => "kind.other",
    }
}

pub fn outbox_state_key(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Queued => "outbox.state.queued",
        OutboxState::AwaitingReply => "outbox.state.awaiting_reply",
        OutboxState::Done => "outbox.state.done",
        OutboxState::NeedsAttention => "outbox.state.needs_attention",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use texts::text;

    #[test]
    fn every_kind_and_state_has_words_in_both_languages() {
        let kinds = [100, 102, 103, 200, 202, 203, 204, 300, 301, 999, 1];
        let keys = kinds
            .map(kind_key)
            .into_iter()
            .chain(OutboxState::ALL.map(outbox_state_key));
        for k in keys {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(text(lang, k), k, "{k} has no words");
            }
        }
    }
}
