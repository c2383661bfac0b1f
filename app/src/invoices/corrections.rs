//! What the first load shows of an invoice's corrections (#16): its standing as a badge (in the
//! list and on its screen), on a correction the invoice it corrects with a link to it, and the
//! way to the corrections screen. Everything else — the chain, the figures, the actions and why
//! each is or is not available, the buyer's confirmation — is in the lazily loaded screens
//! module (`crate::corrections`): the first load has ~2 KB left of its budget.

use crate::Session;
use crate::i18n;
use crate::route::{Link, Route};
use hoadon_core::api::InvoiceView;
use hoadon_core::corrections::{Method, Standing};
use leptos::prelude::*;

pub fn standing_key(s: Standing) -> &'static str {
    match s {
        Standing::Issued => "standing.issued",
        Standing::ReplacementPending => "standing.replacement_pending",
        Standing::Replaced => "standing.replaced",
        Standing::Adjusted => "standing.adjusted",
        Standing::Cancelled => "standing.cancelled",
    }
}

/// The standing's badge; nothing for an invoice that no correction touched.
pub fn standing_badge(session: Session, s: Standing, id: Option<&'static str>) -> impl IntoView {
    (s != Standing::Issued).then(|| {
        view! {
            " "<span id=id class=format!("badge {}", s.as_str()) data-standing=s.as_str()>
                {move || i18n::text(session.lang.get(), standing_key(s))}</span>
        }
    })
}

/// "Thay thế cho hóa đơn 1C26TAA · 3 (05/01/2026)" with a link to the original, and the reason;
/// the original's form, symbol, number and date are the related invoice the server composed.
pub fn corrects_line(session: Session, rec: &InvoiceView) -> Option<impl IntoView + use<>> {
    let of = rec.corrects.clone()?;
    let related = rec.document.related.clone();
    let original = of.invoice_id.clone();
    let key = if of.method == Method::Replacement {
        "corrects.replacement"
    } else {
        "corrects.adjustment"
    };
    let name = move || match &related {
        Some(r) => format!(
            "{}{} · {} ({})",
            r.form,
            r.symbol,
            r.number,
            i18n::date(session.lang.get(), &r.issue_date)
        ),
        None => original.clone(),
    };
    Some(view! {
        <p id="corrects" data-original=of.invoice_id.clone()>{move || i18n::text(session.lang.get(), key)}" "
            <Link to=Route::Invoice(of.invoice_id.clone()) id="corrects-original">{name}</Link>
            " — "{of.reason.clone()}</p>
    })
}

/// The way to the corrections screen: for an issued invoice (replace, adjust, notify, cancel)
/// and for a correction (its chain and the buyer's confirmation).
pub fn corrections_link(session: Session, rec: &InvoiceView) -> impl IntoView + use<> {
    (rec.status.is_issued() || rec.corrects.is_some()).then(|| {
        view! {
            <Link to=Route::Corrections(rec.id.clone()) class="button" id="corrections-open">
                {move || i18n::text(session.lang.get(), "corrections.open")}</Link>
        }
    })
}
