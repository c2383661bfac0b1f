//! Importing a signed bundle: the file is read here with the core's `SignatureBatch` (its
//! `format` checked by name first, [`super::bundle::read_signed`]), posted as it is to
//! `POST /api/signing/signatures`, and each outcome shown — attached, already attached (a file
//! imported twice changes nothing), or refused with its code and why in the current language.
//! The server checks every signature itself; nothing here decides what is attached.

use super::bundle::{FileProblem, read_signed};
use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::Lang;
use crate::route::{Link, Route};
use gloo_net::http::Method;
use hoadon_core::api::signing::{SIGNATURES_FORMAT, SignatureOutcome, SignatureResults};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The text of the file picked in `ev`'s input, which is cleared so the same file can be
/// imported again (a retried upload).
async fn picked_text(ev: &leptos::ev::Event) -> Option<String> {
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    input.set_value("");
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}

/// What a problem with the file says, in `lang`.
fn problem(lang: Lang, p: FileProblem) -> String {
    let t = |k| texts::text(lang, k);
    match p {
        FileProblem::Unreadable(e) => format!("{}: {e}", t("token.unreadable")),
        FileProblem::Format(f) => format!(
            "{} “{f}”; {} {SIGNATURES_FORMAT}",
            t("token.format"),
            t("token.format.expected")
        ),
        FileProblem::Unsigned => t("token.format.unsigned").to_owned(),
    }
}

#[component]
pub fn Import(session: Session, done: Callback<()>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let error = RwSignal::new(None::<String>);
    let results = RwSignal::new(Vec::<SignatureOutcome>::new());
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let Some(text) = picked_text(&ev).await else {
                error.try_set(Some(t("token.unreadable").to_owned()));
                return;
            };
            let batch = match read_signed(&text) {
                Ok(b) => b,
                Err(p) => {
                    results.try_set(Vec::new());
                    error.try_set(Some(problem(lang, p)));
                    return;
                }
            };
            let body = api::json(&batch);
            let path = "/api/signing/signatures";
            let posted = api::request::<SignatureResults>(
                session,
                Method::POST,
                path,
                &[],
                Payload::Json(&body),
            );
            match posted.await {
                Ok(r) => {
                    error.try_set(None);
                    results.try_set(r.results);
                    done.run(());
                }
                Err(r) => {
                    error.try_set(Some(r.message));
                }
            }
        });
    };
    view! {
        <section class="import" aria-labelledby="token-import-title">
            <h2 id="token-import-title">{move || t("token.import")}</h2>
            <label for="token-import">{move || t("token.import")}</label>
            <input id="token-import" type="file" accept=".json,application/json"
                aria-describedby="token-import-hint" on:change=on_file />
            <p class="hint" id="token-import-hint">{move || t("token.import.hint")}</p>
            <p class="error" role="alert" id="token-import-error">{move || error.get()}</p>
            <Show when=move || !results.with(Vec::is_empty)>
                <h3>{move || t("token.results")}</h3>
                <div class="table-wrap">
                    <table class="list report" id="token-results">
                        <thead><tr>
                            <th scope="col">{move || t("invoice")}</th>
                            <th scope="col">{move || t("number")}</th>
                            <th scope="col">{move || t("token.outcome")}</th>
                        </tr></thead>
                        <tbody>
                            {move || results.get().into_iter().map(|o| view! { <Outcome session o /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// One row of the results: `data-outcome` is the API's outcome name (what the tests read).
#[component]
fn Outcome(session: Session, o: SignatureOutcome) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let id = o.invoice().to_owned();
    let (kind, number, why) = match o {
        SignatureOutcome::Attached { number, .. } => ("attached", Some(number), None),
        SignatureOutcome::AlreadyAttached { number, .. } => {
            ("already_attached", Some(number), None)
        }
        SignatureOutcome::Refused(s) => ("refused", None, Some(s)),
    };
    let label = match kind {
        "attached" => "token.attached",
        "already_attached" => "token.already",
        _ => "token.refused",
    };
    let link = Route::Invoice(id.clone());
    let row_id = id.clone();
    view! {
        <tr data-outcome=kind data-id=row_id>
            <td><Link to=link>{id}</Link></td>
            <td>{number.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>
                <span class=format!("badge {kind}")>{move || t(label)}</span>
                {why.map(|s| view! {
                    " "<code>{s.code.clone()}</code>": "
                    {move || if session.lang.get() == Lang::En { s.message_en.clone() } else { s.message_vi.clone() }}
                })}
            </td>
        </tr>
    }
}
