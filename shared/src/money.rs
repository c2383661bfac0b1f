//! Money: currencies, their scale, and **the** rounding policy.
//!
//! Every amount in hoadon is a [`rust_decimal::Decimal`]; there is no floating point anywhere on
//! the money path. [`round_money`] is the only place an amount is rounded, so the editor in the
//! browser, the XML and (later) the PDF cannot disagree by a đồng.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code (`DVTTe`), three upper-case letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Why a currency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is three upper-case letters (ISO 4217), e.g. VND or USD")]
pub struct CurrencyError;

impl Currency {
    pub const VND: Currency = Currency(*b"VND");
    pub const USD: Currency = Currency(*b"USD");
    pub const CNY: Currency = Currency(*b"CNY");

    pub fn code(&self) -> &str {
        // Constructed only from ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Decimal places of an amount in this currency. The GDT files carry whole đồng for VND and
    /// at most two decimals for foreign currencies (vn-einvoice §2.5), so that is the policy.
    pub fn scale(&self) -> u32 {
        if *self == Currency::VND { 0 } else { 2 }
    }

    pub fn is_vnd(&self) -> bool {
        *self == Currency::VND
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, CurrencyError> {
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(|c| c.is_ascii_uppercase()) {
            Ok(Currency([b[0], b[1], b[2]]))
        } else {
            Err(CurrencyError)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The rounding policy: half away from zero, to the currency's scale.
///
/// Used for line amounts and for the VAT of each rate group (one rounding per group, never per
/// line), as the real samples do. Negative amounts (adjustment invoices) round symmetrically.
pub fn round_money(amount: Decimal, currency: Currency) -> Decimal {
    amount
        .round_dp_with_strategy(currency.scale(), RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `Decimal` that a JSON client may send as a string (`"18500000.5"`) or as an integer, never as
/// a float: a float literal has already lost the exact value before we see it, so it is refused
/// with a message saying what to send instead.
pub mod decimal_serde {
    use super::*;
    use serde::de::{self, Visitor};

    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&v.normalize())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }

    pub(crate) struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal number written as a string, e.g. \"1250000.50\", or an integer")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_decimal(v).ok_or_else(|| E::custom(format!("{v:?} is not a decimal number")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format!(
                "{v} is a floating-point number; send decimal amounts as strings, e.g. \"{v}\""
            )))
        }
    }

    /// `Option<Decimal>` with the same rules; `null` or absent means `None`.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(d) => s.collect_str(&d.normalize()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            struct OptVisitor;
            impl<'de> Visitor<'de> for OptVisitor {
                type Value = Option<Decimal>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    DecimalVisitor.expecting(f)
                }
                fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(None)
                }
                fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(None)
                }
                fn visit_some<D2: Deserializer<'de>>(
                    self,
                    d: D2,
                ) -> Result<Self::Value, D2::Error> {
                    d.deserialize_any(DecimalVisitor).map(Some)
                }
            }
            d.deserialize_option(OptVisitor)
        }
    }
}

/// Parses a plain decimal (`-12.50`, `1250000`): no exponent, no thousands separators, no `+`.
/// The same strict syntax applies to JSON strings, XML values and the CLI.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let mut parts = body.splitn(2, '.');
    let int = parts.next()?;
    let frac = parts.next();
    let ok_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !ok_digits(int) || frac.is_some_and(|f| !ok_digits(f)) {
        return None;
    }
    Decimal::from_str_exact(t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn rounds_half_away_from_zero_to_the_currency_scale() {
        assert_eq!(round_money(dec!(2.5), Currency::VND), dec!(3));
        assert_eq!(round_money(dec!(-2.5), Currency::VND), dec!(-3));
        assert_eq!(round_money(dec!(10.005), Currency::USD), dec!(10.01));
        assert_eq!(round_money(dec!(10.004), Currency::USD), dec!(10.00));
    }

    #[test]
    fn parses_only_plain_decimals() {
        assert_eq!(parse_decimal("-12.50"), Some(dec!(-12.50)));
        for bad in ["", "1e5", "1,000", "+1", ".5", "5.", "abc", "--1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert_eq!("USD".parse::<Currency>().unwrap().scale(), 2);
        assert_eq!(Currency::VND.scale(), 0);
        assert!("đ".parse::<Currency>().is_err());
        assert!("usd".parse::<Currency>().is_err());
    }
}
