//! An invoice's e-mails (#17), on its detail screen: each delivery with its state, addresses,
//! time and last error, **Send** (the buyer's address unless others are typed; Vietnamese or
//! English) and **Resend** on one that needs attention (a new delivery to the same addresses).
//! Asked again every 3 s while one is queued.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::delivery::{DeliveryState, DeliveryView, SendRequest};
use leptos::prelude::*;
use std::time::Duration;

fn state_key(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Queued => "mail.queued",
        DeliveryState::Sent => "mail.sent",
        DeliveryState::NeedsAttention => "mail.needs_attention",
    }
}

/// The addresses as typed: comma- or semicolon-separated, blanks dropped.
fn addresses(typed: &str) -> Vec<String> {
    typed
        .split([',', ';'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn MailPanel(session: Session, id: String, buyer_email: Option<String>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let items = RwSignal::new(Vec::<DeliveryView>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let to = RwSignal::new(buyer_email.unwrap_or_default());
    let mail_lang = RwSignal::new(if session.lang.get_untracked() == Lang::En {
        "en"
    } else {
        "vi"
    });
    let path = StoredValue::new(format!("/api/invoices/{id}/deliveries"));
    let load = move || {
        let Some(path) = path.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::get::<Vec<DeliveryView>>(session, &path).await {
                Ok(v) => drop(items.try_set(v)),
                Err(e) => drop(error.try_set(Some(e))),
            }
        });
    };
    load();
    crate::poll::while_open(Duration::from_secs(3), move || {
        if items.with_untracked(|v| v.iter().any(|d| d.state == DeliveryState::Queued)) {
            load();
        }
    });
    let send = move |to: Vec<String>, lang: String| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let body = api::json(&SendRequest {
                to,
                lang: Some(lang),
            });
            let path = path.get_value();
            let sent = api::send(session, Method::POST, &path, &[], Payload::Json(&body));
            match sent.await {
                Ok(_) => {
                    error.try_set(None);
                    status.try_set(Some("mail.asked"));
                }
                Err(r) => {
                    status.try_set(None);
                    error.try_set(Some(r.shown(session.lang.get_untracked())));
                }
            }
            busy.try_set(false);
            load();
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(
            addresses(&to.get_untracked()),
            mail_lang.get_untracked().into(),
        );
    };
    let row = move |d: DeliveryView| {
        let state = d.state;
        let when = d.sent_at.unwrap_or(d.created_at);
        let by = d.requested_by.clone();
        let again = (state == DeliveryState::NeedsAttention).then(|| {
            let (to, l) = (d.to.clone(), d.lang.clone());
            view! {
                <button type="button" class="retry" disabled=move || busy.get()
                    on:click=move |_| send(to.clone(), l.clone())>{move || t("mail.resend")}</button>
            }
        });
        view! {
            <tr data-state=state_key(state)>
                <td><span class=format!("badge mail-{}", state_key(state).trim_start_matches("mail."))>
                    {move || t(state_key(state))}</span></td>
                <td class="wrap">{d.to.join(", ")}</td>
                <td>{move || i18n::datetime(lang(), when)}" · "
                    {move || if by == "auto" { t("mail.auto").to_owned() } else { by.clone() }}</td>
                <td class="wrap">{d.attempts}" "{move || t("mail.attempts")}
                    {d.last_error.map(|e| view! { <br /><span class="error">{e}</span> })}</td>
                <td>{again}</td>
            </tr>
        }
    };
    view! {
        <section class="mail" id="mail" aria-labelledby="mail-title">
            <h2 id="mail-title">{move || t("mail")}</h2>
            <Show when=move || !items.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{move || t("mail.none")}</p> }>
                <div class="table-wrap">
                    <table class="list stack" id="mail-list">
                        <tbody>{move || items.get().into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            </Show>
            <form class="row" on:submit=submit>
                <div class="field">
                    <label for="mail-to">{move || t("mail.to")}</label>
                    <input id="mail-to" type="text" inputmode="email" autocomplete="email"
                        aria-describedby="mail-to-hint" prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev)) />
                    <span class="hint" id="mail-to-hint">{move || t("mail.to.hint")}</span>
                </div>
                <div class="field">
                    <label for="mail-lang">{move || t("mail.lang")}</label>
                    <select id="mail-lang" on:change=move |ev| {
                        mail_lang.set(if event_target_value(&ev) == "en" { "en" } else { "vi" })
                    }>
                        <option value="vi" selected=move || mail_lang.get() == "vi">"Tiếng Việt"</option>
                        <option value="en" selected=move || mail_lang.get() == "en">"English"</option>
                    </select>
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary" id="mail-send"
                        disabled=move || busy.get()>{move || t("mail.send")}</button>
                </div>
            </form>
            <p class="status" role="status" id="mail-status">{move || status.get().map(t)}</p>
            <p class="error" role="alert" id="mail-error">{move || error.get()}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_addresses_are_split_and_trimmed() {
        assert_eq!(super::addresses(" a@x.vn, b@y.vn;; "), ["a@x.vn", "b@y.vn"]);
        assert!(super::addresses(" , ").is_empty());
    }
}
