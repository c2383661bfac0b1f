//! The certificate registry screen (#15): the tenant's signing certificates — a USB token's, the
//! CA's remote signing's, or one a CA issued for the cloud key — with what the tax-authority
//! registration needs from each (subject, issuer, tax id, validity) and which series sign with
//! it. Admins register one from a file ([`upload`]), revoke one, and make the certificate request
//! for the cloud key that a CA answers with the certificate to register ([`request`]). The server
//! decides what is acceptable; this screen shows its answer, refusals by code and in the
//! current language.
//!
//! In the module of rarely opened screens ([`crate::lazy`]), with its words ([`texts`]).

mod request;
pub mod texts;
mod upload;

use crate::Session;
use crate::api::{self, Payload, Refusal};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::Page;
use hoadon_core::api::certificates::CertificateView;
use leptos::prelude::*;

/// Where a certificate's validity stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Validity {
    NotYet,
    Valid,
    Expired,
}

impl Validity {
    /// `not_before`, `not_after` and `now` are the API's `YYYY-MM-DDTHH:MM:SSZ` (UTC), which
    /// sort as text: no date library in the module for three comparisons.
    fn at(not_before: &str, not_after: &str, now: &str) -> Validity {
        if now < not_before {
            Validity::NotYet
        } else if now > not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    fn key(self) -> &'static str {
        match self {
            Validity::NotYet => "certs.not_yet",
            Validity::Valid => "certs.valid",
            Validity::Expired => "certs.expired",
        }
    }

    /// The badge class (the existing colours: green, yellow, red).
    fn class(self) -> &'static str {
        match self {
            Validity::NotYet => "badge numbered",
            Validity::Valid => "badge signed",
            Validity::Expired => "badge refused",
        }
    }
}

/// The browser's clock as the API writes times (`YYYY-MM-DDTHH:MM:SSZ`).
fn now_utc() -> String {
    let iso: String = web_sys::js_sys::Date::new_0().to_iso_string().into();
    format!("{}Z", iso.get(..19).unwrap_or(&iso))
}

use crate::i18n::in_lang;

/// `2026-12-01T…` as the date alone, in `lang`'s order.
fn day(lang: Lang, at: &str) -> String {
    i18n::date(lang, at.get(..10).unwrap_or(at))
}

#[component]
pub fn CertificatesScreen(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let rows = RwSignal::new(Vec::<CertificateView>::new());
    let error = RwSignal::new(None::<Refusal>);
    let status = RwSignal::new(None::<&'static str>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let listed = api::request::<Page<CertificateView>>(
                session,
                Method::GET,
                "/api/certificates",
                &[],
                Payload::None,
            );
            match listed.await {
                Ok(p) => {
                    rows.try_set(p.items);
                }
                Err(r) => {
                    error.try_set(Some(r));
                }
            }
        });
    };
    load();
    // The day the validity is read against: when the screen was opened.
    let now = StoredValue::new(now_utc());
    let revoke = move |id: String| {
        let lang = session.lang.get_untracked();
        let sure = web_sys::window().is_some_and(|w| {
            w.confirm_with_message(texts::text(lang, "certs.revoke.sure"))
                .unwrap_or(false)
        });
        if !sure {
            return;
        }
        leptos::task::spawn_local(async move {
            let path = format!("/api/certificates/{id}/revoke");
            let done =
                api::request::<CertificateView>(session, Method::POST, &path, &[], Payload::None);
            match done.await {
                Ok(_) => {
                    error.try_set(None);
                    status.try_set(Some("certs.revoked.done"));
                    load();
                }
                Err(r) => {
                    status.try_set(None);
                    error.try_set(Some(r));
                }
            }
        });
    };
    let row = move |c: CertificateView| {
        let validity = now.with_value(|n| Validity::at(&c.not_before, &c.not_after, n));
        let (from, to) = (c.not_before.clone(), c.not_after.clone());
        let uploaded_at = c.uploaded_at;
        let id = c.id.clone();
        let revocable = !c.revoked;
        view! {
            <tr data-id=c.id.clone() data-revoked=c.revoked.to_string()
                data-validity=validity.key().trim_start_matches("certs.")>
                <td>{c.label.clone().unwrap_or_default()}</td>
                <td class="subject">{c.subject.clone()}</td>
                <td>{c.issuer.clone()}</td>
                <td>{c.tax_id.clone()}</td>
                <td>
                    {move || format!("{} – {}", day(session.lang.get(), &from), day(session.lang.get(), &to))}
                    " "<span class=validity.class()>{move || t(validity.key())}</span>
                </td>
                <td>{c.key_bits}</td>
                <td>{c.uploaded_by.clone()}" · "{move || i18n::datetime(session.lang.get(), uploaded_at)}</td>
                <td>{c.revoked.then(|| view! {
                    <span class="badge refused">{move || t("certs.revoked")}</span>
                })}</td>
                <td>{c.used_by_series.join(", ")}</td>
                <td>{move || (revocable && session.is_admin()).then(|| {
                    let id = id.clone();
                    view! {
                        <button type="button" class="revoke" on:click=move |_| revoke(id.clone())>
                            {move || t("certs.revoke")}</button>
                    }
                })}</td>
            </tr>
        }
    };
    view! {
        <section class="card certificates">
            <div class="toolbar">
                <h1>{move || t("certs.title")}</h1>
                <button type="button" id="certs-refresh" on:click=move |_| load()>{move || t("certs.refresh")}</button>
            </div>
            <p>{move || t("certs.intro")}</p>
            <p class="status" role="status" id="certs-status">{move || status.get().map(t)}</p>
            <p class="error" role="alert" id="certs-error">
                {move || error.get().map(|r| r.shown(session.lang.get()))}
            </p>
            <div class="table-wrap">
                <table class="list" id="certificates">
                    <thead><tr>
                        <th scope="col">{move || t("certs.label")}</th>
                        <th scope="col">{move || t("certs.subject")}</th>
                        <th scope="col">{move || t("certs.issuer")}</th>
                        <th scope="col">{move || t("tax_id")}</th>
                        <th scope="col">{move || t("certs.validity")}</th>
                        <th scope="col">{move || t("certs.key_bits")}</th>
                        <th scope="col">{move || t("certs.uploaded")}</th>
                        <th scope="col">{move || t("certs.state")}</th>
                        <th scope="col">{move || t("certs.series")}</th>
                        <th scope="col"><span class="sr-only">{move || t("certs.revoke")}</span></th>
                    </tr></thead>
                    <tbody>{move || rows.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty" id="certs-none">{move || t("certs.none")}</p>
            </Show>
            <Show when=move || session.is_admin()
                fallback=move || view! { <p class="hint" id="certs-admin-only">{move || t("certs.admin_only")}</p> }>
                <upload::Upload session done=Callback::new(move |_| load()) />
                <request::Request session />
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_read_against_the_day() {
        let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        assert_eq!(
            Validity::at(from, to, "2025-12-31T23:59:59Z"),
            Validity::NotYet
        );
        assert_eq!(
            Validity::at(from, to, "2026-06-01T08:00:00Z"),
            Validity::Valid
        );
        assert_eq!(Validity::at(from, to, to), Validity::Valid);
        assert_eq!(
            Validity::at(from, to, "2027-01-01T00:00:01Z"),
            Validity::Expired
        );
    }

    #[test]
    fn a_two_language_message_is_shown_in_one() {
        let m = "Chứng thư mang MST khác / the certificate carries another tax id";
        assert_eq!(in_lang(m, Lang::Vi), "Chứng thư mang MST khác");
        assert_eq!(
            in_lang(m, Lang::En),
            "the certificate carries another tax id"
        );
        assert_eq!(in_lang("one language", Lang::En), "one language");
        let r = Refusal::from_answer(
            422,
            r#"{"code":"certificate.other_tax_id","message":"MST khác / another tax id","details":[]}"#,
        );
        assert_eq!(
            r.shown(Lang::En),
            "certificate.other_tax_id: another tax id"
        );
    }
}
