//! The API function's settings from its environment ([`ApiEnv`]): one variable each, every
//! one checked at start-up so a misconfigured stack fails with the variable's name.

use super::delivery;

/// The API function's settings, one environment variable each (names in [`ApiEnv::VARS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEnv {
    pub tenant: String,
    pub table: String,
    pub archive_bucket: String,
    pub signer_function: String,
    pub kms_key_id: String,
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub cognito_issuer: String,
    pub cognito_client_id: String,
    /// The signing certificate (PEM) of the tenant's KMS key. Until it is configured the API
    /// serves everything except issuing, which answers `signing_failed` and takes no number.
    pub signer_certificate_pem: Option<String>,
    /// Items per transaction when the store is not AWS itself (DynamoDB Local accepts 10).
    pub max_transaction_ops: Option<usize>,
    /// The tenant's outbox queue (SQS), where wake-ups go ([`SqsWake`]). Required by the outbox
    /// consumer (`HOADON_OUTBOX=1`); without it the other functions serve everything and the
    /// outbox is worked by the sweep function's pump alone (every five minutes).
    pub outbox_queue_url: Option<String>,
    /// The tenant's orders queue (SQS FIFO, `HOADON_ORDERS_QUEUE_URL`, #19): automatic
    /// invoicing grouped by series, consumed by the orders function (the outbox consumer's
    /// code with the API's role, which may sign). Without it orders are invoiced by the API
    /// function's background task and the sweep.
    pub orders_queue_url: Option<String>,
    /// The tenant's T-VAN (`HOADON_TVAN_ENDPOINT`, `_USER`, `_SECRET`, `_SENDER`): all four, or
    /// none (the tenant is not connected yet; invoices stop at the seller's signature). The
    /// endpoint must be https (loopback http only in tests). There is no way to point a stack
    /// at the local simulator: it has no constructor on this path.
    pub tvan: Option<hoadon_authority::TvanConfig>,
    /// `HOADON_TVAN_AUTHORITY_CERT`: the PEM certificate of the tax authority whose codes are
    /// adopted (required with the T-VAN settings).
    pub authority_certificate_pem: Option<String>,
    /// `HOADON_SIGNER=remote`: the tenant also has an account at its CA's remote signing service
    /// (the `HOADON_REMOTE_*` variables, `remote::RemoteArgs`), which signs the series in
    /// `remote` mode; the KMS key signs the others.
    pub remote_signer: bool,
    /// `HOADON_PUBLIC_URL`, `HOADON_MAIL_FROM`: see [`delivery`].
    pub delivery: delivery::DeliveryEnv,
}

pub(super) fn required(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<String, String> {
    get(name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("environment variable {name} is required"))
}

/// The Cognito issuer and the queue URL must be HTTPS; plain HTTP only to a loopback address
/// (tests).
pub(super) fn check_url(name: &str, url: &str) -> Result<(), String> {
    let loopback = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|p| url.starts_with(p));
    if url.starts_with("https://") || loopback {
        Ok(())
    } else {
        Err(format!("{name} must be an https:// URL, got {url:?}"))
    }
}

impl ApiEnv {
    pub const VARS: [&str; 17] = [
        "HOADON_TENANT",
        "HOADON_TABLE",
        "HOADON_ARCHIVE_BUCKET",
        "HOADON_SIGNER_FUNCTION",
        "HOADON_KMS_KEY_ID",
        "HOADON_COGNITO_ISSUER",
        "HOADON_COGNITO_CLIENT_ID",
        "HOADON_SIGNER_CERTIFICATE",
        "HOADON_MAX_TRANSACTION_OPS",
        "HOADON_OUTBOX_QUEUE_URL",
        "HOADON_ORDERS_QUEUE_URL",
        "HOADON_TVAN_ENDPOINT",
        "HOADON_TVAN_USER",
        "HOADON_TVAN_SECRET",
        "HOADON_TVAN_SENDER",
        "HOADON_SIGNER",
        "HOADON_TVAN_AUTHORITY_CERT",
    ];

    /// Reads and checks every setting; the error names the variable.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let tenant = required(&get, "HOADON_TENANT")?;
        if !crate::auth::valid_tenant_id(&tenant) {
            return Err(format!("HOADON_TENANT {tenant:?} is not a valid tenant id"));
        }
        let cognito_issuer = required(&get, "HOADON_COGNITO_ISSUER")?
            .trim_end_matches('/')
            .to_owned();
        check_url("HOADON_COGNITO_ISSUER", &cognito_issuer)?;
        let outbox_queue_url = get("HOADON_OUTBOX_QUEUE_URL").filter(|v| !v.trim().is_empty());
        if let Some(url) = &outbox_queue_url {
            check_url("HOADON_OUTBOX_QUEUE_URL", url)?;
        }
        let orders_queue_url = get("HOADON_ORDERS_QUEUE_URL").filter(|v| !v.trim().is_empty());
        if let Some(url) = &orders_queue_url {
            check_url("HOADON_ORDERS_QUEUE_URL", url)?;
        }
        let tvan_vars = [
            "HOADON_TVAN_ENDPOINT",
            "HOADON_TVAN_USER",
            "HOADON_TVAN_SECRET",
            "HOADON_TVAN_SENDER",
        ]
        .map(|k| get(k).filter(|v| !v.trim().is_empty()));
        let authority_certificate_pem =
            get("HOADON_TVAN_AUTHORITY_CERT").filter(|v| !v.trim().is_empty());
        let tvan = match tvan_vars {
            [None, None, None, None] => None,
            [Some(endpoint), Some(user), Some(secret), Some(sender)] => {
                check_url("HOADON_TVAN_ENDPOINT", &endpoint)?;
                if authority_certificate_pem.is_none() {
                    return Err("HOADON_TVAN_AUTHORITY_CERT (the tax authority's PEM \
                                certificate) is required with the T-VAN settings"
                        .into());
                }
                Some(hoadon_authority::TvanConfig::new(
                    &endpoint, &user, &secret, &sender,
                ))
            }
            _ => {
                return Err(
                    "HOADON_TVAN_ENDPOINT, _USER, _SECRET and _SENDER go together: \
                            set all four or none"
                        .into(),
                );
            }
        };
        let max_transaction_ops = match get("HOADON_MAX_TRANSACTION_OPS") {
            None => None,
            Some(v) => Some(
                v.parse::<usize>()
                    .ok()
                    .filter(|n| (2..=100).contains(n))
                    .ok_or("HOADON_MAX_TRANSACTION_OPS must be a number from 2 to 100")?,
            ),
        };
        Ok(ApiEnv {
            tenant,
            table: required(&get, "HOADON_TABLE")?,
            archive_bucket: required(&get, "HOADON_ARCHIVE_BUCKET")?,
            signer_function: required(&get, "HOADON_SIGNER_FUNCTION")?,
            kms_key_id: required(&get, "HOADON_KMS_KEY_ID")?,
            cognito_issuer,
            cognito_client_id: required(&get, "HOADON_COGNITO_CLIENT_ID")?,
            signer_certificate_pem: get("HOADON_SIGNER_CERTIFICATE")
                .filter(|v| !v.trim().is_empty()),
            max_transaction_ops,
            outbox_queue_url,
            orders_queue_url,
            tvan,
            authority_certificate_pem,
            remote_signer: get("HOADON_SIGNER").as_deref() == Some("remote"),
            delivery: delivery::DeliveryEnv::from(&get)?,
        })
    }

    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|k| std::env::var(k).ok())
    }
}
