//! "Request a CA certificate for the cloud key": the server makes a PKCS#10 request for the
//! tenant's signing key (signed by that key, through the signer) with the company's name and
//! `MST:`; the admin downloads it as `hoadon-<tax id>.csr.pem` and sends it to the CA, then
//! registers what the CA issues (with its chain) on this screen — the cloud key signs with that
//! certificate from then on, instead of its self-signed one the tax authority does not accept.

use super::texts;
use crate::Session;
use crate::api::{self, Payload, Refusal};
use gloo_net::http::Method;
use hoadon_core::api::certificates::CertificateRequestView;
use leptos::prelude::*;

/// `hoadon-<tax id>.csr.pem`, the tax id read from the subject's `UID=MST:` (the request's own
/// subject; only a tax id's characters kept, so the name is always a plain file name).
fn file_name(subject: &str) -> String {
    let tax_id: String = subject
        .split_once("MST:")
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .unwrap_or_default();
    if tax_id.is_empty() {
        "hoadon.csr.pem".to_owned()
    } else {
        format!("hoadon-{tax_id}.csr.pem")
    }
}

/// Saves the request's PEM as its file.
fn save(made: &CertificateRequestView) {
    let parts = web_sys::js_sys::Array::of1(&made.pem.clone().into());
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts) {
        let _ = crate::catalogs::save(&blob, &file_name(&made.subject));
    }
}

#[component]
pub fn Request(session: Session) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let made = RwSignal::new(None::<CertificateRequestView>);
    let error = RwSignal::new(None::<Refusal>);
    let busy = RwSignal::new(false);
    let make = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = "/api/certificates/request";
            let asked = api::request::<CertificateRequestView>(
                session,
                Method::POST,
                path,
                &[],
                Payload::None,
            );
            match asked.await {
                Ok(v) => {
                    error.try_set(None);
                    made.try_set(Some(v));
                }
                Err(r) => {
                    made.try_set(None);
                    error.try_set(Some(r));
                }
            }
            busy.try_set(false);
        });
    };
    let download = move |_| {
        made.with_untracked(|m| {
            if let Some(m) = m {
                save(m);
            }
        });
    };
    view! {
        <div class="csr" id="certs-csr">
            <h2>{move || t("certs.csr")}</h2>
            <p>{move || t("certs.csr.explain")}</p>
            <button type="button" id="certs-csr-make" on:click=make disabled=move || busy.get()>
                {move || t("certs.csr.make")}</button>
            <p class="error" role="alert" id="certs-csr-error">
                {move || error.get().map(|r| r.shown(session.lang.get()))}
            </p>
            {move || made.get().map(|m| view! {
                <p class="status" role="status" id="certs-csr-made">
                    {move || t("certs.csr.made")}": "<span class="subject">{m.subject.clone()}</span>
                    <br />{move || t("certs.csr.key")}": "<code>{m.key_id.clone()}</code>
                </p>
                <button type="button" class="primary" id="certs-csr-download" on:click=download>
                    {move || t("certs.csr.download")}" ("{file_name(&m.subject)}")"</button>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_after_the_tax_id() {
        assert_eq!(
            file_name("C=VN, CN=Công ty An Phát, UID=MST:0109998883"),
            "hoadon-0109998883.csr.pem"
        );
        assert_eq!(
            file_name("C=VN, UID=MST:0109998883-001, CN=X"),
            "hoadon-0109998883-001.csr.pem"
        );
        assert_eq!(file_name("CN=../x"), "hoadon.csr.pem");
    }
}
