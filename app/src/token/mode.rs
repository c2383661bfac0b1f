//! A series' signing mode on the series screen: how its invoices are signed from now on — the
//! cloud key, the CA's remote signing, or the seller's USB token. Admins change it
//! (`PUT /api/series/{series}/signing`); the server refuses a mode it cannot sign with (no
//! remote signing account: `signing.remote_not_configured`), and that refusal is shown in the
//! screen's language rather than as the server's text.

use super::texts;
use crate::Session;
use crate::api::{self, Payload, Refusal};
use crate::i18n::Lang;
use gloo_net::http::Method;
use hoadon_core::api::SeriesView;
use hoadon_core::api::signing::SeriesSigning;
use hoadon_core::lifecycle::SigningMode;
use leptos::prelude::*;

/// Every mode, in the order offered.
const MODES: [SigningMode; 3] = [SigningMode::Cloud, SigningMode::Remote, SigningMode::Token];

fn code(m: SigningMode) -> &'static str {
    match m {
        SigningMode::Cloud => "cloud",
        SigningMode::Remote => "remote",
        SigningMode::Token => "token",
    }
}

fn key(m: SigningMode) -> &'static str {
    match m {
        SigningMode::Cloud => "mode.cloud",
        SigningMode::Remote => "mode.remote",
        SigningMode::Token => "mode.token",
    }
}

/// The message for a refused change: the known codes in `lang`, the server's words otherwise.
fn refusal(lang: Lang, r: &Refusal) -> String {
    match r.code() {
        "signing.remote_not_configured" => format!(
            "{} ({})",
            texts::text(lang, "mode.remote_not_configured"),
            r.code()
        ),
        _ => r.message.clone(),
    }
}

/// The mode of `s`: a select for admins, its name for others. `changed` gets the message to
/// show (`Ok` saved, `Err` refused); the screen reads the series again either way, so the
/// select shows what the server has.
#[component]
pub fn ModeCell(
    session: Session,
    s: SeriesView,
    changed: Callback<Result<String, String>>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let current = s.signing_mode;
    let series = format!("{}{}", s.form, s.symbol);
    let id = format!("series-mode-{series}");
    let set = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let Some(mode) = MODES.into_iter().find(|m| code(*m) == value) else {
            return;
        };
        let path = format!("/api/series/{series}/signing");
        let series = series.clone();
        leptos::task::spawn_local(async move {
            let body = api::json(&SeriesSigning { mode });
            let put =
                api::request::<SeriesView>(session, Method::PUT, &path, &[], Payload::Json(&body));
            let lang = session.lang.get_untracked();
            changed.run(match put.await {
                Ok(_) => Ok(format!("{} {series}", texts::text(lang, "mode.saved"))),
                Err(r) => Err(refusal(lang, &r)),
            });
        });
    };
    view! {
        <Show when=move || session.is_admin()
            fallback=move || view! { <span data-mode=code(current)>{move || t(key(current))}</span> }>
            <select id=id.clone() data-mode=code(current) aria-label=move || t("mode") on:change=set.clone()>
                {MODES.into_iter().map(|m| view! {
                    <option value=code(m) selected=m == current>{move || t(key(m))}</option>
                }).collect_view()}
            </select>
        </Show>
    }
}
