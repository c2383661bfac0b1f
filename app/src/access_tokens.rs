//! Personal access tokens (#15): create one for the desktop signer (name, role, days until it
//! expires), see it **once** with a copy button, list them (name, role, created, expires, last
//! used, revoked) and revoke. The server keeps only a token's hash, so a token not copied when
//! shown is gone: revoke it and make another.
//!
//! In the module of rarely opened screens ([`crate::lazy`]), with its words here, so the first
//! load carries neither.

use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::Page;
use hoadon_core::api::access_tokens::{
    AccessTokenView, CreateAccessToken, CreatedAccessToken, DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS,
    TokenRole,
};
use leptos::prelude::*;

/// The label for `key` in `lang` (the app's own words when it is not one of these).
fn text(lang: Lang, key: &'static str) -> &'static str {
    let (vi, en) = match key {
        "tokens.title" => ("Token truy cập cá nhân", "Personal access tokens"),
        "tokens.explain" => (
            "Chương trình ký token trên máy tính (hoadon token sign) đăng nhập bằng token này. Token chỉ hiện một lần.",
            "The desktop signer (hoadon token sign) signs in with such a token. A token is shown only once.",
        ),
        "tokens.name" => ("Tên", "Name"),
        "tokens.role" => ("Quyền", "Role"),
        "tokens.role.signer" => ("Ký bằng token USB", "USB-token signer"),
        "tokens.role.integration" => ("Tích hợp ERP", "ERP integration"),
        "tokens.days" => ("Hết hạn sau (ngày)", "Expires after (days)"),
        "tokens.days.rule" => ("Từ 1 đến 365 ngày.", "From 1 to 365 days."),
        "tokens.create" => ("Tạo token", "Create token"),
        "tokens.shown_once" => (
            "Hãy chép token này ngay: nó sẽ không hiện lại.",
            "Copy this token now: it will not be shown again.",
        ),
        "tokens.copy" => ("Chép", "Copy"),
        "tokens.copied" => ("Đã chép.", "Copied."),
        "tokens.created" => ("Tạo", "Created"),
        "tokens.expires" => ("Hết hạn", "Expires"),
        "tokens.last_used" => ("Dùng lần cuối", "Last used"),
        "tokens.revoked" => ("Đã thu hồi", "Revoked"),
        "tokens.by" => ("Người tạo", "Created by"),
        "tokens.revoke" => ("Thu hồi", "Revoke"),
        "tokens.revoke.sure" => (
            "Thu hồi token này? Chương trình đang dùng nó sẽ bị từ chối ngay.",
            "Revoke this token? Programs using it are refused at once.",
        ),
        _ => return i18n::text(lang, key),
    };
    if lang == Lang::Vi { vi } else { en }
}

fn role_key(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Signer => "tokens.role.signer",
        TokenRole::Integration => "tokens.role.integration",
    }
}

#[component]
pub fn AccessTokensScreen(session: Session) -> impl IntoView {
    let t = move |k| text(session.lang.get(), k);
    let when = move |at: Option<i64>| {
        at.map_or_else(
            || "—".to_owned(),
            |at| i18n::datetime(session.lang.get(), at),
        )
    };
    let rows = RwSignal::new(Vec::<AccessTokenView>::new());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_EXPIRY_DAYS.to_string());
    let shown = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Page<AccessTokenView>>(session, "/api/access-tokens").await {
                Ok(p) => rows.set(p.items),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load();
    let days_ok = move || {
        days.with(|d| {
            d.trim()
                .parse::<u32>()
                .is_ok_and(|d| (1..=MAX_EXPIRY_DAYS).contains(&d))
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(d) = days.get_untracked().trim().parse::<u32>() else {
            return;
        };
        let body = api::json(&CreateAccessToken {
            name: name.get_untracked().trim().to_owned(),
            role: TokenRole::Signer,
            expires_in_days: Some(d),
        });
        leptos::task::spawn_local(async move {
            let made = api::request::<CreatedAccessToken>(
                session,
                Method::POST,
                "/api/access-tokens",
                &[],
                Payload::Json(&body),
            );
            match made.await {
                Ok(c) => {
                    shown.set(Some(c.token));
                    name.set(String::new());
                    error.set(None);
                    status.set(None);
                    load();
                }
                Err(r) => error.set(Some(r.message)),
            }
        });
    };
    let copy = move |_| {
        let Some(token) = shown.get_untracked() else {
            return;
        };
        // navigator.clipboard.writeText, without another web-sys feature for one call.
        use web_sys::js_sys::{Function, Reflect};
        let done = web_sys::window()
            .and_then(|w| Reflect::get(&w.navigator(), &"clipboard".into()).ok())
            .and_then(|c| {
                let f: Function = Reflect::get(&c, &"writeText".into()).ok()?.into();
                f.call1(&c, &token.into()).ok()
            });
        status.set(done.map(|_| "tokens.copied"));
    };
    let revoke = move |id: String| {
        let sure = web_sys::window().is_some_and(|w| {
            w.confirm_with_message(text(session.lang.get_untracked(), "tokens.revoke.sure"))
                .unwrap_or(false)
        });
        if !sure {
            return;
        }
        leptos::task::spawn_local(async move {
            let path = format!("/api/access-tokens/{id}");
            match api::request::<AccessTokenView>(
                session,
                Method::DELETE,
                &path,
                &[],
                Payload::None,
            )
            .await
            {
                Ok(_) => load(),
                Err(r) => error.set(Some(r.message)),
            }
        });
    };
    let row = move |v: AccessTokenView| {
        let id = v.id.clone();
        let revoked = v.revoked_at.is_some();
        view! {
            <tr id=format!("token-{}", v.id) data-revoked=revoked.to_string()>
                <td>{v.name.clone()}</td>
                <td>{move || t(role_key(v.role))}</td>
                <td>{v.created_by.clone()}</td>
                <td>{move || when(Some(v.created_at))}</td>
                <td>{move || when(Some(v.expires_at))}</td>
                <td>{move || when(v.last_used_at)}</td>
                <td>{move || when(v.revoked_at)}</td>
                <td>{(!revoked).then(|| view! {
                    <button type="button" class="revoke" id=format!("revoke-{id}")
                        on:click=move |_| revoke(id.clone())>{move || t("tokens.revoke")}</button>
                })}</td>
            </tr>
        }
    };
    view! {
        <section class="card">
            <h1>{move || t("tokens.title")}</h1>
            <p>{move || t("tokens.explain")}</p>
            <Show when=move || session.is_accounting()>
                <form id="token-form" on:submit=submit>
                    <div class="field">
                        <label for="token-name">{move || t("tokens.name")}</label>
                        <input id="token-name" required maxlength="100" prop:value=name
                            on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div class="field narrow">
                        <label for="token-role">{move || t("tokens.role")}</label>
                        <select id="token-role">
                            {TokenRole::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str()>{move || t(role_key(r))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field narrow">
                        <label for="token-days">{move || t("tokens.days")}</label>
                        <input id="token-days" type="number" min="1" max="365" prop:value=days
                            aria-invalid=move || (!days_ok()).to_string()
                            on:input=move |ev| days.set(event_target_value(&ev)) />
                        <Show when=move || !days_ok()>
                            <p class="error">{move || t("tokens.days.rule")}</p>
                        </Show>
                    </div>
                    <button type="submit" id="token-create" disabled=move || !days_ok()>
                        {move || t("tokens.create")}</button>
                </form>
            </Show>
            {move || shown.get().map(|token| view! {
                <div class="card shown-once" role="status">
                    <p><strong>{move || t("tokens.shown_once")}</strong></p>
                    <code id="token-value">{token}</code>
                    " "<button type="button" id="token-copy" on:click=copy>{move || t("tokens.copy")}</button>
                </div>
            })}
            <p class="status" role="status">{move || status.get().map(t)}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="table-wrap">
                <table class="list" id="tokens">
                    <thead><tr>
                        <th scope="col">{move || t("tokens.name")}</th>
                        <th scope="col">{move || t("tokens.role")}</th>
                        <th scope="col">{move || t("tokens.by")}</th>
                        <th scope="col">{move || t("tokens.created")}</th>
                        <th scope="col">{move || t("tokens.expires")}</th>
                        <th scope="col">{move || t("tokens.last_used")}</th>
                        <th scope="col">{move || t("tokens.revoked")}</th>
                        <th scope="col"><span class="sr-only">{move || t("tokens.revoke")}</span></th>
                    </tr></thead>
                    <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty">{move || t("empty")}</p>
            </Show>
        </section>
    }
}
