//! Importing invoice files of other platforms into the books: XML invoices or 04/SS notices, or
//! ZIPs of them, each file sent as its bytes in a request of its own (`POST /api/imports?name=`,
//! typed `application/xml` or `application/zip`: the server reads and unpacks, so no XML or ZIP
//! reader is downloaded). Each file's report is shown — the counts, then the listed items with
//! their outcome, and for a refused file or part its reason in the screen's language — and the
//! inbox is read again.

use super::inbox::Inbox;
use super::invoice_title;
use super::texts::{self, outcome_key};
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::Lang;
use gloo_net::http::Method;
use hoadon_core::api::books::{ImportItem, ImportReport};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The type the API takes for a file, by its name: a ZIP of files, else one XML file.
fn kind_of(name: &str) -> &'static str {
    if name.to_ascii_lowercase().ends_with(".zip") {
        "application/zip"
    } else {
        "application/xml"
    }
}

/// The report's counts as `(word, count)`, in the order the screen lists them.
fn counts(r: &ImportReport) -> [(&'static str, u64); 8] {
    [
        ("bk.imp.files", r.files),
        ("bk.imp.imported", r.imported),
        ("bk.imp.duplicates", r.duplicates),
        ("bk.imp.coded", r.coded),
        ("bk.imp.conflicts", r.conflicts),
        ("bk.imp.issued_here", r.issued_here),
        ("bk.imp.notices", r.notices),
        ("bk.imp.refused", r.refused),
    ]
}

/// One uploaded file's answer.
#[derive(Clone)]
struct Uploaded {
    name: String,
    report: Result<ImportReport, String>,
}

#[component]
pub fn Import(session: Session, inbox: Inbox) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let uploads = RwSignal::new(Vec::<Uploaded>::new());
    let busy = RwSignal::new(false);
    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default();
        // The same file may be picked again (a retry) and fire `change`.
        input.set_value("");
        if files.is_empty() {
            return;
        }
        busy.set(true);
        uploads.set(Vec::new());
        leptos::task::spawn_local(async move {
            for f in files {
                let name = f.name();
                let path = format!("/api/imports?name={}", api::encode(&name));
                let payload = Payload::FileAs(&f, kind_of(&name));
                let answer =
                    api::request::<ImportReport>(session, Method::POST, &path, &[], payload).await;
                let lang = session.lang.get_untracked();
                let report = answer.map_err(|r| r.shown(lang));
                uploads.try_update(|u| u.push(Uploaded { name, report }));
            }
            busy.try_set(false);
            inbox.reload.run(());
        });
    };
    view! {
        <section class="import" id="books-import">
            <h2>{move || t("bk.imp.title")}</h2>
            <p class="hint">{move || t("bk.imp.hint")}</p>
            <label for="books-import-file">{move || t("bk.imp.file")}</label>
            <input id="books-import-file" type="file" multiple disabled=move || busy.get()
                accept=".xml,.zip,application/xml,text/xml,application/zip" on:change=on_files />
            <p class="status" role="status">{move || busy.get().then(|| t("bk.imp.sending"))}</p>
            {move || uploads.get().into_iter().map(|u| view! { <FileReport session u /> }).collect_view()}
        </section>
    }
}

/// What one file did: its counts and items, or why the request failed.
#[component]
fn FileReport(session: Session, u: Uploaded) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let (name, file) = (u.name.clone(), u.name);
    match u.report {
        Err(e) => view! {
            <div class="import-report" data-file=file>
                <h3>{name}</h3>
                <p class="error" role="alert">{e}</p>
            </div>
        }
        .into_any(),
        Ok(r) => {
            let line = counts(&r)
                .into_iter()
                .filter(|(k, n)| *n > 0 || *k == "bk.imp.files")
                .map(|(k, n)| view! { <span data-count=texts::code(k)>{move || t(k)}": "{n}</span>" " })
                .collect_view();
            let more = r.more;
            view! {
                <div class="import-report" data-file=file>
                    <h3>{name}</h3>
                    <p class="counts-line">{line}</p>
                    <div class="table-wrap">
                        <table class="list stack">
                            <thead><tr>
                                <th scope="col">{move || t("bk.imp.item")}</th>
                                <th scope="col">{move || t("invoice")}</th>
                                <th scope="col">{move || t("bk.outcome")}</th>
                                <th scope="col">{move || t("bk.imp.reason")}</th>
                            </tr></thead>
                            <tbody>
                                {r.items.into_iter().map(|i| view! { <Item session i /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(more > 0).then(|| view! { <p class="hint">{more}" "{move || t("bk.imp.more")}</p> })}
                </div>
            }
            .into_any()
        }
    }
}

/// One invoice (or notice row, or refused part) of a file.
#[component]
fn Item(session: Session, i: ImportItem) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let outcome = outcome_key(i.outcome);
    let refusal = i.refusal.clone();
    let reason = move || {
        let warned = (i.warnings > 0).then(|| format!("{} {}", i.warnings, t("bk.warnings.n")));
        match &refusal {
            Some(r) => Some(format!(
                "{}: {}",
                r.code,
                if session.lang.get() == Lang::En {
                    &r.message_en
                } else {
                    &r.message_vi
                }
            )),
            None => warned,
        }
    };
    view! {
        <tr data-outcome=texts::code(outcome)>
            <td data-label=move || t("bk.imp.item") class="wrap">{i.file.clone()}</td>
            <td data-label=move || t("invoice")>{i.key.as_ref().map(invoice_title)}</td>
            <td data-label=move || t("bk.outcome")><span class=format!("badge imp-{}", texts::code(outcome))>{move || t(outcome)}</span></td>
            <td data-label=move || t("bk.imp.reason")>{reason}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zips_are_sent_as_zips_and_the_rest_as_xml() {
        assert_eq!(kind_of("thang10.ZIP"), "application/zip");
        assert_eq!(kind_of("hd-123.xml"), "application/xml");
        assert_eq!(kind_of("no-extension"), "application/xml");
    }
}
