//! Series: the form number + symbol pairs invoices are numbered in (1, 2, 3… per series and
//! year, gapless; the server keeps the counter).

use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use gloo_net::http::Method;
use hoadon_core::model::{FormNumber, Symbol};
use leptos::prelude::*;
use serde_json::{Value, json};

#[component]
pub fn SeriesScreen(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let items = RwSignal::new(Vec::<Value>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let form = RwSignal::new("1".to_owned());
    let yy = web_sys::js_sys::Date::new_0().get_full_year() % 100;
    let symbol = RwSignal::new(format!("C{yy:02}TAA"));
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get(session, "/api/series").await {
                Ok(v) => items.set(v["items"].as_array().cloned().unwrap_or_default()),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load();
    let form_msg = move || {
        form.with(|f| FormNumber::parse(f.trim()).is_err())
            .then(|| t("series.form.rule"))
    };
    let symbol_msg = move || {
        symbol
            .with(|s| Symbol::parse(s.trim()).is_err())
            .then(|| t("series.symbol.rule"))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form_msg().is_some() || symbol_msg().is_some() {
            return;
        }
        let body =
            json!({"form": form.get_untracked().trim(), "symbol": symbol.get_untracked().trim()});
        leptos::task::spawn_local(async move {
            match api::request(
                session,
                Method::POST,
                "/api/series",
                &[],
                Payload::Json(&body),
            )
            .await
            {
                Ok(s) => {
                    error.set(None);
                    status.set(Some(format!(
                        "{} {}{}",
                        t("series.created"),
                        s["form"].as_str().unwrap_or(""),
                        s["symbol"].as_str().unwrap_or("")
                    )));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h1>{move || t("series")}</h1>
            <form class="row" on:submit=submit>
                <div class="field">
                    <label for="series-form">{move || t("form")}</label>
                    <input id="series-form" inputmode="numeric" maxlength="1" aria-describedby="series-form-msg"
                        aria-invalid=move || form_msg().is_some().to_string()
                        prop:value=move || form.get() on:input=move |ev| form.set(event_target_value(&ev)) />
                    <span class="msg" id="series-form-msg">{form_msg}</span>
                </div>
                <div class="field">
                    <label for="series-symbol">{move || t("symbol")}</label>
                    <input id="series-symbol" maxlength="6" aria-describedby="series-symbol-msg series-symbol-hint"
                        aria-invalid=move || symbol_msg().is_some().to_string()
                        prop:value=move || symbol.get()
                        on:input=move |ev| symbol.set(event_target_value(&ev).to_uppercase()) />
                    <span class="msg" id="series-symbol-msg">{symbol_msg}</span>
                    <span class="hint" id="series-symbol-hint">{move || t("series.symbol.hint")}</span>
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary">{move || t("series.create")}</button>
                </div>
            </form>
            <p class="status" role="status">{move || status.get()}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{move || t("form")}</th>
                        <th scope="col">{move || t("symbol")}</th>
                        <th scope="col">{move || t("series.last_number")}</th>
                        <th scope="col">{move || t("series.last_date")}</th>
                    </tr></thead>
                    <tbody>
                        {move || items.get().into_iter().map(|s| {
                            let text = |f: &str| s[f].as_str().unwrap_or("").to_owned();
                            view! {
                                <tr>
                                    <td>{text("form")}</td>
                                    <td>{text("symbol")}</td>
                                    <td>{s["last_number"].as_u64().unwrap_or(0)}</td>
                                    <td>{i18n::date(session.lang.get_untracked(), &text("last_date"))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
