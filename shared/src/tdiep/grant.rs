//! The tax authority's side of a 202: the code (`MCCQT`) and the CQT signature put on a
//! seller-signed invoice (vn-einvoice §1.9, §3.3).
//!
//! hoadon is not the tax authority, but its local simulator of the authority must produce a 202
//! that [`accept_code`](super::accept_code) accepts exactly as it would accept the real one, so
//! the coding step lives here, beside the check, in the same two phases as the seller's
//! signature ([`dsig::prepare_as`] with [`Layout::AUTHORITY`], then [`Prepared::attach`]): the
//! key holder (a test key in the simulator) signs the canonical `SignedInfo` elsewhere.
//!
//! Where things go, as in the real 202 (sample 03): `MCCQT Id="…"` is a child of `HDon` after
//! `DLHDon` (and after `DLQRCode` when there is one), before `DSCKS`; the CQT `Signature` goes
//! into `DSCKS/CQT`, after `NBan`/`NMua`/`CCKSKhac`, referencing `#<DLHDon Id>` (no transforms),
//! its own `SigningTime` object and `#<MCCQT Id>`. **Bytes are only inserted**: `DLHDon` and the
//! seller's signature stay byte-identical, which is what `accept_code` checks on the other side.

use super::{SignedHDon, TdiepError, invalid};
use crate::date::DateTime;
use crate::dsig::{self, Layout, Prepared, SignerCertificate};
use crate::xml::dom;

/// Longest `MCCQT` (vn-einvoice §1.9: 34 characters).
pub const MAX_CODE: usize = 34;

/// An `MCCQT` with the `Id` the CQT signature references it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityCode {
    id: String,
    code: String,
}

impl AuthorityCode {
    /// `code`: 1–34 ASCII letters or digits (real codes are `00` + 32 upper-case hex); `id`: an
    /// XML name (real ones are `Id-` + 32 hex). Both are written into signed XML unescaped, so
    /// anything else is refused here.
    pub fn new(id: &str, code: &str) -> Result<Self, TdiepError> {
        if code.is_empty()
            || code.len() > MAX_CODE
            || !code.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(invalid(
                "HDon/MCCQT",
                code,
                "1 to 34 ASCII letters or digits (§1.9)",
            ));
        }
        let plain = id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !crate::xml::is_ncname(id) || !plain || id.len() > 64 {
            return Err(invalid(
                "HDon/MCCQT/@Id",
                id,
                "an XML name of ASCII letters, digits and '-' (at most 64)",
            ));
        }
        Ok(AuthorityCode {
            id: id.to_owned(),
            code: code.to_owned(),
        })
    }
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// Inserts `MCCQT` into a seller-signed `HDon` and prepares the CQT signature over `DLHDon`,
/// `MCCQT` and its `SigningTime`. [`Prepared::attach`] with the authority key's RSA-SHA256 value
/// over [`Prepared::signed_info`] completes the coded `HDon` (no XML declaration, like every
/// embedded `SignedHDon`).
///
/// Refused: an invoice that already has an `MCCQT` (a code is granted once) or a CQT
/// signature, and an `Id` already used in the document.
pub fn grant(
    invoice: &SignedHDon,
    code: &AuthorityCode,
    authority: &SignerCertificate,
    signing_time: DateTime,
) -> Result<Prepared, TdiepError> {
    let src = invoice.as_str();
    let doc = dom::parse(src)?;
    let hdon = &doc.root;
    if hdon.child("MCCQT").is_some() {
        return Err(TdiepError::Structure(
            "HDon already has an MCCQT: a code is granted once".into(),
        ));
    }
    let mut used = Vec::new();
    collect_ids(hdon, &mut used);
    if used.iter().any(|u| u == code.id()) {
        return Err(invalid(
            "HDon/MCCQT/@Id",
            code.id(),
            "an Id not already used in the invoice",
        ));
    }
    // After DLHDon and DLQRCode, before DSCKS and anything else (the order of §1.2).
    let dl = hdon.child("DLHDon").expect("a SignedHDon has one DLHDon");
    let at = hdon
        .child("DLQRCode")
        .filter(|q| q.start > dl.start)
        .map_or(dl.end, |q| q.end);
    let element = format!("<MCCQT Id=\"{}\">{}</MCCQT>", code.id(), code.code());
    let mut coded = String::with_capacity(src.len() + element.len());
    coded.push_str(&src[..at]);
    coded.push_str(&element);
    coded.push_str(&src[at..]);
    dsig::prepare_as(Layout::AUTHORITY, &coded, authority, signing_time).map_err(|e| match e {
        dsig::DsigError::Xml(x) => TdiepError::Xml(x),
        other => TdiepError::Structure(format!("the CQT signature cannot be prepared: {other}")),
    })
}

fn collect_ids(e: &dom::Element, out: &mut Vec<String>) {
    for a in &e.attrs {
        if matches!(a.name.as_str(), "Id" | "id" | "ID") {
            out.push(a.value.clone());
        }
    }
    for c in e.elements() {
        collect_ids(c, out);
    }
}
