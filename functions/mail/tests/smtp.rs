//! The SMTP adapter against a real SMTP server on loopback: aiosmtpd (tests/support/smtp_sink.py),
//! run with the Python of `HOADON_SMTP_PYTHON` (`functions/dev test` installs it). Without it the
//! tests skip, except under CI where they fail. What the server received is parsed with
//! mail-parser, independently of lettre, which built it.

use hoadon_mail::invoice::{InvoiceMail, Lang, compose};
use hoadon_mail::testing::{Sink, free_port, python};
use hoadon_mail::{Email, MailError, Mailer, Security, SmtpMailer};
use mail_parser::{MessageParser, MimeHeaders};

/// An XML file that a text transfer encoding would not carry unchanged: CRLF and LF line endings,
/// trailing spaces, a line of a single dot (SMTP's end of data), a line longer than SMTP's 1000
/// characters, Vietnamese text.
fn xml() -> Vec<u8> {
    let mut x = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HDon>\r\n  <Ten>C\xc3\xb4ng ty B  </Ten>\n.\n"
        .to_vec();
    x.extend(std::iter::repeat_n(b'x', 2500));
    x.extend(b"\n\t</HDon>   ");
    x
}

fn pdf() -> Vec<u8> {
    let mut p = b"%PDF-1.7\n".to_vec();
    p.extend((0..=255u8).cycle().take(5000));
    p
}

fn invoice_email() -> Email {
    let m = InvoiceMail {
        lang: Lang::Vi,
        seller_name: "Công ty A",
        buyer_name: Some("Công ty B <script>"),
        form_symbol: "1C26TAA",
        number: "0000123",
        date: "05/03/2026",
        total: "1.100.000 VND",
        lookup_url: Some("https://hoadon.example.vn/tra-cuu"),
        lookup_code: Some("ABC123XYZ"),
        test: false,
    };
    let mut email = compose(
        &m,
        "Công ty A <hoadon@example.vn>",
        vec!["Kế toán B <buyer@example.com>".into()],
        "<delivery-42@hoadon>",
        pdf(),
        xml(),
        "1C26TAA-0000123",
    );
    email.reply_to = Some("sales@example.vn".into());
    email
}

#[tokio::test]
async fn an_invoice_mail_arrives_whole() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python, 0);
    let email = invoice_email();
    sink.mailer().send(&email).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let (raw, rcpt) = &received[0];
    assert_eq!(rcpt, &["buyer@example.com"]);
    let msg = MessageParser::default()
        .parse(raw)
        .expect("a parsable message");

    assert_eq!(msg.message_id(), Some("delivery-42@hoadon"));
    let raw_text = String::from_utf8_lossy(raw);
    assert!(
        raw_text.contains("\r\nMessage-ID: <delivery-42@hoadon>\r\n"),
        "{raw_text}"
    );
    // The Vietnamese subject travels RFC 2047-encoded (the headers are ASCII) and decodes back.
    let headers = &raw[..raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap()];
    assert!(headers.is_ascii());
    assert_eq!(
        msg.subject(),
        Some("Hóa đơn điện tử số 0000123 – Công ty A")
    );
    let from = msg.from().and_then(|a| a.first()).unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Công ty A"), Some("hoadon@example.vn"))
    );
    let reply_to = msg.reply_to().and_then(|a| a.first()).unwrap();
    assert_eq!(reply_to.address(), Some("sales@example.vn"));

    let root = msg.root_part().content_type().unwrap();
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("mixed")));
    let text = msg.body_text(0).unwrap();
    let html = msg.body_html(0).unwrap();
    assert!(text.contains("Kính gửi Công ty B <script>,"), "{text}");
    assert!(
        html.contains("Kính gửi Công ty B &lt;script&gt;,"),
        "{html}"
    );
    assert!(text.contains("ABC123XYZ") && html.contains("ABC123XYZ"));

    let attachments: Vec<_> = msg
        .attachments()
        .map(|a| {
            let ct = a.content_type().unwrap();
            (
                a.attachment_name().unwrap().to_owned(),
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0].0, "1C26TAA-0000123.pdf");
    assert_eq!(attachments[0].1, "application/pdf");
    assert!(attachments[0].2 == pdf(), "the PDF changed on the way");
    assert_eq!(attachments[1].0, "1C26TAA-0000123.xml");
    assert_eq!(attachments[1].1, "application/xml");
    assert!(attachments[1].2 == xml(), "the XML changed on the way");
}

#[tokio::test]
async fn a_451_is_a_temporary_refusal_and_the_retry_arrives_once() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python, 2);
    let mailer = sink.mailer();
    let email = invoice_email();
    for _ in 0..2 {
        match mailer.send(&email).await {
            Err(MailError::Refused {
                permanent: false,
                detail,
            }) => {
                assert!(detail.contains("try again later"), "{detail}")
            }
            other => panic!("expected a temporary refusal, got {other:?}"),
        }
        assert!(sink.received().is_empty());
    }
    mailer.send(&email).await.unwrap();
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let msg = MessageParser::default().parse(&received[0].0).unwrap();
    assert_eq!(msg.message_id(), Some("delivery-42@hoadon"));
}

#[tokio::test]
async fn a_5xx_is_a_permanent_refusal() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python, 0);
    let email = Email {
        to: vec!["nobody@example.com".into()],
        ..invoice_email()
    };
    match sink.mailer().send(&email).await {
        Err(MailError::Refused {
            permanent: true,
            detail,
        }) => {
            assert!(detail.contains("no such user"), "{detail}")
        }
        other => panic!("expected a permanent refusal, got {other:?}"),
    }
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    // No Python needed: a port nobody listens on.
    let port = free_port();
    let mailer = SmtpMailer::new("127.0.0.1", port, Security::None, None).unwrap();
    match mailer.send(&invoice_email()).await {
        Err(MailError::Unavailable(detail)) => assert!(!detail.is_empty()),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}
