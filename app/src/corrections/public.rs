//! The buyer's confirmation page, `/confirm#<tenant>.<secret>`: opened from the link the seller
//! sent, with no account and no sign-in. It shows what the seller asks the buyer to agree to —
//! the seller, the statement ("Điều chỉnh giảm cho hóa đơn Mẫu số … ký hiệu … số … ngày …"), the
//! reason, the correction's lines and total — and one button, Confirm. The key in the address's
//! fragment is the only credential: it is sent in request bodies only (the browser never sends a
//! fragment, so no path, access log or `Referer` holds it), and nothing is kept on the device.

use super::texts;
use crate::api::{self, Payload, Refusal};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::corrections::{PublicConfirm, PublicConfirmation, PublicKey};
use hoadon_core::corrections::ConfirmationState;
use leptos::prelude::*;

/// What the page shows: the request, or why there is none.
#[derive(Clone)]
enum Shown {
    Loading,
    Found(Box<PublicConfirmation>),
    /// No such link (never made, mistyped or revoked: the server does not say which).
    Gone,
    Failed(String),
}

/// The link's key: the address's fragment.
fn key_of_address() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    hash.trim_start_matches('#').to_owned()
}

/// `POST /api/public/confirmations/view` (no `name`) or `…/confirm` (who confirms) with the key,
/// without a token.
async fn public(key: &str, name: Option<&str>, lang: Lang) -> Shown {
    if key.is_empty() {
        return Shown::Gone;
    }
    let (what, body) = match name {
        None => (
            "view",
            api::json(&PublicKey {
                key: key.to_owned(),
            }),
        ),
        Some(n) => (
            "confirm",
            api::json(&PublicConfirm {
                key: key.to_owned(),
                name: n.trim().to_owned(),
            }),
        ),
    };
    let path = format!("/api/public/confirmations/{what}");
    match api::call(Method::POST, &path, None, &[], Payload::Json(&body)).await {
        Ok((200, text)) => match api::parse::<PublicConfirmation>(&text) {
            Ok(p) => Shown::Found(Box::new(p)),
            Err(r) => Shown::Failed(r.message),
        },
        // No such link, or expired (30 days), or revoked; a malformed key too.
        Ok((404 | 410 | 422, _)) => Shown::Gone,
        Ok((s, text)) => Shown::Failed(Refusal::from_answer(s, &text).shown(lang)),
        Err(_) => Shown::Failed(i18n::text(lang, "unreachable").to_owned()),
    }
}

#[component]
pub fn PublicConfirm(lang: Lang) -> impl IntoView {
    let t = move |k| texts::text(lang, k);
    let shown = RwSignal::new(Shown::Loading);
    let busy = RwSignal::new(false);
    // Who confirms for the buyer: kept in the confirmation's history (no account names them).
    let name = RwSignal::new(String::new());
    let key = StoredValue::new(key_of_address());
    leptos::task::spawn_local(async move {
        let s = public(&key.get_value(), None, lang).await;
        shown.try_set(s);
    });
    let confirm = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let who = name.get_untracked();
            let s = public(&key.get_value(), Some(&who), lang).await;
            shown.try_set(s);
            busy.try_set(false);
        });
    };
    let body = move || match shown.get() {
        Shown::Loading => view! { <p>{t("loading")}</p> }.into_any(),
        Shown::Gone => {
            view! { <p class="error" id="public-gone">{t("public.gone")}</p> }.into_any()
        }
        Shown::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Shown::Found(p) => {
            let state = p.state;
            let waiting = state == ConfirmationState::AwaitingBuyer;
            view! {
                <p>{t("public.intro")}</p>
                <dl class="facts">
                    <div><dt>{t("seller")}</dt><dd id="public-seller">{format!("{} · {}", p.seller_name, p.seller_tax_id)}</dd></div>
                    <div><dt>{t("buyer")}</dt><dd>{p.buyer_name.clone()}</dd></div>
                    <div><dt>{t(texts::method_key(p.method))}</dt><dd id="public-statement">{p.statement.clone()}</dd></div>
                    <div><dt>{t("public.reason")}</dt><dd id="public-reason">{p.reason.clone()}</dd></div>
                </dl>
                <div class="table-wrap">
                    <table class="list" id="public-lines">
                        <thead><tr>
                            <th scope="col">{t("line.name")}</th>
                            <th scope="col" class="num">{t("line.amount")}</th>
                        </tr></thead>
                        <tbody>
                            {p.lines.iter().map(|l| view! {
                                <tr><td>{l.name.clone()}</td>
                                    <td class="num">{l.amount.map(i18n::money).unwrap_or_default()}</td></tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot><tr>
                            <th scope="row">{t("totals.total")}</th>
                            <td class="num" id="public-total">{i18n::money(p.total)}</td>
                        </tr></tfoot>
                    </table>
                </div>
                <p><span id="public-state" class="badge" data-state=state.as_str()>
                    {t(texts::confirmation_key(state))}</span></p>
                {(state == ConfirmationState::Confirmed).then(|| view! {
                    <p class="status" role="status" id="public-done">{t("public.done")}</p>
                })}
                {waiting.then(|| view! {
                    <label for="public-name">{t("public.name")}</label>
                    <input id="public-name" maxlength="100" autocomplete="name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <div class="actions">
                        <button type="button" class="primary" id="public-confirm"
                            disabled=move || busy.get() || name.with(|n| n.trim().is_empty())
                            on:click=confirm>{t("public.confirm")}</button>
                    </div>
                })}
            }
            .into_any()
        }
    };
    view! {
        <section class="card public-confirm">
            <h1>{t("public.title")}</h1>
            {body}
        </section>
    }
}
