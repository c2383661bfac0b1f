//! The books (#18): invoices issued anywhere, in one inbox per period with their platform and
//! workflow status, turned into vouchers for the accounting system exactly once. The rules
//! (which status, which action, what a voucher proposes) are in [`crate::books`]; these are the
//! bodies the server sends and the app reads.

use crate::api::Detail;
use crate::import::{FileRefusal, ImportedParty, InvoiceKey, RelatedRef, SellerSignature};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The invoice on its platform: `TTHDLQuan` and 04/SS notices (or hoadon's own corrections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlatformStatus {
    Original,
    Replacement,
    Adjustment,
    Cancelled,
}

/// The seed's workflow status (MISA "revenue recognition").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Workflow {
    /// An original, or a replacement whose original's revenue is not in the books.
    RevenueNotRecorded,
    /// Cancelled and adjustment invoices, and a replacement whose original's revenue is.
    InvoiceNotCreated,
    InvoiceCreated,
    RevenueRecorded,
}

/// What an accountant can do with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookAction {
    /// "Create sales voucher with invoice": revenue and VAT posted.
    SalesVoucher,
    /// "Create invoice record": the invoice recorded; for an adjustment its difference, for a
    /// cancellation the reversal of what was posted.
    InvoiceRecord,
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Issued in this hoadon.
    Hoadon,
    /// Uploaded or pulled from another platform.
    Imported,
}

/// A second copy of an invoice whose data differs from the first: flagged, never merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyConflict {
    pub data_digest: String,
    pub file_name: String,
    pub at: i64,
}

/// One action taken on an entry (for the platform status it had then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recording {
    pub action: BookAction,
    pub for_status: PlatformStatus,
    /// Voucher numbers made by it.
    pub vouchers: Vec<String>,
    /// Whether, after this recording, the invoice's revenue is in the books (a sale posts it,
    /// a reversal takes it out).
    pub revenue_in_books: bool,
    pub at: i64,
    pub by: String,
}

/// An invoice in the books, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookEntryView {
    /// `key.id()`: the entry's address.
    pub id: String,
    pub key: InvoiceKey,
    pub issue_date: String,
    pub status: PlatformStatus,
    pub workflow: Workflow,
    /// What may be done now (empty once done for this status).
    pub actions: Vec<BookAction>,
    pub source: Source,
    /// The hoadon invoice, for [`Source::Hoadon`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The file it was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub buyer: ImportedParty,
    pub currency: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub exchange_rate: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total_before_vat: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total_vat: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    pub seller_signature: SellerSignature,
    /// The replacement in the books that names this invoice (its revenue is the replacement's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<InvoiceKey>,
    /// When a 04/SS (or hoadon) cancelled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_on: Option<String>,
    pub warnings: Vec<Detail>,
    pub conflicts: Vec<CopyConflict>,
    pub recordings: Vec<Recording>,
    pub version: u64,
}

/// What happened to one invoice (or notice row) of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// New in the books.
    Imported,
    /// The same invoice data is in the books already: nothing recorded.
    Duplicate,
    /// The same invoice, now with the tax authority's code: the entry keeps the coded copy.
    Coded,
    /// Another copy of an invoice in the books with different data: flagged on the entry.
    Conflict,
    /// Issued in this hoadon: already in the books as such.
    IssuedHere,
    /// A 04/SS row applied to an invoice in the books.
    NoticeApplied,
    /// A 04/SS row naming an invoice not in the books (kept, applied when it arrives).
    NoticePending,
    /// The file (or this part of it) was refused; `refusal` says why.
    Refused,
}

/// One line of an import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportItem {
    /// The file (`archive.zip/path/in.xml` inside a ZIP).
    pub file: String,
    pub outcome: ImportOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<InvoiceKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<FileRefusal>,
    /// How many warnings the invoice carries (listed on its entry).
    #[serde(default)]
    pub warnings: usize,
}

/// `POST /api/imports`: what an upload did. Items are listed up to [`MAX_REPORT_ITEMS`]
/// (every refusal and conflict first); the counts are always complete.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub files: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub coded: u64,
    pub conflicts: u64,
    pub issued_here: u64,
    pub notices: u64,
    pub refused: u64,
    pub items: Vec<ImportItem>,
    /// Items not listed (past [`MAX_REPORT_ITEMS`]).
    pub more: u64,
}

/// Most items an import report lists.
pub const MAX_REPORT_ITEMS: usize = 1000;

/// `POST /api/imports/pull`: invoices of a period from another platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// The other hoadon's address, `https://…` (or `http://127.0.0.1…` for a local one).
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub url: String,
    /// An API access token of the other hoadon (never stored, never logged).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub token: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
}

/// `GET /api/books/files`: one invoice's file as its books hold it (the signed, or coded, file
/// of an invoice issued there; the imported bytes otherwise) — what another hoadon pulls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookFile {
    /// `<entry id>.xml`.
    pub name: String,
    pub xml: String,
}

/// Which chart of accounts the tenant keeps (Circular 200 or 133); the default accounts follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    #[default]
    Tt200,
    Tt133,
}

/// The tenant's accounting defaults (`GET/PUT /api/books/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookSettings {
    pub regime: Regime,
    /// Receivable from customers (131).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub receivable: String,
    /// Revenue from goods (5111).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub revenue_goods: String,
    /// Revenue from services (5113): lines whose product says so.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub revenue_services: String,
    /// Output VAT (33311).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub output_vat: String,
    /// Before each voucher number, e.g. `BH` → `BH2025/000001`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{1,6}$"))]
    pub voucher_prefix: String,
}

impl Default for BookSettings {
    fn default() -> Self {
        BookSettings {
            regime: Regime::Tt200,
            receivable: "131".into(),
            revenue_goods: "5111".into(),
            revenue_services: "5113".into(),
            output_vat: "33311".into(),
            voucher_prefix: "BH".into(),
        }
    }
}

/// What a voucher does in the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoucherKind {
    /// Revenue and VAT of an invoice (sales voucher with invoice).
    Sale,
    /// The invoice recorded without posting revenue (a replacement whose original's revenue
    /// stands, a cancellation with nothing posted).
    InvoiceOnly,
    /// An adjustment invoice's difference (increase positive, decrease negative).
    Adjustment,
    /// The reversal of another voucher (a cancelled or replaced invoice's revenue).
    Reversal,
}

/// The customer on a voucher, mapped to the catalog (`code` empty when it could not be).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherCustomer {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tax_id: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// One posting line: a product's revenue and its VAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherLine {
    /// The product in the catalog (`None` when it could not be mapped).
    #[serde(default)]
    pub product_code: Option<String>,
    pub description: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub quantity: Option<Decimal>,
    /// Revenue in the invoice's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub amount: Decimal,
    /// Revenue in VND (at the invoice's exchange rate).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub amount_vnd: Decimal,
    /// As the invoice writes it: `10%`, `8%`, `KCT`, …
    pub vat_rate: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub vat: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub vat_vnd: Decimal,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub revenue_account: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub vat_account: String,
}

/// A voucher as proposed and as confirmed or edited by the accountant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoucherDraft {
    pub kind: VoucherKind,
    /// `YYYY-MM-DD`: the invoice's date for a sale; the correction's for the others.
    pub date: String,
    pub description: String,
    pub customer: VoucherCustomer,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{3,10}$"))]
    pub receivable_account: String,
    pub lines: Vec<VoucherLine>,
    /// The voucher a reversal undoes.
    #[serde(default)]
    pub reverses: Option<String>,
}

/// `GET /api/books/{id}/proposal`: what recording would write, for the accountant to confirm
/// or edit; `warnings` name what could not be mapped (path `vouchers[i].customer.code`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub action: BookAction,
    pub vouchers: Vec<VoucherDraft>,
    pub warnings: Vec<Detail>,
    /// The entry's version the proposal was made from.
    pub version: u64,
}

/// `POST /api/books/{id}/record`: the action, with the vouchers as confirmed (the proposal's,
/// possibly edited), at the version seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordRequest {
    pub action: BookAction,
    #[serde(deserialize_with = "crate::money::version_serde::deserialize")]
    pub version: u64,
    pub vouchers: Vec<VoucherDraft>,
}

/// `POST /api/books/record`: the same action on many entries, each with its proposal as is.
/// Entries whose proposal has mapping warnings are left for one-by-one review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRecordRequest {
    pub action: BookAction,
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub ids: Vec<String>,
}

/// What a bulk action did to one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkItem {
    pub id: String,
    /// `recorded`, `needs_review` (something unmapped, a bad or missing signature, another
    /// seller, a differing copy), `already_recorded`, `not_allowed`, `not_found`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vouchers: Vec<String>,
}

/// A voucher as the accounting system receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherView {
    /// `BH2025/000001`: the tenant's voucher sequence, per year.
    pub number: String,
    #[serde(flatten)]
    pub draft: VoucherDraft,
    /// The invoice as issued.
    pub invoice: InvoiceKey,
    pub invoice_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    pub currency: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub exchange_rate: Decimal,
    /// The reversal that undid this voucher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversed_by: Option<String>,
    pub warnings: Vec<Detail>,
    pub created_at: i64,
    pub created_by: String,
    /// Position in the change feed (`GET /api/vouchers/changes?after=`).
    pub change: u64,
}

/// Invoice statistics for a period (the Chinese seed's 发票数据统计): counts and VND amounts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub by_status: Vec<StatRow>,
    pub by_series: Vec<StatRow>,
    pub by_rate: Vec<StatRow>,
    /// The 20 largest customers by total, then `*` for the rest.
    pub by_customer: Vec<StatRow>,
    pub total: StatRow,
}

/// One row of statistics (amounts in VND).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatRow {
    pub group: String,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub net: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub vat: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total: Decimal,
}
