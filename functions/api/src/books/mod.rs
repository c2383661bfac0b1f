//! The books (#18): every invoice of the tenant — issued here or imported from anywhere — once,
//! with its platform and workflow status, turned into vouchers for the accounting system.
//!
//! Items (all under the tenant's prefix):
//! - `BOOKKEY / <entry id>`: the identity of an invoice (seller tax id + form + symbol +
//!   number, [`entry_id`]), written with `NotExists` — the one place "never twice" is decided;
//!   it points at the entry.
//! - `BOOK / <issue date>#<entry id>`: the [`BookEntry`], sorted by date so that a period is a
//!   range of one partition.
//! - `BOOKNOTE / <entry id>`: 04/SS rows that named an invoice not (yet) in the books.
//! - `BOOKSET / settings`: the tenant's accounting defaults.
//! - vouchers: see [`vouchers`].
//!
//! Invoices issued here enter the books in the transaction that makes them valid
//! ([`entry_ops`], called by `delivery::on_deliverable`); [`sync`] backfills those issued before
//! the books existed. Imports: [`imports`]. Statistics: [`stats`].

pub mod imports;
pub mod source;
pub mod stats;
pub mod vouchers;

use crate::error::ApiError;
use crate::invoices::InvoiceRecord;
use crate::store::{Condition, Item, Op, TenantStore};
use hoadon_core::api::Detail;
use hoadon_core::api::Page;
use hoadon_core::api::books::{
    BookEntryView, BookSettings, CopyConflict, PlatformStatus, Recording, Source,
};
use hoadon_core::import::{
    Amounts, ImportedInvoice, ImportedLine, ImportedParty, InvoiceKey, InvoiceKind, RelatedRef,
    SellerSignature,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An invoice in the books, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookEntry {
    pub key: InvoiceKey,
    pub issue_date: String,
    pub kind: InvoiceKind,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The imported `HDon`'s exact bytes in the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_key: Option<String>,
    pub seller: ImportedParty,
    pub buyer: ImportedParty,
    pub currency: String,
    #[serde(default, with = "hoadon_core::money::decimal_serde::option")]
    pub exchange_rate: Option<Decimal>,
    pub lines: Vec<ImportedLine>,
    pub declared: Amounts,
    pub recomputed: Amounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    pub seller_signature: SellerSignature,
    pub warnings: Vec<Detail>,
    pub data_digest: String,
    /// The date a 04/SS cancelled it (imported invoices; hoadon's own cancellations are read
    /// from the invoice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_on: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<CopyConflict>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<Recording>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Most lines an entry keeps one by one; past it (a 5,000-line invoice) lines of the same
/// product, unit and rate are summed, so the entry fits one store item.
const MAX_LINES: usize = 800;

impl BookEntry {
    pub fn new(inv: ImportedInvoice, source: Source, now: i64) -> Self {
        let lines = if inv.lines.len() > MAX_LINES {
            summed(&inv.lines)
        } else {
            inv.lines
        };
        BookEntry {
            key: inv.key,
            issue_date: inv.issue_date,
            kind: inv.kind,
            source,
            invoice_id: None,
            file_name: None,
            archive_key: None,
            seller: inv.seller,
            buyer: inv.buyer,
            currency: inv.currency,
            exchange_rate: inv.exchange_rate,
            lines,
            declared: inv.declared,
            recomputed: inv.recomputed,
            related: inv.related,
            authority_code: inv.authority_code,
            seller_signature: inv.seller_signature,
            warnings: inv.warnings,
            data_digest: inv.data_digest,
            cancelled_on: None,
            conflicts: Vec::new(),
            recordings: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// The entry's sort key in `BOOK`.
    pub fn sk(&self) -> String {
        sort_key(&self.issue_date, &entry_id(&self.key))
    }

    /// The platform status as stored (hoadon's own cancellations are applied by [`view`]).
    pub fn status(&self) -> PlatformStatus {
        if self.cancelled_on.is_some() {
            return PlatformStatus::Cancelled;
        }
        match self.kind {
            InvoiceKind::Original => PlatformStatus::Original,
            InvoiceKind::Replacement => PlatformStatus::Replacement,
            InvoiceKind::Adjustment => PlatformStatus::Adjustment,
        }
    }

    /// The amounts the inbox shows: as declared, else as recomputed.
    fn shown(&self, f: fn(&Amounts) -> Option<Decimal>) -> Option<Decimal> {
        f(&self.declared).or_else(|| f(&self.recomputed))
    }
}

/// Lines of the same product, unit, rate and nature summed (quantities and amounts).
fn summed(lines: &[ImportedLine]) -> Vec<ImportedLine> {
    let mut out: Vec<ImportedLine> = Vec::new();
    for l in lines {
        let same = out.iter_mut().find(|o| {
            (o.nature, &o.code, &o.name, &o.unit, &o.tax_rate)
                == (l.nature, &l.code, &l.name, &l.unit, &l.tax_rate)
        });
        match same {
            Some(o) => {
                o.quantity = o.quantity.zip(l.quantity).map(|(a, b)| a.saturating_add(b));
                o.amount = o.amount.zip(l.amount).map(|(a, b)| a.saturating_add(b));
                o.unit_price = None;
            }
            None => out.push(l.clone()),
        }
    }
    out
}

/// An entry's id: the invoice key with characters a URL would need to escape replaced
/// (`0100692594-996_1_K22TBA_00000016`; an old form `01GTKT0/001` becomes `01GTKT0.001`).
pub fn entry_id(key: &InvoiceKey) -> String {
    let safe = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '.'
                }
            })
            .collect()
    };
    format!(
        "{}_{}_{}_{:08}",
        safe(&key.seller_tax_id),
        safe(&key.form),
        safe(&key.symbol),
        key.number
    )
}

fn sort_key(date: &str, id: &str) -> String {
    format!("{date}#{id}")
}

/// The identity item's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub sk: String,
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("books records serialise")
}

pub(crate) fn from_item<T: for<'de> Deserialize<'de>>(item: &Item) -> Result<T, ApiError> {
    serde_json::from_slice(&item.data).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The two items that put a new entry in the books, conditioned on the invoice not being there.
/// A replacement also marks what it replaces (`BOOKREPL / <original id>`), whether or not the
/// original is in the books yet: a replaced original never records revenue of its own.
pub(crate) fn insert_ops(ts: &TenantStore, entry: &BookEntry) -> Vec<Op> {
    let id = entry_id(&entry.key);
    let mut ops = vec![
        Op::Put {
            key: ts.key("BOOKKEY", &id),
            data: to_json(&Identity { sk: entry.sk() }),
            condition: Condition::NotExists,
        },
        Op::Put {
            key: ts.key("BOOK", entry.sk()),
            data: to_json(entry),
            condition: Condition::NotExists,
        },
    ];
    if entry.kind == InvoiceKind::Replacement
        && let Some(original) = entry.related.as_ref().and_then(|r| r.key.as_ref())
    {
        ops.push(Op::Put {
            key: ts.key("BOOKREPL", entry_id(original)),
            data: to_json(&entry.key),
            condition: Condition::Always,
        });
    }
    ops
}

/// The replacement in the books that names this entry, if any.
pub(crate) async fn replaced_by(
    ts: &TenantStore,
    e: &BookEntry,
) -> Result<Option<InvoiceKey>, ApiError> {
    match ts.get("BOOKREPL", &entry_id(&e.key)).await? {
        Some(item) => Ok(Some(from_item(&item)?)),
        None => Ok(None),
    }
}

/// The entry of an invoice key, with its version.
pub async fn find(ts: &TenantStore, id: &str) -> Result<Option<(BookEntry, u64)>, ApiError> {
    let Some(identity) = ts.get("BOOKKEY", id).await? else {
        return Ok(None);
    };
    let Identity { sk } = from_item(&identity)?;
    match ts.get("BOOK", &sk).await? {
        Some(item) => Ok(Some((from_item(&item)?, item.version))),
        None => Ok(None),
    }
}

/// What `delivery::on_deliverable` adds to the transaction that makes an invoice issued here
/// valid: its entry, unless the books have it already (a copy imported before, e.g. while
/// migrating; a retry of the same transaction). Never fails the issuing: an invoice the books
/// cannot read is left out and logged, [`sync`] reports it.
pub async fn entry_ops(
    ts: &TenantStore,
    rec: &InvoiceRecord,
    now: i64,
) -> Result<Vec<Op>, ApiError> {
    let Some(entry) = hoadon_entry(rec, now) else {
        return Ok(Vec::new());
    };
    if ts.get("BOOKKEY", &entry_id(&entry.key)).await?.is_some() {
        return Ok(Vec::new());
    }
    Ok(insert_ops(ts, &entry))
}

fn hoadon_entry(rec: &InvoiceRecord, now: i64) -> Option<BookEntry> {
    match hoadon_core::import::issued_here(&rec.document, None) {
        Ok(inv) => {
            let mut e = BookEntry::new(inv, Source::Hoadon, now);
            e.invoice_id = Some(rec.id.clone());
            // A coded series' MCCQT is on the record (the document is the seller's).
            e.authority_code = rec.authority.as_ref().and_then(|a| a.code.clone());
            e.data_digest = rec.xml_sha256.clone().unwrap_or_default();
            Some(e)
        }
        Err(e) => {
            tracing::warn!(event = "books.unreadable", invoice_id = %rec.id, code = %e.code);
            None
        }
    }
}

/// `POST /api/books/sync`: puts every deliverable invoice issued here that the books lack into
/// them (invoices issued before the books existed). Returns how many were added.
pub async fn sync(svc: &crate::invoices::Services, ts: &TenantStore) -> Result<u64, ApiError> {
    let mut added = 0;
    let mut after: Option<String> = None;
    loop {
        let page = ts.query("INV", "", after.as_deref(), 200).await?;
        for item in &page.items {
            let rec: InvoiceRecord = from_item(item)?;
            if !crate::delivery::deliverable(&rec) {
                continue;
            }
            let ops = entry_ops(ts, &rec, svc.clock.now()).await?;
            if ops.is_empty() {
                continue;
            }
            match ts.transact(ops).await {
                Ok(_) => added += 1,
                Err(crate::store::StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(added),
        }
    }
}

/// The platform status of an entry, hoadon's own cancellation included.
async fn current_status(
    ts: &TenantStore,
    e: &BookEntry,
) -> Result<(PlatformStatus, Option<String>), ApiError> {
    if let (Source::Hoadon, Some(id)) = (e.source, &e.invoice_id)
        && let Some(item) = ts.get("INV", id).await?
    {
        let rec: InvoiceRecord = from_item(&item)?;
        if let Some(c) = &rec.corrections.cancelled {
            return Ok((PlatformStatus::Cancelled, Some(c.date.clone())));
        }
    }
    Ok((e.status(), e.cancelled_on.clone()))
}

/// Whether the invoice a replacement replaces has its revenue in the books.
async fn original_in_books(ts: &TenantStore, e: &BookEntry) -> Result<bool, ApiError> {
    let Some(key) = e.related.as_ref().and_then(|r| r.key.as_ref()) else {
        return Ok(false);
    };
    Ok(find(ts, &entry_id(key))
        .await?
        .is_some_and(|(o, _)| hoadon_core::books::revenue_in_books(&o.recordings)))
}

/// The entry as the inbox shows it.
pub async fn view(
    ts: &TenantStore,
    e: &BookEntry,
    version: u64,
) -> Result<BookEntryView, ApiError> {
    let (status, cancelled_on) = current_status(ts, e).await?;
    let in_books = status == PlatformStatus::Replacement && original_in_books(ts, e).await?;
    let replaced = replaced_by(ts, e).await?;
    Ok(BookEntryView {
        id: entry_id(&e.key),
        key: e.key.clone(),
        issue_date: e.issue_date.clone(),
        status,
        workflow: match &replaced {
            Some(_) => hoadon_core::books::workflow_replaced(status, &e.recordings, true),
            None => hoadon_core::books::workflow(status, &e.recordings, in_books),
        },
        actions: hoadon_core::books::actions_replaced(status, &e.recordings, replaced.is_some()),
        replaced_by: replaced,
        source: e.source,
        invoice_id: e.invoice_id.clone(),
        file_name: e.file_name.clone(),
        buyer: e.buyer.clone(),
        currency: e.currency.clone(),
        exchange_rate: e.exchange_rate,
        total_before_vat: e.shown(|a| a.total_before_vat),
        total_vat: e.shown(|a| a.total_vat),
        total: e.shown(|a| a.total),
        related: e.related.clone(),
        authority_code: e.authority_code.clone(),
        seller_signature: e.seller_signature,
        cancelled_on,
        warnings: e.warnings.clone(),
        conflicts: e.conflicts.clone(),
        recordings: e.recordings.clone(),
        version,
    })
}

/// A period `from..=to` (`YYYY-MM-DD`), checked.
pub fn period(from: &str, to: &str) -> Result<(String, String), ApiError> {
    let ok = |d: &str| d.parse::<hoadon_core::Date>().is_ok();
    if !ok(from) || !ok(to) || from > to {
        return Err(ApiError::Unprocessable(
            "books.period",
            "Kỳ: from và to dạng YYYY-MM-DD, from ≤ to / period: from and to as YYYY-MM-DD, \
             from ≤ to"
                .into(),
        ));
    }
    Ok((from.to_owned(), to.to_owned()))
}

/// Items of a date-sorted partition (`<date>#…` sort keys) dated `from..=to`, after `cursor`
/// (the last sort key of the previous page): the books' and the vouchers' periods.
pub(crate) async fn period_page(
    ts: &TenantStore,
    pk: &str,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Item>, Option<String>), ApiError> {
    // `"` sorts just before `#`: the first key of `from` comes after `<from>"`; every key of
    // `to` sorts before `<to>$`.
    let start = cursor.map_or_else(|| format!("{from}\""), str::to_owned);
    let end = format!("{to}$");
    let page = ts.query(pk, "", Some(&start), limit).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for item in page.items {
        if item.key.sk > end {
            return Ok((items, None));
        }
        items.push(item);
    }
    Ok((items, page.next))
}

/// Entries of a period, by date (a page; `cursor` is the last sort key of the previous one).
pub async fn entries(
    ts: &TenantStore,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<(BookEntry, u64)>, Option<String>), ApiError> {
    let (items, next) = period_page(ts, "BOOK", from, to, cursor, limit).await?;
    let entries = items
        .iter()
        .map(|i| Ok((from_item(i)?, i.version)))
        .collect::<Result<_, ApiError>>()?;
    Ok((entries, next))
}

/// `GET /api/books?from&to`: the inbox, a page.
pub async fn list(
    ts: &TenantStore,
    from: &str,
    to: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<BookEntryView>, ApiError> {
    let (from, to) = period(from, to)?;
    let (items, next) = entries(ts, &from, &to, cursor, limit).await?;
    let mut views = Vec::with_capacity(items.len());
    for (e, v) in &items {
        views.push(view(ts, e, *v).await?);
    }
    Ok(Page { items: views, next })
}

/// The tenant's accounting defaults.
pub async fn settings(ts: &TenantStore) -> Result<(BookSettings, u64), ApiError> {
    match ts.get("BOOKSET", "settings").await? {
        Some(item) => Ok((from_item(&item)?, item.version)),
        None => Ok((BookSettings::default(), 0)),
    }
}

/// `PUT /api/books/settings`.
pub async fn put_settings(ts: &TenantStore, s: BookSettings) -> Result<BookSettings, ApiError> {
    let account = |a: &str| (3..=10).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit());
    let prefix_ok = (1..=6).contains(&s.voucher_prefix.len())
        && s.voucher_prefix.bytes().all(|b| b.is_ascii_uppercase());
    if ![
        &s.receivable,
        &s.revenue_goods,
        &s.revenue_services,
        &s.output_vat,
    ]
    .iter()
    .all(|a| account(a))
        || !prefix_ok
    {
        return Err(ApiError::Unprocessable(
            "books.settings",
            "Tài khoản: 3–10 chữ số; tiền tố chứng từ: 1–6 chữ in hoa / accounts: 3 to 10 digits; \
             voucher prefix: 1 to 6 capital letters"
                .into(),
        ));
    }
    ts.transact(vec![Op::Put {
        key: ts.key("BOOKSET", "settings"),
        data: to_json(&s),
        condition: Condition::Always,
    }])
    .await?;
    Ok(s)
}
