//! Delivery on AWS: the public address printed on invoices, e-mail through Amazon SES (sesv2,
//! the same MIME message the SMTP adapter sends), and the client address the public lookup
//! counts attempts against (API Gateway's `sourceIp`, which a client cannot set).

use crate::invoices::Services;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// `HOADON_PUBLIC_URL` (the stack's public address, `https://…`) and `HOADON_MAIL_FROM` (a
/// sender SES has verified; without it the stack sends no e-mail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryEnv {
    pub public_url: Option<String>,
    pub mail_from: Option<String>,
}

impl DeliveryEnv {
    pub fn from(get: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let some = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let public_url = some("HOADON_PUBLIC_URL");
        if let Some(u) = &public_url {
            super::check_url("HOADON_PUBLIC_URL", u)?;
        }
        Ok(DeliveryEnv {
            public_url,
            mail_from: some("HOADON_MAIL_FROM"),
        })
    }
}

/// The public address and SES onto the services.
pub fn connect(
    env: &DeliveryEnv,
    tenant: &str,
    mut services: Services,
    sdk: &aws_config::SdkConfig,
) -> Services {
    if let Some(url) = &env.public_url {
        services = services.with_public_url(url);
    }
    if let Some(from) = &env.mail_from {
        let mailer = hoadon_mail::SesMailer::new(aws_sdk_sesv2::Client::new(sdk));
        services = services.with_mail(
            tenant,
            crate::delivery::email::MailLink {
                mailer: Arc::new(mailer),
                from: from.clone(),
            },
        );
    }
    services
}

/// Puts API Gateway's `sourceIp` into the request as [`crate::http::delivery::ClientAddr`].
pub async fn client_addr(mut req: Request, next: Next) -> Response {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    };
    if let Some(ip) = ip {
        req.extensions_mut()
            .insert(crate::http::delivery::ClientAddr(ip));
    }
    next.run(req).await
}
