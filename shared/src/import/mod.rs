//! What an invoice file issued anywhere says, as the importer understands it (#18).
//!
//! [`read_file`] takes one file's bytes (a bare `HDon`, a `TDiep` 200/202/203 carrying any
//! number of them, or a 04/SS notice `TBao`, bare or in a `TDiep` 300) and returns what it
//! found: invoices ([`ImportedInvoice`]) and notice rows ([`NoticeRow`]). Nothing is refused
//! for being inconsistent — real data is (a real coded invoice declares 84,000 VAT on 10 % of
//! 1,200,000): every finding of the core's `check` becomes a warning, the totals are recomputed
//! beside the declared ones, and signatures are verified under the tolerant
//! [`Policy`](crate::dsig::Policy) (what the authority accepts, the difference stated). A file
//! is refused ([`FileRefusal`]) only when it is not XML, is hostile (DTD, past the parser's
//! limits, past the verifier's cost bounds), or holds nothing identifiable: an invoice needs
//! its seller's tax id, form, symbol and number — its [`InvoiceKey`], the identity under which
//! it is recorded once.
//!
//! Like the rest of the core: no I/O; the caller reads the bytes (and unpacks ZIPs).

mod invoice;
mod notice;

pub use invoice::{
    Amounts, ImportedInvoice, ImportedLine, ImportedParty, InvoiceKind, RateAmounts, RelatedRef,
    SellerSignature, SignatureVerdict, issued_here,
};
pub use notice::{NoticeAction, NoticeRow};

use crate::api::Detail;
use crate::xml::dom::{self, Element, Limits};
use serde::{Deserialize, Serialize};

/// The identity of an invoice wherever it was issued: seller tax id + form + symbol + number.
/// The tax-authority code is not part of it (the copy before and after coding is the same
/// invoice).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceKey {
    pub seller_tax_id: String,
    /// `KHMSHDon` (1–6).
    pub form: String,
    /// `KHHDon`, e.g. `C25TAB`.
    pub symbol: String,
    pub number: u64,
}

impl InvoiceKey {
    /// A stable text form, usable as a store key: `0101234567#1#C25TAB#00000042`. Upper-cased
    /// symbol and the tax id without spaces, so the same invoice written two ways meets itself.
    pub fn id(&self) -> String {
        format!(
            "{}#{}#{}#{:08}",
            self.seller_tax_id.trim(),
            self.form.trim(),
            self.symbol.trim().to_uppercase(),
            self.number
        )
    }
    /// The key of an invoice another one names (a related invoice, a notice row), when its
    /// number reads as one.
    pub fn of(seller_tax_id: &str, form: &str, symbol: &str, number: &str) -> Option<Self> {
        Some(InvoiceKey {
            seller_tax_id: seller_tax_id.trim().to_owned(),
            form: form.trim().to_owned(),
            symbol: symbol.trim().to_uppercase(),
            number: number.trim().parse().ok().filter(|n| *n > 0)?,
        })
    }
}

impl std::fmt::Display for InvoiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}{} số {}",
            self.seller_tax_id, self.form, self.symbol, self.number
        )
    }
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Found {
    Invoice(ImportedInvoice),
    /// A 04/SS row: what it says about one invoice (cancelled, adjusted, replaced, explained).
    Notice(NoticeRow),
}

/// Why a whole file was refused; the rest of an upload proceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{code}: {message_en}")]
pub struct FileRefusal {
    /// Stable: `import.not_utf8`, `import.xml`, `import.not_an_invoice`, `import.unidentified`,
    /// `import.too_large`, `import.archive`.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

impl FileRefusal {
    pub fn new(code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        FileRefusal {
            code: code.to_owned(),
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }
}

/// Largest file read (bytes): the parser's own limit; a 5,000-line invoice is about 2 MiB.
pub const MAX_FILE_BYTES: usize = 8 << 20;

/// Reads one file. Invoices keep their exact bytes ([`ImportedInvoice::xml`]): a signature
/// covers bytes, so they are sliced from the file, never re-serialised.
pub fn read_file(bytes: &[u8]) -> Result<Vec<Found>, FileRefusal> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileRefusal::new(
            "import.too_large",
            format!(
                "Tệp {} byte, vượt giới hạn {MAX_FILE_BYTES} byte.",
                bytes.len()
            ),
            format!(
                "The file is {} bytes; the limit is {MAX_FILE_BYTES}.",
                bytes.len()
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FileRefusal::new(
            "import.not_utf8",
            format!("Tệp không phải UTF-8 (byte {}).", e.valid_up_to()),
            format!("The file is not UTF-8 (at byte {}).", e.valid_up_to()),
        )
    })?;
    let doc = dom::parse_with(text, Limits::default()).map_err(|e| {
        FileRefusal::new(
            "import.xml",
            format!("Không đọc được XML: {e}."),
            format!("Not readable as XML: {e}."),
        )
    })?;
    let mut found = Vec::new();
    let mut invoices = Vec::new();
    let mut notices = Vec::new();
    collect(&doc.root, false, &mut invoices, &mut notices);
    for (hdon, wrapped) in invoices {
        found.push(Found::Invoice(invoice::read(text, hdon, wrapped)?));
    }
    for tbao in notices {
        found.extend(notice::read(tbao)?.into_iter().map(Found::Notice));
    }
    if found.is_empty() {
        return Err(FileRefusal::new(
            "import.not_an_invoice",
            format!(
                "Tệp không chứa hóa đơn (HDon có DLHDon) hay thông báo 04/SS (TBao); phần tử gốc \
                 là {}.",
                doc.root.name
            ),
            format!(
                "The file holds no invoice (HDon with DLHDon) nor 04/SS notice (TBao); its root \
                 is {}.",
                doc.root.name
            ),
        ));
    }
    Ok(found)
}

/// The invoices (with whether an ancestor declares namespaces) and 04/SS notices of a tree,
/// outermost first; never inside another invoice.
fn collect<'a>(
    e: &'a Element,
    ns_above: bool,
    invoices: &mut Vec<(&'a Element, bool)>,
    notices: &mut Vec<&'a Element>,
) {
    if e.local_name() == "HDon" && e.child("DLHDon").is_some() {
        invoices.push((e, ns_above));
        return;
    }
    if e.local_name() == "TBao"
        && e.child("DLTBao")
            .is_some_and(|d| d.child("DSHDon").is_some())
    {
        notices.push(e);
        return;
    }
    let ns = ns_above || e.attrs.iter().any(|a| a.name.starts_with("xmlns"));
    for c in e.elements() {
        collect(c, ns, invoices, notices);
    }
}

/// A warning as the importer reports it (a [`Detail`] of severity warning).
pub(crate) fn warning(code: &str, path: &str, vi: String, en: String) -> Detail {
    Detail {
        severity: crate::Severity::Warning,
        code: code.to_owned(),
        path: path.to_owned(),
        message_vi: vi,
        message_en: en,
    }
}
