//! The registration with the tax authority (01/ĐKTĐ-HĐĐT, sent as message 100; the authority
//! answers 102 "received", then 103 accepted or refused with reasons). Coded invoices of a kind
//! cannot be issued until it is accepted — unless the tenant registered through another
//! provider, the "registered elsewhere" setting. Admins send and change it; others read it.
//!
//! The contact's e-mail and phone are checked with the core's catalog rules (the customers'
//! `email` and `phone` fields: the rules the server applies to the same kind of value) as
//! they are typed, once touched or after Send.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::{detail_message, label};
use crate::i18n::Lang;
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::authority::{
    AuthoritySettingsInput, RegistrationInput, RegistrationState, RegistrationView,
};
use hoadon_core::catalog::{Field, FieldKind, check_value};
use leptos::prelude::*;
use std::time::Duration;

/// The contact the authority writes to: every field required (the form asks for all three).
const CONTACT: [Field; 3] = [
    Field {
        name: "contact_name",
        kind: FieldKind::Text(100),
        required: true,
        label_vi: "Người liên hệ",
        label_en: "Contact person",
    },
    Field {
        name: "contact_email",
        kind: FieldKind::Email,
        required: true,
        label_vi: "Thư điện tử liên hệ",
        label_en: "Contact e-mail",
    },
    Field {
        name: "contact_phone",
        kind: FieldKind::Text(20),
        required: true,
        label_vi: "Điện thoại liên hệ",
        label_en: "Contact phone",
    },
];

/// The wire name of a state (the `data-state` the browser tests read) and its label key.
pub fn state_names(s: RegistrationState) -> (&'static str, &'static str) {
    match s {
        RegistrationState::None => ("none", "registration.state.none"),
        RegistrationState::Sent => ("sent", "registration.state.sent"),
        RegistrationState::Received => ("received", "registration.state.received"),
        RegistrationState::Accepted => ("accepted", "registration.state.accepted"),
        RegistrationState::Refused => ("refused", "registration.state.refused"),
    }
}

/// The message for contact field `i` holding `value`, if any. The catalog has no rule for a
/// phone number's characters (only its length); the form adds one, stricter than the server.
fn contact_message(i: usize, value: &str, lang: Lang) -> Option<String> {
    let v = Some(value.trim()).filter(|v| !v.is_empty());
    if let Some(f) = check_value(&CONTACT[i], v, CONTACT[i].name.to_owned()) {
        return Some(if lang == Lang::Vi {
            f.message_vi
        } else {
            f.message_en
        });
    }
    let phone_ok = |p: &str| {
        p.chars().filter(char::is_ascii_digit).count() >= 8
            && p.chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    };
    (CONTACT[i].name == "contact_phone" && !v.is_some_and(phone_ok))
        .then(|| texts::text(lang, "registration.phone.format").to_owned())
}

#[component]
pub fn RegistrationScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let admin = move || session.is_admin();
    let current = RwSignal::new(None::<RegistrationView>);
    let change = RwSignal::new(false);
    let coded = RwSignal::new(true);
    let uncoded = RwSignal::new(false);
    let contact = RwSignal::new(vec![String::new(); CONTACT.len()]);
    let touched = RwSignal::new(vec![false; CONTACT.len()]);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    // Edits started: a refreshed view from the server no longer replaces what is typed.
    let dirty = StoredValue::new(false);
    let take = move |v: &RegistrationView| {
        // `try_`: the answer may arrive after the screen was left.
        if let Some(i) = v
            .input
            .as_ref()
            .filter(|_| dirty.try_get_value() == Some(false))
        {
            // Sent again after it was accepted, a registration is a change (`HThuc` 2).
            change.set(i.change || v.state == RegistrationState::Accepted);
            coded.set(i.coded);
            uncoded.set(i.uncoded);
            contact.set(vec![
                i.contact_name.clone(),
                i.contact_email.clone(),
                i.contact_phone.clone(),
            ]);
        }
    };
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<RegistrationView>(session, "/api/authority/registration").await {
                Ok(v) => {
                    take(&v);
                    // Answered: "sent, waiting" no longer holds.
                    if !matches!(
                        v.state,
                        RegistrationState::Sent | RegistrationState::Received
                    ) && status.try_get_untracked() == Some(Some("registration.sent"))
                    {
                        status.set(None);
                    }
                    current.set(Some(v));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    // The authority answers minutes later (102, then 103): ask again while it owes an answer.
    crate::poll::while_open(Duration::from_secs(3), move || {
        let owed = current.with_untracked(|v| {
            v.as_ref().is_some_and(|v| {
                matches!(
                    v.state,
                    RegistrationState::Sent | RegistrationState::Received
                )
            })
        });
        if owed {
            load();
        }
    });
    let msg = move |i: usize| {
        let typed = touched.with(|t| t[i]);
        let mine = typed
            .then(|| contact.with(|c| contact_message(i, &c[i], lang())))
            .flatten();
        let path = CONTACT[i].name;
        let theirs = details.with(|d| {
            d.iter()
                .filter(|d| d.path == path || d.path.ends_with(&format!(".{path}")))
                .map(|d| detail_message(d, lang()).to_owned())
                .collect::<Vec<_>>()
        });
        mine.into_iter()
            .chain(theirs)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let kinds_missing = move || !coded.get() && !uncoded.get();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(vec![true; CONTACT.len()]);
        status.set(None);
        let l = session.lang.get_untracked();
        let bad = contact
            .with_untracked(|c| (0..c.len()).any(|i| contact_message(i, &c[i], l).is_some()));
        if bad || kinds_missing() {
            return;
        }
        let c = contact.get_untracked();
        let body = api::json(&RegistrationInput {
            change: change.get_untracked(),
            coded: coded.get_untracked(),
            uncoded: uncoded.get_untracked(),
            contact_name: c[0].trim().to_owned(),
            contact_email: c[1].trim().to_owned(),
            contact_phone: c[2].trim().to_owned(),
        });
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = "/api/authority/registration";
            let sent = api::request::<RegistrationView>(
                session,
                Method::POST,
                path,
                &[],
                Payload::Json(&body),
            );
            match sent.await {
                Ok(v) => {
                    dirty.set_value(false);
                    current.set(Some(v));
                    details.set(Vec::new());
                    error.set(None);
                    status.set(Some("registration.sent"));
                }
                Err(r) => {
                    details.set(r.details());
                    error.set(Some(r.message));
                }
            }
            busy.set(false);
        });
    };
    let elsewhere = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        leptos::task::spawn_local(async move {
            let body = api::json(&AuthoritySettingsInput {
                registered_elsewhere: on,
            });
            let path = "/api/authority/settings";
            let put = api::request::<RegistrationView>(
                session,
                Method::PUT,
                path,
                &[],
                Payload::Json(&body),
            );
            match put.await {
                Ok(v) => {
                    current.set(Some(v));
                    error.set(None);
                    status.set(Some("registration.settings_saved"));
                }
                Err(r) => {
                    error.set(Some(r.message));
                    load();
                }
            }
        });
    };
    let checkbox = move |id: &'static str, key: &'static str, sig: RwSignal<bool>| {
        view! {
            <label class="check" for=id>
                <input type="checkbox" id=id disabled=move || !admin() prop:checked=move || sig.get()
                    on:change=move |ev| { dirty.set_value(true); sig.set(event_target_checked(&ev)) } />
                " "{move || t(key)}
            </label>
        }
    };
    view! {
        <section class="card registration">
            <h1>{move || t("registration.title")}</h1>
            <Show when=move || !admin()>
                <p class="hint">{move || t("registration.readonly")}</p>
            </Show>
            <h2>{move || t("registration.state")}</h2>
            {move || current.get().map(|v| {
                let (wire, key) = state_names(v.state);
                let yes_no = move |b: bool| t(if b { "yes" } else { "no" });
                let reasons = v.reasons.clone();
                view! {
                    <p><span id="registration-state" class=format!("badge {wire}") data-state=wire>{move || t(key)}</span></p>
                    <p id="registration-accepted">{move || t("registration.accepted_kinds")}": C "
                        {move || yes_no(v.accepted_coded)}", K "{move || yes_no(v.accepted_uncoded)}</p>
                    {(!reasons.is_empty()).then(|| view! {
                        <p class="error">{move || t("registration.reasons")}</p>
                        <ul class="errors" id="registration-reasons">
                            {reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                        </ul>
                    })}
                    <label class="check" for="registered-elsewhere">
                        <input type="checkbox" id="registered-elsewhere" disabled=move || !admin()
                            prop:checked=v.registered_elsewhere on:change=elsewhere />
                        " "{move || t("registration.elsewhere")}
                    </label>
                }
            })}
            <form on:submit=send>
                <h2>"01/ĐKTĐ-HĐĐT"</h2>
                {checkbox("registration-change", "registration.change", change)}
                <fieldset class="kinds">
                    {checkbox("registration-coded", "registration.coded", coded)}
                    {checkbox("registration-uncoded", "registration.uncoded", uncoded)}
                    <span class="msg" id="registration-kinds-msg">
                        {move || (touched.with(|t| t[0]) && kinds_missing()).then(|| t("registration.kinds"))}
                    </span>
                </fieldset>
                <div class="row">
                    {CONTACT.iter().enumerate().map(|(i, f)| {
                        let id = format!("registration-{}", f.name);
                        let msg_id = format!("{id}-msg");
                        let kind = if f.name == "contact_email" { "email" } else if f.name == "contact_phone" { "tel" } else { "text" };
                        view! {
                            <div class="field">
                                <label for=id.clone()>{move || label(f, lang())}" *"</label>
                                <input id=id type=kind aria-describedby=msg_id.clone() readonly=move || !admin()
                                    aria-required="true" aria-invalid=move || (!msg(i).is_empty()).to_string()
                                    prop:value=move || contact.with(|c| c[i].clone())
                                    on:input=move |ev| {
                                        dirty.set_value(true);
                                        contact.update(|c| c[i] = event_target_value(&ev));
                                        touched.update(|t| t[i] = true);
                                    }
                                    on:blur=move |_| touched.update(|t| t[i] = true) />
                                <span class="msg" id=msg_id>{move || msg(i)}</span>
                            </div>
                        }
                    }).collect_view()}
                </div>
                <p class="status" role="status" id="registration-status">{move || status.get().map(t)}</p>
                <p class="error" role="alert">{move || error.get()}</p>
                <Show when=admin>
                    <div class="actions">
                        <button type="submit" class="primary" id="registration-send"
                            disabled=move || busy.get()>{move || t("registration.send")}</button>
                    </div>
                </Show>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_is_checked_by_the_catalog_rules_and_the_phone_by_its_characters() {
        let m = |i, v| contact_message(i, v, Lang::En);
        assert!(m(0, " ").is_some(), "required");
        assert_eq!(m(0, "Nguyễn Văn A"), None);
        assert!(m(1, "ketoan").is_some());
        assert_eq!(m(1, "ketoan@anphat.vn"), None);
        assert!(m(2, "call me").is_some());
        assert!(m(2, "0241234567890123456789").is_some(), "too long");
        assert_eq!(m(2, "+84 24 3826 1234"), None);
    }
}
