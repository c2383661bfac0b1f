//! The API's bodies for the tenant's signing-certificate registry (`/api/certificates`): what an
//! admin uploads and what the list shows. Shared by the server and the app.

use serde::{Deserialize, Serialize};

/// `POST /api/certificates`: one certificate, as PEM text or as base64 DER — exactly one of the
/// two (the desktop signer has DER from the token; a person has a `.pem`/`.cer` file).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CertificateUpload {
    /// `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 65536))]
    pub pem: Option<String>,
    /// The DER bytes in standard base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 65536, pattern = "^[A-Za-z0-9+/=\\s]*$")
    )]
    pub der_base64: Option<String>,
    /// A name the tenant gives it (e.g. "Token of the director"); at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub label: Option<String>,
}

/// A registered certificate as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateView {
    /// SHA-256 of the DER, lowercase hex: the same certificate uploaded twice is one record.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// As .NET writes it (most specific first), what goes in `X509SubjectName`.
    pub subject: String,
    pub issuer: String,
    /// The `MST:` of the subject (always the company's: others are refused).
    pub tax_id: String,
    /// Validity, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub not_before: String,
    pub not_after: String,
    /// The RSA modulus size.
    pub key_bits: u32,
    /// Unix seconds.
    pub uploaded_at: i64,
    /// The user who uploaded it.
    pub uploaded_by: String,
    /// Revoked by an admin: kept listed (old signatures stay explained), never used to sign.
    pub revoked: bool,
    /// The series that sign with it: cloud/remote series with their signer's current certificate,
    /// token series with any unrevoked certificate that is not a server signer's.
    pub used_by_series: Vec<String>,
}

/// `POST /api/certificates/request`: a certificate request (PKCS#10) for the tenant's signing
/// key, to send to a CA; the CA's certificate then comes back through `POST /api/certificates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateRequestView {
    /// `-----BEGIN CERTIFICATE REQUEST-----` … (PEM).
    pub pem: String,
    /// The requested subject: `C=VN, CN=<company name>, UID=MST:<tax id>`.
    pub subject: String,
    /// SHA-256 of the key's SubjectPublicKeyInfo (lowercase hex): the certificate the CA
    /// issues for this request carries the same key, and is used for it once uploaded.
    pub key_id: String,
}
