//! The accountant's books (#18), in the module of rarely opened screens ([`crate::lazy`]): the
//! inbox of a period's invoices, wherever they were issued, with their platform and workflow
//! status ([`inbox`], `/books`), files of other platforms imported into it ([`import`]), an
//! entry's details and its vouchers proposed, edited and recorded once ([`entry`],
//! [`proposal`], with a picker that maps or creates catalog entries in place: [`picker`]), the
//! recorded vouchers with their export and the books' settings ([`vouchers`], [`settings`],
//! `/vouchers`) and the period's statistics, charted ([`reports`], [`chart`], `/reports`).
//!
//! The server decides (which actions an entry allows, what a voucher proposes, whether it was
//! recorded already); these screens show its answers and send what the accountant confirmed.
//! Their words are in [`texts`]; the first load carries only the menu's.

mod chart;
mod entry;
mod import;
mod inbox;
mod picker;
mod proposal;
mod reports;
mod settings;
pub mod texts;
mod vouchers;

pub use inbox::BooksScreen;
pub use reports::ReportsScreen;
pub use vouchers::VouchersScreen;

use crate::Session;
use crate::api;
use hoadon_core::api::Page;
use hoadon_core::date::Date;
use hoadon_core::import::InvoiceKey;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// A period of issue dates, `YYYY-MM-DD`, both ends included: what the inbox, the vouchers and
/// the reports are asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// Where the period last asked is kept for the tab (`sessionStorage`): the three screens share
/// it, so going from the inbox to the vouchers or back keeps the accountant's period.
const PERIOD_KEY: &str = "hoadon.books.period";

impl Period {
    /// The month of `year`-`month`, first to last day.
    pub fn month(year: u16, month: u8) -> Option<Period> {
        let first = Date::new(year, month, 1).ok()?;
        let last = (28..=31)
            .rev()
            .find_map(|d| Date::new(year, month, d).ok())?;
        Some(Period {
            from: first.to_string(),
            to: last.to_string(),
        })
    }

    /// The period kept for this tab, else this month by the device's calendar.
    pub fn remembered() -> Period {
        let kept = web_sys::window()
            .and_then(|w| w.session_storage().ok().flatten())
            .and_then(|s| s.get_item(PERIOD_KEY).ok().flatten())
            .and_then(|v| {
                let (from, to) = v.split_once('/')?;
                Some(Period {
                    from: from.into(),
                    to: to.into(),
                })
            })
            .filter(Period::is_valid);
        kept.unwrap_or_else(|| {
            let now = web_sys::js_sys::Date::new_0();
            let (y, m) = (now.get_full_year() as u16, now.get_month() as u8 + 1);
            Period::month(y, m).unwrap_or(Period {
                from: String::new(),
                to: String::new(),
            })
        })
    }

    /// Keeps the period for the other screens of this tab.
    pub fn remember(&self) {
        if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = s.set_item(PERIOD_KEY, &format!("{}/{}", self.from, self.to));
        }
    }

    /// Two real dates, in order.
    pub fn is_valid(&self) -> bool {
        match (self.from.parse::<Date>(), self.to.parse::<Date>()) {
            (Ok(a), Ok(b)) => a <= b,
            _ => false,
        }
    }

    /// `from=…&to=…` for a query.
    pub fn query(&self) -> String {
        format!("from={}&to={}", self.from, self.to)
    }
}

/// What a screen of a period reads: the period, whether an answer is awaited, what went wrong.
#[derive(Clone, Copy)]
pub struct PeriodData {
    pub period: RwSignal<Period>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl PeriodData {
    /// Starting from the period kept for the tab.
    pub fn new() -> PeriodData {
        PeriodData {
            period: RwSignal::new(Period::remembered()),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// What the screen runs to read its period (on opening, and on **Get data**): `fetch` with
    /// a valid period, its answer given to `done`, a failure said. Only the last request's
    /// answer is taken: the period may change while one is out.
    pub fn loader<T, Fut>(
        self,
        fetch: impl Fn(Period) -> Fut + Copy + Send + Sync + 'static,
        done: impl Fn(T) + Copy + Send + Sync + 'static,
    ) -> Callback<()>
    where
        Fut: std::future::Future<Output = Result<T, String>> + 'static,
        T: 'static,
    {
        let asked = StoredValue::new(0u32);
        Callback::new(move |()| {
            let p = self.period.get_untracked();
            if !p.is_valid() {
                return;
            }
            let n = asked.get_value() + 1;
            asked.set_value(n);
            self.loading.set(true);
            leptos::task::spawn_local(async move {
                let got = fetch(p).await;
                if asked.try_get_value() != Some(n) {
                    return;
                }
                match got {
                    Ok(v) => {
                        self.error.try_set(None);
                        done(v);
                    }
                    Err(e) => drop(self.error.try_set(Some(e))),
                }
                self.loading.try_set(false);
            });
        })
    }
}

/// The from and to dates and **Get data** ("Lấy dữ liệu"): `get` runs with a valid period
/// (kept for the other screens); a reversed or incomplete one is said instead, and so is a
/// request under way or failed.
#[component]
pub fn PeriodPicker(session: Session, data: PeriodData, get: Callback<()>) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let period = data.period;
    let wrong = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = period.get_untracked();
        wrong.set(!p.is_valid());
        if p.is_valid() {
            p.remember();
            get.run(());
        }
    };
    let date = move |id: &'static str, key: &'static str, from: bool| {
        view! {
            <div class="field">
                <label for=id>{move || t(key)}</label>
                <input type="date" id=id required
                    prop:value=move || period.with(|p| if from { p.from.clone() } else { p.to.clone() })
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        period.update(|p| if from { p.from = v } else { p.to = v });
                    } />
            </div>
        }
    };
    view! {
        <form class="row period" on:submit=submit aria-label=move || t("bk.period")>
            {date("period-from", "bk.from", true)}
            {date("period-to", "bk.to", false)}
            <div class="field">
                <span class="label-space" aria-hidden="true">" "</span>
                <button type="submit" class="primary" id="period-get">{move || t("bk.get")}</button>
            </div>
        </form>
        <p class="error" role="alert" id="period-error">
            {move || if wrong.get() { Some(t("bk.period.wrong").to_owned()) } else { data.error.get() }}</p>
        <p class="status" role="status" id="period-loading">
            {move || data.loading.get().then(|| t("loading"))}</p>
    }
}

/// Most pages read for one period (200 entries each); past them the screen says there is more.
const MAX_PAGES: usize = 25;

/// Every page of a list at `path` (which has its query already), and whether more were left.
pub async fn all_pages<T: DeserializeOwned>(
    session: Session,
    path: &str,
) -> Result<(Vec<T>, bool), String> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    for _ in 0..MAX_PAGES {
        let page_path = format!("{path}&limit=200&cursor={}", api::encode(&cursor));
        let page = api::get::<Page<T>>(session, &page_path).await?;
        all.extend(page.items);
        match page.next {
            Some(n) => cursor = n,
            None => return Ok((all, false)),
        }
    }
    Ok((all, true))
}

/// A table's column headers by word key; `true` marks a column of figures, aligned right as
/// they are.
pub fn headers(session: Session, cols: &'static [(&'static str, bool)]) -> impl IntoView {
    cols.iter()
        .map(|&(key, num)| {
            view! {
                <th scope="col" class=num.then_some("num")>{move || texts::text(session.lang.get(), key)}</th>
            }
        })
        .collect_view()
}

/// An invoice as the accountant names it: form and symbol · number.
pub fn invoice_title(key: &InvoiceKey) -> String {
    format!("{}{} · {}", key.form, key.symbol, key.number)
}

/// **Export CSV** / **Export Excel** of a period's file at `path` (`?from&to&format=`), saved as
/// `<stem>-<from>-<to>.<format>` (fetched with the token: a link cannot carry it).
#[component]
pub fn ExportButtons(
    session: Session,
    period: RwSignal<Period>,
    path: &'static str,
    stem: &'static str,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let error = RwSignal::new(None::<String>);
    let export = move |format: &'static str| {
        let p = period.get_untracked();
        if !p.is_valid() {
            error.set(Some(t("bk.period.wrong").to_owned()));
            return;
        }
        let url = format!("{path}?{}&format={format}", p.query());
        let name = format!("{stem}-{}-{}.{format}", p.from, p.to);
        leptos::task::spawn_local(async move {
            let saved = match api::download(session, &url).await {
                Ok(blob) => {
                    crate::catalogs::save(&blob, &name).map_err(|_| t("unreachable").to_owned())
                }
                Err(r) => Err(r.shown(session.lang.get_untracked())),
            };
            error.try_set(saved.err());
        });
    };
    view! {
        <div class="actions export">
            <button type="button" id=format!("{stem}-export-csv") on:click=move |_| export("csv")>
                {move || t("export.csv")}</button>
            <button type="button" id=format!("{stem}-export-xlsx") on:click=move |_| export("xlsx")>
                {move || t("export.xlsx")}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_its_first_to_its_last_day() {
        let p = Period::month(2024, 2).unwrap();
        assert_eq!(
            (p.from.as_str(), p.to.as_str()),
            ("2024-02-01", "2024-02-29")
        );
        assert_eq!(Period::month(2025, 2).unwrap().to, "2025-02-28");
        assert_eq!(Period::month(2025, 12).unwrap().to, "2025-12-31");
        assert!(Period::month(2025, 13).is_none());
        assert!(p.is_valid());
        let reversed = Period {
            from: "2025-03-01".into(),
            to: "2025-02-01".into(),
        };
        assert!(!reversed.is_valid());
        assert_eq!(p.query(), "from=2024-02-01&to=2024-02-29");
    }
}
