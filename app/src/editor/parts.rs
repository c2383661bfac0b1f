//! The editor's pieces that do not bind input fields: what a new draft starts from, when a
//! finding is shown, the seller block (the company profile's, read-only), the totals and the
//! conflict panel.

use crate::Session;
use crate::api::{self, Payload};
use crate::drafts::{Conflict, Outbox};
use crate::i18n::{self, Lang};
use crate::kept::Device;
use crate::route::{Link, Route, Router};
use gloo_net::http::Method;
use hoadon_core::api::SeriesView;
use hoadon_core::model::{DraftInput, LineDocument, PartyDocument};
use hoadon_core::{Checked, Finding};
use leptos::prelude::*;

pub fn today() -> (u32, u32, u32) {
    let d = web_sys::js_sys::Date::new_0();
    (d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// A text field's value: blank is none.
pub fn opt(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

/// Moves the focus to element `id` once it is drawn (after a redraw).
pub fn focus(id: String) {
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

pub fn blank_line() -> LineDocument {
    LineDocument {
        nature: 1,
        tax_rate: Some("10%".into()),
        ..Default::default()
    }
}

/// A new invoice: today, one blank line; the series is filled in by [`default_series`] once the
/// device knows the tenant's series. No seller: the server takes it from the company profile.
pub fn new_document() -> DraftInput {
    let (y, m, d) = today();
    DraftInput {
        form: "1".into(),
        issue_date: format!("{y:04}-{m:02}-{d:02}"),
        currency: Some("VND".into()),
        payment_method: Some("TM/CK".into()),
        lines: vec![blank_line()],
        ..Default::default()
    }
}

/// The series a new invoice starts in: of this `year`'s series (symbol `[CK]YY…`), the one that
/// numbered an invoice last; else this year's first; else the first registered.
pub fn default_series(series: &[SeriesView], year: u32) -> Option<&SeriesView> {
    let yy = format!("{:02}", year % 100);
    let this_year: Vec<&SeriesView> = series
        .iter()
        .filter(|s| s.symbol.get(1..3) == Some(yy.as_str()))
        .collect();
    let used_last = this_year
        .iter()
        .filter(|s| s.last_date.is_some())
        .max_by(|a, b| (&a.last_date, a.last_number).cmp(&(&b.last_date, b.last_number)));
    used_last.or(this_year.first()).copied().or(series.first())
}

/// The `<select>` value of a series (`1C26TAA`: the form is one digit) and back.
pub fn series_value(form: &str, symbol: &str) -> String {
    format!("{form}{symbol}")
}

pub fn split_series(value: &str) -> (String, String) {
    let cut = value.char_indices().nth(1).map_or(value.len(), |(i, _)| i);
    (value[..cut].to_owned(), value[cut..].to_owned())
}

/// Whether a finding at `path` is shown: after "Issue" was pressed, or once its field — or a
/// field inside it (a finding at `lines[0]` once `lines[0].name` was touched) — was touched.
/// An untouched new form shows none.
pub fn shown(path: &str, touched: &[String], all: bool) -> bool {
    all || touched.iter().any(|t| {
        t.strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// A finding's message in the chosen language.
pub fn message(f: &Finding, lang: Lang) -> &str {
    match lang {
        Lang::Vi => &f.message_vi,
        Lang::En => &f.message_en,
    }
}

/// The seller block: the company profile's, read-only (the server fills it in; a draft cannot
/// carry one). When the profile lacks what an invoice needs, says so and where to fix it.
#[component]
pub fn SellerBlock(session: Session, device: Device) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    let profile = device.profile.value;
    let seller = move || {
        profile.with(|p| {
            p.as_ref()
                .map(|p| p.profile.seller())
                .unwrap_or_else(PartyDocument::default)
        })
    };
    let complete = move || profile.with(|p| p.as_ref().is_some_and(|p| p.complete));
    let item = move |id: &'static str,
                     key: &'static str,
                     get: fn(&PartyDocument) -> Option<String>| {
        view! { <div><dt>{move || t(key)}</dt><dd id=id>{move || get(&seller()).unwrap_or_else(|| "—".into())}</dd></div> }
    };
    view! {
        <h2>{move || t("seller")}</h2>
        <dl class="facts seller" id="seller">
            {item("seller-name", "name", |s| s.name.clone())}
            {item("seller-tax_id", "tax_id", |s| s.tax_id.clone())}
            {item("seller-address", "address", |s| s.address.clone())}
        </dl>
        <Show when=move || !complete()>
            <p class="error" id="profile-incomplete" role="alert">
                {move || t("profile.incomplete")}" "
                <Show when=move || session.is_admin()
                    fallback=move || view! { <span>{move || t("profile.ask_admin")}</span> }>
                    <Link to=Route::Profile>{move || t("profile.fill")}</Link>
                </Show>
            </p>
        </Show>
    }
}

/// The sync state of the open draft, as shown.
#[derive(Clone, PartialEq)]
pub struct SyncView {
    pub conflict: Option<Conflict>,
    pub error: Option<String>,
    pub saving: bool,
    pub waiting: bool,
    pub version: Option<u64>,
}

/// The sync line's state (its `data-sync`, what the browser tests wait for) and text.
pub fn sync_line(d: Option<SyncView>, online: bool, lang: Lang) -> (&'static str, String) {
    let t = |k| i18n::text(lang, k);
    let Some(d) = d else {
        return ("new", t("sync.new").to_owned());
    };
    if d.conflict.is_some() {
        ("conflict", t("sync.conflict").to_owned())
    } else if let Some(e) = d.error {
        ("refused", format!("{} {e}", t("sync.refused")))
    } else if d.saving {
        ("saving", t("sync.saving").to_owned())
    } else if d.waiting && !online {
        ("offline", t("sync.offline").to_owned())
    } else if d.waiting {
        ("pending", t("sync.pending").to_owned())
    } else {
        let v = d.version.unwrap_or_default();
        ("synced", format!("{} {v}", t("sync.synced")))
    }
}

/// The totals per rate, the grand total and the amount in words, as the core computes them from
/// the checked document (what the server will sign).
#[component]
pub fn Totals(session: Session, checked: Memo<Checked>) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    view! {
        <section class="totals" aria-live="polite">
            <h2>{move || t("totals")}</h2>
            <table>
                <tbody>
                    {move || checked.with(|c| c.preview.groups.iter().map(|g| {
                        let rate = g.rate.map(|r| r.to_string()).unwrap_or_default();
                        view! {
                            <tr class="group">
                                <th scope="row">{rate}</th>
                                <td>{i18n::money(g.net)}</td>
                                <td>{i18n::money(g.vat)}</td>
                            </tr>
                        }
                    }).collect_view())}
                    <tr><th scope="row">{move || t("totals.net")}</th>
                        <td id="total-net" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total_before_vat))}</td></tr>
                    <tr><th scope="row">{move || t("totals.vat")}</th>
                        <td id="total-vat" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total_vat))}</td></tr>
                    <tr><th scope="row">{move || t("totals.total")}</th>
                        <td id="total" colspan="2">{move || checked.with(|c| i18n::money(c.preview.total))}</td></tr>
                </tbody>
            </table>
            <p>{move || t("totals.words")}": "
                <output id="words">{move || checked.with(|c| {
                    let p = &c.preview;
                    match session.lang.get() {
                        Lang::Vi => hoadon_core::words::vi::amount_in_words(p.total, p.currency, &Default::default()),
                        Lang::En => hoadon_core::words::en::amount_in_words(p.total, p.currency),
                    }
                })}</output>
            </p>
        </section>
    }
}

/// The decision a conflict needs: keep this device's edits, take the server's, or (issued
/// elsewhere) open the issued invoice or copy the edits into a new draft.
#[component]
pub fn ConflictPanel(
    session: Session,
    ob: Outbox,
    router: Router,
    id: StoredValue<String>,
    conflict: Conflict,
    checked: Memo<Checked>,
    /// The server's version was taken: the editor shows it.
    on_taken: impl Fn(DraftInput) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |k| i18n::text(session.lang.get(), k);
    match &conflict {
        Conflict::Edited { .. } => {
            let Some(current) = conflict.current() else {
                return ().into_any();
            };
            let mine = checked.with_untracked(|c| i18n::money(c.preview.total));
            let theirs_total = i18n::money(hoadon_core::check(&current.document).preview.total);
            let theirs_buyer = current.document.buyer.name.clone().unwrap_or_default();
            let version = current.version;
            view! {
                <section class="conflict" role="alert" id="conflict">
                    <h2>{move || t("conflict.title")}</h2>
                    <p>{move || t("conflict.explain")}</p>
                    <ul>
                        <li>{move || t("conflict.mine")}": "{mine.clone()}</li>
                        <li>{move || t("conflict.theirs")}" ("{version}"): "{theirs_buyer.clone()}" · "{theirs_total.clone()}</li>
                    </ul>
                    <div class="actions">
                        <button type="button" class="primary" on:click=move |_| ob.keep_mine(&id.get_value())>
                            {move || t("conflict.keep_mine")}</button>
                        <button type="button" on:click=move |_| {
                            if let Some(d) = ob.take_theirs(&id.get_value()) {
                                on_taken(d);
                            }
                        }>{move || t("conflict.take_theirs")}</button>
                    </div>
                </section>
            }
            .into_any()
        }
        Conflict::Issued => view! {
            <section class="conflict" role="alert" id="conflict">
                <h2>{move || t("conflict.issued.title")}</h2>
                <p>{move || t("conflict.issued.explain")}</p>
                <div class="actions">
                    <button type="button" on:click=move |_| {
                        let key = id.get_value();
                        ob.forget(&key);
                        router.go(Route::Invoice(key));
                    }>{move || t("conflict.issued.open")}</button>
                    <button type="button" class="primary" on:click=move |_| {
                        let key = id.get_value();
                        let copy = ob.get(&key).map(|d| d.document);
                        ob.forget(&key);
                        let new = crate::drafts::new_id();
                        if let Some(document) = copy {
                            ob.edit(&new, move |d| d.document = document);
                        }
                        router.replace(Route::Edit(new));
                    }>{move || t("conflict.issued.copy")}</button>
                </div>
            </section>
        }
        .into_any(),
    }
}

/// `POST …/issue` pinned to the draft `version` the user reviewed.
pub async fn issue(
    session: Session,
    path: &str,
    version: Option<u64>,
) -> Result<String, api::Refusal> {
    let v = version.map(|v| v.to_string());
    let pin: Vec<(&str, &str)> = v.iter().map(|v| ("if-match", v.as_str())).collect();
    api::send(session, Method::POST, path, &pin, Payload::None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(symbol: &str, last_date: Option<&str>, last_number: u32) -> SeriesView {
        SeriesView {
            form: "1".into(),
            symbol: symbol.into(),
            last_number,
            last_date: last_date.map(str::to_owned),
            signing_mode: Default::default(),
        }
    }

    #[test]
    fn a_new_invoice_starts_in_this_years_series_used_last() {
        let all = [
            series("C25TAA", Some("2025-12-30"), 90),
            series("C26TAA", Some("2026-01-05"), 3),
            series("C26TBB", Some("2026-02-01"), 1),
            series("C26TCC", None, 0),
        ];
        assert_eq!(default_series(&all, 2026).unwrap().symbol, "C26TBB");
        assert_eq!(default_series(&all[2..], 2027).unwrap().symbol, "C26TBB");
        assert_eq!(default_series(&all[3..], 2026).unwrap().symbol, "C26TCC");
        assert!(default_series(&[], 2026).is_none());
        assert_eq!(
            split_series(&series_value("1", "C26TAA")),
            ("1".into(), "C26TAA".into())
        );
    }

    #[test]
    fn findings_show_only_once_touched_or_after_issue() {
        let mut touched = Vec::new();
        assert!(
            !shown("buyer.tax_id", &touched, false),
            "untouched new form"
        );
        assert!(shown("buyer.tax_id", &touched, true), "after Issue");
        touched.push("lines[0].name".to_owned());
        assert!(shown("lines[0].name", &touched, false));
        assert!(
            shown("lines[0]", &touched, false),
            "the line of a touched field"
        );
        assert!(shown("lines", &touched, false));
        assert!(!shown("lines[0].unit", &touched, false), "another field");
        assert!(!shown("lines[1]", &touched, false));
        assert!(
            !shown("lines[0].na", &touched, false),
            "a prefix that is no path"
        );
    }
}
