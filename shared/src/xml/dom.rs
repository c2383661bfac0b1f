//! A small, hardened XML tree over quick-xml, shared by the invoice reader and the
//! canonicalizer.
//!
//! Hardening: no DTD at all (a `<!DOCTYPE` is refused, so no entity can be declared or
//! expanded), only the five predefined entities and character references, and limits on input
//! size, depth and node count. Each element remembers its byte offsets in the source, so that
//! signing can insert bytes without re-serialising anything.
//!
//! Text and attribute values are stored as the XML infoset defines them (line endings
//! normalised, references resolved, attribute whitespace normalised) — exactly what
//! canonicalization needs.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Resource limits for parsing untrusted XML.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    /// 8 MiB, depth 64, 200,000 nodes: a 5,000-line invoice is about 2 MiB.
    fn default() -> Self {
        Limits {
            max_bytes: 8 << 20,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

/// Why XML could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the document is {0} bytes; the limit is {1}")]
    TooLarge(usize, usize),
    #[error("elements are nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("the document has more than {0} nodes")]
    TooManyNodes(usize),
    #[error("a DOCTYPE (DTD) is not accepted: entity declarations are refused for safety")]
    Dtd,
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
    #[error("malformed XML at byte {at}: {msg}")]
    Malformed { at: usize, msg: String },
    #[error("the document has no root element")]
    NoRoot,
    #[error("{0}")]
    Content(String),
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
    /// Processing instruction: target and data.
    Pi(String, String),
}

/// An attribute, including namespace declarations (`xmlns`, `xmlns:p`), in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    pub value: String,
}

/// An element with its byte span in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Qualified name as written (`ds:Signature`).
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    /// Offset of the `<` of the start tag.
    pub start: usize,
    /// Offset just after the start tag's `>` (equal to `end` for an empty-element tag).
    pub start_tag_end: usize,
    /// Offset of the `<` of the end tag (equal to `end` for an empty-element tag).
    pub end_tag_start: usize,
    /// Offset just after the element.
    pub end: usize,
}

/// A parsed document: the root and what stands around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub before: Vec<Node>,
    pub root: Element,
    pub after: Vec<Node>,
}

impl Element {
    pub fn local_name(&self) -> &str {
        local(&self.name)
    }
    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(p, _)| p)
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }
    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }
    /// The first child element with this local name.
    pub fn child(&self, local_name: &str) -> Option<&Element> {
        self.elements().find(|e| e.local_name() == local_name)
    }
    /// The concatenated text of the direct text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }
    /// Trimmed text of a child, `None` when absent or blank.
    pub fn child_text(&self, local_name: &str) -> Option<String> {
        let t = self.child(local_name)?.text();
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_owned())
    }
    /// Depth-first search, self included.
    pub fn find(&self, pred: &dyn Fn(&Element) -> bool) -> Option<&Element> {
        if pred(self) {
            return Some(self);
        }
        self.elements().find_map(|c| c.find(pred))
    }
    /// Serialises the element back to XML (used to keep unknown elements).
    pub fn to_xml(&self) -> String {
        let mut s = String::new();
        write_element(self, &mut s);
        s
    }
}

pub fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn write_element(e: &Element, s: &mut String) {
    s.push('<');
    s.push_str(&e.name);
    for a in &e.attrs {
        s.push(' ');
        s.push_str(&a.name);
        s.push_str("=\"");
        super::escape_attr(&a.value, s);
        s.push('"');
    }
    if e.children.is_empty() {
        s.push_str("/>");
        return;
    }
    s.push('>');
    for n in &e.children {
        match n {
            Node::Element(c) => write_element(c, s),
            Node::Text(t) => super::escape_text(t, s),
            Node::Comment(c) => {
                s.push_str("<!--");
                s.push_str(c);
                s.push_str("-->");
            }
            Node::Pi(t, d) => {
                s.push_str("<?");
                s.push_str(t);
                if !d.is_empty() {
                    s.push(' ');
                    s.push_str(d);
                }
                s.push_str("?>");
            }
        }
    }
    s.push_str("</");
    s.push_str(&e.name);
    s.push('>');
}

/// XML end-of-line handling: `\r\n` and lone `\r` become `\n`.
fn normalize_eol(raw: &str, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

/// Resolves `&name;` / `&#N;` / `&#xN;`: the five predefined entities and character references.
fn resolve_reference(name: &str) -> Result<char, XmlError> {
    let unknown = || XmlError::UnknownEntity(name.to_owned());
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => num.parse(),
        }
        .map_err(|_| unknown())?;
        let c = char::from_u32(code).ok_or_else(unknown)?;
        let allowed =
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
        return if allowed { Ok(c) } else { Err(unknown()) };
    }
    match name {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(unknown()),
    }
}

/// Attribute-value normalisation (XML 1.0 §3.3.3, CDATA type): references resolved, literal
/// whitespace characters become spaces (a `\r\n` pair one space), referenced ones are kept.
fn attr_value(raw: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes()[i];
        if b == b'&' {
            let end = rest[i..]
                .find(';')
                .ok_or_else(|| XmlError::UnknownEntity(rest[i..].chars().take(10).collect()))?;
            out.push(resolve_reference(&rest[i + 1..i + end])?);
            rest = &rest[i + end + 1..];
        } else {
            out.push(' ');
            let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
            rest = &rest[i + skip..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn malformed(at: usize, msg: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed {
        at,
        msg: msg.to_string(),
    }
}

fn start_element(e: &BytesStart, start: usize) -> Result<Element, XmlError> {
    let name = e.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| malformed(start, err))?;
        let key: &str = a.key.as_ref();
        let raw: &str = &a.value;
        attrs.push(Attr {
            name: key.to_owned(),
            value: attr_value(raw)?,
        });
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        start,
        start_tag_end: start,
        end_tag_start: start,
        end: start,
    })
}

/// Appends text to the last node if it is text (references split text into several events).
fn push_text(children: &mut Vec<Node>, s: &str) {
    if let Some(Node::Text(t)) = children.last_mut() {
        t.push_str(s);
    } else {
        children.push(Node::Text(s.to_owned()));
    }
}

/// Parses a document with the default [`Limits`].
pub fn parse(xml: &str) -> Result<Document, XmlError> {
    parse_with(xml, Limits::default())
}

/// Parses a document under explicit limits.
pub fn parse_with(xml: &str, limits: Limits) -> Result<Document, XmlError> {
    if xml.len() > limits.max_bytes {
        return Err(XmlError::TooLarge(xml.len(), limits.max_bytes));
    }
    // quick-xml does not check characters; libxml2 and xmlsec1 refuse these anywhere.
    if let Some((at, c)) = super::first_non_xml_char(xml) {
        return Err(XmlError::Malformed {
            at,
            msg: format!("U+{:04X} is not a character XML 1.0 allows", u32::from(c)),
        });
    }
    let mut reader = Reader::from_str(xml);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.expand_empty_elements = false;
    cfg.check_end_names = true;
    cfg.check_comments = true;

    let mut stack: Vec<Element> = Vec::new();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| malformed(pos, e))?;
        let end = reader.buffer_position() as usize;
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(XmlError::TooManyNodes(limits.max_nodes));
        }
        // Where a non-element node goes: the open element, or around the root.
        let outside = if root.is_some() {
            &mut after
        } else {
            &mut before
        };
        match ev {
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Decl(_) => {}
            Event::Start(e) => {
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                if root.is_some() && stack.is_empty() {
                    return Err(malformed(pos, "more than one root element"));
                }
                let mut el = start_element(&e, pos)?;
                el.start_tag_end = end;
                stack.push(el);
            }
            Event::Empty(e) => {
                if root.is_some() && stack.is_empty() {
                    return Err(malformed(pos, "more than one root element"));
                }
                let mut el = start_element(&e, pos)?;
                el.start_tag_end = end;
                el.end_tag_start = end;
                el.end = end;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let mut el = stack
                    .pop()
                    .ok_or_else(|| malformed(pos, "unexpected end tag"))?;
                el.end_tag_start = pos;
                el.end = end;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let raw: &str = &t;
                if let Some(parent) = stack.last_mut() {
                    let mut s = String::with_capacity(raw.len());
                    normalize_eol(raw, &mut s);
                    push_text(&mut parent.children, &s);
                } else if !raw.trim().is_empty() {
                    return Err(malformed(pos, "text outside the root element"));
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let c = resolve_reference(name)?;
                let parent = stack
                    .last_mut()
                    .ok_or_else(|| malformed(pos, "reference outside the root element"))?;
                push_text(&mut parent.children, c.encode_utf8(&mut [0; 4]));
            }
            Event::CData(t) => {
                let raw: &str = &t;
                let parent = stack
                    .last_mut()
                    .ok_or_else(|| malformed(pos, "CDATA outside the root element"))?;
                let mut s = String::new();
                normalize_eol(raw, &mut s);
                push_text(&mut parent.children, &s);
            }
            Event::Comment(t) => {
                let raw: &str = &t;
                let mut s = String::new();
                normalize_eol(raw, &mut s);
                match stack.last_mut() {
                    Some(p) => p.children.push(Node::Comment(s)),
                    None => outside.push(Node::Comment(s)),
                }
            }
            Event::PI(p) => {
                let raw: &str = &p;
                let (target, data) = match raw.find(|c: char| c.is_ascii_whitespace()) {
                    Some(i) => (&raw[..i], raw[i..].trim_start()),
                    None => (raw, ""),
                };
                let mut d = String::new();
                normalize_eol(data, &mut d);
                let node = Node::Pi(target.to_owned(), d);
                match stack.last_mut() {
                    Some(p) => p.children.push(node),
                    None => outside.push(node),
                }
            }
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(xml.len(), "unclosed element"));
    }
    Ok(Document {
        before,
        root: root.ok_or(XmlError::NoRoot)?,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_doctype_so_no_entity_can_expand() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>"#;
        assert_eq!(parse(bomb), Err(XmlError::Dtd));
        assert!(matches!(
            parse("<a>&ext;</a>"),
            Err(XmlError::UnknownEntity(_))
        ));
    }

    #[test]
    fn enforces_size_depth_and_node_limits() {
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(parse(&deep), Err(XmlError::TooDeep(64)));
        let small = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            parse_with("<a>0123456789</a>", small),
            Err(XmlError::TooLarge(..))
        ));
        let few = Limits {
            max_nodes: 5,
            ..Limits::default()
        };
        assert!(matches!(
            parse_with("<a><b/><b/><b/><b/><b/></a>", few),
            Err(XmlError::TooManyNodes(5))
        ));
    }

    #[test]
    fn resolves_references_and_normalises_line_ends_and_attributes() {
        let d = parse("<a x=\"1\r\n2&#9;&amp;\">p&lt;q&#xD;\r\nr<![CDATA[<s>]]></a>").unwrap();
        assert_eq!(d.root.attr("x"), Some("1 2\t&"));
        assert_eq!(d.root.text(), "p<q\r\nr<s>");
    }

    #[test]
    fn records_byte_spans() {
        let src = "<r><a k='v'>t</a><b/></r>";
        let d = parse(src).unwrap();
        let a = d.root.child("a").unwrap();
        assert_eq!(&src[a.start..a.end], "<a k='v'>t</a>");
        assert_eq!(&src[a.start_tag_end..a.end_tag_start], "t");
        let b = d.root.child("b").unwrap();
        assert_eq!(&src[b.start..b.end], "<b/>");
    }

    #[test]
    fn rejects_malformed_documents() {
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "text", "<a x='1' x='2'/>"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
