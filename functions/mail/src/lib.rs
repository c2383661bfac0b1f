//! hoadon's e-mail: the [`Mailer`] port, its adapters ([`SmtpMailer`], and `SesMailer` with the
//! feature `ses`) and the invoice e-mail sent to a buyer ([`invoice`]).
//!
//! # Delivery is at least once
//!
//! Neither SMTP nor Amazon SES offers idempotency: a sender that crashes (or times out) after the
//! server accepted a message but before it recorded the success cannot tell whether the message
//! left, and sends it again. hoadon's outbox therefore delivers *at least once*. What keeps a
//! duplicate harmless is the [`Email::message_id`]: it is derived from the delivery, not drawn at
//! random, so every attempt carries the same `Message-ID` and the recipient's mail client (or
//! server) can recognise the second copy as the same message. (Amazon SES replaces the header with
//! its own: see `SesMailer`.)
//!
//! # One message format
//!
//! [`mime`] builds the RFC 5322 message once, with lettre's builder; the SMTP adapter sends it and
//! the SES adapter hands the very same bytes to SES as a raw message, so both adapters deliver
//! identical mail (headers, parts, attachments) and the tests of one cover the format of the other.

#![forbid(unsafe_code)]

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart};

pub mod invoice;
#[cfg(feature = "ses")]
mod ses;
mod smtp;
#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "ses")]
pub use ses::SesMailer;
pub use smtp::{Security, SmtpMailer};

/// A file attached to an e-mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the recipient sees, e.g. `1C26TAA-0000123.xml`.
    pub filename: String,
    /// A MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The content, delivered byte for byte (base64, never re-encoded as text).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    // The bytes would flood logs: their length says enough.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// An e-mail to send: what [`mime`] turns into an RFC 5322 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender, `"Công ty A <hoadon@example.vn>"` or a bare address.
    pub from: String,
    /// The recipients (at least one), in the same forms as `from`.
    pub to: Vec<String>,
    /// Where replies go, e.g. the seller's own address when `from` is a shared sending address.
    pub reply_to: Option<String>,
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part (the same content as `text`).
    pub html: String,
    /// The `Message-ID` header, `<id@domain>`. Deterministic per delivery (e.g.
    /// `<delivery-id@hoadon>`): every attempt of the same delivery carries the same one, so that a
    /// duplicate sent after a crash is recognisable (see the crate's documentation).
    pub message_id: String,
    pub attachments: Vec<Attachment>,
}

/// Why an e-mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The server refused the message. `permanent` (SMTP 5xx, SES's rejections): sending the same
    /// message again will fail again; otherwise (SMTP 4xx, throttling) a later attempt may succeed.
    #[error("the mail server refused the message ({}): {detail}", if *permanent { "permanently" } else { "temporarily" })]
    Refused { permanent: bool, detail: String },
    /// The server could not be reached or did not answer in time: try again later. The message
    /// may nevertheless have been accepted (a timeout after the data was sent).
    #[error("the mail server is unavailable: {0}")]
    Unavailable(String),
    /// The e-mail itself is wrong (an address that does not parse, no recipient, a malformed
    /// Message-ID or content type): no attempt can succeed.
    #[error("invalid e-mail: {0}")]
    Invalid(String),
}

/// The port through which hoadon sends e-mail.
///
/// `send` returning `Ok` means the server accepted the message for delivery, not that it reached
/// the mailbox. Implementations do not retry: the caller's outbox does, with the same [`Email`]
/// (hence the same `Message-ID`).
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &Email) -> Result<(), MailError>;
}

/// The RFC 5322 message of `email`: `multipart/mixed` holding a `multipart/alternative` (the text,
/// then the HTML part) and then each attachment (base64), with `email.message_id` as `Message-ID`.
/// Non-ASCII headers (the Vietnamese subject, display names) are encoded per RFC 2047.
pub fn mime(email: &Email) -> Result<Vec<u8>, MailError> {
    Ok(message(email)?.formatted())
}

/// The lettre message of `email` (its envelope too: `From` and the `To` addresses).
pub(crate) fn message(email: &Email) -> Result<lettre::Message, MailError> {
    check_message_id(&email.message_id)?;
    if email.to.is_empty() {
        return Err(MailError::Invalid("no recipient".into()));
    }
    let mut builder = lettre::Message::builder()
        .from(mailbox("from", &email.from)?)
        .subject(email.subject.as_str())
        .message_id(Some(email.message_id.clone()));
    for to in &email.to {
        builder = builder.to(mailbox("to", to)?);
    }
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox("reply-to", reply_to)?);
    }
    let mut mixed = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
        email.text.clone(),
        email.html.clone(),
    ));
    for a in &email.attachments {
        let content_type = ContentType::parse(&a.content_type).map_err(|e| {
            MailError::Invalid(format!(
                "attachment {:?}: content type {:?}: {e}",
                a.filename, a.content_type
            ))
        })?;
        // Base64 always: lettre would send a text-like file (the XML) as 7bit or quoted-printable,
        // and relays may then rewrite its line endings or trailing spaces, which breaks the XML
        // signature. Base64 arrives byte for byte.
        let body = Body::new_with_encoding(a.bytes.clone(), ContentTransferEncoding::Base64)
            .map_err(|_| MailError::Invalid("attachment encoding".into()))?;
        mixed = mixed.singlepart(
            lettre::message::Attachment::new(a.filename.clone()).body(body, content_type),
        );
    }
    builder
        .multipart(mixed)
        .map_err(|e| MailError::Invalid(e.to_string()))
}

// A Message-ID is `<left@right>` without spaces or control characters: anything else is refused
// rather than sent, since a CR/LF there would inject headers.
fn check_message_id(id: &str) -> Result<(), MailError> {
    let ok = id.len() > 2
        && id.starts_with('<')
        && id.ends_with('>')
        && id[1..id.len() - 1]
            .split_once('@')
            .is_some_and(|(l, r)| !l.is_empty() && !r.is_empty())
        && id[1..id.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>'));
    if ok {
        Ok(())
    } else {
        Err(MailError::Invalid(format!(
            "Message-ID {id:?} is not <id@domain>"
        )))
    }
}

/// Whether `s` is one bare e-mail address as the message builder will accept it (so an address
/// that passes here never fails [`mime`] later).
pub fn is_address(s: &str) -> bool {
    s.trim().parse::<lettre::Address>().is_ok()
}

fn mailbox(field: &str, s: &str) -> Result<Mailbox, MailError> {
    s.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::Invalid(format!("{field} address {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_one_bare_address() {
        assert!(is_address("lan.tran@binhminh.example"));
        assert!(is_address(" ketoan@anphat.vn "));
        for bad in [
            "not an address",
            "a@",
            "@b.vn",
            "A <a@b.vn>",
            "a@b.vn, c@d.vn",
            "",
        ] {
            assert!(!is_address(bad), "{bad:?}");
        }
    }

    fn email() -> Email {
        Email {
            from: "Công ty A <hoadon@example.vn>".into(),
            to: vec![
                "buyer@example.com".into(),
                "Kế toán <ketoan@example.com>".into(),
            ],
            reply_to: Some("sales@example.vn".into()),
            subject: "Hóa đơn điện tử số 0000123 – Công ty A".into(),
            text: "Kính gửi Quý khách".into(),
            html: "<p>Kính gửi Quý khách</p>".into(),
            message_id: "<d-42@hoadon>".into(),
            attachments: vec![
                Attachment {
                    filename: "1C26TAA-0000123.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7\n".to_vec(),
                },
                Attachment {
                    filename: "1C26TAA-0000123.xml".into(),
                    content_type: "application/xml".into(),
                    bytes: b"<HDon>\n</HDon>\n".to_vec(),
                },
            ],
        }
    }

    fn text(email: &Email) -> String {
        String::from_utf8(mime(email).unwrap()).unwrap()
    }

    #[test]
    fn the_message_id_is_the_given_one() {
        let m = text(&email());
        assert!(m.contains("\r\nMessage-ID: <d-42@hoadon>\r\n"), "{m}");
        assert_eq!(m.matches("Message-ID:").count(), 1);
    }

    #[test]
    fn mixed_holds_the_alternative_text_then_html_then_the_attachments() {
        let m = text(&email());
        let at = |needle: &str| {
            m.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing in {m}"))
        };
        assert!(at("multipart/mixed") < at("multipart/alternative"));
        assert!(at("multipart/alternative") < at("text/plain"));
        assert!(at("text/plain") < at("text/html"));
        assert!(at("text/html") < at("filename=\"1C26TAA-0000123.pdf\""));
        assert!(at("filename=\"1C26TAA-0000123.pdf\"") < at("filename=\"1C26TAA-0000123.xml\""));
        assert!(m.contains("Content-Type: application/pdf"));
        assert!(m.contains("Content-Type: application/xml"));
        assert!(m.matches("Content-Transfer-Encoding: base64").count() >= 2);
        assert!(m.contains("MIME-Version: 1.0"));
        assert!(m.contains("Reply-To: sales@example.vn"));
    }

    #[test]
    fn non_ascii_headers_are_encoded() {
        let m = text(&email());
        let headers = &m[..m.find("\r\n\r\n").unwrap()];
        assert!(headers.is_ascii(), "{headers}");
        assert!(headers.contains("=?utf-8?"), "{headers}");
    }

    #[test]
    fn malformed_inputs_are_invalid() {
        for id in [
            "",
            "d-42@hoadon",
            "<d-42>",
            "<d 42@hoadon>",
            "<d@h>\r\nBcc: x@y.z",
            "<@h>",
        ] {
            let e = Email {
                message_id: id.into(),
                ..email()
            };
            assert!(matches!(mime(&e), Err(MailError::Invalid(_))), "{id:?}");
        }
        let e = Email {
            to: vec![],
            ..email()
        };
        assert!(matches!(mime(&e), Err(MailError::Invalid(_))));
        let e = Email {
            to: vec!["not an address".into()],
            ..email()
        };
        assert!(matches!(mime(&e), Err(MailError::Invalid(_))));
        let mut e = email();
        e.attachments[0].content_type = "pdf".into();
        assert!(matches!(mime(&e), Err(MailError::Invalid(_))));
    }

    #[test]
    fn attachments_do_not_flood_debug_output() {
        let mut e = email();
        e.attachments[0].bytes = vec![b'x'; 100_000];
        let debug = format!("{e:?}");
        assert!(
            debug.contains("100000 bytes") && debug.len() < 2_000,
            "{debug}"
        );
    }
}
