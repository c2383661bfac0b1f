//! The validated invoice. Only [`crate::validate::check`] builds one, so holding an `Invoice`
//! means every identifier parsed and every rule passed; the XML writer accepts nothing else.

use super::{
    Extension, Extensions, FormNumber, InvoiceNumber, Symbol, TaxId, TaxRate, UnknownElement,
};
use crate::date::Date;
use crate::money::Currency;
use crate::totals::{LineInput, Totals};
use rust_decimal::Decimal;
use serde::Serialize;

/// `PBan`: the versions of the GDT format hoadon writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FormatVersion {
    /// Decision 1450/QĐ-TCT (2021).
    #[serde(rename = "2.0.0")]
    V2_0_0,
    /// Decision 1510/QĐ-TCT (2022): the default.
    #[serde(rename = "2.0.1")]
    V2_0_1,
    /// The 2025 format seen in real files: adds `HDCTTChinh` (always 0 so far) and `TCDChinh`.
    #[serde(rename = "2.1.0")]
    V2_1_0,
}

impl FormatVersion {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "2.0.0" => Some(Self::V2_0_0),
            "2.0.1" => Some(Self::V2_0_1),
            "2.1.0" => Some(Self::V2_1_0),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_0_0 => "2.0.0",
            Self::V2_0_1 => "2.0.1",
            Self::V2_1_0 => "2.1.0",
        }
    }
}

/// `TChat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LineNature {
    Goods = 1,
    Promotion = 2,
    TradeDiscount = 3,
    Note = 4,
}

impl LineNature {
    pub fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => Self::Goods,
            2 => Self::Promotion,
            3 => Self::TradeDiscount,
            4 => Self::Note,
            _ => return None,
        })
    }
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// `TCHDon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Correction {
    Replacement = 1,
    Adjustment = 2,
}

/// `TTHDLQuan`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedInvoice {
    pub kind: Correction,
    pub regime: u8,
    pub form: String,
    pub symbol: String,
    pub number: String,
    pub issue_date: Date,
    pub note: Option<String>,
    pub direction: Option<u8>,
}

/// A seller or buyer. For the seller, validation guarantees `name`, `tax_id` and `address`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Party {
    pub name: Option<String>,
    pub tax_id: Option<TaxId>,
    pub address: Option<String>,
    pub code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub bank_account: Option<String>,
    pub bank_name: Option<String>,
    pub fax: Option<String>,
    pub website: Option<String>,
    pub citizen_id: Option<String>,
    pub extensions: Vec<Extension>,
}

/// A validated line. `discount_amount` and `amount` hold the *computed* figures (a declared
/// figure that disagreed was a validation error), so model → XML → model is the identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub nature: LineNature,
    pub code: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub discount_rate: Option<Decimal>,
    pub discount_amount: Option<Decimal>,
    pub amount: Option<Decimal>,
    pub tax_rate: Option<TaxRate>,
    pub extensions: Vec<Extension>,
}

impl Line {
    pub fn totals_input(&self) -> LineInput {
        LineInput {
            nature: self.nature,
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount_rate: self.discount_rate,
            discount_amount: self.discount_amount,
            amount: self.amount,
            tax_rate: self.tax_rate,
        }
    }
}

/// A validated invoice. Its fields are private to the crate so that holding one means
/// [`crate::validate::check`] built it: every rule passed and its totals are in range.
/// Read it through its accessors; nothing outside the crate can build or change one:
///
/// ```compile_fail
/// fn rename(inv: &mut hoadon_core::Invoice) {
///     inv.name = "forged".into(); // private: only `inv.name()` is public
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    pub(crate) format: FormatVersion,
    pub(crate) name: String,
    pub(crate) form: FormNumber,
    pub(crate) symbol: Symbol,
    pub(crate) number: Option<InvoiceNumber>,
    pub(crate) issue_date: Date,
    pub(crate) currency: Currency,
    pub(crate) exchange_rate: Option<Decimal>,
    pub(crate) payment_method: Option<String>,
    pub(crate) provider_tax_id: Option<TaxId>,
    pub(crate) related: Option<RelatedInvoice>,
    pub(crate) seller: Party,
    pub(crate) buyer: Party,
    pub(crate) lines: Vec<Line>,
    pub(crate) extensions: Extensions,
    /// `DLHDon@Id`: the document's own, or one derived from form, symbol and number.
    pub(crate) data_id: String,
    pub(crate) qr_data: Option<String>,
    pub(crate) authority_code: Option<String>,
    pub(crate) unknown: Vec<UnknownElement>,
    /// How a negative amount in words is read (the seller's setting).
    #[serde(skip)]
    pub(crate) negative_words: crate::words::vi::NegativeWords,
    /// Computed once by validation (which refuses totals out of range), so reading them back
    /// can never fail.
    #[serde(skip)]
    pub(crate) totals: Totals,
}

impl Invoice {
    /// All figures of `TToan`, by the one calculation in [`crate::totals`].
    pub fn totals(&self) -> Totals {
        self.totals.clone()
    }
    /// `PBan`.
    pub fn format(&self) -> FormatVersion {
        self.format
    }
    /// `THDon`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `KHMSHDon`.
    pub fn form(&self) -> FormNumber {
        self.form
    }
    /// `KHHDon`.
    pub fn symbol(&self) -> Symbol {
        self.symbol
    }
    /// `SHDon`; `None` on a draft.
    pub fn number(&self) -> Option<InvoiceNumber> {
        self.number
    }
    /// `NLap`.
    pub fn issue_date(&self) -> Date {
        self.issue_date
    }
    /// `DVTTe`.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// `TGia`.
    pub fn exchange_rate(&self) -> Option<Decimal> {
        self.exchange_rate
    }
    /// `HTTToan`.
    pub fn payment_method(&self) -> Option<&str> {
        self.payment_method.as_deref()
    }
    /// `MSTTCGP`.
    pub fn provider_tax_id(&self) -> Option<&TaxId> {
        self.provider_tax_id.as_ref()
    }
    /// How a negative amount in words is read.
    pub fn negative_words(&self) -> crate::words::vi::NegativeWords {
        self.negative_words
    }

    /// `TTHDLQuan`.
    pub fn related(&self) -> Option<&RelatedInvoice> {
        self.related.as_ref()
    }
    /// `NBan`; validation guarantees its name, tax id and address.
    pub fn seller(&self) -> &Party {
        &self.seller
    }
    /// `NMua`.
    pub fn buyer(&self) -> &Party {
        &self.buyer
    }
    /// `DSHHDVu`, in order.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    /// The `TTKhac` blocks outside parties and lines.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    /// `DLHDon@Id`.
    pub fn data_id(&self) -> &str {
        &self.data_id
    }
    /// `DLQRCode`.
    pub fn qr_data(&self) -> Option<&str> {
        self.qr_data.as_deref()
    }
    /// `MCCQT`.
    pub fn authority_code(&self) -> Option<&str> {
        self.authority_code.as_deref()
    }
    /// Elements the reader did not know, put back by the writer.
    pub fn unknown(&self) -> &[UnknownElement] {
        &self.unknown
    }
}

/// The `DLHDon@Id` given to an invoice whose document has none: unique among a seller's invoices
/// and deterministic (the core has no randomness).
pub fn derived_data_id(form: FormNumber, symbol: &Symbol, number: Option<InvoiceNumber>) -> String {
    match number {
        Some(n) => format!("DLHDon-{form}{symbol}-{n}"),
        None => format!("DLHDon-{form}{symbol}-draft"),
    }
}
