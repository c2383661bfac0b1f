//! The tax authority's screens (outbox, registration, 04/SS notices) are rarely opened, so they
//! are a wasm module of their own, `hoadon-authority`: this crate built again with the feature
//! `authority` (`app/build`), whose one export mounts a screen ([`crate::authority::mount`]).
//! `index.html`'s `window.hoadonAuthority` imports it the first time one is opened — the same
//! pattern as the signature verifier — which keeps ~30 KB brotli out of the first load.
//!
//! The two modules share no memory: the app hands over what the screen needs as a [`Handoff`]
//! (serde JSON), mounts it in an element it owns and frees it when the screen is left or the
//! language changes. Links in the screen push the address and announce it with a `popstate`
//! event, which the app's router follows; a refused token is announced with
//! [`SIGNED_OUT_EVENT`], which signs the app out.

use crate::Session;
use crate::i18n::Lang;
use hoadon_core::api::authority::OutboxState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The event the screens module fires on `window` when the server refused the token (`401`).
pub const SIGNED_OUT_EVENT: &str = "hoadon-signed-out";

/// Which screen of the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Screen {
    Outbox(Option<OutboxState>),
    Registration,
    Notices,
}

/// What the app hands the screens module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub screen: Screen,
    /// The bearer token (the module reads who it names as the app does: `auth::claims`).
    pub token: String,
    pub en: bool,
}

impl Handoff {
    pub fn lang(&self) -> Lang {
        if self.en { Lang::En } else { Lang::Vi }
    }
}

mod host {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    /// Mount numbers, unique across screens (0: none yet).
    static NEXT: AtomicU64 = AtomicU64::new(1);
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Function, Promise, Reflect};

    thread_local! {
        /// The other module's `Mounted` objects by mount number (a `JsValue` cannot sit in the
        /// `Send` state a cleanup needs; the browser has one thread).
        static MOUNTED: RefCell<HashMap<u64, JsValue>> = RefCell::new(HashMap::new());
    }

    /// Which mount is current and whether the screen was left.
    #[derive(Default)]
    struct State {
        generation: u64,
        left: bool,
    }

    /// Unmounts mount `n` of the other module (its `Mounted.free()`), if it is there.
    fn free(n: u64) {
        let Some(handle) = MOUNTED.with(|m| m.borrow_mut().remove(&n)) else {
            return;
        };
        if let Ok(f) = Reflect::get(&handle, &"free".into()).and_then(|f| f.dyn_into::<Function>())
        {
            let _ = f.call0(&handle);
        }
    }

    async fn mount(el: web_sys::HtmlElement, handoff: &str) -> Result<JsValue, JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let load: Function = Reflect::get(&window, &"hoadonAuthority".into())?.dyn_into()?;
        let promise: Promise = load.call2(&window, &el, &handoff.into())?.dyn_into()?;
        wasm_bindgen_futures::JsFuture::from(promise).await
    }

    /// Where a screen of the module is shown: mounted once the module is loaded, again when
    /// the language or the user changes, unmounted when the screen is left.
    #[component]
    pub fn LazyScreen(session: Session, screen: Screen) -> impl IntoView {
        let t = move |k| crate::i18n::text(session.lang.get(), k);
        let host = NodeRef::<leptos::html::Div>::new();
        let state = Arc::new(Mutex::new(State::default()));
        let loaded = RwSignal::new(false);
        let failed = RwSignal::new(None::<String>);
        let on_leave = state.clone();
        on_cleanup(move || {
            let mut s = on_leave.lock().expect("not poisoned");
            s.left = true;
            free(s.generation);
        });
        Effect::new(move |_| {
            let en = session.lang.get() == Lang::En;
            let (Some(token), Some(el)) = (session.token.get(), host.get()) else {
                return;
            };
            let generation = {
                let mut s = state.lock().expect("not poisoned");
                free(s.generation);
                s.generation = NEXT.fetch_add(1, Ordering::Relaxed);
                s.generation
            };
            let handoff = Handoff {
                screen: screen.clone(),
                token,
                en,
            };
            let json = serde_json::to_string(&handoff).expect("a handoff serializes");
            let state = state.clone();
            leptos::task::spawn_local(async move {
                let el: web_sys::HtmlElement = el.into();
                match mount(el, &json).await {
                    Ok(h) => {
                        MOUNTED.with(|m| m.borrow_mut().insert(generation, h));
                        let s = state.lock().expect("not poisoned");
                        // Left, or mounted again meanwhile: this one is not wanted any more.
                        let stale = s.left || s.generation != generation;
                        drop(s);
                        if stale {
                            free(generation);
                        } else {
                            loaded.set(true);
                        }
                    }
                    Err(e) => failed.set(Some(format!("{e:?}"))),
                }
            });
        });
        view! {
            <Show when=move || !loaded.get()>
                <p class="card" id="lazy-loading">{move || failed.get().map_or_else(|| t("loading").to_owned(), |e| format!("{} {e}", t("unreachable")))}</p>
            </Show>
            <div node_ref=host class="lazy-screen"></div>
        }
    }

    /// The screens module signs the app out when the server refused the token.
    pub fn follow_sign_out(session: Session) {
        use wasm_bindgen::prelude::Closure;
        let out = Closure::<dyn Fn()>::new(move || session.token.set(None));
        if let Some(w) = web_sys::window() {
            let _ =
                w.add_event_listener_with_callback(SIGNED_OUT_EVENT, out.as_ref().unchecked_ref());
        }
        out.forget();
    }
}

pub use host::{LazyScreen, follow_sign_out};
