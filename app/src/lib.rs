//! hoadon's web app (Leptos, client-side rendering, compiled to wasm32).
//!
//! Screens: home, invoices (list, detail), the invoice editor, catalogs, series, the company
//! profile, the signing certificates (`certificates/`), an invoice's corrections and the buyer's
//! confirmation page (`corrections/`), and the tax authority's (outbox, registration, 04/SS
//! notices: [`authority`]), the accountant's books (#18: [`books`]) and sales orders (#19:
//! [`orders`]). The rarely opened ones (catalogs, the authority's, series, profile, certificates,
//! token signing, corrections, the books, the orders) are a module of their own ([`lazy`]). The editor keeps
//! the draft as what a client may send (`DraftInput`), composes it with
//! the company profile's seller as the server will, and runs `hoadon_core::check` on every
//! change: the totals per tax rate, the grand total and the amount in words on screen are
//! computed by the very code the server signs with. Drafts live on the device first ([`drafts`]:
//! IndexedDB, one database per tenant and user, synced with client ids and idempotency keys); a
//! service worker (`app/static/sw.js`) keeps the app itself available offline.

mod access_tokens;
mod api;
mod auth;
pub mod authority;
mod books;
mod catalogs;
mod certificates;
mod corrections;
mod db;
mod delivery;
mod drafts;
mod editor;
mod home;
mod i18n;
mod invoices;
mod kept;
pub mod lazy;
mod orders;
mod poll;
mod profile;
mod route;
mod series;
mod token;
mod typeahead;

use leptos::prelude::*;
use route::{Link, Route, Router};

pub use i18n::Lang;

/// The signed-in session: the bearer token, kept in `localStorage` so a reload (also offline)
/// stays signed in; who it names; and the language.
#[derive(Clone, Copy)]
pub struct Session {
    pub token: RwSignal<Option<String>>,
    pub lang: RwSignal<Lang>,
    /// The token's claims (read, not verified: see [`auth::claims`]).
    pub who: Memo<Option<auth::Claims>>,
}

impl Session {
    /// A session for `token` (the app's, or the one the app hands the screens module).
    pub fn new(token: Option<String>, lang: Lang) -> Session {
        let token = RwSignal::new(token);
        Session {
            token,
            lang: RwSignal::new(lang),
            who: Memo::new(move |_| token.with(|t| t.as_deref().and_then(auth::claims))),
        }
    }

    /// The signed-in user's device database (tracked).
    pub fn partition(&self) -> Option<String> {
        self.who.with(|w| w.as_ref().map(auth::Claims::partition))
    }

    /// `None` too once the session is gone: a screens module's answer may arrive after its
    /// screen was left (see [`lazy`]).
    pub fn partition_untracked(&self) -> Option<String> {
        self.who
            .try_with_untracked(|w| w.as_ref().map(auth::Claims::partition))
            .flatten()
    }

    /// Whether the signed-in user is an admin (tracked): only admins edit the company profile.
    pub fn is_admin(&self) -> bool {
        self.who
            .with(|w| w.as_ref().is_some_and(|c| c.role == auth::Role::Admin))
    }

    /// Whether the signed-in user deals with the tax authority (tracked): admins and
    /// accountants see the outbox and notices and may retry a message; the server checks again.
    pub fn is_accounting(&self) -> bool {
        self.who.with(|w| {
            w.as_ref()
                .is_some_and(|c| matches!(c.role, auth::Role::Admin | auth::Role::Accountant))
        })
    }
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Where the token comes from: the hosted UI on AWS, `POST /api/login` locally.
#[derive(Clone, Copy)]
struct SignInMode {
    cognito: RwSignal<Option<auth::CognitoConfig>>,
    error: RwSignal<Option<String>>,
}

#[component]
fn SignIn(session: Session, mode: SignInMode) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let hosted = move |_| {
        if let Some(cfg) = mode.cognito.get_untracked()
            && let Err(e) = auth::start(&cfg)
        {
            mode.error.set(Some(e));
        }
    };
    view! {
        <Show when=move || mode.cognito.get().is_some() fallback=move || view! { <LocalSignIn session /> }>
            <section class="card signin">
                <h1>{move || t("signin.title")}</h1>
                <p>{move || t("signin.hosted")}</p>
                <p class="error" role="alert">{move || mode.error.get()}</p>
                <button type="button" class="primary" on:click=hosted>{move || t("signin.submit")}</button>
            </section>
        </Show>
    }
}

#[component]
fn LocalSignIn(session: Session) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let t = move |k| i18n::text(session.lang.get(), k);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::login(&e, &p).await {
                Ok(answer) => {
                    if let Some(s) = storage() {
                        let _ = s.set_item("hoadon.token", &answer.token);
                    }
                    error.set(None);
                    session.token.set(Some(answer.token));
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
            <button type="submit" class="primary">{move || t("signin.submit")}</button>
        </form>
    }
}

/// The connection and the drafts waiting for it, always visible.
#[component]
fn Connection(session: Session) -> impl IntoView {
    let ob = drafts::outbox();
    let t = move |k| i18n::text(session.lang.get(), k);
    // Counted once per change of the drafts (every keystroke in the editor), read three times.
    let waiting = Memo::new(move |_| ob.waiting());
    view! {
        <p id="connection" class="connection" role="status"
            data-online=move || ob.online.get().to_string() data-waiting=move || waiting.get().to_string()>
            <span class=move || if ob.online.get() { "dot on" } else { "dot off" } aria-hidden="true"></span>
            {move || t(if ob.online.get() { "online" } else { "offline" })}
            <Show when=move || { waiting.get() > 0 }>
                " · "{move || format!("{} {}", waiting.get(), t("waiting.count"))}
            </Show>
        </p>
        {move || ob.storage_error.get().map(|e| view! { <p class="error" role="alert">{t("storage.error")}" "{e}</p> })}
    }
}

#[component]
pub fn App() -> impl IntoView {
    let saved = storage().and_then(|s| s.get_item("hoadon.token").ok().flatten());
    let lang = storage()
        .and_then(|s| s.get_item("hoadon.lang").ok().flatten())
        .map_or(Lang::Vi, |l| if l == "en" { Lang::En } else { Lang::Vi });
    let session = Session::new(saved, lang);
    provide_context(session);
    lazy::follow_sign_out(session);
    let mode = SignInMode {
        cognito: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    leptos::task::spawn_local(async move {
        let Some(cfg) = auth::config().await else {
            return;
        };
        mode.cognito.set(Some(cfg.clone()));
        match auth::finish(&cfg).await {
            Some(Ok(token)) => {
                if let Some(s) = storage() {
                    let _ = s.set_item("hoadon.token", &token);
                }
                session.token.set(Some(token));
            }
            Some(Err(e)) => mode.error.set(Some(e)),
            None => {}
        }
    });
    let router = Router::install();
    // A user left (signed out, or the token expired): leave the screen too, so the next user
    // does not open, under the previous user's draft id, a draft of their own.
    Effect::new(move |prev: Option<Option<String>>| {
        let part = session.partition();
        if prev.flatten().is_some_and(|p| Some(p) != part) {
            router.replace(Route::Home);
        }
        part
    });
    let ob = drafts::Outbox::install(session);
    catalogs::CatalogCache::install(session, ob.online);
    kept::Device::install(session, ob.online);
    Effect::new(move |_| {
        let l = session.lang.get();
        if let Some(s) = storage() {
            let _ = s.set_item("hoadon.lang", if l == Lang::En { "en" } else { "vi" });
        }
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", if l == Lang::En { "en" } else { "vi" });
        }
    });
    let t = move |k| i18n::text(session.lang.get(), k);
    // Drafts not yet on the server stay in this user's database; signing out says so first.
    let sign_out = move |_| {
        let waiting = untrack(|| ob.waiting());
        if waiting > 0 {
            let user = session
                .who
                .with_untracked(|w| w.as_ref().map(|c| c.user.clone()))
                .unwrap_or_default();
            let msg = i18n::sign_out_warning(session.lang.get_untracked(), waiting, &user);
            let sure =
                web_sys::window().is_some_and(|w| w.confirm_with_message(&msg).unwrap_or(false));
            if !sure {
                return;
            }
        }
        ob.flush();
        if let Some(s) = storage() {
            let _ = s.remove_item("hoadon.token");
        }
        session.token.set(None);
    };
    let nav = move |to: Route, key: &'static str| {
        let here = to.clone();
        let current = move || {
            let r = router.0.get();
            let same = match (&r, &here) {
                (Route::Invoice(_) | Route::Revise(_), Route::Invoices) => true,
                (Route::Catalog(_), Route::Catalog(_)) => true,
                (Route::Outbox(_), Route::Outbox(_)) => true,
                (Route::Order(_) | Route::NewOrder | Route::OrderSettings, Route::Orders) => true,
                (a, b) => a == b,
            };
            same.then_some("page")
        };
        view! { <Link to=to><span aria-current=current>{move || t(key)}</span></Link> }
    };
    let screen = move || {
        let route = router.0.get();
        match route {
            Route::Home => view! { <home::Home session /> }.into_any(),
            Route::Invoices => view! { <invoices::InvoiceList session /> }.into_any(),
            Route::Invoice(id) => view! { <invoices::InvoiceDetail session id /> }.into_any(),
            Route::Edit(id) => view! { <editor::Editor session id /> }.into_any(),
            Route::Revise(id) => view! { <editor::Editor session id revise=true /> }.into_any(),
            // The screens opened rarely are a module of their own, loaded when first opened.
            route if lazy::is_lazy(&route) => {
                view! { <lazy::LazyScreen session route /> }.into_any()
            }
            _ => view! {
                <section class="card"><h1>{move || t("notfound")}</h1>
                    <Link to=Route::Home>{move || t("home")}</Link></section>
            }
            .into_any(),
        }
    };
    view! {
        <a class="skip" href="#main">{move || t("skip")}</a>
        <header>
            <strong>"hoadon"</strong>
            <Show when=move || session.token.get().is_some()>
                <nav class="main-nav" aria-label=move || t("menu")>
                    {nav(Route::Home, "home")}
                    {nav(Route::Invoices, "invoices")}
                    // Admins, accountants and sales: every role the app signs in.
                    {nav(Route::Orders, "nav.orders")}
                    {nav(Route::Catalog("customers".into()), "catalogs")}
                    {nav(Route::Series, "series")}
                    {nav(Route::Profile, "profile")}
                    // The tax authority's screens, for those who deal with it.
                    {move || session.is_accounting().then(|| view! {
                        {nav(Route::Outbox(None), "nav.outbox")}
                        {nav(Route::Registration, "nav.registration")}
                        {nav(Route::Notices, "nav.notices")}
                        {nav(Route::AccessTokens, "nav.tokens")}
                        {nav(Route::Token, "nav.token")}
                        {nav(Route::Certificates, "nav.certificates")}
                        {nav(Route::Books, "nav.books")}
                        {nav(Route::Vouchers, "nav.vouchers")}
                        {nav(Route::Reports, "nav.reports")}
                    })}
                </nav>
            </Show>
            <Connection session />
            <button type="button" class="link" on:click=move |_| session.lang.update(|l| *l = l.other())>
                {move || t("lang.switch")}
            </button>
            <Show when=move || session.token.get().is_some()>
                <button type="button" class="link" on:click=sign_out>{move || t("signout")}</button>
            </Show>
        </header>
        <main id="main">
            // The buyer's confirmation page and the lookup need no sign-in.
            <Show when=move || session.token.get().is_some() || router.0.with(Route::is_public)
                fallback=move || view! { <SignIn session mode /> }>
                {screen}
            </Show>
        </main>
    }
}

/// The app's entry point; the screens module (feature `screens`) has `lazy::mount` instead.
#[cfg_attr(not(feature = "screens"), wasm_bindgen::prelude::wasm_bindgen(start))]
pub fn start() {
    leptos::mount::mount_to_body(App);
}
