//! How orders become invoices (`/orders/settings`; admins edit, others read): automatic issuing
//! (off, when confirmed, when completed), the series invoices from orders are issued in —
//! chosen from the tenant's series —, what to do with ERP codes the catalogs lack and with ERP
//! amounts that differ from the computed ones; saved with the version read (`PUT
//! /api/order-settings`: a `409 version_conflict` shows the server's copy instead). Below, the
//! mapping table ([`super::mappings`]).

use super::mappings::Mappings;
use super::{refusal_text, texts};
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::{CatalogCache, details_at};
use crate::kept::device;
use gloo_net::http::Method;
use hoadon_core::api::orders::{AmountMismatch, AutoIssue, OrderSettings, UnknownCodes};
use hoadon_core::api::{Detail, SeriesView};
use leptos::prelude::*;

/// The series an admin may pick (form + symbol, as the settings name them): the tenant's, and
/// the one saved if it is not among them any more.
pub fn series_choices(series: &[SeriesView], saved: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = series
        .iter()
        .map(|s| format!("{}{}", s.form, s.symbol))
        .collect();
    if let Some(s) = saved.filter(|s| !s.is_empty() && !out.iter().any(|o| o == s)) {
        out.insert(0, s.to_owned());
    }
    out
}

const AUTO: [AutoIssue; 3] = [AutoIssue::Off, AutoIssue::Confirmed, AutoIssue::Completed];
const UNKNOWN: [UnknownCodes; 2] = [UnknownCodes::Refuse, UnknownCodes::Create];
const MISMATCH: [AmountMismatch; 2] = [AmountMismatch::Refuse, AmountMismatch::Accept];

#[component]
pub fn OrderSettingsScreen(session: Session) -> impl IntoView {
    // The mapping's picker searches the device's copy of customers and products.
    CatalogCache::install(session, RwSignal::new(true));
    let t = move |k| texts::text(session.lang.get(), k);
    view! {
        <section class="card order-settings">
            <p><crate::route::Link to=crate::route::Route::Orders id="order-back">{move || t("or.back")}</crate::route::Link></p>
            <SettingsForm session />
            <Mappings session />
        </section>
    }
}

#[component]
fn SettingsForm(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let kept = device().series;
    let settings = RwSignal::new(OrderSettings::default());
    let loaded = RwSignal::new(false);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let admin = move || session.is_admin();
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<OrderSettings>(session, "/api/order-settings").await {
                Ok(s) => {
                    settings.try_set(s);
                    loaded.try_set(true);
                }
                Err(e) => drop(error.try_set(Some(e))),
            }
        })
    };
    load();
    let choices = move || {
        let saved = settings.with(|s| s.series.clone());
        kept.value.with(|p| {
            series_choices(
                p.as_ref().map(|p| p.items.as_slice()).unwrap_or(&[]),
                saved.as_deref(),
            )
        })
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        status.set(None);
        let body = api::json(&settings.get_untracked());
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let path = "/api/order-settings";
            let answer = api::request::<OrderSettings>(
                session,
                Method::PUT,
                path,
                &[],
                Payload::Json(&body),
            );
            match answer.await {
                Ok(s) => {
                    settings.try_set(s);
                    details.try_set(Vec::new());
                    error.try_set(None);
                    status.try_set(Some(texts::text(lang, "or.set.saved").to_owned()));
                }
                Err(r) => {
                    // Changed elsewhere: the server's copy replaces the form.
                    if r.code() == "version_conflict" {
                        match r.current::<OrderSettings>() {
                            Some(current) => drop(settings.try_set(current)),
                            None => load(),
                        }
                    }
                    details.try_set(r.details());
                    error.try_set(Some(refusal_text(&r, lang)));
                }
            }
            busy.try_set(false);
        });
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       options: Vec<&'static str>,
                       on: fn(&mut OrderSettings, &str)| {
        view! {
            <div class="field">
                <label for=id>{move || t(label)}</label>
                <select id=id on:change=move |ev| {
                    let v = event_target_value(&ev);
                    settings.update(|s| on(s, &v));
                }>
                    {options.into_iter().map(|key| {
                        let value = texts::code(key);
                        view! { <option value=value selected=move || settings.with(|s| current(s, id) == value)>{move || t(key)}</option> }
                    }).collect_view()}
                </select>
                <span class="msg" id=format!("{id}-msg")>{move || details.with(|d| details_at(d, &id["oset-".len()..], session.lang.get()).join(" "))}</span>
            </div>
        }
    };
    view! {
        <form class="order-settings-form" id="order-settings" on:submit=save>
            <h1>{move || t("or.set.title")}</h1>
            <Show when=move || !admin()>
                <p class="hint" id="oset-readonly">{move || t("or.set.readonly")}</p>
            </Show>
            <fieldset class="kinds" disabled=move || !admin() || !loaded.get()>
                <div class="row">
                    {select("oset-auto_issue", "or.set.auto", AUTO.iter().map(|a| texts::auto_key(*a)).collect(),
                        |s, v| if let Some(a) = AUTO.into_iter().find(|a| texts::code(texts::auto_key(*a)) == v) { s.auto_issue = a })}
                    <div class="field">
                        <label for="oset-series">{move || t("or.set.series")}</label>
                        <select id="oset-series" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            settings.update(|s| s.series = (!v.is_empty()).then_some(v));
                        }>
                            <option value="" selected=move || settings.with(|s| s.series.is_none())>{move || t("or.set.series.none")}</option>
                            {move || choices().into_iter().map(|c| {
                                let (here, value) = (c.clone(), c.clone());
                                view! { <option value=value selected=move || settings.with(|s| s.series.as_deref() == Some(here.as_str()))>{c}</option> }
                            }).collect_view()}
                        </select>
                        <span class="msg" id="oset-series-msg">{move || details.with(|d| details_at(d, "series", session.lang.get()).join(" "))}</span>
                    </div>
                    {select("oset-unknown_codes", "or.set.unknown", UNKNOWN.iter().map(|u| texts::unknown_key(*u)).collect(),
                        |s, v| if let Some(u) = UNKNOWN.into_iter().find(|u| texts::code(texts::unknown_key(*u)) == v) { s.unknown_codes = u })}
                    {select("oset-amount_mismatch", "or.set.mismatch", MISMATCH.iter().map(|m| texts::mismatch_key(*m)).collect(),
                        |s, v| if let Some(m) = MISMATCH.into_iter().find(|m| texts::code(texts::mismatch_key(*m)) == v) { s.amount_mismatch = m })}
                </div>
                <div class="actions">
                    <button type="submit" class="primary" id="oset-save" disabled=move || busy.get()>
                        {move || t("or.set.save")}</button>
                </div>
            </fieldset>
            <p class="status" role="status" id="oset-status">{move || status.get()}</p>
            <p class="error" role="alert" id="oset-error">{move || error.get()}</p>
        </form>
    }
}

/// The API's name of the choice a select of the settings shows.
fn current(s: &OrderSettings, id: &str) -> &'static str {
    match id {
        "oset-auto_issue" => texts::code(texts::auto_key(s.auto_issue)),
        "oset-unknown_codes" => texts::code(texts::unknown_key(s.unknown_codes)),
        _ => texts::code(texts::mismatch_key(s.amount_mismatch)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(form: &str, symbol: &str) -> SeriesView {
        SeriesView {
            form: form.into(),
            symbol: symbol.into(),
            last_number: 0,
            last_date: None,
            signing_mode: Default::default(),
        }
    }

    #[test]
    fn the_series_are_offered_as_form_and_symbol() {
        let all = [series("1", "K26TSO"), series("2", "C26TAA")];
        assert_eq!(series_choices(&all, None), ["1K26TSO", "2C26TAA"]);
        assert_eq!(
            series_choices(&all, Some("1K26TSO")),
            ["1K26TSO", "2C26TAA"]
        );
        assert_eq!(
            series_choices(&all, Some("1K25TOLD")),
            ["1K25TOLD", "1K26TSO", "2C26TAA"],
            "the saved one stays choosable"
        );
    }

    #[test]
    fn each_select_shows_the_settings_choice() {
        let s = OrderSettings {
            auto_issue: AutoIssue::Completed,
            unknown_codes: UnknownCodes::Create,
            ..Default::default()
        };
        assert_eq!(current(&s, "oset-auto_issue"), "completed");
        assert_eq!(current(&s, "oset-unknown_codes"), "create");
        assert_eq!(current(&s, "oset-amount_mismatch"), "refuse");
    }
}
