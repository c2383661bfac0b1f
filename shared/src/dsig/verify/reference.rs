//! One `Reference`: resolve its URI, run its transforms, compare the digest.

use super::{Policy, ReferenceReport};
use crate::dsig::c14n::{C14n, canonicalize_document, canonicalize_subtree, path_to};
use crate::dsig::{DigestAlg, ENVELOPED, b64_decode};
use crate::xml::dom::{self, Document, Element};

/// Most transforms one reference may chain (real files use at most two).
pub const MAX_TRANSFORMS: usize = 4;

/// Elements by their `Id`/`id`/`ID` attribute, to resolve `#id` references and detect duplicates.
pub(super) struct IdIndex {
    ids: Vec<(String, usize)>,
}

impl IdIndex {
    pub(super) fn new(root: &Element) -> Self {
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
#[derive(Clone)]
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

pub(super) struct RefOutcome {
    pub report: ReferenceReport,
    /// What the reference selects: `Some(Some(start))` an element, `Some(None)` the whole
    /// document (`URI=""`), `None` nothing resolvable.
    pub target: Option<Option<usize>>,
}

/// The octets a reference's transforms produce, when `skip_enveloped` is set as if the
/// enveloped-signature transform were absent (the .NET-style reading of a reference to an
/// element inside its own signature).
fn transformed(
    doc: &Document,
    sig: &Element,
    apex: Option<usize>,
    transforms: &[&Element],
    skip_enveloped: bool,
) -> Result<Vec<u8>, String> {
    let mut data = Data::Nodes {
        apex,
        exclude: None,
    };
    for t in transforms {
        let alg = t.attr("Algorithm").unwrap_or("");
        if alg == ENVELOPED {
            match data {
                Data::Nodes { apex, .. } if !skip_enveloped => {
                    data = Data::Nodes {
                        apex,
                        exclude: Some(sig.start),
                    };
                }
                Data::Nodes { .. } => {}
                Data::Octets(_) => {
                    return Err("enveloped-signature transform after a canonicalization".into());
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
            data = Data::Octets(canonical(doc, data, &c)?);
        } else {
            return Err(format!("unsupported transform {alg}"));
        }
    }
    match data {
        Data::Octets(o) => Ok(o),
        nodes => canonical(doc, nodes, &C14n::inclusive()),
    }
}

pub(super) fn check_reference(
    doc: &Document,
    ids: &IdIndex,
    sig: &Element,
    r: &Element,
    policy: Policy,
) -> RefOutcome {
    let uri = r.attr("URI").unwrap_or("").to_owned();
    let fail = |detail: String, target| RefOutcome {
        report: ReferenceReport {
            uri: uri.clone(),
            digest_ok: false,
            strict: false,
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
        return fail("missing or unsupported DigestMethod".into(), Some(apex));
    };
    let expected = match r.child("DigestValue").map(|v| b64_decode(&v.text())) {
        Some(Ok(v)) => v,
        _ => return fail("missing or malformed DigestValue".into(), Some(apex)),
    };
    let transforms: Vec<&Element> = r
        .child("Transforms")
        .map(|t| {
            t.elements()
                .filter(|e| e.local_name() == "Transform")
                .collect()
        })
        .unwrap_or_default();
    if transforms.len() > MAX_TRANSFORMS {
        return fail(
            format!(
                "{} transforms; at most {MAX_TRANSFORMS} are followed",
                transforms.len()
            ),
            Some(apex),
        );
    }
    let enveloped = transforms
        .iter()
        .any(|t| t.attr("Algorithm") == Some(ENVELOPED));
    let inside = apex.is_some_and(|a| a >= sig.start && a < sig.end);

    let octets = match transformed(doc, sig, apex, &transforms, false) {
        Ok(o) => o,
        Err(e) => return fail(e, Some(apex)),
    };
    let ok = |strict, detail| RefOutcome {
        report: ReferenceReport {
            uri: uri.clone(),
            digest_ok: true,
            strict,
            detail,
        },
        target: Some(apex),
    };
    if digest_alg.digest(&octets) == expected {
        return ok(true, None);
    }
    if enveloped && inside {
        // Strict XMLDSig (xmlsec1) removes the referenced element with its signature, so the
        // digest is over nothing; .NET-style verifiers skip the transform here. Some providers
        // sign their SigningTime object this way and the authority codes such invoices.
        let dotnet = transformed(doc, sig, apex, &transforms, true)
            .is_ok_and(|o| digest_alg.digest(&o) == expected);
        if dotnet && policy == Policy::Tolerant {
            let what = covered_name(doc, apex);
            return ok(
                false,
                Some(format!(
                    "{what} is not covered under strict XMLDSig: the enveloped-signature \
                     transform removes the referenced element, which lies inside its own \
                     Signature (xmlsec1 digests nothing; .NET-style verifiers, whose digest \
                     matches, digest the element)"
                )),
            );
        }
        return fail(
            format!(
                "digest mismatch: the enveloped-signature transform removes the referenced \
                 element, which lies inside its own Signature, so nothing is signed \
                 (spec-strict, as xmlsec1; {})",
                if dotnet {
                    ".NET-style verifiers, which skip the transform here, find the digest right: \
                     accepted when importing"
                } else {
                    "the .NET-style reading does not match either"
                }
            ),
            Some(apex),
        );
    }
    fail(
        "digest mismatch: the referenced data changed after signing".to_owned(),
        Some(apex),
    )
}

/// What a reference inside a signature protects, for a person: "the signing time" when the
/// element holds a `SigningTime`, else the element's name.
fn covered_name(doc: &Document, apex: Option<usize>) -> String {
    let Some(el) = apex
        .and_then(|a| path_to(&doc.root, a))
        .and_then(|p| p.last().copied())
    else {
        return "the referenced element".into();
    };
    if el.local_name() == "SigningTime" || el.find(&|e| e.local_name() == "SigningTime").is_some() {
        "the signing time".into()
    } else {
        format!("the element {}", el.local_name())
    }
}
