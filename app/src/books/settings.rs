//! The books' settings (`GET/PUT /api/books/settings`): the chart of accounts kept (Circular
//! 200 or 133), the receivable, revenue and output VAT accounts the proposals use, and the
//! voucher numbers' prefix. Each value is checked as typed by the rule the API states (accounts
//! 3 to 10 digits, the prefix 1 to 6 capital letters); the server's findings stand at their
//! fields.

use super::proposal::is_account;
use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::details_at;
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::books::{BookSettings, Regime};
use leptos::prelude::*;

/// A voucher prefix as the API takes it: 1 to 6 capital letters.
pub fn is_prefix(s: &str) -> bool {
    (1..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The text fields of the settings: the API's name (the input's id and the findings' path) and
/// the label.
const FIELDS: [(&str, &str); 5] = [
    ("receivable", "bk.set.receivable"),
    ("revenue_goods", "bk.set.revenue_goods"),
    ("revenue_services", "bk.set.revenue_services"),
    ("output_vat", "bk.set.output_vat"),
    ("voucher_prefix", "bk.set.prefix"),
];

/// The field `name` of the settings.
fn slot<'a>(s: &'a mut BookSettings, name: &str) -> &'a mut String {
    match name {
        "receivable" => &mut s.receivable,
        "revenue_goods" => &mut s.revenue_goods,
        "revenue_services" => &mut s.revenue_services,
        "output_vat" => &mut s.output_vat,
        _ => &mut s.voucher_prefix,
    }
}

/// The value of the field `name`.
fn value(s: &BookSettings, name: &str) -> String {
    slot(&mut s.clone(), name).clone()
}

/// Whether the field `name` holds a value its rule takes.
fn ok(s: &BookSettings, name: &str) -> bool {
    let v = value(s, name);
    if name == "voucher_prefix" {
        is_prefix(&v)
    } else {
        is_account(&v)
    }
}

#[component]
pub fn SettingsForm(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let settings = RwSignal::new(BookSettings::default());
    let loaded = RwSignal::new(false);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::get::<BookSettings>(session, "/api/books/settings").await {
            Ok(s) => {
                settings.try_set(s);
                loaded.try_set(true);
            }
            Err(e) => drop(error.try_set(Some(e))),
        }
    });
    let wrong = move |name: &str| settings.with(|s| !ok(s, name));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if FIELDS
            .iter()
            .any(|(n, _)| settings.with_untracked(|s| !ok(s, n)))
        {
            return;
        }
        busy.set(true);
        status.set(None);
        let body = api::json(&settings.get_untracked());
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let path = "/api/books/settings";
            let answer =
                api::request::<BookSettings>(session, Method::PUT, path, &[], Payload::Json(&body));
            match answer.await {
                Ok(s) => {
                    settings.try_set(s);
                    details.try_set(Vec::new());
                    error.try_set(None);
                    status.try_set(Some(texts::text(lang, "bk.set.saved").to_owned()));
                }
                Err(r) => {
                    details.try_set(r.details());
                    error.try_set(Some(r.shown(lang)));
                }
            }
            busy.try_set(false);
        });
    };
    let regime = |r: Regime, key: &'static str| {
        view! {
            <option value=texts::code(key) selected=move || settings.with(|s| s.regime == r)>{move || t(key)}</option>
        }
    };
    view! {
        <form class="book-settings" id="book-settings" on:submit=save>
            <h2>{move || t("bk.set.title")}</h2>
            <p class="hint">{move || t("bk.set.hint")}</p>
            <div class="row">
                <div class="field">
                    <label for="set-regime">{move || t("bk.set.regime")}</label>
                    <select id="set-regime" on:change=move |ev| {
                        let r = if event_target_value(&ev) == "tt133" { Regime::Tt133 } else { Regime::Tt200 };
                        settings.update(|s| s.regime = r);
                    }>
                        {regime(Regime::Tt200, "bk.set.tt200")}
                        {regime(Regime::Tt133, "bk.set.tt133")}
                    </select>
                </div>
                {FIELDS.into_iter().map(|(name, label)| {
                    let id = format!("set-{name}");
                    let msg_id = format!("{id}-msg");
                    let msgs = move || {
                        let lang = session.lang.get();
                        let mut m = details.with(|d| details_at(d, name, lang));
                        if wrong(name) {
                            let rule = if name == "voucher_prefix" { "bk.set.prefix.rule" } else { "bk.set.account.rule" };
                            m.insert(0, t(rule).to_owned());
                        }
                        m.join(" ")
                    };
                    view! {
                        <div class="field">
                            <label for=id.clone()>{move || t(label)}</label>
                            <input id=id aria-describedby=msg_id.clone()
                                aria-invalid=move || wrong(name).to_string()
                                prop:value=move || settings.with(|s| value(s, name))
                                on:input=move |ev| settings.update(|s| *slot(s, name) = event_target_value(&ev).trim().to_owned()) />
                            <span class="msg" id=msg_id>{msgs}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="actions">
                <button type="submit" class="primary" id="set-save"
                    disabled=move || busy.get() || !loaded.get() || FIELDS.iter().any(|(n, _)| wrong(n))>
                    {move || t("bk.set.save")}</button>
            </div>
            <p class="status" role="status" id="set-status">{move || status.get()}</p>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_one_to_six_capitals() {
        assert!(is_prefix("BH") && is_prefix("ABCDEF"));
        assert!(!is_prefix("") && !is_prefix("bh") && !is_prefix("BH1") && !is_prefix("ABCDEFG"));
    }

    #[test]
    fn the_defaults_pass_their_own_rules() {
        let s = BookSettings::default();
        assert!(FIELDS.iter().all(|(n, _)| ok(&s, n)));
        let mut changed = s.clone();
        *slot(&mut changed, "output_vat") = "3331".into();
        assert_eq!(value(&changed, "output_vat"), "3331");
        assert_eq!(value(&changed, "receivable"), s.receivable);
    }
}
