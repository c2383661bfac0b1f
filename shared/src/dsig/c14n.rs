//! Canonical XML: C14N 1.0 inclusive (W3C REC-xml-c14n-20010315) and exclusive
//! (REC-xml-exc-c14n-20020718), with and without comments, over the document subsets XML
//! signatures use: a whole document, or an element's subtree in its document context, optionally
//! minus one subtree (the enveloped signature).
//!
//! One canonicalizer serves signing and verifying, so what hoadon signs is by construction what
//! it checks. The tree comes from [`crate::xml::dom`], which already applied the XML infoset rules
//! (line endings, attribute-value normalisation, references resolved).

use crate::xml::dom::{Attr, Document, Element, Node};
use crate::xml::{escape_attr, escape_text};

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const C14N_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

/// Which canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C14n {
    pub exclusive: bool,
    pub comments: bool,
    /// Exclusive only: prefixes treated by the inclusive rules (`""` stands for `#default`).
    pub inclusive_prefixes: Vec<String>,
}

impl C14n {
    /// Inclusive C14N 1.0 without comments: the default of XML signatures.
    pub fn inclusive() -> Self {
        C14n {
            exclusive: false,
            comments: false,
            inclusive_prefixes: Vec::new(),
        }
    }

    /// The algorithm named by a `CanonicalizationMethod`/`Transform` URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let (exclusive, comments) = match uri {
            C14N => (false, false),
            C14N_COMMENTS => (false, true),
            EXC_C14N => (true, false),
            EXC_C14N_COMMENTS => (true, true),
            _ => return None,
        };
        Some(C14n {
            exclusive,
            comments,
            inclusive_prefixes: Vec::new(),
        })
    }
}

/// Namespace bindings, innermost last: (prefix, URI); prefix `""` is the default namespace and
/// URI `""` an undeclared default (`xmlns=""`).
type Scope<'a> = Vec<(&'a str, &'a str)>;

fn lookup<'a>(scope: &[(&'a str, &'a str)], prefix: &str) -> Option<&'a str> {
    scope
        .iter()
        .rev()
        .find(|(p, _)| *p == prefix)
        .map(|(_, u)| *u)
}

/// The namespace declarations an element makes.
pub fn declarations(e: &Element) -> impl Iterator<Item = (&str, &str)> {
    e.attrs.iter().filter_map(|a| {
        if a.name == "xmlns" {
            Some(("", a.value.as_str()))
        } else {
            a.name.strip_prefix("xmlns:").map(|p| (p, a.value.as_str()))
        }
    })
}

fn is_declaration(a: &Attr) -> bool {
    a.name == "xmlns" || a.name.starts_with("xmlns:")
}

fn prefix_of(name: &str) -> &str {
    name.split_once(':').map_or("", |(p, _)| p)
}

/// The namespace URI of an element or attribute name under `scope`.
pub fn namespace_of<'a>(scope: &[(&'a str, &'a str)], name: &str, is_attribute: bool) -> &'a str {
    match name.split_once(':') {
        Some(("xml", _)) => XML_NS,
        Some((p, _)) => lookup(scope, p).unwrap_or(""),
        None if is_attribute => "",
        None => lookup(scope, "").unwrap_or(""),
    }
}

/// The elements from `root` down to the element starting at byte `start`, both included.
pub fn path_to(root: &Element, start: usize) -> Option<Vec<&Element>> {
    if root.start == start {
        return Some(vec![root]);
    }
    if start < root.start || start >= root.end {
        return None;
    }
    for c in root.elements() {
        if let Some(mut p) = path_to(c, start) {
            p.insert(0, root);
            return Some(p);
        }
    }
    None
}

struct Ctx<'s> {
    alg: &'s C14n,
    /// `start` of an element left out with its subtree (enveloped signature).
    exclude: Option<usize>,
    out: &'s mut Vec<u8>,
}

/// Canonicalizes the subtree of the last element of `path` (root first) in its document
/// context: inherited namespaces (and, for inclusive C14N, inherited `xml:*` attributes) are
/// rendered on it as the recommendation requires.
pub fn canonicalize_subtree(
    path: &[&Element],
    exclude: Option<usize>,
    alg: &C14n,
    out: &mut Vec<u8>,
) {
    let Some((apex, ancestors)) = path.split_last() else {
        return;
    };
    if exclude.is_some_and(|x| path.iter().any(|e| e.start == x)) {
        return; // the subset is empty: the excluded subtree contains the apex
    }
    let mut scope: Scope = Vec::new();
    let mut xml_attrs: Vec<&Attr> = Vec::new();
    for a in ancestors {
        scope.extend(declarations(a));
        if !alg.exclusive {
            for at in a.attrs.iter().filter(|at| at.name.starts_with("xml:")) {
                xml_attrs.retain(|x| x.name != at.name);
                xml_attrs.push(at);
            }
        }
    }
    xml_attrs.retain(|x| apex.attr(&x.name).is_none());
    let mut ctx = Ctx { alg, exclude, out };
    render(apex, &mut scope, &Vec::new(), &xml_attrs, &mut ctx);
}

/// Canonicalizes a whole document (a `URI=""` reference, or octets parsed back into nodes).
pub fn canonicalize_document(
    doc: &Document,
    exclude: Option<usize>,
    alg: &C14n,
    out: &mut Vec<u8>,
) {
    let mut ctx = Ctx { alg, exclude, out };
    for n in &doc.before {
        if misc(n, &mut ctx) {
            ctx.out.push(b'\n');
        }
    }
    if exclude != Some(doc.root.start) {
        render(&doc.root, &mut Vec::new(), &Vec::new(), &[], &mut ctx);
    }
    for n in &doc.after {
        let mark = ctx.out.len();
        ctx.out.push(b'\n');
        if !misc(n, &mut ctx) {
            ctx.out.truncate(mark);
        }
    }
}

/// Writes a comment or processing instruction; returns whether anything was written.
fn misc(n: &Node, ctx: &mut Ctx) -> bool {
    match n {
        Node::Comment(c) if ctx.alg.comments => {
            ctx.out.extend_from_slice(b"<!--");
            ctx.out.extend_from_slice(c.as_bytes());
            ctx.out.extend_from_slice(b"-->");
            true
        }
        Node::Pi(t, d) => {
            ctx.out.extend_from_slice(b"<?");
            ctx.out.extend_from_slice(t.as_bytes());
            if !d.is_empty() {
                ctx.out.push(b' ');
                ctx.out.extend_from_slice(d.as_bytes());
            }
            ctx.out.extend_from_slice(b"?>");
            true
        }
        _ => false,
    }
}

fn render<'a>(
    e: &'a Element,
    scope: &mut Scope<'a>,
    rendered: &Scope<'a>,
    extra_attrs: &[&'a Attr],
    ctx: &mut Ctx,
) {
    let mark = scope.len();
    scope.extend(declarations(e));

    // Candidate prefixes: every prefix in scope (inclusive), or the visibly utilised ones plus
    // the InclusiveNamespaces list (exclusive).
    let mut candidates: Vec<&str> = Vec::new();
    if ctx.alg.exclusive {
        candidates.push(prefix_of(&e.name));
        for a in e.attrs.iter().filter(|a| !is_declaration(a)) {
            if let Some((p, _)) = a.name.split_once(':') {
                candidates.push(p);
            }
        }
        for p in &ctx.alg.inclusive_prefixes {
            // Borrow the prefix from the scope, which outlives this element's rendering.
            if let Some((bound, _)) = scope.iter().rev().find(|(q, _)| q == p) {
                candidates.push(bound);
            }
        }
    } else {
        candidates.extend(scope.iter().map(|(p, _)| *p));
    }
    candidates.sort_unstable();
    candidates.dedup();

    let mut ns_out: Vec<(&str, &str)> = Vec::new();
    for p in candidates {
        if p == "xml" || p == "xmlns" {
            continue;
        }
        let uri = lookup(scope, p).unwrap_or("");
        let before = lookup(rendered, p);
        if p.is_empty() {
            if uri.is_empty() {
                if before.is_some_and(|b| !b.is_empty()) {
                    ns_out.push(("", ""));
                }
            } else if before != Some(uri) {
                ns_out.push(("", uri));
            }
        } else if !uri.is_empty() && before != Some(uri) {
            ns_out.push((p, uri));
        }
    }

    // Attributes sorted by (namespace URI, local name); unqualified ones have no namespace.
    let mut attrs: Vec<(&str, &str, &Attr)> = e
        .attrs
        .iter()
        .filter(|a| !is_declaration(a))
        .chain(extra_attrs.iter().copied())
        .map(|a| {
            let local = a.name.split_once(':').map_or(a.name.as_str(), |(_, l)| l);
            (namespace_of(scope, &a.name, true), local, a)
        })
        .collect();
    attrs.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));

    let out = &mut *ctx.out;
    out.push(b'<');
    out.extend_from_slice(e.name.as_bytes());
    let mut s = String::new();
    for (p, uri) in &ns_out {
        s.clear();
        if p.is_empty() {
            s.push_str(" xmlns=\"");
        } else {
            s.push_str(" xmlns:");
            s.push_str(p);
            s.push_str("=\"");
        }
        escape_attr(uri, &mut s);
        s.push('"');
        out.extend_from_slice(s.as_bytes());
    }
    for (_, _, a) in &attrs {
        s.clear();
        s.push(' ');
        s.push_str(&a.name);
        s.push_str("=\"");
        escape_attr(&a.value, &mut s);
        s.push('"');
        out.extend_from_slice(s.as_bytes());
    }
    out.push(b'>');

    let mut now_rendered = rendered.clone();
    now_rendered.extend(ns_out);
    for n in &e.children {
        match n {
            Node::Element(c) => {
                if ctx.exclude != Some(c.start) {
                    render(c, scope, &now_rendered, &[], ctx);
                }
            }
            Node::Text(t) => {
                s.clear();
                escape_text(t, &mut s);
                ctx.out.extend_from_slice(s.as_bytes());
            }
            other => {
                misc(other, ctx);
            }
        }
    }
    ctx.out.extend_from_slice(b"</");
    ctx.out.extend_from_slice(e.name.as_bytes());
    ctx.out.push(b'>');
    scope.truncate(mark);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::dom::parse;

    fn c14n_of(xml: &str, local: &str, alg: &C14n) -> String {
        let d = parse(xml).unwrap();
        let el = d.root.find(&|e| e.local_name() == local).unwrap();
        let path = path_to(&d.root, el.start).unwrap();
        let mut out = Vec::new();
        canonicalize_subtree(&path, None, alg, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn inclusive_subset_pulls_in_ancestor_namespaces_and_xml_attributes() {
        let x =
            r#"<a xmlns="urn:d" xmlns:p="urn:p" xml:lang="vi"><b z="1" p:y="2" a="3"><c/></b></a>"#;
        assert_eq!(
            c14n_of(x, "b", &C14n::inclusive()),
            r#"<b xmlns="urn:d" xmlns:p="urn:p" a="3" z="1" xml:lang="vi" p:y="2"><c></c></b>"#
        );
    }

    #[test]
    fn exclusive_renders_only_visibly_used_namespaces() {
        let x = r#"<a xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><b p:y="2"><q:c/></b></a>"#;
        let exc = C14n::from_uri(EXC_C14N).unwrap();
        assert_eq!(
            c14n_of(x, "b", &exc),
            r#"<b xmlns="urn:d" xmlns:p="urn:p" p:y="2"><q:c xmlns:q="urn:q"></q:c></b>"#
        );
        let with_list = C14n {
            inclusive_prefixes: vec!["q".into()],
            ..exc
        };
        assert_eq!(
            c14n_of(x, "b", &with_list),
            r#"<b xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q" p:y="2"><q:c></q:c></b>"#
        );
    }

    #[test]
    fn redundant_declarations_vanish_and_default_undeclaration_is_kept() {
        let x = r#"<a xmlns="urn:d"><b xmlns="urn:d"><c xmlns=""><d xmlns=""/></c></b></a>"#;
        assert_eq!(
            c14n_of(x, "a", &C14n::inclusive()),
            r#"<a xmlns="urn:d"><b><c xmlns=""><d></d></c></b></a>"#
        );
    }

    #[test]
    fn text_and_attribute_escaping_follow_the_recommendation() {
        let x = "<a t=\"&quot;&amp;&lt;>&#9;&#xA;&#xD;'\">&amp;&lt;&gt;&#xD;\"'</a>";
        assert_eq!(
            c14n_of(x, "a", &C14n::inclusive()),
            "<a t=\"&quot;&amp;&lt;>&#x9;&#xA;&#xD;'\">&amp;&lt;&gt;&#xD;\"'</a>"
        );
    }

    #[test]
    fn comments_only_with_the_comments_variant() {
        let d = parse("<?pi x?><!--c0--><a><!--c1--><?t d?></a><!--c2-->").unwrap();
        let mut plain = Vec::new();
        canonicalize_document(&d, None, &C14n::inclusive(), &mut plain);
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "<?pi x?>\n<a><?t d?></a>"
        );
        let mut with = Vec::new();
        canonicalize_document(&d, None, &C14n::from_uri(C14N_COMMENTS).unwrap(), &mut with);
        assert_eq!(
            String::from_utf8(with).unwrap(),
            "<?pi x?>\n<!--c0-->\n<a><!--c1--><?t d?></a>\n<!--c2-->"
        );
    }

    #[test]
    fn an_excluded_subtree_is_left_out() {
        let d = parse("<a><b>1</b><s><x/></s><c/></a>").unwrap();
        let s = d.root.child("s").unwrap().start;
        let mut out = Vec::new();
        canonicalize_subtree(&[&d.root], Some(s), &C14n::inclusive(), &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "<a><b>1</b><c></c></a>");
    }
}
