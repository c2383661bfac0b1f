//! Corrections over HTTP: the bodies of `/api/invoices/{id}/corrections`, `/cancel`, the
//! confirmations (the buyer's agreement) and the public confirmation page.

use crate::corrections::adjust::Cumulative;
use crate::corrections::{
    Cancellation, ConfirmationState, Direction, LinkState, Method, Side, Standing,
};
use crate::lifecycle::Status;
use serde::{Deserialize, Serialize};

/// `POST /api/invoices/{id}/corrections`: a replacement draft (prefilled with the original's
/// content) or an adjustment draft (no lines, the direction chosen). The related invoice
/// (`TTHDLQuan`) is composed from the stored original, never sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The new draft's id, chosen by the client (8–64 letters, digits, `-`, `_`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub id: String,
    /// `replacement` or `adjustment`.
    pub method: Method,
    /// Required for an adjustment: `increase`, `decrease` or `information`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// What was wrong (written after the statement in `TTHDLQuan/GChu`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 150))]
    pub reason: String,
    /// More invoices of the same buyer and month this correction also covers (from 1 June 2025,
    /// listed on 01/BK-ĐCTT; at most 10).
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<CoveredInput>,
    /// With `also`: the difference of this (the first) invoice's total on the list.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "crate::money::decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub difference: Option<rust_decimal::Decimal>,
}

/// One more invoice a correction covers, with the difference the seller states for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CoveredInput {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub invoice_id: String,
    /// The change of this invoice's total (negative for a decrease), when stated.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "crate::money::decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub difference: Option<rust_decimal::Decimal>,
}

/// One invoice of the list 01/BK-ĐCTT (kept as data: no XML is invented for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedInvoice {
    pub invoice_id: String,
    pub form: String,
    pub symbol: String,
    pub number: u32,
    pub issue_date: String,
    /// Its total as issued.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total: rust_decimal::Decimal,
    /// The change the seller states for it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "crate::money::decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub difference: Option<rust_decimal::Decimal>,
}

/// `POST /api/invoices/{id}/cancel` (Decree 123 era only): a 04/SS with `TCTBao` = 1 is signed
/// and sent; the invoice is cancelled as of the notice's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why the law allows it: `not_sent_to_buyer` or `prepaid_service_cancelled`.
    pub ground: crate::corrections::CancelGround,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
}

/// A correction of the invoice, as the chain shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkView {
    pub id: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub state: LinkState,
    /// The correction invoice's own state.
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub issue_date: String,
    /// Its confirmation's state, when one was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<ConfirmationState>,
    /// When it covers several invoices: this invoice's difference on its 01/BK-ĐCTT list.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "crate::money::decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub listed_difference: Option<rust_decimal::Decimal>,
}

/// What the invoice a correction corrects is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionOf {
    pub invoice_id: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub reason: String,
    /// 01/BK-ĐCTT: every invoice it covers (the first is `invoice_id`), when it covers several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub list: Vec<ListedInvoice>,
}

impl CorrectionOf {
    /// The invoices it corrects: `invoice_id`, then the others of its list.
    pub fn originals(&self) -> Vec<&str> {
        let mut v = vec![self.invoice_id.as_str()];
        v.extend(
            self.list
                .iter()
                .map(|l| l.invoice_id.as_str())
                .filter(|i| *i != self.invoice_id),
        );
        v
    }
}

/// Whether an action is available, and why (one sentence each way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionView {
    pub method: Method,
    pub allowed: bool,
    /// The refusal's code when not allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub why_vi: String,
    pub why_en: String,
}

/// `GET /api/invoices/{id}/corrections`: the chain of related documents, the invoice's standing,
/// its figures with its valid adjustments, and which corrections are available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionsView {
    pub invoice_id: String,
    pub standing: Standing,
    /// When this invoice is itself a correction: what it corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<CorrectionOf>,
    /// Its corrections, oldest first.
    pub links: Vec<LinkView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
    /// 04/SS notices that named it.
    #[serde(default)]
    pub notices: Vec<String>,
    /// The invoice's figures with its valid adjustments added (absent when it has none). An
    /// adjustment covering several invoices counts here only through its 01/BK-ĐCTT row
    /// (`LinkView::listed_difference`): its rates are not split per invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cumulative: Option<FiguresView>,
    pub actions: Vec<ActionView>,
}

/// Figures per VAT rate and in total (the cumulative view of an adjusted invoice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiguresView {
    pub groups: Vec<GroupView>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total_before_vat: rust_decimal::Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total_vat: rust_decimal::Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total: rust_decimal::Decimal,
}

/// One VAT rate's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupView {
    /// As written on invoices ("10%", "KCT"); absent for lines without VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub net: rust_decimal::Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub vat: rust_decimal::Decimal,
}

impl From<&Cumulative> for FiguresView {
    fn from(c: &Cumulative) -> Self {
        FiguresView {
            groups: c
                .groups
                .iter()
                .map(|g| GroupView {
                    rate: g.rate.map(|r| r.to_string()),
                    net: g.net,
                    vat: g.vat,
                })
                .collect(),
            total_before_vat: c.total_before_vat,
            total_vat: c.total_vat,
            total: c.total,
        }
    }
}

/// A correction's confirmation by the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmationView {
    pub id: String,
    /// The correction (draft) it allows.
    pub correction_id: String,
    pub original_id: String,
    pub state: ConfirmationState,
    pub entered_by: Side,
    /// The recorded agreement document, if the seller uploaded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
    /// The buyer's page (`/confirm#<tenant>.<secret>`, the key in the fragment): only in the
    /// answer that created it (the secret is stored hashed), valid 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Who did what, when.
    pub history: Vec<ConfirmationStep>,
}

/// A recorded document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentRef {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// One step of a confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmationStep {
    pub state: ConfirmationState,
    pub by: Side,
    /// The user (seller side) or "buyer link".
    pub actor: String,
    pub at: i64,
}

/// `POST /api/confirmations/{id}/document`: the buyer's signed agreement, recorded by the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordDocument {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// The file, base64 (at most 2 MB decoded).
    pub content_base64: String,
}

/// `POST /api/public/confirmations/view` and `…/confirm`: the key of the buyer's link (its
/// fragment, `<tenant>.<secret>`), sent in the body so that no path (no access log) holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicKey {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[a-z][a-z0-9-]{2,20}\\.[A-Za-z0-9_-]{43}$")
    )]
    pub key: String,
}

/// `POST /api/public/confirmations/confirm`: the link's key and who confirms (kept in the
/// confirmation's history: the buyer has no account to name them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicConfirm {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[a-z][a-z0-9-]{2,20}\\.[A-Za-z0-9_-]{43}$")
    )]
    pub key: String,
    /// The person confirming for the buyer, e.g. "Trần Thị Lan, kế toán trưởng".
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
}

/// What the buyer sees without an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicConfirmation {
    pub seller_name: String,
    pub seller_tax_id: String,
    pub buyer_name: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// "Thay thế cho hóa đơn Mẫu số … ký hiệu … số … ngày …".
    pub statement: String,
    pub reason: String,
    /// The correction's lines: name and amount.
    pub lines: Vec<PublicLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::money::DecimalJson))]
    #[serde(with = "crate::money::decimal_serde")]
    pub total: rust_decimal::Decimal,
    pub state: ConfirmationState,
}

/// A line on the public page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicLine {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub amount: Option<rust_decimal::Decimal>,
}
