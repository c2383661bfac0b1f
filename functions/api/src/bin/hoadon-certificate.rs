//! Creates the self-signed certificate of a tenant's KMS signing key, for staging stacks:
//! the public key from KMS (`GetPublicKey`, allowed to administrators), the signature from the
//! tenant's signer function (`Invoke`; the key policy lets nobody else sign). Prints the PEM.
//!
//! `hoadon-certificate --tenant ID --key-id KEY --signer-function NAME --seller-name NAME
//!  --tax-id MST [--years N]`. Used by `infra/deploy`. Invoices filed with the tax authority need
//! a certificate from a licensed CA instead.

use hoadon_api::kms::{KmsKey, invoke_sign, self_signed_certificate};
use hoadon_api::ports::{Clock, SystemClock};

fn arg(args: &[String], flag: &str) -> Result<String, String> {
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .ok_or_else(|| format!("{flag} is required"))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (tenant, key_id) = (arg(&args, "--tenant")?, arg(&args, "--key-id")?);
    let function = arg(&args, "--signer-function")?;
    let (name, tax_id) = (arg(&args, "--seller-name")?, arg(&args, "--tax-id")?);
    let years: u16 = arg(&args, "--years")
        .unwrap_or_else(|_| "3".into())
        .parse()
        .map_err(|e| format!("--years: {e}"))?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let key = KmsKey::new(aws_sdk_kms::Client::new(&sdk), &key_id);
    let spki = key.public_key_der().await.map_err(|e| e.to_string())?;
    let lambda = aws_sdk_lambda::Client::new(&sdk);
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
