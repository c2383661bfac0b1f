//! What `token sign` and `token sign-bundle` share: choosing the token and certificate (before
//! the PIN when the public objects allow it), one login, and signing a claimed invoice's
//! `SignedInfo` after checking that the digest the server sent is the bytes' own.

use super::{CertId, read_pin, token_err};
use crate::Refused;
use hoadon_core::api::signing::{ClaimedInvoice, SignatureUpload};
use hoadon_core::dsig;
use hoadon_signing::token::{Module, TokenCertificate, TokenSigner};

/// The token and certificate options of the signing commands.
#[derive(clap::Args)]
pub struct TokenChoice {
    #[arg(long, value_name = "LIB", help = super::MODULE_SHORT, long_help = super::MODULE_HELP)]
    pub module: std::path::PathBuf,
    /// The token's label (see `token list`); needed when several tokens are present.
    #[arg(long, value_name = "LABEL")]
    pub token: Option<String>,
    /// The certificate's CKA_ID in hex (see `token list`); needed when the token holds several
    /// certificates with private keys.
    #[arg(long, value_name = "HEX", value_parser = super::parse_cert_id)]
    pub cert_id: Option<CertId>,
}

/// The server's name for a certificate: SHA-256 of its DER, lowercase hex.
pub fn registry_id(der: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A loaded module and the chosen token, before any PIN.
pub struct Opened {
    module: Module,
    label: String,
    /// The certificate, when the public objects alone decide it (an id was given, or the token
    /// holds a single certificate): what lets the server be asked before the PIN is.
    pub known: Option<TokenCertificate>,
    cert_id: Option<Vec<u8>>,
}

impl Opened {
    pub fn open(choice: &TokenChoice) -> Result<Opened, Refused> {
        let module = Module::open(&choice.module).map_err(token_err)?;
        // A missing or ambiguous token is said before the PIN is asked.
        let label = module
            .token_label(choice.token.as_deref())
            .map_err(token_err)?;
        let certificates = module
            .tokens()
            .map_err(token_err)?
            .into_iter()
            .find(|t| t.label == label)
            .map(|t| t.certificates)
            .unwrap_or_default();
        let cert_id = choice.cert_id.as_ref().map(|c| c.0.clone());
        let known =
            match &cert_id {
                Some(id) => Some(certificates.into_iter().find(|c| &c.id == id).ok_or_else(
                    || {
                        Refused(format!(
                            "token {label}: no certificate with id {} (see `hoadon token list`)",
                            hex(id)
                        ))
                    },
                )?),
                None if certificates.len() == 1 => certificates.into_iter().next(),
                None => None,
            };
        Ok(Opened {
            module,
            label,
            known,
            cert_id,
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// Asks the PIN (once) and logs in with the chosen certificate's key.
    pub fn login(&self) -> Result<TokenSigner, Refused> {
        let pin = read_pin()?;
        let id = self
            .cert_id
            .as_deref()
            .or(self.known.as_ref().map(|c| c.id.as_slice()));
        self.module
            .signer(Some(&self.label), id, &pin)
            .map_err(token_err)
    }
}

/// The certificate's line for messages: id on the token, MST, subject.
pub fn describe(c: &TokenCertificate) -> String {
    let subject = c
        .parsed
        .as_ref()
        .map(|p| p.subject.clone())
        .unwrap_or_else(|e| format!("(unreadable: {e})"));
    format!(
        "certificate {} (MST {}, {subject})",
        c.id_hex(),
        c.tax_id().unwrap_or_else(|| "-".into())
    )
}

/// Why one claimed invoice was not signed here.
pub struct NotSigned {
    pub code: &'static str,
    pub message: String,
}

/// Signs one claimed invoice: [`checked_digest`], then [`sign_digest`].
pub fn sign_claimed(
    signer: &TokenSigner,
    certificate: &str,
    invoice: &ClaimedInvoice,
) -> Result<SignatureUpload, NotSigned> {
    let digest = checked_digest(invoice)?;
    sign_digest(signer, certificate, invoice, &digest)
}

/// The SHA-256 of a claimed invoice's `SignedInfo` bytes, decoded and hashed here, and only if
/// it is the `digest_sha256` the server announced — a client that signed a digest it did not
/// check could be made to sign anything.
pub fn checked_digest(invoice: &ClaimedInvoice) -> Result<[u8; 32], NotSigned> {
    let bytes = dsig::b64_decode(&invoice.signed_info_base64).map_err(|e| NotSigned {
        code: "client.signed_info_unreadable",
        message: format!("the SignedInfo is not base64: {e}"),
    })?;
    let digest: [u8; 32] = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes)
        .as_ref()
        .try_into()
        .map_err(|_| NotSigned {
            code: "client.digest",
            message: "SHA-256 is not 32 bytes".into(),
        })?;
    if !hex(&digest).eq_ignore_ascii_case(invoice.digest_sha256.trim()) {
        return Err(NotSigned {
            code: "client.digest_mismatch",
            message: format!(
                "the digest sent ({}) is not the SHA-256 of the SignedInfo sent ({}): not signed",
                invoice.digest_sha256,
                hex(&digest)
            ),
        });
    }
    Ok(digest)
}

/// The token's signature of a checked `digest`, as the upload that carries it.
pub fn sign_digest(
    signer: &TokenSigner,
    certificate: &str,
    invoice: &ClaimedInvoice,
    digest: &[u8; 32],
) -> Result<SignatureUpload, NotSigned> {
    let value = signer.sign_digest(digest).map_err(|e| NotSigned {
        code: "client.token",
        message: e.to_string(),
    })?;
    Ok(SignatureUpload {
        invoice: invoice.id.clone(),
        certificate: certificate.to_owned(),
        signature_base64: dsig::b64_encode(&value),
    })
}

/// Refuses to go on when the token's certificate does not carry `tax_id` (the seller's).
pub fn check_tax_id(c: &TokenCertificate, tax_id: &str) -> Result<(), Refused> {
    match c.tax_id() {
        Some(mst) if mst == tax_id => Ok(()),
        found => Err(Refused(format!(
            "{} carries MST {}, but the invoices are the seller {tax_id}'s: use the seller's \
             certificate (--cert-id)",
            describe(c),
            found.unwrap_or_else(|| "none".into())
        ))),
    }
}
