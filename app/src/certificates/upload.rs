//! Registering a certificate from a file: `.pem`/`.crt`/`.cer` as a person gets it from a CA —
//! PEM text (possibly the certificate with its chain, which the server reads whole) or DER
//! bytes — posted as the core's `CertificateUpload`. The answer is shown as it came: registered
//! (`201`), already registered (`200`, the same record), or refused with its code and its
//! message in the current language. The server checks everything; nothing is decided here.

use super::{in_lang, texts};
use crate::Session;
use crate::api::{self, Payload, Refusal};
use base64::Engine;
use gloo_net::http::Method;
use hoadon_core::api::certificates::{CertificateUpload, CertificateView};
use leptos::prelude::*;

/// The upload for a file's bytes: PEM when it is PEM text (a BOM or blank lines before it
/// allowed), else the bytes as DER in standard base64.
fn upload_of(bytes: &[u8], label: &str) -> CertificateUpload {
    let text = std::str::from_utf8(bytes).ok();
    let pem = text.filter(|t| {
        t.trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with("-----BEGIN")
    });
    let label = Some(label.trim().to_owned()).filter(|l| !l.is_empty());
    match pem {
        Some(p) => CertificateUpload {
            pem: Some(p.to_owned()),
            der_base64: None,
            label,
        },
        None => CertificateUpload {
            pem: None,
            der_base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            label,
        },
    }
}

/// What the last upload came to.
#[derive(Clone)]
enum Outcome {
    /// `true` when new (`201`), `false` when it was registered already.
    Registered(bool, Box<CertificateView>),
    /// The server's code and its `"vi / en"` message.
    Refused(String, String),
    /// No answer, or no file to send: what to show as it is.
    Failed(String),
}

/// Posts `body`: the record and whether it is new, or how it was refused. A `401` signs out.
async fn post(session: Session, body: String) -> Outcome {
    let token = session.token.get_untracked();
    let answer = api::call(
        Method::POST,
        "/api/certificates",
        token.as_deref(),
        &[],
        Payload::Json(&body),
    );
    match answer.await {
        Ok((s @ (200 | 201), text)) => match api::parse::<CertificateView>(&text) {
            Ok(v) => Outcome::Registered(s == 201, Box::new(v)),
            Err(r) => Outcome::Failed(r.message),
        },
        Ok((s, text)) => {
            if s == 401 {
                session.token.set(None);
            }
            let r = Refusal::from_answer(s, &text);
            match r.body {
                Some(b) => Outcome::Refused(b.code, b.message),
                None => Outcome::Failed(r.message),
            }
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// The bytes of a picked file.
async fn read(file: &web_sys::File) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(web_sys::js_sys::Uint8Array::new(&buf).to_vec())
}

#[component]
pub fn Upload(session: Session, done: Callback<()>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let input = NodeRef::<leptos::html::Input>::new();
    let label = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let result = match read(&file).await {
                Some(bytes) => {
                    let body = api::json(&upload_of(&bytes, &label.get_untracked()));
                    post(session, body).await
                }
                None => Outcome::Failed(texts::text(lang, "certs.unreadable").to_owned()),
            };
            if matches!(result, Outcome::Registered(..)) {
                label.try_set(String::new());
                if let Some(i) = input.get_untracked() {
                    i.set_value("");
                }
                done.run(());
            }
            outcome.try_set(Some(result));
            busy.try_set(false);
        });
    };
    let shown = move || {
        let lang = session.lang.get();
        outcome.get().map(|o| match o {
            Outcome::Registered(created, v) => view! {
                <p class="status" role="status" id="certs-upload-result" data-created=created.to_string()>
                    {texts::text(lang, if created { "certs.created" } else { "certs.known" })}": "
                    <span class="subject">{v.subject.clone()}</span>
                    {v.label.clone().map(|l| format!(" ({l})"))}
                </p>
            }
            .into_any(),
            Outcome::Refused(code, message) => view! {
                <p class="error" role="alert" id="certs-upload-result" data-code=code.clone()>
                    <code>{code.clone()}</code>": "{in_lang(&message, lang).to_owned()}
                </p>
            }
            .into_any(),
            Outcome::Failed(m) => view! {
                <p class="error" role="alert" id="certs-upload-result">{m}</p>
            }
            .into_any(),
        })
    };
    view! {
        <form id="certs-upload" on:submit=submit>
            <h2>{move || t("certs.upload")}</h2>
            <p class="hint">{move || t("certs.upload.hint")}</p>
            <div class="row">
                <div class="field">
                    <label for="certs-file">{move || t("certs.file")}</label>
                    <input id="certs-file" type="file" required node_ref=input
                        accept=".pem,.crt,.cer,application/x-pem-file,application/x-x509-ca-cert,application/pkix-cert" />
                </div>
                <div class="field">
                    <label for="certs-label">{move || t("certs.label.optional")}</label>
                    <input id="certs-label" maxlength="100" prop:value=label
                        on:input=move |ev| label.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary" id="certs-send" disabled=move || busy.get()>
                        {move || t("certs.send")}</button>
                </div>
            </div>
            {shown}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_text_is_sent_as_pem_and_anything_else_as_der() {
        let pem = "\u{feff}\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let u = upload_of(pem.as_bytes(), "  Token  ");
        assert_eq!(u.pem.as_deref(), Some(pem));
        assert_eq!((u.der_base64, u.label.as_deref()), (None, Some("Token")));
        let der = [0x30, 0x82, 0x01, 0x0a, 0xff];
        let u = upload_of(&der, " ");
        assert_eq!(
            (u.pem, u.der_base64.as_deref(), u.label),
            (None, Some("MIIBCv8="), None)
        );
    }
}
