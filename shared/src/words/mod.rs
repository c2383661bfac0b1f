//! Amounts in words (`TgTTTBChu`): Vietnamese for GDT invoices, Chinese capitals (大写) for the
//! Chinese model, English for foreign-language copies.

pub mod en;
pub mod vi;
pub mod zh;

use crate::money::{Currency, round_money};
use rust_decimal::Decimal;

/// An amount split for reading: sign, whole units, and the fraction as an integer of
/// `currency.scale()` digits (cents), after rounding by the one rounding policy.
pub(crate) struct Parts {
    pub negative: bool,
    pub units: u128,
    pub cents: u32,
}

pub(crate) fn split(amount: Decimal, currency: Currency) -> Parts {
    let r = round_money(amount, currency);
    let negative = r.is_sign_negative() && !r.is_zero();
    let abs = r.abs();
    let units = abs.trunc();
    let scale = currency.scale();
    let cents = ((abs - units) * Decimal::from(10u32.pow(scale))).trunc();
    Parts {
        negative,
        units: units.mantissa().unsigned_abs() / 10u128.pow(units.scale()),
        cents: u32::try_from(cents.mantissa().unsigned_abs() / 10u128.pow(cents.scale()))
            .unwrap_or(0),
    }
}

/// First letter upper-case (Vietnamese and English amounts in words start with a capital).
pub(crate) fn capitalise_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
