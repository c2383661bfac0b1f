//! Invoices inside messages: 200 (for a code), 203 (uncoded data) and 202 (code granted).
//!
//! A signature covers canonical bytes, so a signed `HDon` is carried as the exact text that was
//! signed: inserted into `DLieu` on writing, sliced out of the message by its byte span on
//! reading, never re-serialised (vn-einvoice §3.4 pitfall 4).

use super::TdiepError;
use crate::dsig::{SignatureReport, verify_document};
use crate::xml::dom::{self, Element};

/// One signed `HDon`, as its exact bytes (no XML declaration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHDon {
    xml: String,
    data_id: String,
}

impl SignedHDon {
    /// Takes a seller-signed invoice document (as `dsig::Prepared::attach` returns it). Refuses
    /// one whose root is not an `HDon` with one `DLHDon@Id` and a `DSCKS/NBan/Signature`: a
    /// 200 or 203 carries signed invoices only. The signature itself is not checked here
    /// (that is `dsig::verify_document`'s job, before sending).
    pub fn from_document(document: &str) -> Result<Self, TdiepError> {
        let doc = dom::parse(document)?;
        Self::from_element(document, &doc.root, "HDon")
    }

    fn from_element(src: &str, hdon: &Element, at: &str) -> Result<Self, TdiepError> {
        if hdon.local_name() != "HDon" {
            return Err(TdiepError::Structure(format!(
                "{at}: expected an HDon, found {}",
                hdon.name
            )));
        }
        let dl: Vec<&Element> = hdon
            .elements()
            .filter(|e| e.local_name() == "DLHDon")
            .collect();
        let [dl] = dl[..] else {
            return Err(TdiepError::Structure(format!(
                "{at} must have exactly one DLHDon, has {}",
                dl.len()
            )));
        };
        let data_id = dl
            .attr("Id")
            .filter(|i| !i.is_empty())
            .ok_or_else(|| TdiepError::Missing(format!("{at}/DLHDon/@Id")))?;
        let signed = hdon
            .child("DSCKS")
            .and_then(|d| d.child("NBan"))
            .is_some_and(|n| n.child("Signature").is_some());
        if !signed {
            return Err(TdiepError::Missing(format!(
                "{at}/DSCKS/NBan/Signature (only seller-signed invoices are sent)"
            )));
        }
        Ok(SignedHDon {
            xml: src[hdon.start..hdon.end].to_owned(),
            data_id: data_id.to_owned(),
        })
    }

    /// The exact bytes.
    pub fn as_str(&self) -> &str {
        &self.xml
    }
    /// `DLHDon@Id`.
    pub fn data_id(&self) -> &str {
        &self.data_id
    }
}

/// The `HDon`s of a 200 / 202 / 203 `DLieu`, each sliced from `src` by its span.
pub(crate) fn read_embedded(src: &str, dlieu: &Element) -> Result<Vec<SignedHDon>, TdiepError> {
    let v = dlieu
        .elements()
        .enumerate()
        .map(|(i, e)| SignedHDon::from_element(src, e, &format!("TDiep/DLieu/HDon[{}]", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    if v.is_empty() {
        return Err(TdiepError::Missing("TDiep/DLieu/HDon".into()));
    }
    Ok(v)
}

/// The tax authority's code for one invoice, accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGranted {
    /// `DLHDon@Id` of the invoice.
    pub data_id: String,
    /// `MCCQT`.
    pub code: String,
    /// The coded invoice (seller and CQT signatures), byte-exact: what to archive and deliver.
    pub invoice: SignedHDon,
    /// The certificate (DER) of the CQT signature's key: the caller decides whether it is the
    /// authority's (the signature verifies with it, which says nothing about who holds it).
    pub authority_certificate: Vec<u8>,
}

/// Why a 202 is not accepted. Each names the element and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    #[error("the 202 cannot be read: {0}")]
    Unreadable(#[from] TdiepError),
    #[error("the message is MLTDiep {0}, not 202")]
    NotA202(u16),
    #[error("HDon with DLHDon@Id {0:?} was not in the 200 that was sent")]
    NotSent(String),
    #[error(
        "DLHDon@Id {id:?}: DLHDon differs from the sent seller-signed DLHDon at byte {at} \
         (it must be byte-identical: the code vouches for what was sent)"
    )]
    Altered { id: String, at: usize },
    #[error("DLHDon@Id {id:?}: {element} is missing")]
    Missing { id: String, element: &'static str },
    #[error("DLHDon@Id {id:?}: the {role} signature is invalid: {reason}")]
    BadSignature {
        id: String,
        role: &'static str,
        reason: String,
    },
    #[error("DLHDon@Id {id:?}: the CQT signature does not cover {what}")]
    NotCovered { id: String, what: &'static str },
    #[error(
        "DLHDon@Id {id:?}: the HDon differs from the sent one beyond MCCQT and the CQT signature \
         (everything else, the seller's signature included, must come back byte-identical)"
    )]
    Added { id: String },
}

/// Checks a 202 against the 200 that was sent and returns the granted codes.
///
/// For every `HDon` of the reply: its `DLHDon` must be byte-identical to the sent one with the
/// same `Id`; the seller signature (`DSCKS/NBan`) and the CQT signature (`DSCKS/CQT`) must both
/// verify with [`verify_document`]; the CQT signature must reference `DLHDon`, `MCCQT` and its
/// own `SigningTime` (vn-einvoice §3.3). Each `HDon` is verified on its own bytes: the envelope
/// declares no namespaces (checked on reading), so its canonical form is the same inside it.
pub fn accept_code(sent: &[SignedHDon], reply: &str) -> Result<Vec<CodeGranted>, CodeRefusal> {
    let msg = super::TDiep::read(reply)?;
    if msg.header.kind != super::MessageKind::CodeGranted {
        return Err(CodeRefusal::NotA202(msg.header.kind.code()));
    }
    let super::Body::Invoices(received) = msg.body else {
        unreachable!("a 202 body is read as invoices")
    };
    received.into_iter().map(|r| check_one(sent, r)).collect()
}

fn check_one(sent: &[SignedHDon], got: SignedHDon) -> Result<CodeGranted, CodeRefusal> {
    let id = got.data_id.clone();
    let original = sent
        .iter()
        .find(|s| s.data_id == id)
        .ok_or_else(|| CodeRefusal::NotSent(id.clone()))?;
    let ours = dom::parse(&original.xml).map_err(TdiepError::from)?;
    let theirs = dom::parse(&got.xml).map_err(TdiepError::from)?;
    let span = |src: &'_ str, hdon: &Element| {
        let dl = hdon.child("DLHDon").expect("checked when read");
        src.as_bytes()[dl.start..dl.end].to_vec()
    };
    let (a, b) = (
        span(&original.xml, &ours.root),
        span(&got.xml, &theirs.root),
    );
    if a != b {
        let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        return Err(CodeRefusal::Altered { id, at });
    }
    let missing = |element| CodeRefusal::Missing {
        id: id.clone(),
        element,
    };
    let mccqt = theirs.root.child("MCCQT").ok_or_else(|| missing("MCCQT"))?;
    let code = mccqt.text().trim().to_owned();
    if code.is_empty() {
        return Err(missing("the MCCQT value"));
    }
    let reports = verify_document(&got.xml).map_err(TdiepError::from)?;
    let find = |role: &'static str| -> Result<&SignatureReport, CodeRefusal> {
        let r = reports
            .iter()
            .find(|r| r.location == format!("HDon/DSCKS/{role}"))
            .ok_or_else(|| {
                missing(if role == "NBan" {
                    "DSCKS/NBan/Signature"
                } else {
                    "DSCKS/CQT/Signature"
                })
            })?;
        match &r.failure {
            Some(reason) => Err(CodeRefusal::BadSignature {
                id: id.clone(),
                role: if role == "NBan" { "seller" } else { "CQT" },
                reason: reason.clone(),
            }),
            None => Ok(r),
        }
    };
    find("NBan")?;
    let cqt = find("CQT")?;
    let covers = |target: Option<&str>| {
        target.is_some_and(|t| cqt.references.iter().any(|r| r.uri == format!("#{t}")))
    };
    let not_covered = |what| CodeRefusal::NotCovered {
        id: id.clone(),
        what,
    };
    if !covers(Some(&id)) {
        return Err(not_covered("DLHDon"));
    }
    if !covers(mccqt.attr("Id")) {
        return Err(not_covered("MCCQT"));
    }
    let cqt_sig = theirs
        .root
        .child("DSCKS")
        .and_then(|d| d.child("CQT"))
        .and_then(|c| c.child("Signature"))
        .ok_or_else(|| missing("DSCKS/CQT/Signature"))?;
    let time_object = cqt_sig
        .elements()
        .filter(|e| e.local_name() == "Object")
        .find(|o| o.find(&|e| e.local_name() == "SigningTime").is_some());
    if !covers(time_object.and_then(|o| o.attr("Id"))) {
        return Err(not_covered("its SigningTime"));
    }
    let cert_text = cqt_sig
        .find(&|e| e.local_name() == "X509Certificate")
        .map(|e| e.text())
        .unwrap_or_default();
    let authority_certificate = crate::dsig::b64_decode(cert_text.trim())
        .ok()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| missing("DSCKS/CQT/Signature/KeyInfo/X509Data/X509Certificate"))?;
    // Nothing but MCCQT and the CQT signature may have been added: the rest of the HDon (the
    // seller's signature too) must be the bytes that were sent.
    let cqt = theirs
        .root
        .child("DSCKS")
        .and_then(|d| d.child("CQT"))
        .ok_or_else(|| missing("DSCKS/CQT"))?;
    let src = got.xml.as_bytes();
    let cut = |spans: &[(usize, usize, &[u8])]| -> Vec<u8> {
        let mut out = Vec::with_capacity(src.len());
        let mut at = 0;
        for (a, b, with) in spans {
            out.extend_from_slice(&src[at..*a]);
            out.extend_from_slice(with);
            at = *b;
        }
        out.extend_from_slice(&src[at..]);
        out
    };
    let (m, c) = ((mccqt.start, mccqt.end), (cqt.start, cqt.end));
    let sent_bytes = original.xml.as_bytes();
    let same = m.1 <= c.0
        && [&b""[..], b"<CQT></CQT>", b"<CQT/>"]
            .iter()
            .any(|with| cut(&[(m.0, m.1, b""), (c.0, c.1, with)]) == sent_bytes);
    if !same {
        return Err(CodeRefusal::Added { id });
    }
    Ok(CodeGranted {
        data_id: id,
        code,
        invoice: got,
        authority_certificate,
    })
}
