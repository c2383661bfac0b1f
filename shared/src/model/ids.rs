//! Identifiers with legal rules: tax id, form number, invoice symbol, invoice number.
//! Each has private fields and a `parse`: holding one means it is valid.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Why an identifier was refused; the validation layer turns these into coded findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("wrong format")]
    Format,
    #[error("wrong check digit")]
    CheckDigit,
    #[error("out of range")]
    Range,
}

/// A Vietnamese tax id (`MST`): 10 digits whose last is a check digit, the same with a branch
/// suffix `-NNN`, or (since July 2025) a 12-digit personal identification number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxId(String);

const TAX_ID_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit of the first nine digits (vn-einvoice §1.6), or `None` when no valid tax id
/// starts with them (the formula gives 10).
pub fn tax_id_check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let s: u32 = first_nine
        .iter()
        .zip(TAX_ID_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let c = 10 - (s % 11);
    (c < 10).then_some(c as u8)
}

impl TaxId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let b = s.as_bytes();
        let all_digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
        match b.len() {
            12 if all_digits(b) => Ok(TaxId(s.to_owned())),
            10 | 14 if all_digits(&b[..10]) => {
                if b.len() == 14 && (b[10] != b'-' || !all_digits(&b[11..])) {
                    return Err(IdError::Format);
                }
                let mut nine = [0u8; 9];
                for (n, c) in nine.iter_mut().zip(&b[..9]) {
                    *n = c - b'0';
                }
                match tax_id_check_digit(&nine) {
                    Some(c) if c == b[9] - b'0' => Ok(TaxId(s.to_owned())),
                    _ => Err(IdError::CheckDigit),
                }
            }
            _ => Err(IdError::Format),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Invoice form number (`KHMSHDon`), one digit 1–9. Which digits are in force on a given date
/// is a dated rule (see `rules`), checked by validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FormNumber(u8);

impl FormNumber {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        match s.as_bytes() {
            [c @ b'1'..=b'9'] => Ok(FormNumber(c - b'0')),
            _ => Err(IdError::Format),
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
    /// The invoice name (`THDon`) a form carries unless the seller gives one.
    pub fn default_name(self, symbol: &Symbol) -> &'static str {
        match (self.0, symbol.letter()) {
            (1, _) => "Hóa đơn giá trị gia tăng",
            (2, _) => "Hóa đơn bán hàng",
            (3, _) => "Hóa đơn bán tài sản công",
            (4, _) => "Hóa đơn bán hàng dự trữ quốc gia",
            (6, 'B') => "Phiếu xuất kho hàng gửi bán đại lý",
            (6, _) => "Phiếu xuất kho kiêm vận chuyển nội bộ",
            (7, _) => "Hóa đơn thương mại điện tử",
            (8, _) => "Hóa đơn giá trị gia tăng tích hợp biên lai thu thuế, phí, lệ phí",
            (9, _) => "Hóa đơn bán hàng tích hợp biên lai thu thuế, phí, lệ phí",
            _ => "Hóa đơn điện tử",
        }
    }
    /// Forms whose lines carry a VAT rate (VAT invoices).
    pub fn carries_vat(self) -> bool {
        matches!(self.0, 1 | 7 | 8)
    }
}

impl fmt::Display for FormNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Every letter any rule set has allowed; a letter's validity on a date is a dated rule.
const ANY_SYMBOL_LETTER: &str = "TDLMNBGHX";

/// Invoice symbol (`KHHDon`): `C`/`K` (with/without tax-authority code), two digits of the issue
/// year, a type letter, and two characters of the seller's choosing, e.g. `C25TAB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol([u8; 6]);

impl Symbol {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let b = s.as_bytes();
        let ok = b.len() == 6
            && matches!(b[0], b'C' | b'K')
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit()
            && ANY_SYMBOL_LETTER.as_bytes().contains(&b[3])
            && b[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Symbol([b[0], b[1], b[2], b[3], b[4], b[5]]))
        } else {
            Err(IdError::Format)
        }
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??????")
    }
    /// `true` for `C…`: the tax authority grants a code (`MCCQT`) before the invoice is valid.
    pub fn with_authority_code(&self) -> bool {
        self.0[0] == b'C'
    }
    /// The last two digits of the year, as written in the symbol.
    pub fn year_digits(&self) -> u8 {
        (self.0[1] - b'0') * 10 + (self.0[2] - b'0')
    }
    pub fn letter(&self) -> char {
        self.0[3] as char
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Invoice number (`SHDon`): 1 to 99,999,999, no padding in XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceNumber(u32);

impl InvoiceNumber {
    pub const MAX: u32 = 99_999_999;
    pub fn new(n: u64) -> Result<Self, IdError> {
        if (1..=u64::from(Self::MAX)).contains(&n) {
            Ok(InvoiceNumber(n as u32))
        } else {
            Err(IdError::Range)
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

impl FromStr for InvoiceNumber {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::Format);
        }
        InvoiceNumber::new(s.parse().map_err(|_| IdError::Format)?)
    }
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(TaxId);
string_serde!(FormNumber);
string_serde!(Symbol);

impl Serialize for InvoiceNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_id_check_digit_follows_the_weighted_sum() {
        assert!(TaxId::parse("0109998883").is_ok());
        assert_eq!(TaxId::parse("0109998887"), Err(IdError::CheckDigit));
        // Plain, branch (-NNN) and 12-digit personal ids.
        for ok in ["0109998883-998", "0312345673", "0101234565", "001203012345"] {
            assert!(TaxId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "010999888",
            "0109998883-",
            "0109998883-99A",
            "01099988831",
            "abc",
        ] {
            assert_eq!(TaxId::parse(bad), Err(IdError::Format), "{bad}");
        }
    }

    #[test]
    fn symbols_have_the_tt78_shape() {
        let s = Symbol::parse("C25TAB").unwrap();
        assert!(s.with_authority_code());
        assert_eq!(s.year_digits(), 25);
        assert_eq!(s.letter(), 'T');
        assert!(Symbol::parse("K26XYY").is_ok());
        for bad in ["M25TAB", "C25QAB", "C2TAB", "C25Tab", "C25TAB1"] {
            assert!(Symbol::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invoice_numbers_run_from_1_to_99999999() {
        assert!("1".parse::<InvoiceNumber>().is_ok());
        assert!("99999999".parse::<InvoiceNumber>().is_ok());
        assert_eq!("0".parse::<InvoiceNumber>(), Err(IdError::Range));
        assert_eq!("100000000".parse::<InvoiceNumber>(), Err(IdError::Format));
    }

    #[test]
    fn form_numbers_are_one_digit() {
        assert_eq!(FormNumber::parse("1").unwrap().get(), 1);
        assert!(FormNumber::parse("0").is_err());
        assert!(FormNumber::parse("01GTKT0/001").is_err());
    }
}
