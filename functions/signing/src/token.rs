//! A seller's PKCS#11 token (a CA's USB token, or SoftHSM2 in the tests): list its certificates
//! and sign `SignedInfo`s with the private key next to the chosen certificate, in one logged-in
//! session (the PIN is asked once for a whole batch).
//!
//! The PKCS#11 library is loaded at run time from the path the user gives (`cryptoki` opens it
//! with `dlopen`/`LoadLibrary`), so nothing is linked at build time and any vendor's module
//! works. The token only ever sees a 51-byte DigestInfo: "hash out, signature in", the flow the
//! server's claimed invoices will use (#15).
//!
//! The PIN is a secret: [`Pin`] never prints it, zeroizes it on drop, and no error of this module
//! carries it (the PKCS#11 errors are return codes).

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use hoadon_core::DateTime;
use hoadon_core::dsig::{self, DsigError, SignerCertificate};
use std::path::Path;
use zeroize::Zeroizing;

/// Why a token operation failed. No variant carries the PIN.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot load the PKCS#11 library {path}: {why}")]
    Library { path: String, why: String },
    #[error("no token {0}")]
    NoToken(String),
    #[error("{0}")]
    Choice(String),
    #[error("the PIN is incorrect (the token locks itself after a few wrong tries)")]
    PinIncorrect,
    #[error("the token's PIN is locked; unlock it with the CA's tool")]
    PinLocked,
    #[error("certificate {id}: {why}")]
    Certificate { id: String, why: String },
    #[error("token: {0}")]
    Pkcs11(String),
    #[error("{0}")]
    Document(#[from] DsigError),
}

impl From<CkError> for TokenError {
    fn from(e: CkError) -> Self {
        match e {
            CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _) => {
                TokenError::PinIncorrect
            }
            CkError::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked,
            other => TokenError::Pkcs11(other.to_string()),
        }
    }
}

/// A token PIN: zeroized on drop, never shown by `Debug`.
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(pin: String) -> Self {
        Pin(Zeroizing::new(pin))
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// A certificate object on a token.
#[derive(Debug, Clone)]
pub struct TokenCertificate {
    pub label: String,
    /// `CKA_ID`, which the certificate's private key shares.
    pub id: Vec<u8>,
    pub der: Vec<u8>,
    /// The parsed certificate, or why it could not be read (a token may hold other kinds).
    pub parsed: Result<dsig::cert::Certificate, String>,
}

impl TokenCertificate {
    /// The `CKA_ID` in lower-case hex, as `--cert-id` takes it.
    pub fn id_hex(&self) -> String {
        hex(&self.id)
    }
    /// The subject's `MST:` tax id.
    pub fn tax_id(&self) -> Option<String> {
        self.parsed.as_ref().ok().and_then(|c| c.tax_id())
    }
}

/// A token in a slot, with its (public) certificates.
#[derive(Debug, Clone)]
pub struct TokenDescription {
    pub slot_id: u64,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub certificates: Vec<TokenCertificate>,
}

/// A loaded PKCS#11 library.
pub struct Module {
    ctx: Pkcs11,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").finish_non_exhaustive()
    }
}

impl Module {
    /// Loads and initializes the library at `path` (SoftHSM2's `libsofthsm2.so`, or the `.so` /
    /// `.dll` / `.dylib` the token's vendor installs).
    pub fn open(path: &Path) -> Result<Self, TokenError> {
        let lib_err = |e: CkError| TokenError::Library {
            path: path.display().to_string(),
            why: e.to_string(),
        };
        let ctx = Pkcs11::new(path).map_err(lib_err)?;
        // OS locking: the library may be called from any thread the caller uses.
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(lib_err)?;
        Ok(Module { ctx })
    }

    /// Every present, initialized token with its certificates (read without logging in:
    /// certificates are public objects). SoftHSM2 always offers one more, empty slot; it is not
    /// a token anyone can sign with.
    pub fn tokens(&self) -> Result<Vec<TokenDescription>, TokenError> {
        let mut out = Vec::new();
        for slot in self.ctx.get_slots_with_initialized_token()? {
            let info = self.ctx.get_token_info(slot)?;
            let session = self.ctx.open_ro_session(slot)?;
            out.push(TokenDescription {
                slot_id: slot.id(),
                label: info.label().trim().to_owned(),
                manufacturer: info.manufacturer_id().trim().to_owned(),
                model: info.model().trim().to_owned(),
                serial: info.serial_number().trim().to_owned(),
                certificates: certificates(&session)?,
            });
        }
        Ok(out)
    }

    /// Logs in to the token labelled `token` (or the only token present) and picks the
    /// certificate whose `CKA_ID` is `cert_id` (or the only certificate with a private key next
    /// to it). The session stays open for every signature of the returned signer.
    pub fn signer(
        &self,
        token: Option<&str>,
        cert_id: Option<&[u8]>,
        pin: &Pin,
    ) -> Result<TokenSigner, TokenError> {
        let (slot, label) = self.find_token(token)?;
        let session = self.ctx.open_ro_session(slot)?;
        session.login(UserType::User, Some(&AuthPin::from(pin.0.as_str())))?;
        let mut candidates = Vec::new();
        for cert in certificates(&session)? {
            if cert_id.is_some_and(|id| id != cert.id.as_slice()) {
                continue;
            }
            if let Some(key) = private_key(&session, &cert.id)? {
                candidates.push((cert, key));
            }
        }
        let (cert, key) = match candidates.len() {
            1 => candidates.remove(0),
            0 => {
                return Err(TokenError::Choice(match cert_id {
                    Some(id) => format!(
                        "token {label}: no certificate with id {} and a private key",
                        hex(id)
                    ),
                    None => format!("token {label}: no certificate with a private key"),
                }));
            }
            _ => {
                let ids: Vec<String> = candidates.iter().map(|(c, _)| c.id_hex()).collect();
                return Err(TokenError::Choice(format!(
                    "token {label} has several signing certificates (ids {}); choose one with --cert-id",
                    ids.join(", ")
                )));
            }
        };
        let id = cert.id_hex();
        let cert_err = |why: String| TokenError::Certificate {
            id: id.clone(),
            why,
        };
        let parsed = cert.parsed.clone().map_err(cert_err)?;
        // A key that is not the certificate's would sign values every verifier refuses; say so
        // now rather than at the first invoice.
        if let Some(modulus) = key_modulus(&session, key)?
            && strip_zeros(&modulus) != strip_zeros(&parsed.modulus)
        {
            return Err(cert_err(
                "the private key with this id is not the certificate's".into(),
            ));
        }
        let signer_cert = SignerCertificate::from_der(&cert.der)?;
        Ok(TokenSigner {
            session,
            key,
            token_label: label,
            certificate: cert,
            signer_cert,
        })
    }

    /// The label of the token `wanted` (or of the only token present): lets a caller refuse a
    /// missing or ambiguous token before it asks for the PIN.
    pub fn token_label(&self, wanted: Option<&str>) -> Result<String, TokenError> {
        Ok(self.find_token(wanted)?.1)
    }

    fn find_token(&self, wanted: Option<&str>) -> Result<(Slot, String), TokenError> {
        let mut found = Vec::new();
        for slot in self.ctx.get_slots_with_initialized_token()? {
            let label = self.ctx.get_token_info(slot)?.label().trim().to_owned();
            if wanted.is_none_or(|w| w == label) {
                found.push((slot, label));
            }
        }
        match (found.len(), wanted) {
            (1, _) => Ok(found.remove(0)),
            (0, Some(w)) => Err(TokenError::NoToken(format!("labelled {w:?}"))),
            (0, None) => Err(TokenError::NoToken("present (is it plugged in?)".into())),
            _ => {
                let labels: Vec<String> = found.into_iter().map(|(_, l)| l).collect();
                Err(TokenError::Choice(format!(
                    "several tokens ({}); choose one with --token",
                    labels.join(", ")
                )))
            }
        }
    }
}

/// A logged-in session on one token, signing with one certificate's private key.
pub struct TokenSigner {
    session: Session,
    key: ObjectHandle,
    token_label: String,
    certificate: TokenCertificate,
    signer_cert: SignerCertificate,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("token", &self.token_label)
            .field("certificate", &self.certificate.id_hex())
            .finish_non_exhaustive()
    }
}

/// DER of `DigestInfo { AlgorithmIdentifier { sha256, NULL }, OCTET STRING (32 bytes) }` up to
/// the digest (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The DigestInfo that `CKM_RSA_PKCS` pads and signs for an RSA-SHA256 signature of `digest`.
pub fn sha256_digest_info(digest: &[u8; 32]) -> [u8; 51] {
    let mut out = [0u8; 51];
    out[..19].copy_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    out[19..].copy_from_slice(digest);
    out
}

impl TokenSigner {
    pub fn token_label(&self) -> &str {
        &self.token_label
    }

    pub fn certificate(&self) -> &TokenCertificate {
        &self.certificate
    }

    pub fn signer_certificate(&self) -> &SignerCertificate {
        &self.signer_cert
    }

    /// RSA-SHA256 (PKCS#1 v1.5) of the canonical `signed_info`: hashed here, the SHA-256
    /// DigestInfo signed on the token with `CKM_RSA_PKCS`.
    ///
    /// Why not `CKM_SHA256_RSA_PKCS`: CA-issued USB tokens do not all offer it (many older
    /// vendor modules only do raw `CKM_RSA_PKCS` in the card), it would send the whole
    /// `SignedInfo` over USB, and a desktop that signs invoices the server prepared only ever
    /// receives their digests. The signature is byte-for-byte the same.
    pub fn sign_signed_info(&self, signed_info: &[u8]) -> Result<Vec<u8>, TokenError> {
        let digest: [u8; 32] = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, signed_info)
            .as_ref()
            .try_into()
            .map_err(|_| TokenError::Pkcs11("SHA-256 is not 32 bytes".into()))?;
        self.sign_digest(&digest)
    }

    /// RSA-SHA256 (PKCS#1 v1.5) given the SHA-256 `digest` of the signed bytes.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError> {
        Ok(self
            .session
            .sign(&Mechanism::RsaPkcs, self.key, &sha256_digest_info(digest))?)
    }

    /// Signs an unsigned `HDon` as its seller, as [`crate::LocalKeySigner::sign_invoice`] does:
    /// prepare with the token's certificate, sign on the token, attach (which re-checks the
    /// value against the certificate). A certificate not valid at `signing_time` is refused
    /// first: the server attaches only signatures whose certificate was valid then (#15), and a
    /// CA's certificate expiring is the commonest way a token stops working.
    pub fn sign_invoice(
        &self,
        unsigned: &str,
        signing_time: DateTime,
    ) -> Result<String, TokenError> {
        if let Ok(c) = &self.certificate.parsed
            && !c.valid_at(signing_time)
        {
            return Err(TokenError::Certificate {
                id: self.certificate.id_hex(),
                why: format!(
                    "not valid at the signing time {signing_time} (valid {} to {})",
                    c.not_before, c.not_after
                ),
            });
        }
        let prepared = dsig::prepare(unsigned, &self.signer_cert, signing_time)?;
        let value = self.sign_digest(&prepared.signed_info_digest())?;
        Ok(prepared.attach(&value)?)
    }
}

/// The certificates a session sees, with label, id and parsed content.
fn certificates(session: &Session) -> Result<Vec<TokenCertificate>, TokenError> {
    let mut out = Vec::new();
    for handle in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])? {
        let attrs = session.get_attributes(
            handle,
            &[
                AttributeType::Label,
                AttributeType::Id,
                AttributeType::Value,
            ],
        )?;
        let (mut label, mut id, mut der) = (String::new(), Vec::new(), Vec::new());
        for a in attrs {
            match a {
                Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                Attribute::Id(i) => id = i,
                Attribute::Value(v) => der = v,
                _ => {}
            }
        }
        let parsed = dsig::cert::parse(&der).map_err(|e| e.to_string());
        out.push(TokenCertificate {
            label,
            id,
            der,
            parsed,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The private key whose `CKA_ID` is `id` (visible after login).
fn private_key(session: &Session, id: &[u8]) -> Result<Option<ObjectHandle>, TokenError> {
    let found = session.find_objects(&[
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Id(id.to_vec()),
    ])?;
    Ok(found.into_iter().next())
}

/// The key's `CKA_MODULUS`, when the token tells it.
fn key_modulus(session: &Session, key: ObjectHandle) -> Result<Option<Vec<u8>>, TokenError> {
    let attrs = session.get_attributes(key, &[AttributeType::Modulus])?;
    Ok(attrs.into_iter().find_map(|a| match a {
        Attribute::Modulus(m) => Some(m),
        _ => None,
    }))
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes from hex (`--cert-id`), with an optional `0x` and `:` separators.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s
        .trim_start_matches("0x")
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_never_shows_in_debug() {
        let pin = Pin::new("123456".into());
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
    }

    #[test]
    fn the_digest_info_is_sha256s() {
        let d = sha256_digest_info(&[0xab; 32]);
        assert_eq!(d[..19], SHA256_DIGEST_INFO_PREFIX);
        assert_eq!(d[19..], [0xab; 32]);
    }

    #[test]
    fn cert_ids_parse_as_hex() {
        assert_eq!(parse_hex("01"), Some(vec![1]));
        assert_eq!(parse_hex("0xA0:0b"), Some(vec![0xa0, 0x0b]));
        assert_eq!(parse_hex("1"), None);
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex("é1"), None);
    }
}
