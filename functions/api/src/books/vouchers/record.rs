//! Recording an entry: the accountant's confirmed (or edited) vouchers, written once.

use super::propose::{Catalogs, propose_with};
use super::{Counter, VoucherRecord, allowed, already_recorded, sk};
use crate::books::{BookEntry, current_status, find, from_item, to_json, view};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::books::{
    BookAction, BookEntryView, BulkItem, BulkRecordRequest, PlatformStatus, RecordRequest,
    Recording, VoucherDraft, VoucherKind, VoucherView,
};
use hoadon_core::api::{Detail, Page};
use hoadon_core::{Finding, Severity};
use rust_decimal::Decimal;

/// The voucher kinds an action may write for a status (the client may edit a proposal's
/// values, not invent what it does).
fn kinds(status: PlatformStatus, action: BookAction) -> &'static [VoucherKind] {
    use VoucherKind::*;
    match (status, action) {
        (PlatformStatus::Original, BookAction::SalesVoucher) => &[Sale],
        (PlatformStatus::Original, BookAction::InvoiceRecord) => &[InvoiceOnly],
        (PlatformStatus::Replacement, BookAction::SalesVoucher) => &[Sale, Reversal],
        (PlatformStatus::Replacement, BookAction::InvoiceRecord) => &[InvoiceOnly],
        (PlatformStatus::Adjustment, BookAction::InvoiceRecord) => &[Adjustment],
        (PlatformStatus::Cancelled, BookAction::InvoiceRecord) => &[Reversal, InvoiceOnly],
        _ => &[],
    }
}

fn finding(code: &'static str, path: String, vi: &str, en: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        code,
        path,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }
}

fn account_ok(a: &str) -> bool {
    (3..=10).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit())
}

/// Checks the vouchers as confirmed: kinds the action allows, dates, accounts, catalog codes,
/// a reversal only of the voucher the proposal named, text fields short and XML-safe.
fn check(
    vouchers: &[VoucherDraft],
    allowed_kinds: &[VoucherKind],
    proposed: &[VoucherDraft],
    catalogs: &Catalogs,
) -> Vec<Finding> {
    let (customers, products) = (&catalogs.customers, &catalogs.products);
    let mut out = Vec::new();
    if vouchers.is_empty() || vouchers.len() != proposed.len() {
        out.push(finding(
            "books.voucher.count",
            "vouchers".into(),
            "Số chứng từ phải bằng số chứng từ đề xuất.",
            "As many vouchers as the proposal has.",
        ));
    }
    for (i, v) in vouchers.iter().enumerate() {
        let at = format!("vouchers[{i}]");
        if !allowed_kinds.contains(&v.kind) {
            out.push(finding(
                "books.voucher.kind",
                format!("{at}.kind"),
                "Loại chứng từ không thuộc thao tác này.",
                "This action does not make this kind of voucher.",
            ));
        }
        // Values may be edited; what the voucher does may not: the proposal's kind, in its
        // place, reversing exactly what it named (nothing else can be marked reversed).
        match proposed.get(i) {
            Some(p) if p.kind == v.kind && p.reverses == v.reverses => {}
            _ => out.push(finding(
                "books.voucher.proposal",
                format!("{at}.kind"),
                "Chứng từ phải theo đề xuất: cùng loại, cùng thứ tự, đảo đúng chứng từ đã nêu.",
                "Vouchers follow the proposal: the same kinds, in its order, reversing only what \
                 it named.",
            )),
        }
        if v.date.parse::<hoadon_core::Date>().is_err() {
            out.push(finding(
                "books.voucher.date",
                format!("{at}.date"),
                "Ngày dạng YYYY-MM-DD.",
                "A date YYYY-MM-DD.",
            ));
        }
        if !account_ok(&v.receivable_account) {
            out.push(finding(
                "books.voucher.account",
                format!("{at}.receivable_account"),
                "Tài khoản: 3–10 chữ số.",
                "An account is 3 to 10 digits.",
            ));
        }
        if let Some(code) = &v.customer.code
            && !customers.has(code)
        {
            out.push(finding(
                "books.voucher.customer",
                format!("{at}.customer.code"),
                "Mã khách hàng không có trong danh mục.",
                "The customer code is not in the catalog.",
            ));
        }
        let texts = [
            Some(&v.description),
            v.customer.name.as_ref(),
            v.customer.address.as_ref(),
        ];
        if texts
            .iter()
            .flatten()
            .any(|t| t.chars().count() > 500 || hoadon_core::xml::xml_text_ok(t).is_err())
        {
            out.push(finding(
                "books.voucher.text",
                at.clone(),
                "Văn bản tối đa 500 ký tự, không có ký tự điều khiển.",
                "Text of at most 500 characters, without control characters.",
            ));
        }
        if v.lines.len() > 1000 {
            out.push(finding(
                "books.voucher.lines",
                format!("{at}.lines"),
                "Tối đa 1000 dòng.",
                "At most 1,000 lines.",
            ));
        }
        for (j, l) in v.lines.iter().enumerate() {
            let lat = format!("{at}.lines[{j}]");
            if let Some(code) = &l.product_code
                && !products.has(code)
            {
                out.push(finding(
                    "books.voucher.product",
                    format!("{lat}.product_code"),
                    "Mã hàng không có trong danh mục.",
                    "The product code is not in the catalog.",
                ));
            }
            if !account_ok(&l.revenue_account) || !account_ok(&l.vat_account) {
                out.push(finding(
                    "books.voucher.account",
                    lat.clone(),
                    "Tài khoản: 3–10 chữ số.",
                    "An account is 3 to 10 digits.",
                ));
            }
            let limit = hoadon_core::totals::AMOUNT_LIMIT;
            if [l.amount, l.amount_vnd, l.vat, l.vat_vnd]
                .iter()
                .any(|a| a.abs() >= limit)
            {
                out.push(finding(
                    "books.voucher.amount",
                    lat,
                    "Số tiền vượt giới hạn.",
                    "An amount is out of range.",
                ));
            }
        }
    }
    out
}

/// What a confirmed voucher still lacks (a customer or product left unmapped): kept on the
/// voucher, so the accounting system's user sees it too.
fn unmapped(v: &VoucherDraft) -> Vec<Detail> {
    let mut out = Vec::new();
    let warn = |code: &str, path: String, vi: &str, en: &str| Detail {
        severity: Severity::Warning,
        code: code.to_owned(),
        path,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    };
    if v.customer.code.is_none() && !v.lines.is_empty() {
        out.push(warn(
            "books.customer_unmapped",
            "customer.code".into(),
            "Khách hàng chưa có trong danh mục.",
            "The customer is not in the catalog.",
        ));
    }
    for (j, l) in v.lines.iter().enumerate() {
        if l.product_code.is_none() {
            out.push(warn(
                "books.product_unmapped",
                format!("lines[{j}].product_code"),
                "Hàng hóa chưa có trong danh mục.",
                "The product is not in the catalog.",
            ));
        }
    }
    out
}

/// What must still hold when a recording commits, read before its proposal: a sale of an
/// original only while no replacement names it; a replacement's recording only while its
/// original's entry is as read (recorded since → the proposal would have reversed it).
async fn guard(
    ts: &TenantStore,
    e: &BookEntry,
    status: PlatformStatus,
    action: BookAction,
) -> Result<Vec<Op>, ApiError> {
    let mut ops = Vec::new();
    if status == PlatformStatus::Original && action == BookAction::SalesVoucher {
        ops.push(Op::Check {
            key: ts.key("BOOKREPL", crate::books::entry_id(&e.key)),
            condition: Condition::NotExists,
        });
    }
    if status == PlatformStatus::Replacement
        && let Some(key) = e.related.as_ref().and_then(|r| r.key.as_ref())
    {
        let id = crate::books::entry_id(key);
        ops.push(match find(ts, &id).await? {
            Some((o, v)) => Op::Check {
                key: ts.key("BOOK", o.sk()),
                condition: Condition::Version(v),
            },
            None => Op::Check {
                key: ts.key("BOOKKEY", id),
                condition: Condition::NotExists,
            },
        });
    }
    Ok(ops)
}

/// `POST /api/books/{id}/record`: one transaction, or nothing.
pub async fn record(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    req: RecordRequest,
    actor: &str,
) -> Result<BookEntryView, ApiError> {
    let catalogs = Catalogs::load(ts).await?;
    let (e, version) = find(ts, id).await?.ok_or(ApiError::NotFound)?;
    let (status, _) = current_status(ts, &e).await?;
    let replaced = crate::books::replaced_by(ts, &e).await?.is_some();
    allowed(status, &e, req.action, replaced)?;
    if version != req.version {
        return Err(ApiError::Conflict(
            "books.changed",
            "Hóa đơn đã thay đổi từ khi xem; tải lại / the entry changed since it was seen; \
             reload"
                .into(),
        ));
    }
    let guards = guard(ts, &e, status, req.action).await?;
    let proposal = propose_with(ts, &e, version, req.action, &catalogs).await?;
    let findings = check(
        &req.vouchers,
        kinds(status, req.action),
        &proposal.vouchers,
        &catalogs,
    );
    if !findings.is_empty() {
        return Err(ApiError::Validation(findings));
    }
    write(
        svc,
        ts,
        e,
        version,
        status,
        req.action,
        req.vouchers,
        guards,
        actor,
    )
    .await
}

/// Writes the recording: numbers, vouchers, feed positions, the reversed vouchers' marks and
/// the entry, in one transaction; retried when only a counter moved.
#[allow(clippy::too_many_arguments)]
async fn write(
    svc: &Services,
    ts: &TenantStore,
    e: BookEntry,
    version: u64,
    status: PlatformStatus,
    action: BookAction,
    vouchers: Vec<VoucherDraft>,
    guards: Vec<Op>,
    actor: &str,
) -> Result<BookEntryView, ApiError> {
    let (settings, _) = crate::books::settings(ts).await?;
    for _ in 0..8 {
        let now = svc.clock.now();
        let mut ops = Vec::new();
        let mut numbers = Vec::new();
        let mut changes = ts.get("VCHGSEQ", "last").await?;
        let mut change: Counter = changes
            .as_ref()
            .map(from_item)
            .transpose()?
            .unwrap_or_default();
        let change_version = changes.take().map(|i| i.version);
        let mut sequences: Vec<(String, Counter, Option<u64>)> = Vec::new();
        let mut marks: Vec<(VoucherRecord, u64)> = Vec::new();
        for v in &vouchers {
            let year = v.date.get(..4).unwrap_or("0000").to_owned();
            let seq_key = format!("{}{year}", settings.voucher_prefix);
            if !sequences.iter().any(|(k, _, _)| *k == seq_key) {
                let item = ts.get("VSEQ", &seq_key).await?;
                let counter = item
                    .as_ref()
                    .map(from_item)
                    .transpose()?
                    .unwrap_or_default();
                sequences.push((seq_key.clone(), counter, item.map(|i| i.version)));
            }
            let (_, counter, _) = sequences
                .iter_mut()
                .find(|(k, _, _)| *k == seq_key)
                .expect("just added");
            counter.last += 1;
            let number = format!("{}{year}/{:06}", settings.voucher_prefix, counter.last);
            change.last += 1;
            let position = change.last;
            if let Some(target) = &v.reverses {
                let item = ts
                    .get("VCH", &sk(target))
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let mut rec: VoucherRecord = from_item(&item)?;
                if rec.view.reversed_by.is_some() {
                    return Err(already_recorded());
                }
                // The reversed voucher changed too: its own position in the feed.
                rec.view.reversed_by = Some(number.clone());
                change.last += 1;
                rec.view.change = change.last;
                ops.push(Op::Put {
                    key: ts.key("VCHG", format!("{:012}", change.last)),
                    data: rec.view.number.as_bytes().to_vec(),
                    condition: Condition::NotExists,
                });
                marks.push((rec, item.version));
            }
            let view = VoucherView {
                number: number.clone(),
                draft: v.clone(),
                invoice: e.key.clone(),
                invoice_date: e.issue_date.clone(),
                authority_code: e.authority_code.clone(),
                currency: e.currency.clone(),
                exchange_rate: e.exchange_rate.unwrap_or(Decimal::ONE),
                reversed_by: None,
                warnings: unmapped(v),
                created_at: now,
                created_by: actor.to_owned(),
                change: position,
            };
            ops.push(Op::Put {
                key: ts.key("VCH", sk(&number)),
                data: to_json(&VoucherRecord { view }),
                condition: Condition::NotExists,
            });
            ops.push(Op::Put {
                key: ts.key("VDATE", format!("{}#{}", v.date, sk(&number))),
                data: number.as_bytes().to_vec(),
                condition: Condition::NotExists,
            });
            ops.push(Op::Put {
                key: ts.key("VCHG", format!("{position:012}")),
                data: number.as_bytes().to_vec(),
                condition: Condition::NotExists,
            });
            numbers.push(number);
        }
        for (rec, v) in &marks {
            ops.push(Op::Put {
                key: ts.key("VCH", sk(&rec.view.number)),
                data: to_json(rec),
                condition: Condition::Version(*v),
            });
        }
        for (k, counter, v) in &sequences {
            ops.push(Op::Put {
                key: ts.key("VSEQ", k),
                data: to_json(counter),
                condition: v.map_or(Condition::NotExists, Condition::Version),
            });
        }
        ops.push(Op::Put {
            key: ts.key("VCHGSEQ", "last"),
            data: to_json(&change),
            condition: change_version.map_or(Condition::NotExists, Condition::Version),
        });
        let mut entry = e.clone();
        let sale = vouchers.iter().any(|v| v.kind == VoucherKind::Sale);
        let reversal = vouchers.iter().any(|v| v.kind == VoucherKind::Reversal);
        let revenue_before = hoadon_core::books::revenue_in_books(&entry.recordings);
        entry.recordings.push(Recording {
            action,
            for_status: status,
            vouchers: numbers,
            revenue_in_books: sale
                || (revenue_before && !reversal && status != PlatformStatus::Cancelled),
            at: now,
            by: actor.to_owned(),
        });
        entry.updated_at = now;
        ops.push(Op::Put {
            key: ts.key("BOOK", entry.sk()),
            data: to_json(&entry),
            condition: Condition::Version(version),
        });
        let entry_index = ops.len() - 1;
        let first_guard = ops.len();
        ops.extend(guards.iter().cloned());
        if ops.len() > ts.max_transaction_ops() {
            // A sale with a reversal is 12 items; a store configured below that cannot record
            // it at once, and half a recording is never written.
            return Err(ApiError::Unprocessable(
                "books.transaction_limit",
                format!(
                    "ghi sổ cần {} thao tác trong một giao dịch, kho cho phép {} / recording needs \
                     {} operations in one transaction; the store allows {}",
                    ops.len(),
                    ts.max_transaction_ops(),
                    ops.len(),
                    ts.max_transaction_ops()
                ),
            ));
        }
        match ts.transact(ops).await {
            Ok(v) => {
                tracing::info!(event = "books.recorded", tenant = ts.tenant(), entry = %crate::books::entry_id(&entry.key));
                return view(ts, &entry, v[entry_index]).await;
            }
            Err(StoreError::ConditionFailed { index }) if index >= first_guard => {
                return Err(ApiError::Conflict(
                    "books.changed",
                    "Hóa đơn liên quan (gốc hoặc thay thế) đã thay đổi; tải lại đề xuất / the \
                     related invoice (original or replacement) changed; reload the proposal"
                        .into(),
                ));
            }
            Err(StoreError::ConditionFailed { index }) if index == entry_index => {
                // The entry moved: recorded by another click, user or retry.
                let (cur, _) = find(ts, &crate::books::entry_id(&e.key))
                    .await?
                    .ok_or(ApiError::NotFound)?;
                if hoadon_core::books::done_for(status, &cur.recordings).is_some() {
                    return Err(already_recorded());
                }
                return Err(ApiError::Conflict(
                    "books.changed",
                    "Hóa đơn đã thay đổi từ khi xem; tải lại / the entry changed since it was \
                     seen; reload"
                        .into(),
                ));
            }
            // A counter or a reversed voucher moved: numbers again.
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::Unavailable(
        "vouchers kept being numbered concurrently; retry".into(),
    ))
}

/// What a bulk action leaves to a person even when everything maps: a signature that is
/// invalid or missing, another seller's invoice, a differing copy not yet resolved.
fn needs_a_person(e: &BookEntry) -> bool {
    const SERIOUS: &[&str] = &[
        "import.signature.invalid",
        "import.signature.missing",
        "import.signature.authority_invalid",
        "import.signature.authority_missing",
        "import.other_seller",
    ];
    !e.conflicts.is_empty()
        || e.warnings
            .iter()
            .any(|w| SERIOUS.contains(&w.code.as_str()))
}

/// `POST /api/books/record`: the same action on many entries, each with its proposal as is;
/// an entry whose proposal has warnings (something not mapped) is left for review.
pub async fn bulk(
    svc: &Services,
    ts: &TenantStore,
    req: BulkRecordRequest,
    actor: &str,
) -> Result<Page<BulkItem>, ApiError> {
    if req.ids.len() > 200 {
        return Err(ApiError::BadRequest("at most 200 entries at once".into()));
    }
    let catalogs = Catalogs::load(ts).await?;
    let mut items = Vec::with_capacity(req.ids.len());
    for id in &req.ids {
        let item = |outcome: &str, vouchers: Vec<String>| BulkItem {
            id: id.clone(),
            outcome: outcome.to_owned(),
            vouchers,
        };
        let Some((e, version)) = find(ts, id).await? else {
            items.push(item("not_found", Vec::new()));
            continue;
        };
        let (status, _) = current_status(ts, &e).await?;
        let guards = guard(ts, &e, status, req.action).await?;
        let proposal = match propose_with(ts, &e, version, req.action, &catalogs).await {
            Ok(p) => p,
            Err(ApiError::Conflict("books.already_recorded", _)) => {
                items.push(item("already_recorded", Vec::new()));
                continue;
            }
            Err(ApiError::Conflict(..)) => {
                items.push(item("not_allowed", Vec::new()));
                continue;
            }
            Err(err) => return Err(err),
        };
        let findings = check(
            &proposal.vouchers,
            kinds(status, req.action),
            &proposal.vouchers,
            &catalogs,
        );
        if !proposal.warnings.is_empty() || !findings.is_empty() || needs_a_person(&e) {
            items.push(item("needs_review", Vec::new()));
            continue;
        }
        match write(
            svc,
            ts,
            e,
            version,
            status,
            req.action,
            proposal.vouchers,
            guards,
            actor,
        )
        .await
        {
            Ok(v) => items.push(item(
                "recorded",
                v.recordings
                    .last()
                    .map(|r| r.vouchers.clone())
                    .unwrap_or_default(),
            )),
            Err(ApiError::Conflict(..)) => items.push(item("already_recorded", Vec::new())),
            Err(err) => return Err(err),
        }
    }
    Ok(Page { items, next: None })
}
