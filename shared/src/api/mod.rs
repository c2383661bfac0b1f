//! The HTTP API's bodies as types, shared by the server (which serialises them) and the web app
//! (which reads them): one definition, so neither side hand-builds or hand-reads JSON and a
//! renamed field breaks the build instead of the screen. Plain serde data; no I/O.

pub mod access_tokens;
pub mod authority;
pub mod books;
pub mod certificates;
pub mod corrections;
pub mod delivery;
pub mod orders;
pub mod signing;
pub mod webhooks;

use crate::lifecycle::Status;
use crate::model::{DraftInput, InvoiceDocument};
use crate::profile::CompanyProfile;
use crate::validate::{Finding, Severity};
use serde::{Deserialize, Serialize};

/// `POST /api/invoices`: a new draft with the client's id (the `Idempotency-Key` header makes a
/// retry answer with the first record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    /// 8 to 64 letters, digits, `-` or `_`; chosen by the client so an offline draft keeps it.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub id: String,
    pub document: DraftInput,
}

/// Why an invoice needs a person: the sweep could not sign it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attention {
    /// What failed, as the server saw it (no secrets).
    pub reason: String,
    /// When it last failed (Unix seconds).
    pub at: i64,
    /// How many attempts failed in a row.
    pub attempts: u32,
}

/// An invoice as clients see it: the server-composed document, its state and version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceView {
    pub id: String,
    pub status: Status,
    /// The document as the server composed it: the seller from the company profile, the number
    /// once given. Drafts show what would be issued now.
    pub document: InvoiceDocument,
    /// `<form><symbol>` once numbered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    /// `SigningTime`, fixed when the number is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_sha256: Option<String>,
    /// Set while a numbered invoice could not be signed; cleared once it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
    /// What the tax authority said (code, refusal), once the invoice went to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<authority::AuthorityStatus>,
    /// How it is signed (fixed when issued; a draft shows the cloud key until then).
    #[serde(default)]
    pub signing_mode: crate::lifecycle::SigningMode,
    /// What its corrections make of it (`issued` when none).
    #[serde(default = "issued")]
    pub standing: crate::corrections::Standing,
    /// When it is a correction: what it corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<corrections::CorrectionOf>,
    /// Valid, so it may reach people (PDF, print, e-mail, lookup): signed for an uncoded series,
    /// coded for a coded one.
    #[serde(default)]
    pub deliverable: bool,
    /// The version of its series' template it prints with (fixed when it was issued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_version: Option<u32>,
    /// The `If-Match` value for the next edit.
    pub version: u64,
}

fn issued() -> crate::corrections::Standing {
    crate::corrections::Standing::Issued
}

/// A page of a list; `next` is an opaque cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub next: Option<String>,
}

/// Counts per state, and how many need attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    pub draft: u64,
    /// Issued in token mode, waiting for a desktop signing session.
    #[serde(default)]
    pub awaiting_token: u64,
    pub numbered: u64,
    pub signed: u64,
    #[serde(default)]
    pub sent: u64,
    #[serde(default)]
    pub coded: u64,
    #[serde(default)]
    pub rejected: u64,
    #[serde(default)]
    pub data_sent: u64,
    #[serde(default)]
    pub data_accepted: u64,
    pub needs_attention: u64,
    /// Outbox messages that need a person (retries exhausted or refused).
    #[serde(default)]
    pub outbox_attention: u64,
}

/// `GET /api/summary`: the home screen.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub counts: Counts,
    pub recent: Vec<InvoiceView>,
    pub awaiting_signature: Vec<InvoiceView>,
    /// Issued in token mode and not yet signed (awaiting a claim, or claimed and unanswered).
    #[serde(default)]
    pub awaiting_token: Vec<InvoiceView>,
    /// Numbered invoices the sweep failed to sign, with the reason.
    pub needs_attention: Vec<InvoiceView>,
}

/// A series (form + symbol) and where its numbering stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesView {
    pub form: String,
    pub symbol: String,
    pub last_number: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date: Option<String>,
    /// How its invoices are signed (cloud key unless set).
    #[serde(default)]
    pub signing_mode: crate::lifecycle::SigningMode,
}

/// `POST /api/series`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSeries {
    /// `KHMSHDon`, one digit 1–9.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[1-9]$"))]
    pub form: String,
    /// `KHHDon`: C or K, two digits of the year, a type letter, two characters.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[CK][0-9]{2}[TDLMNBGHX][A-Z0-9]{2}$")
    )]
    pub symbol: String,
}

/// `GET /api/profile`, and the answer to `PUT /api/profile` (whose body is a [`CompanyProfile`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub profile: CompanyProfile,
    /// The `If-Match` value for the next edit (0 before the first save).
    pub version: u64,
    /// Whether invoices can be issued (every required field is there and valid).
    pub complete: bool,
}

/// `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// The answer to a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginAnswer {
    pub token: String,
    pub tenant: String,
    pub role: String,
    pub expires_at: i64,
}

/// A finding as it travels (owned strings, so clients can read it back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Detail {
    pub severity: Severity,
    pub code: String,
    pub path: String,
    pub message_vi: String,
    pub message_en: String,
}

impl From<&Finding> for Detail {
    fn from(f: &Finding) -> Self {
        Detail {
            severity: f.severity,
            code: f.code.to_owned(),
            path: f.path.clone(),
            message_vi: f.message_vi.clone(),
            message_en: f.message_en.clone(),
        }
    }
}

/// Every error answer: a stable `code`, a message, the findings, and — in a conflict — the
/// server's current copy (`C` is the record's view type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ErrorBody, bound = ""))]
pub struct ErrorBody<C = serde::de::IgnoredAny> {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub details: Vec<Detail>,
    /// The record as the server has it (an `InvoiceView`, a catalog entry), in a conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub current: Option<C>,
}
