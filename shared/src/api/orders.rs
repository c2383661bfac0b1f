//! Sales orders (#19): what an ERP (or a clerk in the app) sends, how its codes map to the
//! catalogs, when an order becomes an invoice on its own, and what the ERP reads back.
//!
//! An order is keyed by the ERP's own id and carries the ERP's own codes; the server maps them
//! to the catalogs, composes the draft, checks the ERP's amounts against the core's and issues
//! under an **invoicing key** (the whole order, a delivery of it, or a set of one customer's
//! orders), so retries, duplicates and races never make a second invoice for the same thing.

use crate::api::{Detail, Page};
use crate::lifecycle::Status;
use crate::money::decimal_serde;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where an order is in the ERP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Confirmed,
    Completed,
    Cancelled,
    Returned,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Draft,
        OrderStatus::Confirmed,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether goods and money are still due under it (an invoice may be made from it).
    pub fn invoiceable(self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::Completed)
    }

    /// Whether the sale is undone (an invoice already made from it needs a correction).
    pub fn undone(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Returned)
    }
}

/// The customer as the ERP knows it. `code` is the ERP's; the mapping table (or, when the
/// tenant allows it, a new catalog entry made from these fields) gives the catalog's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderCustomer {
    /// 1–50 letters, digits, `-`, `_`, `.` or `:` (checked: `422 order.code`).
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The person buying (`HVTNMHang`), when the ERP knows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
}

/// One line as the ERP sends it. `line_id` is stable across updates (a delivery names the
/// lines it invoices by it); `amount` and `vat_amount` are the ERP's own figures, checked
/// against the core's, never written as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// 1–40 letters, digits, `-`, `_`, `.` or `:`, unique in the order (checked: `422`).
    pub line_id: String,
    /// The ERP's product code (1–50 letters, digits, `-`, `_`, `.` or `:`).
    pub product_code: String,
    /// The name to print; the catalog's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "decimal_serde")]
    pub quantity: Decimal,
    /// The catalog's price when absent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// "10%", "8%", "5%", "0%", "KCT", "KKKNT"; the catalog's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_rate: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_amount: Option<Decimal>,
    /// The ERP's line amount before VAT (after the line's discount).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// The ERP's VAT on this line (ERPs round per line; the law rounds per rate).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat_amount: Option<Decimal>,
}

/// `PUT /api/orders/{order_id}` (and one item of `POST /api/orders`): the order as the ERP has
/// it now. `version` is the ERP's revision: a higher one replaces the stored order, the same
/// one with the same content is an idempotent replay, a lower one (or the same with other
/// content) is refused as stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    #[serde(deserialize_with = "crate::money::version_serde::deserialize")]
    pub version: u64,
    pub status: OrderStatus,
    /// `YYYY-MM-DD`, the order's date in the ERP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    pub customer: OrderCustomer,
    /// 1 to 500 lines (checked: `422 order.lines`). The rules of an order's own values are
    /// checked by the server, not declared here, so that a batch answers each order's with the
    /// order (`OrderBatchResult`) instead of refusing the whole request.
    pub lines: Vec<OrderLine>,
    /// ISO 4217; VND when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The ERP's grand total (with VAT), checked like the lines.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /api/orders`: up to 1,000 orders in one request, each answered separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderBatch {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub orders: Vec<OrderBatchItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderBatchItem {
    /// 1–64 letters, digits, `-`, `_`, `.` or `:` (another is answered in its item, `422`).
    pub order_id: String,
    pub order: OrderInput,
}

/// One order's answer in a batch: the HTTP status its own `PUT` would have had, and either the
/// order or the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderBatchResult {
    pub order_id: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ItemError>,
}

/// A batch item's error: what `ErrorBody` would say for it alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemError {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub details: Vec<Detail>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderBatchAnswer {
    pub results: Vec<OrderBatchResult>,
}

/// What invoicing an order (or part of it) is about to make, or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoicingScope {
    /// Everything ordered (the key is the order's id).
    Order,
    /// A delivery: some quantities of some lines (the key is the order's id and the ERP's
    /// delivery id).
    Delivery,
    /// Several orders of one customer in one invoice (the key is the ERP's).
    Consolidated,
}

/// An invoice made from orders, as an order shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderInvoiceRef {
    /// The invoicing key (`order/<id>`, `delivery/<id>/<delivery>`, `consolidated/<key>`).
    pub key: String,
    pub scope: InvoicingScope,
    pub invoice_id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Signed (or coded): the PDF and XML can be downloaded.
    pub deliverable: bool,
}

/// Why the order is not (yet) invoiced as the rules wanted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoicingFailure {
    pub at: i64,
    /// A stable code (`order.unmapped`, `order.amounts`, `validation`, …).
    pub code: String,
    pub message: String,
    pub details: Vec<Detail>,
}

/// An order cancelled or returned after it was invoiced: the correction it needs, which a
/// person makes through the corrections flow (nothing changes an issued invoice silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionProposal {
    /// `adjustment` (a decrease for what was returned or cancelled) or `replacement`.
    pub method: String,
    /// The invoices to correct.
    pub invoice_ids: Vec<String>,
    pub reason_vi: String,
    pub reason_en: String,
}

/// An order as stored, with what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub order_id: String,
    pub order: OrderInput,
    /// The store's version of the record (not the ERP's).
    pub stored_version: u64,
    pub received_at: i64,
    pub updated_at: i64,
    /// Quantities already invoiced, per `line_id`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<InvoicedQuantity>))]
    pub invoiced: Vec<InvoicedQuantity>,
    pub invoices: Vec<OrderInvoiceRef>,
    /// Differences between the ERP's amounts and the core's (kept when the tenant accepts them).
    #[serde(default)]
    pub warnings: Vec<Detail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<InvoicingFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<CorrectionProposal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoicedQuantity {
    pub line_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "decimal_serde")]
    pub quantity: Decimal,
}

/// `POST /api/orders/{order_id}/invoice`: make (and by default issue) the invoice for the whole
/// order, or for a delivery of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceOrder {
    /// A delivery: the ERP's id for it and what it delivered. Absent: the whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// `false`: only the draft (the app's "Create invoice" opens it for review). Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,40}$"))]
    pub delivery_id: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub lines: Vec<InvoicedQuantity>,
}

/// `POST /api/order-invoices`: one customer's orders in one invoice under the ERP's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsolidateOrders {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,64}$"))]
    pub key: String,
    /// Each order is one more item of the store's transaction: 97 on DynamoDB (7 on DynamoDB
    /// Local); more is refused with `422 order.too_many`.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 97))]
    pub order_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<bool>,
}

/// What invoicing answered: the invoice (already issued unless `issue: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoicingAnswer {
    pub key: String,
    /// `false` when the key had already made this invoice (a retry).
    pub created: bool,
    pub invoice: crate::api::InvoiceView,
    /// The ERP's amounts that differ from the core's (accepted by the tenant's setting).
    pub warnings: Vec<Detail>,
}

/// When orders become invoices without a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AutoIssue {
    /// A person presses "Create invoice" (the default).
    #[default]
    Off,
    /// When the order becomes confirmed.
    Confirmed,
    /// When the order becomes completed.
    Completed,
}

/// What to do with an ERP code that neither the mapping table nor the catalog knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnknownCodes {
    /// Refuse invoicing, naming the codes (the default).
    #[default]
    Refuse,
    /// Create the catalog entry from the order's data, mapped to the same code.
    Create,
}

/// What to do when the ERP's amounts differ from the core's by more than one unit of the
/// currency's smallest amount per line (the seed's "amount accuracy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AmountMismatch {
    /// Refuse invoicing with both figures (the default).
    #[default]
    Refuse,
    /// Invoice with the core's figures; the difference kept as a warning on the order.
    Accept,
}

/// `GET/PUT /api/order-settings` (admins write).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderSettings {
    #[serde(default)]
    pub auto_issue: AutoIssue,
    /// The series (form + symbol, e.g. `1C26TSO`) invoices from orders are issued in: the
    /// default series of the Sales entry point. Its signing mode is how they are signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(default)]
    pub unknown_codes: UnknownCodes,
    #[serde(default)]
    pub amount_mismatch: AmountMismatch,
    /// The store's version (`PUT` with another one is a `409`); 0 before the first save.
    #[serde(default, deserialize_with = "crate::money::version_serde::deserialize")]
    pub version: u64,
}

/// Which catalog a mapping points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MappingKind {
    Customer,
    Product,
}

impl MappingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingKind::Customer => "customer",
            MappingKind::Product => "product",
        }
    }

    /// The catalog it maps into.
    pub fn catalog(self) -> &'static str {
        match self {
            MappingKind::Customer => "customers",
            MappingKind::Product => "products",
        }
    }
}

/// One row of the mapping table: the ERP's code → the catalog's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub kind: MappingKind,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub erp_code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub catalog_code: String,
}

/// `PUT /api/order-mappings`: rows to set (each catalog code must exist); a row is removed
/// with `DELETE /api/order-mappings/{kind}/{erp_code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MappingBatch {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub mappings: Vec<Mapping>,
}

pub type OrderPage = Page<OrderView>;

/// A line of the invoice change feed (`GET /api/invoices/changes?after=N`): positions are
/// committed in order, so a client that keeps the last one it saw misses and repeats nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceChange {
    pub position: u64,
    /// The event (`invoice.issued`, `invoice.signed`, …; see [`EVENTS`]).
    pub event: String,
    /// The invoice (absent for `order.invoicing_failed`, which names its orders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// When it happened (Unix seconds).
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// The orders it was made from, or that failed (their ERP ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_ids: Vec<String>,
    /// A few words (a refusal's reason, a failed delivery's error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceChanges {
    pub items: Vec<InvoiceChange>,
    /// What to pass as `after` next time (the last position given, or `after` itself).
    pub last: u64,
}

/// Every event the change feed and webhooks carry.
pub const EVENTS: [&str; 8] = [
    "invoice.issued",
    "invoice.signed",
    "invoice.coded",
    "invoice.rejected",
    "invoice.corrected",
    "invoice.delivered",
    "invoice.delivery_failed",
    "order.invoicing_failed",
];
