//! Notices: 300 (04/SS-HĐĐT, §4.5, H), 999 (technical acknowledgement, H) and 204
//! (01/TB-KTDL, §4.4, M).

use super::{DataPart, Fields, MessageId, TdiepError, zero_one};
use crate::date::{Date, DateTime};
use crate::model::TaxId;
use crate::xml::W;
use crate::xml::dom::Element;

fn date(s: &str) -> Option<Date> {
    s.parse().ok()
}
fn small(s: &str) -> Option<u8> {
    s.parse().ok()
}
fn tax_id(s: &str) -> Option<TaxId> {
    TaxId::parse(s).ok()
}

/// Form 04/SS-HĐĐT: the seller's notice of wrong invoices (`MLTDiep` 300).
///
/// Rendered unsigned, with `DLTBao@Id` and an empty `DSCKS/NNT` where the taxpayer's signature
/// goes (referencing `#<DLTBao Id>` and a SigningTime object, as for invoices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorNotice {
    /// `PBan`.
    pub version: String,
    /// `DLTBao@Id`.
    pub data_id: String,
    /// `Loai`: 1 = the seller's own notice, 2 = answer to a CQT notice.
    pub kind: u8,
    /// `So`: the CQT notice's number (required when `kind` is 2).
    pub cqt_notice_number: Option<String>,
    /// `NTBCCQT`: the CQT notice's date (required when `kind` is 2).
    pub cqt_notice_date: Option<Date>,
    /// `MCQT`: tax office code.
    pub tax_office_code: String,
    /// `TCQT`: tax office name.
    pub tax_office_name: String,
    /// `TNNT`: the taxpayer's name.
    pub taxpayer_name: String,
    /// `MST` (absent only for public-asset sellers, who give `MDVQHNSach`).
    pub tax_id: Option<TaxId>,
    /// `MDVQHNSach`.
    pub budget_unit: Option<String>,
    /// `DDanh`: place.
    pub place: String,
    /// `NTBao`: notice date.
    pub date: Date,
    /// `DSHDon/HDon`, numbered (`STT`) in order.
    pub rows: Vec<ErrorRow>,
}

/// One wrong invoice of a 04/SS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// `MCQTCap` (read also as `MCCQT`): the wrong invoice's code, coded invoices only.
    pub authority_code: Option<String>,
    /// `KHMSHDon`.
    pub form: String,
    /// `KHHDon`.
    pub symbol: String,
    /// `SHDon`.
    pub number: String,
    /// `Ngay`: its issue date.
    pub date: Date,
    /// `LADHDDT`: regime 1–4.
    pub regime: u8,
    /// `TCTBao`: 1 cancel, 2 adjust, 3 replace, 4 explain.
    pub action: u8,
    /// `LDo`: the reason.
    pub reason: String,
}

impl ErrorNotice {
    pub const FORM: &'static str = "04/SS-HĐĐT";
    pub const TITLE: &'static str = "Thông báo hóa đơn điện tử có sai sót";

    pub(crate) fn write(&self, w: &mut W) {
        w.open("TBao");
        w.open_attr("DLTBao", "Id", &self.data_id);
        w.leaf("PBan", &self.version);
        w.leaf("MSo", Self::FORM);
        w.leaf("Ten", Self::TITLE);
        w.leaf("Loai", &self.kind.to_string());
        w.opt("So", self.cqt_notice_number.as_deref());
        w.opt(
            "NTBCCQT",
            self.cqt_notice_date.map(|d| d.to_string()).as_deref(),
        );
        w.leaf("MCQT", &self.tax_office_code);
        w.leaf("TCQT", &self.tax_office_name);
        w.leaf("TNNT", &self.taxpayer_name);
        w.opt("MST", self.tax_id.as_ref().map(|t| t.as_str()));
        w.opt("MDVQHNSach", self.budget_unit.as_deref());
        w.leaf("DDanh", &self.place);
        w.leaf("NTBao", &self.date.to_string());
        w.open("DSHDon");
        for (i, r) in self.rows.iter().enumerate() {
            w.open("HDon");
            w.leaf("STT", &(i + 1).to_string());
            w.opt("MCQTCap", r.authority_code.as_deref());
            w.leaf("KHMSHDon", &r.form);
            w.leaf("KHHDon", &r.symbol);
            w.leaf("SHDon", &r.number);
            w.leaf("Ngay", &r.date.to_string());
            w.leaf("LADHDDT", &r.regime.to_string());
            w.leaf("TCTBao", &r.action.to_string());
            w.leaf("LDo", &r.reason);
            w.close("HDon");
        }
        w.close("DSHDon");
        w.close("DLTBao");
        // Start and end tags, so that signing only inserts bytes.
        w.s.push_str("<DSCKS><NNT></NNT><CCKSKhac></CCKSKhac></DSCKS>");
        w.close("TBao");
    }

    /// The unsigned `TBao` document on its own (what is signed before it goes into a 300).
    pub fn to_xml(&self) -> String {
        let mut w = W { s: String::new() };
        w.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        self.write(&mut w);
        w.s
    }

    pub(crate) fn read(tbao: &Element) -> Result<Self, TdiepError> {
        let at = "TBao/DLTBao";
        let DataPart { f, version, id } = DataPart::read(tbao, "DLTBao")?;
        let kind = f.parsed("Loai", "1 or 2", |s| {
            small(s).filter(|k| (1..=2).contains(k))
        })?;
        let cqt_notice_number = f.optional("So")?;
        let cqt_notice_date = f.parsed_opt("NTBCCQT", "a date YYYY-MM-DD", date)?;
        if kind == 2 && (cqt_notice_number.is_none() || cqt_notice_date.is_none()) {
            return Err(TdiepError::Missing(format!(
                "{at}/So and NTBCCQT (required when Loai is 2)"
            )));
        }
        let rows = f
            .child("DSHDon")?
            .elements()
            .enumerate()
            .map(|(i, h)| {
                let f = Fields::new(h, &format!("{at}/DSHDon/HDon[{}]", i + 1));
                Ok(ErrorRow {
                    authority_code: match f.optional("MCQTCap")? {
                        Some(c) => Some(c),
                        None => f.optional("MCCQT")?,
                    },
                    form: f.required("KHMSHDon")?,
                    symbol: f.required("KHHDon")?,
                    number: f.required("SHDon")?,
                    date: f.parsed("Ngay", "a date YYYY-MM-DD", date)?,
                    regime: f.parsed("LADHDDT", "1 to 4", |s| {
                        small(s).filter(|k| (1..=4).contains(k))
                    })?,
                    action: f.parsed("TCTBao", "0 to 5", |s| small(s).filter(|k| *k <= 5))?,
                    reason: f.required("LDo")?,
                })
            })
            .collect::<Result<Vec<_>, TdiepError>>()?;
        Ok(ErrorNotice {
            version,
            data_id: id,
            kind,
            cqt_notice_number,
            cqt_notice_date,
            tax_office_code: f.required("MCQT")?,
            tax_office_name: f.required("TCQT")?,
            taxpayer_name: f.required("TNNT")?,
            tax_id: f.parsed_opt("MST", "a tax id", tax_id)?,
            budget_unit: f.optional("MDVQHNSach")?,
            place: f.required("DDanh")?,
            date: f.parsed("NTBao", "a date YYYY-MM-DD", date)?,
            rows,
        })
    }
}

/// A technical acknowledgement (`MLTDiep` 999): `TBao` with the acknowledged `MTDiep`, the
/// sender `MNGui` (present in real 2022 replies), `NNhan`, `TTTNhan` and `DSLDo/LDo` (`MLoi`,
/// `MTa`), as in real replies (sample 06) and R2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechAck {
    /// `MTDiep`: the message acknowledged.
    pub message: MessageId,
    /// `MNGui`: who sent that message.
    pub sender: Option<String>,
    /// `NNhan`: when it was received.
    pub received: DateTime,
    /// `TTTNhan`: 0 = received without error, 1 = error.
    pub has_errors: bool,
    /// `DSLDo/LDo`.
    pub errors: Vec<AckError>,
}

/// One `LDo` of a 999.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckError {
    /// `MLoi`.
    pub code: Option<String>,
    /// `MTa`.
    pub description: String,
}

impl TechAck {
    pub(crate) fn write(&self, w: &mut W) {
        w.open("TBao");
        w.leaf("MTDiep", self.message.as_str());
        w.opt("MNGui", self.sender.as_deref());
        w.leaf("NNhan", &self.received.to_string());
        w.leaf("TTTNhan", if self.has_errors { "1" } else { "0" });
        if !self.errors.is_empty() {
            w.open("DSLDo");
            for e in &self.errors {
                w.open("LDo");
                w.opt("MLoi", e.code.as_deref());
                w.leaf("MTa", &e.description);
                w.close("LDo");
            }
            w.close("DSLDo");
        }
        w.close("TBao");
    }

    pub(crate) fn read(tbao: &Element) -> Result<Self, TdiepError> {
        let f = Fields::new(tbao, "TDiep/DLieu/TBao");
        let errors = match f.element("DSLDo")? {
            None => Vec::new(),
            Some(list) => list
                .elements()
                .enumerate()
                .map(|(i, l)| {
                    let f = Fields::new(l, &format!("TDiep/DLieu/TBao/DSLDo/LDo[{}]", i + 1));
                    Ok(AckError {
                        code: f.optional("MLoi")?,
                        description: f.optional("MTa")?.unwrap_or_default(),
                    })
                })
                .collect::<Result<_, TdiepError>>()?,
        };
        Ok(TechAck {
            message: MessageId::parse(&f.path("MTDiep"), &f.required("MTDiep")?)?,
            sender: f.optional("MNGui")?,
            received: f.parsed("NNhan", "a date-time YYYY-MM-DDThh:mm:ss", |s| {
                s.parse().ok()
            })?,
            has_errors: f.parsed("TTTNhan", "0 or 1", zero_one)?,
            errors,
        })
    }
}

/// The result of the data check, 01/TB-KTDL (`MLTDiep` 204; §4.4, M: from R2's draft mock).
///
/// Invented where the reference is silent: the `DLTBao` wrapper with `PBan`, `MSo`, `MST` and
/// `NTBao` (as in the other CQT notices, samples 06/07), the `DSLDo` list inside each group,
/// and `MLoi` beside `MTLoi`/`HDXLy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// `PBan`.
    pub version: String,
    /// `DLTBao@Id`.
    pub data_id: String,
    /// `MST`.
    pub tax_id: Option<TaxId>,
    /// `NTBao`.
    pub date: Date,
    /// `LTBao`: the notice type.
    pub notice_kind: u8,
    /// `KQKTra`: 0 invalid, 1 valid.
    pub valid: bool,
    /// Grouped errors (`LCMa`, `LHDKMa`, `LBTHop`, …).
    pub groups: Vec<ErrorGroup>,
}

/// One error group of a 204: its element name and its `LDo`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorGroup {
    /// `LCMa` (code-request errors), `LHDKMa` (uncoded invoices), `LBTHop` (summary tables).
    pub list: String,
    pub errors: Vec<CheckError>,
}

/// One `LDo` of a 204.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    /// `MLoi` (invented).
    pub code: Option<String>,
    /// `MTLoi`: the error's description.
    pub description: String,
    /// `HDXLy`: handling advice.
    pub advice: Option<String>,
}

const GROUPS: [&str; 3] = ["LCMa", "LHDKMa", "LBTHop"];

impl CheckResult {
    pub const FORM: &'static str = "01/TB-KTDL";

    pub(crate) fn write(&self, w: &mut W) {
        w.open("TBao");
        w.open_attr("DLTBao", "Id", &self.data_id);
        w.leaf("PBan", &self.version);
        w.leaf("MSo", Self::FORM);
        w.opt("MST", self.tax_id.as_ref().map(|t| t.as_str()));
        w.leaf("NTBao", &self.date.to_string());
        w.leaf("LTBao", &self.notice_kind.to_string());
        w.leaf("KQKTra", if self.valid { "1" } else { "0" });
        for g in &self.groups {
            w.open(&g.list);
            w.open("DSLDo");
            for e in &g.errors {
                w.open("LDo");
                w.opt("MLoi", e.code.as_deref());
                w.leaf("MTLoi", &e.description);
                w.opt("HDXLy", e.advice.as_deref());
                w.close("LDo");
            }
            w.close("DSLDo");
            w.close(&g.list);
        }
        w.close("DLTBao");
        w.close("TBao");
    }

    pub(crate) fn read(tbao: &Element) -> Result<Self, TdiepError> {
        let at = "TBao/DLTBao";
        let DataPart { f, version, id } = DataPart::read(tbao, "DLTBao")?;
        let mut groups = Vec::new();
        for g in f.e.elements().filter(|e| GROUPS.contains(&e.local_name())) {
            let gat = format!("{at}/{}", g.local_name());
            let list = Fields::new(g, &gat).element("DSLDo")?;
            let errors = list
                .into_iter()
                .flat_map(|l| l.elements())
                .enumerate()
                .map(|(i, l)| {
                    let f = Fields::new(l, &format!("{gat}/DSLDo/LDo[{}]", i + 1));
                    Ok(CheckError {
                        code: f.optional("MLoi")?,
                        description: f.required("MTLoi")?,
                        advice: f.optional("HDXLy")?,
                    })
                })
                .collect::<Result<_, TdiepError>>()?;
            groups.push(ErrorGroup {
                list: g.local_name().to_owned(),
                errors,
            });
        }
        Ok(CheckResult {
            version,
            data_id: id,
            tax_id: f.parsed_opt("MST", "a tax id", tax_id)?,
            date: f.parsed("NTBao", "a date YYYY-MM-DD", date)?,
            notice_kind: f.parsed("LTBao", "a small number", small)?,
            valid: f.parsed("KQKTra", "0 or 1", zero_one)?,
            groups,
        })
    }
}
