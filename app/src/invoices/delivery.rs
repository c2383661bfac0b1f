//! Delivery on an issued invoice's detail screen (#17): once it may be delivered
//! (`InvoiceView.deliverable`) its print, download, share and converted-copy buttons and its
//! e-mail panel, which are in the screens module (`crate::delivery::DeliveryPanel`, mounted here
//! through [`crate::lazy::LazyScreen`]: the first load has no room for them); before that, why
//! not yet.

use super::authority::coded_series;
use crate::Session;
use crate::i18n;
use crate::lazy::LazyScreen;
use crate::route::Route;
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::Status;
use leptos::prelude::*;

/// The delivery block (nothing for a draft).
pub fn delivery_block(session: Session, rec: &InvoiceView) -> impl IntoView + use<> {
    if !rec.status.is_issued() {
        return ().into_any();
    }
    if rec.deliverable {
        let route = Route::Delivery(rec.id.clone());
        return view! { <LazyScreen session route /> }.into_any();
    }
    // A token's or the sweep's signature comes first; then a C series waits for the code.
    let signed = !matches!(rec.status, Status::Numbered | Status::AwaitingToken);
    let why = if signed && coded_series(&rec.document.symbol) {
        "pdf.not_coded"
    } else {
        "pdf.not_signed"
    };
    view! { <p class="hint" id="pdf-unavailable">{move || i18n::text(session.lang.get(), why)}</p> }
        .into_any()
}
