//! Two-phase signing of an invoice with the Vietnamese seller-signature layout (and, with
//! [`prepare_as`], of a taxpayer's notice such as the 04/SS with [`Layout::NOTICE`], and the tax
//! authority's counter-signature over `DLHDon` and `MCCQT` with [`Layout::AUTHORITY`], which
//! `tdiep::grant` uses).
//!
//! `prepare(unsigned HDon, certificate, signing time)` inserts a `Signature` into `DSCKS/NBan`
//! (adding `DSCKS`, `NBan` and `DLHDon@Id` when missing), fills both reference digests and
//! returns the exact canonical `SignedInfo` bytes. The key holder signs those bytes with
//! RSA-SHA256 (KMS `Sign` with `MessageType=RAW`, a token's `CKM_RSA_PKCS` over the SHA-256 DigestInfo, a local key);
//! [`Prepared::attach`] verifies the returned value against the certificate and completes the
//! document. Bytes are only ever inserted: nothing already in the document is re-serialised.
//!
//! Layout (as the tax authority and the major providers emit it): references to `#<DLHDon Id>`
//! (enveloped-signature transform) and to an `Object` holding
//! `SignatureProperties/SignatureProperty/SigningTime`; inclusive C14N; SHA-256 digests;
//! `X509Data` with the subject name and the certificate.

use super::c14n::{C14n, canonicalize_subtree, path_to};
use super::cert;
use super::rsa::PublicKey;
use super::{DsigError, ENVELOPED, RSA_SHA256, SHA256, SignatureAlg, b64_encode, verify_with};
use crate::date::DateTime;
use crate::xml::dom::{self, Element};
use crate::xml::escape_text;
use sha2::{Digest, Sha256};

/// A signer's certificate, parsed once: its subject for `X509SubjectName`, its base64 for
/// `X509Certificate`, and its public key (with Montgomery constants) to check every value a key
/// holder returns. Build one per signer, not per invoice.
#[derive(Debug, Clone)]
pub struct SignerCertificate {
    subject_xml: String,
    der_b64: String,
    key: PublicKey,
    /// The subject's `MST:` tax id, if any.
    pub tax_id: Option<String>,
}

impl SignerCertificate {
    pub fn from_der(der: &[u8]) -> Result<Self, DsigError> {
        let cert = cert::parse(der)?;
        let key = PublicKey::new(&cert.modulus, &cert.exponent)
            .ok_or_else(|| cert::CertError("unusable RSA public key".into()))?;
        let mut subject_xml = String::new();
        escape_text(&cert.subject, &mut subject_xml);
        Ok(SignerCertificate {
            subject_xml,
            der_b64: b64_encode(der),
            key,
            tax_id: cert.tax_id(),
        })
    }

    /// The certificate's DER in base64, as it goes into `X509Certificate` (a signer that
    /// needs the key itself — a certificate request — parses it again).
    pub fn der_base64(&self) -> &str {
        &self.der_b64
    }
}

/// A document with its signature in place but no `SignatureValue` yet.
#[derive(Debug, Clone)]
pub struct Prepared {
    document: String,
    /// Offset of the (empty) `SignatureValue` content.
    value_at: usize,
    signed_info: Vec<u8>,
    key: PublicKey,
}

impl Prepared {
    /// The canonical `SignedInfo`: the bytes to sign with RSA-SHA256.
    pub fn signed_info(&self) -> &[u8] {
        &self.signed_info
    }
    /// The document with the signature in place and its `SignatureValue` still empty: what a
    /// reviewer (or a test) can check before a key is used; its references already verify.
    pub fn unsigned_document(&self) -> &str {
        &self.document
    }
    /// SHA-256 of [`Self::signed_info`], for signers that take a digest (a token's
    /// `CKM_RSA_PKCS` with a DigestInfo, "hash out, signature in").
    pub fn signed_info_digest(&self) -> [u8; 32] {
        Sha256::digest(&self.signed_info).into()
    }
    /// SHA-256 of the whole prepared document — everything of the signed file but the
    /// `SignatureValue` (the data, the signing time, the certificate in `KeyInfo`). With a
    /// deterministic signature (RSA PKCS#1 v1.5) it fixes the signed file: a server that
    /// records it before signing can tell a second, different file for the same invoice.
    pub fn document_digest(&self) -> [u8; 32] {
        Sha256::digest(self.document.as_bytes()).into()
    }
    /// Checks the RSA-SHA256 `signature` against the certificate and completes the document.
    pub fn attach(self, signature: &[u8]) -> Result<String, DsigError> {
        if !verify_with(
            &self.key,
            SignatureAlg::RsaSha256,
            &self.signed_info,
            signature,
        ) {
            return Err(DsigError::BadSignature);
        }
        let mut doc = self.document;
        doc.insert_str(self.value_at, &b64_encode(signature));
        Ok(doc)
    }
}

fn not_invoice(m: &str) -> DsigError {
    DsigError::NotAnInvoice(m.to_owned())
}

/// Where a signature goes: the signed document's root element, its data element (whose `Id`
/// the signature references), the `DSCKS` child for this signer, and what else it signs.
/// Invoices, the taxpayer's notices and the tax authority's counter-signature share everything
/// else (vn-einvoice §3, §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub root: &'static str,
    pub data: &'static str,
    pub slot: &'static str,
    /// Another child of `root` the signature references by its `Id`, after the data and the
    /// signing time (the CQT signs `MCCQT`). It must be in the document, with an `Id`; such a
    /// counter-signature also needs the data's `Id` to be there already (it never adds one).
    pub also: Option<&'static str>,
    /// Whether the data reference carries the enveloped-signature transform. The signer's own
    /// signatures do, as every provider writes them (a no-op: the signature is not inside the
    /// data); the CQT's references carry no transforms (sample 03).
    pub enveloped: bool,
    /// Prefix of the signature's own `Id`s (`Signature`, its `SigningTime` object), so that a
    /// second signer of the same data does not take the first one's ids.
    pub id_prefix: &'static str,
    /// Where a missing `slot` is added in an existing `DSCKS`: first (the signer's slot comes
    /// first: `NBan`, `NNT`) or last (`CQT`, after `NBan`, `NMua`, `CCKSKhac`, as in sample 03).
    pub slot_first: bool,
}

impl Layout {
    /// An invoice signed by its seller: `HDon/DLHDon`, `DSCKS/NBan`.
    pub const INVOICE: Layout = Layout {
        root: "HDon",
        data: "DLHDon",
        slot: "NBan",
        also: None,
        enveloped: true,
        id_prefix: "",
        slot_first: true,
    };
    /// A taxpayer's notice (04/SS-HĐĐT): `TBao/DLTBao`, `DSCKS/NNT`.
    pub const NOTICE: Layout = Layout {
        root: "TBao",
        data: "DLTBao",
        slot: "NNT",
        also: None,
        enveloped: true,
        id_prefix: "",
        slot_first: true,
    };
    /// The tax authority's signature on a coded invoice (vn-einvoice §3.3): `DSCKS/CQT`,
    /// referencing `DLHDon` (no transforms), its own `SigningTime` object and `MCCQT`.
    pub const AUTHORITY: Layout = Layout {
        root: "HDon",
        data: "DLHDon",
        slot: "CQT",
        also: Some("MCCQT"),
        enveloped: false,
        id_prefix: "CQT-",
        slot_first: false,
    };
}

fn find_root(root: &Element, l: Layout) -> Result<&Element, DsigError> {
    root.find(&|e| e.local_name() == l.root && e.child(l.data).is_some())
        .ok_or_else(|| not_invoice(&format!("no {} with a {}", l.root, l.data)))
}

fn ids_in(root: &Element, out: &mut Vec<String>) {
    for a in &root.attrs {
        if matches!(a.name.as_str(), "Id" | "id" | "ID") {
            out.push(a.value.clone());
        }
    }
    for c in root.elements() {
        ids_in(c, out);
    }
}

/// SHA-256 (base64) of the inclusive C14N of the last element of `path`, in its context.
fn canonical_digest(path: &[&Element]) -> String {
    let mut c = Vec::new();
    canonicalize_subtree(path, None, &C14n::inclusive(), &mut c);
    b64_encode(&Sha256::digest(&c))
}

/// The `SignedInfo` element; `time_digest` is empty until the Object digest is known.
/// `also` is the extra reference (`Id`, digest), after the data and the signing time.
fn signed_info_xml(
    layout: Layout,
    data: (&str, &str),
    time_id: &str,
    time_digest: &str,
    also: Option<(&str, &str)>,
) -> String {
    let (data_id, data_digest) = data;
    let transforms = if layout.enveloped {
        format!("<Transforms><Transform Algorithm=\"{ENVELOPED}\"/></Transforms>")
    } else {
        String::new()
    };
    let reference = |id: &str, digest: &str, transforms: &str| {
        format!(
            "<Reference URI=\"#{id}\">{transforms}<DigestMethod Algorithm=\"{SHA256}\"/>\
<DigestValue>{digest}</DigestValue></Reference>"
        )
    };
    format!(
        "<SignedInfo><CanonicalizationMethod Algorithm=\"{c14n}\"/><SignatureMethod Algorithm=\"{RSA_SHA256}\"/>\
{data}{time}{also}</SignedInfo>",
        c14n = super::c14n::C14N,
        data = reference(data_id, data_digest, &transforms),
        time = reference(time_id, time_digest, ""),
        also = also.map(|(id, d)| reference(id, d, "")).unwrap_or_default(),
    )
}

/// The whole `Signature` around a `SignedInfo`.
fn signature_xml(
    sig_id: &str,
    time_id: &str,
    signed_info: &str,
    cert: &SignerCertificate,
    signing_time: DateTime,
) -> String {
    format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"{sig_id}\">{signed_info}\
<SignatureValue></SignatureValue><KeyInfo><X509Data><X509SubjectName>{subject}</X509SubjectName>\
<X509Certificate>{cert_b64}</X509Certificate></X509Data></KeyInfo><Object Id=\"{time_id}\">\
<SignatureProperties><SignatureProperty Target=\"#{sig_id}\"><SigningTime>{signing_time}</SigningTime>\
</SignatureProperty></SignatureProperties></Object></Signature>",
        subject = cert.subject_xml,
        cert_b64 = cert.der_b64,
    )
}

/// Prepares `unsigned` for a seller signature by the holder of `cert_der`'s key.
///
/// The document is parsed once. Digests are computed on the tree as it will be after the
/// insertions (the new `Id` attribute added in memory, the signature parsed on its own and
/// canonicalized under its real ancestors, whose namespace declarations are all that inclusive
/// C14N takes from them), so the result equals canonicalizing the final document.
pub fn prepare(
    unsigned: &str,
    cert: &SignerCertificate,
    signing_time: DateTime,
) -> Result<Prepared, DsigError> {
    prepare_as(Layout::INVOICE, unsigned, cert, signing_time)
}

/// [`prepare`] for any [`Layout`]: `Layout::NOTICE` signs a 04/SS `TBao` into `DSCKS/NNT`;
/// `Layout::AUTHORITY` counter-signs a seller-signed `HDon` (with its `MCCQT`) into `DSCKS/CQT`.
pub fn prepare_as(
    layout: Layout,
    unsigned: &str,
    cert: &SignerCertificate,
    signing_time: DateTime,
) -> Result<Prepared, DsigError> {
    let doc = dom::parse(unsigned)?;
    let hdon = find_root(&doc.root, layout)?;
    if hdon
        .elements()
        .filter(|e| e.local_name() == layout.data)
        .count()
        != 1
    {
        return Err(not_invoice(&format!(
            "{} must have exactly one {}",
            layout.root, layout.data
        )));
    }
    let signed_already = hdon
        .child("DSCKS")
        .and_then(|d| d.child(layout.slot))
        .is_some_and(|n| n.child("Signature").is_some());
    if signed_already {
        return Err(DsigError::AlreadySigned);
    }
    let mut used = Vec::new();
    ids_in(&doc.root, &mut used);
    let dl = hdon.child(layout.data).expect("checked above");

    // 1. DLHDon@Id (added when missing) and the DLHDon digest.
    let mut dl_path = path_to(&doc.root, dl.start).expect("element of this document");
    let mut dl_with_id;
    let (data_id, id_insert) = match dl.attr("Id").or_else(|| dl.attr("id")) {
        Some(id) => (id.to_owned(), None),
        // A counter-signature (one that also signs another element, as the CQT's) signs data
        // that is already signed: adding an Id would change it under the first signature.
        None if layout.also.is_some() => {
            return Err(not_invoice(&format!(
                "{} has no Id: a counter-signature never changes the data",
                layout.data
            )));
        }
        None => {
            let id = (1..)
                .map(|i| {
                    if i == 1 {
                        layout.data.to_owned()
                    } else {
                        format!("{}-{i}", layout.data)
                    }
                })
                .find(|c| !used.contains(c))
                .expect("an unused id exists");
            dl_with_id = dl.clone();
            dl_with_id.attrs.push(dom::Attr {
                name: "Id".into(),
                value: id.clone(),
            });
            dl_path.pop();
            dl_path.push(&dl_with_id);
            used.push(id.clone());
            let attr = format!(" Id=\"{id}\"");
            (id, Some((dl.start + 1 + dl.name.len(), attr)))
        }
    };
    let data_digest = canonical_digest(&dl_path);
    let also = match layout.also {
        None => None,
        Some(name) => {
            let mut it = hdon.elements().filter(|e| e.local_name() == name);
            let (Some(e), None) = (it.next(), it.next()) else {
                return Err(not_invoice(&format!(
                    "{} must have exactly one {name} to sign",
                    layout.root
                )));
            };
            let id = e
                .attr("Id")
                .filter(|i| crate::xml::is_ncname(i))
                .ok_or_else(|| not_invoice(&format!("{name} has no Id (an XML name)")))?;
            let path = path_to(&doc.root, e.start).expect("element of this document");
            Some((id.to_owned(), canonical_digest(&path)))
        }
    };
    let p = layout.id_prefix;
    let sig_id = format!("{p}Sig-{data_id}");
    let time_id = format!("{p}SigningTime-{data_id}");
    for id in [&sig_id, &time_id] {
        if used.contains(id) {
            return Err(DsigError::IdTaken(id.clone()));
        }
    }

    // 2. Where the signature goes, and the existing element it will sit under.
    let prefix = hdon.prefix().map(|p| format!("{p}:")).unwrap_or_default();
    let (parent, at, end, open, close) = match hdon.child("DSCKS") {
        None => (
            hdon,
            hdon.end_tag_start,
            hdon.end_tag_start,
            format!("<{prefix}DSCKS><{prefix}{slot}>", slot = layout.slot),
            format!("</{prefix}{slot}></{prefix}DSCKS>", slot = layout.slot),
        ),
        Some(ds) => match ds.child(layout.slot) {
            Some(nb) if nb.start_tag_end == nb.end => (
                hdon.child("DSCKS").expect("matched"),
                nb.start,
                nb.end,
                format!("<{}>", nb.name),
                format!("</{}>", nb.name),
            ),
            Some(nb) => (
                nb,
                nb.start_tag_end,
                nb.start_tag_end,
                String::new(),
                String::new(),
            ),
            None if ds.start_tag_end == ds.end => (
                hdon,
                ds.start,
                ds.end,
                format!("<{d}><{prefix}{slot}>", d = ds.name, slot = layout.slot),
                format!("</{prefix}{slot}></{d}>", d = ds.name, slot = layout.slot),
            ),
            None => (
                ds,
                if layout.slot_first {
                    ds.start_tag_end
                } else {
                    ds.end_tag_start
                },
                if layout.slot_first {
                    ds.start_tag_end
                } else {
                    ds.end_tag_start
                },
                format!("<{prefix}{slot}>", slot = layout.slot),
                format!("</{prefix}{slot}>", slot = layout.slot),
            ),
        },
    };
    let ancestors = path_to(&doc.root, parent.start).expect("element of this document");

    let also_ref = also.as_ref().map(|(id, d)| (id.as_str(), d.as_str()));
    // 3. The Object digest, then the SignedInfo, each in the signature's final context: the
    //    Object inside the parsed signature, the SignedInfo parsed alone under that signature.
    let draft = signature_xml(
        &sig_id,
        &time_id,
        &signed_info_xml(layout, (&data_id, &data_digest), &time_id, "", also_ref),
        cert,
        signing_time,
    );
    let sig_doc = dom::parse(&draft)?;
    let canonical = |extra: &[&Element]| {
        let mut path = ancestors.clone();
        path.extend_from_slice(extra);
        let mut c = Vec::new();
        canonicalize_subtree(&path, None, &C14n::inclusive(), &mut c);
        c
    };
    let object = sig_doc.root.child("Object").expect("in the template");
    let time_digest = b64_encode(&Sha256::digest(canonical(&[&sig_doc.root, object])));
    let si_xml = signed_info_xml(
        layout,
        (&data_id, &data_digest),
        &time_id,
        &time_digest,
        also_ref,
    );
    let si_doc = dom::parse(&si_xml)?;
    let signed_info = canonical(&[&sig_doc.root, &si_doc.root]);
    let signature = signature_xml(&sig_id, &time_id, &si_xml, cert, signing_time);

    // 4. Insert (the later edit first, so offsets stay valid).
    let mut text = String::with_capacity(unsigned.len() + signature.len() + 64);
    text.push_str(&unsigned[..at]);
    text.push_str(&open);
    let value_in_sig =
        signature.find("<SignatureValue>").expect("template") + "<SignatureValue>".len();
    let mut value_at = text.len() + value_in_sig;
    text.push_str(&signature);
    text.push_str(&close);
    text.push_str(&unsigned[end..]);
    if let Some((pos, attr)) = id_insert {
        text.insert_str(pos, &attr);
        value_at += attr.len();
    }
    Ok(Prepared {
        document: text,
        value_at,
        signed_info,
        key: cert.key.clone(),
    })
}
