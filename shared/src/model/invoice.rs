//! The validated invoice. Only [`crate::validate::check`] builds one, so holding an `Invoice`
//! means every identifier parsed and every rule passed; the XML writer accepts nothing else.

use super::{
    Extension, Extensions, FormNumber, InvoiceNumber, Symbol, TaxId, TaxRate, UnknownElement,
};
use crate::date::Date;
use crate::money::Currency;
use crate::totals::{self, LineInput, Totals};
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

/// A validated invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    pub format: FormatVersion,
    pub name: String,
    pub form: FormNumber,
    pub symbol: Symbol,
    pub number: Option<InvoiceNumber>,
    pub issue_date: Date,
    pub currency: Currency,
    pub exchange_rate: Option<Decimal>,
    pub payment_method: Option<String>,
    pub provider_tax_id: Option<TaxId>,
    pub related: Option<RelatedInvoice>,
    pub seller: Party,
    pub buyer: Party,
    pub lines: Vec<Line>,
    pub extensions: Extensions,
    /// `DLHDon@Id`: the document's own, or one derived from form, symbol and number.
    pub data_id: String,
    pub qr_data: Option<String>,
    pub authority_code: Option<String>,
    pub unknown: Vec<UnknownElement>,
}

impl Invoice {
    /// All figures of `TToan`, by the one calculation in [`crate::totals`].
    pub fn totals(&self) -> Totals {
        let inputs: Vec<LineInput> = self.lines.iter().map(Line::totals_input).collect();
        totals::compute(self.currency, &inputs)
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
