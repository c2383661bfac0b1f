//! Vouchers for the accounting system: made by an entry's action, exactly once, numbered from
//! the tenant's own sequence, and handed out through a change feed and files.
//!
//! Items (under the tenant's prefix):
//! - `VCH / <number>`: a [`VoucherRecord`] (`/` of the number written `-`);
//! - `VDATE / <date>#<number>`: the voucher by date (periods, exports);
//! - `VSEQ / <prefix><year>`: the last number of a year ([`Counter`]);
//! - `VCHG / <change>`: the change feed, one item per change of a voucher (made, reversed), its
//!   position given by `VCHGSEQ / last` in the same transaction — so positions are committed in
//!   order and a poller reading `after=N` misses nothing and repeats nothing.
//!
//! An action ([`record::record`]) is one transaction: the entry at the version the accountant
//! saw (so two clicks, two users or a retry record once), its vouchers, their numbers, feed
//! positions, and the reversed voucher's mark.

mod export;
mod propose;
mod record;

pub use export::export;
pub use propose::{Catalog, Catalogs, proposal};
pub use record::{bulk, record};

use super::{BookEntry, from_item};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::Page;
use hoadon_core::api::books::{BookAction, PlatformStatus, VoucherView};
use serde::{Deserialize, Serialize};

/// A voucher as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoucherRecord {
    pub view: VoucherView,
}

/// A counter item (`VSEQ`, `VCHGSEQ`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(crate) struct Counter {
    pub last: u64,
}

pub(crate) fn sk(number: &str) -> String {
    number.replace('/', "-")
}

/// A voucher by its number.
pub async fn load(ts: &TenantStore, number: &str) -> Result<Option<VoucherRecord>, ApiError> {
    match ts.get("VCH", &sk(number)).await? {
        Some(item) => Ok(Some(from_item(&item)?)),
        None => Ok(None),
    }
}

/// Refuses an action the seed does not allow now, with why: done already, or not for this
/// status.
pub(crate) fn allowed(
    status: PlatformStatus,
    e: &BookEntry,
    action: BookAction,
    replaced: bool,
) -> Result<(), ApiError> {
    if hoadon_core::books::done_for(status, &e.recordings).is_some() {
        return Err(already_recorded());
    }
    if !hoadon_core::books::actions_replaced(status, &e.recordings, replaced).contains(&action) {
        return Err(ApiError::Conflict(
            "books.not_allowed",
            "Thao tác không áp dụng cho hóa đơn ở trạng thái này / this action does not apply to \
             the invoice in its status"
                .into(),
        ));
    }
    Ok(())
}

pub(crate) fn already_recorded() -> ApiError {
    ApiError::Conflict(
        "books.already_recorded",
        "Hóa đơn đã được ghi sổ cho trạng thái này; không ghi lần hai / the invoice is already \
         recorded for this status; nothing was recorded twice"
            .into(),
    )
}

/// `GET /api/vouchers?from&to`: vouchers by date, a page.
pub async fn list(
    ts: &TenantStore,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<VoucherView>, ApiError> {
    let (from, to) = super::period(from, to)?;
    let (items, next) = by_date(ts, &from, &to, cursor, limit).await?;
    Ok(Page {
        items: items.into_iter().map(|r| r.view).collect(),
        next,
    })
}

/// Vouchers dated `from..=to`, after `cursor` (a `VDATE` sort key).
pub(crate) async fn by_date(
    ts: &TenantStore,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<VoucherRecord>, Option<String>), ApiError> {
    let (items, next) = super::period_page(ts, "VDATE", from, to, cursor, limit).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        let number = String::from_utf8_lossy(&item.data).into_owned();
        if let Some(v) = load(ts, &number).await? {
            out.push(v);
        }
    }
    Ok((out, next))
}

/// `GET /api/vouchers/changes?after=N`: every change after position `N`, in order; `next` is
/// the position to ask after next time (the last one returned).
pub async fn changes(
    ts: &TenantStore,
    after: u64,
    limit: usize,
) -> Result<Page<VoucherView>, ApiError> {
    let page = ts
        .query(
            "VCHG",
            "",
            Some(&format!("{after:012}")),
            limit.clamp(1, 500),
        )
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for item in &page.items {
        let number = String::from_utf8_lossy(&item.data).into_owned();
        let position: u64 = item.key.sk.parse().unwrap_or_default();
        if let Some(mut v) = load(ts, &number).await? {
            v.view.change = position;
            items.push(v.view);
        }
    }
    let next = page
        .items
        .last()
        .map(|i| i.key.sk.trim_start_matches('0').to_owned())
        .map(|s| if s.is_empty() { "0".to_owned() } else { s });
    Ok(Page { items, next })
}
