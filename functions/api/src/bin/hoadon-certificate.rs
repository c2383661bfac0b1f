//! Creates the self-signed certificate of a tenant's KMS signing key, for staging stacks (or,
//! with `--request`, the certificate request to send a licensed CA for that key):
//! the public key from KMS (`GetPublicKey`, allowed to administrators), the signature from the
//! tenant's signer function (`Invoke`; the key policy lets nobody else sign). Prints the PEM.
//!
//! `hoadon-certificate --tenant ID --key-id KEY --signer-function NAME --seller-name NAME
//!  --tax-id MST [--years N]`, each flag also read from the variable the stack's functions use
//! (`HOADON_TENANT`, `HOADON_KMS_KEY_ID`, `HOADON_SIGNER_FUNCTION`) or the local server uses
//! (`HOADON_SELLER_NAME`, `HOADON_SELLER_TAX_ID`). Used by `infra/deploy`. Invoices filed with the
//! tax authority need a certificate from a licensed CA instead.

use clap::Parser;
use hoadon_api::kms::{KmsKey, certificate_request, invoke_sign, self_signed_certificate};
use hoadon_api::ports::{Clock, SystemClock};

#[derive(Parser)]
#[command(
    version,
    about = "The self-signed certificate (PEM on stdout) of a tenant's KMS signing key, signed \
             through the tenant's signer function: for staging stacks"
)]
struct Cli {
    /// The tenant whose signer function signs (it signs only for its own tenant).
    #[arg(long, env = "HOADON_TENANT")]
    tenant: String,
    /// The KMS key id or ARN: its public key goes into the certificate.
    #[arg(long, env = "HOADON_KMS_KEY_ID")]
    key_id: String,
    /// The signer function's name (`hoadon-<tenant>-signer`).
    #[arg(long, env = "HOADON_SIGNER_FUNCTION")]
    signer_function: String,
    /// The certificate's subject name: the company.
    #[arg(long, env = "HOADON_SELLER_NAME")]
    seller_name: String,
    /// The company's tax id, written in the subject as `UID=MST:<tax id>`, as Vietnamese CAs do.
    #[arg(long, env = "HOADON_SELLER_TAX_ID")]
    tax_id: String,
    /// Validity from now, in years.
    #[arg(long, default_value_t = 3)]
    years: u16,
    /// Print a certificate request (PKCS#10 PEM) for a licensed CA instead of a self-signed
    /// certificate; upload what the CA returns (with its chain) to `POST /api/certificates`.
    #[arg(long)]
    request: bool,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let Cli {
        tenant,
        key_id,
        signer_function: function,
        seller_name: name,
        tax_id,
        years,
        request,
    } = Cli::parse();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let key = KmsKey::new(aws_sdk_kms::Client::new(&sdk), &key_id);
    let spki = key.public_key_der().await.map_err(|e| e.to_string())?;
    let lambda = aws_sdk_lambda::Client::new(&sdk);
    if request {
        let pem = certificate_request(&spki, &name, &tax_id, |info| {
            let (lambda, function, tenant, key_id) = (&lambda, &function, &tenant, &key_id);
            async move { invoke_sign(lambda, function, tenant, key_id, &info).await }
        })
        .await?;
        print!("{pem}");
        return Ok(());
    }
    let now = SystemClock.now_vn();
    let mut until = now;
    until.date = hoadon_core::Date::new(now.date.year() + years, now.date.month(), 1)
        .map_err(|e| e.to_string())?;
    let pem = self_signed_certificate(&spki, &name, &tax_id, (now, until), |tbs| {
        let (lambda, function, tenant, key_id) = (&lambda, &function, &tenant, &key_id);
        async move { invoke_sign(lambda, function, tenant, key_id, &tbs).await }
    })
    .await?;
    print!("{pem}");
    Ok(())
}
