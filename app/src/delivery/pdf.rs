//! An issued invoice's printed form (#17), once it may be delivered (`InvoiceView.deliverable`:
//! signed in a K series, coded in a C series): **Print**, **Download PDF**, **Share** (where the
//! browser can share a file) and, for admins and accountants, **Converted copy**. The PDF is
//! fetched with the bearer token (a plain link cannot carry it) and handed to the browser as a
//! blob URL.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use gloo_net::http::Method;
use hoadon_core::api::InvoiceView;
use hoadon_core::api::delivery::ConvertRequest;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use web_sys::js_sys::{Array, Function, Object, Reflect};

/// The PDF's file name: `1K26TAA-42.pdf`.
fn file_name(rec: &InvoiceView) -> String {
    let d = &rec.document;
    let n = rec.number.map(|n| n.to_string()).unwrap_or_default();
    format!("{}{}-{n}.pdf", d.form, d.symbol)
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Opens `url` in a new tab; `false` when the browser blocked it.
fn open_tab(url: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.open_with_url_and_target(url, "_blank").ok().flatten())
        .is_some()
}

/// Prints the PDF from a hidden frame; where the browser cannot print a frame's PDF, the PDF
/// opens in a new tab (or, if that is blocked, is saved).
fn print(blob: &web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let doc = document().ok_or(JsValue::NULL)?;
    if let Some(old) = doc.get_element_by_id("print-frame") {
        old.remove();
    }
    let frame: web_sys::HtmlIFrameElement = doc.create_element("iframe")?.unchecked_into();
    frame.set_id("print-frame");
    frame.set_attribute("aria-hidden", "true")?;
    frame.set_attribute(
        "style",
        "position:fixed;right:0;bottom:0;width:0;height:0;border:0",
    )?;
    let (shown, blob, name) = (frame.clone(), blob.clone(), name.to_owned());
    let loaded = Closure::once_into_js(move || {
        let printed = shown.content_window().is_some_and(|w| w.print().is_ok());
        if !printed && !open_tab(&shown.src()) {
            let _ = crate::catalogs::save(&blob, &name);
        }
    });
    frame.set_onload(Some(loaded.unchecked_ref()));
    frame.set_src(&url);
    doc.body().ok_or(JsValue::NULL)?.append_child(&frame)?;
    Ok(())
}

/// `{files: [file]}`, what the Web Share API is asked about and given.
fn share_data(file: &web_sys::File) -> Object {
    let data = Object::new();
    let _ = Reflect::set(&data, &"files".into(), &Array::of1(file));
    data
}

/// A `File` of the blob named `name`.
fn pdf_file(blob: &web_sys::Blob, name: &str) -> Option<web_sys::File> {
    let options = web_sys::FilePropertyBag::new();
    options.set_type("application/pdf");
    web_sys::File::new_with_blob_sequence_and_options(&Array::of1(blob), name, &options).ok()
}

/// `navigator[name](data)`, if the browser has it (bound by name: the Web Share API is not in
/// `web-sys`' stable bindings).
fn navigator_call(name: &str, data: &Object) -> Option<JsValue> {
    let nav = web_sys::window()?.navigator();
    let f: Function = Reflect::get(&nav, &name.into()).ok()?.dyn_into().ok()?;
    f.call1(&nav, data).ok()
}

/// Whether the browser can share a PDF file (`navigator.canShare({files})`).
fn can_share_files() -> bool {
    let probe = api::blob(&"".into(), "application/pdf").ok();
    probe
        .and_then(|b| pdf_file(&b, "hoadon.pdf"))
        .and_then(|f| navigator_call("canShare", &share_data(&f)))
        .is_some_and(|v| v.is_truthy())
}

/// Hands the PDF to the system's share sheet.
async fn share(blob: &web_sys::Blob, name: &str) {
    let Some(file) = pdf_file(blob, name) else {
        return;
    };
    if let Some(p) = navigator_call("share", &share_data(&file))
        .and_then(|p| p.dyn_into::<web_sys::js_sys::Promise>().ok())
    {
        // Dismissing the share sheet rejects the promise: nothing to say about it.
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

/// What a button does with the PDF once it is here.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    Print,
    Save,
    Share,
}

/// The printed form's buttons, or why there are none yet (nothing for a draft).
#[component]
pub fn PdfActions(session: Session, rec: InvoiceView) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = StoredValue::new(file_name(&rec));
    let id = StoredValue::new(rec.id.clone());
    let shareable = can_share_files();
    let act = move |how: Use| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{}/pdf", id.get_value());
            let name = name.get_value();
            match api::fetch_file(session, Method::GET, &path, Payload::None).await {
                Ok(b) => {
                    error.try_set(None);
                    match how {
                        Use::Print => drop(print(&b, &name)),
                        Use::Save => drop(crate::catalogs::save(&b, &name)),
                        Use::Share => share(&b, &name).await,
                    }
                }
                Err(r) => drop(error.try_set(Some(r.shown(session.lang.get_untracked())))),
            }
            busy.try_set(false);
        });
    };
    // Asked in the click (a tab opened later would be blocked), filled once the PDF arrives.
    let convert = move |_| {
        let lang = session.lang.get_untracked();
        let Some(w) = web_sys::window() else {
            return;
        };
        let who = w
            .prompt_with_message(texts::text(lang, "pdf.converter"))
            .ok()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let Some(converter) = who else {
            return;
        };
        let tab = w.open_with_url_and_target("", "_blank").ok().flatten();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/api/invoices/{}/converted", id.get_value());
            let body = api::json(&ConvertRequest { converter });
            let made = api::fetch_file(session, Method::POST, &path, Payload::Json(&body)).await;
            match made.map(|b| (web_sys::Url::create_object_url_with_blob(&b), b)) {
                Ok((Ok(url), b)) => match &tab {
                    Some(tab) => drop(tab.location().set_href(&url)),
                    None => drop(crate::catalogs::save(&b, &name.get_value())),
                },
                Ok((Err(_), _)) => {}
                Err(r) => {
                    if let Some(tab) = &tab {
                        let _ = tab.close();
                    }
                    error.try_set(Some(r.shown(lang)));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="actions" id="pdf-actions">
            <button type="button" id="pdf-print" disabled=move || busy.get()
                on:click=move |_| act(Use::Print)>{move || t("pdf.print")}</button>
            <button type="button" id="pdf-download" disabled=move || busy.get()
                on:click=move |_| act(Use::Save)>{move || t("pdf.download")}</button>
            {shareable.then(|| view! {
                <button type="button" id="pdf-share" disabled=move || busy.get()
                    on:click=move |_| act(Use::Share)>{move || t("pdf.share")}</button>
            })}
            <Show when=move || session.is_accounting()>
                <button type="button" id="pdf-converted" disabled=move || busy.get()
                    on:click=convert>{move || t("pdf.converted")}</button>
            </Show>
        </div>
        <p class="error" role="alert">{move || error.get()}</p>
    }
}
