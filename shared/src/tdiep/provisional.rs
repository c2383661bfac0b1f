//! **Provisional** bodies: 100 (01/ĐKTĐ-HĐĐT), 102 / 103 / 301 / 302 (CQT notices) and 400
//! (01/TH-HĐĐT). The reference gives little for them; each type lists the fields that were
//! invented, so that a real schema (versioned by `PBan`) can replace it without touching the
//! envelope or the other bodies. Reading ignores what these types do not know.

use super::{DataPart, Fields, TdiepError, zero_one};
use crate::date::Date;
use crate::xml::W;
use crate::xml::dom::Element;

/// The fields every provisional document starts with: `PBan`, `MSo`, `Ten`, `MST` and a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// `PBan`: which schema version the rest follows.
    pub version: String,
    /// The data element's `Id`.
    pub data_id: String,
    /// `MSo`: the form code (§4.5 list).
    pub form: String,
    /// `Ten`.
    pub title: String,
    /// `MST`, as written (not checked: provisional).
    pub tax_id: String,
    /// `NLap` (100, 400) or `NTBao` (notices).
    pub date: Date,
}

impl Common {
    fn write(&self, w: &mut W, data: &str, date_tag: &str) {
        w.open_attr(data, "Id", &self.data_id);
        w.leaf("PBan", &self.version);
        w.leaf("MSo", &self.form);
        w.leaf("Ten", &self.title);
        w.leaf("MST", &self.tax_id);
        w.leaf(date_tag, &self.date.to_string());
    }
    /// Reads the common fields of `outer/data`; returns the data element's fields for the rest.
    fn read<'a>(
        outer: &'a Element,
        data: &str,
        date_tag: &str,
    ) -> Result<(Self, Fields<'a>), TdiepError> {
        let DataPart { f, version, id } = DataPart::read(outer, data)?;
        let date_tag = match date_tag {
            "" if f.element("NTBao")?.is_none() => "Ngay",
            "" => "NTBao",
            t => t,
        };
        let common = Common {
            version,
            data_id: id,
            form: f.required("MSo")?,
            title: f.required("Ten")?,
            tax_id: f.required("MST")?,
            date: f.parsed(date_tag, "a date YYYY-MM-DD", |s| s.get(..10)?.parse().ok())?,
        };
        Ok((common, f))
    }
}

/// 100: registration of e-invoice use, 01/ĐKTĐ-HĐĐT. **Provisional.**
///
/// Invented: the layout `TKhai/DLTKhai@Id` with [`Common`] (date as `NLap`), `TNNT`, `HThuc`
/// (1 new, 2 change), `CMa` / `KCMa` (coded / uncoded use, 0 or 1) and an empty `DSCKS/NNT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub common: Common,
    /// `TNNT`.
    pub taxpayer_name: String,
    /// `HThuc`.
    pub change: bool,
    /// `CMa`.
    pub coded: bool,
    /// `KCMa`.
    pub uncoded: bool,
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}
fn read_flag(f: &Fields, name: &str) -> Result<bool, TdiepError> {
    f.parsed(name, "0 or 1", zero_one)
}

impl Registration {
    /// The unsigned `TKhai` document on its own (what the taxpayer signs into `DSCKS/NNT`
    /// before it goes into a 100).
    pub fn to_xml(&self) -> String {
        let mut w = W { s: String::new() };
        w.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        self.write(&mut w);
        w.s
    }

    /// Where the taxpayer's signature goes (`dsig::prepare_as`).
    pub const LAYOUT: crate::dsig::Layout = crate::dsig::Layout {
        root: "TKhai",
        data: "DLTKhai",
        ..crate::dsig::Layout::NOTICE
    };

    pub(crate) fn write(&self, w: &mut W) {
        w.open("TKhai");
        self.common.write(w, "DLTKhai", "NLap");
        w.leaf("TNNT", &self.taxpayer_name);
        w.leaf("HThuc", if self.change { "2" } else { "1" });
        w.leaf("CMa", flag(self.coded));
        w.leaf("KCMa", flag(self.uncoded));
        w.close("DLTKhai");
        w.s.push_str("<DSCKS><NNT></NNT></DSCKS>");
        w.close("TKhai");
    }
    pub(crate) fn read(tkhai: &Element) -> Result<Self, TdiepError> {
        let (common, f) = Common::read(tkhai, "DLTKhai", "NLap")?;
        Ok(Registration {
            common,
            taxpayer_name: f.required("TNNT")?,
            change: f.parsed("HThuc", "1 or 2", |s| match s {
                "1" => Some(false),
                "2" => Some(true),
                _ => None,
            })?,
            coded: read_flag(&f, "CMa")?,
            uncoded: read_flag(&f, "KCMa")?,
        })
    }
}

/// 102 / 103 / 301 / 302: a CQT notice to the taxpayer. **Provisional.**
///
/// Seen in real 102/103 (samples 06–08): `TBao/DLTBao@Id`, `PBan`, `MSo`, `Ten`, `MST`, `TNNT`,
/// `NTBao` (103 carries `Ngay` instead), `DSLDKCNhan/LDo` with `MLoi`/`MTa`. Invented: one
/// `outcome` for both 102's `THop` and 103's `TTXNCQT` (written as `THop`), and the same layout
/// for 301 and 302, of which no sample is at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityNotice {
    pub common: Common,
    /// `TNNT`.
    pub taxpayer_name: String,
    /// `THop` / `TTXNCQT`.
    pub outcome: Option<String>,
    /// `DSLDKCNhan/LDo`: (`MLoi`, `MTa`).
    pub reasons: Vec<(String, String)>,
}

impl AuthorityNotice {
    pub(crate) fn write(&self, w: &mut W) {
        w.open("TBao");
        self.common.write(w, "DLTBao", "NTBao");
        w.leaf("TNNT", &self.taxpayer_name);
        w.opt("THop", self.outcome.as_deref());
        if !self.reasons.is_empty() {
            w.open("DSLDKCNhan");
            for (code, text) in &self.reasons {
                w.open("LDo");
                w.leaf("MLoi", code);
                w.leaf("MTa", text);
                w.close("LDo");
            }
            w.close("DSLDKCNhan");
        }
        w.close("DLTBao");
        w.close("TBao");
    }
    pub(crate) fn read(tbao: &Element) -> Result<Self, TdiepError> {
        // 102 dates the notice with `NTBao`, 103 with `Ngay`: "" picks whichever is there.
        let (common, f) = Common::read(tbao, "DLTBao", "")?;
        let reasons = f
            .element("DSLDKCNhan")?
            .into_iter()
            .flat_map(|l| l.elements())
            .map(|l| {
                let f = Fields::new(l, "TBao/DLTBao/DSLDKCNhan/LDo");
                Ok((
                    f.optional("MLoi")?.unwrap_or_default(),
                    f.optional("MTa")?.unwrap_or_default(),
                ))
            })
            .collect::<Result<_, TdiepError>>()?;
        Ok(AuthorityNotice {
            common,
            taxpayer_name: f.required("TNNT")?,
            outcome: match f.optional("THop")? {
                Some(o) => Some(o),
                None => f.optional("TTXNCQT")?,
            },
            reasons,
        })
    }
}

/// 400: summary table of invoice data, 01/TH-HĐĐT. **Provisional.**
///
/// Invented: everything but the form code: `BTHDLieu/DLBTHop@Id` with [`Common`] (date as
/// `NLap`), `KDLieu` (the period, e.g. `2025-10`), `LDau` (1 first table of the period, 0
/// additional) and `SBTHDLieu` (the table's number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryTable {
    pub common: Common,
    /// `KDLieu`.
    pub period: String,
    /// `LDau`.
    pub first: bool,
    /// `SBTHDLieu`.
    pub number: u32,
}

impl SummaryTable {
    pub(crate) fn write(&self, w: &mut W) {
        w.open("BTHDLieu");
        self.common.write(w, "DLBTHop", "NLap");
        w.leaf("KDLieu", &self.period);
        w.leaf("LDau", flag(self.first));
        w.leaf("SBTHDLieu", &self.number.to_string());
        w.close("DLBTHop");
        w.close("BTHDLieu");
    }
    pub(crate) fn read(b: &Element) -> Result<Self, TdiepError> {
        let (common, f) = Common::read(b, "DLBTHop", "NLap")?;
        Ok(SummaryTable {
            common,
            period: f.required("KDLieu")?,
            first: read_flag(&f, "LDau")?,
            number: f.parsed("SBTHDLieu", "a number", |s| s.parse().ok())?,
        })
    }
}
