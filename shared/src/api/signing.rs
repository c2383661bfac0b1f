//! The API's bodies for signing with the seller's USB token (#15): a desktop signing session
//! **claims** invoices awaiting a token signature (the server numbers them and prepares each
//! one's exact `SignedInfo`), the token signs the digests, and the session **posts** the
//! signatures back. Only digests and signatures travel; the server never accepts a signed
//! document from a client — it attaches a signature to the document it composed, after checking
//! it over the stored `SignedInfo` with a registered certificate.
//!
//! A claim's answer is also the **bundle** a desktop without a connection signs offline
//! (`hoadon token sign-bundle`), and a [`SignatureBatch`] is the signed bundle imported back.

use serde::{Deserialize, Serialize};

/// The `format` of a bundle, so a file from another program (or a later version) is refused by
/// name rather than misread.
pub const BUNDLE_FORMAT: &str = "hoadon-signing-bundle/1";
/// The `format` of a signed bundle.
pub const SIGNATURES_FORMAT: &str = "hoadon-signatures/1";
/// Most invoices one claim takes (a session claims again for more).
pub const MAX_CLAIM: u8 = 100;

/// `POST /api/signing/claims`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The registered certificate that will sign (its id: SHA-256 of the DER, lowercase hex).
    /// It must be the tenant's, not revoked, carry the seller's `MST:` and be valid now.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub certificate: String,
    /// Only these invoices (ids); absent: the oldest awaiting ones, up to `limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub invoices: Option<Vec<String>>,
    /// How many at most (1–100; default 50).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::money::code_serde::option::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub limit: Option<u8>,
}

/// One claimed invoice: what the signer shows the person holding the token, and what the token
/// signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimedInvoice {
    pub id: String,
    /// `<form><symbol>`, e.g. `1C25TAA`.
    pub series: String,
    pub number: u32,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    pub buyer: String,
    /// The grand total as a decimal string, and its currency.
    pub total: String,
    pub currency: String,
    /// The `SigningTime` fixed when it was claimed (Vietnam time, `YYYY-MM-DDTHH:MM:SS`).
    pub signing_time: String,
    /// The canonical `SignedInfo` bytes, standard base64: what the signature covers.
    pub signed_info_base64: String,
    /// SHA-256 of those bytes, lowercase hex: what the token signs (as a DigestInfo).
    pub digest_sha256: String,
}

/// The answer to a claim, and the bundle file for offline signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningBundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The seller's tax id (the token's certificate must carry it).
    pub tax_id: String,
    /// The certificate the invoices were prepared for (its id).
    pub certificate: String,
    /// Unix seconds.
    pub claimed_at: i64,
    /// In number order per series.
    pub invoices: Vec<ClaimedInvoice>,
    /// Invoices still awaiting a token signature after this claim.
    pub remaining: u64,
    /// Invoices asked for (or next in the queue) that could not be claimed, and why: they stay
    /// where they were.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

/// An invoice a claim left alone (or a signature refused): a stable code and why, in both
/// languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Skipped {
    pub invoice: String,
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

/// One signature: over the claimed invoice's `SignedInfo`, RSA PKCS#1 v1.5 with SHA-256.
/// [`SignatureUpload::shape_error`] is the server's check of what the document's patterns say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatureUpload {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub invoice: String,
    /// The certificate that signed (its id); the invoice must have been claimed for it.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub certificate: String,
    /// The signature value, standard base64.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9+/=]*$")
    )]
    pub signature_base64: String,
}

impl SignatureUpload {
    /// The first field whose shape is wrong (the document's patterns), as `field: rule`.
    pub fn shape_error(&self) -> Option<String> {
        let id_ok = (8..=64).contains(&self.invoice.len())
            && self
                .invoice
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let cert_ok = self.certificate.len() == 64
            && self
                .certificate
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let sig = &self.signature_base64;
        let sig_ok = !sig.is_empty()
            && sig.len() <= 2048
            && sig
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if !id_ok {
            Some("invoice: 8 to 64 letters, digits, '-' or '_'".into())
        } else if !cert_ok {
            Some("certificate: 64 lowercase hex digits".into())
        } else if !sig_ok {
            Some("signature_base64: 1 to 2048 base64 characters".into())
        } else {
            None
        }
    }
}

/// `POST /api/signing/signatures`: one or many signatures; also the signed bundle's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatureBatch {
    /// [`SIGNATURES_FORMAT`] (optional on the API; a signed bundle file carries it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^hoadon-signatures/1$"))]
    pub format: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub signatures: Vec<SignatureUpload>,
}

/// What happened to one posted signature. Each invoice is all-or-nothing: refused, nothing of it
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum SignatureOutcome {
    /// Verified and attached: the invoice is signed and continues (archive, tax authority).
    Attached { invoice: String, number: u32 },
    /// The same signature was attached before (an upload retried).
    AlreadyAttached { invoice: String, number: u32 },
    /// Refused: a stable code (`signature.*`, `certificate.*`) and why, in both languages.
    Refused(Skipped),
}

impl SignatureOutcome {
    pub fn invoice(&self) -> &str {
        match self {
            SignatureOutcome::Attached { invoice, .. }
            | SignatureOutcome::AlreadyAttached { invoice, .. }
            | SignatureOutcome::Refused(Skipped { invoice, .. }) => invoice,
        }
    }

    pub fn is_attached(&self) -> bool {
        !matches!(self, SignatureOutcome::Refused(_))
    }
}

/// The answer to `POST /api/signing/signatures`: one outcome per signature, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureResults {
    pub results: Vec<SignatureOutcome>,
}

/// `PUT /api/series/{series}/signing`: how the series' invoices are signed from now on (those
/// already issued keep the mode they were issued with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesSigning {
    pub mode: crate::lifecycle::SigningMode,
}
