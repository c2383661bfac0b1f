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

/// The longest decimal string the JSON API takes: 28 characters hold at most 28 digits, which a
/// `Decimal` (96-bit mantissa, scale ≤ 28) always represents exactly — so every string the
/// OpenAPI document allows ([`DECIMAL_PATTERN`], this length) is accepted, and no other is.
pub const MAX_DECIMAL_CHARS: usize = 28;

/// A decimal amount as a JSON string: [`parse_decimal`]'s syntax, without surrounding spaces.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// The OpenAPI schema of an amount in the API's JSON ([`decimal_serde`]): a string matching
/// [`DECIMAL_PATTERN`] of at most [`MAX_DECIMAL_CHARS`], or a 64-bit integer. A marker type only
/// (fields say `value_type = DecimalJson`); it exists with feature `openapi`.
#[cfg(feature = "openapi")]
pub struct DecimalJson;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DecimalJson {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Integer]))
            .pattern(Some(DECIMAL_PATTERN))
            .max_length(Some(MAX_DECIMAL_CHARS))
            .minimum(Some(i64::MIN))
            .maximum(Some(u64::MAX as usize))
            .description(Some(
                "A decimal as a string (no exponent, separators or `+`), or an integer (a whole \
                 number may be written `2.0`); other floating-point numbers are refused: they \
                 are inexact before the server sees them.",
            ))
            .examples([serde_json::json!("18500000.5")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DecimalJson {
    fn name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }
}

/// `v` as an integer when it is a whole number that `f64` holds exactly (|v| ≤ 2^53): JSON Schema
/// counts `2.0` as the integer 2, so a reader of `integer` fields takes it too.
pub fn whole(v: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (v.fract() == 0.0 && v.abs() <= EXACT).then_some(v as i64)
}

/// Small integer codes (`nature`, `kind`, …) that also take a whole number written `2.0`, as
/// the document's `integer` does (see [`whole`]).
pub mod code_serde {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Code;

    impl Visitor<'_> for Code {
        type Value = u8;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer from 0 to 255")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u8, E> {
            u8::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u8, E> {
            u8::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u8, E> {
            super::whole(v)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        d.deserialize_any(Code)
    }

    /// `Option<u8>` with the same rules; `null` or absent means `None`.
    pub mod option {
        use super::*;
        use serde::Deserialize;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
            #[derive(serde::Deserialize)]
            struct Wrap(#[serde(deserialize_with = "super::deserialize")] u8);
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }
    }
}

/// `Option<u32>` counts (days, limits) that also take a whole number written `2.0`, as the
/// document's `integer` does (see [`whole`]); `null` or absent means `None`.
pub mod count_serde {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Count;

    impl Visitor<'_> for Count {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number from 0 to 4294967295, or null")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            super::whole(v)
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        d.deserialize_any(Count)
    }
}

/// A record's version (`u64`) that also takes a whole number written `2.0`, as the document's
/// `integer` does (see [`whole`]).
pub mod version_serde {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Version;

    impl Visitor<'_> for Version {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number from 0 to 9223372036854775807")
        }
        // Within a signed 64-bit integer: what the OpenAPI document's `int64` says, and what
        // every client can hold.
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            if i64::try_from(v).is_err() {
                return Err(E::invalid_value(de::Unexpected::Unsigned(v), &self));
            }
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            super::whole(v)
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Version)
    }
}

/// `Decimal` that a JSON client may send as a string (`"18500000.5"`) or as an integer, never as
/// a float: a float literal has already lost the exact value before we see it, so it is refused
/// with a message saying what to send instead. Strings are held to the document's contract
/// ([`DECIMAL_PATTERN`], [`MAX_DECIMAL_CHARS`]): no surrounding spaces, nothing too long to be
/// exact.
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
            Some(v)
                .filter(|v| v.len() <= MAX_DECIMAL_CHARS && v.trim() == *v)
                .and_then(parse_decimal)
                .ok_or_else(|| E::custom(format!("{v:?} is not a decimal number")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        /// A whole number written with a point (`2.0`) is the integer the document allows (JSON
        /// Schema's `integer` admits it), read exactly below 2^53; any other float is refused.
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            if let Some(n) = whole(v) {
                return Ok(Decimal::from(n));
            }
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

/// A money amount as vi-VN writes it: `.` between thousands, `,` before decimals
/// (`-1.234.567,5`). The app, the PDF and the e-mail all print amounts through this.
pub fn format_vi(d: Decimal) -> String {
    let s = d.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    if d.is_sign_negative() && !d.is_zero() {
        out.insert(0, '-');
    }
    out
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

    /// The JSON contract the OpenAPI document states: what it allows is read, nothing else.
    #[test]
    fn json_amounts_follow_the_documented_contract() {
        #[derive(serde::Deserialize)]
        struct A(#[serde(with = "decimal_serde")] Decimal);
        let read = |json: &str| serde_json::from_str::<A>(json).map(|a| a.0).ok();
        assert_eq!(read(r#""-12.50""#), Some(dec!(-12.50)));
        assert_eq!(read("7"), Some(dec!(7)));
        assert_eq!(
            read("-223.0"),
            Some(dec!(-223)),
            "a whole number written 2.0"
        );
        assert_eq!(read(&"9".repeat(MAX_DECIMAL_CHARS + 1)), None);
        assert!(read(&format!("\"{}\"", "9".repeat(MAX_DECIMAL_CHARS))).is_some());
        for bad in [
            r#"" 5""#,
            r#""5 ""#,
            "2.5",
            "1e300",
            &format!("\"{}\"", "1".repeat(29)),
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_take_whole_numbers_in_range() {
        #[derive(serde::Deserialize)]
        struct C(#[serde(with = "code_serde")] u8);
        let read = |json: &str| serde_json::from_str::<C>(json).map(|c| c.0).ok();
        assert_eq!(read("3"), Some(3));
        assert_eq!(read("209.0"), Some(209));
        for bad in ["256", "-1", "1.5", "\"1\""] {
            assert_eq!(read(bad), None, "{bad}");
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
