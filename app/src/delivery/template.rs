//! A series' print template (`/series/{series}/template`, #17): logo, accent colour, labels,
//! the optional columns and a footer note, checked as typed by the core's own rule
//! (`Template::problems`) and by the server on save (`422` findings at `accent` / `footer`);
//! **Preview** shows the server's PDF of a sample invoice in a frame; **Save** sends the version
//! the edits started from (`?expected=`), and a `409 version_conflict` loads the server's copy.
//! The versions list says who saved which when. Admins edit; the others read.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::details_at;
use crate::i18n;
use crate::route::{Link, Route};
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::delivery::{Labels, MAX_FOOTER, Template, TemplateView};
use leptos::prelude::*;

/// Shows a blob (the preview PDF) through an object URL, releasing the one before.
fn show_blob(url: RwSignal<Option<String>>, blob: &web_sys::Blob) {
    let Ok(new) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(Some(old)) = url.try_get_untracked() {
        let _ = web_sys::Url::revoke_object_url(&old);
    }
    url.try_set(Some(new));
}

#[component]
pub fn TemplateScreen(session: Session, series: String) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let base = StoredValue::new(format!("/api/series/{}/template", api::encode(&series)));
    let current = RwSignal::new(None::<TemplateView>);
    let draft = RwSignal::new(Template::default());
    let versions = RwSignal::new(Vec::<TemplateView>::new());
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let preview = RwSignal::new(None::<String>);
    on_cleanup(move || {
        if let Some(Some(u)) = preview.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    let take = move |v: TemplateView| {
        draft.set(v.template.clone());
        current.set(Some(v));
    };
    let load = move || {
        let Some(base) = base.try_get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::get::<TemplateView>(session, &base).await {
                Ok(v) => take(v),
                Err(e) => drop(error.try_set(Some(e))),
            }
            let path = format!("{base}/versions");
            if let Ok(v) = api::get::<Vec<TemplateView>>(session, &path).await {
                versions.try_set(v);
            }
        });
    };
    load();
    let show_preview = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("{}/preview", base.get_value());
            let body = api::json(&draft.get_untracked());
            match api::fetch_file(session, Method::POST, &path, Payload::Json(&body)).await {
                Ok(b) => show_blob(preview, &b),
                Err(r) => {
                    details.try_set(r.details());
                    error.try_set(Some(r.shown(session.lang.get_untracked())));
                }
            }
            busy.try_set(false);
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        status.set(None);
        leptos::task::spawn_local(async move {
            let expected = current.with_untracked(|c| c.as_ref().map_or(0, |c| c.version));
            let path = format!("{}?expected={expected}", base.get_value());
            let body = api::json(&draft.get_untracked());
            let l = session.lang.get_untracked();
            let saved = api::request::<TemplateView>(
                session,
                Method::PUT,
                &path,
                &[],
                Payload::Json(&body),
            );
            match saved.await {
                Ok(v) => {
                    details.try_set(Vec::new());
                    error.try_set(None);
                    let saved = format!("{} {}", texts::text(l, "tpl.saved"), v.version);
                    status.try_set(Some(saved));
                    load();
                }
                Err(r) if r.code() == "version_conflict" => {
                    if let Some(v) = r.current::<TemplateView>() {
                        take(v);
                    }
                    error.try_set(Some(texts::text(l, "tpl.conflict").to_owned()));
                }
                Err(r) => {
                    details.try_set(r.details());
                    error.try_set(Some(r.shown(l)));
                }
            }
            busy.try_set(false);
        });
    };
    // What is wrong with a field: the core's rule as typed, then the server's last findings.
    let field_msg = move |field: &'static str| {
        let l = lang();
        let mut out: Vec<String> = draft.with(|d| {
            d.problems()
                .into_iter()
                .filter(|p| p.0 == field)
                .map(|p| if l == i18n::Lang::En { p.2 } else { p.1 }.to_owned())
                .collect()
        });
        out.extend(details.with(|d| details_at(d, field, l)));
        out.join(" ")
    };
    let admin = move || session.is_admin();
    let check = move |id: &'static str,
                      key: &'static str,
                      get: fn(&Template) -> bool,
                      set: fn(&mut Template, bool)| {
        view! {
            <label class="check" for=id>
                <input type="checkbox" id=id prop:checked=move || draft.with(get)
                    disabled=move || !admin()
                    on:change=move |ev| draft.update(|d| set(d, event_target_checked(&ev))) />
                " "{move || t(key)}
            </label>
        }
    };
    let version_line = move || {
        current.with(|c| {
            c.as_ref().map(|c| {
                let v = c.version;
                view! {
                    <p id="tpl-version" data-version=v.to_string()>{move || t("tpl.version")}": "{v}
                        {(v == 0).then(|| view! { " ("{move || t("tpl.builtin")}")" })}</p>
                }
            })
        })
    };
    view! {
        <section class="card template">
            <h1>{move || t("tpl.title")}" "{series.clone()}</h1>
            {version_line}
            <Show when=move || !admin()>
                <p class="hint">{move || t("tpl.admins")}</p>
            </Show>
            <form on:submit=save>
                {check("tpl-logo", "tpl.show_logo", |d| d.show_logo, |d, v| d.show_logo = v)}
                <div class="field">
                    <label for="tpl-accent">{move || t("tpl.accent")}</label>
                    <input type="color" id="tpl-accent" aria-describedby="tpl-accent-msg"
                        disabled=move || !admin()
                        prop:value=move || draft.with(|d| d.accent.clone())
                        on:input=move |ev| draft.update(|d| d.accent = event_target_value(&ev)) />
                    <span class="msg" id="tpl-accent-msg">{move || field_msg("accent")}</span>
                </div>
                <fieldset>
                    <legend>{move || t("tpl.labels")}</legend>
                    {[(Labels::Vi, "tpl.labels.vi", "tpl-labels-vi"), (Labels::ViEn, "tpl.labels.vi_en", "tpl-labels-vi-en")]
                        .into_iter().map(|(l, key, id)| view! {
                            <label class="check" for=id>
                                <input type="radio" name="tpl-labels" id=id disabled=move || !admin()
                                    prop:checked=move || draft.with(|d| d.labels == l)
                                    on:change=move |_| draft.update(|d| d.labels = l) />
                                " "{move || t(key)}
                            </label>
                        }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>{move || t("tpl.columns")}</legend>
                    {check("tpl-col-code", "tpl.col.code", |d| d.columns.code, |d, v| d.columns.code = v)}
                    {check("tpl-col-discount", "tpl.col.discount", |d| d.columns.discount, |d, v| d.columns.discount = v)}
                </fieldset>
                <div class="field">
                    <label for="tpl-footer">{move || t("tpl.footer")}</label>
                    <textarea id="tpl-footer" rows="3" maxlength=MAX_FOOTER.to_string()
                        aria-describedby="tpl-footer-msg" disabled=move || !admin()
                        prop:value=move || draft.with(|d| d.footer.clone().unwrap_or_default())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| d.footer = Some(v).filter(|v| !v.trim().is_empty()));
                        }></textarea>
                    <span class="hint">{move || draft.with(|d| d.footer.as_ref().map_or(0, |f| f.chars().count()))}" / "{MAX_FOOTER}</span>
                    <span class="msg" id="tpl-footer-msg">{move || field_msg("footer")}</span>
                </div>
                <div class="actions">
                    <button type="button" id="tpl-preview" disabled=move || busy.get()
                        on:click=show_preview>{move || t("tpl.preview")}</button>
                    <Show when=admin>
                        <button type="submit" class="primary" id="tpl-save"
                            disabled=move || busy.get() || draft.with(|d| !d.problems().is_empty())>
                            {move || t("tpl.save")}</button>
                    </Show>
                </div>
            </form>
            <p class="status" role="status" id="tpl-status">{move || status.get()}</p>
            <p class="error" role="alert" id="tpl-error">{move || error.get()}</p>
            {move || preview.get().map(|src| view! {
                <iframe class="pdf-preview" id="tpl-preview-frame" src=src title=move || t("tpl.preview")></iframe>
            })}
            <h2>{move || t("tpl.versions")}</h2>
            <div class="table-wrap">
                <table class="list" id="tpl-versions">
                    <thead><tr>
                        <th scope="col">{move || t("tpl.version")}</th>
                        <th scope="col">{move || t("tpl.who")}</th>
                        <th scope="col">{move || t("tpl.when")}</th>
                    </tr></thead>
                    <tbody>
                        {move || versions.get().into_iter().map(|v| {
                            let at = v.updated_at;
                            view! {
                                <tr>
                                    <td>{v.version}</td>
                                    <td>{v.updated_by.unwrap_or_default()}</td>
                                    <td>{move || at.map(|a| i18n::datetime(lang(), a)).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p><Link to=Route::Series>{move || t("tpl.back")}</Link></p>
        </section>
    }
}
