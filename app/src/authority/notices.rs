//! The 04/SS-HĐĐT notices: telling the authority that issued invoices are cancelled, adjusted,
//! replaced or explained (one row each; answered by a 301). The list shows every notice and
//! where it stands; the form picks invoices among the recent issued ones.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::catalogs::detail_message;
use crate::i18n;
use gloo_net::http::Method;
use hoadon_core::api::authority::{NoticeInput, NoticeRowInput, NoticeState, NoticeView};
use hoadon_core::api::{Detail, InvoiceView, Page};
use hoadon_core::lifecycle::Status;
use leptos::prelude::*;
use std::time::Duration;

/// `TCTBao`: what the notice does to the invoice.
const ACTIONS: [(u8, &str); 4] = [
    (1, "action.1"),
    (2, "action.2"),
    (3, "action.3"),
    (4, "action.4"),
];

fn state_names(s: NoticeState) -> (&'static str, &'static str) {
    match s {
        NoticeState::Sent => ("sent", "notice.state.sent"),
        NoticeState::Received => ("received", "notice.state.received"),
        NoticeState::Accepted => ("accepted", "notice.state.accepted"),
        NoticeState::Refused => ("refused", "notice.state.refused"),
    }
}

fn action_key(action: u8) -> &'static str {
    ACTIONS
        .iter()
        .find(|(n, _)| *n == action)
        .map_or("status.unknown", |(_, k)| k)
}

/// How an invoice is named in the select and the list: series, number, buyer.
fn invoice_label(rec: &InvoiceView) -> String {
    let d = &rec.document;
    let number = rec.number.unwrap_or_default();
    let buyer = d.buyer.name.clone().unwrap_or_default();
    format!("{}{} · {number} · {buyer}", d.form, d.symbol)
}

/// A notice as the form holds it: the rows kept as typed, checked on Send. The tax office and
/// place may be left empty: the server takes them from the company profile.
fn notice_of(code: &str, name: &str, place: &str, rows: &[NoticeRowInput]) -> Option<NoticeInput> {
    let filled = |s: &str| !s.trim().is_empty();
    let rows_ok = rows
        .iter()
        .all(|r| filled(&r.invoice_id) && filled(&r.reason));
    (!rows.is_empty() && rows_ok).then(|| NoticeInput {
        tax_office_code: code.trim().to_owned(),
        tax_office_name: name.trim().to_owned(),
        place: place.trim().to_owned(),
        kind: None,
        authority_notice_number: None,
        authority_notice_date: None,
        rows: rows
            .iter()
            .map(|r| NoticeRowInput {
                reason: r.reason.trim().to_owned(),
                ..r.clone()
            })
            .collect(),
    })
}

fn blank_row() -> NoticeRowInput {
    NoticeRowInput {
        invoice_id: String::new(),
        action: 1,
        reason: String::new(),
    }
}

/// The row the address asks for (`/notices?invoice=…&action=4`: the corrections screen's
/// "Notify error" on an invoice).
fn row_from_address() -> Option<NoticeRowInput> {
    let search = web_sys::window()?.location().search().ok()?;
    let q = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let invoice_id = q.get("invoice").filter(|s| !s.is_empty())?;
    let action = q.get("action").and_then(|a| a.parse().ok()).unwrap_or(4);
    Some(NoticeRowInput {
        invoice_id,
        action,
        reason: String::new(),
    })
}

#[component]
pub fn NoticesScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let notices = RwSignal::new(Vec::<NoticeView>::new());
    let issued = RwSignal::new(Vec::<InvoiceView>::new());
    let (code, name, place) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let asked = row_from_address();
    let asked_id = asked.as_ref().map(|r| r.invoice_id.clone());
    let rows = RwSignal::new(vec![asked.unwrap_or_else(blank_row)]);
    // Bumped when a row is added or removed: the rows are drawn again (typing does not).
    let generation = RwSignal::new(0u64);
    let details = RwSignal::new(Vec::<Detail>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Page<NoticeView>>(session, "/api/notices").await {
                Ok(p) => notices.set(p.items),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    leptos::task::spawn_local(async move {
        // Invoices a notice can be about: issued and signed (not a draft, not awaiting the key).
        if let Ok(p) = api::get::<Page<InvoiceView>>(session, "/api/invoices?limit=100").await {
            let about = |r: &InvoiceView| r.status.is_issued() && r.status != Status::Numbered;
            let mut items: Vec<InvoiceView> = p.items.into_iter().filter(about).collect();
            // The invoice the address names, when it is older than the recent ones.
            if let Some(id) = asked_id.filter(|id| !items.iter().any(|r| &r.id == id))
                && let Ok(r) =
                    api::get::<InvoiceView>(session, &format!("/api/invoices/{id}")).await
            {
                items.insert(0, r);
            }
            issued.try_set(items);
        }
    });
    crate::poll::while_open(Duration::from_secs(5), move || {
        let owed = notices.with_untracked(|n| {
            n.iter()
                .any(|n| matches!(n.state, NoticeState::Sent | NoticeState::Received))
        });
        if owed {
            load();
        }
    });
    let label_of = move |id: &str| {
        issued
            .with(|v| v.iter().find(|r| r.id == id).map(invoice_label))
            .unwrap_or_else(|| id.to_owned())
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        let input = rows.with_untracked(|r| {
            notice_of(
                &code.get_untracked(),
                &name.get_untracked(),
                &place.get_untracked(),
                r,
            )
        });
        let Some(input) = input else {
            error.set(Some(t("notices.incomplete").to_owned()));
            return;
        };
        let body = api::json(&input);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let made = api::request::<NoticeView>(
                session,
                Method::POST,
                "/api/notices",
                &[],
                Payload::Json(&body),
            );
            match made.await {
                Ok(n) => {
                    notices.update(|v| v.insert(0, n));
                    rows.set(vec![blank_row()]);
                    generation.update(|g| *g += 1);
                    error.set(None);
                    details.set(Vec::new());
                    status.set(Some("notices.sent"));
                }
                Err(r) => {
                    details.set(r.details());
                    error.set(Some(r.message));
                }
            }
            busy.set(false);
        });
    };
    let text_field = move |id: &'static str, key: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{move || t(key)}</label>
                <input id=id aria-describedby="notice-office-default" prop:value=move || sig.get()
                    on:input=move |ev| sig.set(event_target_value(&ev)) />
            </div>
        }
    };
    let row_view = move |i: usize, row: NoticeRowInput| {
        let id = move |f: &str| format!("notice-rows-{i}-{f}");
        view! {
            <fieldset class="line notice-row">
                <legend>{move || format!("{} {}", t("notices.invoice"), i + 1)}</legend>
                <div class="field wide">
                    <label for=id("invoice")>{move || t("notices.invoice")}</label>
                    <select id=id("invoice") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        rows.update(|r| r[i].invoice_id = v);
                    }>
                        <option value="" selected=row.invoice_id.is_empty()>{move || t("notices.invoice.pick")}</option>
                        {move || issued.get().into_iter().map(|rec| {
                            let selected = rec.id == row.invoice_id;
                            view! { <option value=rec.id.clone() selected=selected>{invoice_label(&rec)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=id("action")>{move || t("notices.action")}</label>
                    <select id=id("action") on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(1);
                        rows.update(|r| r[i].action = n);
                    }>
                        {ACTIONS.iter().map(|(n, key)| view! {
                            <option value=n.to_string() selected=*n == row.action>{move || format!("{n} — {}", t(key))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field wide">
                    <label for=id("reason")>{move || t("notices.reason")}</label>
                    <input id=id("reason") required value=row.reason.clone()
                        on:input=move |ev| { let v = event_target_value(&ev); rows.update(|r| r[i].reason = v) } />
                </div>
                <button type="button" class="link" on:click=move |_| {
                    rows.update(|r| { if r.len() > 1 { r.remove(i); } });
                    generation.update(|g| *g += 1);
                }>{move || t("notices.row.remove")}</button>
            </fieldset>
        }
    };
    let notice_row = move |n: NoticeView| {
        let (wire, key) = state_names(n.state);
        let office = format!("{} · {}", n.input.tax_office_code, n.input.tax_office_name);
        view! {
            <tr id=format!("notice-{}", n.id) data-state=wire>
                <td>{move || i18n::datetime(session.lang.get(), n.created_at)}</td>
                <td>{office}</td>
                <td><ul class="replies">
                    {n.input.rows.into_iter().map(|r| view! {
                        <li>{move || label_of(&r.invoice_id)}" — "{move || t(action_key(r.action))}": "{r.reason.clone()}</li>
                    }).collect_view()}
                </ul></td>
                <td><span class=format!("badge {wire}")>{move || t(key)}</span>
                    <ul class="errors">{n.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul></td>
            </tr>
        }
    };
    view! {
        <section class="card notices">
            <h1>{move || t("notices.title")}</h1>
            <div class="table-wrap">
                <table class="list" id="notices">
                    <thead><tr>
                        <th scope="col">{move || t("notices.date")}</th>
                        <th scope="col">{move || t("notices.office_name")}</th>
                        <th scope="col">{move || t("notices.rows")}</th>
                        <th scope="col">{move || t("status")}</th>
                    </tr></thead>
                    <tbody>{move || notices.get().into_iter().map(notice_row).collect_view()}</tbody>
                </table>
            </div>
            <Show when=move || notices.with(Vec::is_empty)>
                <p class="empty">{move || t("empty")}</p>
            </Show>
            <form on:submit=send>
                <h2>{move || t("notices.new")}</h2>
                <div class="row">
                    {text_field("notice-office-code", "notices.office_code", code)}
                    {text_field("notice-office-name", "notices.office_name", name)}
                    {text_field("notice-place", "notices.place", place)}
                </div>
                <p class="hint" id="notice-office-default">{move || t("notices.office.default")}</p>
                <For each=move || std::iter::once(generation.get()) key=|g| *g
                    children=move |_| rows.get_untracked().into_iter().enumerate()
                        .map(|(i, r)| row_view(i, r)).collect_view() />
                <button type="button" id="notice-row-add" on:click=move |_| {
                    rows.update(|r| r.push(blank_row()));
                    generation.update(|g| *g += 1);
                }>{move || t("notices.row.add")}</button>
                <ul class="errors" id="notice-details">
                    {move || details.get().into_iter().map(|d| view! {
                        <li><code>{d.path.clone()}</code>": "{detail_message(&d, session.lang.get()).to_owned()}</li>
                    }).collect_view()}
                </ul>
                <p class="status" role="status" id="notice-status">{move || status.get().map(t)}</p>
                <p class="error" role="alert">{move || error.get()}</p>
                <div class="actions">
                    <button type="submit" class="primary" id="notice-send" disabled=move || busy.get()>
                        {move || t("notices.send")}</button>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_sent_only_when_every_part_is_filled() {
        let row = NoticeRowInput {
            invoice_id: "inv-1".into(),
            action: 1,
            reason: " Sai tên người mua ".into(),
        };
        let n = notice_of(
            "10100",
            "Chi cục Thuế Hoàn Kiếm",
            "Hà Nội",
            std::slice::from_ref(&row),
        )
        .unwrap();
        assert_eq!(n.rows[0].reason, "Sai tên người mua");
        // The office and place default to the company profile's (the server fills them).
        let n = notice_of(" ", "", "", std::slice::from_ref(&row)).unwrap();
        assert_eq!((n.tax_office_code.as_str(), n.place.as_str()), ("", ""));
        assert!(notice_of("10100", "CCT", "Hà Nội", &[]).is_none());
        assert!(notice_of("10100", "CCT", "Hà Nội", &[blank_row()]).is_none());
        for (n, _) in ACTIONS {
            assert_ne!(action_key(n), "status.unknown");
        }
    }
}
