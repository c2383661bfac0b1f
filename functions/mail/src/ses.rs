//! The Amazon SES adapter: SESv2 `SendEmail` with the raw message built by [`crate::mime`].

use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};

use crate::{Email, MailError, Mailer};

/// Sends through Amazon SES (API v2) with the raw MIME message: the same bytes as over SMTP, so
/// the attachments and the multipart structure are ours, not SES's.
///
/// Like SMTP, `SendEmail` has no idempotency token: a retry after a lost answer sends the message
/// twice (delivery is at least once). Note that SES replaces the `Message-ID` header with its own
/// value (SES developer guide, "Amazon SES header fields"), so over SES the deterministic
/// Message-ID only survives in the original headers SES reports in its notifications, not in the
/// recipient's copy.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client) -> Self {
        Self { client }
    }
}

#[async_trait::async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = crate::message(email)?;
        // The envelope's addresses (`From` and `To` without display names).
        let envelope = message.envelope();
        let to = envelope.to().iter().map(ToString::to_string).collect();
        let raw = RawMessage::builder()
            .data(Blob::new(message.formatted()))
            .build()
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        let mut request = self
            .client
            .send_email()
            .destination(Destination::builder().set_to_addresses(Some(to)).build())
            .content(EmailContent::builder().raw(raw).build());
        if let Some(from) = envelope.from() {
            request = request.from_email_address(from.to_string());
        }
        request.send().await.map(drop).map_err(error)
    }
}

/// SES's rejections of the message are permanent; throttling and a paused account are temporary
/// refusals; a request SES deems malformed is invalid; no answer is the service being unavailable.
fn error(e: SdkError<SendEmailError>) -> MailError {
    let detail = aws_sdk_sesv2::error::DisplayErrorContext(&e).to_string();
    match &e {
        SdkError::ServiceError(service) => match service.err() {
            SendEmailError::MessageRejected(_)
            | SendEmailError::MailFromDomainNotVerifiedException(_) => MailError::Refused {
                permanent: true,
                detail,
            },
            SendEmailError::TooManyRequestsException(_)
            | SendEmailError::LimitExceededException(_)
            | SendEmailError::SendingPausedException(_)
            | SendEmailError::AccountSuspendedException(_) => MailError::Refused {
                permanent: false,
                detail,
            },
            SendEmailError::BadRequestException(_) | SendEmailError::NotFoundException(_) => {
                MailError::Invalid(detail)
            }
            _ => MailError::Unavailable(detail),
        },
        SdkError::ConstructionFailure(_) => MailError::Invalid(detail),
        _ => MailError::Unavailable(detail),
    }
}
