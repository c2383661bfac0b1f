//! The verification key of a signature: which certificate of its `KeyInfo` signed.
//!
//! XMLDSig implies no order among the `X509Certificate` elements of `X509Data` (nor among
//! several `X509Data`), and real signers send the chain leaf-first or leaf-last. The signer is
//! therefore the certificate whose key verifies the `SignatureValue`; when none does, the
//! report names the chain's leaf (the certificate that issued none of the others), so the
//! failure speaks of the signer, not of its CA.

use crate::dsig::cert::{self, Certificate};
use crate::dsig::{SignatureAlg, b64_decode, rsa_verify};
use crate::xml::dom::Element;

/// Largest RSA modulus verified (bits): larger keys only cost time (a hostile file could
/// carry a 64-kbit key to make every verification slow); no CA issues them.
pub const MAX_KEY_BITS: usize = 8192;
/// Largest public exponent (bytes): real ones are 65537; a huge exponent is a cost attack.
pub const MAX_EXPONENT_BYTES: usize = 8;
/// Most certificates read from one `KeyInfo` (a chain is three or four).
pub const MAX_CERTIFICATES: usize = 10;

/// The key a signature verifies with and, when `KeyInfo` has one, its certificate.
pub(super) struct SignerKey {
    pub cert: Option<Certificate>,
    /// The `SignatureValue` verifies with this key.
    pub verifies: bool,
}

fn bounded(modulus: &[u8], exponent: &[u8]) -> Result<(), String> {
    let bits = modulus.iter().position(|b| *b != 0).map_or(0, |i| {
        (modulus.len() - i) * 8 - modulus[i].leading_zeros() as usize
    });
    let exp = exponent.iter().skip_while(|b| **b == 0).count();
    if bits > MAX_KEY_BITS || exp > MAX_EXPONENT_BYTES {
        return Err(format!(
            "RSA key of {bits} bits with a {exp}-byte exponent: keys above {MAX_KEY_BITS} bits \
             or exponents above {MAX_EXPONENT_BYTES} bytes are not verified (cost bound)"
        ));
    }
    Ok(())
}

/// Finds the signer's key in `KeyInfo` and checks `value` over `signed_info` with it.
pub(super) fn signer_key(
    sig: &Element,
    alg: SignatureAlg,
    signed_info: &[u8],
    value: Option<&[u8]>,
) -> Result<SignerKey, String> {
    let key_info = sig
        .child("KeyInfo")
        .ok_or("no KeyInfo: no key to verify with")?;
    let ders: Vec<&Element> = key_info
        .elements()
        .filter(|x| x.local_name() == "X509Data")
        .flat_map(|x| x.elements().filter(|c| c.local_name() == "X509Certificate"))
        .collect();
    if ders.len() > MAX_CERTIFICATES {
        return Err(format!(
            "KeyInfo carries {} certificates; at most {MAX_CERTIFICATES} are read",
            ders.len()
        ));
    }
    let verifies =
        |n: &[u8], e: &[u8]| value.is_some_and(|v| rsa_verify(n, e, alg, signed_info, v));
    if !ders.is_empty() {
        let mut certs = Vec::with_capacity(ders.len());
        for c in ders {
            let der = b64_decode(&c.text()).map_err(|_| "X509Certificate is not base64")?;
            let parsed = cert::parse(&der).map_err(|e| e.to_string())?;
            let issuer = cert::issuer(&der).unwrap_or_default();
            bounded(&parsed.modulus, &parsed.exponent)?;
            certs.push((parsed, issuer));
        }
        if let Some(i) = certs
            .iter()
            .position(|(c, _)| verifies(&c.modulus, &c.exponent))
        {
            return Ok(SignerKey {
                cert: Some(certs.swap_remove(i).0),
                verifies: true,
            });
        }
        // None verifies: report the leaf (a certificate no other one names as its issuer).
        let leaf = certs
            .iter()
            .position(|(c, _)| {
                !certs
                    .iter()
                    .any(|(o, issuer)| *issuer == c.subject && o.subject != c.subject)
            })
            .unwrap_or(0);
        return Ok(SignerKey {
            cert: Some(certs.swap_remove(leaf).0),
            verifies: false,
        });
    }
    let rsa = key_info
        .child("KeyValue")
        .and_then(|k| k.child("RSAKeyValue"))
        .ok_or("KeyInfo has neither an X509Certificate nor an RSAKeyValue")?;
    let n = rsa.child("Modulus").map(|m| b64_decode(&m.text()));
    let e = rsa.child("Exponent").map(|m| b64_decode(&m.text()));
    match (n, e) {
        (Some(Ok(modulus)), Some(Ok(exponent))) => {
            bounded(&modulus, &exponent)?;
            Ok(SignerKey {
                cert: None,
                verifies: verifies(&modulus, &exponent),
            })
        }
        _ => Err("malformed RSAKeyValue".into()),
    }
}
