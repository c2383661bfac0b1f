//! GDT invoice XML: the writer (exact element order, no pretty-printing) and the tolerant reader.

pub mod dom;
mod read;
mod write;

pub use dom::XmlError;
pub use read::{read_invoice, read_invoice_with};
pub use write::render;

/// Escapes character data as canonical XML does: `&`, `<`, `>` and carriage return (`&#xD;`,
/// so a `\r` in a value survives a parser's line-end normalisation).
pub fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value as canonical XML does.
pub fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
