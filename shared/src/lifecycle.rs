//! The invoice's life as one state machine: its states, the events that move it, and the only
//! function that decides whether a move is allowed.
//!
//! The API persists and orchestrates; it never decides a transition by itself — it asks
//! [`Status::apply`], and the app asks the same function to know which buttons to show. The
//! coming features (token signing, the tax authority's code, corrections) add states and events
//! here, so every rule about *when* something may happen lives in one table.
//!
//! ```text
//!  Draft ──Edit──► Draft
//!  Draft ──Number──► Numbered ──Sign──► Signed
//!  Draft ──AwaitToken──► AwaitingToken ──Number (a signing session claims it)──► Numbered
//!  AwaitingToken ──Withdraw──► Draft                                      (no number was taken)
//!  Signed ──Transmit──► Sent ──Code──► Coded                (C symbols: the authority codes it)
//!  Signed ──TransmitData──► DataSent ──AcceptData──► DataAccepted   (K symbols: data only)
//!  Signed | Sent | DataSent ──Reject──► Rejected ──Revise──► Numbered (same number)
//! ```
//! A number is taken only by `Number` (after everything that can fail without the key was
//! tried); `Sign` completes the one signed file of that number. `Transmit`/`TransmitData` happen
//! when the authority acknowledged receipt (999 without errors), `Code` when a 202 passed
//! [`crate::tdiep::accept_code`], `AcceptData` on a 204 without errors for uncoded data, `Reject`
//! on a refusal (a 999 with errors, or a 204 with errors).
//!
//! **Token mode** (a series whose seller signs with a USB token on the desktop): issuing checks
//! everything that can fail without the key and freezes the content (`AwaitToken`), but takes
//! no number — a number taken days before the token is plugged in would hold the series'
//! later invoices hostage to it. The number is taken when a desktop signing session claims the
//! invoice (`Number`), in claim order, and the token's signature completes it (`Sign`) like any
//! other. Until claimed, the invoice can go back to being a draft (`Withdraw`).
//!
//! **After a rejection** the invoice is fixed and re-sent *under the same number* (`Revise`):
//! the authority never gave that number legal effect (a `C` invoice exists only once coded), so
//! taking a new number would leave a hole in the series that no legal document explains, while
//! keeping it keeps the series gapless. The rejected signed file is kept, marked superseded,
//! never delivered; the revised one becomes the number's one current signed file. Nothing else
//! moves backwards: a coded (or accepted) invoice is corrected by another invoice, never edited.

use crate::Invoice;
use crate::date::Date;
use crate::validate::{Finding, Severity};
use serde::{Deserialize, Serialize};

/// Where an invoice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Editable; no number.
    Draft,
    /// Issued in token mode: validated and frozen, no number yet; a desktop signing session
    /// numbers it when it claims it.
    AwaitingToken,
    /// Has its number and its signing time; the signature is pending (the sweep completes it).
    Numbered,
    /// Signed by the seller: the one signed file of its number exists; queued for the authority.
    Signed,
    /// Received by the authority (999), waiting for its code (`C` symbols).
    Sent,
    /// Coded by the authority (202 checked): final and deliverable.
    Coded,
    /// Refused by the authority (a 999 or 204 with errors): fix and re-send under its number.
    Rejected,
    /// Uncoded invoice (`K` symbol) whose data the authority received (203 → 999).
    DataSent,
    /// Uncoded invoice whose data the authority accepted (204 without errors).
    DataAccepted,
}

/// What can happen to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A new version of the draft's content.
    Edit,
    /// Issued in token mode: the content is frozen until a signing session claims it.
    AwaitToken,
    /// A frozen invoice nobody claimed yet goes back to being a draft.
    Withdraw,
    /// The series gives the invoice its number.
    Number,
    /// The seller's signature is attached.
    Sign,
    /// The authority acknowledged receiving the invoice sent for a code (200 → 999).
    Transmit,
    /// The authority acknowledged receiving an uncoded invoice's data (203 → 999).
    TransmitData,
    /// The authority's code arrived and was checked (202).
    Code,
    /// The authority accepted uncoded data (204 without errors).
    AcceptData,
    /// The authority refused (999 or 204 with errors).
    Reject,
    /// A rejected invoice is fixed: back to numbered (same number), to be signed and sent again.
    Revise,
}

/// Why a transition is refused: a stable code and messages in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub code: &'static str,
    pub message_vi: &'static str,
    pub message_en: &'static str,
}

const NOT_EDITABLE: Refusal = Refusal {
    code: "invoice_not_editable",
    message_vi: "Hóa đơn đã được cấp số, không sửa được nữa; hãy lập hóa đơn điều chỉnh hoặc thay thế.",
    message_en: "The invoice is issued and can no longer be edited; correct it with another invoice.",
};
const FROZEN: Refusal = Refusal {
    code: "awaiting_token",
    message_vi: "Hóa đơn đang chờ ký bằng USB token, nội dung đã khóa; hãy rút về bản nháp để sửa.",
    message_en: "The invoice awaits its token signature and its content is frozen; withdraw it to a draft to edit it.",
};
const NOT_AWAITING_TOKEN: Refusal = Refusal {
    code: "not_awaiting_token",
    message_vi: "Chỉ hóa đơn đang chờ ký bằng token và chưa được cấp số mới rút về bản nháp được.",
    message_en: "Only an invoice awaiting its token signature, not yet numbered, can go back to a draft.",
};
const ALREADY_NUMBERED: Refusal = Refusal {
    code: "already_numbered",
    message_vi: "Hóa đơn đã có số.",
    message_en: "The invoice already has its number.",
};
const NOT_NUMBERED: Refusal = Refusal {
    code: "not_numbered",
    message_vi: "Hóa đơn chưa được cấp số nên chưa ký được.",
    message_en: "The invoice has no number yet, so it cannot be signed.",
};
const ALREADY_SIGNED: Refusal = Refusal {
    code: "already_signed",
    message_vi: "Hóa đơn đã được ký.",
    message_en: "The invoice is already signed.",
};
const NOT_WITH_AUTHORITY: Refusal = Refusal {
    code: "authority_state",
    message_vi: "Hóa đơn không ở trạng thái chờ cơ quan thuế trả lời.",
    message_en: "The invoice is not waiting for the tax authority's answer.",
};
const NOT_REJECTED: Refusal = Refusal {
    code: "not_rejected",
    message_vi: "Chỉ hóa đơn bị cơ quan thuế từ chối mới được sửa và gửi lại.",
    message_en: "Only an invoice the tax authority refused can be fixed and sent again.",
};

impl Status {
    /// The state after `event`, or why it may not happen. The one transition table.
    pub fn apply(self, event: Event) -> Result<Status, Refusal> {
        use Event as E;
        use Status as S;
        match (self, event) {
            (S::Draft, E::Edit) => Ok(S::Draft),
            (S::Draft | S::AwaitingToken, E::Number) => Ok(S::Numbered),
            (S::Draft, E::AwaitToken) => Ok(S::AwaitingToken),
            (S::AwaitingToken, E::Withdraw) => Ok(S::Draft),
            (S::AwaitingToken, E::Edit | E::AwaitToken) => Err(FROZEN),
            (S::Numbered, E::Sign) => Ok(S::Signed),
            (S::Signed, E::Transmit) => Ok(S::Sent),
            (S::Signed, E::TransmitData) => Ok(S::DataSent),
            // A 202 may arrive before the 999 is read (replies are polled): coding implies receipt.
            (S::Signed | S::Sent, E::Code) => Ok(S::Coded),
            (S::Signed | S::DataSent, E::AcceptData) => Ok(S::DataAccepted),
            (S::Signed | S::Sent | S::DataSent, E::Reject) => Ok(S::Rejected),
            (S::Rejected, E::Revise) => Ok(S::Numbered),
            (S::Draft | S::AwaitingToken, E::Sign) => Err(NOT_NUMBERED),
            (_, E::Withdraw) => Err(NOT_AWAITING_TOKEN),
            (S::Draft | S::AwaitingToken, _) => Err(NOT_NUMBERED),
            (_, E::Edit) => Err(NOT_EDITABLE),
            (_, E::Number | E::AwaitToken) => Err(ALREADY_NUMBERED),
            (_, E::Sign) => Err(ALREADY_SIGNED),
            (_, E::Revise) => Err(NOT_REJECTED),
            (_, E::Transmit | E::TransmitData | E::Code | E::AcceptData | E::Reject) => {
                Err(NOT_WITH_AUTHORITY)
            }
        }
    }

    /// Whether `event` may happen now (what the app uses to enable a button).
    pub fn allows(self, event: Event) -> bool {
        self.apply(event).is_ok()
    }

    /// Whether the invoice carries a number (and so can never be deleted or renumbered).
    pub fn is_issued(self) -> bool {
        !matches!(self, Status::Draft | Status::AwaitingToken)
    }

    /// Every state, for filters and counts.
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::AwaitingToken,
        Status::Numbered,
        Status::Signed,
        Status::Sent,
        Status::Coded,
        Status::Rejected,
        Status::DataSent,
        Status::DataAccepted,
    ];

    /// The wire name (`draft`, `awaiting_token`, `numbered`, `signed`, `sent`, `coded`, `rejected`, `data_sent`,
    /// `data_accepted`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::AwaitingToken => "awaiting_token",
            Status::Numbered => "numbered",
            Status::Signed => "signed",
            Status::Sent => "sent",
            Status::Coded => "coded",
            Status::Rejected => "rejected",
            Status::DataSent => "data_sent",
            Status::DataAccepted => "data_accepted",
        }
    }

    /// Whether the invoice may go to the buyer (PDF, e-mail, lookup): a coded invoice once the
    /// authority coded it; an uncoded one as soon as the seller signed it (its data goes to the
    /// authority alongside, vn-einvoice §4.6).
    pub fn deliverable(self, coded_series: bool) -> bool {
        if coded_series {
            self == Status::Coded
        } else {
            matches!(
                self,
                Status::Signed | Status::DataSent | Status::DataAccepted
            )
        }
    }

    /// Whether a 04/SS may name the invoice: it was issued (signed) and not refused.
    pub fn allows_notice(self) -> bool {
        matches!(
            self,
            Status::Signed | Status::Sent | Status::Coded | Status::DataSent | Status::DataAccepted
        )
    }

    /// Whether the authority still owes an answer (the outbox keeps polling).
    pub fn awaits_authority(self) -> bool {
        matches!(self, Status::Signed | Status::Sent | Status::DataSent)
    }
}

/// What numbering must know besides the invoice: today's date in Vietnam, the tax id of the
/// certificate that will sign (`None`: the certificate carries none), and the series' state.
#[derive(Debug, Clone, Copy)]
pub struct NumberingContext<'a> {
    pub today: Date,
    pub signer_tax_id: Option<&'a str>,
    /// The series' last issue date and number (`None`, 0 before its first invoice).
    pub series_last_date: Option<Date>,
    pub series_last_number: u32,
}

fn finding(code: &'static str, path: &str, vi: String, en: String) -> Finding {
    Finding {
        severity: Severity::Error,
        code,
        path: path.to_owned(),
        message_vi: vi,
        message_en: en,
    }
}

impl Status {
    /// The `Number` transition with its business rules: the state allows it, the issue date is
    /// not after today (a typo dated the 21st would otherwise move the series' last date and
    /// block every correct invoice until then), not before the series' last (numbers follow
    /// dates), the series has numbers left, and the signing certificate carries the seller's
    /// tax id (a certificate without a readable `MST:` is refused, not trusted). The API calls
    /// it before taking a number (and per invoice in the numbering batch); the app can ask it
    /// what issuing would say.
    pub fn number(self, inv: &Invoice, ctx: &NumberingContext<'_>) -> Result<Status, Vec<Finding>> {
        let mut out = Vec::new();
        let next = match self.apply(Event::Number) {
            Ok(s) => Some(s),
            Err(r) => {
                out.push(finding(
                    "lifecycle.state",
                    "status",
                    r.message_vi.into(),
                    r.message_en.into(),
                ));
                None
            }
        };
        let (date, today) = (inv.issue_date(), ctx.today);
        if date > today {
            out.push(finding(
                "issue_date.future",
                "issue_date",
                format!("Ngày lập {date} sau ngày hôm nay ({today}, giờ Việt Nam)."),
                format!("The issue date {date} is later than today ({today}, Vietnam time)."),
            ));
        }
        if let Some(last) = ctx.series_last_date
            && date < last
        {
            out.push(finding(
                "issue_date.before_last",
                "issue_date",
                format!("Ngày lập {date} trước ngày của hóa đơn cuối cùng trong ký hiệu ({last})."),
                format!("The issue date {date} is earlier than the series' last invoice ({last})."),
            ));
        }
        if ctx.series_last_number >= crate::model::InvoiceNumber::MAX {
            out.push(finding(
                "series.exhausted",
                "symbol",
                "Ký hiệu đã hết số (99.999.999); hãy dùng ký hiệu mới.".into(),
                "The series has no numbers left (99,999,999); open a new symbol.".into(),
            ));
        }
        let seller = inv
            .seller()
            .tax_id
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_default();
        match ctx.signer_tax_id {
            Some(mst) if mst == seller => {}
            Some(mst) => out.push(finding(
                "seller.not_key_holder",
                "seller.tax_id",
                format!("Mã số thuế người bán phải là của chủ chữ ký số ({mst}), không phải {seller}."),
                format!("The seller's tax id must be the signing certificate's ({mst}), not {seller}."),
            )),
            None => out.push(finding(
                "seller.not_key_holder",
                "seller.tax_id",
                "Chứng thư số ký hóa đơn không ghi mã số thuế (MST:) nên không chứng minh được là của người bán.".into(),
                "The signing certificate carries no tax id (MST:), so it cannot be shown to be the seller's.".into(),
            )),
        }
        match next {
            Some(s) if out.is_empty() => Ok(s),
            _ => Err(out),
        }
    }
}

/// How a series' invoices are signed. Fixed on each invoice when it is issued, so that changing
/// the series' mode later never gets a token-mode invoice signed with another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SigningMode {
    /// The server's key: AWS KMS in the cloud, the local key file locally.
    #[default]
    Cloud,
    /// The CA's remote signing service, with the tenant's account there.
    Remote,
    /// The seller's USB token, on the desktop (`hoadon token sign`).
    Token,
}

impl SigningMode {
    pub fn is_cloud(&self) -> bool {
        *self == SigningMode::Cloud
    }
}

/// What issuing has left to do for an invoice in `status`: the API's issue path reads this
/// instead of matching states itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueStep {
    /// Validate, then take a number.
    Number,
    /// Validate, then freeze it for a desktop signing session (token mode).
    AwaitToken,
    /// Numbered already (a retry, or the sweep): sign it.
    Sign,
    /// Nothing the server can do now: signed, or waiting for the token's signature.
    Done,
}

impl Status {
    /// The next step of issuing under `mode`: in token mode the server never numbers or signs
    /// by itself — a signing session claims (numbers) and the token signs.
    pub fn issue_step(self, mode: SigningMode) -> IssueStep {
        match mode {
            SigningMode::Token if self.allows(Event::AwaitToken) => IssueStep::AwaitToken,
            SigningMode::Token => IssueStep::Done,
            _ if self.allows(Event::Number) => IssueStep::Number,
            _ if self.allows(Event::Sign) => IssueStep::Sign,
            _ => IssueStep::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [Event; 11] = [
        Event::Edit,
        Event::AwaitToken,
        Event::Withdraw,
        Event::Number,
        Event::Sign,
        Event::Transmit,
        Event::TransmitData,
        Event::Code,
        Event::AcceptData,
        Event::Reject,
        Event::Revise,
    ];

    #[test]
    fn the_only_path_is_draft_numbered_signed() {
        assert_eq!(Status::Draft.apply(Event::Number), Ok(Status::Numbered));
        assert_eq!(Status::Numbered.apply(Event::Sign), Ok(Status::Signed));
        assert_eq!(Status::Draft.apply(Event::Edit), Ok(Status::Draft));
        assert_eq!(
            Status::Signed.apply(Event::Edit).unwrap_err().code,
            "invoice_not_editable"
        );
    }

    #[test]
    fn only_revise_moves_backwards_and_only_from_rejected() {
        let rank = |s: Status| match s {
            Status::Draft | Status::AwaitingToken => 0,
            Status::Numbered => 1,
            Status::Signed => 2,
            Status::Sent | Status::DataSent | Status::Rejected => 3,
            Status::Coded | Status::DataAccepted => 4,
        };
        for s in Status::ALL {
            for e in EVENTS {
                if let Ok(n) = s.apply(e)
                    && rank(n) < rank(s)
                {
                    assert_eq!(
                        (s, e, n),
                        (Status::Rejected, Event::Revise, Status::Numbered)
                    );
                }
            }
        }
        // Final states accept nothing at all.
        for s in [Status::Coded, Status::DataAccepted] {
            assert!(EVENTS.iter().all(|e| s.apply(*e).is_err()), "{s:?}");
        }
    }

    #[test]
    fn the_authority_paths() {
        use Event as E;
        use Status as S;
        let walk = |events: &[Event]| {
            events
                .iter()
                .try_fold(S::Draft, |s, e| s.apply(*e).map_err(|r| r.code))
        };
        assert_eq!(
            walk(&[E::Number, E::Sign, E::Transmit, E::Code]),
            Ok(S::Coded)
        );
        assert_eq!(walk(&[E::Number, E::Sign, E::Code]), Ok(S::Coded));
        assert_eq!(
            walk(&[E::Number, E::Sign, E::TransmitData, E::AcceptData]),
            Ok(S::DataAccepted)
        );
        assert_eq!(
            walk(&[
                E::Number,
                E::Sign,
                E::Transmit,
                E::Reject,
                E::Revise,
                E::Sign
            ]),
            Ok(S::Signed)
        );
        assert_eq!(
            walk(&[E::Number, E::Sign, E::Transmit, E::Code, E::Code]),
            Err("authority_state")
        );
        assert_eq!(walk(&[E::Number, E::Sign, E::Revise]), Err("not_rejected"));
        assert!(S::Coded.deliverable(true) && !S::Sent.deliverable(true));
        assert!(S::Signed.deliverable(false) && !S::Rejected.deliverable(false));
    }

    fn invoice() -> crate::Invoice {
        let doc: crate::InvoiceDocument =
            serde_json::from_str(include_str!("../examples/invoice.json")).unwrap();
        crate::check(&doc).invoice.unwrap()
    }

    fn ctx(today: &str) -> NumberingContext<'static> {
        NumberingContext {
            today: today.parse().unwrap(),
            signer_tax_id: Some("0109998883"),
            series_last_date: None,
            series_last_number: 0,
        }
    }

    fn codes(r: Result<Status, Vec<Finding>>) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|f| f.code).collect()
    }

    #[test]
    fn numbering_rules_are_the_core_s() {
        let inv = invoice(); // issued 2025-10-15 by 0109998883
        assert_eq!(
            Status::Draft.number(&inv, &ctx("2025-10-15")),
            Ok(Status::Numbered)
        );
        assert_eq!(
            codes(Status::Draft.number(&inv, &ctx("2025-10-14"))),
            ["issue_date.future"]
        );
        let mut c = ctx("2025-12-01");
        c.series_last_date = Some("2025-10-16".parse().unwrap());
        assert_eq!(
            codes(Status::Draft.number(&inv, &c)),
            ["issue_date.before_last"]
        );
        let mut c = ctx("2025-12-01");
        c.series_last_number = crate::model::InvoiceNumber::MAX;
        assert_eq!(codes(Status::Draft.number(&inv, &c)), ["series.exhausted"]);
        for mst in [Some("0312345673"), None] {
            let mut c = ctx("2025-12-01");
            c.signer_tax_id = mst;
            assert_eq!(
                codes(Status::Draft.number(&inv, &c)),
                ["seller.not_key_holder"],
                "{mst:?}"
            );
        }
        assert_eq!(
            codes(Status::Signed.number(&inv, &ctx("2025-12-01"))),
            ["lifecycle.state"]
        );
    }

    #[test]
    fn issue_steps() {
        let cloud = SigningMode::Cloud;
        assert_eq!(Status::Draft.issue_step(cloud), IssueStep::Number);
        assert_eq!(Status::Numbered.issue_step(cloud), IssueStep::Sign);
        assert_eq!(Status::Signed.issue_step(cloud), IssueStep::Done);
        assert_eq!(
            Status::Draft.issue_step(SigningMode::Remote),
            IssueStep::Number
        );
        // A frozen invoice of a series switched back to the cloud key is numbered by issuing.
        assert_eq!(Status::AwaitingToken.issue_step(cloud), IssueStep::Number);
    }

    #[test]
    fn token_mode_freezes_and_never_lets_the_server_sign() {
        use Event as E;
        use Status as S;
        let token = SigningMode::Token;
        assert_eq!(S::Draft.issue_step(token), IssueStep::AwaitToken);
        for s in [S::AwaitingToken, S::Numbered, S::Signed] {
            assert_eq!(s.issue_step(token), IssueStep::Done, "{s:?}");
        }
        assert_eq!(S::Draft.apply(E::AwaitToken), Ok(S::AwaitingToken));
        assert_eq!(
            S::AwaitingToken.apply(E::Edit).unwrap_err().code,
            "awaiting_token"
        );
        assert_eq!(
            S::AwaitingToken.apply(E::Sign).unwrap_err().code,
            "not_numbered"
        );
        assert_eq!(S::AwaitingToken.apply(E::Number), Ok(S::Numbered));
        assert_eq!(S::AwaitingToken.apply(E::Withdraw), Ok(S::Draft));
        assert_eq!(
            S::Numbered.apply(E::Withdraw).unwrap_err().code,
            "not_awaiting_token"
        );
        assert_eq!(
            S::Numbered.apply(E::AwaitToken).unwrap_err().code,
            "already_numbered"
        );
        assert!(!S::AwaitingToken.is_issued());
    }

    #[test]
    fn wire_names_match_serde() {
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
