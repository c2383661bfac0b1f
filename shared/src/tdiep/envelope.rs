//! The envelope header `TDiep/TTChung` (vn-einvoice §4.4, confidence H).

use super::{Fields, TdiepError, invalid};
use crate::model::TaxId;
use crate::xml::W;
use crate::xml::dom::Element;
use std::fmt;

/// Declares [`MessageKind`] once: variant, code, meaning. `Other` keeps codes the reference does
/// not list, so a newer message is carried, not refused.
macro_rules! kinds {
    ($($(#[$doc:meta])* $v:ident = $code:literal,)*) => {
        /// `MLTDiep`: the message type (vn-einvoice §4.4 table).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageKind {
            $($(#[$doc])* $v,)*
            /// A code the reference does not list, kept as its number.
            Other(u16),
        }
        impl MessageKind {
            pub fn code(self) -> u16 {
                match self {
                    $(Self::$v => $code,)*
                    Self::Other(c) => c,
                }
            }
            pub fn from_code(code: u16) -> Self {
                match code {
                    $($code => Self::$v,)*
                    c => Self::Other(c),
                }
            }
        }
    };
}

kinds! {
    /// 100: registration / change of e-invoice use (01/ĐKTĐ-HĐĐT).
    Registration = 100,
    /// 101: registration when authorising / being authorised to issue.
    AuthorisedRegistration = 101,
    /// 102: notice of receipt of the registration (01/TB-TNĐT).
    RegistrationReceipt = 102,
    /// 103: acceptance / refusal of the registration (01/TB-ĐKĐT).
    RegistrationDecision = 103,
    /// 104: acceptance of the authorisation registration.
    AuthorisationDecision = 104,
    /// 105: end of free coded invoices (01/TB-KTT).
    FreeCodeEnded = 105,
    /// 106: request for a coded invoice per transaction (06/ĐN-PSĐT).
    PerTransactionRequest = 106,
    /// 200: invoices sent for a code.
    ForCode = 200,
    /// 201: invoice for a code per transaction.
    ForCodePerTransaction = 201,
    /// 202: code granted (invoice with `MCCQT` and the CQT signature).
    CodeGranted = 202,
    /// 203: data of invoices without code.
    UncodedData = 203,
    /// 204: result of the data check (01/TB-KTDL).
    CheckResult = 204,
    /// 205: reply to a per-transaction request.
    PerTransactionReply = 205,
    /// 206: the sources disagree on its meaning (L).
    Code206 = 206,
    /// 300: notice of wrong invoices (04/SS-HĐĐT).
    ErrorNotice = 300,
    /// 301: receipt and result for a 04/SS (01/TB-HĐSS).
    ErrorNoticeResult = 301,
    /// 302: invoices needing review (01/TB-RSĐT).
    ReviewRequest = 302,
    /// 303: cash-register invoices with errors.
    CashRegisterErrors = 303,
    /// 400: summary table of invoice data (01/TH-HĐĐT).
    Summary = 400,
    /// 500: T-VAN authorised coding: data of coded invoices.
    TvanCoded = 500,
    /// 503: T-VAN authorised coding: invoices not eligible for a code.
    TvanNotEligible = 503,
    /// 504: T-VAN authorised coding: check results.
    TvanCheckResult = 504,
    /// 999: technical acknowledgement.
    TechnicalAck = 999,
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Longest sender / receiver code (`MNGui`, `MNNhan`: 14 characters, §4.4).
pub const MAX_CODE: usize = 14;
/// Longest message id (`MTDiep`, `MTDTChieu`: 46 characters).
pub const MAX_MESSAGE_ID: usize = 46;
const HEX_PART: usize = 32;

/// `MTDiep`: the sender code and exactly 32 upper-case hexadecimal characters (a GUID without
/// dashes), at most 46 in all. The core has no randomness: the caller passes the 16 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// The id of a message sent by `sender` (`TCT`, `V0309478306`, …) from 16 random bytes.
    pub fn new(sender: &str, random: [u8; 16]) -> Result<Self, TdiepError> {
        check_code("MTDiep (sender code)", sender)?;
        let mut s = String::with_capacity(sender.len() + HEX_PART);
        s.push_str(sender);
        for b in random {
            s.push_str(&format!("{b:02X}"));
        }
        Ok(MessageId(s))
    }

    /// Reads an id as written in `element`, refusing what breaks the rule above.
    pub fn parse(element: &str, s: &str) -> Result<Self, TdiepError> {
        let rule = "sender code + 32 upper-case hex characters, at most 46 (§4.4)";
        let bad = || invalid(element, s, rule);
        if s.len() > MAX_MESSAGE_ID || s.len() <= HEX_PART || !s.is_ascii() {
            return Err(bad());
        }
        let (sender, hex) = s.split_at(s.len() - HEX_PART);
        let upper_hex = hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
        if !upper_hex || check_code(element, sender).is_err() {
            return Err(bad());
        }
        Ok(MessageId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The sender code the id starts with.
    pub fn sender(&self) -> &str {
        &self.0[..self.0.len() - HEX_PART]
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A sender / receiver code: 1–14 ASCII letters or digits (`TCT`, `V` + a T-VAN's tax id).
fn check_code(element: &str, s: &str) -> Result<(), TdiepError> {
    let ok = !s.is_empty() && s.len() <= MAX_CODE && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            element,
            s,
            "1 to 14 ASCII letters or digits (§4.4)",
        ))
    }
}

/// `PBan`: a format version `N.N.N` (6 characters at most).
pub(crate) fn check_version(element: &str, s: &str) -> Result<(), TdiepError> {
    let parts: Vec<&str> = s.split('.').collect();
    let ok = s.len() <= 6
        && parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            element,
            s,
            "a version N.N.N of at most 6 characters",
        ))
    }
}

/// `TDiep/TTChung`, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `PBan`: the message format version (2.0.0, 2.0.1, 2.1.x).
    pub version: String,
    /// `MNGui`: the sender code.
    pub sender: String,
    /// `MNNhan`: the receiver code.
    pub receiver: String,
    /// `MLTDiep`.
    pub kind: MessageKind,
    /// `MTDiep`.
    pub id: MessageId,
    /// `MTDTChieu`: the message this one answers (replies only).
    pub reference: Option<MessageId>,
    /// `MST`: the taxpayer; absent in technical acknowledgements (999).
    pub tax_id: Option<TaxId>,
    /// `SLuong`: items in `DLieu`; absent in 999.
    pub count: Option<u32>,
}

impl Header {
    /// Checks the values the type does not already guarantee.
    pub fn check(&self) -> Result<(), TdiepError> {
        check_version("TDiep/TTChung/PBan", &self.version)?;
        check_code("TDiep/TTChung/MNGui", &self.sender)?;
        check_code("TDiep/TTChung/MNNhan", &self.receiver)
    }

    /// Writes the fields in the 1450 order (`PBan, MNGui, MNNhan, MLTDiep, MTDiep, MTDTChieu,
    /// MST, SLuong`); an absent `MTDTChieu` is written empty, as real senders do.
    pub(crate) fn write(&self, w: &mut W) {
        w.open("TTChung");
        w.leaf("PBan", &self.version);
        w.leaf("MNGui", &self.sender);
        w.leaf("MNNhan", &self.receiver);
        w.leaf("MLTDiep", &self.kind.to_string());
        w.leaf("MTDiep", self.id.as_str());
        match &self.reference {
            Some(r) => w.leaf("MTDTChieu", r.as_str()),
            None => w.s.push_str("<MTDTChieu/>"),
        }
        w.opt("MST", self.tax_id.as_ref().map(|t| t.as_str()));
        if let Some(n) = self.count {
            w.leaf("SLuong", &n.to_string());
        }
        w.close("TTChung");
    }

    /// Reads the fields by name, so the 1510 order (`PBan, MST, MNGui, MNNhan, MTDiep,
    /// MLTDiep`) reads the same; unknown fields (R3's `NLap`) are ignored.
    pub(crate) fn read(tt: &Element) -> Result<Self, TdiepError> {
        let f = Fields::new(tt, "TDiep/TTChung");
        let kind_text = f.required("MLTDiep")?;
        let kind = kind_text
            .parse::<u16>()
            .ok()
            .filter(|c| *c <= 999)
            .map(MessageKind::from_code)
            .ok_or_else(|| invalid(&f.path("MLTDiep"), &kind_text, "a code of 1 to 3 digits"))?;
        let id = MessageId::parse(&f.path("MTDiep"), &f.required("MTDiep")?)?;
        let reference = f
            .optional("MTDTChieu")?
            .map(|r| MessageId::parse(&f.path("MTDTChieu"), &r))
            .transpose()?;
        let tax_id = f
            .optional("MST")?
            .map(|t| {
                TaxId::parse(&t).map_err(|e| invalid(&f.path("MST"), &t, &format!("a tax id: {e}")))
            })
            .transpose()?;
        let count = f
            .optional("SLuong")?
            .map(|n| {
                n.parse::<u32>()
                    .ok()
                    .filter(|v| *v <= 9_999_999)
                    .ok_or_else(|| invalid(&f.path("SLuong"), &n, "a count of at most 7 digits"))
            })
            .transpose()?;
        let h = Header {
            version: f.required("PBan")?,
            sender: f.required("MNGui")?,
            receiver: f.required("MNNhan")?,
            kind,
            id,
            reference,
            tax_id,
            count,
        };
        h.check()?;
        Ok(h)
    }
}
