//! The SMTP adapter: lettre's async transport on tokio, TLS with rustls.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{Email, MailError, Mailer};

/// How long one SMTP command may take (connect, each reply, the data) before the attempt is
/// abandoned as [`MailError::Unavailable`]; the outbox tries again later.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text, no TLS: only for a relay on the same host or the tests' local server.
    None,
    /// Plain connection upgraded with STARTTLS, required (typically port 587).
    StartTls,
    /// TLS from the first byte (implicit TLS, typically port 465).
    Tls,
}

/// Sends through an SMTP server (a submission service, a relay), one connection per message.
///
/// No connection pool: hoadon sends from short-lived processes (Lambda functions frozen between
/// invocations), where a pooled connection would mostly be found closed by the server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
    port: u16,
    security: Security,
    user: Option<String>,
}

impl SmtpMailer {
    /// A mailer for `host:port`. `credentials` (user, password) are used with AUTH PLAIN or LOGIN;
    /// lettre only offers them over TLS unless `security` is [`Security::None`].
    pub fn new(
        host: &str,
        port: u16,
        security: Security,
        credentials: Option<(String, String)>,
    ) -> Result<Self, MailError> {
        let builder = match security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| MailError::Invalid(format!("SMTP server {host:?}: {e}")))?,
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| MailError::Invalid(format!("SMTP server {host:?}: {e}")))?,
        };
        let mut builder = builder.port(port).timeout(Some(TIMEOUT));
        let user = credentials.as_ref().map(|(user, _)| user.clone());
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self {
            transport: builder.build(),
            host: host.to_owned(),
            port,
            security,
            user,
        })
    }
}

// Written by hand: the password must never reach a log line.
impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.user.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = crate::message(email)?;
        self.transport.send(message).await.map(drop).map_err(error)
    }
}

/// SMTP replies 5xx are permanent refusals, 4xx temporary ones; a failure to connect, a timeout
/// or a TLS failure is the server being unavailable. lettre's messages carry the server's reply,
/// never the credentials.
pub(crate) fn error(e: lettre::transport::smtp::Error) -> MailError {
    let detail = || {
        let mut s = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            source = inner.source();
        }
        s
    };
    if e.is_permanent() {
        MailError::Refused {
            permanent: true,
            detail: detail(),
        }
    } else if e.is_transient() {
        MailError::Refused {
            permanent: false,
            detail: detail(),
        }
    } else if e.is_client() {
        MailError::Invalid(detail())
    } else {
        MailError::Unavailable(detail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let m = SmtpMailer::new(
            "smtp.example.vn",
            587,
            Security::StartTls,
            Some(("hoadon".into(), "s3cret-pa55".into())),
        )
        .unwrap();
        let debug = format!("{m:?}");
        assert!(!debug.contains("s3cret-pa55"), "{debug}");
        assert!(
            debug.contains("hoadon") && debug.contains("<redacted>"),
            "{debug}"
        );
    }

    #[test]
    fn every_security_builds() {
        for s in [Security::None, Security::StartTls, Security::Tls] {
            SmtpMailer::new("localhost", 2525, s, None).unwrap();
        }
    }
}
