//! The invoice document: the public JSON contract that integrators send, and what the XML reader
//! produces from a GDT file.
//!
//! Every field holds what the sender wrote (identifiers as strings, amounts as decimals), so that
//! validation can report *all* problems at once with their paths instead of failing at the first
//! bad field. [`crate::validate::check`] turns a document into a validated [`crate::Invoice`].
//! Field names are English; each doc comment names the GDT element it becomes.
//! `shared/examples/invoice.json` is a complete example (it renders; a test checks it).

use crate::money::{code_serde, decimal_serde};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One invoice (`HDon`), draft or issued.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceDocument {
    /// `PBan`, the format version: "2.0.1" (default) or "2.1.0".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    /// `THDon`; defaults to the form's legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `KHMSHDon`, form number "1"–"9".
    pub form: String,
    /// `KHHDon`, e.g. "C25TAB".
    pub symbol: String,
    /// `SHDon`; absent on drafts (numbers are given at issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// `NLap`, the legal issue date, `YYYY-MM-DD`.
    pub issue_date: String,
    /// `DVTTe`, ISO 4217; defaults to VND.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `TGia`, VND per unit of the currency; required unless the currency is VND.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    /// `HTTToan`, free text such as "TM/CK".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// `MSTTCGP`, tax id of the invoicing-solution provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_tax_id: Option<String>,
    /// `TTHDLQuan`: the invoice this one replaces or adjusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedInvoiceDocument>,
    /// `NBan`.
    pub seller: PartyDocument,
    /// `NMua`.
    #[serde(default)]
    pub buyer: PartyDocument,
    /// `DSHHDVu/HHDVu`, in order.
    pub lines: Vec<LineDocument>,
    /// `TToan` as written in a file or sent by a client; checked against the computed totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredTotals>,
    /// `TTKhac` of `TTChung`, `NDHDon`, `TToan` and `DLHDon`.
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
    /// `DLHDon@Id`, the id the seller signature refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_id: Option<String>,
    /// `DLQRCode`, kept opaque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_data: Option<String>,
    /// `MCCQT`, the tax-authority code of a coded invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    /// Elements the reader did not know, kept so that nothing in a file is lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<UnknownElement>,
    /// How a negative amount in words is read (the seller's setting, server-composed; read from
    /// a file's `TgTTTBChu`, whose words are checked tolerantly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_words: Option<crate::words::vi::NegativeWords>,
}

/// A seller or buyer (`NBan` / `NMua`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyDocument {
    /// `Ten`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `MST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// `DChi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `MKHang` (buyer only): the seller's customer code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `SDThoai`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `DCTDTu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `HVTNMHang` (buyer only): the individual buying, e.g. "Bán cho người tiêu dùng".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// `STKNHang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    /// `TNHang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// `Fax` (seller only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// `Website` (seller only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// `CCCDan` (buyer only): citizen id number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_id: Option<String>,
    /// `TTKhac`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
}

/// One line (`HHDVu`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineDocument {
    /// `TChat`: 1 goods/service, 2 promotion, 3 trade discount, 4 note. Defaults to 1.
    #[serde(
        default = "default_nature",
        deserialize_with = "code_serde::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub nature: u8,
    /// `MHHDVu`, the item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `THHDVu`.
    #[serde(default)]
    pub name: String,
    /// `DVTinh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `SLuong`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// `DGia`, before VAT.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// `TLCKhau`, discount in percent of quantity × unit price.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_rate: Option<Decimal>,
    /// `STCKhau`, discount amount.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_amount: Option<Decimal>,
    /// `ThTien` as declared; computed when absent. A line without quantity and unit price
    /// (a service billed as one amount, or a trade discount) gives its amount here.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// `TSuat`: "0%", "5%", "8%", "10%", "KCT", "KKKNT" or "KHAC:x%".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<String>,
    /// `TTKhac`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
}

fn default_nature() -> u8 {
    1
}

/// `TTHDLQuan`: the invoice a replacement or adjustment refers to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RelatedInvoiceDocument {
    /// `TCHDon`: 1 replacement, 2 adjustment.
    #[serde(deserialize_with = "code_serde::deserialize")]
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub kind: u8,
    /// `LHDCLQuan`: regime of the related invoice, 1–4 (1 = e-invoice under Decree 123).
    #[serde(
        default = "default_regime",
        deserialize_with = "code_serde::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub regime: u8,
    /// `KHMSHDCLQuan` (up to 11 characters: old forms like "01GTKT0/001" are allowed here).
    pub form: String,
    /// `KHHDCLQuan` (up to 8 characters).
    pub symbol: String,
    /// `SHDCLQuan`.
    pub number: String,
    /// `NLHDCLQuan`.
    pub issue_date: String,
    /// `GChu`, e.g. "Điều chỉnh giảm cho hóa đơn …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `TCDChinh` (format 2.1.0): 1 increase, 2 decrease, 0 information only.
    #[serde(
        default,
        deserialize_with = "code_serde::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub direction: Option<u8>,
}

fn default_regime() -> u8 {
    1
}

/// `TToan` as declared.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredTotals {
    /// `THTTLTSuat/LTSuat`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_groups: Vec<DeclaredTaxGroup>,
    /// `TgTCThue`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_before_vat: Option<Decimal>,
    /// `TgTThue`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_vat: Option<Decimal>,
    /// `TTCKTMai`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub trade_discount: Option<Decimal>,
    /// `TgTTTBSo`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Decimal>,
    /// `TgTTTBChu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_in_words: Option<String>,
}

/// `LTSuat`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredTaxGroup {
    /// `TSuat`.
    pub rate: String,
    /// `ThTien`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub net: Option<Decimal>,
    /// `TThue`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat: Option<Decimal>,
}

/// `TTKhac/TTin`: a named extension field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// `TTruong`.
    pub field: String,
    /// `KDLieu`: "string", "numeric", "dateTime" or "date" (others are kept as read).
    #[serde(default = "default_ext_type")]
    pub data_type: String,
    /// `DLieu`.
    #[serde(default)]
    pub value: String,
}

fn default_ext_type() -> String {
    "string".to_owned()
}

/// `TTKhac` blocks outside parties and lines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Extensions {
    /// `TTChung/TTKhac`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub general: Vec<Extension>,
    /// `NDHDon/TTKhac` (seen in VNPAY files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Extension>,
    /// `TToan/TTKhac`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<Extension>,
    /// `DLHDon/TTKhac`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document: Vec<Extension>,
}

impl Extensions {
    pub fn is_empty(&self) -> bool {
        self.general.is_empty()
            && self.content.is_empty()
            && self.totals.is_empty()
            && self.document.is_empty()
    }
}

/// An element the reader did not recognise, with where it stood. The writer puts it back at the
/// end of the same parent, so reading then writing a file loses nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnknownElement {
    /// The parent: "HDon", "DLHDon", "TTChung", "NBan", "NMua", "TToan" or "HHDVu[i]" (0-based).
    pub parent: String,
    /// The element, serialised as XML.
    pub xml: String,
}
