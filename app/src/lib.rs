//! hoadon's web app (Leptos, client-side rendering, compiled to wasm32).
//!
//! The invoice editor keeps the draft as the public JSON contract (`InvoiceDocument`) and runs
//! `hoadon_core::check` on every change: the totals per tax rate, the grand total and the amount
//! in words on screen are computed by the very code the server signs with, and each finding is
//! shown at the field its path names, in Vietnamese or English.

mod api;
mod editor;
mod i18n;

use leptos::prelude::*;

pub use editor::Editor;
pub use i18n::Lang;

/// The signed-in session: the bearer token, kept in `localStorage` so a reload stays signed in.
#[derive(Clone, Copy)]
pub struct Session {
    pub token: RwSignal<Option<String>>,
    pub lang: RwSignal<Lang>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[component]
fn SignIn(session: Session) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let t = move |k| i18n::text(session.lang.get(), k);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::login(&e, &p).await {
                Ok(token) => {
                    if let Some(s) = storage() {
                        let _ = s.set_item("hoadon.token", &token);
                    }
                    error.set(None);
                    session.token.set(Some(token));
                }
                Err(msg) => error.set(Some(msg)),
            }
        });
    };
    view! {
        <form class="card signin" on:submit=submit>
            <h1>{move || t("signin.title")}</h1>
            <label for="email">{move || t("signin.email")}</label>
            <input id="email" type="email" autocomplete="username" required
                prop:value=move || email.get()
                on:input=move |ev| email.set(event_target_value(&ev)) />
            <label for="password">{move || t("signin.password")}</label>
            <input id="password" type="password" autocomplete="current-password" required
                prop:value=move || password.get()
                on:input=move |ev| password.set(event_target_value(&ev)) />
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit">{move || t("signin.submit")}</button>
        </form>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let saved = storage().and_then(|s| s.get_item("hoadon.token").ok().flatten());
    let session = Session {
        token: RwSignal::new(saved),
        lang: RwSignal::new(Lang::Vi),
    };
    let t = move |k| i18n::text(session.lang.get(), k);
    let sign_out = move |_| {
        if let Some(s) = storage() {
            let _ = s.remove_item("hoadon.token");
        }
        session.token.set(None);
    };
    view! {
        <header>
            <strong>"hoadon"</strong>
            <button class="link" on:click=move |_| session.lang.update(|l| *l = l.other())>
                {move || t("lang.switch")}
            </button>
            <Show when=move || session.token.get().is_some()>
                <button class="link" on:click=sign_out>{move || t("signout")}</button>
            </Show>
        </header>
        <main>
            <Show when=move || session.token.get().is_some()
                fallback=move || view! { <SignIn session /> }>
                <Editor session />
            </Show>
        </main>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(App);
}
