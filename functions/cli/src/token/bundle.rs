//! `hoadon token sign-bundle`: a claim exported as a file (a desktop that cannot reach the
//! server) signed offline into a signed bundle, which the app or `POST /api/signing/signatures`
//! imports back.

use super::signing::{Opened, TokenChoice, check_tax_id, describe, registry_id, sign_claimed};
use crate::{Refused, read_input, write_output};
use hoadon_core::api::signing::{BUNDLE_FORMAT, SIGNATURES_FORMAT, SignatureBatch, SigningBundle};
use hoadon_signing::token::TokenCertificate;

/// Reads a bundle, refusing another format by name before reading anything else of it (a file
/// from another program, or from a later version, must not be half-understood).
pub fn read_bundle(input: &str) -> Result<SigningBundle, Refused> {
    let text = read_input(input)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Refused(format!("{input}: not JSON: {e}")))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(BUNDLE_FORMAT) => {}
        Some(other) => {
            return Err(Refused(format!(
                "{input}: format {other:?} is not a signing bundle ({BUNDLE_FORMAT})"
            )));
        }
        None => {
            return Err(Refused(format!(
                "{input}: no \"format\": not a signing bundle ({BUNDLE_FORMAT})"
            )));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| Refused(format!("{input}: not a signing bundle: {e}")))
}

/// Whether `c` is the certificate the bundle was prepared for, carrying the bundle's seller.
fn matches(bundle: &SigningBundle, c: &TokenCertificate, input: &str) -> Result<(), Refused> {
    if registry_id(&c.der) != bundle.certificate {
        return Err(Refused(format!(
            "{input} was prepared for certificate {}, not for {} on this token (its id {})",
            bundle.certificate,
            describe(c),
            registry_id(&c.der)
        )));
    }
    check_tax_id(c, &bundle.tax_id)
}

pub fn sign_bundle(choice: &TokenChoice, input: &str, output: &str) -> Result<(), Refused> {
    let bundle = read_bundle(input)?;
    if bundle.invoices.is_empty() {
        return Err(Refused(format!("{input}: the bundle has no invoices")));
    }
    let opened = Opened::open(choice)?;
    if let Some(c) = &opened.known {
        matches(&bundle, c, input)?;
    }
    let signer = opened.login()?;
    matches(&bundle, signer.certificate(), input)?;
    let mut signatures = Vec::with_capacity(bundle.invoices.len());
    for invoice in &bundle.invoices {
        let upload = sign_claimed(&signer, &bundle.certificate, invoice).map_err(|n| {
            Refused(format!(
                "{input}: invoice {} ({} no. {}): {}: {}; nothing written",
                invoice.id, invoice.series, invoice.number, n.code, n.message
            ))
        })?;
        signatures.push(upload);
    }
    let batch = SignatureBatch {
        format: Some(SIGNATURES_FORMAT.into()),
        signatures,
    };
    let text =
        serde_json::to_string_pretty(&batch).map_err(|e| Refused(format!("{output}: {e}")))?;
    write_output(output, &(text + "\n"))?;
    eprintln!(
        "signed {} invoice(s) of {input} -> {output} on token {:?} with {}",
        batch.signatures.len(),
        signer.token_label(),
        describe(signer.certificate())
    );
    Ok(())
}
