//! GDT invoice XML: the writer (exact element order, no pretty-printing) and the tolerant reader.

pub mod dom;
mod read;
mod write;

pub use dom::XmlError;
pub use read::{read_invoice, read_invoice_with};
pub(crate) use write::W;
pub use write::render;

/// Whether XML 1.0 can carry `s` as character data (production `Char`, §2.2): anything but the
/// C0 controls other than tab, LF and CR, and U+FFFE / U+FFFF. Surrogates cannot occur in a Rust
/// string (and serde_json refuses a lone `\ud800` escape). Escaping cannot help: `&#x1;` is not
/// well-formed either, so such text must be refused before it is signed into a file that
/// libxml2 and our own parser ([`dom`]) reject. `Err` gives the first such character.
pub fn xml_text_ok(s: &str) -> Result<(), char> {
    match first_non_xml_char(s) {
        Some((_, c)) => Err(c),
        None => Ok(()),
    }
}

/// The byte offset and value of the first character outside XML 1.0's `Char`.
pub(crate) fn first_non_xml_char(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|&(_, c)| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

/// Whether `s` is an XML `NCName` (Namespaces in XML 1.0): what an `Id` attribute referenced by
/// a signature (`URI="#…"`) must be. ASCII letters, digits, `_`, `-`, `.`, and any non-ASCII
/// letter; it cannot start with a digit, `-` or `.`. (Non-ASCII is accepted by its class, not by
/// the full production's ranges: XML names are refused only for ASCII punctuation and controls
/// in practice, and the writer escapes the value anyway.)
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let start =
        |c: char| c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && c.is_alphabetic());
    let rest = |c: char| {
        start(c)
            || c.is_ascii_digit()
            || matches!(c, '-' | '.')
            || (!c.is_ascii() && c.is_alphanumeric())
    };
    chars.next().is_some_and(start) && chars.all(rest)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_xml_1_0_cannot_carry() {
        assert_eq!(xml_text_ok("Công ty\tA\r\nB"), Ok(()));
        assert_eq!(xml_text_ok("A\u{1}B"), Err('\u{1}'));
        assert_eq!(xml_text_ok("\u{B}"), Err('\u{B}'));
        assert_eq!(xml_text_ok("x\u{FFFE}"), Err('\u{FFFE}'));
        assert_eq!(xml_text_ok("\u{FFFF}"), Err('\u{FFFF}'));
        assert_eq!(xml_text_ok("\u{FFFD}\u{10FFFF}\u{7F}"), Ok(()));
    }

    #[test]
    fn the_parser_refuses_what_xml_1_0_cannot_carry_as_libxml2_does() {
        for bad in [
            "<a>x\u{1}</a>",
            "<a b=\"\u{FFFE}\"/>",
            "<a><!--\u{0}--></a>",
        ] {
            assert!(
                matches!(dom::parse(bad), Err(XmlError::Malformed { .. })),
                "{bad:?}"
            );
        }
        assert!(dom::parse("<a>\t\r\n\u{FFFD}</a>").is_ok());
    }

    #[test]
    fn ncnames() {
        for ok in ["DLHDon-1C25TAB-7", "_a.b", "Hóa_đơn"] {
            assert!(is_ncname(ok), "{ok}");
        }
        for bad in [
            "",
            "1a",
            "-a",
            ".a",
            "a:b",
            "x\" probe=\"1",
            "a b",
            "a<b",
            "a&b",
        ] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }

    #[test]
    fn a_lone_surrogate_escape_is_a_json_error_not_a_panic() {
        let r: Result<String, _> = serde_json::from_str(r#""\ud800""#);
        assert!(r.is_err());
        let r: Result<crate::InvoiceDocument, _> = serde_json::from_str(
            r#"{"form":"1","symbol":"C25TAB","issue_date":"2025-10-15","seller":{"name":"\udfff"},"lines":[]}"#,
        );
        assert!(r.is_err());
    }

    #[test]
    fn attribute_values_cannot_break_out_of_their_quotes() {
        let mut out = String::new();
        escape_attr("x\" probe=\"1<&\t\n\r", &mut out);
        assert_eq!(out, "x&quot; probe=&quot;1&lt;&amp;&#x9;&#xA;&#xD;");
    }
}
