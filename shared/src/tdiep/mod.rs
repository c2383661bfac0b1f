//! Messages to and from the tax authority: the `TDiep` envelope and its bodies
//! (vn-einvoice §4.4–§4.6).
//!
//! - [`envelope`]: `TTChung` typed ([`Header`], [`MessageKind`], [`MessageId`]).
//! - [`invoices`]: 200 / 203 (seller-signed `HDon` embedded **byte-exact**: a signature covers
//!   bytes, so the signed text is inserted, never re-serialised) and the 202 check
//!   ([`accept_code`]).
//! - [`grant`](mod@grant): the authority's side of a 202 (`MCCQT` and the CQT signature, two phases), so
//!   that the local simulator of the authority codes invoices exactly as `accept_code` checks.
//! - [`notices`]: 300 (04/SS, [`ErrorNotice`]), 999 ([`TechAck`]), 204 ([`CheckResult`]).
//! - [`provisional`]: 100, 102/103, 301, 302, 400, whose schemas the reference barely gives:
//!   typed, small, and each with the list of the fields that were invented.
//!
//! Like the rest of the core: no I/O, no clock, no randomness (message ids are built from bytes
//! the caller passes). Everything is parsed with the hardened [`dom`](crate::xml::dom) (no DTD,
//! size / depth / node limits), and every refusal names the element and the rule.

pub mod envelope;
pub mod grant;
pub mod invoices;
pub mod notices;
pub mod provisional;

pub use envelope::{Header, MessageId, MessageKind};
pub use grant::{AuthorityCode, grant};
pub use invoices::{CodeGranted, CodeRefusal, SignedHDon, accept_code};
pub use notices::{AckError, CheckError, CheckResult, ErrorGroup, ErrorNotice, ErrorRow, TechAck};
pub use provisional::{AuthorityNotice, Registration, SummaryTable};

use crate::xml::W;
use crate::xml::dom::{self, Element, Limits, XmlError};

/// Why a message could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TdiepError {
    #[error("{0}")]
    Xml(#[from] XmlError),
    #[error("{0} is missing")]
    Missing(String),
    #[error("{0} appears more than once")]
    Duplicate(String),
    #[error("{element} is {value:?}: expected {rule}")]
    Invalid {
        element: String,
        value: String,
        rule: String,
    },
    #[error("{0}")]
    Structure(String),
}

pub(crate) fn invalid(element: &str, value: &str, rule: &str) -> TdiepError {
    TdiepError::Invalid {
        element: element.to_owned(),
        value: value.chars().take(80).collect(),
        rule: rule.to_owned(),
    }
}

/// Named children of one element, read by local name (so field order never matters), each
/// at most once.
pub(crate) struct Fields<'a> {
    pub(crate) e: &'a Element,
    at: String,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(e: &'a Element, at: &str) -> Self {
        Fields {
            e,
            at: at.to_owned(),
        }
    }
    pub(crate) fn path(&self, name: &str) -> String {
        format!("{}/{name}", self.at)
    }
    pub(crate) fn element(&self, name: &str) -> Result<Option<&'a Element>, TdiepError> {
        let mut it = self.e.elements().filter(|c| c.local_name() == name);
        let first = it.next();
        if it.next().is_some() {
            return Err(TdiepError::Duplicate(self.path(name)));
        }
        Ok(first)
    }
    /// An optional value: absent or blank is `None`.
    pub(crate) fn optional(&self, name: &str) -> Result<Option<String>, TdiepError> {
        let t = self.element(name)?.map(|c| c.text());
        Ok(t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
    }
    pub(crate) fn required(&self, name: &str) -> Result<String, TdiepError> {
        self.optional(name)?
            .ok_or_else(|| TdiepError::Missing(self.path(name)))
    }
    /// A required value parsed with `parse`, refused with `rule` when it does not parse.
    pub(crate) fn parsed<T>(
        &self,
        name: &str,
        rule: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, TdiepError> {
        let t = self.required(name)?;
        parse(&t).ok_or_else(|| invalid(&self.path(name), &t, rule))
    }
    /// The same for an optional value.
    pub(crate) fn parsed_opt<T>(
        &self,
        name: &str,
        rule: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, TdiepError> {
        match self.optional(name)? {
            None => Ok(None),
            Some(t) => parse(&t)
                .map(Some)
                .ok_or_else(|| invalid(&self.path(name), &t, rule)),
        }
    }
    /// A required child element.
    pub(crate) fn child(&self, name: &str) -> Result<&'a Element, TdiepError> {
        self.element(name)?
            .ok_or_else(|| TdiepError::Missing(self.path(name)))
    }
}

/// `0`/`1` as a flag (`TTTNhan`, `KQKTra`, `CMa`, …).
pub(crate) fn zero_one(s: &str) -> Option<bool> {
    match s {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// The data element of a signable document (`TBao/DLTBao`, `TKhai/DLTKhai`, …): its fields,
/// its `PBan` (checked) and its `Id`, which a signature will reference.
pub(crate) struct DataPart<'a> {
    pub(crate) f: Fields<'a>,
    pub(crate) version: String,
    pub(crate) id: String,
}

impl<'a> DataPart<'a> {
    pub(crate) fn read(outer: &'a Element, data: &str) -> Result<Self, TdiepError> {
        let at = format!("{}/{data}", outer.local_name());
        let dl = Fields::new(outer, outer.local_name()).child(data)?;
        let f = Fields::new(dl, &at);
        let version = f.required("PBan")?;
        envelope::check_version(&f.path("PBan"), &version)?;
        let id = dl
            .attr("Id")
            .filter(|i| crate::xml::is_ncname(i))
            .map(str::to_owned)
            .ok_or_else(|| TdiepError::Missing(format!("{at}/@Id (an XML name)")))?;
        Ok(DataPart { f, version, id })
    }
}

/// What `DLieu` carries, by message kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// 200, 202, 203: signed `HDon`s, byte-exact.
    Invoices(Vec<SignedHDon>),
    /// 300.
    ErrorNotice(ErrorNotice),
    /// 999.
    TechAck(TechAck),
    /// 204.
    CheckResult(CheckResult),
    /// 100 (provisional).
    Registration(Registration),
    /// 102, 103, 301, 302 (provisional).
    AuthorityNotice(AuthorityNotice),
    /// 400 (provisional).
    Summary(SummaryTable),
    /// Any other kind: the inner bytes of `DLieu`, kept as received.
    Raw(String),
}

impl Body {
    /// The `SLuong` this body makes.
    pub fn count(&self) -> u32 {
        match self {
            Body::Invoices(v) => u32::try_from(v.len()).unwrap_or(u32::MAX),
            _ => 1,
        }
    }
    /// Whether this body may travel under `kind`.
    fn fits(&self, kind: MessageKind) -> bool {
        use MessageKind as K;
        match self {
            Body::Invoices(_) => matches!(kind, K::ForCode | K::CodeGranted | K::UncodedData),
            Body::ErrorNotice(_) => kind == K::ErrorNotice,
            Body::TechAck(_) => kind == K::TechnicalAck,
            Body::CheckResult(_) => kind == K::CheckResult,
            Body::Registration(_) => kind == K::Registration,
            Body::AuthorityNotice(_) => matches!(
                kind,
                K::RegistrationReceipt
                    | K::RegistrationDecision
                    | K::ErrorNoticeResult
                    | K::ReviewRequest
            ),
            Body::Summary(_) => kind == K::Summary,
            Body::Raw(_) => true,
        }
    }
}

/// A whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TDiep {
    pub header: Header,
    pub body: Body,
}

impl TDiep {
    /// A message with `SLuong` set from the body (left out for a 999, as the authority does).
    /// Refuses a body that does not belong under `header.kind`.
    pub fn new(mut header: Header, body: Body) -> Result<Self, TdiepError> {
        header.check()?;
        if !body.fits(header.kind) {
            return Err(TdiepError::Structure(format!(
                "TDiep/DLieu: this body cannot be sent as MLTDiep {}",
                header.kind
            )));
        }
        header.count = (header.kind != MessageKind::TechnicalAck).then(|| body.count());
        Ok(TDiep { header, body })
    }

    /// The message as XML, with its declaration and no added whitespace.
    pub fn to_xml(&self) -> String {
        let mut w = W {
            s: String::with_capacity(1024),
        };
        w.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        w.open("TDiep");
        self.header.write(&mut w);
        w.open("DLieu");
        match &self.body {
            Body::Invoices(v) => v.iter().for_each(|h| w.s.push_str(h.as_str())),
            Body::ErrorNotice(n) => n.write(&mut w),
            Body::TechAck(a) => a.write(&mut w),
            Body::CheckResult(c) => c.write(&mut w),
            Body::Registration(r) => r.write(&mut w),
            Body::AuthorityNotice(n) => n.write(&mut w),
            Body::Summary(s) => s.write(&mut w),
            Body::Raw(r) => w.s.push_str(r),
        }
        w.close("DLieu");
        w.close("TDiep");
        w.s
    }

    /// Reads a message under the default [`Limits`].
    pub fn read(xml: &str) -> Result<Self, TdiepError> {
        Self::read_with(xml, Limits::default())
    }

    pub fn read_with(xml: &str, limits: Limits) -> Result<Self, TdiepError> {
        let doc = dom::parse_with(xml, limits)?;
        let root = &doc.root;
        if root.local_name() != "TDiep" {
            return Err(TdiepError::Structure(format!(
                "the root element is {}, not TDiep",
                root.name
            )));
        }
        let f = Fields::new(root, "TDiep");
        let dlieu = f.child("DLieu")?;
        // Inclusive C14N takes namespace declarations from ancestors (§3.4 pitfall 2): with one
        // on the envelope, an embedded signed document would no longer verify on its own.
        for e in [root, dlieu] {
            if let Some(a) = e.attrs.iter().find(|a| a.name.starts_with("xmlns")) {
                return Err(TdiepError::Structure(format!(
                    "{} declares {}: the envelope must not declare namespaces, they change the \
                     canonical form of the signed documents inside (§3.4)",
                    e.name, a.name
                )));
            }
        }
        let header = Header::read(f.child("TTChung")?)?;
        let body = read_body(xml, header.kind, dlieu)?;
        if let (Some(n), Body::Invoices(v)) = (header.count, &body)
            && n as usize != v.len()
        {
            return Err(invalid(
                "TDiep/TTChung/SLuong",
                &n.to_string(),
                &format!("the number of HDon in DLieu ({})", v.len()),
            ));
        }
        Ok(TDiep { header, body })
    }
}

/// The one element `DLieu` must hold for a typed body.
fn only_child<'a>(dlieu: &'a Element, name: &str) -> Result<&'a Element, TdiepError> {
    let mut it = dlieu.elements();
    match (it.next(), it.next()) {
        (Some(e), None) if e.local_name() == name => Ok(e),
        _ => Err(TdiepError::Structure(format!(
            "TDiep/DLieu must hold exactly one {name}"
        ))),
    }
}

fn read_body(src: &str, kind: MessageKind, dlieu: &Element) -> Result<Body, TdiepError> {
    use MessageKind as K;
    Ok(match kind {
        K::ForCode | K::CodeGranted | K::UncodedData => {
            Body::Invoices(invoices::read_embedded(src, dlieu)?)
        }
        K::ErrorNotice => Body::ErrorNotice(ErrorNotice::read(only_child(dlieu, "TBao")?)?),
        K::TechnicalAck => Body::TechAck(TechAck::read(only_child(dlieu, "TBao")?)?),
        K::CheckResult => Body::CheckResult(CheckResult::read(only_child(dlieu, "TBao")?)?),
        K::Registration => Body::Registration(Registration::read(only_child(dlieu, "TKhai")?)?),
        K::RegistrationReceipt
        | K::RegistrationDecision
        | K::ErrorNoticeResult
        | K::ReviewRequest => {
            Body::AuthorityNotice(AuthorityNotice::read(only_child(dlieu, "TBao")?)?)
        }
        K::Summary => Body::Summary(SummaryTable::read(only_child(dlieu, "BTHDLieu")?)?),
        _ => Body::Raw(src[dlieu.start_tag_end..dlieu.end_tag_start].to_owned()),
    })
}
