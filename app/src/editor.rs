//! The invoice editor. The draft is a `DraftInput` (what a client may send); composed with the
//! company profile's seller as the server will compose it, `hoadon_core::check` runs on every
//! change and gives the findings (shown at their fields once touched, or after "Issue") and the
//! live totals and words. Every change is kept on the device at once and synced by the outbox
//! ([`crate::drafts`]); issuing needs the server and says so when there is none. In revise
//! mode ([`revise`]) the same form fixes an invoice the tax authority refused.

mod discard;
mod open;
mod parts;
mod revise;

use crate::Session;
use crate::catalogs::{customer_party, detail_message};
use crate::drafts::{LocalDraft, Outcome, outbox};
use crate::i18n;
use crate::invoices::authority::RegistrationRequired;
use crate::kept::device;
use crate::route::{Link, Route, router};
use crate::typeahead::TypeAhead;
use hoadon_core::Severity;
use hoadon_core::api::{Detail, InvoiceView};
use hoadon_core::model::{DraftInput, LineDocument, ServerParts};
use leptos::prelude::*;
use parts::{
    ConflictPanel, SellerBlock, SyncView, Totals, blank_line, default_series, focus, issue,
    message, opt, series_value, shown, split_series, sync_line, today,
};
use revise::{ReviseNote, Revision};
use serde_json::Value;

const RATES: [&str; 6] = ["10%", "8%", "5%", "0%", "KCT", "KKKNT"];
/// `TChat`: goods or service, promotion, trade discount, note.
const NATURES: [(u8, &str); 4] = [
    (1, "nature.goods"),
    (2, "nature.promotion"),
    (3, "nature.discount"),
    (4, "nature.note"),
];

/// The editor on draft `id`: from the device, else from the server, else a new invoice. With
/// `revise`, on the refused invoice `id` instead (from the server only, re-sent, not issued).
#[component]
pub fn Editor(session: Session, id: String, #[prop(optional)] revise: bool) -> impl IntoView {
    // Contexts are read here: async tasks and handlers run outside the component's owner.
    let ob = outbox();
    let router = router();
    let device = device();
    let id = StoredValue::new(id);
    let doc = RwSignal::new(DraftInput::default());
    // A correction draft's related invoice (the server's): checked with, never sent.
    let related = RwSignal::new(None::<hoadon_core::model::RelatedInvoiceDocument>);
    let ready = RwSignal::new(false);
    // Bumped when the document changes other than by typing (a pick from a catalog, a removed
    // line, the server's version taken): the fields are built again from the document.
    let reset = RwSignal::new(0u64);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Fields the user touched (their input ids are their paths); all shown after "Issue".
    let touched = RwSignal::new(Vec::<String>::new());
    let show_all = RwSignal::new(false);
    // The server's findings when it refused to issue (always shown, until the next edit).
    let server_findings = RwSignal::new(Vec::<Detail>::new());
    // Issuing was refused until the registration is accepted: say where to fix it.
    let needs_registration = RwSignal::new(false);
    // Revise mode: the version and number the fixed invoice keeps.
    let revision = RwSignal::new(None::<Revision>);
    let lang = move || session.lang.get();
    let t = move |k| i18n::text(session.lang.get(), k);

    // Open the draft once the device's drafts are loaded.
    let signals = open::Signals {
        doc,
        related,
        ready,
        reset,
        error,
        server_findings,
        revision,
    };
    open::open(session, ob, router, id, revise, signals);

    // A new draft starts in the default series once the device knows the tenant's series (not
    // counted as an edit: an untouched new draft is not stored).
    Effect::new(move |_| {
        let pick = device.series.value.with(|p| {
            p.as_ref()
                .and_then(|p| default_series(&p.items, today().0).cloned())
        });
        if let Some(s) = pick
            && ready.get()
            && doc.with_untracked(|d| d.symbol.is_empty())
        {
            doc.update(|d| (d.form, d.symbol) = (s.form, s.symbol));
        }
    });

    // The seller the server will put on the invoice: the company profile's.
    let seller = Memo::new(move |_| {
        device
            .profile
            .value
            .with(|p| p.as_ref().map(|p| p.profile.seller()).unwrap_or_default())
    });
    let profile_complete = move || {
        device
            .profile
            .value
            .with(|p| p.as_ref().is_some_and(|p| p.complete))
    };
    // How the seller reads a negative amount (a decrease's words): the profile's setting.
    let negative_words = Memo::new(move |_| {
        device
            .profile
            .value
            .with(|p| p.as_ref().and_then(|p| p.profile.negative_words))
    });
    // Re-checked once per change of the document, shared by every reader on the page: the draft
    // composed as the server composes it.
    let checked = Memo::new_with_compare(
        move |_| {
            seller.with(|s| {
                related.with(|r| {
                    doc.with(|d| {
                        let parts = ServerParts {
                            seller: s,
                            provider_tax_id: None,
                            number: None,
                            related: r.as_ref(),
                            negative_words: negative_words.get(),
                            lookup: None,
                        };
                        hoadon_core::check(&d.compose(parts))
                    })
                })
            })
        },
        |_, _| true,
    );
    // What the status line and the conflict panel need, without cloning the document on every
    // keystroke (the map changes with each one).
    let sync = Memo::new(move |_| {
        ob.drafts.with(|m| {
            m.get(&id.get_value()).map(|d| SyncView {
                conflict: d.conflict.clone(),
                error: d.error.clone(),
                saving: d.stored_rev < d.rev,
                waiting: d.waiting(),
                version: d.version,
            })
        })
    });

    // Every change: the document, then the device's copy (which schedules the sync).
    let edit = move |f: &dyn Fn(&mut DraftInput)| {
        server_findings.update(|v| v.clear());
        doc.update(|d| f(d));
        if !revise {
            let current = doc.get_untracked();
            ob.edit(&id.get_value(), move |d| d.document = current);
        }
    };
    let redraw = move |focus_id: Option<String>| {
        reset.update(|r| *r += 1);
        if let Some(f) = focus_id {
            focus(f);
        }
    };

    // The messages of each path, joined, computed once per change; each field reads its own
    // through a memo, so on a keystroke only the fields whose messages changed touch the DOM
    // (50 lines have ~550 such bindings).
    let by_path = Memo::new(move |_| {
        let lang = lang();
        let all = show_all.get();
        let mut m = std::collections::HashMap::<String, String>::new();
        let mut add = |path: &str, msg: &str| {
            let s = m.entry(path.to_owned()).or_default();
            if !s.is_empty() {
                s.push_str("; ");
            }
            s.push_str(msg);
        };
        touched.with(|touched| {
            checked.with(|c| {
                for f in c.findings.iter().filter(|f| shown(&f.path, touched, all)) {
                    add(&f.path, message(f, lang));
                }
            })
        });
        server_findings.with(|v| v.iter().for_each(|d| add(&d.path, detail_message(d, lang))));
        m
    });
    // Input, change and leaving a field mark it touched (each input's id is its path).
    let touch = move |ev: &web_sys::Event| {
        let Some(path) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .map(|e| e.id())
            .filter(|p| !p.is_empty())
        else {
            return;
        };
        if !touched.with_untracked(|t| t.contains(&path)) {
            touched.update(|t| t.push(path));
        }
    };
    let at = move |path: String| {
        Memo::new(move |_| by_path.with(|m| m.get(&path).cloned().unwrap_or_default()))
    };

    // One text field bound to a path of the document, with its findings under it.
    let field = move |path: &'static str,
                      label: &'static str,
                      get: fn(&DraftInput) -> String,
                      set: fn(&mut DraftInput, String)| {
        let msgs = at(path.to_owned());
        let described = format!("{path}-msg");
        view! {
            <div class="field">
                <label for=path>{move || t(label)}</label>
                <input id=path aria-describedby=described.clone()
                    aria-invalid=move || (!msgs.with(String::is_empty)).to_string()
                    value=doc.with_untracked(get)
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| set(d, v.clone())) } />
                <span class="msg" id=described>{move || msgs.get()}</span>
            </div>
        }
    };

    let line_view = move |i: usize| {
        let path = move |f: &str| format!("lines[{i}].{f}");
        let msgs = move |f: &'static str| at(path(f));
        let invalid = move |m: Memo<String>| move || (!m.with(String::is_empty)).to_string();
        let line = doc
            .with_untracked(|d| d.lines.get(i).cloned())
            .unwrap_or_default();
        let amount =
            Memo::new(move |_| checked.with(|c| c.preview.lines.get(i).and_then(|f| f.amount)));
        let amount = move || amount.get().map(i18n::money).unwrap_or_default();
        let l = session.lang.get_untracked();
        let num = move |d: Option<rust_decimal::Decimal>| {
            d.map(|d| i18n::number_input(l, d)).unwrap_or_default()
        };
        let number_field =
            move |f: &'static str,
                  label: &'static str,
                  initial: Option<rust_decimal::Decimal>,
                  set: fn(&mut LineDocument, Option<rust_decimal::Decimal>)| {
                let m = msgs(f);
                view! {
                    <div class="field">
                        <label for=path(f)>{move || t(label)}</label>
                        <input id=path(f) inputmode="decimal" aria-describedby=format!("{}-msg", path(f))
                            aria-invalid=invalid(m) value=num(initial)
                            on:input=move |ev| {
                                let v = i18n::parse_number(session.lang.get_untracked(), &event_target_value(&ev));
                                edit(&|d| set(&mut d.lines[i], v));
                            } />
                        <span class="msg" id=format!("{}-msg", path(f))>{m}</span>
                    </div>
                }
            };
        let nature = line.nature;
        let (name_msgs, unit_msgs) = (msgs("name"), msgs("unit"));
        let priced = matches!(nature, 1 | 2);
        view! {
            <fieldset class="line">
                <legend>{move || format!("{} {}", t("lines"), i + 1)}</legend>
                <div class="field">
                    <label for=path("nature")>{move || t("line.nature")}</label>
                    <select id=path("nature") on:change=move |ev| {
                        let n: u8 = event_target_value(&ev).parse().unwrap_or(1);
                        edit(&|d| d.lines[i].nature = n);
                        redraw(Some(path("nature")));
                    }>
                        {NATURES.iter().map(|(n, key)| view! {
                            <option value=n.to_string() selected=*n == nature>{move || t(key)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field wide">
                    <label for=path("name")>{move || t("line.name")}</label>
                    <TypeAhead id=path("name") kind="products" initial=line.name.clone()
                        described_by=format!("{}-msg", path("name"))
                        invalid=Signal::derive(move || !name_msgs.with(String::is_empty))
                        on_input=move |v| edit(&|d| d.lines[i].name = v.clone())
                        on_pick=move |p: Value| {
                            let s = |f: &str| p[f].as_str().map(str::to_owned).filter(|s| !s.is_empty());
                            edit(&|d| {
                                let l = &mut d.lines[i];
                                l.code = s("code");
                                l.name = s("name").unwrap_or_default();
                                l.unit = s("unit");
                                l.unit_price = s("unit_price").and_then(|p| p.parse().ok());
                                if let Some(r) = s("tax_rate") {
                                    l.tax_rate = Some(r);
                                }
                            });
                            redraw(Some(path("quantity")));
                        } />
                    <span class="msg" id=format!("{}-msg", path("name"))>{name_msgs}</span>
                </div>
                {priced.then(|| view! {
                    <div class="field">
                        <label for=path("unit")>{move || t("line.unit")}</label>
                        <input id=path("unit") value=line.unit.clone().unwrap_or_default()
                            aria-describedby=format!("{}-msg", path("unit")) aria-invalid=invalid(unit_msgs)
                            on:input=move |ev| { let v = opt(event_target_value(&ev)); edit(&|d| d.lines[i].unit = v.clone()) } />
                        <span class="msg" id=format!("{}-msg", path("unit"))>{unit_msgs}</span>
                    </div>
                    {number_field("quantity", "line.quantity", line.quantity, |l, v| l.quantity = v)}
                    {number_field("unit_price", "line.unit_price", line.unit_price, |l, v| l.unit_price = v)}
                    {number_field("discount_rate", "line.discount_rate", line.discount_rate, |l, v| l.discount_rate = v)}
                })}
                {(nature == 3).then(|| number_field("amount", "line.discount_amount", line.amount, |l, v| l.amount = v))}
                {(nature != 4).then(|| view! {
                    <div class="field">
                        <label for=path("tax_rate")>{move || t("line.tax_rate")}</label>
                        <select id=path("tax_rate")
                            on:change=move |ev| { let v = opt(event_target_value(&ev)); edit(&|d| d.lines[i].tax_rate = v.clone()) }>
                            {RATES.iter().map(|r| {
                                let selected = line.tax_rate.as_deref() == Some(*r);
                                view! { <option value=*r selected=selected>{*r}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <p class="amount">{move || t("line.amount")}": "<output id=path("amount-out")>{amount}</output></p>
                })}
                <button type="button" class="link"
                    on:click=move |_| {
                        edit(&|d| { if d.lines.len() > 1 { d.lines.remove(i); } });
                        redraw(None);
                    }>
                    {move || t("line.remove")}
                </button>
            </fieldset>
        }
    };

    let form = move |_generation: u64| {
        let buyer_msgs = at("buyer.name".into());
        let lines = doc.with_untracked(|d| d.lines.len());
        let series_msgs = at("symbol".into());
        // A memo: the options are drawn again when the series changes, not on every keystroke.
        let current = Memo::new(move |_| {
            doc.with(|d| (!d.symbol.is_empty()).then(|| series_value(&d.form, &d.symbol)))
        });
        // The tenant's series, and the draft's own if it is not (or not yet) among them.
        let options = move || {
            let mut v: Vec<String> = device.series.value.with(|p| {
                p.iter()
                    .flat_map(|p| &p.items)
                    .map(|s| series_value(&s.form, &s.symbol))
                    .collect()
            });
            if let Some(c) = current.get()
                && !v.contains(&c)
            {
                v.insert(0, c);
            }
            v
        };
        view! {
            <section class="row">
                <div class="field">
                    <label for="symbol">{move || t("series.pick")}</label>
                    // A revised invoice keeps its series and number.
                    <select id="symbol" aria-describedby="symbol-msg" disabled=revise
                        aria-invalid=move || (!series_msgs.with(String::is_empty)).to_string()
                        on:change=move |ev| {
                            let (f, s) = split_series(&event_target_value(&ev));
                            edit(&|d| (d.form, d.symbol) = (f.clone(), s.clone()));
                        }>
                        <option value="" disabled=true selected=move || current.with(Option::is_none)>
                            {move || t("series.none")}</option>
                        {move || options().into_iter().map(|v| {
                            let selected = current.with(|c| c.as_ref() == Some(&v));
                            view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <span class="msg" id="symbol-msg">{series_msgs}</span>
                </div>
                {field("issue_date", "issue_date", |d| d.issue_date.clone(), |d, v| d.issue_date = v)}
            </section>
            <SellerBlock session device />
            <h2>{move || t("buyer")}</h2>
            <section class="row">
                <div class="field">
                    <label for="buyer.name">{move || t("buyer.search")}</label>
                    <TypeAhead id="buyer.name".to_owned() kind="customers"
                        initial=doc.with_untracked(|d| d.buyer.name.clone().unwrap_or_default())
                        described_by="buyer.name-msg".to_owned()
                        invalid=Signal::derive(move || !buyer_msgs.with(String::is_empty))
                        on_input=move |v| edit(&|d| d.buyer.name = opt(v.clone()))
                        on_pick=move |c: Value| {
                            let party = customer_party(&c);
                            edit(&|d| d.buyer = party.clone());
                            redraw(Some("buyer.tax_id".into()));
                        } />
                    <span class="msg" id="buyer.name-msg">{buyer_msgs}</span>
                </div>
                {field("buyer.tax_id", "tax_id", |d| d.buyer.tax_id.clone().unwrap_or_default(), |d, v| d.buyer.tax_id = opt(v))}
                {field("buyer.address", "address", |d| d.buyer.address.clone().unwrap_or_default(), |d, v| d.buyer.address = opt(v))}
                {field("buyer.email", "email", |d| d.buyer.email.clone().unwrap_or_default(), |d, v| d.buyer.email = opt(v))}
            </section>
            <h2>{move || t("lines")}</h2>
            {(0..lines).map(line_view).collect_view()}
        }
    };

    let sync_state = move || sync_line(sync.get(), ob.online.get(), session.lang.get());

    let on_issue = move |_| {
        show_all.set(true);
        let has_errors =
            checked.with_untracked(|c| c.findings.iter().any(|f| f.severity == Severity::Error));
        if has_errors {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let key = id.get_value();
            if ob.get(&key).is_none() {
                // Nothing typed yet: the server needs the draft before it can issue it.
                let current = doc.get_untracked();
                ob.edit(&key, move |d| d.document = current);
            }
            let failed = match ob.sync_one(&key).await {
                Outcome::Synced => None,
                Outcome::Conflict => Some(None),
                Outcome::Refused(e) => Some(Some(e)),
                Outcome::Unreachable | Outcome::NotSignedIn => {
                    Some(Some(t("issue.offline").to_owned()))
                }
            };
            if let Some(e) = failed {
                error.set(e);
                busy.set(false);
                return;
            }
            let path = format!("/api/invoices/{key}/issue");
            // The version just synced is what the user sees: the server issues exactly that.
            let mut version = ob.get(&key).and_then(|d| d.version);
            let mut answer = issue(session, &path, version).await;
            // A newer version with this very content (a correction's confirmation was requested
            // since: the server moved the record, not the document): that one is issued.
            if let Err(r) = &answer
                && r.code() == "draft_conflict"
                && let Some(current) = r.current::<InvoiceView>()
                && DraftInput::from_document(&current.document) == doc.get_untracked()
                && version != Some(current.version)
            {
                version = Some(current.version);
                ob.adopt(LocalDraft::from_server(&current));
                answer = issue(session, &path, version).await;
            }
            match answer {
                Ok(_) => {
                    ob.forget(&key);
                    router.go(Route::Invoice(key));
                }
                // Numbered: it will be signed without anyone (the detail screen shows it).
                Err(r) if r.code() == "signing_pending" => {
                    ob.forget(&key);
                    router.go(Route::Invoice(key));
                }
                Err(r) => {
                    if r.code() == "profile_incomplete" {
                        leptos::task::spawn_local(device.profile.refresh(session));
                    }
                    needs_registration.set(r.code() == "registration_required");
                    // Findings without a field here (the seller's, the profile's) join the message.
                    let details = r.details();
                    let unplaced: Vec<&str> = details
                        .iter()
                        .filter(|d| d.path.starts_with("seller") || d.path.starts_with("profile"))
                        .map(|d| detail_message(d, session.lang.get_untracked()))
                        .collect();
                    error.set(Some(
                        [r.message.as_str()]
                            .into_iter()
                            .chain(unplaced)
                            .collect::<Vec<_>>()
                            .join(" "),
                    ));
                    server_findings.set(details);
                }
            }
            busy.set(false);
        });
    };

    // Revise mode's main button: the fixed document, under the version it started from.
    let on_resend = move |_| {
        show_all.set(true);
        let has_errors =
            checked.with_untracked(|c| c.findings.iter().any(|f| f.severity == Severity::Error));
        let Some(version) = revision.with_untracked(|r| r.as_ref().map(|r| r.version)) else {
            return;
        };
        if has_errors {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let key = id.get_value();
            let d = doc.get_untracked();
            match revise::send(session, &key, version, &d).await {
                Ok(_) => router.go(Route::Invoice(key)),
                // Changed elsewhere: the latest copy replaces the form, and the user says so.
                Err(r) if r.code() == "version_conflict" => {
                    error.set(Some(t("revise.conflict").to_owned()));
                    if let Ok((d, rv)) = revise::load(session, &key).await {
                        doc.set(d);
                        revision.set(Some(rv));
                        redraw(None);
                    }
                }
                Err(r) => {
                    error.set(Some(r.message.clone()));
                    server_findings.set(r.details());
                }
            }
            busy.set(false);
        });
    };

    let conflict_view = move || {
        let conflict = sync.get()?.conflict?;
        let on_taken = move |d: DraftInput| {
            doc.set(d);
            redraw(None);
        };
        Some(view! { <ConflictPanel session ob router id conflict checked on_taken /> })
    };

    view! {
        <form class="card editor" on:submit=|ev| ev.prevent_default()
            on:input=move |ev| touch(&ev) on:change=move |ev| touch(&ev)
            on:focusout=move |ev| touch(&ev)>
            <h1>{move || t(if revise { "revise.title" } else { "editor.title" })}</h1>
            {move || revision.get().map(|r| view! { <ReviseNote session revision=r /> })}
            // A correction: what it corrects, and its screen (the buyer's confirmation).
            {move || related.get().map(|r| view! {
                <p class="revise" id="editor-corrects">{r.note.unwrap_or(r.symbol)}" "
                    <Link to=Route::Corrections(id.get_value())>{move || t("corrections.open")}</Link></p>
            })}
            {(!revise).then(|| view! {
                <p id="sync" class="sync" role="status" data-sync=move || sync_state().0>
                    {move || sync_state().1}
                    <Show when=move || sync_state().0 == "refused">
                        " "<button type="button" class="link" on:click=move |_| ob.retry(&id.get_value())>{move || t("retry")}</button>
                    </Show>
                </p>
                {conflict_view}
            })}
            <Show when=move || ready.get() fallback=move || view! { <p>{move || t("loading")}</p> }>
                // Keyed by the generation: a redraw builds new inputs (Leptos would otherwise
                // patch the old ones, whose typed text outlives a changed `value` attribute).
                <For each=move || std::iter::once(reset.get()) key=|g| *g children=form />
                <button type="button" on:click=move |_| {
                    edit(&|d| d.lines.push(blank_line()));
                    let n = doc.with_untracked(|d| d.lines.len()) - 1;
                    redraw(Some(format!("lines[{n}].name")));
                }>
                    {move || t("line.add")}
                </button>
            // Totals and actions appear with the fields, not before them: nothing on screen
            // moves when the draft opens.
            <Totals session checked />
            <p class="error" role="alert">{move || error.get()}</p>
            {move || needs_registration.get().then(|| view! { <RegistrationRequired session /> })}
            <div class="actions">
                // Issue, or in revise mode re-send (the number is kept).
                <button type="button" class="primary" id=revise.then_some("resend")
                    on:click=move |ev| if revise { on_resend(ev) } else { on_issue(ev) }
                    disabled=move || busy.get() || !ob.online.get() || !ready.get()
                        || if revise { revision.with(Option::is_none) } else { !profile_complete() }>
                    {move || t(if revise { "revise.send" } else { "issue" })}
                </button>
                <Show when=move || !ob.online.get()>
                    <p class="hint" id="issue-offline">{move || t("issue.offline")}</p>
                </Show>
                // A correction draft can be given up (it reserves its invoice until then).
                {move || (!revise && related.with(Option::is_some))
                    .then(|| view! { <discard::Discard session id=id.get_value() /> })}
            </div>
            </Show>
        </form>
    }
}
