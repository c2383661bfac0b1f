//! The API's bodies for the tax authority: the outbox, the registration (01/ĐKTĐ-HĐĐT), the
//! 04/SS notices and the tenant's T-VAN settings. Shared by the server and the app.

use super::Detail;
use serde::{Deserialize, Serialize};

/// Where a message of the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Persisted, not yet known to be received (never sent, or the last attempt failed).
    Queued,
    /// Received by the other side; waiting for its final answer.
    AwaitingReply,
    /// Finished: the final answer arrived and was applied.
    Done,
    /// Retries exhausted (or refused for good): a person must look ("retry now").
    NeedsAttention,
}

impl OutboxState {
    pub const ALL: [OutboxState; 4] = [
        OutboxState::Queued,
        OutboxState::AwaitingReply,
        OutboxState::Done,
        OutboxState::NeedsAttention,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::AwaitingReply => "awaiting_reply",
            OutboxState::Done => "done",
            OutboxState::NeedsAttention => "needs_attention",
        }
    }
}

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Invoice,
    Registration,
    Notice,
}

/// One reply received for a message (`MTDTChieu` = its `MTDiep`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyView {
    /// `MLTDiep` of the reply (999, 202, 204, 102, 103, 301).
    pub kind: u16,
    /// The reply's own `MTDiep`.
    pub message_id: String,
    /// When hoadon read it (Unix seconds).
    pub at: i64,
    /// What it said, in a few words.
    pub summary: String,
}

/// `GET /api/outbox`: a message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxView {
    pub id: String,
    /// Where it goes: `tax_authority` (later `email`, `webhook`).
    pub channel: String,
    /// `MLTDiep` of the message (200, 203, 300, 100).
    pub kind: u16,
    /// `MTDiep`, fixed before the first attempt; every resend carries the same.
    pub message_id: String,
    pub subject: Subject,
    /// The invoice, registration or notice id.
    pub subject_id: String,
    pub state: OutboxState,
    /// Attempts to send (or, once received, to read the replies) that failed in a row.
    pub attempts: u32,
    /// When the next attempt is due (Unix seconds), while not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub replies: Vec<ReplyView>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Sent to the local simulator: what it answers is test data.
    pub test: bool,
    pub version: u64,
}

/// What the authority said about an invoice, shown on it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorityStatus {
    /// `MCCQT`, once coded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The refusal's errors (a 999 or 204), each placed at a field when it maps to one
    /// (`path`), else at `authority`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Detail>,
    /// Coded by the local simulator of the authority: test data, never a legal invoice.
    #[serde(default)]
    pub test: bool,
    /// The outbox message carrying it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<String>,
}

/// `PUT /api/authority/registration`: the 01/ĐKTĐ-HĐĐT an admin fills in. **Provisional**
/// like the 100 it becomes (see `tdiep::provisional::Registration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// A change to an accepted registration (`HThuc` 2) rather than a first one.
    #[serde(default)]
    pub change: bool,
    /// Invoices with the authority's code (`C` symbols).
    pub coded: bool,
    /// Invoices without the code (`K` symbols).
    pub uncoded: bool,
    /// The contact person, e-mail and phone the authority writes to.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub contact_name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 254))]
    pub contact_email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20, pattern = "^[0-9 +().-]+$")
    )]
    pub contact_phone: String,
}

/// Where the tenant's registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// Nothing sent yet.
    None,
    /// Sent (100), not yet received.
    Sent,
    /// The authority received it (102).
    Received,
    /// Accepted (103): invoices of the registered kinds may be issued.
    Accepted,
    /// Refused (102 or 103 with reasons).
    Refused,
}

/// `GET /api/authority/registration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationView {
    pub state: RegistrationState,
    /// The last registration sent (or being written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<RegistrationInput>,
    /// What was accepted: coded and/or uncoded invoices may be issued.
    pub accepted_coded: bool,
    pub accepted_uncoded: bool,
    /// The authority's reasons, when refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The tenant registered through another provider: issuing is not gated here.
    pub registered_elsewhere: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<String>,
    pub updated_at: i64,
    pub version: u64,
}

/// `PUT /api/authority/settings` (admins): how this tenant reaches the authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuthoritySettingsInput {
    /// Registered through another provider: issuing coded invoices needs no 103 here.
    pub registered_elsewhere: bool,
}

/// `POST /api/notices`: a 04/SS-HĐĐT about issued invoices (one row each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// `MCQT` / `TCQT`: the tax office the seller reports to (empty: the company profile's).
    #[cfg_attr(feature = "openapi", schema(max_length = 5))]
    #[serde(default)]
    pub tax_office_code: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    #[serde(default)]
    pub tax_office_name: String,
    /// `DDanh` (empty: the company profile's place name).
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    #[serde(default)]
    pub place: String,
    /// `Loai`: 1 the seller's own notice (default), 2 the answer to the authority's 01/TB-RSĐT.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2))]
    #[serde(
        default,
        deserialize_with = "crate::money::code_serde::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<u8>,
    /// `So`: the authority's notice number (required when `kind` = 2).
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_notice_number: Option<String>,
    /// `NTBCCQT`: the authority's notice date, `YYYY-MM-DD` (required when `kind` = 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_notice_date: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 45))]
    pub rows: Vec<NoticeRowInput>,
}

/// One invoice of a 04/SS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeRowInput {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{8,64}$"))]
    pub invoice_id: String,
    /// `TCTBao`: 1 cancel, 2 adjust, 3 replace, 4 explain.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4))]
    #[serde(deserialize_with = "crate::money::code_serde::deserialize")]
    pub action: u8,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub reason: String,
}

/// Where a 04/SS stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    Sent,
    Received,
    Accepted,
    Refused,
}

/// `GET /api/notices/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeView {
    pub id: String,
    pub state: NoticeState,
    pub input: NoticeInput,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    pub outbox_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}
