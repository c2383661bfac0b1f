//! The corrections of an issued invoice: replace, adjust (increase, decrease, information only),
//! notify an error (04/SS) and cancel, each shown with the server's one sentence saying why it is
//! or is not available today (`CorrectionsView.actions`, from the core's dated rule table) and
//! disabled when it is not. Replacing and adjusting ask for the reason, create the correction's
//! draft (`POST …/corrections` under an id made here, so a retry makes no second draft) and open
//! it in the normal editor; cancelling asks for the reason and a confirmation; notifying opens
//! the 04/SS screen with this invoice's row filled in.

use super::texts;
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::Lang;
use crate::route::{Route, router};
use gloo_net::http::Method as Http;
use hoadon_core::api::InvoiceView;
use hoadon_core::api::corrections::{
    ActionView, CancelRequest, CorrectionRequest, CorrectionsView,
};
use hoadon_core::corrections::{CancelGround, Direction, Method};
use leptos::prelude::*;

/// The actions in the order the screen shows them.
const ORDER: [Method; 4] = [
    Method::Replacement,
    Method::Adjustment,
    Method::Explanation,
    Method::Cancellation,
];

const GROUNDS: [(CancelGround, &str); 2] = [
    (CancelGround::NotSentToBuyer, "not_sent_to_buyer"),
    (
        CancelGround::PrepaidServiceCancelled,
        "prepaid_service_cancelled",
    ),
];

const DIRECTIONS: [Direction; 3] = [
    Direction::Increase,
    Direction::Decrease,
    Direction::Information,
];

/// The server's answer for `method`. An error notice the server does not list is offered with
/// the rule's own sentence (a 04/SS explanation is always possible for an issued invoice; the
/// notice screen's server checks it again).
fn action_for(actions: &[ActionView], method: Method) -> Option<ActionView> {
    actions
        .iter()
        .find(|a| a.method == method)
        .cloned()
        .or_else(|| {
            (method == Method::Explanation).then(|| ActionView {
                method,
                allowed: true,
                code: None,
                why_vi: texts::text(Lang::Vi, "corr.explain.allowed").to_owned(),
                why_en: texts::text(Lang::En, "corr.explain.allowed").to_owned(),
            })
        })
}

/// Opens the 04/SS screen with this invoice's row filled in (action 4, explanation): the
/// address carries it (`?invoice=…&action=4`), which the notices screen reads.
fn open_notice(invoice: &str) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let to = format!("/notices?invoice={}&action=4", api::encode(invoice));
    if let Ok(h) = w.history() {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to));
    }
    // The app's router follows the address (see `crate::lazy`).
    if let Ok(e) = web_sys::Event::new("popstate") {
        let _ = w.dispatch_event(&e);
    }
}

#[component]
pub fn Actions(
    session: Session,
    rec: InvoiceView,
    view: CorrectionsView,
    changed: Callback<CorrectionsView>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let router = router();
    let id = StoredValue::new(rec.id.clone());
    // The action whose form is open.
    let open = RwSignal::new(None::<Method>);
    let reason = RwSignal::new(String::new());
    let direction = RwSignal::new(Direction::Increase);
    // Why the law allows a cancellation (the 04/SS states it).
    let ground = RwSignal::new(CancelGround::NotSentToBuyer);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let start = move |m: Method| {
        error.set(None);
        if m == Method::Explanation {
            open_notice(&id.get_value());
        } else {
            open.set(Some(m));
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(m) = open.get_untracked() else {
            return;
        };
        let why = reason.get_untracked().trim().to_owned();
        if m == Method::Cancellation {
            let sure = web_sys::window().is_some_and(|w| {
                w.confirm_with_message(t("corr.cancel.sure"))
                    .unwrap_or(false)
            });
            if !sure {
                return;
            }
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let original = id.get_value();
            let result = if m == Method::Cancellation {
                let body = api::json(&CancelRequest {
                    ground: ground.get_untracked(),
                    reason: why,
                });
                let path = format!("/api/invoices/{original}/cancel");
                api::request::<CorrectionsView>(
                    session,
                    Http::POST,
                    &path,
                    &[],
                    Payload::Json(&body),
                )
                .await
                .map(|v| {
                    open.try_set(None);
                    changed.run(v);
                })
            } else {
                let draft = crate::drafts::new_id();
                let body = api::json(&CorrectionRequest {
                    id: draft.clone(),
                    method: m,
                    direction: (m == Method::Adjustment).then(|| direction.get_untracked()),
                    reason: why,
                    also: Vec::new(),
                    difference: None,
                });
                let path = format!("/api/invoices/{original}/corrections");
                let key = [("idempotency-key", draft.as_str())];
                api::request::<InvoiceView>(session, Http::POST, &path, &key, Payload::Json(&body))
                    .await
                    // The new draft, in the normal editor.
                    .map(|made| router.go(Route::Edit(made.id)))
            };
            if let Err(r) = result {
                error.try_set(Some(r.shown(lang)));
            }
            busy.try_set(false);
        });
    };
    let action_row = move |a: ActionView| {
        let m = a.method;
        let wire = m.label_en();
        let allowed = a.allowed;
        let code = a.code.clone();
        view! {
            <div class="correction-action" id=format!("action-{wire}") data-allowed=allowed.to_string()>
                <button type="button" id=format!("action-{wire}-start") disabled=move || !allowed || busy.get()
                    aria-describedby=format!("why-{wire}") aria-expanded=move || (open.get() == Some(m)).to_string()
                    on:click=move |_| start(m)>{move || t(texts::method_key(m))}</button>
                <p class="hint" id=format!("why-{wire}")>
                    {move || if session.lang.get() == Lang::Vi { a.why_vi.clone() } else { a.why_en.clone() }}
                    {code.map(|c| view! { " "<code>{c}</code> })}
                </p>
            </div>
        }
    };
    let form = move || {
        let m = open.get()?;
        let make = match m {
            Method::Replacement => "corr.make.replacement",
            Method::Adjustment => "corr.make.adjustment",
            _ => "corr.make.cancellation",
        };
        let max = if m == Method::Cancellation {
            "255"
        } else {
            "150"
        };
        Some(view! {
            <form id="correction-form" class="entry" data-method=m.label_en() on:submit=submit>
                {(m == Method::Adjustment).then(|| view! {
                    <fieldset class="kinds" id="correction-direction">
                        <legend>{move || t("corr.direction")}</legend>
                        {DIRECTIONS.into_iter().map(|d| {
                            let wire = texts::direction_key(d).trim_start_matches("direction.");
                            view! {
                                <label class="check">
                                    <input type="radio" name="direction" id=format!("direction-{wire}") value=wire
                                        prop:checked=move || direction.get() == d
                                        on:change=move |_| direction.set(d) />
                                    {move || t(texts::direction_key(d))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
                {(m == Method::Cancellation).then(|| view! {
                    <fieldset class="kinds" id="cancel-ground">
                        <legend>{move || t("corr.ground")}</legend>
                        {GROUNDS.into_iter().map(|(g, wire)| view! {
                            <label class="check">
                                <input type="radio" name="ground" id=format!("ground-{wire}") value=wire
                                    prop:checked=move || ground.get() == g
                                    on:change=move |_| ground.set(g) />
                                {move || t(if g == CancelGround::NotSentToBuyer { "ground.not_sent_to_buyer" } else { "ground.prepaid_service_cancelled" })}
                            </label>
                        }).collect_view()}
                    </fieldset>
                })}
                <label for="correction-reason">{move || t("corr.reason")}</label>
                <input id="correction-reason" required maxlength=max prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev)) />
                <div class="actions">
                    <button type="submit" class="primary" id="correction-submit" disabled=move || busy.get()>
                        {move || t(make)}</button>
                    <button type="button" class="link" on:click=move |_| open.set(None)>{move || t("cancel")}</button>
                </div>
            </form>
        })
    };
    view! {
        <section class="correction-actions" aria-labelledby="corr-actions-title">
            <h2 id="corr-actions-title">{move || t("corr.actions")}</h2>
            {ORDER.into_iter().filter_map(|m| action_for(&view.actions, m)).map(action_row).collect_view()}
            {form}
            <p class="error" role="alert" id="correction-error">{move || error.get()}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_notice_is_offered_even_when_the_server_lists_only_the_corrections() {
        let replace = ActionView {
            method: Method::Replacement,
            allowed: false,
            code: Some("correction.already_replaced".into()),
            why_vi: "Đã thay thế".into(),
            why_en: "Already replaced".into(),
        };
        let actions = [replace.clone()];
        assert_eq!(action_for(&actions, Method::Replacement), Some(replace));
        assert!(action_for(&actions, Method::Explanation).is_some_and(|a| a.allowed));
        assert_eq!(action_for(&actions, Method::Cancellation), None);
    }
}
