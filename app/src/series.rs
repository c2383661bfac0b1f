//! Series: the form number + symbol pairs invoices are numbered in (1, 2, 3… per series and
//! year, gapless; the server keeps the counter). The list is the device's kept copy
//! ([`crate::kept`]), the same one the editor offers, refreshed after a series is made here.
//! Each series shows how its invoices are signed, which admins change here
//! ([`crate::token::mode`]) and links to its print template ([`crate::delivery`]).

use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use crate::kept::device;
use crate::route::{Link, Route};
use crate::token::mode::ModeCell;
use gloo_net::http::Method;
use hoadon_core::api::{CreateSeries, SeriesView};
use hoadon_core::model::{FormNumber, Symbol};
use leptos::prelude::*;

#[component]
pub fn SeriesScreen(session: Session) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let kept = device().series;
    let items = move || {
        kept.value
            .with(|p| p.as_ref().map(|p| p.items.clone()).unwrap_or_default())
    };
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let form = RwSignal::new("1".to_owned());
    let yy = web_sys::js_sys::Date::new_0().get_full_year() % 100;
    let symbol = RwSignal::new(format!("C{yy:02}TAA"));
    let load = move || leptos::task::spawn_local(kept.refresh(session));
    load();
    let mode_changed = Callback::new(move |r: Result<String, String>| {
        match r {
            Ok(saved) => {
                error.set(None);
                status.set(Some(saved));
            }
            Err(e) => {
                status.set(None);
                error.set(Some(e));
            }
        }
        load();
    });
    let tm = move |k| crate::token::texts::text(session.lang.get(), k);
    let dt = move |k| crate::delivery::texts::text(session.lang.get(), k);
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
        let body = api::json(&CreateSeries {
            form: form.get_untracked().trim().to_owned(),
            symbol: symbol.get_untracked().trim().to_owned(),
        });
        leptos::task::spawn_local(async move {
            let path = "/api/series";
            let made =
                api::request::<SeriesView>(session, Method::POST, path, &[], Payload::Json(&body));
            match made.await {
                Ok(s) => {
                    error.set(None);
                    let created = format!("{} {}{}", t("series.created"), s.form, s.symbol);
                    status.set(Some(created));
                    load();
                }
                Err(r) => error.set(Some(r.message)),
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
            <p class="status" role="status" id="series-status">{move || status.get()}</p>
            <p class="error" role="alert" id="series-error">{move || error.get()}</p>
            <p class="hint">{move || tm("mode.hint")}</p>
            <div class="table-wrap">
                <table class="list">
                    <thead><tr>
                        <th scope="col">{move || t("form")}</th>
                        <th scope="col">{move || t("symbol")}</th>
                        <th scope="col">{move || t("series.last_number")}</th>
                        <th scope="col">{move || t("series.last_date")}</th>
                        <th scope="col">{move || tm("mode")}</th>
                        <th scope="col">{move || dt("tpl.open")}</th>
                    </tr></thead>
                    <tbody>
                        {move || items().into_iter().map(|s| {
                            let date = i18n::date(session.lang.get_untracked(), s.last_date.as_deref().unwrap_or(""));
                            let mode = view! { <ModeCell session s=s.clone() changed=mode_changed /> };
                            let template = Route::Template(format!("{}{}", s.form, s.symbol));
                            view! {
                                <tr>
                                    <td>{s.form}</td>
                                    <td>{s.symbol}</td>
                                    <td>{s.last_number}</td>
                                    <td>{date}</td>
                                    <td>{mode}</td>
                                    <td><Link to=template class="template-open">{move || dt("tpl.open")}</Link></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
