//! The public lookup page, `/lookup/<tenant>` (#17): the address printed on every invoice; the
//! QR code adds `#<code>`, which fills the code in and looks it up at once. No sign-in and
//! nothing kept. The server answers the signed file only (`POST /api/public/lookup`); what the
//! page shows of it is read **here** by the core (`xml::read_invoice`, `check` for the total)
//! and its signatures are verified here too, each one, by the verifier module the invoice screen
//! uses (`crate::invoices::check_each_signature`): the buyer need not trust the page's server.

use super::texts;
use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::delivery::{LookupRequest, LookupView, normalize_lookup_code};
use hoadon_core::dsig::SignatureCheck;
use hoadon_core::model::InvoiceDocument;
use leptos::prelude::*;

/// What the page shows.
#[derive(Clone)]
enum Shown {
    Nothing,
    Loading,
    Found(Box<Found>),
    /// A message key: no such code, too many look-ups, a code that cannot be one…
    Said(&'static str),
    Failed(String),
}

#[derive(Clone)]
struct Found {
    view: LookupView,
    doc: InvoiceDocument,
    /// `None` until the verifier answered.
    signatures: Option<Vec<SignatureCheck>>,
}

/// The code in the address's fragment (from the QR), if any.
fn code_of_address() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    hash.trim_start_matches('#').to_owned()
}

/// Keeps the code in the fragment (a reload or a language switch shows the same invoice; the
/// fragment never reaches a server).
fn keep_in_address(code: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ =
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{code}")));
    }
}

/// `POST /api/public/lookup[/pdf]` for the canonical code.
fn body(tenant: &str, code: &str) -> String {
    api::json(&LookupRequest {
        tenant: tenant.to_owned(),
        code: code.to_owned(),
    })
}

/// The file name of the invoice's PDF or XML: `1K26TAA-42.xml`.
fn file_name(d: &InvoiceDocument, ext: &str) -> String {
    let n = d.number.map(|n| n.to_string()).unwrap_or_default();
    format!("{}{}-{n}.{ext}", d.form, d.symbol)
}

async fn look_up(tenant: &str, code: &str, lang: Lang) -> Shown {
    let path = "/api/public/lookup";
    match api::call(
        Method::POST,
        path,
        None,
        &[],
        Payload::Json(&body(tenant, code)),
    )
    .await
    {
        Ok((200, text)) => match api::parse::<LookupView>(&text) {
            Ok(view) => match hoadon_core::xml::read_invoice(&view.xml) {
                Ok(doc) => Shown::Found(Box::new(Found {
                    view,
                    doc,
                    signatures: None,
                })),
                Err(_) => Shown::Said("lookup.unreadable"),
            },
            Err(r) => Shown::Failed(r.message),
        },
        Ok((404, _)) => Shown::Said("lookup.none"),
        Ok((429, _)) => Shown::Said("lookup.wait"),
        Ok((s, text)) => Shown::Failed(api::Refusal::from_answer(s, &text).shown(lang)),
        Err(_) => Shown::Failed(i18n::text(lang, "unreachable").to_owned()),
    }
}

#[component]
pub fn Lookup(tenant: String, lang: Lang) -> impl IntoView {
    let t = move |k| texts::text(lang, k);
    let tenant = StoredValue::new(tenant);
    let typed = RwSignal::new(code_of_address());
    let shown = RwSignal::new(Shown::Nothing);
    let error = RwSignal::new(None::<String>);
    let find = move || {
        let Some(code) = normalize_lookup_code(&typed.get_untracked()) else {
            shown.set(Shown::Said("lookup.bad_code"));
            return;
        };
        keep_in_address(&code);
        shown.set(Shown::Loading);
        leptos::task::spawn_local(async move {
            let found = look_up(&tenant.get_value(), &code, lang).await;
            let xml = match &found {
                Shown::Found(f) => Some(f.view.xml.clone()),
                _ => None,
            };
            shown.try_set(found);
            if let Some(xml) = xml {
                let checks = crate::invoices::check_each_signature(&xml).await;
                shown.try_update(|s| {
                    if let Shown::Found(f) = s {
                        f.signatures = Some(checks.unwrap_or_default());
                    }
                });
            }
        });
    };
    if !typed.get_untracked().is_empty() {
        find();
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        find();
    };
    let pdf = move |_| {
        let Some(code) = normalize_lookup_code(&typed.get_untracked()) else {
            return;
        };
        let name = match shown.get_untracked() {
            Shown::Found(f) => file_name(&f.doc, "pdf"),
            _ => return,
        };
        leptos::task::spawn_local(async move {
            let path = "/api/public/lookup/pdf";
            let b = body(&tenant.get_value(), &code);
            match api::call_file(Method::POST, path, None, Payload::Json(&b)).await {
                Ok(Ok(blob)) => drop(crate::catalogs::save(&blob, &name)),
                Ok(Err((s, text))) => {
                    let r = api::Refusal::from_answer(s, &text);
                    error.try_set(Some(r.shown(lang)));
                }
                Err(_) => drop(error.try_set(Some(i18n::text(lang, "unreachable").to_owned()))),
            }
        });
    };
    let xml = move |_| {
        if let Shown::Found(f) = shown.get_untracked()
            && let Ok(b) = api::blob(&f.view.xml.as_str().into(), "application/xml")
        {
            let _ = crate::catalogs::save(&b, &file_name(&f.doc, "xml"));
        }
    };
    let result = move || match shown.get() {
        Shown::Nothing => ().into_any(),
        Shown::Loading => view! { <p>{t("loading")}</p> }.into_any(),
        Shown::Said(k) => {
            view! { <p class="error" id="lookup-said" data-key=k>{t(k)}</p> }.into_any()
        }
        Shown::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Shown::Found(f) => view! { <Invoice found=*f lang /> }.into_any(),
    };
    view! {
        <section class="card lookup">
            <h1>{t("lookup.title")}</h1>
            <p>{t("lookup.intro")}</p>
            <form class="row" on:submit=submit>
                <div class="field">
                    <label for="lookup-code">{t("lookup.code")}</label>
                    <input id="lookup-code" autocomplete="off" autocapitalize="characters"
                        spellcheck="false" prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <span class="label-space" aria-hidden="true">" "</span>
                    <button type="submit" class="primary" id="lookup-submit">{t("lookup.submit")}</button>
                </div>
            </form>
            <div aria-live="polite">{result}</div>
            <Show when=move || matches!(shown.get(), Shown::Found(_))>
                <div class="actions">
                    <button type="button" id="lookup-pdf" on:click=pdf>{t("lookup.pdf")}</button>
                    <button type="button" id="lookup-xml" on:click=xml>{t("lookup.xml")}</button>
                </div>
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
        </section>
    }
}

/// The invoice's key facts as the core read them, its standing and its signatures' verdicts.
#[component]
fn Invoice(found: Found, lang: Lang) -> impl IntoView {
    let t = move |k| texts::text(lang, k);
    let Found {
        view: v,
        doc: d,
        signatures,
    } = found;
    let total = hoadon_core::check(&d).preview.total;
    let party = |p: &hoadon_core::model::PartyDocument| {
        let name = p.name.clone().unwrap_or_default();
        match &p.tax_id {
            Some(id) => format!("{name} · MST {id}"),
            None => name,
        }
    };
    let fact = |k: &'static str, id: &'static str, v: String| {
        view! { <div><dt>{t(k)}</dt><dd id=id>{v}</dd></div> }
    };
    let standing = v.standing.as_deref().and_then(|s| match s {
        "replaced" => Some("lookup.replaced"),
        "cancelled" => Some("lookup.cancelled"),
        _ => None,
    });
    let number = d.number.map(|n| n.to_string()).unwrap_or_default();
    view! {
        {v.test.then(|| view! {
            <p class="test-mark" id="lookup-test" role="note">{t("lookup.test")}</p>
            <p class="hint">{t("lookup.test.explain")}</p>
        })}
        {standing.map(|k| view! { <p class="error" id="lookup-standing">{t(k)}</p> })}
        <dl class="facts" id="lookup-invoice">
            {fact("seller", "lookup-seller", party(&d.seller))}
            {fact("buyer", "lookup-buyer", party(&d.buyer))}
            {fact("form", "lookup-form", d.form.clone())}
            {fact("symbol", "lookup-symbol", d.symbol.clone())}
            {fact("number", "lookup-number", number)}
            {fact("issue_date", "lookup-date", i18n::date(lang, &d.issue_date))}
            {fact("totals.total", "lookup-total", i18n::money(total))}
            {d.authority_code.clone().map(|c| fact("authority.code", "lookup-mccqt", c))}
        </dl>
        <section class="signatures" id="lookup-signatures">
            <h2>{t("lookup.signatures")}</h2>
            {match signatures {
                None => view! { <p>{t("loading")}</p> }.into_any(),
                Some(s) if s.is_empty() => view! { <p class="error">{t("lookup.no_signature")}</p> }.into_any(),
                Some(s) => s.into_iter().map(|s| {
                    let class = if s.valid { "signature ok" } else { "signature bad" };
                    view! {
                        <div class=class data-valid=s.valid.to_string()>
                            <p><strong>{t(if s.valid { "signature.valid" } else { "signature.invalid" })}</strong></p>
                            <p class="wrap">{t("signature.signer")}": "{s.signer}
                                {(!s.tax_id.is_empty()).then(|| format!(" · MST {}", s.tax_id))}</p>
                            <p>{t("signature.time")}": "{s.time}</p>
                            {s.failure.map(|f| view! { <p class="error wrap">{f}</p> })}
                        </div>
                    }
                }).collect_view().into_any(),
            }}
        </section>
    }
}
