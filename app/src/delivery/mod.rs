//! Delivery (#17), in the screens module ([`crate::lazy`]): an invoice's print, download, share,
//! converted copy and e-mails ([`DeliveryPanel`], mounted in the invoice's detail screen), a
//! series' print template (`/series/{series}/template`, admins: [`template`]) and the public
//! lookup page (`/lookup/{tenant}`, no sign-in: [`lookup`]). Their words are in [`texts`].

mod lookup;
mod mail;
mod pdf;
mod template;
pub mod texts;

pub use lookup::Lookup;
pub use template::TemplateScreen;

use crate::Session;
use crate::api;
use hoadon_core::api::InvoiceView;
use leptos::prelude::*;

/// A deliverable invoice's print, download, share and converted-copy buttons and its e-mail
/// panel (`/invoices/{id}/delivery`): mounted in the invoice's detail screen, or on its own.
#[component]
pub fn DeliveryPanel(session: Session, id: String) -> impl IntoView {
    let rec = RwSignal::new(None::<InvoiceView>);
    let error = RwSignal::new(None::<String>);
    let path = format!("/api/invoices/{id}");
    leptos::task::spawn_local(async move {
        match api::get::<InvoiceView>(session, &path).await {
            Ok(v) => drop(rec.try_set(Some(v))),
            Err(e) => drop(error.try_set(Some(e))),
        }
    });
    view! {
        <p class="error" role="alert">{move || error.get()}</p>
        {move || rec.get().filter(|r| r.deliverable).map(|r| {
            let (id, to) = (r.id.clone(), r.document.buyer.email.clone());
            view! {
                <pdf::PdfActions session rec=r />
                <mail::MailPanel session id buyer_email=to />
            }
        })}
    }
}
