//! The outbox: every message to the tax authority, newest first, with its state, attempts,
//! the next attempt, the last error and the replies read for it. A message whose retries ran
//! out (`needs_attention`) can be retried now by an admin or accountant. The list asks the
//! server again while a shown message is not done (replies arrive on their own).

use super::texts;
use super::{kind_key, outbox_state_key};
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n;
use crate::route::{Link, Route, router};
use gloo_net::http::Method;
use hoadon_core::api::Page;
use hoadon_core::api::authority::{OutboxState, OutboxView, Subject};
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn OutboxScreen(session: Session, state: Option<OutboxState>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let router = router();
    let rows = RwSignal::new(Vec::<OutboxView>::new());
    let previous = RwSignal::new(Vec::<String>::new());
    let current = RwSignal::new(String::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let loading = RwSignal::new(false);
    let fetch = move |cursor: String| {
        let mut q = vec![format!("cursor={}", api::encode(&cursor))];
        if let Some(s) = state {
            q.push(format!("state={}", s.as_str()));
        }
        let path = format!("/api/outbox?{}", q.join("&"));
        loading.set(true);
        leptos::task::spawn_local(async move {
            match api::get::<Page<OutboxView>>(session, &path).await {
                Ok(page) => {
                    rows.set(page.items);
                    next.set(page.next);
                    current.set(cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    fetch(String::new());
    crate::poll::while_open(Duration::from_secs(5), move || {
        let moving = rows.with_untracked(|r| r.iter().any(|m| m.state != OutboxState::Done));
        if moving && current.with_untracked(String::is_empty) && !loading.get_untracked() {
            fetch(String::new());
        }
    });
    let retry = move |id: String| {
        leptos::task::spawn_local(async move {
            let path = format!("/api/outbox/{id}/retry");
            match api::request::<OutboxView>(session, Method::POST, &path, &[], Payload::None).await
            {
                Ok(m) => {
                    rows.update(|r| {
                        r.iter_mut()
                            .filter(|x| x.id == m.id)
                            .for_each(|x| *x = m.clone())
                    });
                    error.set(None);
                    status.set(Some("outbox.retried"));
                }
                Err(r) => error.set(Some(r.message)),
            }
        });
    };
    let pick = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        router.go(Route::Outbox(
            OutboxState::ALL.into_iter().find(|s| s.as_str() == v),
        ));
    };
    let row = move |m: OutboxView| {
        let kind = m.kind;
        let subject = match m.subject {
            Subject::Invoice => view! {
                <Link to=Route::Invoice(m.subject_id.clone())>{move || t("subject.invoice")}" "{m.subject_id.clone()}</Link>
            }
            .into_any(),
            Subject::Registration => view! {
                <Link to=Route::Registration>{move || t("subject.registration")}</Link>
            }
            .into_any(),
            Subject::Notice => view! {
                <Link to=Route::Notices>{move || t("subject.notice")}</Link>
            }
            .into_any(),
        };
        let next_at = m.next_at;
        let attention = m.state == OutboxState::NeedsAttention;
        let id = m.id.clone();
        view! {
            <tr id=format!("outbox-{}", m.id) data-state=m.state.as_str() data-kind=kind.to_string()>
                <td>{move || t(kind_key(kind))}" ("{kind}")"
                    {m.test.then(|| view! { " "<span class="test-mark small">{move || t("outbox.test")}</span> })}</td>
                <td>{subject}</td>
                <td><span class=format!("badge {}", m.state.as_str())>{move || t(outbox_state_key(m.state))}</span></td>
                <td class="num">{m.attempts}</td>
                <td>{move || next_at.map(|at| i18n::datetime(session.lang.get(), at)).unwrap_or_else(|| "—".into())}</td>
                <td class="last-error">{m.last_error.clone()}</td>
                <td><ul class="replies">
                    {m.replies.into_iter().map(|r| view! {
                        <li data-kind=r.kind.to_string()><strong>{move || t(kind_key(r.kind))}</strong>": "{r.summary}</li>
                    }).collect_view()}
                </ul></td>
                <td>{(attention && session.is_accounting()).then(|| view! {
                    <button type="button" class="retry" id=format!("retry-{id}")
                        on:click=move |_| retry(id.clone())>{move || t("outbox.retry")}</button>
                })}</td>
            </tr>
        }
    };
    view! {
        <section class="card">
            <div class="toolbar">
                <h1>{move || t("outbox.title")}</h1>
                <button type="button" id="outbox-refresh" on:click=move |_| fetch(current.get_untracked())>
                    {move || t("outbox.refresh")}</button>
            </div>
            <div class="field narrow">
                <label for="outbox-state">{move || t("outbox.state")}</label>
                <select id="outbox-state" on:change=pick>
                    <option value="" selected=state.is_none()>{move || t("status.any")}</option>
                    {OutboxState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=state == Some(s)>{move || t(outbox_state_key(s))}</option>
                    }).collect_view()}
                </select>
            </div>
            <p class="status" role="status">{move || status.get().map(t)}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list outbox" id="outbox">
                    <thead><tr>
                        <th scope="col">{move || t("outbox.kind")}</th>
                        <th scope="col">{move || t("outbox.subject")}</th>
                        <th scope="col">{move || t("outbox.state")}</th>
                        <th scope="col" class="num">{move || t("outbox.attempts")}</th>
                        <th scope="col">{move || t("outbox.next")}</th>
                        <th scope="col">{move || t("outbox.error")}</th>
                        <th scope="col">{move || t("outbox.replies")}</th>
                        <th scope="col"><span class="sr-only">{move || t("outbox.retry")}</span></th>
                    </tr></thead>
                    <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty) && !loading.get()>
                <p class="empty">{move || t("empty")}</p>
            </Show>
            <nav class="pager" aria-label=move || t("pages")>
                <button type="button" disabled=move || previous.with(Vec::is_empty)
                    on:click=move |_| {
                        let mut p = previous.get_untracked();
                        let c = p.pop().unwrap_or_default();
                        previous.set(p);
                        fetch(c);
                    }>{move || t("page.previous")}</button>
                <button type="button" disabled=move || next.get().is_none()
                    on:click=move |_| {
                        if let Some(n) = next.get_untracked() {
                            previous.update(|p| p.push(current.get_untracked()));
                            fetch(n);
                        }
                    }>{move || t("page.next")}</button>
            </nav>
        </section>
    }
}
