//! The company profile screen: the tenant's own details, the seller block of every invoice.
//!
//! The form is drawn from `hoadon_core::profile::FIELDS` and checked with
//! `CompanyProfile::check` — the server's own rules — as the admin types (a field's finding shows
//! once it was touched, or after "Save"). Only admins edit; everyone else reads it, since the
//! seller block the editor shows comes from here. Saving sends `If-Match` of the version the
//! edits started from; a `409 version_conflict` shows the server's copy and lets the admin choose.

use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::{detail_message, label, picked_file};
use crate::i18n;
use crate::kept::device;
use base64::Engine;
use gloo_net::http::Method;
use hoadon_core::api::{Detail, ProfileView};
use hoadon_core::profile::{CompanyProfile, FIELDS, MAX_LOGO};
use leptos::prelude::*;

/// The form's texts, one per [`FIELDS`] entry, as typed (spaces kept while typing).
fn texts(p: &CompanyProfile) -> Vec<String> {
    FIELDS
        .iter()
        .map(|f| p.get(f.name).unwrap_or_default().to_owned())
        .collect()
}

/// The profile the form describes (blank optional fields cleared, text trimmed).
fn profile_of(texts: &[String], logo: Option<String>) -> CompanyProfile {
    let mut p = CompanyProfile::default();
    for (f, v) in FIELDS.iter().zip(texts) {
        p.set(f.name, Some(v.trim().to_owned()));
    }
    p.set("logo", logo);
    p
}

/// A picked image file as a `data:` URL, or why it cannot be the logo.
async fn logo_url(file: web_sys::File) -> Result<String, &'static str> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "import.unreadable")?;
    let bytes = web_sys::js_sys::Uint8Array::new(&buffer).to_vec();
    let url = format!(
        "data:{};base64,{}",
        file.type_(),
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    if url.len() > MAX_LOGO {
        return Err("profile.logo.too_big");
    }
    Ok(url)
}

#[component]
pub fn ProfileScreen(session: Session) -> impl IntoView {
    let kept = device().profile;
    let t = move |k| i18n::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let values = RwSignal::new(vec![String::new(); FIELDS.len()]);
    let logo = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u64);
    let touched = RwSignal::new(vec![false; FIELDS.len()]);
    let server_details = RwSignal::new(Vec::<Detail>::new());
    let conflict = RwSignal::new(None::<ProfileView>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    // Edits started: a refreshed copy from the server no longer replaces what is typed.
    let dirty = StoredValue::new(false);
    let take = move |v: &ProfileView| {
        values.set(texts(&v.profile));
        logo.set(v.profile.logo.clone());
        version.set(v.version);
    };
    Effect::new(move |_| {
        if let Some(v) = kept.value.get()
            && !dirty.get_value()
        {
            take(&v);
        }
    });
    leptos::task::spawn_local(kept.refresh(session));
    let admin = move || session.is_admin();
    let findings = Memo::new(move |_| values.with(|v| profile_of(v, logo.get()).check()));
    let msgs = move |i: usize| {
        let path = format!("profile.{}", FIELDS[i].name);
        let mut m: Vec<String> = Vec::new();
        if touched.with(|t| t[i]) {
            findings.with(|fs| {
                m.extend(fs.iter().filter(|f| f.path == path).map(|f| {
                    if lang() == i18n::Lang::Vi {
                        f.message_vi.clone()
                    } else {
                        f.message_en.clone()
                    }
                }))
            });
        }
        server_details.with(|d| {
            m.extend(
                d.iter()
                    .filter(|d| d.path == path)
                    .map(|d| detail_message(d, lang()).to_owned()),
            )
        });
        m.join("; ")
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(vec![true; FIELDS.len()]);
        status.set(None);
        if findings.with(|f| !f.is_empty()) {
            return;
        }
        let body = api::json(&values.with_untracked(|v| profile_of(v, logo.get_untracked())));
        let v = version.get_untracked().to_string();
        leptos::task::spawn_local(async move {
            let headers = [("if-match", v.as_str())];
            let put = api::request::<ProfileView>(
                session,
                Method::PUT,
                "/api/profile",
                &headers,
                Payload::Json(&body),
            );
            match put.await {
                Ok(saved) => {
                    dirty.set_value(false);
                    take(&saved);
                    kept.keep(session, saved);
                    error.set(None);
                    server_details.set(Vec::new());
                    conflict.set(None);
                    status.set(Some("profile.saved"));
                }
                Err(r) => {
                    if r.code() == "version_conflict" {
                        conflict.set(r.current::<ProfileView>());
                    }
                    server_details.set(r.details());
                    error.set(Some(r.message));
                }
            }
        });
    };
    let on_logo = move |ev: leptos::ev::Event| {
        let Some(file) = picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match logo_url(file).await {
                Ok(url) => {
                    dirty.set_value(true);
                    logo.set(Some(url));
                    error.set(None);
                }
                Err(key) => error.set(Some(t(key).to_owned())),
            }
        });
    };
    let conflict_view = move || {
        conflict.get().map(|current| {
            let theirs = current.profile.seller();
            let summary = format!(
                "{} · {} · {}",
                theirs.name.unwrap_or_default(),
                theirs.tax_id.unwrap_or_default(),
                theirs.address.unwrap_or_default()
            );
            let (keep, use_theirs) = (current.clone(), current);
            view! {
                <section class="conflict" role="alert" id="profile-conflict">
                    <h2>{move || t("profile.conflict")}</h2>
                    <p>{move || t("conflict.theirs")}" ("{keep.version}"): "{summary}</p>
                    <div class="actions">
                        <button type="button" class="primary" on:click=move |_| {
                            // Mine replaces theirs on the next save.
                            version.set(keep.version);
                            conflict.set(None);
                        }>{move || t("conflict.keep_mine")}</button>
                        <button type="button" on:click=move |_| {
                            dirty.set_value(false);
                            take(&use_theirs);
                            kept.keep(session, use_theirs.clone());
                            conflict.set(None);
                        }>{move || t("conflict.take_theirs")}</button>
                    </div>
                </section>
            }
        })
    };

    view! {
        <form class="card profile" on:submit=save>
            <h1>{move || t("profile")}</h1>
            <p class="hint">{move || t(if admin() { "profile.hint" } else { "profile.readonly" })}</p>
            {conflict_view}
            <div class="row">
                {FIELDS.iter().enumerate().map(|(i, f)| {
                    let id = format!("profile-{}", f.name);
                    let msg_id = format!("{id}-msg");
                    view! {
                        <div class="field">
                            <label for=id.clone()>{move || label(f, lang())}{f.required.then_some(" *")}</label>
                            <input id=id aria-describedby=msg_id.clone() readonly=move || !admin()
                                aria-required=f.required.to_string()
                                aria-invalid=move || (!msgs(i).is_empty()).to_string()
                                prop:value=move || values.with(|v| v[i].clone())
                                on:input=move |ev| {
                                    dirty.set_value(true);
                                    values.update(|v| v[i] = event_target_value(&ev));
                                    touched.update(|t| t[i] = true);
                                }
                                on:blur=move |_| touched.update(|t| t[i] = true) />
                            <span class="msg" id=msg_id>{move || msgs(i)}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="field">
                <span>{move || t("profile.logo")}</span>
                {move || logo.get().map(|src| view! { <img id="profile-logo-preview" class="logo" src=src alt="" /> })}
                <Show when=admin>
                    <label for="profile-logo">{move || t("profile.logo.pick")}</label>
                    <input id="profile-logo" type="file" accept="image/png,image/jpeg,image/svg+xml" on:change=on_logo />
                </Show>
            </div>
            <p class="status" role="status" id="profile-status">{move || status.get().map(t)}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <Show when=admin>
                <div class="actions">
                    <button type="submit" class="primary">{move || t("save.entry")}</button>
                </div>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_back_the_profile_it_shows() {
        let p = CompanyProfile {
            name: "Công ty TNHH Acme".into(),
            tax_id: "0109998883".into(),
            address: "1 Tràng Tiền, Hà Nội".into(),
            email: Some("ke.toan@acme.vn".into()),
            ..Default::default()
        };
        let mut typed = texts(&p);
        assert_eq!(profile_of(&typed, None), p);
        typed[0].push(' '); // typing goes on: spaces are kept in the form, trimmed in the profile
        assert_eq!(profile_of(&typed, None), p);
    }
}
