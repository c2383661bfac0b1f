//! What recording an entry would write: the vouchers the seed's action implies, mapped to the
//! catalogs, for the accountant to confirm or edit.
//!
//! Customers are mapped by tax id, then code, then name; products by code, then name. What
//! cannot be mapped stays empty with a warning naming the field (`vouchers[0].customer.code`),
//! which the accountant resolves by picking or creating the entry in place.

use super::super::{BookEntry, entry_id, find, settings};
use super::VoucherRecord;
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::Detail;
use hoadon_core::api::books::{
    BookAction, BookSettings, PlatformStatus, Proposal, VoucherCustomer, VoucherDraft, VoucherKind,
};
use hoadon_core::import::ImportedParty;
use hoadon_core::money::Currency;
use rust_decimal::Decimal;
use serde_json::Value;

/// A catalog, read once per request (a bulk action maps many entries against it).
pub struct Catalog {
    entries: Vec<Value>,
}

impl Catalog {
    pub async fn load(ts: &TenantStore, kind: &str) -> Result<Self, ApiError> {
        let mut entries = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = ts
                .query(&format!("CAT#{kind}"), "", after.as_deref(), 500)
                .await?;
            for item in &page.items {
                entries.push(super::super::from_item::<Value>(item)?);
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(Catalog { entries }),
            }
        }
    }

    fn by(&self, field: &str, value: Option<&str>) -> Option<&Value> {
        let v = norm(value?);
        if v.is_empty() {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e[field].as_str().is_some_and(|s| norm(s) == v))
    }

    /// Whether a code is in the catalog.
    pub fn has(&self, code: &str) -> bool {
        self.entries.iter().any(|e| e["code"] == code)
    }
}

/// The two catalogs a voucher maps to.
pub struct Catalogs {
    pub customers: Catalog,
    pub products: Catalog,
}

impl Catalogs {
    pub async fn load(ts: &TenantStore) -> Result<Self, ApiError> {
        Ok(Catalogs {
            customers: Catalog::load(ts, "customers").await?,
            products: Catalog::load(ts, "products").await?,
        })
    }
}

/// Comparison form: trimmed, case-folded, inner spaces collapsed, tax ids without spaces.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn warn(code: &str, path: String, vi: String, en: String) -> Detail {
    Detail {
        severity: hoadon_core::Severity::Warning,
        code: code.to_owned(),
        path,
        message_vi: vi,
        message_en: en,
    }
}

/// The buyer mapped to the customers catalog (tax id, then code, then name).
pub fn customer(
    customers: &Catalog,
    buyer: &ImportedParty,
    at: &str,
    warnings: &mut Vec<Detail>,
) -> VoucherCustomer {
    let found = customers
        .by("tax_id", buyer.tax_id.as_deref())
        .or_else(|| customers.by("code", buyer.code.as_deref()))
        .or_else(|| customers.by("name", buyer.name.as_deref()));
    let text = |e: &Value, f: &str| e[f].as_str().map(str::to_owned);
    match found {
        Some(e) => VoucherCustomer {
            code: text(e, "code"),
            name: text(e, "name").or_else(|| buyer.name.clone()),
            tax_id: text(e, "tax_id").or_else(|| buyer.tax_id.clone()),
            contact: text(e, "contact_name").or_else(|| buyer.contact.clone()),
            address: text(e, "address").or_else(|| buyer.address.clone()),
        },
        None => {
            let who = buyer
                .name
                .clone()
                .or_else(|| buyer.tax_id.clone())
                .unwrap_or_default();
            warnings.push(warn(
                "books.customer_unmapped",
                format!("{at}.customer.code"),
                format!(
                    "Không tìm thấy khách hàng \"{who}\" trong danh mục (theo MST, mã, tên): chọn \
                     hoặc thêm mới."
                ),
                format!(
                    "Customer \"{who}\" is not in the catalog (by tax id, code, name): pick or \
                     create it."
                ),
            ));
            VoucherCustomer {
                code: None,
                name: buyer.name.clone(),
                tax_id: buyer.tax_id.clone(),
                contact: buyer.contact.clone(),
                address: buyer.address.clone(),
            }
        }
    }
}

/// The posting lines of an entry, products mapped (code, then name), times `sign`.
fn lines(
    e: &BookEntry,
    products: &Catalog,
    settings: &BookSettings,
    sign: Decimal,
    at: &str,
    warnings: &mut Vec<Detail>,
) -> Result<Vec<hoadon_core::api::books::VoucherLine>, ApiError> {
    let currency: Currency = e
        .currency
        .parse()
        .unwrap_or_else(|_| "VND".parse().expect("VND is a currency"));
    let rate = if currency.is_vnd() {
        Decimal::ONE
    } else {
        e.exchange_rate.unwrap_or(Decimal::ONE)
    };
    let mapped: Vec<Option<&Value>> = e
        .lines
        .iter()
        .map(|l| {
            products
                .by("code", l.code.as_deref())
                .or_else(|| products.by("name", Some(&l.name)))
        })
        .collect();
    let account = |i: usize| {
        mapped[i]
            .and_then(|p| p["revenue_account"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| settings.revenue_goods.clone())
    };
    let mut out =
        hoadon_core::books::posting_lines(&e.lines, currency, rate, sign, &account, settings)
            .map_err(|_| {
                ApiError::Unprocessable(
                    "books.amount",
                    "Số tiền vượt giới hạn / an amount is out of range".into(),
                )
            })?;
    if !currency.is_vnd() && e.exchange_rate.is_none() {
        warnings.push(warn(
            "books.exchange_rate_missing",
            format!("{at}.lines"),
            format!(
                "Hóa đơn {} không có tỷ giá (TGia): số tiền VND tính theo tỷ giá 1.",
                e.currency
            ),
            format!(
                "The {} invoice has no exchange rate (TGia): VND amounts use 1.",
                e.currency
            ),
        ));
    }
    declared_vat(e, &mut out, rate, sign, at, warnings);
    // `posting_lines` skips notes, promotions and zero lines: map back by the lines that remain.
    let kept: Vec<usize> = e
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.nature != 4 && l.nature != 2 && l.amount.is_some_and(|a| !a.is_zero()))
        .map(|(i, _)| i)
        .collect();
    for (j, line) in out.iter_mut().enumerate() {
        let i = kept.get(j).copied().unwrap_or(j);
        match mapped.get(i).copied().flatten() {
            Some(p) => line.product_code = p["code"].as_str().map(str::to_owned),
            None => {
                line.product_code = None;
                warnings.push(warn(
                    "books.product_unmapped",
                    format!("{at}.lines[{j}].product_code"),
                    format!(
                        "Không tìm thấy hàng hóa \"{}\" trong danh mục (theo mã, tên): chọn hoặc \
                         thêm mới.",
                        line.description
                    ),
                    format!(
                        "Product \"{}\" is not in the catalog (by code, name): pick or create it.",
                        line.description
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The voucher posts the VAT the invoice declares for each rate (the legal figure the buyer
/// deducts), not the recomputed one: a rate group whose declared VAT differs has the difference
/// on its largest line, and a warning says so.
fn declared_vat(
    e: &BookEntry,
    lines: &mut [hoadon_core::api::books::VoucherLine],
    rate: Decimal,
    sign: Decimal,
    at: &str,
    warnings: &mut Vec<Detail>,
) {
    let vnd: Currency = "VND".parse().expect("VND is a currency");
    for g in &e.declared.rates {
        let Some(declared) = g.vat.and_then(|v| v.checked_mul(sign)) else {
            continue;
        };
        let idx: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].vat_rate == g.rate)
            .collect();
        let posted = idx
            .iter()
            .try_fold(Decimal::ZERO, |a, i| a.checked_add(lines[*i].vat));
        let (Some(posted), Some(&big)) =
            (posted, idx.iter().max_by_key(|i| lines[**i].amount.abs()))
        else {
            continue;
        };
        let diff = declared - posted;
        if diff.is_zero() {
            continue;
        }
        let Some(diff_vnd) = diff.checked_mul(rate) else {
            continue;
        };
        lines[big].vat += diff;
        lines[big].vat_vnd += hoadon_core::money::round_money(diff_vnd, vnd);
        warnings.push(warn(
            "books.vat_declared",
            format!("{at}.lines[{big}].vat"),
            format!(
                "Thuế GTGT {} hóa đơn kê khai {declared}, tính lại {posted}: chứng từ ghi theo \
                 hóa đơn.",
                g.rate
            ),
            format!(
                "The invoice declares {declared} VAT at {}, recomputed {posted}: the voucher \
                 posts the invoice's figure.",
                g.rate
            ),
        ));
    }
}

/// The sale voucher of an entry still standing (not reversed), if its revenue is in the books.
pub async fn standing_sale(
    ts: &TenantStore,
    e: &BookEntry,
) -> Result<Option<VoucherRecord>, ApiError> {
    if !hoadon_core::books::revenue_in_books(&e.recordings) {
        return Ok(None);
    }
    for r in e.recordings.iter().rev() {
        for number in r.vouchers.iter().rev() {
            if let Some(v) = super::load(ts, number).await?
                && v.view.draft.kind == VoucherKind::Sale
                && v.view.reversed_by.is_none()
            {
                return Ok(Some(v));
            }
        }
    }
    Ok(None)
}

/// The vouchers an action proposes for an entry whose platform status is `status`.
pub async fn vouchers(
    ts: &TenantStore,
    e: &BookEntry,
    status: PlatformStatus,
    cancelled_on: Option<&str>,
    action: BookAction,
    catalogs: &Catalogs,
    warnings: &mut Vec<Detail>,
) -> Result<Vec<VoucherDraft>, ApiError> {
    let (customers, products) = (&catalogs.customers, &catalogs.products);
    let (settings, _) = settings(ts).await?;
    let at = "vouchers[0]";
    let invoice = format!(
        "{}{} số {} ngày {}",
        e.key.form, e.key.symbol, e.key.number, e.issue_date
    );
    let draft = |kind, date: &str, description: String, lines| VoucherDraft {
        kind,
        date: date.to_owned(),
        description,
        customer: VoucherCustomer::default(),
        receivable_account: settings.receivable.clone(),
        lines,
        reverses: None,
    };
    let mut out = Vec::new();
    match (status, action) {
        (PlatformStatus::Original | PlatformStatus::Replacement, BookAction::SalesVoucher) => {
            let l = lines(e, products, &settings, Decimal::ONE, at, warnings)?;
            out.push(draft(
                VoucherKind::Sale,
                &e.issue_date,
                format!("Bán hàng theo hóa đơn {invoice}"),
                l,
            ));
            // Replacing an invoice whose revenue is recorded: its voucher is reversed.
            if status == PlatformStatus::Replacement
                && let Some(key) = e.related.as_ref().and_then(|r| r.key.as_ref())
                && let Some((original, _)) = find(ts, &entry_id(key)).await?
                && let Some(sale) = standing_sale(ts, &original).await?
            {
                out.push(hoadon_core::books::reversal(
                    &sale.view.draft,
                    &sale.view.number,
                    &e.issue_date,
                ));
            }
        }
        (PlatformStatus::Original, BookAction::InvoiceRecord) => {
            // Replaced before its revenue was recorded: the replacement carries the revenue.
            out.push(draft(
                VoucherKind::InvoiceOnly,
                &e.issue_date,
                format!("Hóa đơn {invoice} đã bị thay thế (doanh thu theo hóa đơn thay thế)"),
                Vec::new(),
            ));
        }
        (PlatformStatus::Replacement, BookAction::InvoiceRecord) => {
            let l = lines(e, products, &settings, Decimal::ONE, at, warnings)?;
            out.push(draft(
                VoucherKind::InvoiceOnly,
                &e.issue_date,
                format!("Hóa đơn thay thế {invoice} (doanh thu theo hóa đơn gốc)"),
                l,
            ));
        }
        (PlatformStatus::Adjustment, BookAction::InvoiceRecord) => {
            // A decrease written with positive amounts (format 2.1.0 says so in TCDChinh).
            let total = e
                .lines
                .iter()
                .filter_map(|l| l.amount)
                .try_fold(Decimal::ZERO, Decimal::checked_add)
                .ok_or_else(|| {
                    ApiError::Unprocessable(
                        "books.amount",
                        "Số tiền vượt giới hạn / an amount is out of range".into(),
                    )
                })?;
            let decrease =
                e.related.as_ref().and_then(|r| r.direction) == Some(2) && total > Decimal::ZERO;
            let sign = if decrease {
                -Decimal::ONE
            } else {
                Decimal::ONE
            };
            let l = lines(e, products, &settings, sign, at, warnings)?;
            out.push(draft(
                VoucherKind::Adjustment,
                &e.issue_date,
                format!("Điều chỉnh theo hóa đơn {invoice}"),
                l,
            ));
        }
        (PlatformStatus::Cancelled, BookAction::InvoiceRecord) => {
            let date = cancelled_on.unwrap_or(&e.issue_date);
            match standing_sale(ts, e).await? {
                Some(sale) => out.push(hoadon_core::books::reversal(
                    &sale.view.draft,
                    &sale.view.number,
                    date,
                )),
                None => out.push(draft(
                    VoucherKind::InvoiceOnly,
                    date,
                    format!("Hóa đơn {invoice} đã hủy"),
                    Vec::new(),
                )),
            }
        }
        _ => {
            return Err(ApiError::Conflict(
                "books.not_allowed",
                "Thao tác không áp dụng cho hóa đơn ở trạng thái này / this action does not \
                 apply to the invoice in its status"
                    .into(),
            ));
        }
    }
    // Every voucher of the proposal is the invoice's customer's.
    let mut mapped_warnings = Vec::new();
    let c = customer(customers, &e.buyer, at, &mut mapped_warnings);
    warnings.extend(mapped_warnings);
    for v in &mut out {
        if v.kind != VoucherKind::Reversal {
            v.customer = c.clone();
        }
    }
    Ok(out)
}

/// `GET /api/books/{id}/proposal?action=`.
pub async fn proposal(
    ts: &TenantStore,
    id: &str,
    action: BookAction,
) -> Result<Proposal, ApiError> {
    let (e, version) = find(ts, id).await?.ok_or(ApiError::NotFound)?;
    propose_with(ts, &e, version, action, &Catalogs::load(ts).await?).await
}

/// [`proposal`] with the catalogs loaded (a bulk action loads them once).
pub async fn propose_with(
    ts: &TenantStore,
    e: &BookEntry,
    version: u64,
    action: BookAction,
    catalogs: &Catalogs,
) -> Result<Proposal, ApiError> {
    let (status, cancelled_on) = super::super::current_status(ts, e).await?;
    let replaced = super::super::replaced_by(ts, e).await?;
    super::allowed(status, e, action, replaced.is_some())?;
    let mut warnings = Vec::new();
    let vouchers = vouchers(
        ts,
        e,
        status,
        cancelled_on.as_deref(),
        action,
        catalogs,
        &mut warnings,
    )
    .await?;
    Ok(Proposal {
        action,
        vouchers,
        warnings,
        version,
    })
}
