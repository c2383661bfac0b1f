//! An action's proposal (`GET /api/books/{id}/proposal`), editable before it is recorded: each
//! voucher's date, description, receivable account and customer code, and each line's product
//! code, amount, VAT and accounts (amounts read as the screen's language writes numbers; the VND
//! figures follow at the invoice's rate). The proposal's warnings stand at their fields (a
//! customer or product the catalog lacks gets the picker with "create in place", [`picker`])
//! until the field is changed; the server's `422 books.voucher` findings replace them.
//!
//! **Ghi sổ / Record** posts the vouchers as shown with the entry's version
//! (`POST /api/books/{id}/record`) and is disabled while it is out, so a double click records
//! once; the server records an action once per status anyway: a `409 books.already_recorded`
//! says so (not an error) and the inbox is read again; `books.changed` asks for a new proposal.

use super::inbox::Inbox;
use super::picker::{self, CodePicker};
use super::texts::{self, action_key, voucher_kind_key as kind_key};
use crate::Session;
use crate::api::{self, Payload};
use crate::i18n::{self, Lang};
use gloo_net::http::Method;
use hoadon_core::api::Detail;
use hoadon_core::api::books::{BookEntryView, Proposal, RecordRequest, VoucherDraft, VoucherLine};
use hoadon_core::import::ImportedParty;
use hoadon_core::money::{Currency, round_money};
use leptos::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// An account number as the books take it: 3 to 10 digits.
pub fn is_account(s: &str) -> bool {
    (3..=10).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// The fields of a voucher and of a line the form shows, each with its messages.
const VOUCHER_FIELDS: [&str; 4] = ["date", "description", "receivable_account", "customer.code"];
const LINE_FIELDS: [&str; 5] = [
    "product_code",
    "amount",
    "vat",
    "revenue_account",
    "vat_account",
];

/// Every path at which the form shows messages: each voucher and line (as a whole) and their
/// fields. A finding at another path (`vouchers`, `vouchers[0].kind`) is listed below them.
fn shown_paths(vouchers: &[VoucherDraft]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, v) in vouchers.iter().enumerate() {
        let at = format!("vouchers[{i}]");
        out.extend(VOUCHER_FIELDS.iter().map(|f| format!("{at}.{f}")));
        for j in 0..v.lines.len() {
            let lat = format!("{at}.lines[{j}]");
            out.extend(LINE_FIELDS.iter().map(|f| format!("{lat}.{f}")));
            out.insert(lat);
        }
        out.insert(at);
    }
    out
}

/// An amount in VND at the invoice's rate, rounded as the core rounds the dong.
fn vnd(amount: Decimal, rate: Decimal) -> Decimal {
    round_money(amount.saturating_mul(rate), Currency::VND)
}

/// What every field of the form reads and writes: the vouchers, what is known to be wrong
/// where, and which fields the accountant changed.
#[derive(Clone, Copy)]
struct Form {
    session: Session,
    vouchers: RwSignal<Vec<VoucherDraft>>,
    /// The proposal's warnings: shown at a field until it is changed.
    warnings: StoredValue<Vec<Detail>>,
    /// The server's findings on the last attempt.
    details: RwSignal<Vec<Detail>>,
    touched: RwSignal<BTreeSet<String>>,
    /// Fields whose text could not be read (a number, an account, a date).
    bad: RwSignal<BTreeSet<String>>,
    creating: RwSignal<Option<String>>,
    rate: Decimal,
    buyer: StoredValue<ImportedParty>,
}

impl Form {
    /// The messages at `path` (tracked): a proposal warning until the field is changed, the
    /// unreadable text, the server's findings.
    fn msgs(self, path: &str) -> String {
        let lang = self.session.lang.get();
        let mut out: Vec<String> = Vec::new();
        if !self.touched.with(|t| t.contains(path)) {
            self.warnings.with_value(|w| {
                out.extend(
                    w.iter()
                        .filter(|d| d.path == path)
                        .map(|d| super::entry::message(d, lang).to_owned()),
                )
            });
        }
        if self.bad.with(|b| b.contains(path)) {
            out.push(texts::text(lang, "bk.unreadable").to_owned());
        }
        self.details.with(|d| {
            out.extend(
                d.iter()
                    .filter(|d| d.path == path)
                    .map(|d| super::entry::message(d, lang).to_owned()),
            )
        });
        out.join(" ")
    }

    /// Whether something was found wrong at `path` (tracked).
    fn warned(self, path: &str) -> bool {
        !self.msgs(path).is_empty()
    }

    /// Applies a change of the field at `path` of voucher `i`.
    fn change(self, i: usize, path: &str, apply: impl FnOnce(&mut VoucherDraft) -> bool) {
        let mut ok = false;
        self.vouchers.update(|v| {
            if let Some(d) = v.get_mut(i) {
                ok = apply(d);
            }
        });
        self.touched.update(|t| {
            t.insert(path.to_owned());
        });
        self.bad.update(|b| {
            if ok {
                b.remove(path);
            } else {
                b.insert(path.to_owned());
            }
        });
    }

    /// An input of voucher `i` at `path`, labelled `label`: `get` gives its text as the
    /// language writes it, `set` reads the text back (`false` when it is no value of the field;
    /// the last argument is the invoice's exchange rate, for the VND figures).
    fn input(
        self,
        i: usize,
        path: String,
        label: &'static str,
        input_type: &'static str,
        get: impl Fn(&VoucherDraft, Lang) -> String + Copy + Send + Sync + 'static,
        set: impl Fn(&mut VoucherDraft, &str, Lang, Decimal) -> bool + Copy + Send + Sync + 'static,
    ) -> impl IntoView {
        let t = move |k| texts::text(self.session.lang.get(), k);
        let msg_id = format!("{path}-msg");
        let p = StoredValue::new(path.clone());
        view! {
            <div class="field">
                <label for=path.clone()>{move || t(label)}</label>
                <input id=path type=input_type aria-describedby=msg_id.clone()
                    aria-invalid=move || p.with_value(|p| self.warned(p)).to_string()
                    prop:value=move || {
                        let lang = self.session.lang.get();
                        self.vouchers.with(|v| v.get(i).map(|d| get(d, lang)).unwrap_or_default())
                    }
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let lang = self.session.lang.get_untracked();
                        p.with_value(|p| self.change(i, p, |d| set(d, text.trim(), lang, self.rate)));
                    } />
                <span class="msg" id=msg_id>{move || p.with_value(|p| self.msgs(p))}</span>
            </div>
        }
    }
}

#[component]
pub fn ProposalEditor(
    session: Session,
    inbox: Inbox,
    entry: BookEntryView,
    proposal: Proposal,
    /// The entry as recorded.
    recorded: Callback<BookEntryView>,
    /// Asks for a new proposal, with what to say (the entry changed).
    again: Callback<String>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let form = Form {
        session,
        vouchers: RwSignal::new(proposal.vouchers.clone()),
        warnings: StoredValue::new(proposal.warnings.clone()),
        details: RwSignal::new(Vec::new()),
        touched: RwSignal::new(BTreeSet::new()),
        bad: RwSignal::new(BTreeSet::new()),
        creating: RwSignal::new(None),
        rate: entry.exchange_rate.unwrap_or(Decimal::ONE),
        buyer: StoredValue::new(entry.buyer.clone()),
    };
    let foreign = entry.currency != "VND";
    let busy = RwSignal::new(false);
    let finished = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<String>);
    let (action, version) = (proposal.action, proposal.version);
    let path = StoredValue::new(format!("/api/books/{}/record", api::encode(&entry.id)));
    // Warnings at no field of the form (the whole voucher, the invoice).
    let general: Vec<Detail> = proposal
        .warnings
        .iter()
        .filter(|d| !d.path.contains(".customer.") && !d.path.contains(".lines["))
        .cloned()
        .collect();
    let shown = StoredValue::new(shown_paths(&proposal.vouchers));
    let elsewhere = move || {
        let lang = session.lang.get();
        form.details.with(|d| {
            d.iter()
                .filter(|d| !shown.with_value(|s| s.contains(&d.path)))
                .map(|d| format!("{} ({})", super::entry::message(d, lang), d.path))
                .collect::<Vec<_>>()
        })
    };
    let record = move |_| {
        if !form.bad.with_untracked(BTreeSet::is_empty) {
            return;
        }
        busy.set(true);
        error.set(None);
        let body = api::json(&RecordRequest {
            action,
            version,
            vouchers: form.vouchers.get_untracked(),
        });
        let path = path.get_value();
        leptos::task::spawn_local(async move {
            let lang = session.lang.get_untracked();
            let answer = api::request::<BookEntryView>(
                session,
                Method::POST,
                &path,
                &[],
                Payload::Json(&body),
            );
            match answer.await {
                Ok(e) => {
                    finished.try_set(true);
                    recorded.run(e);
                }
                Err(r) if r.code() == "books.already_recorded" => {
                    finished.try_set(true);
                    said.try_set(Some(texts::text(lang, "bk.already").to_owned()));
                    inbox.reload.run(());
                }
                Err(r) if r.code() == "books.changed" => {
                    inbox.reload.run(());
                    again.run(texts::text(lang, "bk.changed").to_owned());
                }
                Err(r) => {
                    form.details.try_set(r.details());
                    error.try_set(Some(r.shown(lang)));
                }
            }
            busy.try_set(false);
        });
    };
    let count = proposal.vouchers.len();
    view! {
        <section class="proposal" id="proposal" data-action=texts::code(action_key(action))>
            <h2>{move || t("bk.proposal")}": "{move || t(action_key(action))}</h2>
            {(!general.is_empty()).then(|| view! {
                <ul class="warnings" id="proposal-warnings">
                    {general.into_iter().map(|d| view! {
                        <li>{move || super::entry::message(&d, session.lang.get()).to_owned()}</li>
                    }).collect_view()}
                </ul>
            })}
            {(count == 0).then(|| view! { <p class="hint">{move || t("bk.no_vouchers")}</p> })}
            {(0..count).map(|i| view! { <Voucher form i foreign /> }).collect_view()}
            <div class="actions">
                <button type="button" class="primary" id="record"
                    disabled=move || busy.get() || finished.get() || !form.bad.with(BTreeSet::is_empty)
                    on:click=record>{move || t("bk.record")}</button>
            </div>
            <p class="status" role="status" id="record-said">{move || said.get()}</p>
            <p class="error" role="alert" id="record-error">{move || error.get()}</p>
            <ul class="errors" id="record-findings">
                {move || elsewhere().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// One proposed voucher: its fields, customer, lines and sums.
#[component]
fn Voucher(form: Form, i: usize, foreign: bool) -> impl IntoView {
    let session = form.session;
    let t = move |k| texts::text(session.lang.get(), k);
    let lang = move || session.lang.get();
    let snapshot = form.vouchers.with_untracked(|v| v[i].clone());
    let kind = kind_key(snapshot.kind);
    let lines = snapshot.lines.len();
    let p = |field: &str| format!("vouchers[{i}].{field}");
    let customer_path = p("customer.code");
    let seed = form
        .buyer
        .with_value(|b| picker::customer_seed(&snapshot.customer, b));
    let cp = StoredValue::new(customer_path.clone());
    let sums = move || {
        let (a, v, a_vnd, v_vnd) = form.vouchers.with(|x| hoadon_core::books::sums(&x[i]));
        let mut s = format!(
            "{} + {} = {}",
            i18n::money(a),
            i18n::money(v),
            i18n::money(a + v)
        );
        if foreign {
            s.push_str(&format!(" (VND {})", i18n::money(a_vnd + v_vnd)));
        }
        s
    };
    let customer = move || {
        form.vouchers.with(|x| {
            let c = &x[i].customer;
            [&c.name, &c.tax_id]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" · ")
        })
    };
    view! {
        <fieldset class="voucher" id=format!("voucher-{i}")>
            <legend>{move || t("bk.voucher")}" "{i + 1}": "{move || t(kind)}
                {snapshot.reverses.clone().map(|n| view! { " — "{move || t("bk.reverses")}" "{n.clone()} })}</legend>
            <div class="row">
                {form.input(i, p("date"), "bk.date", "date", |d, _| d.date.clone(), |d, s, _, _| {
                    let ok = s.parse::<hoadon_core::date::Date>().is_ok();
                    if ok { d.date = s.to_owned(); }
                    ok
                })}
                {form.input(i, p("description"), "bk.description", "text", |d, _| d.description.clone(), |d, s, _, _| {
                    d.description = s.to_owned();
                    !s.is_empty()
                })}
                {form.input(i, p("receivable_account"), "bk.receivable", "text", |d, _| d.receivable_account.clone(), |d, s, _, _| {
                    let ok = is_account(s);
                    if ok { d.receivable_account = s.to_owned(); }
                    ok
                })}
            </div>
            <CodePicker session kind="customers" path=customer_path label="bk.customer"
                value=Signal::derive(move || form.vouchers.with(|x| x[i].customer.code.clone().unwrap_or_default()))
                warned=Signal::derive(move || cp.with_value(|p| form.warned(p)))
                msgs=Signal::derive(move || cp.with_value(|p| form.msgs(p)))
                set=Callback::new(move |code: String| cp.with_value(|p| form.change(i, p, |d| {
                    d.customer.code = Some(code).filter(|c| !c.is_empty());
                    true
                })))
                seed creating=form.creating />
            <p class="hint" id=format!("vouchers[{i}].customer-name")>{customer}</p>
            {(0..lines).map(|j| view! { <Line form i j foreign /> }).collect_view()}
            <p class="msg" id=format!("vouchers[{i}]-msg")>{move || form.msgs(&format!("vouchers[{i}]"))}</p>
            <p class="sums" id=format!("voucher-{i}-sums")><strong>{move || t("bk.sums")}": "</strong>{sums}
                {move || (lang() == Lang::Vi).then_some(" đ")}</p>
        </fieldset>
    }
}

/// One posting line: its product code (picker), amount, VAT and accounts.
#[component]
fn Line(form: Form, i: usize, j: usize, foreign: bool) -> impl IntoView {
    let session = form.session;
    let t = move |k| texts::text(session.lang.get(), k);
    let line = form.vouchers.with_untracked(|v| v[i].lines[j].clone());
    let p = |field: &str| format!("vouchers[{i}].lines[{j}].{field}");
    let code_path = p("product_code");
    let cp = StoredValue::new(code_path.clone());
    let seed = picker::product_seed(&line);
    // Each field reads and writes line `j` of the voucher.
    let number = |get: fn(&VoucherLine) -> Decimal, set: fn(&mut VoucherLine, Decimal, Decimal)| {
        (
            move |d: &VoucherDraft, lang: Lang| i18n::number_input(lang, get(&d.lines[j])),
            move |d: &mut VoucherDraft, s: &str, lang: Lang, rate: Decimal| match i18n::parse_number(
                lang, s,
            ) {
                Some(n) => {
                    set(&mut d.lines[j], n, rate);
                    true
                }
                None => false,
            },
        )
    };
    let account = |get: fn(&VoucherLine) -> &String, set: fn(&mut VoucherLine, String)| {
        (
            move |d: &VoucherDraft, _: Lang| get(&d.lines[j]).clone(),
            move |d: &mut VoucherDraft, s: &str, _: Lang, _: Decimal| {
                let ok = is_account(s);
                if ok {
                    set(&mut d.lines[j], s.to_owned());
                }
                ok
            },
        )
    };
    let (amount_get, amount_set) = number(
        |l| l.amount,
        |l, n, r| {
            l.amount = n;
            l.amount_vnd = vnd(n, r);
        },
    );
    let (vat_get, vat_set) = number(
        |l| l.vat,
        |l, n, r| {
            l.vat = n;
            l.vat_vnd = vnd(n, r);
        },
    );
    let (rev_get, rev_set) = account(|l| &l.revenue_account, |l, s| l.revenue_account = s);
    let (out_get, out_set) = account(|l| &l.vat_account, |l, s| l.vat_account = s);
    let vnd_line = move || {
        foreign.then(|| {
            form.vouchers.with(|v| {
                let l = &v[i].lines[j];
                format!(
                    "VND: {} + {}",
                    i18n::money(l.amount_vnd),
                    i18n::money(l.vat_vnd)
                )
            })
        })
    };
    view! {
        <fieldset class="vline" id=format!("voucher-{i}-line-{j}")>
            <legend>{j + 1}". "{line.description.clone()}
                {line.quantity.map(|q| view! { " · "{i18n::money(q)}" "{line.unit.clone()} })}
                " · "{move || t("bk.rate_vat")}" "{line.vat_rate.clone()}</legend>
            <CodePicker session kind="products" path=code_path label="bk.product"
                value=Signal::derive(move || form.vouchers.with(|x| x[i].lines[j].product_code.clone().unwrap_or_default()))
                warned=Signal::derive(move || cp.with_value(|p| form.warned(p)))
                msgs=Signal::derive(move || cp.with_value(|p| form.msgs(p)))
                set=Callback::new(move |code: String| cp.with_value(|p| form.change(i, p, |d| {
                    d.lines[j].product_code = Some(code).filter(|c| !c.is_empty());
                    true
                })))
                seed creating=form.creating />
            <div class="row">
                {form.input(i, p("amount"), "bk.amount", "text", amount_get, amount_set)}
                {form.input(i, p("vat"), "bk.vat", "text", vat_get, vat_set)}
                {form.input(i, p("revenue_account"), "bk.revenue_account", "text", rev_get, rev_set)}
                {form.input(i, p("vat_account"), "bk.vat_account", "text", out_get, out_set)}
            </div>
            <p class="hint">{vnd_line}</p>
            <p class="msg" id=format!("vouchers[{i}].lines[{j}]-msg")>
                {move || form.msgs(&format!("vouchers[{i}].lines[{j}]"))}</p>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_at_a_field_a_line_or_a_voucher_are_shown_there() {
        let line = VoucherLine {
            product_code: None,
            description: "Giấy in".into(),
            unit: None,
            quantity: None,
            amount: Decimal::ONE,
            amount_vnd: Decimal::ONE,
            vat_rate: "8%".into(),
            vat: Decimal::ZERO,
            vat_vnd: Decimal::ZERO,
            revenue_account: "5111".into(),
            vat_account: "33311".into(),
        };
        let v = VoucherDraft {
            kind: hoadon_core::api::books::VoucherKind::Sale,
            date: "2026-12-01".into(),
            description: "Bán hàng".into(),
            customer: Default::default(),
            receivable_account: "131".into(),
            lines: vec![line.clone(), line],
            reverses: None,
        };
        let shown = shown_paths(&[v]);
        for p in [
            "vouchers[0]",
            "vouchers[0].customer.code",
            "vouchers[0].lines[1]",
            "vouchers[0].lines[1].vat_account",
        ] {
            assert!(shown.contains(p), "{p}");
        }
        assert!(!shown.contains("vouchers") && !shown.contains("vouchers[0].kind"));
        assert!(!shown.contains("vouchers[0].lines[2].amount"));
    }

    #[test]
    fn accounts_are_three_to_ten_digits() {
        assert!(is_account("131") && is_account("33311") && is_account("5111000000"));
        assert!(!is_account("13") && !is_account("51a1") && !is_account("51111111111"));
    }

    #[test]
    fn vnd_follows_the_rate_rounded_to_the_dong() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(vnd(d("100.50"), d("25000")), d("2512500"));
        assert_eq!(vnd(d("0.01"), d("25123.5")), d("251"));
    }
}
