//! Verification of every XML signature in a document.
//!
//! The verdict is cryptographic: every `Reference` digest and the `SignatureValue`, checked with
//! the key in the signature's own `KeyInfo`. Trust questions (who the signer is, whether the
//! certificate was valid, whether its tax id is the seller's) are reported as warnings beside the
//! verdict, never mixed into it. For invoices two structural checks join the verdict, because
//! without them a valid signature can vouch for content that is not the content read:
//! the seller signature must cover the very `DLHDon` the reader uses (no signature wrapping), and
//! a tax-authority signature must cover `MCCQT`.

use super::c14n::{self, C14n, canonicalize_document, canonicalize_subtree, namespace_of, path_to};
use super::cert::{self, Certificate};
use super::{DSIG_NS, DigestAlg, SignatureAlg, b64_decode, rsa_verify};
use crate::date::DateTime;
use crate::xml::dom::{self, Document, Element, XmlError};

/// One reference of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceReport {
    pub uri: String,
    pub digest_ok: bool,
    /// Why the digest could not be checked or did not match.
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
    /// The verdict.
    pub valid: bool,
    /// Why it is invalid: the first failing reference, the SignatureValue, or a structural rule.
    pub failure: Option<String>,
    pub warnings: Vec<String>,
}

/// Verifies every `ds:Signature` of a document.
pub fn verify_document(xml: &str) -> Result<Vec<SignatureReport>, XmlError> {
    let doc = dom::parse(xml)?;
    let mut sigs = Vec::new();
    find_signatures(&doc.root, &mut Vec::new(), &mut Vec::new(), &mut sigs);
    let ids = IdIndex::new(&doc.root);
    Ok(sigs
        .iter()
        .enumerate()
        .map(|(i, path)| verify_one(&doc, &ids, path, i + 1))
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

/// Elements by their `Id`/`id`/`ID` attribute, to resolve `#id` references and detect duplicates.
struct IdIndex {
    ids: Vec<(String, usize)>,
}

impl IdIndex {
    fn new(root: &Element) -> Self {
        let mut ids = Vec::new();
        fn walk(e: &Element, ids: &mut Vec<(String, usize)>) {
            for a in &e.attrs {
                if matches!(a.name.as_str(), "Id" | "id" | "ID") {
                    ids.push((a.value.clone(), e.start));
                }
            }
            for c in e.elements() {
                walk(c, ids);
            }
        }
        walk(root, &mut ids);
        IdIndex { ids }
    }

    fn resolve(&self, id: &str) -> Result<usize, String> {
        let hits: Vec<usize> = self
            .ids
            .iter()
            .filter(|(v, _)| v == id)
            .map(|(_, s)| *s)
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no element has Id \"{id}\"")),
            many => Err(format!(
                "Id \"{id}\" is carried by {} elements (signature wrapping?)",
                many.len()
            )),
        }
    }
}

/// Data flowing through a reference's transforms.
enum Data {
    /// A subtree of the document (`apex` = element start, `None` = the whole document), minus an
    /// excluded subtree. Same-document references never include comments.
    Nodes {
        apex: Option<usize>,
        exclude: Option<usize>,
    },
    Octets(Vec<u8>),
}

fn canonical(doc: &Document, data: Data, alg: &C14n) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let alg = C14n {
        comments: false,
        ..alg.clone()
    };
    match data {
        Data::Octets(bytes) => {
            // A c14n transform after octets: parse them back into nodes (XMLDSig §4.3.3.3).
            let text = String::from_utf8(bytes).map_err(|_| "transform output is not UTF-8")?;
            let d = dom::parse(&text).map_err(|e| format!("transform output: {e}"))?;
            canonicalize_document(&d, None, &alg, &mut out);
        }
        Data::Nodes {
            apex: None,
            exclude,
        } => canonicalize_document(doc, exclude, &alg, &mut out),
        Data::Nodes {
            apex: Some(start),
            exclude,
        } => {
            let path = path_to(&doc.root, start).ok_or("referenced element vanished")?;
            canonicalize_subtree(&path, exclude, &alg, &mut out);
        }
    }
    Ok(out)
}

struct RefOutcome {
    report: ReferenceReport,
    /// Start of the element the reference selects.
    target: Option<usize>,
}

fn check_reference(doc: &Document, ids: &IdIndex, sig: &Element, r: &Element) -> RefOutcome {
    let uri = r.attr("URI").unwrap_or("").to_owned();
    let fail = |detail: String, target| RefOutcome {
        report: ReferenceReport {
            uri: uri.clone(),
            digest_ok: false,
            detail: Some(detail),
        },
        target,
    };
    let apex = match uri.as_str() {
        "" => None,
        u if u.starts_with('#') => match ids.resolve(&u[1..]) {
            Ok(s) => Some(s),
            Err(e) => return fail(e, None),
        },
        u => return fail(format!("external reference {u:?} is not followed"), None),
    };
    let Some(digest_alg) = r
        .child("DigestMethod")
        .and_then(|m| m.attr("Algorithm"))
        .and_then(DigestAlg::from_uri)
    else {
        return fail("missing or unsupported DigestMethod".into(), apex);
    };
    let expected = match r.child("DigestValue").map(|v| b64_decode(&v.text())) {
        Some(Ok(v)) => v,
        _ => return fail("missing or malformed DigestValue".into(), apex),
    };

    let mut data = Data::Nodes {
        apex,
        exclude: None,
    };
    let mut enveloped_inside = false;
    let transforms: Vec<&Element> = r
        .child("Transforms")
        .map(|t| {
            t.elements()
                .filter(|e| e.local_name() == "Transform")
                .collect()
        })
        .unwrap_or_default();
    for t in transforms {
        let alg = t.attr("Algorithm").unwrap_or("");
        if alg == super::ENVELOPED {
            match data {
                Data::Nodes { apex, .. } => {
                    let inside = apex.is_some_and(|a| a >= sig.start && a < sig.end);
                    enveloped_inside |= inside;
                    data = Data::Nodes {
                        apex,
                        exclude: Some(sig.start),
                    };
                }
                Data::Octets(_) => {
                    return fail(
                        "enveloped-signature transform after a canonicalization".into(),
                        apex,
                    );
                }
            }
        } else if let Some(mut c) = C14n::from_uri(alg) {
            if let Some(list) = t
                .child("InclusiveNamespaces")
                .and_then(|i| i.attr("PrefixList"))
            {
                c.inclusive_prefixes = list
                    .split_whitespace()
                    .map(|p| {
                        if p == "#default" {
                            String::new()
                        } else {
                            p.to_owned()
                        }
                    })
                    .collect();
            }
            match canonical(doc, data, &c) {
                Ok(o) => data = Data::Octets(o),
                Err(e) => return fail(e, apex),
            }
        } else {
            return fail(format!("unsupported transform {alg}"), apex);
        }
    }
    let octets = match data {
        Data::Octets(o) => o,
        nodes => match canonical(doc, nodes, &C14n::inclusive()) {
            Ok(o) => o,
            Err(e) => return fail(e, apex),
        },
    };
    if digest_alg.digest(&octets) == expected {
        return RefOutcome {
            report: ReferenceReport {
                uri,
                digest_ok: true,
                detail: None,
            },
            target: apex,
        };
    }
    let detail = if enveloped_inside {
        "digest mismatch: the enveloped-signature transform removes the referenced element, which \
         lies inside its own Signature, so nothing is signed (spec-strict, as xmlsec1; .NET-style \
         verifiers skip the transform here)"
            .to_owned()
    } else {
        "digest mismatch: the referenced data changed after signing".to_owned()
    };
    fail(detail, apex)
}

/// The verification key of a signature and, when `KeyInfo` has one, its certificate.
struct SignerKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    cert: Option<Certificate>,
}

fn key_of(sig: &Element) -> Result<SignerKey, String> {
    let key_info = sig
        .child("KeyInfo")
        .ok_or("no KeyInfo: no key to verify with")?;
    let cert_el = key_info
        .child("X509Data")
        .and_then(|x| x.child("X509Certificate"));
    if let Some(c) = cert_el {
        let der = b64_decode(&c.text()).map_err(|_| "X509Certificate is not base64")?;
        let cert = cert::parse(&der).map_err(|e| e.to_string())?;
        return Ok(SignerKey {
            modulus: cert.modulus.clone(),
            exponent: cert.exponent.clone(),
            cert: Some(cert),
        });
    }
    let rsa = key_info
        .child("KeyValue")
        .and_then(|k| k.child("RSAKeyValue"))
        .ok_or("KeyInfo has neither an X509Certificate nor an RSAKeyValue")?;
    let n = rsa.child("Modulus").map(|m| b64_decode(&m.text()));
    let e = rsa.child("Exponent").map(|m| b64_decode(&m.text()));
    match (n, e) {
        (Some(Ok(modulus)), Some(Ok(exponent))) => Ok(SignerKey {
            modulus,
            exponent,
            cert: None,
        }),
        _ => Err("malformed RSAKeyValue".into()),
    }
}

fn verify_one(doc: &Document, ids: &IdIndex, path: &[&Element], index: usize) -> SignatureReport {
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
        let o = check_reference(doc, ids, sig, r);
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

    let key = key_of(sig);
    match &key {
        Err(e) => rep.failure = Some(e.clone()),
        Ok(SignerKey {
            modulus: n,
            exponent: e,
            cert,
        }) => {
            let value = sig.child("SignatureValue").map(|v| b64_decode(&v.text()));
            rep.signature_value_ok =
                matches!(value, Some(Ok(ref v)) if rsa_verify(n, e, sig_alg, &signed_info, v));
            if let Some(c) = cert {
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
    rep
}

/// The invoice-specific structural rules (see the module doc). Returns a failure, if any.
fn invoice_rules(
    path: &[&Element],
    targets: &[Option<usize>],
    rep: &mut SignatureReport,
) -> Option<String> {
    let n = path.len();
    if n < 4 || path[n - 3].local_name() != "DSCKS" || path[n - 4].local_name() != "HDon" {
        return None;
    }
    let hdon = path[n - 4];
    let role = path[n - 2].local_name();
    let covers = |e: &Element| targets.contains(&Some(e.start));
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
