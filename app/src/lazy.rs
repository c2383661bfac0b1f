//! The screens opened rarely — the tax authority's (outbox, registration, 04/SS notices), the
//! set-up ones (catalogs, series, company profile, personal access tokens, certificates), token signing,
//! an invoice's corrections, the buyer's public confirmation page, a series' print template and
//! the public lookup page (#17), the books, vouchers and reports (#18) — are a wasm
//! module of their own,
//! `hoadon-screens`: this crate built again with the feature `screens` (`app/build`), whose one
//! export, [`mount`], shows one of them. `index.html`'s `window.hoadonScreens` imports it the
//! first time one is opened, as the signature verifier is: the first load (home, invoices, the
//! editor) stays within its budget (ARCHITECTURE.md).
//!
//! The two modules share no memory. The app hands over the screen's path, the token and the
//! language, and the module builds its own session, router and kept resources from them (the
//! token's claims, the user's IndexedDB). Links in the module push the address and announce it
//! with a `popstate` event, which the app's router follows; a token the server refused is
//! announced with [`SIGNED_OUT_EVENT`], which signs the app out; when a screen is left, the app
//! reads its kept profile and series again (the module may have changed them), and after a
//! catalog screen or the books (which create customers and products in place) its copy of
//! customers and products.

use crate::i18n::Lang;
use crate::route::Route;
use crate::{Session, kept};
use leptos::prelude::*;

/// The event the screens module fires on `window` when the server refused the token (`401`).
pub const SIGNED_OUT_EVENT: &str = "hoadon-signed-out";

/// Whether a route's screen is in the screens module.
pub fn is_lazy(route: &Route) -> bool {
    matches!(
        route,
        Route::Catalog(_)
            | Route::Outbox(_)
            | Route::Registration
            | Route::Notices
            | Route::Series
            | Route::Profile
            | Route::AccessTokens
            | Route::Token
            | Route::Certificates
            | Route::Corrections(_)
            | Route::Confirm
            | Route::Delivery(_)
            | Route::Template(_)
            | Route::Lookup(_)
            | Route::Books
            | Route::Vouchers
            | Route::Reports
            | Route::Orders
            | Route::Order(_)
            | Route::NewOrder
            | Route::OrderSettings
    )
}

/// Calls `window.hoadonScreens[name](args…)` (`index.html`), which owns the one mounted screen:
/// `show(el, path, token, lang)` mounts one (freeing the one before), `hide()` frees it. `show`
/// answers a promise settled once the module is loaded and the screen mounted.
fn call(
    name: &str,
    args: &web_sys::js_sys::Array,
) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    use web_sys::js_sys::{Function, Reflect};
    let window = web_sys::window().ok_or(wasm_bindgen::JsValue::NULL)?;
    let screens = Reflect::get(&window, &"hoadonScreens".into())?;
    let f: Function = Reflect::get(&screens, &name.into())?.dyn_into()?;
    f.apply(&screens, args)
}

fn lang_code(lang: Lang) -> &'static str {
    if lang == Lang::En { "en" } else { "vi" }
}

/// Where a screen of the module is shown (in the app): mounted once the module is loaded, again
/// when the language or the user changes, freed when the screen is left.
#[component]
pub fn LazyScreen(session: Session, route: Route) -> impl IntoView {
    let t = move |k| crate::i18n::text(session.lang.get(), k);
    let device = kept::device();
    let host = NodeRef::<leptos::html::Div>::new();
    let failed = RwSignal::new(false);
    // The buyer's confirmation page and the lookup are shown without a sign-in.
    let public = route.is_public();
    // The orders' screens too: invoicing may create catalog entries (`unknown_codes: create`).
    let catalog = matches!(
        route,
        Route::Catalog(_) | Route::Books | Route::Order(_) | Route::OrderSettings
    );
    let path = route.path();
    Effect::new(move |_| {
        let lang = lang_code(session.lang.get());
        let token = match session.token.get() {
            Some(t) => t,
            None if public => String::new(),
            None => return,
        };
        let Some(el) = host.get() else {
            return;
        };
        let args =
            web_sys::js_sys::Array::of4(&el, &path.as_str().into(), &token.into(), &lang.into());
        let shown = call("show", &args)
            .and_then(wasm_bindgen::JsCast::dyn_into::<web_sys::js_sys::Promise>);
        leptos::task::spawn_local(async move {
            let done = match shown {
                Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                Err(_) => false,
            };
            if !done {
                failed.try_set(true);
            }
        });
    });
    let catalogs = crate::catalogs::cache();
    on_cleanup(move || {
        let _ = call("hide", &web_sys::js_sys::Array::new());
        leptos::task::spawn_local(device.profile.refresh(session));
        leptos::task::spawn_local(device.series.refresh(session));
        // The editor's look-ups search the app's copy of customers and products.
        if catalog {
            leptos::task::spawn_local(async move {
                for kind in ["customers", "products"] {
                    catalogs.refresh(session, kind).await;
                }
            });
        }
    });
    // The module replaces what is inside when it mounts the screen.
    view! {
        <div node_ref=host class="lazy-screen">
            <p class="card" id="lazy-loading">{move || t(if failed.get() { "unreachable" } else { "loading" })}</p>
        </div>
    }
}

/// The screens module signs the app out when the server refused the token.
pub fn follow_sign_out(session: Session) {
    use wasm_bindgen::JsCast;
    let out = wasm_bindgen::prelude::Closure::<dyn Fn()>::new(move || session.token.set(None));
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback(SIGNED_OUT_EVENT, out.as_ref().unchecked_ref());
    }
    out.forget();
}

/// The screen at `path` (in the module), in the module's own reactive world: a session from the
/// app's token and language, a router whose links the app follows, the user's kept resources,
/// and the app told when the server refused the token.
pub fn screen(path: &str, token: String, lang: Lang) -> impl IntoView + use<> {
    let route = Route::parse(path);
    // The public pages: nobody is signed in, nothing of a user's is read or kept.
    match &route {
        Route::Confirm => return view! { <crate::corrections::PublicConfirm lang /> }.into_any(),
        Route::Lookup(tenant) => {
            let tenant = tenant.clone();
            return view! { <crate::delivery::Lookup tenant lang /> }.into_any();
        }
        _ => {}
    }
    let session = Session::new(Some(token), lang);
    provide_context(session);
    crate::route::Router::install();
    kept::Device::install(session, RwSignal::new(true));
    Effect::new(move |_| {
        if session.token.with(Option::is_none)
            && let Some(w) = web_sys::window()
            && let Ok(e) = web_sys::Event::new(SIGNED_OUT_EVENT)
        {
            let _ = w.dispatch_event(&e);
        }
    });
    use crate::{authority as a, profile, series};
    match route {
        Route::Catalog(kind) => {
            view! { <crate::catalogs::CatalogScreen session kind /> }.into_any()
        }
        Route::Outbox(state) => view! { <a::OutboxScreen session state /> }.into_any(),
        Route::Registration => view! { <a::RegistrationScreen session /> }.into_any(),
        Route::Notices => view! { <a::NoticesScreen session /> }.into_any(),
        Route::Series => view! { <series::SeriesScreen session /> }.into_any(),
        Route::Profile => view! { <profile::ProfileScreen session /> }.into_any(),
        Route::AccessTokens => {
            view! { <crate::access_tokens::AccessTokensScreen session /> }.into_any()
        }
        Route::Token => view! { <crate::token::TokenScreen session /> }.into_any(),
        Route::Certificates => {
            view! { <crate::certificates::CertificatesScreen session /> }.into_any()
        }
        Route::Corrections(id) => {
            view! { <crate::corrections::CorrectionsScreen session id /> }.into_any()
        }
        Route::Delivery(id) => view! { <crate::delivery::DeliveryPanel session id /> }.into_any(),
        Route::Template(series) => {
            view! { <crate::delivery::TemplateScreen session series /> }.into_any()
        }
        Route::Books => view! { <crate::books::BooksScreen session /> }.into_any(),
        Route::Vouchers => view! { <crate::books::VouchersScreen session /> }.into_any(),
        Route::Reports => view! { <crate::books::ReportsScreen session /> }.into_any(),
        Route::Orders => view! { <crate::orders::OrdersScreen session /> }.into_any(),
        Route::Order(id) => view! { <crate::orders::OrderScreen session id /> }.into_any(),
        Route::NewOrder => view! { <crate::orders::NewOrderScreen session /> }.into_any(),
        Route::OrderSettings => view! { <crate::orders::OrderSettingsScreen session /> }.into_any(),
        _ => ().into_any(),
    }
}

/// A screen mounted by the app; `free()` (from the app) unmounts it. The field is only held:
/// dropping Leptos's unmount handle is what takes the screen away.
#[cfg(feature = "screens")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub struct Mounted(#[expect(dead_code, reason = "held to be dropped")] Box<dyn std::any::Any>);

/// The screens module's export: mounts the screen at `path` in `el` for the holder of `token`,
/// in `lang` (`vi` or `en`).
#[cfg(feature = "screens")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(el: web_sys::HtmlElement, path: &str, token: String, lang: &str) -> Mounted {
    let lang = if lang == "en" { Lang::En } else { Lang::Vi };
    let path = path.to_owned();
    Mounted(Box::new(leptos::mount::mount_to(el, move || {
        screen(&path, token, lang)
    })))
}
