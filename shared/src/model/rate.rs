//! VAT rates (`TSuat`) as the GDT format spells them.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A VAT rate. `Other` carries the percentage of a `KHAC:x%` rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxRate {
    Zero,
    Five,
    Eight,
    Ten,
    /// `KCT`: not subject to VAT.
    NotSubject,
    /// `KKKNT`: not declared, not paid.
    NotDeclared,
    /// `KHAC:x%`: another rate, in percent.
    Other(Decimal),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a VAT rate is one of 0%, 5%, 8%, 10%, KCT, KKKNT or KHAC:x%")]
pub struct TaxRateError;

impl TaxRate {
    /// Parses the canonical spellings, plus the `KHAC` variants seen in the wild (`KHAC:5.26`,
    /// `KHAC3.5%`, `KHAC:08.00%`); the canonical form is what is written back.
    pub fn parse(s: &str) -> Result<Self, TaxRateError> {
        Ok(match s.trim() {
            "0%" => TaxRate::Zero,
            "5%" => TaxRate::Five,
            "8%" => TaxRate::Eight,
            "10%" => TaxRate::Ten,
            "KCT" => TaxRate::NotSubject,
            "KKKNT" => TaxRate::NotDeclared,
            other => {
                let rest = other.strip_prefix("KHAC").ok_or(TaxRateError)?;
                let rest = rest.strip_prefix(':').unwrap_or(rest);
                let rest = rest.strip_suffix('%').unwrap_or(rest);
                let pct = crate::money::parse_decimal(rest).ok_or(TaxRateError)?;
                if pct <= Decimal::ZERO || pct >= Decimal::ONE_HUNDRED {
                    return Err(TaxRateError);
                }
                TaxRate::Other(pct.normalize())
            }
        })
    }

    /// The percentage applied to the net amount; zero for `KCT` and `KKKNT`.
    pub fn percent(&self) -> Decimal {
        match self {
            TaxRate::Zero | TaxRate::NotSubject | TaxRate::NotDeclared => Decimal::ZERO,
            TaxRate::Five => Decimal::from(5),
            TaxRate::Eight => Decimal::from(8),
            TaxRate::Ten => Decimal::from(10),
            TaxRate::Other(p) => *p,
        }
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaxRate::Zero => f.write_str("0%"),
            TaxRate::Five => f.write_str("5%"),
            TaxRate::Eight => f.write_str("8%"),
            TaxRate::Ten => f.write_str("10%"),
            TaxRate::NotSubject => f.write_str("KCT"),
            TaxRate::NotDeclared => f.write_str("KKKNT"),
            TaxRate::Other(p) => write!(f, "KHAC:{}%", p.normalize()),
        }
    }
}

impl Serialize for TaxRate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaxRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TaxRate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn parses_every_standard_rate_and_writes_it_back() {
        for s in ["0%", "5%", "8%", "10%", "KCT", "KKKNT", "KHAC:5.26%"] {
            assert_eq!(TaxRate::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn accepts_khac_variants_and_normalises_them() {
        assert_eq!(
            TaxRate::parse("KHAC:08.00%").unwrap().to_string(),
            "KHAC:8%"
        );
        assert_eq!(TaxRate::parse("KHAC3.5%").unwrap().percent(), dec!(3.5));
        assert_eq!(TaxRate::parse("KHAC:5.26").unwrap().percent(), dec!(5.26));
        for bad in ["10", "7%", "KHAC:", "KHAC:0%", "KHAC:100%", "khac:5%"] {
            assert!(TaxRate::parse(bad).is_err(), "{bad}");
        }
    }
}
