//! The SES adapter against a stand-in of the SESv2 endpoint on loopback (an HTTP server that
//! records the request and answers as SES would): the request carries the raw MIME message, and
//! SES's errors map to [`MailError`].
#![cfg(feature = "ses")]

use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use base64::Engine;
use hoadon_mail::{Attachment, Email, MailError, Mailer, SesMailer};
use mail_parser::{MessageParser, MimeHeaders};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Answers one request with `status`, `error_type` (SES's `x-amzn-ErrorType`) and `body`; the
/// receiver gets the request body.
async fn endpoint(
    status: &'static str,
    error_type: Option<&'static str>,
    body: &'static str,
) -> (u16, oneshot::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 8192];
        let body_start = loop {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the request ended early");
            request.extend_from_slice(&buf[..n]);
            if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&request[..body_start]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        while request.len() < body_start + length {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the request body ended early");
            request.extend_from_slice(&buf[..n]);
        }
        let error_header = error_type
            .map(|t| format!("x-amzn-ErrorType: {t}\r\n"))
            .unwrap_or_default();
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{error_header}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
        socket.shutdown().await.ok();
        let _ = tx.send(request[body_start..].to_vec());
    });
    (port, rx)
}

fn mailer(port: u16) -> SesMailer {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ap-southeast-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        // The SDK retries throttling by itself in production; here each answer is seen as is.
        .retry_config(RetryConfig::disabled())
        .build();
    SesMailer::new(aws_sdk_sesv2::Client::from_conf(config))
}

fn email() -> Email {
    Email {
        from: "Công ty A <hoadon@example.vn>".into(),
        to: vec!["Kế toán B <buyer@example.com>".into()],
        reply_to: None,
        subject: "Hóa đơn điện tử số 0000123 – Công ty A".into(),
        text: "Kính gửi Quý khách".into(),
        html: "<p>Kính gửi Quý khách</p>".into(),
        message_id: "<delivery-7@hoadon>".into(),
        attachments: vec![Attachment {
            filename: "1C26TAA-0000123.xml".into(),
            content_type: "application/xml".into(),
            bytes: b"<HDon>\n.\n  </HDon>  ".to_vec(),
        }],
    }
}

#[tokio::test]
async fn send_email_carries_the_raw_message() {
    let (port, request) = endpoint("200 OK", None, r#"{"MessageId":"0100-test"}"#).await;
    mailer(port).send(&email()).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&request.await.unwrap()).unwrap();
    assert_eq!(body["FromEmailAddress"], "hoadon@example.vn");
    assert_eq!(
        body["Destination"]["ToAddresses"],
        serde_json::json!(["buyer@example.com"])
    );
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body["Content"]["Raw"]["Data"].as_str().unwrap())
        .unwrap();
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.message_id(), Some("delivery-7@hoadon"));
    assert_eq!(
        msg.subject(),
        Some("Hóa đơn điện tử số 0000123 – Công ty A")
    );
    let xml = msg.attachments().next().unwrap();
    assert_eq!(xml.attachment_name(), Some("1C26TAA-0000123.xml"));
    assert_eq!(xml.contents(), b"<HDon>\n.\n  </HDon>  ");
}

#[tokio::test]
async fn a_rejected_message_is_a_permanent_refusal() {
    let body = r#"{"message":"Email address is not verified."}"#;
    let (port, _request) = endpoint("400 Bad Request", Some("MessageRejected"), body).await;
    match mailer(port).send(&email()).await {
        Err(MailError::Refused {
            permanent: true,
            detail,
        }) => assert!(detail.contains("not verified"), "{detail}"),
        other => panic!("expected a permanent refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_is_a_temporary_refusal() {
    let body = r#"{"message":"Maximum sending rate exceeded."}"#;
    let (port, _request) = endpoint(
        "429 Too Many Requests",
        Some("TooManyRequestsException"),
        body,
    )
    .await;
    match mailer(port).send(&email()).await {
        Err(MailError::Refused {
            permanent: false, ..
        }) => {}
        other => panic!("expected a temporary refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn no_endpoint_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    match mailer(port).send(&email()).await {
        Err(MailError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invalid_email_never_reaches_ses() {
    // Nothing listens: an attempt would be Unavailable, not Invalid.
    let e = Email {
        message_id: "no-brackets".into(),
        ..email()
    };
    assert!(matches!(
        mailer(1).send(&e).await,
        Err(MailError::Invalid(_))
    ));
}
