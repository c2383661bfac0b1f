//! The mapping table (`GET/PUT /api/order-mappings`, `DELETE
//! /api/order-mappings/{kind}/{erp_code}`): which catalog entry an ERP's customer or product
//! code stands for. Listed by kind; a row is added from the ERP's code and a catalog code picked
//! with the editor's type-ahead over the device's copy of that catalog (the catalog entry's
//! name shown beside it); deleted after a question. Admins and accountants change it. An
//! order's screen hands over a code it found unmapped ([`super::detail::MAP_KEY`]): the form
//! opens on its kind with the code filled in.

use super::detail::MAP_KEY;
use super::{refusal_text, texts, valid_code};
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::{cache, details_at};
use crate::typeahead::TypeAhead;
use gloo_net::http::Method;
use hoadon_core::api::orders::{Mapping, MappingBatch, MappingKind};
use hoadon_core::api::{Detail, Page};
use leptos::prelude::*;
use serde_json::Value;

/// Rows read per request.
const LIMIT: usize = 500;

/// A code handed over by an order's screen (`customer:KH-9`), as a kind and a code.
pub fn handed_over(v: &str) -> Option<(MappingKind, String)> {
    let (kind, code) = v.split_once(':')?;
    let kind = match kind {
        "customer" => MappingKind::Customer,
        "product" => MappingKind::Product,
        _ => return None,
    };
    valid_code(code, 50).then(|| (kind, code.to_owned()))
}

/// The code handed over, taken (it fills the form once).
fn take_handed_over() -> Option<(MappingKind, String)> {
    let s = web_sys::window()?.session_storage().ok()??;
    let v = s.get_item(MAP_KEY).ok()??;
    let _ = s.remove_item(MAP_KEY);
    handed_over(&v)
}

#[component]
pub fn Mappings(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let catalogs = cache();
    let handed = take_handed_over();
    let kind = RwSignal::new(handed.as_ref().map_or(MappingKind::Customer, |h| h.0));
    let erp = RwSignal::new(handed.map(|h| h.1).unwrap_or_default());
    let catalog = RwSignal::new(String::new());
    // Rebuilds the picker (another kind, or emptied after a save).
    let generation = RwSignal::new(0u32);
    let rows = RwSignal::new(Vec::<Mapping>::new());
    let next = RwSignal::new(None::<String>);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let can_write = move || session.is_accounting();
    let asked = StoredValue::new(0u32);
    // `more`: the next page appended; else the kind's first page.
    let load = move |more: bool| {
        let k = kind.get_untracked();
        let cursor = if more {
            next.get_untracked().unwrap_or_default()
        } else {
            String::new()
        };
        let path = format!(
            "/api/order-mappings?kind={}&limit={LIMIT}&cursor={}",
            k.as_str(),
            api::encode(&cursor)
        );
        let n = asked.get_value() + 1;
        asked.set_value(n);
        leptos::task::spawn_local(async move {
            let got = api::get::<Page<Mapping>>(session, &path).await;
            if asked.try_get_value() != Some(n) {
                return;
            }
            match got {
                Ok(p) => {
                    if more {
                        rows.try_update(|r| r.extend(p.items));
                    } else {
                        rows.try_set(p.items);
                    }
                    next.try_set(p.next);
                }
                Err(e) => drop(error.try_set(Some(e))),
            }
        });
    };
    load(false);
    let wrong = move |v: RwSignal<String>| v.with(|s| !s.is_empty() && !valid_code(s, 50));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, c) = (erp.get_untracked(), catalog.get_untracked());
        if !valid_code(&e, 50) || !valid_code(&c, 50) {
            error.set(Some(t("or.new.code.rule").to_owned()));
            return;
        }
        let m = Mapping {
            kind: kind.get_untracked(),
            erp_code: e,
            catalog_code: c,
        };
        let body = api::json(&MappingBatch { mappings: vec![m] });
        busy.set(true);
        status.set(None);
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let path = "/api/order-mappings";
            let saved =
                api::request::<Vec<Mapping>>(session, Method::PUT, path, &[], Payload::Json(&body));
            match saved.await {
                Ok(done) => {
                    let said = done
                        .iter()
                        .map(|m| format!("{} → {}", m.erp_code, m.catalog_code))
                        .collect::<Vec<_>>()
                        .join(", ");
                    status.try_set(Some(format!(
                        "{} {said}",
                        texts::text(lang, "or.map.added")
                    )));
                    details.try_set(Vec::new());
                    error.try_set(None);
                    erp.try_set(String::new());
                    catalog.try_set(String::new());
                    generation.try_update(|g| *g += 1);
                    load(false);
                }
                Err(r) => {
                    details.try_set(r.details());
                    error.try_set(Some(refusal_text(&r, lang)));
                }
            }
            busy.try_set(false);
        });
    };
    let delete = move |m: Mapping| {
        let lang = session.lang.get_untracked();
        let question = format!(
            "{} {} → {}",
            texts::text(lang, "or.map.delete.sure"),
            m.erp_code,
            m.catalog_code
        );
        let sure =
            web_sys::window().is_some_and(|w| w.confirm_with_message(&question).unwrap_or(false));
        if !sure {
            return;
        }
        leptos::task::spawn_local(async move {
            let path = format!(
                "/api/order-mappings/{}/{}",
                m.kind.as_str(),
                api::encode(&m.erp_code)
            );
            match api::send(session, Method::DELETE, &path, &[], Payload::None).await {
                Ok(_) => {
                    status.try_set(Some(format!(
                        "{} {}",
                        texts::text(lang, "or.map.deleted"),
                        m.erp_code
                    )));
                    error.try_set(None);
                }
                Err(r) => drop(error.try_set(Some(refusal_text(&r, lang)))),
            }
            load(false);
        });
    };
    // The catalog entry's name for a code, from the device's copy.
    let name_of = move |k: MappingKind, code: &str| {
        catalogs
            .search(k.catalog(), code, 20)
            .into_iter()
            .find(|e| e["code"] == code)
            .and_then(|e| e["name"].as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let at = move |path: &'static str| {
        move || details.with(|d| details_at(d, path, session.lang.get()).join(" "))
    };
    // A new input per generation (another kind, a pick, a save): a typed input keeps its text
    // whatever its `value` says.
    let picker = move |_: u32| {
        let k = kind.get_untracked();
        view! {
            <TypeAhead id="map-catalog".to_owned() kind=k.catalog() initial=catalog.get_untracked()
                described_by="map-catalog-msg".to_owned()
                invalid=Signal::derive(move || wrong(catalog) || details.with(|d| d.iter().any(|x| x.path.ends_with("catalog_code"))))
                on_input=move |v: String| catalog.set(v.trim().to_owned())
                on_pick=move |e: Value| {
                    catalog.set(e["code"].as_str().unwrap_or_default().to_owned());
                    generation.update(|g| *g += 1);
                } />
        }
    };
    let kind_button = move |k: MappingKind| {
        let key = texts::kind_key(k);
        view! {
            <button type="button" class="link" id=format!("map-kind-{}", k.as_str())
                aria-pressed=move || (kind.get() == k).to_string()
                on:click=move |_| {
                    if kind.get_untracked() != k {
                        kind.set(k);
                        catalog.set(String::new());
                        generation.update(|g| *g += 1);
                        load(false);
                    }
                }>{move || t(key)}</button>
        }
    };
    view! {
        <div class="mappings" id="mappings">
            <h2>{move || t("or.map.title")}</h2>
            <p class="hint">{move || t("or.map.hint")}</p>
            <div class="tabs" role="group" aria-label=move || t("or.kind")>
                {kind_button(MappingKind::Customer)}
                {kind_button(MappingKind::Product)}
            </div>
            <Show when=move || !can_write()>
                <p class="hint" id="map-readonly">{move || t("or.map.readonly")}</p>
            </Show>
            <form class="row map-add" id="map-form" on:submit=add hidden=move || !can_write()>
                <div class="field">
                    <label for="map-erp">{move || t("or.map.erp")}</label>
                    <input id="map-erp" maxlength="50" aria-describedby="map-erp-msg"
                        aria-invalid=move || wrong(erp).to_string()
                        prop:value=move || erp.get() on:input=move |ev| erp.set(event_target_value(&ev).trim().to_owned()) />
                    <span class="msg" id="map-erp-msg">{move || {
                        let mut m = at("mappings[0].erp_code")();
                        if wrong(erp) { m = format!("{} {m}", t("or.new.code.rule")); }
                        m
                    }}</span>
                </div>
                <div class="field">
                    <label for="map-catalog">{move || t("or.map.catalog.pick")}</label>
                    <For each=move || std::iter::once(generation.get()) key=|g| *g children=picker />
                    <span class="hint" id="map-catalog-name">{move || {
                        let c = catalog.get();
                        if c.is_empty() { String::new() } else { name_of(kind.get(), &c) }
                    }}</span>
                    <span class="msg" id="map-catalog-msg">{at("mappings[0].catalog_code")}</span>
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary" id="map-add" disabled=move || busy.get()>{move || t("or.map.add")}</button>
                </div>
            </form>
            <p class="status" role="status" id="map-status">{move || status.get()}</p>
            <p class="error" role="alert" id="map-error">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list stack" id="map-list">
                    <thead><tr>
                        <th scope="col">{move || t("or.map.erp")}</th>
                        <th scope="col">{move || t("or.map.catalog")}</th>
                        <th scope="col">{move || t("or.map.name")}</th>
                        <th scope="col"><span class="sr-only">{move || t("or.map.delete")}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=|m| (m.kind, m.erp_code.clone(), m.catalog_code.clone()) let(m)>
                            {
                                let name = name_of(m.kind, &m.catalog_code);
                                let gone = m.clone();
                                view! {
                                    <tr data-erp=m.erp_code.clone() data-catalog=m.catalog_code.clone()>
                                        <td data-label=move || t("or.map.erp") class="wrap">{m.erp_code.clone()}</td>
                                        <td data-label=move || t("or.map.catalog") class="wrap">{m.catalog_code.clone()}</td>
                                        <td data-label=move || t("or.map.name")>{name}</td>
                                        <td>{move || can_write().then(|| {
                                            let gone = gone.clone();
                                            view! { <button type="button" class="link map-delete" on:click=move |_| delete(gone.clone())>{move || t("or.map.delete")}</button> }
                                        })}</td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty" id="map-empty">{move || crate::i18n::text(session.lang.get(), "empty")}</p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button type="button" id="map-more" on:click=move |_| load(true)>{move || t("more")}</button>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_handed_over_names_its_kind() {
        assert_eq!(
            handed_over("customer:C-000017"),
            Some((MappingKind::Customer, "C-000017".into()))
        );
        assert_eq!(
            handed_over("product:ERP:PEN.1"),
            Some((MappingKind::Product, "ERP:PEN.1".into())),
            "a code may hold ':'"
        );
        assert_eq!(handed_over("supplier:X"), None);
        assert_eq!(handed_over("customer:"), None);
        assert_eq!(handed_over("customer:KH 1"), None);
    }
}
