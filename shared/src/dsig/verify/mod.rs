//! Verification of every XML signature in a document.
//!
//! The verdict is cryptographic: every `Reference` digest and the `SignatureValue`, checked with
//! the key in the signature's own `KeyInfo` (whichever of its certificates signed, see [`key`]).
//! Trust questions (who the signer is, whether the certificate was valid, whether its tax id is
//! the seller's) are reported as warnings beside the verdict, never mixed into it. For invoices
//! two structural checks join the verdict, because without them a valid signature can vouch for
//! content that is not the content read: the seller signature must cover the very `DLHDon` the
//! reader uses — by its `Id`, or the whole document (`URI=""`) — (no signature wrapping), and
//! a tax-authority signature must cover `MCCQT`.
//!
//! Two readings ([`Policy`]): **strict** XMLDSig, as xmlsec1 reads it (hoadon's own signatures,
//! the authority's replies, everything hoadon issues), and **tolerant**, for invoices issued
//! elsewhere and imported: what the tax authority accepts (ARCHITECTURE.md, "Verification
//! policy"). The cost is bounded: at most [`MAX_SIGNATURES`] signatures and
//! [`MAX_REFERENCES`] references per document, [`reference::MAX_TRANSFORMS`] transforms per
//! reference, keys of at most [`key::MAX_KEY_BITS`] bits.

mod key;
mod reference;

pub use key::{MAX_CERTIFICATES, MAX_EXPONENT_BYTES, MAX_KEY_BITS};
pub use reference::MAX_TRANSFORMS;

use super::c14n::{self, canonicalize_subtree, namespace_of};
use super::{DSIG_NS, SignatureAlg, b64_decode};
use crate::date::DateTime;
use crate::dsig::c14n::C14n;
use crate::xml::dom::{self, Element, XmlError};
use reference::{IdIndex, check_reference};

/// Most signatures verified in one document (an invoice has two or three, a notice two).
pub const MAX_SIGNATURES: usize = 8;
/// Most references followed in one document, all signatures together: each one canonicalises
/// up to the whole document, so this bounds the work to a small multiple of its size.
pub const MAX_REFERENCES: usize = 24;

/// How a reference to an element inside its own signature, carrying the enveloped-signature
/// transform, is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// XMLDSig as written (xmlsec1): the transform removes the element, the digest is over
    /// nothing, the reference fails. hoadon's own documents and everything it issues.
    #[default]
    Strict,
    /// What the tax authority accepts for invoices issued elsewhere: the digest is also tried
    /// without the transform (as .NET-style verifiers do); when it matches, the reference
    /// counts, marked not strict, with a warning naming what strict XMLDSig leaves unprotected.
    /// Everything else (the invoice data's reference, the `SignatureValue`) stays exact.
    Tolerant,
}

/// One reference of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceReport {
    pub uri: String,
    pub digest_ok: bool,
    /// The digest also holds under strict XMLDSig (false when only the tolerant reading does).
    pub strict: bool,
    /// Why the digest could not be checked or did not match; for a tolerated reference, what is
    /// not protected.
    pub detail: Option<String>,
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// 1-based, in document order.
    pub index: usize,
    /// Where it sits, e.g. `TDiep/DLieu/HDon/DSCKS/NBan`.
    pub location: String,
    pub id: Option<String>,
    /// `rsa-sha1`, `rsa-sha256`, …
    pub algorithm: String,
    pub signer: Option<String>,
    pub tax_id: Option<String>,
    pub signing_time: Option<String>,
    pub references: Vec<ReferenceReport>,
    pub signature_value_ok: bool,
    /// The verdict, under the policy asked for.
    pub valid: bool,
    /// The verdict would be the same under strict XMLDSig (`valid` and no tolerated reference).
    pub strict: bool,
    /// Why it is invalid: the first failing reference, the SignatureValue, or a structural rule.
    pub failure: Option<String>,
    pub warnings: Vec<String>,
}

/// Verifies every `ds:Signature` of a document, strictly.
pub fn verify_document(xml: &str) -> Result<Vec<SignatureReport>, XmlError> {
    verify_document_with(xml, Policy::Strict)
}

/// Verifies every `ds:Signature` of a document under `policy`. A document with more than
/// [`MAX_SIGNATURES`] signatures or [`MAX_REFERENCES`] references is refused whole.
pub fn verify_document_with(xml: &str, policy: Policy) -> Result<Vec<SignatureReport>, XmlError> {
    let doc = dom::parse(xml)?;
    verify_parsed(&doc, policy)
}

/// [`verify_document_with`] on a document already parsed (the importer parses once).
pub fn verify_parsed(
    doc: &dom::Document,
    policy: Policy,
) -> Result<Vec<SignatureReport>, XmlError> {
    let mut sigs = Vec::new();
    find_signatures(&doc.root, &mut Vec::new(), &mut Vec::new(), &mut sigs);
    if sigs.len() > MAX_SIGNATURES {
        return Err(XmlError::Content(format!(
            "{} signatures; at most {MAX_SIGNATURES} are verified in one document",
            sigs.len()
        )));
    }
    let references: usize = sigs
        .iter()
        .filter_map(|p| p.last()?.child("SignedInfo"))
        .map(|si| {
            si.elements()
                .filter(|e| e.local_name() == "Reference")
                .count()
        })
        .sum();
    if references > MAX_REFERENCES {
        return Err(XmlError::Content(format!(
            "{references} signature references; at most {MAX_REFERENCES} are followed in one \
             document"
        )));
    }
    let ids = IdIndex::new(&doc.root);
    Ok(sigs
        .iter()
        .enumerate()
        .map(|(i, path)| verify_one(doc, &ids, path, i + 1, policy))
        .collect())
}

fn find_signatures<'a>(
    e: &'a Element,
    scope: &mut Vec<(&'a str, &'a str)>,
    path: &mut Vec<&'a Element>,
    out: &mut Vec<Vec<&'a Element>>,
) {
    let mark = scope.len();
    scope.extend(c14n::declarations(e));
    path.push(e);
    if e.local_name() == "Signature" && namespace_of(scope, &e.name, false) == DSIG_NS {
        out.push(path.clone());
    } else {
        for c in e.elements() {
            find_signatures(c, scope, path, out);
        }
    }
    path.pop();
    scope.truncate(mark);
}

fn verify_one(
    doc: &dom::Document,
    ids: &IdIndex,
    path: &[&Element],
    index: usize,
    policy: Policy,
) -> SignatureReport {
    let sig = *path.last().expect("a signature path ends at the signature");
    let location: Vec<&str> = path[..path.len() - 1]
        .iter()
        .map(|e| e.local_name())
        .collect();
    let mut rep = SignatureReport {
        index,
        location: location.join("/"),
        id: sig.attr("Id").or_else(|| sig.attr("id")).map(str::to_owned),
        algorithm: String::new(),
        signer: None,
        tax_id: None,
        signing_time: None,
        references: Vec::new(),
        signature_value_ok: false,
        valid: false,
        strict: false,
        failure: None,
        warnings: Vec::new(),
    };
    let signing_time = sig
        .find(&|e| e.local_name() == "SigningTime")
        .map(|e| e.text().trim().to_owned());
    rep.signing_time.clone_from(&signing_time);

    let Some(si) = sig.child("SignedInfo") else {
        rep.failure = Some("no SignedInfo".into());
        return rep;
    };
    let c14n_alg = si
        .child("CanonicalizationMethod")
        .and_then(|m| m.attr("Algorithm"))
        .and_then(C14n::from_uri);
    let sig_alg = si
        .child("SignatureMethod")
        .and_then(|m| m.attr("Algorithm"))
        .and_then(SignatureAlg::from_uri);
    let (Some(c14n_alg), Some(sig_alg)) = (c14n_alg, sig_alg) else {
        rep.failure =
            Some("missing or unsupported CanonicalizationMethod or SignatureMethod".into());
        return rep;
    };
    rep.algorithm = sig_alg.name().to_owned();

    let mut targets = Vec::new();
    for r in si.elements().filter(|e| e.local_name() == "Reference") {
        let o = check_reference(doc, ids, sig, r, policy);
        targets.push(o.target);
        rep.references.push(o.report);
    }
    if rep.references.is_empty() {
        rep.failure = Some("SignedInfo has no Reference".into());
        return rep;
    }

    // SignedInfo in its context, with comments when the method says so.
    let mut si_path: Vec<&Element> = path.to_vec();
    si_path.push(si);
    let mut signed_info = Vec::new();
    canonicalize_subtree(&si_path, None, &c14n_alg, &mut signed_info);

    let value = sig
        .child("SignatureValue")
        .and_then(|v| b64_decode(&v.text()).ok());
    match key::signer_key(sig, sig_alg, &signed_info, value.as_deref()) {
        Err(e) => rep.failure = Some(e),
        Ok(key) => {
            rep.signature_value_ok = key.verifies;
            if let Some(c) = &key.cert {
                rep.signer = Some(c.subject.clone());
                rep.tax_id = c.tax_id();
                if c.key_bits() < 2048 {
                    rep.warnings
                        .push(format!("RSA key of {} bits (below 2048)", c.key_bits()));
                }
                match signing_time.as_deref().map(str::parse::<DateTime>) {
                    Some(Ok(t)) if !c.valid_at(t) => rep.warnings.push(format!(
                        "certificate not valid at the signing time {t} (valid {} to {})",
                        c.not_before, c.not_after
                    )),
                    _ => {}
                }
            } else {
                rep.warnings
                    .push("no certificate in KeyInfo: the signer cannot be identified".into());
            }
        }
    }
    if sig_alg == SignatureAlg::RsaSha1 {
        rep.warnings.push(
            "signed with SHA-1 (still accepted for invoices; hoadon signs with SHA-256)".into(),
        );
    }

    rep.failure = rep.failure.take().or_else(|| {
        rep.references
            .iter()
            .enumerate()
            .find(|(_, r)| !r.digest_ok)
            .map(|(i, r)| {
                format!(
                    "reference {} ({}): {}",
                    i + 1,
                    r.uri,
                    r.detail.as_deref().unwrap_or("")
                )
            })
    });
    if rep.failure.is_none() && !rep.signature_value_ok {
        rep.failure = Some("SignatureValue does not verify over the canonical SignedInfo".into());
    }
    if rep.failure.is_none() {
        rep.failure = invoice_rules(path, &targets, &mut rep);
    }
    rep.valid = rep.failure.is_none();
    rep.strict = rep.valid && rep.references.iter().all(|r| r.strict);
    for r in rep.references.iter().filter(|r| r.digest_ok && !r.strict) {
        if let Some(what) = &r.detail {
            rep.warnings.push(format!("reference {}: {what}", r.uri));
        }
    }
    rep
}

/// The invoice-specific structural rules (see the module doc). Returns a failure, if any.
fn invoice_rules(
    path: &[&Element],
    targets: &[Option<Option<usize>>],
    rep: &mut SignatureReport,
) -> Option<String> {
    let n = path.len();
    if n < 4 || path[n - 3].local_name() != "DSCKS" || path[n - 4].local_name() != "HDon" {
        return None;
    }
    let hdon = path[n - 4];
    let role = path[n - 2].local_name();
    // `Some(None)`: a reference to the whole document (`URI=""`, with the enveloped transform)
    // covers every element outside the signature.
    let covers =
        |e: &Element| targets.contains(&Some(Some(e.start))) || targets.contains(&Some(None));
    match role {
        "NBan" => {
            let dl: Vec<&Element> = hdon
                .elements()
                .filter(|e| e.local_name() == "DLHDon")
                .collect();
            if dl.len() != 1 {
                return Some(format!(
                    "HDon has {} DLHDon elements (signature wrapping?)",
                    dl.len()
                ));
            }
            if !covers(dl[0]) {
                return Some("the seller signature does not cover the DLHDon of this HDon (signature wrapping?)".into());
            }
            let seller = dl[0]
                .child("NDHDon")
                .and_then(|nd| nd.child("NBan"))
                .and_then(|nb| nb.child_text("MST"));
            if let (Some(cert_mst), Some(seller)) = (&rep.tax_id, seller)
                && cert_mst.replace('-', "") != seller.replace('-', "")
            {
                rep.warnings.push(format!(
                    "certificate tax id {cert_mst} differs from the seller's NBan/MST {seller}"
                ));
            }
            if rep.tax_id.is_none() && rep.signer.is_some() {
                rep.warnings
                    .push("the certificate carries no MST: tax id".into());
            }
            None
        }
        "CQT" => match hdon.child("MCCQT") {
            Some(m) if !covers(m) => {
                Some("the tax-authority signature does not cover MCCQT".into())
            }
            _ => None,
        },
        _ => None,
    }
}

/// What a person is shown about a document's signatures: one line's worth (the browser's own
/// check on the invoice screen). Serialisable so that the separately loaded verifier module of
/// the web app can hand it to the app as JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignatureCheck {
    /// Every signature of the document is valid.
    pub valid: bool,
    /// The first signature's signer, tax id and signing time.
    pub signer: String,
    pub tax_id: String,
    pub time: String,
    /// Why the first signature failed, when it did.
    pub failure: Option<String>,
}

/// [`verify_document`] summed up for a person; `None` when the document has no signature or
/// does not parse.
pub fn check_signatures(xml: &str) -> Option<SignatureCheck> {
    let reports = verify_document(xml).ok()?;
    let r = reports.first()?;
    Some(SignatureCheck {
        valid: reports.iter().all(|r| r.valid),
        signer: r.signer.clone().unwrap_or_default(),
        tax_id: r.tax_id.clone().unwrap_or_default(),
        time: r.signing_time.clone().unwrap_or_default(),
        failure: r.failure.clone(),
    })
}
