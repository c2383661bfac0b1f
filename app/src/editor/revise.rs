//! Revise mode: an invoice the tax authority refused, fixed in the editor and sent again under
//! the **same series and number** (`POST /api/invoices/{id}/revise` with `If-Match`). The
//! number never had legal effect, so keeping it keeps the series gapless (see
//! `hoadon_core::lifecycle`). Nothing of it is kept on the device as a draft: it is no draft,
//! it has a number, and only the server can accept the fixed version.

use crate::Session;
use crate::api::{self, Payload, Refusal};
use crate::catalogs::detail_message;
use crate::i18n;
use gloo_net::http::Method;
use hoadon_core::api::{Detail, InvoiceView};
use hoadon_core::lifecycle::Event;
use hoadon_core::model::DraftInput;
use leptos::prelude::*;
use serde::Serialize;

/// What revising needs besides the document: the version it starts from, the number it keeps
/// and the authority's errors (shown at their fields until edited, and listed above).
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub version: u64,
    pub title: String,
    pub refusal: Vec<Detail>,
}

/// Why the editor cannot revise `id`.
pub enum Unrevisable {
    /// It is not (or no longer) refused: the detail screen shows what it is.
    NotRejected,
    Failed(String),
}

/// The refused invoice as a draft to fix (`DraftInput::from_document`: what a client may send).
pub async fn load(session: Session, id: &str) -> Result<(DraftInput, Revision), Unrevisable> {
    let path = format!("/api/invoices/{id}");
    let rec = api::get::<InvoiceView>(session, &path)
        .await
        .map_err(Unrevisable::Failed)?;
    if !rec.status.allows(Event::Revise) {
        return Err(Unrevisable::NotRejected);
    }
    let d = &rec.document;
    let number = rec.number.map(|n| n.to_string()).unwrap_or_default();
    let revision = Revision {
        version: rec.version,
        title: format!("{}{} · {number}", d.form, d.symbol),
        refusal: rec.authority.map(|a| a.errors).unwrap_or_default(),
    };
    Ok((DraftInput::from_document(d), revision))
}

/// The body of `POST /api/invoices/{id}/revise`. `hoadon_core::api` has no type for it yet;
/// this one is serialised by serde like every other body (never written by hand).
#[derive(Serialize)]
struct ReviseBody<'a> {
    document: &'a DraftInput,
}

/// Sends the fixed document; the server signs it under the same number and queues it again.
pub async fn send(
    session: Session,
    id: &str,
    version: u64,
    document: &DraftInput,
) -> Result<InvoiceView, Refusal> {
    let body = api::json(&ReviseBody { document });
    let path = format!("/api/invoices/{id}/revise");
    let v = version.to_string();
    let headers = [("if-match", v.as_str())];
    api::request(session, Method::POST, &path, &headers, Payload::Json(&body)).await
}

/// Above the form in revise mode: the number that is kept, and why the authority refused.
#[component]
pub fn ReviseNote(session: Session, revision: Revision) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let refusal = revision.refusal;
    view! {
        <section class="revise" id="revise-note" role="status">
            <p>{move || t("revise.keeps_number")}" "<strong id="revise-number">{revision.title}</strong></p>
            {(!refusal.is_empty()).then(|| view! {
                <p class="error">{move || t("authority.errors")}</p>
                <ul class="errors" id="revise-errors">
                    {refusal.into_iter().map(|d| {
                        let path = d.path.clone();
                        view! {
                            <li><code>{path}</code>": "{move || detail_message(&d, session.lang.get()).to_owned()}</li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
