//! The app's screens as paths, with the History API: every screen has a link that survives a
//! reload (the server, CloudFront and the service worker answer deep links with the app).

use hoadon_core::api::authority::OutboxState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Invoices,
    /// One invoice: status history, issue, download, signature status.
    Invoice(String),
    /// The editor on a draft (kept on the device, and on the server once synced).
    Edit(String),
    Catalog(String),
    Series,
    /// The company profile (the seller block of every invoice).
    Profile,
    /// A rejected invoice fixed in the editor and re-sent under its number.
    Revise(String),
    /// The messages to the tax authority, optionally of one state.
    Outbox(Option<OutboxState>),
    /// The 01/ĐKTĐ-HĐĐT registration with the tax authority.
    Registration,
    /// The 04/SS notices about issued invoices.
    Notices,
    /// Personal access tokens (the desktop signer's).
    AccessTokens,
    /// Signing with a USB token: the invoices awaiting it, bundle export and import.
    Token,
    /// The signing certificates: list, register, revoke, the cloud key's certificate request.
    Certificates,
    /// An invoice's corrections (#16): its chain, figures, replace / adjust / notify / cancel,
    /// and on a correction the buyer's confirmation.
    Corrections(String),
    /// The buyer's confirmation page, opened from the link the seller sent (`/confirm#<key>`: the
    /// key stays in the fragment, read by the page itself): no sign-in.
    Confirm,
    /// A deliverable invoice's print, download, share and e-mails (#17), shown in its detail
    /// screen (the screens module's part of it).
    Delivery(String),
    /// A series' print template (#17, admins): fields, preview, versions.
    Template(String),
    /// The public lookup page of a tenant's invoices by their code (#17), the address printed
    /// on invoices (`/lookup/<tenant>#<code>` from the QR): no sign-in.
    Lookup(String),
    /// The books (#18, admins and accountants): the period's invoices, their platform and
    /// workflow status, imports, and each one's vouchers proposed, edited and recorded.
    Books,
    /// The vouchers recorded in a period, their export, and the books' settings.
    Vouchers,
    /// The period's invoice statistics, charted, and their export.
    Reports,
    /// Sales orders (#19): the ERP's and the app's, with what became of them.
    Orders,
    /// One order: its lines, invoices, warnings and failure; Create invoice, Issue now.
    Order(String),
    /// An order entered in the app (`/orders/new`).
    NewOrder,
    /// How orders become invoices, and the ERP codes' mapping to the catalogs.
    OrderSettings,
    NotFound,
}

impl Route {
    /// The pages shown without a sign-in: the buyer's confirmation and the lookup.
    pub fn is_public(&self) -> bool {
        matches!(self, Route::Confirm | Route::Lookup(_))
    }

    pub fn parse(path: &str) -> Route {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        match parts.as_slice() {
            [""] => Route::Home,
            ["invoices"] => Route::Invoices,
            ["invoices", id] if ok(id) => Route::Invoice((*id).into()),
            ["drafts", id] if ok(id) => Route::Edit((*id).into()),
            ["catalogs", kind] if hoadon_core::catalog::fields(kind).is_some() => {
                Route::Catalog((*kind).into())
            }
            ["series"] => Route::Series,
            ["profile"] => Route::Profile,
            ["invoices", id, "revise"] if ok(id) => Route::Revise((*id).into()),
            ["outbox"] => Route::Outbox(None),
            ["outbox", state] => {
                match OutboxState::ALL.into_iter().find(|s| s.as_str() == *state) {
                    Some(s) => Route::Outbox(Some(s)),
                    None => Route::NotFound,
                }
            }
            ["registration"] => Route::Registration,
            ["notices"] => Route::Notices,
            ["access-tokens"] => Route::AccessTokens,
            ["token"] => Route::Token,
            ["certificates"] => Route::Certificates,
            ["invoices", id, "corrections"] if ok(id) => Route::Corrections((*id).into()),
            ["confirm"] => Route::Confirm,
            ["invoices", id, "delivery"] if ok(id) => Route::Delivery((*id).into()),
            ["series", series, "template"] if ok(series) => Route::Template((*series).into()),
            ["lookup", tenant] if ok(tenant) => Route::Lookup((*tenant).into()),
            ["books"] => Route::Books,
            ["vouchers"] => Route::Vouchers,
            ["reports"] => Route::Reports,
            ["orders"] => Route::Orders,
            ["orders", "new"] => Route::NewOrder,
            ["orders", "settings"] => Route::OrderSettings,
            ["orders", id] if order_id_ok(id) => Route::Order((*id).into()),
            _ => Route::NotFound,
        }
    }

    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::Invoices => "/invoices".into(),
            Route::Invoice(id) => format!("/invoices/{id}"),
            Route::Edit(id) => format!("/drafts/{id}"),
            Route::Catalog(kind) => format!("/catalogs/{kind}"),
            Route::Series => "/series".into(),
            Route::Profile => "/profile".into(),
            Route::Revise(id) => format!("/invoices/{id}/revise"),
            Route::Outbox(None) => "/outbox".into(),
            Route::Outbox(Some(s)) => format!("/outbox/{}", s.as_str()),
            Route::Registration => "/registration".into(),
            Route::Notices => "/notices".into(),
            Route::AccessTokens => "/access-tokens".into(),
            Route::Token => "/token".into(),
            Route::Certificates => "/certificates".into(),
            Route::Corrections(id) => format!("/invoices/{id}/corrections"),
            Route::Confirm => "/confirm".into(),
            Route::Delivery(id) => format!("/invoices/{id}/delivery"),
            Route::Template(series) => format!("/series/{series}/template"),
            Route::Lookup(tenant) => format!("/lookup/{tenant}"),
            Route::Books => "/books".into(),
            Route::Vouchers => "/vouchers".into(),
            Route::Reports => "/reports".into(),
            Route::Orders => "/orders".into(),
            Route::Order(id) => format!("/orders/{id}"),
            Route::NewOrder => "/orders/new".into(),
            Route::OrderSettings => "/orders/settings".into(),
            Route::NotFound => "/".into(),
        }
    }
}

/// An order id as the API takes it (the ERP's: 1–64 letters, digits, `-`, `_`, `.`, `:`), and
/// not one a browser would resolve away (`.`, `..`).
pub fn order_id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && id.bytes().any(|b| b != b'.')
}

/// The current route, shared through context.
#[derive(Clone, Copy)]
pub struct Router(pub RwSignal<Route>);

fn location_route() -> Route {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    Route::parse(&path)
}

impl Router {
    /// Reads the address bar and follows the browser's back and forward buttons.
    pub fn install() -> Router {
        let route = RwSignal::new(location_route());
        if let Some(w) = web_sys::window() {
            // Set only when it changed: a screen is not rebuilt for the route it shows.
            let back = Closure::<dyn Fn()>::new(move || {
                let r = location_route();
                // `try_`: a router of an unmounted screens module may still be listening.
                if route.try_with_untracked(|c| *c != r) == Some(true) {
                    route.set(r);
                }
            });
            let _ = w.add_event_listener_with_callback("popstate", back.as_ref().unchecked_ref());
            back.forget();
        }
        let r = Router(route);
        provide_context(r);
        r
    }

    pub fn go(self, to: Route) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&to.path()));
        }
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
        self.0.set(to);
        // The other module's router follows the address too (a link in the authority's screens
        // moves the app; see `crate::lazy`). Later, so this handler has finished first.
        set_timeout(
            || {
                let popstate = web_sys::Event::new("popstate");
                if let (Some(w), Ok(e)) = (web_sys::window(), popstate) {
                    let _ = w.dispatch_event(&e);
                }
            },
            std::time::Duration::ZERO,
        );
    }

    /// Replaces the current history entry (a new draft gets its id without a back-step).
    pub fn replace(self, to: Route) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&to.path()));
        }
        self.0.set(to);
    }
}

pub fn router() -> Router {
    expect_context::<Router>()
}

/// A link to a screen: a real `href` (open in a new tab works), followed in-app on a plain click.
#[component]
pub fn Link(
    to: Route,
    children: Children,
    #[prop(optional)] class: &'static str,
    /// A stable id (what the browser tests click).
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let href = to.path();
    let router = router();
    let click = move |ev: leptos::ev::MouseEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        router.go(to.clone());
    };
    view! { <a href=href class=class id=id on:click=click>{children()}</a> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_a_path_that_leads_back_to_it() {
        for r in [
            Route::Home,
            Route::Invoices,
            Route::Invoice("app-1234abcd".into()),
            Route::Edit("app-1234abcd".into()),
            Route::Catalog("customers".into()),
            Route::Series,
            Route::Profile,
            Route::Revise("app-1234abcd".into()),
            Route::Outbox(None),
            Route::Outbox(Some(OutboxState::NeedsAttention)),
            Route::Registration,
            Route::Notices,
            Route::AccessTokens,
            Route::Token,
            Route::Certificates,
            Route::Corrections("app-1234abcd".into()),
            Route::Confirm,
            Route::Delivery("app-1234abcd".into()),
            Route::Template("1C26TAA".into()),
            Route::Lookup("acme".into()),
            Route::Books,
            Route::Vouchers,
            Route::Reports,
            Route::Orders,
            Route::Order("SO-1001".into()),
            Route::Order("ERP:2026.11-7".into()),
            Route::NewOrder,
            Route::OrderSettings,
        ] {
            assert_eq!(Route::parse(&r.path()), r);
        }
        assert_eq!(Route::parse("/orders/.."), Route::NotFound);
        assert_eq!(Route::parse("/orders/a%20b"), Route::NotFound);
        assert_eq!(Route::parse("/catalogs/colours"), Route::NotFound);
        assert_eq!(Route::parse("/invoices/a%2Fb"), Route::NotFound);
        assert_eq!(Route::parse("/outbox/lost"), Route::NotFound);
    }
}
