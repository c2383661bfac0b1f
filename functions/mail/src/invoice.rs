//! The e-mail that brings an issued invoice to its buyer: a short letter in Vietnamese or English
//! (plain text and HTML), the invoice's PDF and its XML attached.
//!
//! The XML is the legal e-invoice (signed by the seller, with the tax authority's code when it has
//! one); the PDF is its readable copy. Both are attached exactly as given: the XML's signature
//! covers its bytes.

use crate::{Attachment, Email};

/// The language of the letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// What the letter says about the invoice. Every value is text, already formatted (the API crate
/// formats dates and amounts); [`compose`] escapes them for HTML.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceMail<'a> {
    pub lang: Lang,
    pub seller_name: &'a str,
    /// The buyer's name (a company or a person); `None` for an anonymous retail buyer.
    pub buyer_name: Option<&'a str>,
    /// The form number and symbol, e.g. `1C26TAA`.
    pub form_symbol: &'a str,
    /// The invoice number as printed, e.g. `0000123`.
    pub number: &'a str,
    /// The issue date, `dd/mm/yyyy`.
    pub date: &'a str,
    /// The total payable, formatted, e.g. `1.100.000 VND`.
    pub total: &'a str,
    /// The seller's public lookup page for this invoice.
    pub lookup_url: Option<&'a str>,
    /// The code the buyer types on the lookup page.
    pub lookup_code: Option<&'a str>,
    /// A test invoice (no legal value): said in the subject and the body.
    pub test: bool,
}

/// The words of one language.
struct Words {
    test_tag: &'static str,
    dear: &'static str,
    anonymous: &'static str,
    intro: &'static str,
    form_symbol: &'static str,
    number: &'static str,
    date: &'static str,
    total: &'static str,
    lookup: &'static str,
    lookup_code: &'static str,
    attached: &'static str,
    test_note: &'static str,
    regards: &'static str,
}

const VI: Words = Words {
    test_tag: "[THỬ NGHIỆM] ",
    dear: "Kính gửi",
    anonymous: "Quý khách",
    intro: "gửi Quý khách hóa đơn điện tử sau:",
    form_symbol: "Ký hiệu",
    number: "Số",
    date: "Ngày",
    total: "Tổng tiền thanh toán",
    lookup: "Tra cứu hóa đơn",
    lookup_code: "Mã tra cứu",
    attached: "Đính kèm: hóa đơn điện tử (tệp XML, có giá trị pháp lý) và bản thể hiện (tệp PDF).",
    test_note: "Đây là hóa đơn thử nghiệm, không có giá trị pháp lý.",
    regards: "Trân trọng,",
};

const EN: Words = Words {
    test_tag: "[TEST] ",
    dear: "Dear",
    anonymous: "Customer",
    intro: "has issued the following e-invoice to you:",
    form_symbol: "Symbol",
    number: "Number",
    date: "Date",
    total: "Total payable",
    lookup: "Look the invoice up",
    lookup_code: "Lookup code",
    attached: "Attached: the e-invoice (XML file, the legal document) and its readable copy (PDF file).",
    test_note: "This is a test invoice; it has no legal value.",
    regards: "Kind regards,",
};

/// The invoice e-mail: subject, text and HTML letter, `<file_stem>.pdf` (`application/pdf`) and
/// `<file_stem>.xml` (`application/xml`) attached byte for byte. `message_id` is the delivery's
/// deterministic Message-ID (see [`Email::message_id`]); `reply_to` is left `None` for the caller
/// to set.
pub fn compose(
    m: &InvoiceMail,
    from: &str,
    to: Vec<String>,
    message_id: &str,
    pdf: Vec<u8>,
    xml: Vec<u8>,
    file_stem: &str,
) -> Email {
    let w = match m.lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    };
    let tag = if m.test { w.test_tag } else { "" };
    let (number, seller) = (one_line(m.number), one_line(m.seller_name));
    let subject = match m.lang {
        Lang::Vi => format!("{tag}Hóa đơn điện tử số {number} – {seller}"),
        Lang::En => format!("{tag}E-invoice no. {number} from {seller}"),
    };
    let buyer = m
        .buyer_name
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or(w.anonymous);
    let rows = [
        (w.form_symbol, m.form_symbol),
        (w.number, m.number),
        (w.date, m.date),
        (w.total, m.total),
    ];

    let mut text = String::new();
    if m.test {
        text.push_str(&format!("*** {} ***\n\n", w.test_note));
    }
    text.push_str(&format!(
        "{} {buyer},\n\n{} {}\n\n",
        w.dear, m.seller_name, w.intro
    ));
    for (label, value) in rows {
        text.push_str(&format!("  {label}: {value}\n"));
    }
    text.push('\n');
    if let Some(url) = m.lookup_url {
        text.push_str(&format!("{}: {url}\n", w.lookup));
    }
    if let Some(code) = m.lookup_code {
        text.push_str(&format!("{}: {code}\n", w.lookup_code));
    }
    if m.lookup_url.is_some() || m.lookup_code.is_some() {
        text.push('\n');
    }
    text.push_str(&format!(
        "{}\n\n{}\n{}\n",
        w.attached, w.regards, m.seller_name
    ));

    let lang = match m.lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n",
        escape(&subject)
    );
    if m.test {
        html.push_str(&format!(
            "<p style=\"color:#b00020;font-weight:bold\">{}</p>\n",
            escape(w.test_note)
        ));
    }
    html.push_str(&format!(
        "<p>{} {},</p>\n<p>{} {}</p>\n<table>\n",
        escape(w.dear),
        escape(buyer),
        escape(m.seller_name),
        escape(w.intro)
    ));
    for (label, value) in rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td><b>{}</b></td></tr>\n",
            escape(label),
            escape(value)
        ));
    }
    html.push_str("</table>\n");
    if let Some(url) = m.lookup_url {
        // Only a web address becomes a link: anything else (`javascript:`…) stays text.
        let link = if is_web_url(url) {
            format!("<a href=\"{0}\">{0}</a>", escape(url))
        } else {
            escape(url)
        };
        html.push_str(&format!("<p>{}: {link}</p>\n", escape(w.lookup)));
    }
    if let Some(code) = m.lookup_code {
        html.push_str(&format!(
            "<p>{}: <b>{}</b></p>\n",
            escape(w.lookup_code),
            escape(code)
        ));
    }
    html.push_str(&format!(
        "<p>{}</p>\n<p>{}<br>{}</p>\n</body>\n</html>\n",
        escape(w.attached),
        escape(w.regards),
        escape(m.seller_name)
    ));

    Email {
        from: from.to_owned(),
        to,
        reply_to: None,
        subject,
        text,
        html,
        message_id: message_id.to_owned(),
        attachments: vec![
            Attachment {
                filename: format!("{file_stem}.pdf"),
                content_type: "application/pdf".into(),
                bytes: pdf,
            },
            Attachment {
                filename: format!("{file_stem}.xml"),
                content_type: "application/xml".into(),
                bytes: xml,
            },
        ],
    }
}

/// `s` escaped for HTML text and attribute values (double- or single-quoted).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// A subject is one line: line breaks and other control characters in a name become spaces.
fn one_line(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice<'a>() -> InvoiceMail<'a> {
        InvoiceMail {
            lang: Lang::Vi,
            seller_name: "Công ty A",
            buyer_name: Some("Công ty B"),
            form_symbol: "1C26TAA",
            number: "0000123",
            date: "05/03/2026",
            total: "1.100.000 VND",
            lookup_url: Some("https://hoadon.example.vn/tra-cuu?ma=ABC&x=1"),
            lookup_code: Some("ABC123XYZ"),
            test: false,
        }
    }

    fn email(m: &InvoiceMail) -> Email {
        compose(
            m,
            "Công ty A <hoadon@example.vn>",
            vec!["b@example.com".into()],
            "<d-1@hoadon>",
            b"%PDF".to_vec(),
            b"<HDon/>".to_vec(),
            "1C26TAA-0000123",
        )
    }

    #[test]
    fn subjects_in_both_languages() {
        assert_eq!(
            email(&invoice()).subject,
            "Hóa đơn điện tử số 0000123 – Công ty A"
        );
        let en = InvoiceMail {
            lang: Lang::En,
            ..invoice()
        };
        assert_eq!(email(&en).subject, "E-invoice no. 0000123 from Công ty A");
    }

    #[test]
    fn the_body_gives_the_invoice_and_its_lookup() {
        let e = email(&invoice());
        for part in [&e.text, &e.html] {
            for needle in [
                "Công ty B",
                "1C26TAA",
                "0000123",
                "05/03/2026",
                "1.100.000 VND",
                "ABC123XYZ",
            ] {
                assert!(part.contains(needle), "{needle} missing in {part}");
            }
            assert!(!part.contains("thử nghiệm"), "{part}");
        }
        assert!(
            e.text
                .contains("https://hoadon.example.vn/tra-cuu?ma=ABC&x=1")
        );
        assert!(e.html.contains(
            "<a href=\"https://hoadon.example.vn/tra-cuu?ma=ABC&amp;x=1\">https://hoadon.example.vn/tra-cuu?ma=ABC&amp;x=1</a>"
        ));
        assert_eq!(e.message_id, "<d-1@hoadon>");
        assert_eq!(e.reply_to, None);
    }

    #[test]
    fn the_attachments_are_the_given_bytes() {
        let e = email(&invoice());
        let names: Vec<_> = e
            .attachments
            .iter()
            .map(|a| (a.filename.as_str(), a.content_type.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("1C26TAA-0000123.pdf", "application/pdf"),
                ("1C26TAA-0000123.xml", "application/xml")
            ]
        );
        assert_eq!(e.attachments[0].bytes, b"%PDF");
        assert_eq!(e.attachments[1].bytes, b"<HDon/>");
    }

    #[test]
    fn every_value_is_escaped_in_html() {
        let m = InvoiceMail {
            seller_name: "A & B \"Co\"",
            buyer_name: Some("<script>alert('x')</script>"),
            form_symbol: "<b>",
            number: "<i>1</i>",
            date: "<u>",
            total: "<img src=x onerror=alert(1)>",
            lookup_url: Some("javascript:alert(1)"),
            lookup_code: Some("</p><script>"),
            ..invoice()
        };
        let e = email(&m);
        assert!(
            e.html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            "{}",
            e.html
        );
        assert!(e.html.contains("A &amp; B &quot;Co&quot;"), "{}", e.html);
        for raw in [
            "<script",
            "<b><b>",
            "<i>",
            "<u>",
            "<img",
            "href=\"javascript",
            "</p><script",
        ] {
            assert!(!e.html.contains(raw), "{raw} unescaped in {}", e.html);
        }
        // The plain text keeps the values as they are.
        assert!(e.text.contains("<script>alert('x')</script>"));
    }

    #[test]
    fn a_test_invoice_says_so() {
        let vi = email(&InvoiceMail {
            test: true,
            ..invoice()
        });
        assert!(
            vi.subject
                .starts_with("[THỬ NGHIỆM] Hóa đơn điện tử số 0000123"),
            "{}",
            vi.subject
        );
        assert!(
            vi.text
                .contains("hóa đơn thử nghiệm, không có giá trị pháp lý")
        );
        assert!(
            vi.html
                .contains("hóa đơn thử nghiệm, không có giá trị pháp lý")
        );
        let en = email(&InvoiceMail {
            test: true,
            lang: Lang::En,
            ..invoice()
        });
        assert!(
            en.subject.starts_with("[TEST] E-invoice no. 0000123"),
            "{}",
            en.subject
        );
        assert!(en.text.contains("test invoice") && en.html.contains("test invoice"));
    }

    #[test]
    fn an_anonymous_buyer_and_no_lookup() {
        let e = email(&InvoiceMail {
            buyer_name: None,
            lookup_url: None,
            lookup_code: None,
            ..invoice()
        });
        assert!(e.text.starts_with("Kính gửi Quý khách,"), "{}", e.text);
        assert!(!e.text.contains("Tra cứu") && !e.html.contains("Tra cứu"));
    }

    #[test]
    fn the_subject_is_one_line() {
        let e = email(&InvoiceMail {
            seller_name: "Công ty A\r\nBcc: x@y.z",
            ..invoice()
        });
        assert!(
            !e.subject.contains('\r') && !e.subject.contains('\n'),
            "{}",
            e.subject
        );
    }

    #[test]
    fn the_composed_mail_builds() {
        let bytes = crate::mime(&email(&invoice())).unwrap();
        let m = String::from_utf8(bytes).unwrap();
        assert!(m.contains("filename=\"1C26TAA-0000123.xml\""));
    }
}
